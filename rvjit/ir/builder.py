"""Building IR: fresh temporaries, labels and one method per op family."""
from __future__ import annotations

from rvjit.ir.helpers import HELPERS
from rvjit.ir.ops import BINARY_OPS, UNARY_OPS, Insn, Op, Operand, Tmp

MASK64 = 0xFFFF_FFFF_FFFF_FFFF

# Constant folding for the ops whose meaning is plain two's-complement arithmetic; the rest are
# left to the backends (which fold them anyway).
_FOLD = {
    Op.ADD: lambda a, b: a + b,
    Op.SUB: lambda a, b: a - b,
    Op.AND: lambda a, b: a & b,
    Op.OR: lambda a, b: a | b,
    Op.XOR: lambda a, b: a ^ b,
    Op.SHL: lambda a, b: a << (b & 63),
    Op.SHR: lambda a, b: a >> (b & 63),
    Op.EQ: lambda a, b: int(a == b),
    Op.NE: lambda a, b: int(a != b),
    Op.LTU: lambda a, b: int(a < b),
    Op.GEU: lambda a, b: int(a >= b),
}


def sext32(v: int) -> int:
    v &= 0xFFFF_FFFF
    return (v - (1 << 32)) & MASK64 if v & 0x8000_0000 else v


class IRBuilder:
    """Accumulates the IR of one translation block."""

    def __init__(self) -> None:
        self.insns: list[Insn] = []
        self.ntemps = 0
        self.nlabels = 0

    # -- values ------------------------------------------------------------------------------
    def tmp(self) -> Tmp:
        t = Tmp(self.ntemps)
        self.ntemps += 1
        return t

    def emit(self, insn: Insn) -> None:
        self.insns.append(insn)

    def binop(self, op: Op, a: Operand, b: Operand) -> Operand:
        assert op in BINARY_OPS
        if isinstance(a, int) and isinstance(b, int) and op in _FOLD:
            return _FOLD[op](a & MASK64, b & MASK64) & MASK64
        d = self.tmp()
        self.emit(Insn(op, d, (a, b)))
        return d

    def unop(self, op: Op, a: Operand) -> Operand:
        assert op in UNARY_OPS
        if isinstance(a, int):
            a &= MASK64
            if op is Op.SEXT32:
                return sext32(a)
            if op is Op.ZEXT32:
                return a & 0xFFFF_FFFF
            return a
        d = self.tmp()
        self.emit(Insn(op, d, (a,)))
        return d

    def select(self, c: Operand, a: Operand, b: Operand) -> Tmp:
        d = self.tmp()
        self.emit(Insn(Op.SELECT, d, (c, a, b)))
        return d

    # -- guest registers ---------------------------------------------------------------------
    def getx(self, r: int) -> Operand:
        if r == 0:
            return 0
        d = self.tmp()
        self.emit(Insn(Op.GETX, d, reg=r))
        return d

    def setx(self, r: int, v: Operand) -> None:
        if r != 0:
            self.emit(Insn(Op.SETX, None, (v,), reg=r))

    def getf(self, r: int) -> Tmp:
        d = self.tmp()
        self.emit(Insn(Op.GETF, d, reg=r))
        return d

    def setf(self, r: int, v: Operand) -> None:
        self.emit(Insn(Op.SETF, None, (v,), reg=r))

    # -- memory ------------------------------------------------------------------------------
    def ld(self, addr: Operand, size: int, signed: bool, pc: int, icount: int) -> Tmp:
        d = self.tmp()
        self.emit(Insn(Op.LD, d, (addr,), size=size, signed=signed, pc=pc, icount=icount))
        return d

    def st(self, addr: Operand, val: Operand, size: int, pc: int, icount: int) -> None:
        self.emit(Insn(Op.ST, None, (addr, val), size=size, pc=pc, icount=icount))

    # -- helpers -----------------------------------------------------------------------------
    def call(self, helper: str, *args: Operand, pc: int, icount: int) -> Tmp:
        h = HELPERS[helper]
        assert len(args) == h.nargs, (helper, args)
        d = self.tmp()
        self.emit(Insn(Op.CALL, d, tuple(args), helper=helper, pc=pc, icount=icount))
        return d

    # -- control -----------------------------------------------------------------------------
    def new_label(self) -> int:
        self.nlabels += 1
        return self.nlabels - 1

    def label(self, n: int) -> None:
        self.emit(Insn(Op.LABEL, label=n))

    def br(self, n: int) -> None:
        self.emit(Insn(Op.BR, label=n))

    def brcond(self, c: Operand, n: int) -> None:
        self.emit(Insn(Op.BRCOND, None, (c,), label=n))

    def exit(self, pc: Operand, icount: int) -> None:
        self.emit(Insn(Op.EXIT, None, (pc,), icount=icount))
