"""A program's shared libraries, found as the dynamic loader finds them (ld.so(8)): its
PT_INTERP loader, then each DT_NEEDED name searched in DT_RUNPATH and the default directories,
transitively.  The files come from unpacked .debs: a `FileTree` of regular files and symbolic
links, with Debian's merged /usr (trixie ships /lib, /bin and /sbin as links into /usr)."""
from __future__ import annotations

import io
import posixpath
from dataclasses import dataclass, field

from elftools.elf.dynamic import DynamicSection
from elftools.elf.elffile import ELFFile
from elftools.elf.segments import InterpSegment

MULTIARCH = "riscv64-linux-gnu"
DEFAULT_LIB_DIRS = (f"usr/lib/{MULTIARCH}", "usr/lib")
MERGED_DIRS = ("bin", "sbin", "lib", "lib32", "lib64")     # /X is /usr/X
MAX_LINKS = 40


class MissingLibrary(Exception):
    """A DT_NEEDED library (or the loader) that no unpacked package ships."""


def usr_merged(path: str) -> str:
    """/lib/x.so -> usr/lib/x.so: an absolute or relative path, normalised, without the
    leading slash, with the merged-/usr directories moved under usr/."""
    p = posixpath.normpath("/" + path).lstrip("/")
    top = p.split("/", 1)[0]
    return "usr/" + p if top in MERGED_DIRS else p


@dataclass
class FileTree:
    """Files and symbolic links by their usr_merged path."""
    files: dict[str, bytes] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)

    def add(self, files: dict[str, bytes], links: dict[str, str]) -> None:
        for p, data in files.items():
            self.files[usr_merged(p)] = data
        for p, target in links.items():
            self.links[usr_merged(p)] = target

    def resolve(self, path: str) -> str | None:
        """The regular file `path` names after following links, or None."""
        p = usr_merged(path)
        for _ in range(MAX_LINKS):
            if p in self.files:
                return p
            if p not in self.links:
                return None
            target = self.links[p]
            p = usr_merged(target if target.startswith("/")
                           else posixpath.join(posixpath.dirname(p), target))
        return None


@dataclass(frozen=True, slots=True)
class ElfDeps:
    interp: str                 # PT_INTERP ("" for none)
    needed: tuple[str, ...]     # DT_NEEDED, in order
    runpath: tuple[str, ...]    # DT_RUNPATH, else DT_RPATH, split on ':'


def elf_deps(data: bytes) -> ElfDeps:
    elf = ELFFile(io.BytesIO(data))
    interp, needed, runpath, rpath = "", [], [], []
    for seg in elf.iter_segments():
        if isinstance(seg, InterpSegment):
            interp = seg.get_interp_name()
    for sec in elf.iter_sections():
        if not isinstance(sec, DynamicSection):
            continue
        for tag in sec.iter_tags():
            if tag.entry.d_tag == "DT_NEEDED":
                needed.append(tag.needed)
            elif tag.entry.d_tag == "DT_RUNPATH":
                runpath += tag.runpath.split(":")
            elif tag.entry.d_tag == "DT_RPATH":
                rpath += tag.rpath.split(":")
    return ElfDeps(interp, tuple(needed), tuple(runpath or rpath))


@dataclass(frozen=True, slots=True)
class LibraryClosure:
    interp: str                     # where the program expects its loader (usr_merged)
    interp_file: str                # the loader's file in the tree
    libraries: dict[str, str]       # where the loader will look for each library -> its file


def library_closure(tree: FileTree, program: str) -> LibraryClosure:
    """The loader and every library `program` (a path in `tree`) loads, transitively."""
    exe = tree.resolve(program)
    if exe is None:
        raise MissingLibrary(f"{program} is not in the unpacked packages")
    deps = elf_deps(tree.files[exe])
    if not deps.interp:
        raise MissingLibrary(f"{program} has no PT_INTERP (not a dynamic executable)")
    interp_file = tree.resolve(deps.interp)
    if interp_file is None:
        raise MissingLibrary(f"no package ships {program}'s loader {deps.interp}")
    found: dict[str, str] = {}                  # soname -> placed path
    libraries: dict[str, str] = {}
    queue = [(exe, deps)]
    while queue:
        user, d = queue.pop(0)
        dirs = [usr_merged(r.replace("$ORIGIN", posixpath.dirname(user)))
                for r in d.runpath if r] + list(DEFAULT_LIB_DIRS)
        for name in d.needed:
            if name in found or name == posixpath.basename(deps.interp):
                continue                # the loader is already loaded under its soname
            f, dr = None, ""
            for dr in dirs:
                f = tree.resolve(posixpath.join(dr, name))
                if f is not None:
                    break
            if f is None:
                raise MissingLibrary(f"{posixpath.basename(user)} needs {name}: not in "
                                     f"{', '.join(dirs)} of the unpacked packages")
            found[name] = posixpath.join(dr, name)
            libraries[found[name]] = f
            queue.append((f, elf_deps(tree.files[f])))
    return LibraryClosure(usr_merged(deps.interp), interp_file, libraries)
