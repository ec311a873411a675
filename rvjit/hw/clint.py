"""The CLINT of QEMU virt at 0x2000000, as ACLINT devices: MSWI (msip per hart at 0x0) and
MTIMER (mtimecmp per hart at 0x4000, mtime at 0xbff8), 10 MHz.

mtime comes from the native runtime (host time or, in the deterministic `-icount` mode,
instructions retired), so the time CSR and this device agree.  mtimecmp lives in each hart's
CPUState: the native run loop compares it with mtime and drives MTIP (privileged spec 3.2.1),
and msip drives the hart's MSI line."""
from __future__ import annotations

from rvjit.cpu.causes import Irq

MSIP_BASE = 0x0
MTIMECMP_BASE = 0x4000
MTIME = 0xBFF8
TIMEBASE_HZ = 10_000_000
NEVER = 0xFFFF_FFFF_FFFF_FFFF


def _merge(old: int, value: int, sub: int, size: int) -> int:
    mask = ((1 << (8 * size)) - 1) << (8 * sub)
    return (old & ~mask) | ((value << (8 * sub)) & mask)


class Clint:
    def __init__(self, lib, harts: list) -> None:
        self.lib = lib
        self.harts = harts

    def mtime(self) -> int:
        return self.lib.rt_mtime(self.harts[0].cpu)

    def update(self) -> None:
        """Recompute MTIP (and Sstc's STIP) of every hart now (the run loop also does)."""
        for h in self.harts:
            self.lib.rt_timer_update(h.cpu)

    def next_deadline(self) -> int | None:
        """mtime ticks until the earliest armed timer (mtimecmp or stimecmp), or None."""
        now = self.mtime()
        pend = [self.lib.rt_timer_deadline(h.cpu) for h in self.harts]
        pend = [d for d in pend if now < d != NEVER]     # a past deadline wakes no one again
        if not pend:
            return None
        return min(pend) - now

    def read(self, offset: int, size: int) -> int:
        if MSIP_BASE <= offset < MSIP_BASE + 4 * len(self.harts):
            h = self.harts[(offset - MSIP_BASE) // 4]
            return (h.cpu.irq_lines >> Irq.MSI) & 1 if offset % 4 == 0 else 0
        if MTIMECMP_BASE <= offset < MTIMECMP_BASE + 8 * len(self.harts):
            i, sub = divmod(offset - MTIMECMP_BASE, 8)
            return (self.harts[i].cpu.mtimecmp >> (8 * sub)) & ((1 << (8 * size)) - 1)
        if MTIME <= offset < MTIME + 8:
            return (self.mtime() >> (8 * (offset - MTIME))) & ((1 << (8 * size)) - 1)
        return 0

    def write(self, offset: int, size: int, value: int) -> None:
        if MSIP_BASE <= offset < MSIP_BASE + 4 * len(self.harts):
            if offset % 4 == 0:
                h = self.harts[(offset - MSIP_BASE) // 4]
                self.lib.rt_set_irq_line(h.cpu, Irq.MSI, value & 1)
        elif MTIMECMP_BASE <= offset < MTIMECMP_BASE + 8 * len(self.harts):
            i, sub = divmod(offset - MTIMECMP_BASE, 8)
            cpu = self.harts[i].cpu
            cpu.mtimecmp = _merge(cpu.mtimecmp, value, sub, size)
            self.lib.rt_timer_update(cpu)
        # mtime is read-only here (QEMU ignores writes to it as well).
