"""rvjit's intermediate representation: the operations and their meaning.

A translation block is a list of `Insn`s over 64-bit temporaries.  Temporaries are single
assignment (each `Tmp` is written by exactly one op) and an operand is either a `Tmp` or a Python
int constant.  Every op here has a lowering in each backend (backend/llvm_lower.py and the
interpreter tier in native/interp.c); tests/test_ir_lowerings.py checks that.

Semantics (all values are 64-bit; "signed" reads them as two's complement):
  MOV d,a            d = a
  ADD/SUB/AND/OR/XOR d,a,b
  SHL/SHR/SAR d,a,b  shift by (b & 63); SHR logical, SAR arithmetic
  MUL d,a,b          low 64 bits of the product
  MULH/MULHU/MULHSU  high 64 bits of signed x signed, unsigned x unsigned, signed x unsigned
  DIV/DIVU/REM/REMU  RISC-V rules: x/0 = all ones, x%0 = x, MIN/-1 = MIN, MIN%-1 = 0
  EQ/NE/LT/LTU/GE/GEU d,a,b   d = 1 if the comparison holds else 0
  SEXT32/ZEXT32 d,a  sign/zero extend the low 32 bits
  SELECT d,c,a,b     d = a if c != 0 else b
  GETX d,r           d = guest x[r]          (r is a constant 1..31; x0 never appears)
  SETX r,a           guest x[r] = a
  GETF d,r / SETF r,a  the raw 64 bits of guest f[r]
  LD d,addr          load `size` bytes (1,2,4,8) at guest virtual addr, sign- or zero-extended
  ST addr,v          store the low `size` bytes of v
  CALL d,args...     call native helper `helper` (see ir/helpers.py) with cpu and args
  LABEL n / BR n     a local label; unconditional jump to it (forward only)
  BRCOND c,n         jump to label n if c != 0 (forward only)
  EXIT a             set pc = a and leave the block having retired `icount` instructions

LD, ST and CALL (of a helper that may trap) carry the guest `pc` of their instruction and
`icount`, the number of the block's instructions retired before it, so that a trap taken there is
precise.
"""
from __future__ import annotations

from enum import IntEnum


class Op(IntEnum):
    MOV = 0
    ADD = 1
    SUB = 2
    AND = 3
    OR = 4
    XOR = 5
    SHL = 6
    SHR = 7
    SAR = 8
    MUL = 9
    MULH = 10
    MULHU = 11
    MULHSU = 12
    DIV = 13
    DIVU = 14
    REM = 15
    REMU = 16
    EQ = 17
    NE = 18
    LT = 19
    LTU = 20
    GE = 21
    GEU = 22
    SEXT32 = 23
    ZEXT32 = 24
    SELECT = 25
    GETX = 26
    SETX = 27
    GETF = 28
    SETF = 29
    LD = 30
    ST = 31
    CALL = 32
    LABEL = 33
    BR = 34
    BRCOND = 35
    EXIT = 36


# The members as module constants, for code that names ops per emitted instruction: on Python
# 3.11 reading `Op.X` goes through EnumType.__getattr__, several times the cost of a global.
(MOV, ADD, SUB, AND, OR, XOR, SHL, SHR, SAR, MUL, MULH, MULHU, MULHSU, DIV, DIVU, REM, REMU, EQ,
 NE, LT, LTU, GE, GEU, SEXT32, ZEXT32, SELECT, GETX, SETX, GETF, SETF, LD, ST, CALL, LABEL, BR,
 BRCOND, EXIT) = Op
assert EXIT is Op.EXIT and len(Op) == 37

BINARY_OPS = frozenset({
    Op.ADD, Op.SUB, Op.AND, Op.OR, Op.XOR, Op.SHL, Op.SHR, Op.SAR, Op.MUL, Op.MULH, Op.MULHU,
    Op.MULHSU, Op.DIV, Op.DIVU, Op.REM, Op.REMU, Op.EQ, Op.NE, Op.LT, Op.LTU, Op.GE, Op.GEU,
})
UNARY_OPS = frozenset({Op.MOV, Op.SEXT32, Op.ZEXT32})

# Tmp and Insn are plain slotted classes rather than dataclasses: the translator makes millions
# of them and a dataclass's generated __init__ (frozen: object.__setattr__ per field) costs
# several times more.  They keep the dataclasses' behaviour: Tmp compares and hashes by number
# and is not meant to be changed; Insn compares by identity.  Their pickles (which the
# compiled-code cache key hashes) are byte-for-byte what the dataclasses' were: Tmp's state is
# the list of its fields (as a frozen slotted dataclass's __getstate__ gives), Insn's the default
# slot dictionary.


class Tmp:
    """A temporary: single assignment, numbered from 0 within a block."""

    __slots__ = ("n",)

    def __init__(self, n: int) -> None:
        self.n = n

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return self.n == other.n
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.n,))

    def __repr__(self) -> str:
        return f"t{self.n}"

    def __getstate__(self) -> list:
        return [self.n]

    def __setstate__(self, state: list) -> None:
        (self.n,) = state


Operand = Tmp | int


class Insn:
    __slots__ = ("op", "dst", "args", "size", "signed", "reg", "label", "helper", "pc", "icount")
    op: Op
    dst: Tmp | None
    args: tuple[Operand, ...]
    # Op-specific attributes.
    size: int                # LD/ST: access size in bytes
    signed: bool             # LD: sign-extend
    reg: int                 # GETX/SETX/GETF/SETF: register number
    label: int               # LABEL/BR/BRCOND
    helper: str              # CALL
    pc: int                  # LD/ST/CALL/EXIT: guest pc of the instruction
    icount: int              # LD/ST/CALL: retired before it; EXIT: retired at the exit

    def __init__(self, op: Op, dst: Tmp | None = None, args: tuple[Operand, ...] = (),
                 size: int = 0, signed: bool = False, reg: int = 0, label: int = 0,
                 helper: str = "", pc: int = 0, icount: int = 0) -> None:
        self.op = op
        self.dst = dst
        self.args = args
        self.size = size
        self.signed = signed
        self.reg = reg
        self.label = label
        self.helper = helper
        self.pc = pc
        self.icount = icount

    def __repr__(self) -> str:
        parts = [self.op.name.lower()]
        if self.dst is not None:
            parts.append(f"{self.dst} =")
        parts.extend(hex(a) if isinstance(a, int) else repr(a) for a in self.args)
        if self.op in (Op.LD, Op.ST):
            parts.append(f"size={self.size}{'s' if self.signed else ''}")
        if self.op in (Op.GETX, Op.SETX, Op.GETF, Op.SETF):
            parts.append(f"r{self.reg}")
        if self.op in (Op.LABEL, Op.BR, Op.BRCOND):
            parts.append(f"L{self.label}")
        if self.helper:
            parts.append(self.helper)
        if self.op in (Op.LD, Op.ST, Op.CALL, Op.EXIT):
            parts.append(f"@{self.pc:#x}/{self.icount}")
        return " ".join(parts)
