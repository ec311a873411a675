"""The PLIC of QEMU virt at 0xc000000 (SiFive layout, RISC-V PLIC spec 1.0.0): 96 interrupt
sources (1..95; 0 means "none"), priorities 0..7, and two contexts per hart, M then S, that
drive the hart's MEIP and SEIP lines.

Register map: priority[src] at 0x0 + 4*src; pending bits at 0x1000; enable bits of context c
at 0x2000 + 0x80*c; threshold of context c at 0x200000 + 0x1000*c and claim/complete at +4.
Sources are level-triggered through a gateway: a high line makes the source pending (it stays
pending if the line drops); a claim clears pending and holds the source until its completion;
a completed source whose line is still high becomes pending again."""
from __future__ import annotations

from rvjit.cpu.causes import Irq

NUM_SOURCES = 96
PRIORITY_MASK = 7
PRIORITY_BASE = 0x0
PENDING_BASE = 0x1000
ENABLE_BASE = 0x2000
ENABLE_STRIDE = 0x80
CONTEXT_BASE = 0x200000
CONTEXT_STRIDE = 0x1000
NWORDS = (NUM_SOURCES + 31) // 32


def plic_size(nharts: int) -> int:
    return CONTEXT_BASE + 2 * nharts * CONTEXT_STRIDE


class Plic:
    def __init__(self, lib, harts: list) -> None:
        self.lib = lib
        self.harts = harts
        self.reset()

    def reset(self) -> None:
        """The power-on state: every priority, enable and threshold 0, nothing pending or
        claimed (the harts' MEIP/SEIP lines are cleared with the harts' own reset)."""
        n = 2 * len(self.harts)
        self.priority = [0] * NUM_SOURCES
        self.level = [False] * NUM_SOURCES
        self.pending = 0            # bit per source
        self.claimed = 0
        self.enable = [0] * n       # bit per source, per context
        self.threshold = [0] * n
        self._lines = [None] * n

    # -- device side ---------------------------------------------------------------------
    def set_irq(self, src: int, level: bool) -> None:
        """A device's interrupt line (source 1..95) changed level."""
        level = bool(level)
        self.level[src] = level
        bit = 1 << src
        # The gateway forwards a request while the line is high and the source is not being
        # handled; a pending request stays pending until claimed (PLIC spec, "Interrupt
        # Gateways"), as in QEMU.
        if level and not self.claimed & bit:
            self.pending |= bit
            self._update()

    # -- contexts ------------------------------------------------------------------------
    def _best(self, ctx: int) -> int:
        """The pending, enabled, unclaimed source of highest priority above the threshold
        (ties: the lowest id), or 0."""
        cand = self.pending & self.enable[ctx] & ~self.claimed
        best, best_prio = 0, self.threshold[ctx]
        while cand:
            low = cand & -cand
            src = low.bit_length() - 1
            if self.priority[src] > best_prio:
                best, best_prio = src, self.priority[src]
            cand ^= low
        return best

    def _update(self) -> None:
        for ctx in range(len(self.enable)):
            level = self._best(ctx) != 0
            if self._lines[ctx] is level:
                continue
            self._lines[ctx] = level
            hart = self.harts[ctx // 2]
            irq = Irq.MEI if ctx % 2 == 0 else Irq.SEI
            self.lib.rt_set_irq_line(hart.cpu, irq, int(level))

    def _claim(self, ctx: int) -> int:
        src = self._best(ctx)
        if src:
            self.pending &= ~(1 << src)
            self.claimed |= 1 << src
            self._update()
        return src

    def _complete(self, ctx: int, src: int) -> None:
        bit = 1 << src
        if 0 < src < NUM_SOURCES and self.enable[ctx] & bit and self.claimed & bit:
            self.claimed &= ~bit
            if self.level[src]:
                self.pending |= bit
            self._update()

    # -- MMIO ----------------------------------------------------------------------------
    def read(self, offset: int, size: int) -> int:
        if size != 4:
            return 0
        nctx = len(self.enable)
        if PRIORITY_BASE <= offset < PRIORITY_BASE + 4 * NUM_SOURCES:
            return self.priority[(offset - PRIORITY_BASE) // 4]
        if PENDING_BASE <= offset < PENDING_BASE + 4 * NWORDS:
            word = (offset - PENDING_BASE) // 4
            return (self.pending >> (32 * word)) & 0xFFFF_FFFF
        if ENABLE_BASE <= offset < ENABLE_BASE + ENABLE_STRIDE * nctx:
            ctx, off = divmod(offset - ENABLE_BASE, ENABLE_STRIDE)
            if off < 4 * NWORDS:
                return (self.enable[ctx] >> (32 * (off // 4))) & 0xFFFF_FFFF
            return 0
        if CONTEXT_BASE <= offset < CONTEXT_BASE + CONTEXT_STRIDE * nctx:
            ctx, off = divmod(offset - CONTEXT_BASE, CONTEXT_STRIDE)
            if off == 0:
                return self.threshold[ctx]
            if off == 4:
                return self._claim(ctx)
        return 0

    def write(self, offset: int, size: int, value: int) -> None:
        if size != 4:
            return
        value &= 0xFFFF_FFFF
        nctx = len(self.enable)
        if PRIORITY_BASE <= offset < PRIORITY_BASE + 4 * NUM_SOURCES:
            src = (offset - PRIORITY_BASE) // 4
            if src:
                self.priority[src] = value & PRIORITY_MASK
                self._update()
        elif ENABLE_BASE <= offset < ENABLE_BASE + ENABLE_STRIDE * nctx:
            ctx, off = divmod(offset - ENABLE_BASE, ENABLE_STRIDE)
            if off < 4 * NWORDS:
                shift = 32 * (off // 4)
                v = value & ~1 if shift == 0 else value     # source 0 does not exist
                mask = 0xFFFF_FFFF << shift
                self.enable[ctx] = (self.enable[ctx] & ~mask) | (v << shift)
                self._update()
        elif CONTEXT_BASE <= offset < CONTEXT_BASE + CONTEXT_STRIDE * nctx:
            ctx, off = divmod(offset - CONTEXT_BASE, CONTEXT_STRIDE)
            if off == 0:
                self.threshold[ctx] = value & PRIORITY_MASK
                self._update()
            elif off == 4:
                self._complete(ctx, value)
        # Pending bits are read-only.
