"""The CLINT (ACLINT MSWI + MTIMER) of QEMU virt at 0x2000000: msip per hart at 0x0, mtimecmp
per hart at 0x4000, mtime at 0xbff8, 10 MHz.  mtime comes from the native runtime (host time
or, in the deterministic mode, instructions retired), so the time CSR and this device agree."""
from __future__ import annotations

from rvjit.cpu.causes import Irq

MSIP_BASE = 0x0
MTIMECMP_BASE = 0x4000
MTIME = 0xBFF8
TIMEBASE_HZ = 10_000_000


class Clint:
    def __init__(self, lib, harts: list) -> None:
        self.lib = lib
        self.harts = harts
        self.mtimecmp = [0xFFFF_FFFF_FFFF_FFFF] * len(harts)

    def mtime(self) -> int:
        return self.lib.rt_mtime(self.harts[0].cpu)

    def update(self) -> None:
        """Recompute MTIP of every hart from mtime and its mtimecmp (privileged spec 3.2.1)."""
        now = self.mtime()
        bit = 1 << Irq.MTI
        for h, cmp in zip(self.harts, self.mtimecmp):
            if now >= cmp:
                h.cpu.mip |= bit
            else:
                h.cpu.mip &= ~bit

    def next_deadline(self) -> int | None:
        """mtime ticks until the earliest timer interrupt, or None."""
        pend = [c for c in self.mtimecmp if c != 0xFFFF_FFFF_FFFF_FFFF]
        if not pend:
            return None
        return max(0, min(pend) - self.mtime())

    def read(self, offset: int, size: int) -> int:
        if MSIP_BASE <= offset < MSIP_BASE + 4 * len(self.harts):
            h = self.harts[(offset - MSIP_BASE) // 4]
            return (h.cpu.mip >> Irq.MSI) & 1
        if MTIMECMP_BASE <= offset < MTIMECMP_BASE + 8 * len(self.harts):
            i, sub = divmod(offset - MTIMECMP_BASE, 8)
            return (self.mtimecmp[i] >> (8 * sub)) & ((1 << (8 * size)) - 1)
        if MTIME <= offset < MTIME + 8:
            return (self.mtime() >> (8 * (offset - MTIME))) & ((1 << (8 * size)) - 1)
        return 0

    def write(self, offset: int, size: int, value: int) -> None:
        if MSIP_BASE <= offset < MSIP_BASE + 4 * len(self.harts):
            h = self.harts[(offset - MSIP_BASE) // 4]
            if value & 1:
                h.cpu.mip |= 1 << Irq.MSI
            else:
                h.cpu.mip &= ~(1 << Irq.MSI)
        elif MTIMECMP_BASE <= offset < MTIMECMP_BASE + 8 * len(self.harts):
            i, sub = divmod(offset - MTIMECMP_BASE, 8)
            mask = ((1 << (8 * size)) - 1) << (8 * sub)
            self.mtimecmp[i] = (self.mtimecmp[i] & ~mask) | ((value << (8 * sub)) & mask)
            self.update()
        # mtime is read-only here (QEMU ignores writes to it as well).
