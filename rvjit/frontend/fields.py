"""Instruction formats: the one place where encodings' fields and scrambled immediates are taken
apart (unprivileged spec, 2.3 "Immediate Encoding Variants" and 26.2 "Compressed Instruction
Formats").

A format function maps the instruction bits to an `Args`; compressed formats produce the operands
of the base instruction they expand to (26.x gives each expansion), so that a compressed
instruction is translated by the base instruction's `trans_` function.  A format returns None for
an encoding the spec reserves.
"""
from __future__ import annotations

from collections.abc import Callable


class Args:
    """Decoded operands.  Immediates are Python ints, already sign-extended."""

    __slots__ = ("rd", "rs1", "rs2", "rs3", "imm", "csr", "aq", "rl", "rm", "pred", "succ", "fm")

    def __init__(self, rd: int = 0, rs1: int = 0, rs2: int = 0, imm: int = 0, csr: int = 0,
                 rs3: int = 0, aq: int = 0, rl: int = 0, rm: int = 0) -> None:
        self.rd = rd
        self.rs1 = rs1
        self.rs2 = rs2
        self.rs3 = rs3
        self.imm = imm
        self.csr = csr
        self.aq = aq
        self.rl = rl
        self.rm = rm
        self.pred = self.succ = self.fm = 0

    def __repr__(self) -> str:
        return "Args(" + ", ".join(f"{k}={getattr(self, k)}" for k in self.__slots__) + ")"


# Fields below are written (i >> lo & mask): bits hi..lo of i, mask = 2**(hi - lo + 1) - 1 (the
# format functions run once per distinct instruction word of a cold boot, ~90,000 of them).
def bits(x: int, hi: int, lo: int) -> int:
    return (x >> lo) & ((1 << (hi - lo + 1)) - 1)


def sext(v: int, width: int) -> int:
    v &= (1 << width) - 1
    return v - (1 << width) if v >> (width - 1) else v


# -- 32-bit formats -----------------------------------------------------------------------------

def imm_i(i: int) -> int:
    return sext(i >> 20, 12)


def imm_s(i: int) -> int:
    return sext(((i >> 25 & 0x7f) << 5) | (i >> 7 & 0x1f), 12)


def imm_b(i: int) -> int:
    return sext(((i >> 31 & 0x1) << 12) | ((i >> 7 & 0x1) << 11) | ((i >> 25 & 0x3f) << 5)
                | ((i >> 8 & 0xf) << 1), 13)


def imm_u(i: int) -> int:
    return sext(i & 0xFFFFF000, 32)


def imm_j(i: int) -> int:
    return sext(((i >> 31 & 0x1) << 20) | ((i >> 12 & 0xff) << 12) | ((i >> 20 & 0x1) << 11)
                | ((i >> 21 & 0x3ff) << 1), 21)


def fmt_r(i: int) -> Args:
    return Args(rd=(i >> 7 & 0x1f), rs1=(i >> 15 & 0x1f), rs2=(i >> 20 & 0x1f))


def fmt_r_rm(i: int) -> Args:
    return Args(rd=(i >> 7 & 0x1f), rs1=(i >> 15 & 0x1f), rs2=(i >> 20 & 0x1f), rm=(i >> 12 & 0x7))


def fmt_r4(i: int) -> Args:
    return Args(rd=(i >> 7 & 0x1f), rs1=(i >> 15 & 0x1f), rs2=(i >> 20 & 0x1f),
                rs3=(i >> 27 & 0x1f), rm=(i >> 12 & 0x7))


def fmt_i(i: int) -> Args:
    return Args(rd=(i >> 7 & 0x1f), rs1=(i >> 15 & 0x1f), imm=imm_i(i))


def fmt_s(i: int) -> Args:
    return Args(rs1=(i >> 15 & 0x1f), rs2=(i >> 20 & 0x1f), imm=imm_s(i))


def fmt_b(i: int) -> Args:
    return Args(rs1=(i >> 15 & 0x1f), rs2=(i >> 20 & 0x1f), imm=imm_b(i))


def fmt_u(i: int) -> Args:
    return Args(rd=(i >> 7 & 0x1f), imm=imm_u(i))


def fmt_j(i: int) -> Args:
    return Args(rd=(i >> 7 & 0x1f), imm=imm_j(i))


def fmt_shift6(i: int) -> Args:
    return Args(rd=(i >> 7 & 0x1f), rs1=(i >> 15 & 0x1f), imm=(i >> 20 & 0x3f))


def fmt_shift5(i: int) -> Args:
    return Args(rd=(i >> 7 & 0x1f), rs1=(i >> 15 & 0x1f), imm=(i >> 20 & 0x1f))


def fmt_atomic(i: int) -> Args:
    return Args(rd=(i >> 7 & 0x1f), rs1=(i >> 15 & 0x1f), rs2=(i >> 20 & 0x1f),
                aq=(i >> 26 & 0x1), rl=(i >> 25 & 0x1))


def fmt_csr(i: int) -> Args:
    # rs1 holds the register or, for the immediate forms, the 5-bit zero-extended uimm.
    return Args(rd=(i >> 7 & 0x1f), rs1=(i >> 15 & 0x1f), csr=(i >> 20 & 0xfff))


def fmt_fence(i: int) -> Args:
    a = Args(rd=(i >> 7 & 0x1f), rs1=(i >> 15 & 0x1f))
    a.fm, a.pred, a.succ = (i >> 28 & 0xf), (i >> 24 & 0xf), (i >> 20 & 0xf)
    return a


def fmt_none(i: int) -> Args:
    return Args()


# -- compressed formats (26.2), each yielding the operands of its base expansion -----------------

def _rp(x: int) -> int:
    """The 3-bit register fields rd', rs1', rs2' name x8..x15."""
    return x + 8


def c_addi4spn(i: int) -> Args | None:
    imm = ((i >> 11 & 0x3) << 4) | ((i >> 7 & 0xf) << 6) | ((i >> 6 & 0x1) << 2) | (
        (i >> 5 & 0x1) << 3)
    if imm == 0:
        return None  # reserved (this also makes the all-zero halfword illegal)
    return Args(rd=_rp(i >> 2 & 0x7), rs1=2, imm=imm)


def _c_lw_off(i: int) -> int:
    return ((i >> 10 & 0x7) << 3) | ((i >> 6 & 0x1) << 2) | ((i >> 5 & 0x1) << 6)


def _c_ld_off(i: int) -> int:
    return ((i >> 10 & 0x7) << 3) | ((i >> 5 & 0x3) << 6)


def c_lw(i: int) -> Args:
    return Args(rd=_rp(i >> 2 & 0x7), rs1=_rp(i >> 7 & 0x7), imm=_c_lw_off(i))


def c_ld(i: int) -> Args:
    return Args(rd=_rp(i >> 2 & 0x7), rs1=_rp(i >> 7 & 0x7), imm=_c_ld_off(i))


def c_sw(i: int) -> Args:
    return Args(rs2=_rp(i >> 2 & 0x7), rs1=_rp(i >> 7 & 0x7), imm=_c_lw_off(i))


def c_sd(i: int) -> Args:
    return Args(rs2=_rp(i >> 2 & 0x7), rs1=_rp(i >> 7 & 0x7), imm=_c_ld_off(i))


def _c_imm6(i: int) -> int:
    return sext(((i >> 12 & 0x1) << 5) | (i >> 2 & 0x1f), 6)


def c_addi(i: int) -> Args:
    r = (i >> 7 & 0x1f)
    return Args(rd=r, rs1=r, imm=_c_imm6(i))


def c_addiw(i: int) -> Args | None:
    r = (i >> 7 & 0x1f)
    if r == 0:
        return None  # reserved
    return Args(rd=r, rs1=r, imm=_c_imm6(i))


def c_li(i: int) -> Args:
    return Args(rd=(i >> 7 & 0x1f), rs1=0, imm=_c_imm6(i))


def c_addi16sp(i: int) -> Args | None:
    imm = sext(((i >> 12 & 0x1) << 9) | ((i >> 6 & 0x1) << 4) | ((i >> 5 & 0x1) << 6)
               | ((i >> 3 & 0x3) << 7) | ((i >> 2 & 0x1) << 5), 10)
    if imm == 0:
        return None  # reserved
    return Args(rd=2, rs1=2, imm=imm)


def c_lui(i: int) -> Args | None:
    imm = sext(((i >> 12 & 0x1) << 17) | ((i >> 2 & 0x1f) << 12), 18)
    if imm == 0:
        return None  # reserved
    return Args(rd=(i >> 7 & 0x1f), imm=imm)


def c_shift_rp(i: int) -> Args:
    r = _rp(i >> 7 & 0x7)
    return Args(rd=r, rs1=r, imm=((i >> 12 & 0x1) << 5) | (i >> 2 & 0x1f))


def c_andi(i: int) -> Args:
    r = _rp(i >> 7 & 0x7)
    return Args(rd=r, rs1=r, imm=_c_imm6(i))


def c_alu_rp(i: int) -> Args:
    r = _rp(i >> 7 & 0x7)
    return Args(rd=r, rs1=r, rs2=_rp(i >> 2 & 0x7))


def c_j(i: int) -> Args:
    imm = sext(((i >> 12 & 0x1) << 11) | ((i >> 11 & 0x1) << 4) | ((i >> 9 & 0x3) << 8)
               | ((i >> 8 & 0x1) << 10) | ((i >> 7 & 0x1) << 6) | ((i >> 6 & 0x1) << 7)
               | ((i >> 3 & 0x7) << 1) | ((i >> 2 & 0x1) << 5), 12)
    return Args(rd=0, imm=imm)


def c_branch(i: int) -> Args:
    imm = sext(((i >> 12 & 0x1) << 8) | ((i >> 10 & 0x3) << 3) | ((i >> 5 & 0x3) << 6)
               | ((i >> 3 & 0x3) << 1) | ((i >> 2 & 0x1) << 5), 9)
    return Args(rs1=_rp(i >> 7 & 0x7), rs2=0, imm=imm)


def c_slli(i: int) -> Args:
    r = (i >> 7 & 0x1f)
    return Args(rd=r, rs1=r, imm=((i >> 12 & 0x1) << 5) | (i >> 2 & 0x1f))


def c_lwsp(i: int) -> Args | None:
    if (i >> 7 & 0x1f) == 0:
        return None  # reserved
    imm = ((i >> 12 & 0x1) << 5) | ((i >> 4 & 0x7) << 2) | ((i >> 2 & 0x3) << 6)
    return Args(rd=(i >> 7 & 0x1f), rs1=2, imm=imm)


def c_ldsp(i: int) -> Args | None:
    if (i >> 7 & 0x1f) == 0:
        return None  # reserved
    imm = ((i >> 12 & 0x1) << 5) | ((i >> 5 & 0x3) << 3) | ((i >> 2 & 0x7) << 6)
    return Args(rd=(i >> 7 & 0x1f), rs1=2, imm=imm)


def c_fldsp(i: int) -> Args:
    imm = ((i >> 12 & 0x1) << 5) | ((i >> 5 & 0x3) << 3) | ((i >> 2 & 0x7) << 6)
    return Args(rd=(i >> 7 & 0x1f), rs1=2, imm=imm)


def c_swsp(i: int) -> Args:
    return Args(rs1=2, rs2=(i >> 2 & 0x1f), imm=((i >> 9 & 0xf) << 2) | ((i >> 7 & 0x3) << 6))


def c_sdsp(i: int) -> Args:
    return Args(rs1=2, rs2=(i >> 2 & 0x1f), imm=((i >> 10 & 0x7) << 3) | ((i >> 7 & 0x7) << 6))


def c_jr(i: int) -> Args | None:
    if (i >> 7 & 0x1f) == 0:
        return None  # reserved
    return Args(rd=0, rs1=(i >> 7 & 0x1f), imm=0)


def c_jalr(i: int) -> Args:
    return Args(rd=1, rs1=(i >> 7 & 0x1f), imm=0)


def c_mv(i: int) -> Args:
    return Args(rd=(i >> 7 & 0x1f), rs1=0, rs2=(i >> 2 & 0x1f))


def c_add(i: int) -> Args:
    return Args(rd=(i >> 7 & 0x1f), rs1=(i >> 7 & 0x1f), rs2=(i >> 2 & 0x1f))


FORMATS: dict[str, Callable[[int], Args | None]] = {
    name[4:] if name.startswith("fmt_") else name: fn
    for name, fn in list(globals().items())
    if callable(fn) and (name.startswith("fmt_") or name.startswith("c_"))
}
