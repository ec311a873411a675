"""The on-disk cache of compiled regions (a warm boot loads instead of compiling).

Keyed like Numba's: the key is a hash of the region's blocks (pc, flags and the guest bytes, which
determine the IR) salted with rvjit's version, hashes of the translator's and the backend's
sources, the opt level and llvmlite/LLVM/host CPU (see Codegen.region_key).  Entries are
written atomically (temporary file, then rename) and sealed (cache_integrity.py): an entry that
is unreadable, of another format, truncated or changed is a miss, and a damaged one is counted
and removed (the region is compiled and written again)."""
from __future__ import annotations

import os
from pathlib import Path

from rvjit.cache_integrity import drop, note_damaged, seal, unseal
from rvjit.cachedir import cache_base, make_dir

OBJECT_KIND = b"RVJO"
OBJECT_VERSION = 1
SUFFIX = f".rvo{OBJECT_VERSION}"    # (another format is another file: never read as damaged)


def default_dir() -> Path:
    return cache_base() / "code"


def read_object(path: Path) -> bytes | None:
    """The object in the entry at `path`; None if there is none, or if it is damaged (then
    counted and removed)."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    obj = unseal(OBJECT_KIND, OBJECT_VERSION, data)
    if obj is None:
        note_damaged("code object", path)
        drop(path)
        return None
    return obj.tobytes()


class CodeCache:
    def __init__(self, directory: Path) -> None:
        self.dir = directory
        self.hits = self.misses = self.writes = 0
        self._present: set[str] | None = None     # keys on disk (listed once, on first use)
        self._made: set[str] = set()                # subdirectories this process has made
        try:
            make_dir(directory)
        except OSError:
            pass    # (read-only: a cache that only misses)

    def path(self, key: str) -> Path:
        return self.dir / key[:2] / (key + SUFFIX)

    def _listing(self) -> set[str]:
        """The keys on disk: one directory listing instead of an open() per miss."""
        if self._present is None:
            self._present = set()
            try:
                for sub in os.scandir(self.dir):
                    if sub.is_dir():
                        self._present.update(e.name[:-len(SUFFIX)]
                                             for e in os.scandir(sub.path)
                                             if e.name.endswith(SUFFIX))
            except OSError:
                pass
        return self._present

    def has(self, key: str) -> bool:
        return key in self._listing()

    def get(self, key: str) -> bytes | None:
        if key not in self._listing():
            self.misses += 1
            return None
        data = read_object(self.path(key))
        if data is None:
            self._present.discard(key)
            self.misses += 1
            return None
        self.hits += 1
        return data

    def noted(self, key: str) -> None:
        """Another process (a compile worker) has written the entry `key`."""
        self.writes += 1
        self._listing().add(key)

    def put(self, key: str, obj: bytes) -> None:
        path = self.path(key)
        try:
            if key[:2] not in self._made:
                make_dir(path.parent)
                self._made.add(key[:2])
            tmp = f"{path}.tmp{os.getpid()}"
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                view = memoryview(seal(OBJECT_KIND, OBJECT_VERSION, obj))
                while view:
                    view = view[os.write(fd, view):]
            finally:
                os.close(fd)
            os.replace(tmp, path)
            self.writes += 1
            if self._present is not None:   # (a writer that never reads never lists)
                self._present.add(key)
        except OSError:
            pass    # a read-only or full cache directory only costs speed
