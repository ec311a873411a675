"""RV64F (unprivileged spec, chapter 20 "F Standard Extension"), and the translation machinery
RV64D (rvd.py) shares.

Arithmetic, comparisons and conversions run in native helpers (native/fpu.c, declared in
ir/helpers.py); loads, stores, moves and sign injection are plain IR on the raw register bits.
Every instruction here follows these rules:
  - mstatus.FS = Off makes it illegal (privileged spec 3.1.6.6).  FS is in the TB flags, so this
    is decided at translation time.
  - one that writes an f register or may set fflags makes FS Dirty: in a block translated with FS
    not Dirty, a helper sets it and the block ends there (the TB flags changed).
  - rm 5 and 6 are reserved (20.2): illegal; rm 7 (DYN) is checked against frm at run time.
  - singles are NaN-boxed (21.2): loads and moves into f registers box; a single read from a
    register that is not properly boxed is the canonical NaN.  Moves and stores out transfer the
    low 32 bits unchanged.
"""
from __future__ import annotations

from rvjit.cpu.state import TBFLAG_FS_SHIFT
from rvjit.frontend.fields import Args
from rvjit.frontend.translate import DisasContext
from rvjit.ir.helpers import FP_RM_NAMES
from rvjit.ir.ops import ADD, AND, EQ, OR, SEXT32, SHR, XOR, ZEXT32, Operand

MASK64 = 0xFFFF_FFFF_FFFF_FFFF
BOX32 = 0xFFFF_FFFF_0000_0000
CANON32_BOXED = 0xFFFF_FFFF_7FC0_0000
SIGN = {"s": 1 << 31, "d": 1 << 63}
SIZE = {"s": 4, "d": 8}
FS_OFF = 0
FS_DIRTY = 3
RM_DYN = 7


def fs(ctx: DisasContext) -> int:
    return (ctx.flags >> TBFLAG_FS_SHIFT) & 3


def rm_valid(rm: int) -> bool:
    return rm <= 4 or rm == RM_DYN


def fp_ok(ctx: DisasContext, rm: int | None = None) -> bool:
    """The guard every F/D translator starts with: FS on, and a non-reserved static rm."""
    return fs(ctx) != FS_OFF and (rm is None or rm_valid(rm))


def mark_dirty(ctx: DisasContext) -> bool:
    """Last step of a translator that changed FP state (privileged spec 3.1.6.6)."""
    if fs(ctx) != FS_DIRTY:
        ctx.call("fs_dirty")
        ctx.end_block()
    return True


def unboxed(ctx: DisasContext, f: str, v: Operand) -> Operand:
    """A single's register bits as an operation reads them: boxed, or the canonical NaN."""
    if f == "d":
        return v
    b = ctx.b
    ok = b.binop(EQ, b.binop(SHR, v, 32), 0xFFFF_FFFF)
    return b.select(ok, v, CANON32_BOXED)


# -- 20.5 loads and stores ----------------------------------------------------------------------

def fp_load(ctx: DisasContext, a: Args, f: str) -> bool:
    if not fp_ok(ctx):
        return False
    b = ctx.b
    v = ctx.load(b.binop(ADD, b.getx(a.rs1), a.imm & MASK64), SIZE[f], False)
    b.setf(a.rd, b.binop(OR, v, BOX32) if f == "s" else v)
    return mark_dirty(ctx)


def fp_store(ctx: DisasContext, a: Args, f: str) -> bool:
    if not fp_ok(ctx):
        return False
    b = ctx.b
    ctx.store(b.binop(ADD, b.getx(a.rs1), a.imm & MASK64), b.getf(a.rs2), SIZE[f])
    return True


# -- 20.6 computational instructions ------------------------------------------------------------

def fp_arith(ctx: DisasContext, a: Args, f: str, op: str) -> bool:
    """FADD/FSUB/FMUL/FDIV."""
    if not fp_ok(ctx, a.rm):
        return False
    b = ctx.b
    b.setf(a.rd, ctx.call(f"{op}_{f}", b.getf(a.rs1), b.getf(a.rs2), a.rm))
    return mark_dirty(ctx)


def fp_sqrt(ctx: DisasContext, a: Args, f: str) -> bool:
    if not fp_ok(ctx, a.rm):
        return False
    b = ctx.b
    b.setf(a.rd, ctx.call(f"fsqrt_{f}", b.getf(a.rs1), a.rm))
    return mark_dirty(ctx)


def fp_fma(ctx: DisasContext, a: Args, f: str, neg_product: bool, neg_addend: bool) -> bool:
    """FMADD (rs1*rs2 + rs3), FMSUB (- rs3), FNMSUB (-(rs1*rs2) + rs3), FNMADD (-(rs1*rs2) - rs3):
    one fused operation on sign-flipped operands (the same real number, so the same rounding)."""
    if not fp_ok(ctx, a.rm):
        return False
    b = ctx.b
    x, y, z = b.getf(a.rs1), b.getf(a.rs2), b.getf(a.rs3)
    if neg_product:
        x = b.binop(XOR, x, SIGN[f])
    if neg_addend:
        z = b.binop(XOR, z, SIGN[f])
    rm_name = FP_RM_NAMES[5 if a.rm == RM_DYN else a.rm]
    b.setf(a.rd, ctx.call(f"fma_{f}_{rm_name}", x, y, z))
    return mark_dirty(ctx)


def fp_sgnj(ctx: DisasContext, a: Args, f: str, kind: str) -> bool:
    """FSGNJ/FSGNJN/FSGNJX (20.6): rs1's magnitude bits with a sign from rs2 (or rs1 ^ rs2)."""
    if not fp_ok(ctx):
        return False
    b = ctx.b
    x = unboxed(ctx, f, b.getf(a.rs1))
    y = x if a.rs2 == a.rs1 else unboxed(ctx, f, b.getf(a.rs2))
    sign = SIGN[f]
    if kind == "n":
        y = b.binop(XOR, y, sign)
    elif kind == "x":
        y = b.binop(XOR, y, x)
    mag = b.binop(AND, x, ~sign & MASK64)
    b.setf(a.rd, b.binop(OR, mag, b.binop(AND, y, sign)))
    return mark_dirty(ctx)


def fp_minmax(ctx: DisasContext, a: Args, f: str, op: str) -> bool:
    if not fp_ok(ctx):
        return False
    b = ctx.b
    b.setf(a.rd, ctx.call(f"{op}_{f}", b.getf(a.rs1), b.getf(a.rs2)))
    return mark_dirty(ctx)


def fp_compare(ctx: DisasContext, a: Args, f: str, op: str) -> bool:
    """FEQ/FLT/FLE (20.8): an integer result; NV may be set."""
    if not fp_ok(ctx):
        return False
    b = ctx.b
    b.setx(a.rd, ctx.call(f"{op}_{f}", b.getf(a.rs1), b.getf(a.rs2)))
    return mark_dirty(ctx)


def fp_class(ctx: DisasContext, a: Args, f: str) -> bool:
    if not fp_ok(ctx):
        return False
    b = ctx.b
    b.setx(a.rd, ctx.call(f"fclass_{f}", b.getf(a.rs1)))
    return True


# -- 20.7 conversions and moves -----------------------------------------------------------------

def fp_cvt_to_int(ctx: DisasContext, a: Args, f: str, i: str) -> bool:
    """FCVT.{W,WU,L,LU}.f: rounded by rm, saturating with NV (table 20.x)."""
    if not fp_ok(ctx, a.rm):
        return False
    b = ctx.b
    b.setx(a.rd, ctx.call(f"fcvt_{i}_{f}", b.getf(a.rs1), a.rm))
    return mark_dirty(ctx)


def fp_cvt_from_int(ctx: DisasContext, a: Args, f: str, i: str) -> bool:
    """FCVT.f.{W,WU,L,LU}: the integer in rs1 (its low 32 bits for W/WU) rounded by rm."""
    if not fp_ok(ctx, a.rm):
        return False
    b = ctx.b
    b.setf(a.rd, ctx.call(f"fcvt_{f}_{i}", b.getx(a.rs1), a.rm))
    return mark_dirty(ctx)


def fp_cvt_fmt(ctx: DisasContext, a: Args, to: str, frm: str) -> bool:
    """FCVT.S.D (rounds) and FCVT.D.S (exact) (21.5)."""
    if not fp_ok(ctx, a.rm):
        return False
    b = ctx.b
    b.setf(a.rd, ctx.call(f"fcvt_{to}_{frm}", b.getf(a.rs1), a.rm))
    return mark_dirty(ctx)


def fp_mv_to_x(ctx: DisasContext, a: Args, f: str) -> bool:
    """FMV.X.W (the low 32 bits, sign-extended) / FMV.X.D: bits unchanged, no boxing check."""
    if not fp_ok(ctx):
        return False
    b = ctx.b
    v = b.getf(a.rs1)
    b.setx(a.rd, b.unop(SEXT32, v) if f == "s" else v)
    return True


def fp_mv_from_x(ctx: DisasContext, a: Args, f: str) -> bool:
    """FMV.W.X (boxes the low 32 bits) / FMV.D.X."""
    if not fp_ok(ctx):
        return False
    b = ctx.b
    v = b.getx(a.rs1)
    b.setf(a.rd, b.binop(OR, b.unop(ZEXT32, v), BOX32) if f == "s" else v)
    return mark_dirty(ctx)


# -- RV64F translators --------------------------------------------------------------------------

def trans_flw(ctx, a):
    return fp_load(ctx, a, "s")


def trans_fsw(ctx, a):
    return fp_store(ctx, a, "s")


def trans_fmadd_s(ctx, a):
    return fp_fma(ctx, a, "s", False, False)


def trans_fmsub_s(ctx, a):
    return fp_fma(ctx, a, "s", False, True)


def trans_fnmsub_s(ctx, a):
    return fp_fma(ctx, a, "s", True, False)


def trans_fnmadd_s(ctx, a):
    return fp_fma(ctx, a, "s", True, True)


def trans_fadd_s(ctx, a):
    return fp_arith(ctx, a, "s", "fadd")


def trans_fsub_s(ctx, a):
    return fp_arith(ctx, a, "s", "fsub")


def trans_fmul_s(ctx, a):
    return fp_arith(ctx, a, "s", "fmul")


def trans_fdiv_s(ctx, a):
    return fp_arith(ctx, a, "s", "fdiv")


def trans_fsqrt_s(ctx, a):
    return fp_sqrt(ctx, a, "s")


def trans_fsgnj_s(ctx, a):
    return fp_sgnj(ctx, a, "s", "j")


def trans_fsgnjn_s(ctx, a):
    return fp_sgnj(ctx, a, "s", "n")


def trans_fsgnjx_s(ctx, a):
    return fp_sgnj(ctx, a, "s", "x")


def trans_fmin_s(ctx, a):
    return fp_minmax(ctx, a, "s", "fmin")


def trans_fmax_s(ctx, a):
    return fp_minmax(ctx, a, "s", "fmax")


def trans_feq_s(ctx, a):
    return fp_compare(ctx, a, "s", "feq")


def trans_flt_s(ctx, a):
    return fp_compare(ctx, a, "s", "flt")


def trans_fle_s(ctx, a):
    return fp_compare(ctx, a, "s", "fle")


def trans_fclass_s(ctx, a):
    return fp_class(ctx, a, "s")


def trans_fcvt_w_s(ctx, a):
    return fp_cvt_to_int(ctx, a, "s", "w")


def trans_fcvt_wu_s(ctx, a):
    return fp_cvt_to_int(ctx, a, "s", "wu")


def trans_fcvt_l_s(ctx, a):
    return fp_cvt_to_int(ctx, a, "s", "l")


def trans_fcvt_lu_s(ctx, a):
    return fp_cvt_to_int(ctx, a, "s", "lu")


def trans_fcvt_s_w(ctx, a):
    return fp_cvt_from_int(ctx, a, "s", "w")


def trans_fcvt_s_wu(ctx, a):
    return fp_cvt_from_int(ctx, a, "s", "wu")


def trans_fcvt_s_l(ctx, a):
    return fp_cvt_from_int(ctx, a, "s", "l")


def trans_fcvt_s_lu(ctx, a):
    return fp_cvt_from_int(ctx, a, "s", "lu")


def trans_fmv_x_w(ctx, a):
    return fp_mv_to_x(ctx, a, "s")


def trans_fmv_w_x(ctx, a):
    return fp_mv_from_x(ctx, a, "s")
