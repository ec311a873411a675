"""Guest block -> IR: the translation loop and the context `trans_` functions work in."""
from __future__ import annotations

import sys
from collections.abc import Callable

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
from rvjit.ir.ops import Insn, Operand

MAX_BLOCK_INSNS = 128


class FetchFault(Exception):
    """Instruction fetch at `vaddr` faulted with `cause` (raised by the fetch callback)."""

    def __init__(self, cause: int, vaddr: int) -> None:
        super().__init__(cause, vaddr)
        self.cause = cause
        self.vaddr = vaddr


# fetch(vaddr) -> the PAGE_SIZE bytes of the page holding vaddr, as instruction fetch sees them;
# raises FetchFault if fetching at vaddr faults.
Fetch = Callable[[int], bytes]

_MISS = object()

# run_translators reads instruction parcels as native 16-bit words.
assert sys.byteorder == "little", "rvjit's translator assumes a little-endian host"


class DisasContext:
    """What a `trans_` function sees: the instruction, the frozen TB flags, the IR builder."""

    __slots__ = ("b", "pc", "next_pc", "insn", "icount", "flags", "ended")

    def __init__(self, b: IRBuilder, flags: int) -> None:
        self.b = b
        self.flags = flags
        self.pc = self.next_pc = self.insn = self.icount = 0
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


class BlockIR:
    """One translated block.  A plain slotted class made once per translation (a frozen
    dataclass's __init__ cost a tenth of a block's translation); treat it as immutable.  Equality
    is by value and pickles are those of the frozen dataclass it was (state = the field list)."""

    __slots__ = ("pc", "flags", "insns", "ntemps", "ninsns", "size", "guest_bytes",
                 "successors")
    pc: int
    flags: int
    insns: list[Insn]
    ntemps: int
    ninsns: int            # guest instructions in the block
    size: int              # bytes of guest code
    guest_bytes: bytes     # the code translated (for the persistent cache key)
    successors: tuple[int, ...]   # constant exit targets

    def __init__(self, pc: int, flags: int, insns: list[Insn], ntemps: int, ninsns: int,
                 size: int, guest_bytes: bytes, successors: tuple[int, ...]) -> None:
        self.pc = pc
        self.flags = flags
        self.insns = insns
        self.ntemps = ntemps
        self.ninsns = ninsns
        self.size = size
        self.guest_bytes = guest_bytes
        self.successors = successors

    def __getstate__(self) -> list:
        return [self.pc, self.flags, self.insns, self.ntemps, self.ninsns, self.size,
                self.guest_bytes, self.successors]

    def __setstate__(self, state: list) -> None:
        (self.pc, self.flags, self.insns, self.ntemps, self.ninsns, self.size,
         self.guest_bytes, self.successors) = state

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return self.__getstate__() == other.__getstate__()
        return NotImplemented

    __hash__ = None     # type: ignore[assignment]   (it holds a list, as the dataclass did)

    def __repr__(self) -> str:
        return (f"BlockIR(pc={self.pc:#x}, flags={self.flags:#x}, {len(self.insns)} insns, "
                f"ntemps={self.ntemps}, ninsns={self.ninsns}, size={self.size})")


def translate_block(fetch: Fetch, pc: int, flags: int, decoder: Decoder | None = None,
                    max_insns: int = MAX_BLOCK_INSNS) -> BlockIR:
    """Translate the block at `pc`.  A fetch fault on the first instruction (either half) is
    raised as FetchFault.  A block stays in the page of its first instruction, so that fetching
    it translates one page (two when its first instruction straddles a page boundary, in which
    case the block goes on in the second page); a later instruction that would straddle ends the
    block before it, so that its fault stays with it."""
    b = IRBuilder()
    icount, code = run_translators(b, fetch, pc, flags, decoder, max_insns)
    exits = b.exits
    succ = tuple(exits) if len(exits) < 2 else tuple(sorted(set(exits)))
    return BlockIR(pc, flags, b.insns, b.ntemps, icount, len(code), code, succ)


def run_translators(b, fetch: Fetch, pc: int, flags: int, decoder: Decoder | None = None,
                    max_insns: int = MAX_BLOCK_INSNS) -> tuple[int, bytes]:
    """translate_block's loop, driving `b` (an IRBuilder, or anything with its methods: the
    interpreter tier's encoder builds records from the same calls, backend/interp_encode.py):
    (the number of guest instructions, their bytes)."""
    dec = decoder or default_decoder()
    cached = dec.cache.get
    decode = dec.decode
    ctx = DisasContext(b, flags)
    page = fetch(pc)            # FetchFault here: the caller traps
    off = start = pc & (PAGE_SIZE - 1)
    head = b""                  # the first instruction's bytes in the previous page (straddle)
    half = memoryview(page).cast("H")      # the page's 16-bit parcels (a little-endian host)
    cur = pc
    icount = 0
    while True:
        ctx.pc = cur
        insn = half[off >> 1]
        if insn & 3 != 3:
            ilen = 2
        elif off + 4 <= PAGE_SIZE:
            insn |= half[(off >> 1) + 1] << 16
            ilen = 4
        elif icount:
            b.exit(cur, icount)
            break
        else:
            # A first instruction straddling the page: its high half is in the next page, where
            # the block goes on.
            head = page[off:]
            page = fetch(cur + 2)
            half = memoryview(page).cast("H")
            insn |= half[0] << 16
            ilen = 4
            off = start = -2
        ctx.insn = insn
        ctx.icount = icount
        ctx.next_pc = nxt = (cur + ilen) & 0xFFFF_FFFF_FFFF_FFFF
        off += ilen
        d = cached(insn, _MISS)
        if d is _MISS:
            d = decode(insn)
        if d is None or not d[2](ctx, d[1]):
            ctx.illegal()
        icount += 1
        if ctx.ended:
            break
        cur = nxt
        if icount >= max_insns or off == PAGE_SIZE:
            b.exit(cur, icount)
            break
    ctx.icount = icount
    return icount, head + page[max(start, 0):off]
