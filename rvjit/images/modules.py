"""Kernel modules for the initramfs: which .ko files a wanted set needs, and in what order.

Debian's linux-image package ships no modules.dep (its postinst runs depmod), so the
dependencies come from where depmod's own list starts: the `depends=` field modpost writes into
each module's .modinfo section."""
from __future__ import annotations

import io
import lzma
import posixpath

from elftools.elf.elffile import ELFFile


def decompress_module(path: str, data: bytes) -> bytes:
    if path.endswith(".xz"):
        return lzma.decompress(data)
    if path.endswith(".zst"):
        import zstandard
        return zstandard.ZstdDecompressor().decompressobj().decompress(data)
    if path.endswith(".gz"):
        import gzip
        return gzip.decompress(data)
    return data


def module_name(path: str) -> str:
    """kernel/drivers/virtio/virtio_mmio.ko.xz -> virtio_mmio (dashes count as underscores)."""
    base = posixpath.basename(path)
    return base.split(".ko", 1)[0].replace("-", "_")


def modinfo(ko: bytes) -> dict[str, str]:
    elf = ELFFile(io.BytesIO(ko))
    sec = elf.get_section_by_name(".modinfo")
    out: dict[str, str] = {}
    if sec is None:
        return out
    for item in sec.data().split(b"\0"):
        k, sep, v = item.decode("utf-8", "replace").partition("=")
        if sep and k not in out:
            out[k] = v
    return out


def depends(ko: bytes) -> list[str]:
    return [d.replace("-", "_") for d in modinfo(ko).get("depends", "").split(",") if d]


def load_order(wanted: list[str], deps: dict[str, list[str]]) -> list[str]:
    """Every module `wanted` needs, dependencies before dependents (a depth-first topological
    order that keeps `wanted`'s order where it can)."""
    order: list[str] = []
    state: dict[str, int] = {}          # 1: visiting, 2: done

    def visit(m: str, chain: tuple[str, ...]) -> None:
        if state.get(m) == 2:
            return
        if state.get(m) == 1:
            raise ValueError("module dependency cycle: " + " -> ".join((*chain, m)))
        if m not in deps:
            raise KeyError(m)
        state[m] = 1
        for d in deps[m]:
            visit(d, (*chain, m))
        state[m] = 2
        order.append(m)

    for w in wanted:
        visit(w.replace("-", "_"), ())
    return order


def modules_dep(order: list[str], deps: dict[str, list[str]], relpath: dict[str, str]) -> str:
    """A modules.dep in depmod's format: `path: dep...`, dependencies that load last first."""
    lines = []
    for m in order:
        closure = [x for x in load_order([m], deps) if x != m]
        lines.append(f"{relpath[m]}: " + " ".join(relpath[x] for x in reversed(closure)))
    return "".join(line.rstrip() + "\n" for line in lines)
