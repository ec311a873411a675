"""Guest block -> IR: the translation loop and the context `trans_` functions work in."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rvjit.cpu.causes import Exc
from rvjit.cpu.state import (
    PAGE_SIZE,
    TBFLAG_MMU_MASK,
    TBFLAG_MMU_SHIFT,
    TBFLAG_PRIV_MASK,
    TBFLAG_VIRT,
)
from rvjit.frontend.decoder import Decoder, default_decoder
from rvjit.ir.builder import IRBuilder
from rvjit.ir.ops import Insn, Op, Operand

MAX_BLOCK_INSNS = 128


class FetchFault(Exception):
    """Instruction fetch at `vaddr` faulted with `cause` (raised by the fetch callback)."""

    def __init__(self, cause: int, vaddr: int) -> None:
        super().__init__(cause, vaddr)
        self.cause = cause
        self.vaddr = vaddr


# fetch(vaddr) -> 16-bit parcel at vaddr; raises FetchFault.
Fetch = Callable[[int], int]


class DisasContext:
    """What a `trans_` function sees: the instruction, the frozen TB flags, the IR builder."""

    __slots__ = ("b", "pc", "next_pc", "insn", "ilen", "icount", "flags", "ended")

    def __init__(self, b: IRBuilder, flags: int) -> None:
        self.b = b
        self.flags = flags
        self.pc = self.next_pc = self.insn = self.ilen = self.icount = 0
        self.ended = False

    @property
    def priv(self) -> int:
        return self.flags & TBFLAG_PRIV_MASK

    @property
    def virt(self) -> bool:
        return bool(self.flags & TBFLAG_VIRT)

    @property
    def mmu_idx(self) -> int:
        return (self.flags & TBFLAG_MMU_MASK) >> TBFLAG_MMU_SHIFT

    # -- common emitters used by trans_ functions --------------------------------------------
    def load(self, addr: Operand, size: int, signed: bool) -> Operand:
        return self.b.ld(addr, size, signed, self.pc, self.icount)

    def store(self, addr: Operand, val: Operand, size: int) -> None:
        self.b.st(addr, val, size, self.pc, self.icount)

    def call(self, helper: str, *args: Operand) -> Operand:
        return self.b.call(helper, *args, pc=self.pc, icount=self.icount)

    def end_block(self, next_pc: Operand | None = None) -> None:
        """Leave the block after this instruction, at next_pc (default: the fall-through)."""
        self.b.exit(self.next_pc if next_pc is None else next_pc, self.icount + 1)
        self.ended = True

    def raise_exc(self, cause: int, tval: int = 0) -> bool:
        """This instruction traps: the helper never returns normally."""
        self.b.call("raise", int(cause), tval, pc=self.pc, icount=self.icount)
        self.b.exit(self.pc, self.icount)
        self.ended = True
        return True

    def illegal(self) -> bool:
        return self.raise_exc(Exc.ILLEGAL_INSN, self.insn)


@dataclass(frozen=True, slots=True)
class BlockIR:
    pc: int
    flags: int
    insns: list[Insn]
    ntemps: int
    ninsns: int            # guest instructions in the block
    size: int              # bytes of guest code
    guest_bytes: bytes     # the code translated (for the persistent cache key)
    successors: tuple[int, ...]   # constant exit targets


def translate_block(fetch: Fetch, pc: int, flags: int, decoder: Decoder | None = None,
                    max_insns: int = MAX_BLOCK_INSNS) -> BlockIR:
    """Translate the block at `pc`.  A fetch fault on the first instruction (either half) is
    raised as FetchFault; a later instruction that cannot be fetched ends the block before it
    (so the fault is taken only if execution reaches it)."""
    dec = decoder or default_decoder()
    b = IRBuilder()
    ctx = DisasContext(b, flags)
    code = bytearray()
    cur = pc
    while True:
        ctx.pc = cur
        try:
            lo = fetch(cur)
            if lo & 3 == 3:
                # A 32-bit instruction may straddle a page: only the first may do so, so that a
                # block covers one page and the fault stays with its own instruction.
                if (cur + 2) % PAGE_SIZE == 0 and ctx.icount:
                    b.exit(cur, ctx.icount)
                    break
                hi = fetch(cur + 2)
                insn, ilen = lo | (hi << 16), 4
            else:
                insn, ilen = lo, 2
        except FetchFault:
            if ctx.icount == 0:
                raise       # the block's first instruction cannot be fetched: the caller traps
            b.exit(cur, ctx.icount)
            break
        ctx.insn, ctx.ilen, ctx.next_pc = insn, ilen, (cur + ilen) & 0xFFFF_FFFF_FFFF_FFFF
        code += insn.to_bytes(ilen, "little")
        d = dec.decode(insn)
        if d is None or not d[2](ctx, d[1]):
            ctx.illegal()
        if ctx.ended:
            ctx.icount += 1
            break
        ctx.icount += 1
        cur = ctx.next_pc
        if ctx.icount >= max_insns or cur % PAGE_SIZE == 0:
            b.exit(cur, ctx.icount)
            break
    exit_op = Op.EXIT
    succ = tuple(sorted({i.args[0] for i in b.insns
                         if i.op is exit_op and isinstance(i.args[0], int)}))
    return BlockIR(pc, flags, b.insns, b.ntemps, ctx.icount, len(code), bytes(code), succ)
