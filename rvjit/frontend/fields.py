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


def bits(x: int, hi: int, lo: int) -> int:
    return (x >> lo) & ((1 << (hi - lo + 1)) - 1)


def sext(v: int, width: int) -> int:
    v &= (1 << width) - 1
    return v - (1 << width) if v >> (width - 1) else v


def _rd(i: int) -> int:
    return bits(i, 11, 7)


def _rs1(i: int) -> int:
    return bits(i, 19, 15)


def _rs2(i: int) -> int:
    return bits(i, 24, 20)


# -- 32-bit formats -----------------------------------------------------------------------------

def imm_i(i: int) -> int:
    return sext(i >> 20, 12)


def imm_s(i: int) -> int:
    return sext((bits(i, 31, 25) << 5) | bits(i, 11, 7), 12)


def imm_b(i: int) -> int:
    return sext((bits(i, 31, 31) << 12) | (bits(i, 7, 7) << 11) | (bits(i, 30, 25) << 5)
                | (bits(i, 11, 8) << 1), 13)


def imm_u(i: int) -> int:
    return sext(i & 0xFFFFF000, 32)


def imm_j(i: int) -> int:
    return sext((bits(i, 31, 31) << 20) | (bits(i, 19, 12) << 12) | (bits(i, 20, 20) << 11)
                | (bits(i, 30, 21) << 1), 21)


def fmt_r(i: int) -> Args:
    return Args(rd=_rd(i), rs1=_rs1(i), rs2=_rs2(i))


def fmt_r_rm(i: int) -> Args:
    return Args(rd=_rd(i), rs1=_rs1(i), rs2=_rs2(i), rm=bits(i, 14, 12))


def fmt_r4(i: int) -> Args:
    return Args(rd=_rd(i), rs1=_rs1(i), rs2=_rs2(i), rs3=bits(i, 31, 27), rm=bits(i, 14, 12))


def fmt_i(i: int) -> Args:
    return Args(rd=_rd(i), rs1=_rs1(i), imm=imm_i(i))


def fmt_s(i: int) -> Args:
    return Args(rs1=_rs1(i), rs2=_rs2(i), imm=imm_s(i))


def fmt_b(i: int) -> Args:
    return Args(rs1=_rs1(i), rs2=_rs2(i), imm=imm_b(i))


def fmt_u(i: int) -> Args:
    return Args(rd=_rd(i), imm=imm_u(i))


def fmt_j(i: int) -> Args:
    return Args(rd=_rd(i), imm=imm_j(i))


def fmt_shift6(i: int) -> Args:
    return Args(rd=_rd(i), rs1=_rs1(i), imm=bits(i, 25, 20))


def fmt_shift5(i: int) -> Args:
    return Args(rd=_rd(i), rs1=_rs1(i), imm=bits(i, 24, 20))


def fmt_atomic(i: int) -> Args:
    return Args(rd=_rd(i), rs1=_rs1(i), rs2=_rs2(i), aq=bits(i, 26, 26), rl=bits(i, 25, 25))


def fmt_csr(i: int) -> Args:
    # rs1 holds the register or, for the immediate forms, the 5-bit zero-extended uimm.
    return Args(rd=_rd(i), rs1=_rs1(i), csr=bits(i, 31, 20))


def fmt_fence(i: int) -> Args:
    a = Args(rd=_rd(i), rs1=_rs1(i))
    a.fm, a.pred, a.succ = bits(i, 31, 28), bits(i, 27, 24), bits(i, 23, 20)
    return a


def fmt_none(i: int) -> Args:
    return Args()


# -- compressed formats (26.2), each yielding the operands of its base expansion -----------------

def _rp(x: int) -> int:
    """The 3-bit register fields rd', rs1', rs2' name x8..x15."""
    return x + 8


def c_addi4spn(i: int) -> Args | None:
    imm = (bits(i, 12, 11) << 4) | (bits(i, 10, 7) << 6) | (bits(i, 6, 6) << 2) | (
        bits(i, 5, 5) << 3)
    if imm == 0:
        return None  # reserved (this also makes the all-zero halfword illegal)
    return Args(rd=_rp(bits(i, 4, 2)), rs1=2, imm=imm)


def _c_lw_off(i: int) -> int:
    return (bits(i, 12, 10) << 3) | (bits(i, 6, 6) << 2) | (bits(i, 5, 5) << 6)


def _c_ld_off(i: int) -> int:
    return (bits(i, 12, 10) << 3) | (bits(i, 6, 5) << 6)


def c_lw(i: int) -> Args:
    return Args(rd=_rp(bits(i, 4, 2)), rs1=_rp(bits(i, 9, 7)), imm=_c_lw_off(i))


def c_ld(i: int) -> Args:
    return Args(rd=_rp(bits(i, 4, 2)), rs1=_rp(bits(i, 9, 7)), imm=_c_ld_off(i))


def c_sw(i: int) -> Args:
    return Args(rs2=_rp(bits(i, 4, 2)), rs1=_rp(bits(i, 9, 7)), imm=_c_lw_off(i))


def c_sd(i: int) -> Args:
    return Args(rs2=_rp(bits(i, 4, 2)), rs1=_rp(bits(i, 9, 7)), imm=_c_ld_off(i))


def _c_imm6(i: int) -> int:
    return sext((bits(i, 12, 12) << 5) | bits(i, 6, 2), 6)


def c_addi(i: int) -> Args:
    r = _rd(i)
    return Args(rd=r, rs1=r, imm=_c_imm6(i))


def c_addiw(i: int) -> Args | None:
    r = _rd(i)
    if r == 0:
        return None  # reserved
    return Args(rd=r, rs1=r, imm=_c_imm6(i))


def c_li(i: int) -> Args:
    return Args(rd=_rd(i), rs1=0, imm=_c_imm6(i))


def c_addi16sp(i: int) -> Args | None:
    imm = sext((bits(i, 12, 12) << 9) | (bits(i, 6, 6) << 4) | (bits(i, 5, 5) << 6)
               | (bits(i, 4, 3) << 7) | (bits(i, 2, 2) << 5), 10)
    if imm == 0:
        return None  # reserved
    return Args(rd=2, rs1=2, imm=imm)


def c_lui(i: int) -> Args | None:
    imm = sext((bits(i, 12, 12) << 17) | (bits(i, 6, 2) << 12), 18)
    if imm == 0:
        return None  # reserved
    return Args(rd=_rd(i), imm=imm)


def c_shift_rp(i: int) -> Args:
    r = _rp(bits(i, 9, 7))
    return Args(rd=r, rs1=r, imm=(bits(i, 12, 12) << 5) | bits(i, 6, 2))


def c_andi(i: int) -> Args:
    r = _rp(bits(i, 9, 7))
    return Args(rd=r, rs1=r, imm=_c_imm6(i))


def c_alu_rp(i: int) -> Args:
    r = _rp(bits(i, 9, 7))
    return Args(rd=r, rs1=r, rs2=_rp(bits(i, 4, 2)))


def c_j(i: int) -> Args:
    imm = sext((bits(i, 12, 12) << 11) | (bits(i, 11, 11) << 4) | (bits(i, 10, 9) << 8)
               | (bits(i, 8, 8) << 10) | (bits(i, 7, 7) << 6) | (bits(i, 6, 6) << 7)
               | (bits(i, 5, 3) << 1) | (bits(i, 2, 2) << 5), 12)
    return Args(rd=0, imm=imm)


def c_branch(i: int) -> Args:
    imm = sext((bits(i, 12, 12) << 8) | (bits(i, 11, 10) << 3) | (bits(i, 6, 5) << 6)
               | (bits(i, 4, 3) << 1) | (bits(i, 2, 2) << 5), 9)
    return Args(rs1=_rp(bits(i, 9, 7)), rs2=0, imm=imm)


def c_slli(i: int) -> Args:
    r = _rd(i)
    return Args(rd=r, rs1=r, imm=(bits(i, 12, 12) << 5) | bits(i, 6, 2))


def c_lwsp(i: int) -> Args | None:
    if _rd(i) == 0:
        return None  # reserved
    imm = (bits(i, 12, 12) << 5) | (bits(i, 6, 4) << 2) | (bits(i, 3, 2) << 6)
    return Args(rd=_rd(i), rs1=2, imm=imm)


def c_ldsp(i: int) -> Args | None:
    if _rd(i) == 0:
        return None  # reserved
    imm = (bits(i, 12, 12) << 5) | (bits(i, 6, 5) << 3) | (bits(i, 4, 2) << 6)
    return Args(rd=_rd(i), rs1=2, imm=imm)


def c_fldsp(i: int) -> Args:
    imm = (bits(i, 12, 12) << 5) | (bits(i, 6, 5) << 3) | (bits(i, 4, 2) << 6)
    return Args(rd=_rd(i), rs1=2, imm=imm)


def c_swsp(i: int) -> Args:
    return Args(rs1=2, rs2=bits(i, 6, 2), imm=(bits(i, 12, 9) << 2) | (bits(i, 8, 7) << 6))


def c_sdsp(i: int) -> Args:
    return Args(rs1=2, rs2=bits(i, 6, 2), imm=(bits(i, 12, 10) << 3) | (bits(i, 9, 7) << 6))


def c_jr(i: int) -> Args | None:
    if _rd(i) == 0:
        return None  # reserved
    return Args(rd=0, rs1=_rd(i), imm=0)


def c_jalr(i: int) -> Args:
    return Args(rd=1, rs1=_rd(i), imm=0)


def c_mv(i: int) -> Args:
    return Args(rd=_rd(i), rs1=0, rs2=bits(i, 6, 2))


def c_add(i: int) -> Args:
    return Args(rd=_rd(i), rs1=_rd(i), rs2=bits(i, 6, 2))


FORMATS: dict[str, Callable[[int], Args | None]] = {
    name[4:] if name.startswith("fmt_") else name: fn
    for name, fn in list(globals().items())
    if callable(fn) and (name.startswith("fmt_") or name.startswith("c_"))
}
