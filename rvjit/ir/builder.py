"""Building IR: fresh temporaries, labels and one method per op family."""
from __future__ import annotations

from rvjit.ir.helpers import HELPERS
from rvjit.ir.ops import (
    BINARY_OPS,
    BR,
    BRCOND,
    CALL,
    EXIT,
    GETF,
    GETX,
    LABEL,
    LD,
    SELECT,
    SETF,
    SETX,
    SEXT32,
    ST,
    UNARY_OPS,
    ZEXT32,
    Insn,
    Op,
    Operand,
    Tmp,
)

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


_NPOOL = 4096
_TMPS = [Tmp(n) for n in range(_NPOOL)]


def fold_unary(op: Op, a: int) -> int:
    """The value of unary op `op` on a constant (every builder folds these)."""
    a &= MASK64
    if op is SEXT32:
        return sext32(a)
    if op is ZEXT32:
        return a & 0xFFFF_FFFF
    return a


def sext32(v: int) -> int:
    v &= 0xFFFF_FFFF
    return (v - (1 << 32)) & MASK64 if v & 0x8000_0000 else v


class IRBuilder:
    """Accumulates the IR of one translation block.

    The methods are the translator's innermost loop (a boot emits millions of ops), so they
    create temporaries and append instructions inline, pass Insn's fields positionally and name
    ops by their module constants (see ir/ops.py)."""

    __slots__ = ("insns", "ntemps", "nlabels", "exits")

    def __init__(self) -> None:
        self.insns: list[Insn] = []
        self.ntemps = 0
        self.nlabels = 0
        self.exits: list[int] = []     # the constant targets of EXIT ops, in emission order

    # -- values ------------------------------------------------------------------------------
    def tmp(self) -> Tmp:
        t = Tmp(self.ntemps)
        self.ntemps += 1
        return t

    def emit(self, insn: Insn) -> None:
        if insn.op is EXIT and isinstance(insn.args[0], int):
            self.exits.append(insn.args[0])
        self.insns.append(insn)

    def binop(self, op: Op, a: Operand, b: Operand) -> Operand:
        assert op in BINARY_OPS
        if isinstance(a, int) and isinstance(b, int):
            fold = _FOLD.get(op)
            if fold is not None:
                return fold(a & MASK64, b & MASK64) & MASK64
        n = self.ntemps
        self.ntemps = n + 1
        d = _TMPS[n] if n < _NPOOL else Tmp(n)
        self.insns.append(Insn(op, d, (a, b)))
        return d

    def unop(self, op: Op, a: Operand) -> Operand:
        assert op in UNARY_OPS
        if isinstance(a, int):
            return fold_unary(op, a)
        n = self.ntemps
        self.ntemps = n + 1
        d = _TMPS[n] if n < _NPOOL else Tmp(n)
        self.insns.append(Insn(op, d, (a,)))
        return d

    def select(self, c: Operand, a: Operand, b: Operand) -> Tmp:
        n = self.ntemps
        self.ntemps = n + 1
        d = _TMPS[n] if n < _NPOOL else Tmp(n)
        self.insns.append(Insn(SELECT, d, (c, a, b)))
        return d

    # -- guest registers ---------------------------------------------------------------------
    def getx(self, r: int) -> Operand:
        if r == 0:
            return 0
        n = self.ntemps
        self.ntemps = n + 1
        d = _TMPS[n] if n < _NPOOL else Tmp(n)
        self.insns.append(Insn(GETX, d, (), 0, False, r))
        return d

    def setx(self, r: int, v: Operand) -> None:
        if r != 0:
            self.insns.append(Insn(SETX, None, (v,), 0, False, r))

    def getf(self, r: int) -> Tmp:
        n = self.ntemps
        self.ntemps = n + 1
        d = _TMPS[n] if n < _NPOOL else Tmp(n)
        self.insns.append(Insn(GETF, d, (), 0, False, r))
        return d

    def setf(self, r: int, v: Operand) -> None:
        self.insns.append(Insn(SETF, None, (v,), 0, False, r))

    # -- memory ------------------------------------------------------------------------------
    def ld(self, addr: Operand, size: int, signed: bool, pc: int, icount: int) -> Tmp:
        n = self.ntemps
        self.ntemps = n + 1
        d = _TMPS[n] if n < _NPOOL else Tmp(n)
        self.insns.append(Insn(LD, d, (addr,), size, signed, 0, 0, "", pc, icount))
        return d

    def st(self, addr: Operand, val: Operand, size: int, pc: int, icount: int) -> None:
        self.insns.append(Insn(ST, None, (addr, val), size, False, 0, 0, "", pc, icount))

    # -- helpers -----------------------------------------------------------------------------
    def call(self, helper: str, *args: Operand, pc: int, icount: int) -> Tmp:
        assert len(args) == HELPERS[helper].nargs, (helper, args)
        n = self.ntemps
        self.ntemps = n + 1
        d = _TMPS[n] if n < _NPOOL else Tmp(n)
        self.insns.append(Insn(CALL, d, args, 0, False, 0, 0, helper, pc, icount))
        return d

    # -- control -----------------------------------------------------------------------------
    def new_label(self) -> int:
        self.nlabels += 1
        return self.nlabels - 1

    def label(self, n: int) -> None:
        self.insns.append(Insn(LABEL, None, (), 0, False, 0, n))

    def br(self, n: int) -> None:
        self.insns.append(Insn(BR, None, (), 0, False, 0, n))

    def brcond(self, c: Operand, n: int) -> None:
        self.insns.append(Insn(BRCOND, None, (c,), 0, False, 0, n))

    def exit(self, pc: Operand, icount: int) -> None:
        if isinstance(pc, int):
            self.exits.append(pc)
        self.insns.append(Insn(EXIT, None, (pc,), 0, False, 0, 0, "", 0, icount))
