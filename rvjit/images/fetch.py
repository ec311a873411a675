"""`make images` / `python -m rvjit.images`: download Debian 13 riscv64 packages (OpenSBI, the
Linux kernel and some of its modules, a static busybox, and qemu-system-riscv with its whole
dependency closure), verify them against the archive's index, and build a busybox initramfs
and a KVM host initramfs (rvjit/images/kvmhost.py: QEMU starts two KVM guests).  Everything
lives in the cache directory; a second run downloads nothing."""
from __future__ import annotations

import argparse
import json
import lzma
import os
import re
import sys
from dataclasses import dataclass

from rvjit.images import debian, initramfs, kvmhost, mirror, shlibs
from rvjit.images import modules as kmod
from rvjit.images import packages as debpkg

OPENSBI_DIR = "usr/lib/riscv64-linux-gnu/opensbi/generic/"
KERNEL_META = "linux-image-riscv64"
# crc32c_generic: ext4 asks the crypto API for "crc32c" (metadata_csum, on in mkfs.ext4's
# defaults) and the initramfs has no modprobe to load it on demand.
WANTED_MODULES = ["kvm", "virtio_mmio", "virtio_blk", "crc32c_generic", "ext4"]
# Debian's QEMU for a riscv64 host: trixie splits qemu-system-riscv out of qemu-system-misc.
QEMU_PACKAGES = ("qemu-system-riscv", "qemu-system-misc")
MANIFEST = "manifest.json"
MANIFEST_VERSION = 1


def cache_dir(environ: dict | None = None) -> str:
    """$RVJIT_IMAGES_DIR, else $XDG_CACHE_HOME/rvjit/images, else ~/.cache/rvjit/images."""
    env = os.environ if environ is None else environ
    if env.get("RVJIT_IMAGES_DIR"):
        return env["RVJIT_IMAGES_DIR"]
    base = env.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "rvjit", "images")


@dataclass(frozen=True, slots=True)
class Image:
    key: str             # fw_dynamic.bin, fw_dynamic.elf, kernel, initramfs
    path: str
    sha256: str


def load_manifest(root: str) -> dict | None:
    try:
        with open(os.path.join(root, MANIFEST)) as f:
            m = json.load(f)
    except (OSError, ValueError):
        return None
    if m.get("version") != MANIFEST_VERSION:
        return None
    for item in m.get("images", {}).values():
        p = item.get("path", "")
        if not os.path.isfile(p) or os.path.getsize(p) != item.get("size"):
            return None
    return m


def image_path(key: str, environ: dict | None = None) -> str | None:
    """Where `make images` put an image (e.g. "fw_dynamic.bin"), or None."""
    m = load_manifest(cache_dir(environ))
    if m is None or key not in m["images"]:
        return None
    return m["images"][key]["path"]


def _write(path: str, data: bytes) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + ".tmp", "wb") as f:
        f.write(data)
    os.replace(path + ".tmp", path)


class Fetcher:
    def __init__(self, root: str, base_url: str, log=print, offline: bool = False) -> None:
        self.root, self.base, self.log = root, base_url, log
        self.downloads = 0
        self.offline = offline      # use only the cache: a missing file is an error

    def _get(self, rel: str, dest: str, sha256: str | None) -> None:
        if self.offline and not (os.path.exists(dest) and
                                 (sha256 is None or debian.sha256_file(dest) == sha256)):
            raise debian.FetchError(f"{os.path.basename(dest)} is not in the cache")
        if debian.download(f"{self.base}/{rel}", dest, sha256, self.log):
            self.downloads += 1

    def index(self, refresh: bool) -> dict[str, list[debian.Package]]:
        rel = f"dists/{debian.SUITE}/main/binary-{debian.ARCH}/Packages.xz"
        dest = os.path.join(self.root, "index", f"{debian.SUITE}-main-{debian.ARCH}-Packages.xz")
        if refresh or not os.path.exists(dest):
            expected = None
            inrel = os.path.join(self.root, "index", f"{debian.SUITE}-InRelease")
            try:
                self._get(f"dists/{debian.SUITE}/InRelease", inrel + ".new", None)
                with open(inrel + ".new", encoding="utf-8", errors="replace") as f:
                    expected = debian.inrelease_sha256(f.read(), rel.split("/", 2)[2])
                os.replace(inrel + ".new", inrel)
            except debian.FetchError as e:
                self.log(f"note: no InRelease ({e}); the index's hash is not checked")
            if os.path.exists(dest):
                os.unlink(dest)
            self._get(rel, dest + ".new", None)
            got = debian.sha256_file(dest + ".new")
            if expected and got != expected[0]:
                # Mirrors behind a CDN can serve an index a sync newer than InRelease; each
                # .deb is still checked against the index it came from.
                self.log(f"warning: Packages.xz sha256 {got[:16]}... differs from InRelease's "
                         f"{expected[0][:16]}... (mirror mid-sync?)")
            os.replace(dest + ".new", dest)
        try:
            with lzma.open(dest, "rt", encoding="utf-8", errors="replace") as f:
                return debian.parse_packages(f.read())
        except (lzma.LZMAError, EOFError, OSError) as e:
            os.unlink(dest)
            raise debian.FetchError(f"corrupt Packages index ({e}); run again") from None

    def deb(self, pkgs: dict[str, list[debian.Package]], name: str) -> tuple[debian.Package, str]:
        if name not in pkgs:
            raise debian.FetchError(f"package {name} is not in {debian.SUITE}'s "
                                    f"{debian.ARCH} index")
        p = pkgs[name][-1]
        return p, self.package_deb(p)

    def package_deb(self, p: debian.Package) -> str:
        """The package's .deb in the cache (downloaded and checked against the index)."""
        dest = os.path.join(self.root, "debs", os.path.basename(p.filename))
        self._get(p.filename, dest, p.sha256)
        return dest


def kernel_package(pkgs: dict[str, list[debian.Package]]) -> str:
    """The versioned image package the linux-image-riscv64 metapackage depends on."""
    if KERNEL_META not in pkgs:
        raise debian.FetchError(f"no {KERNEL_META} in the index")
    dep = pkgs[KERNEL_META][-1].depends.split(",")[0].split("|")[0]
    name = dep.split("(")[0].strip()
    if not re.fullmatch(r"linux-image-6\.12\.[\w.+-]+-riscv64", name):
        raise debian.FetchError(f"{KERNEL_META} depends on '{name}', not a 6.12 kernel")
    return name


def qemu_files(f: Fetcher, pkgs: dict[str, list[debian.Package]]
               ) -> tuple[shlibs.FileTree, dict[str, str]]:
    """QEMU and the shared objects of Debian's QEMU package and its whole dependency closure
    (resolved from the index), and each closure package's version."""
    name = next((n for n in QEMU_PACKAGES if n in pkgs), None)
    if name is None:
        raise debian.FetchError(f"none of {', '.join(QEMU_PACKAGES)} is in the index")
    try:
        needed = debpkg.closure(debpkg.PackageIndex(pkgs), [name])
    except debpkg.ResolveError as e:
        raise debian.FetchError(f"{name}'s dependencies: {e}") from None
    tree = shlibs.FileTree()
    versions = {}
    for p in needed:
        tree.add(*debian.deb_contents(f.package_deb(p), kvmhost.unpacked))
        versions[p.name] = p.version
    return tree, versions


def build_all(root: str, base_url: str, refresh: bool = False, log=print,
              offline: bool = False) -> dict:
    f = Fetcher(root, base_url, log, offline)
    pkgs = f.index(refresh)
    images: dict[str, dict] = {}
    packages: dict[str, str] = {}

    def put(key: str, rel: str, data: bytes) -> None:
        path = os.path.join(root, rel)
        _write(path, data)
        images[key] = {"path": path, "size": len(data),
                       "sha256": __import__("hashlib").sha256(data).hexdigest()}

    # OpenSBI (Architecture: all, listed in the riscv64 index too).
    p, deb = f.deb(pkgs, "opensbi")
    packages["opensbi"] = p.version
    files = debian.deb_extract(deb, lambda n: n in (OPENSBI_DIR + "fw_dynamic.bin",
                                                    OPENSBI_DIR + "fw_dynamic.elf"))
    for name in ("fw_dynamic.bin", "fw_dynamic.elf"):
        if OPENSBI_DIR + name not in files:
            raise debian.FetchError(f"opensbi {p.version} has no {OPENSBI_DIR}{name}")
        put(name, f"opensbi/{name}", files[OPENSBI_DIR + name])

    # busybox-static.
    p, deb = f.deb(pkgs, "busybox-static")
    packages["busybox-static"] = p.version
    files = debian.deb_extract(deb, lambda n: n in ("bin/busybox", "usr/bin/busybox"))
    if not files:
        raise debian.FetchError(f"busybox-static {p.version} has no bin/busybox")
    busybox = next(iter(files.values()))

    # The kernel Image and its modules.
    kname = kernel_package(pkgs)
    p, deb = f.deb(pkgs, kname)
    packages[kname] = p.version
    kver = kname[len("linux-image-"):]
    kpath = f"boot/vmlinux-{kver}"
    mods_dir = f"usr/lib/modules/{kver}/"
    log(f"unpacking {os.path.basename(deb)}")
    files = debian.deb_extract(deb, lambda n: n == kpath or (n.startswith(mods_dir + "kernel/")
                                                             and ".ko" in n))
    if kpath not in files:
        raise debian.FetchError(f"{kname} has no {kpath}")
    put("kernel", f"linux/Image-{kver}", files.pop(kpath))
    by_name = {kmod.module_name(n): n for n in files}
    deps: dict[str, list[str]] = {}
    kos: dict[str, bytes] = {}
    todo = list(WANTED_MODULES)
    while todo:
        m = todo.pop()
        if m in deps:
            continue
        if m not in by_name:
            raise debian.FetchError(f"{kname} has no module {m}")
        kos[m] = kmod.decompress_module(by_name[m], files[by_name[m]])
        deps[m] = kmod.depends(kos[m])
        todo += deps[m]
    order = kmod.load_order(WANTED_MODULES, deps)
    relpath = {m: re.sub(r"\.(xz|zst|gz)$", "", by_name[m][len(mods_dir):]) for m in order}
    dep_text = kmod.modules_dep(order, deps, relpath)
    put("initramfs", "initramfs.cpio.gz",
        initramfs.build(busybox, kver, kos, order, relpath, dep_text))

    # The KVM host: Debian's QEMU as the guests' VMM, the same kernel as theirs.
    log("resolving QEMU's dependencies for the KVM host initramfs")
    tree, qemu_versions = qemu_files(f, pkgs)
    with open(images["kernel"]["path"], "rb") as kf:
        kernel = kf.read()
    try:
        kvm_image = kvmhost.build(busybox, kver, kos["kvm"], kernel, tree)
    except shlibs.MissingLibrary as e:
        raise debian.FetchError(f"KVM host initramfs: {e}") from None
    put("kvm-initramfs", "kvm-initramfs.cpio.zst", kvm_image)
    manifest = {"version": MANIFEST_VERSION, "mirror": base_url, "suite": debian.SUITE,
                "packages": packages, "kernel_version": kver, "modules": order,
                "initramfs_recipe": initramfs.recipe(), "kvm_packages": qemu_versions,
                "kvm_initramfs_recipe": kvmhost.recipe(), "images": images}
    _write(os.path.join(root, MANIFEST), json.dumps(manifest, indent=1).encode())
    return manifest


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m rvjit.images", description=__doc__)
    ap.add_argument("--force", action="store_true", help="rebuild even if the cache is complete")
    ap.add_argument("--refresh", action="store_true", help="fetch the Packages index again")
    args = ap.parse_args(argv)
    root = cache_dir()
    manifest = None if (args.force or args.refresh) else load_manifest(root)
    rebuilt = False
    if manifest is not None and (manifest.get("initramfs_recipe") != initramfs.recipe() or
                                 manifest.get("kvm_initramfs_recipe") != kvmhost.recipe() or
                                 set(WANTED_MODULES) - set(manifest.get("modules", []))):
        # The initramfs generator changed: rebuild from the cached index and .debs only.
        print("the initramfs generator changed: rebuilding it from the cache")
        try:
            manifest = build_all(root, manifest.get("mirror", ""), offline=True)
            rebuilt = True
        except debian.FetchError as e:
            print(f"rvjit.images: {e}; rebuilding with downloads", file=sys.stderr)
            manifest = None
    if manifest is None:
        try:
            base = mirror.debian_mirror()
            manifest = build_all(root, base, refresh=args.refresh)
        except (mirror.MirrorError, debian.FetchError) as e:
            print(f"rvjit.images: {e}", file=sys.stderr)
            return 1
        except OSError as e:
            print(f"rvjit.images: {e.filename or ''}: {e.strerror}", file=sys.stderr)
            return 1
    elif not rebuilt:
        print(f"cached in {root} (nothing to download; --force to rebuild)")
    for key, item in manifest["images"].items():
        print(f"{key:16} {item['path']}")
    print(f"modules in the initramfs: {' '.join(manifest['modules'])}")
    return 0
