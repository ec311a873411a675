"""What a region is made from, in the form the compile worker receives it.

A block's IR is a function of its pc, its flags and its guest bytes (exec/xlate_cache.py), so a
member block usually travels as those (a `FromBytes`) and whoever compiles the region (the
worker, or this process when compiling synchronously) translates it again: the emulator pays
neither for the translation nor for serialising the IR.  A block whose IR cannot be made from
its bytes alone (it was translated from a live fetch that read beyond them, or built by a
test) travels as its IR, in the compact form of encode_block."""
from __future__ import annotations

from typing import NamedTuple

from rvjit.cpu.state import PAGE_SIZE
from rvjit.frontend.translate import BlockIR, FetchFault, translate_block
from rvjit.ir.ops import Insn, Op, Tmp

_OPS = list(Op)


class FromBytes(NamedTuple):
    """A block given by its bytes; `ninsns` is its guest instruction count as first
    translated (a translation from the bytes that differs is refused), or -1 if unknown."""
    pc: int
    flags: int
    code: bytes
    ninsns: int


Member = BlockIR | FromBytes


def ir_from_bytes(pc: int, flags: int, code: bytes) -> BlockIR | None:
    """The IR of the block at pc made from `code`, its bytes (None if it is not a block of
    exactly those bytes)."""
    start = pc & (PAGE_SIZE - 1)
    # The block's page as far as the translator reads it: a block ends by its own bytes and
    # their place in the page, never by what follows them.
    page = bytes(start) + code + bytes(max(0, PAGE_SIZE - start - len(code)))

    def fetch(vaddr: int) -> bytes:
        if (vaddr ^ pc) & ~(PAGE_SIZE - 1):
            raise FetchFault(-1, vaddr)
        return page
    try:
        ir = translate_block(fetch, pc, flags)
    except FetchFault:
        return None
    return ir if ir.guest_bytes == code else None


def member_ir(m: Member) -> BlockIR | None:
    """A member's IR (None if its bytes do not make the block they were taken from)."""
    if m.__class__ is not FromBytes:
        return m
    ir = ir_from_bytes(m.pc, m.flags, m.code)
    return ir if ir is not None and m.ninsns in (ir.ninsns, -1) else None


def region_ir(members: list[Member]) -> list[BlockIR] | None:
    """The region's blocks' IR, or None if one of them cannot be made."""
    out = []
    for m in members:
        ir = member_ir(m)
        if ir is None:
            return None
        out.append(ir)
    return out


# -- the wire form ---------------------------------------------------------------------------
# A member is (pc, flags, code, ninsns) for a FromBytes, or (pc, flags, insns) for IR, where an
# insn is (op, dst or -1, args, size, signed, reg, label, helper, pc, icount) and a temporary
# argument n is written as the 1-tuple (n,).

def encode_block(b: BlockIR) -> tuple:
    return (b.pc, b.flags, tuple(
        (i.op.value, -1 if i.dst is None else i.dst.n,
         tuple(a if a.__class__ is int else (a.n,) for a in i.args),
         i.size, i.signed, i.reg, i.label, i.helper, i.pc, i.icount)
        for i in b.insns))


def decode_block(enc: tuple) -> BlockIR:
    ops = _OPS
    pc, flags, insns = enc
    body = [Insn(ops[op], None if dst < 0 else Tmp(dst),
                 tuple(a if a.__class__ is int else Tmp(a[0]) for a in args),
                 size, signed, reg, label, helper, ipc, icount)
            for op, dst, args, size, signed, reg, label, helper, ipc, icount in insns]
    return BlockIR(pc, flags, body, 0, 0, 0, b"", ())


def encode_members(members: list[Member]) -> tuple:
    """The region in its wire form (marshal-able)."""
    return tuple(tuple(m) if m.__class__ is FromBytes else encode_block(m) for m in members)


def decode_members(enc: tuple) -> list[BlockIR] | None:
    """The IR of a region in wire form (None if a member's cannot be made)."""
    return region_ir([FromBytes(*e) if len(e) == 4 else decode_block(e) for e in enc])
