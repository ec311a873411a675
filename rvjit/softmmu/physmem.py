"""Guest physical memory: RAM and ROM regions backed by host buffers (shared with the native
runtime, which reads and writes them directly) and the MMIO map of device models."""
from __future__ import annotations

import mmap
from dataclasses import dataclass
from typing import Protocol


class Device(Protocol):
    def read(self, offset: int, size: int) -> int: ...
    def write(self, offset: int, size: int, value: int) -> None: ...


@dataclass(eq=False)
class RamRegion:
    name: str
    base: int
    size: int
    buf: mmap.mmap


@dataclass(eq=False)
class MmioRegion:
    name: str
    base: int
    size: int
    device: Device


class GuestMemory:
    def __init__(self, ffi, lib, rt) -> None:
        self.ffi, self.lib, self.rt = ffi, lib, rt
        self.ram: list[RamRegion] = []
        self.mmio: list[MmioRegion] = []
        self._keep: list[object] = []

    def add_ram(self, name: str, base: int, size: int) -> RamRegion:
        buf = mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
        ptr = self.ffi.from_buffer("uint8_t[]", buf)
        self._keep.append(ptr)
        if self.lib.rt_add_ram(self.rt, base, size, ptr) != 0:
            raise RuntimeError("too many RAM regions")
        r = RamRegion(name, base, size, buf)
        self.ram.append(r)
        return r

    def add_mmio(self, name: str, base: int, size: int, device: Device) -> None:
        self.mmio.append(MmioRegion(name, base, size, device))
        self.mmio.sort(key=lambda m: m.base)

    def find_ram(self, paddr: int, size: int = 1) -> RamRegion | None:
        for r in self.ram:
            if r.base <= paddr and paddr + size <= r.base + r.size:
                return r
        return None

    def find_mmio(self, paddr: int) -> MmioRegion | None:
        for m in self.mmio:
            if m.base <= paddr < m.base + m.size:
                return m
        return None

    # -- host-side access (loaders, the translator) ------------------------------------------
    def read_bytes(self, paddr: int, n: int) -> bytes:
        r = self.find_ram(paddr, n)
        if r is None:
            return b""
        off = paddr - r.base
        return r.buf[off:off + n]

    def read16(self, paddr: int) -> int:
        r = self.find_ram(paddr, 2)
        if r is None:
            return 0
        off = paddr - r.base
        return r.buf[off] | (r.buf[off + 1] << 8)

    def write_bytes(self, paddr: int, data: bytes) -> None:
        r = self.find_ram(paddr, len(data))
        if r is None:
            raise ValueError(f"[{paddr:#x}, {paddr + len(data):#x}) is not in guest RAM")
        off = paddr - r.base
        r.buf[off:off + len(data)] = data
        # Code pages written behind the TLB's back are compared at the next FENCE.I.
        self.lib.rt_ram_written(self.rt, paddr, len(data))
