"""RV64D (unprivileged spec, chapter 21 "D Standard Extension"); the rules and the translation
machinery are RV64F's (rvf.py).  C.FLD/C.FSD/C.FLDSP/C.FSDSP decode onto trans_fld/trans_fsd."""
from __future__ import annotations

from rvjit.frontend.trans.rvf import (
    fp_arith,
    fp_class,
    fp_compare,
    fp_cvt_fmt,
    fp_cvt_from_int,
    fp_cvt_to_int,
    fp_fma,
    fp_load,
    fp_minmax,
    fp_mv_from_x,
    fp_mv_to_x,
    fp_sgnj,
    fp_sqrt,
    fp_store,
)


def trans_fld(ctx, a):
    return fp_load(ctx, a, "d")


def trans_fsd(ctx, a):
    return fp_store(ctx, a, "d")


def trans_fmadd_d(ctx, a):
    return fp_fma(ctx, a, "d", False, False)


def trans_fmsub_d(ctx, a):
    return fp_fma(ctx, a, "d", False, True)


def trans_fnmsub_d(ctx, a):
    return fp_fma(ctx, a, "d", True, False)


def trans_fnmadd_d(ctx, a):
    return fp_fma(ctx, a, "d", True, True)


def trans_fadd_d(ctx, a):
    return fp_arith(ctx, a, "d", "fadd")


def trans_fsub_d(ctx, a):
    return fp_arith(ctx, a, "d", "fsub")


def trans_fmul_d(ctx, a):
    return fp_arith(ctx, a, "d", "fmul")


def trans_fdiv_d(ctx, a):
    return fp_arith(ctx, a, "d", "fdiv")


def trans_fsqrt_d(ctx, a):
    return fp_sqrt(ctx, a, "d")


def trans_fsgnj_d(ctx, a):
    return fp_sgnj(ctx, a, "d", "j")


def trans_fsgnjn_d(ctx, a):
    return fp_sgnj(ctx, a, "d", "n")


def trans_fsgnjx_d(ctx, a):
    return fp_sgnj(ctx, a, "d", "x")


def trans_fmin_d(ctx, a):
    return fp_minmax(ctx, a, "d", "fmin")


def trans_fmax_d(ctx, a):
    return fp_minmax(ctx, a, "d", "fmax")


def trans_feq_d(ctx, a):
    return fp_compare(ctx, a, "d", "feq")


def trans_flt_d(ctx, a):
    return fp_compare(ctx, a, "d", "flt")


def trans_fle_d(ctx, a):
    return fp_compare(ctx, a, "d", "fle")


def trans_fclass_d(ctx, a):
    return fp_class(ctx, a, "d")


def trans_fcvt_w_d(ctx, a):
    return fp_cvt_to_int(ctx, a, "d", "w")


def trans_fcvt_wu_d(ctx, a):
    return fp_cvt_to_int(ctx, a, "d", "wu")


def trans_fcvt_l_d(ctx, a):
    return fp_cvt_to_int(ctx, a, "d", "l")


def trans_fcvt_lu_d(ctx, a):
    return fp_cvt_to_int(ctx, a, "d", "lu")


def trans_fcvt_d_w(ctx, a):
    return fp_cvt_from_int(ctx, a, "d", "w")


def trans_fcvt_d_wu(ctx, a):
    return fp_cvt_from_int(ctx, a, "d", "wu")


def trans_fcvt_d_l(ctx, a):
    return fp_cvt_from_int(ctx, a, "d", "l")


def trans_fcvt_d_lu(ctx, a):
    return fp_cvt_from_int(ctx, a, "d", "lu")


def trans_fcvt_s_d(ctx, a):
    return fp_cvt_fmt(ctx, a, "s", "d")


def trans_fcvt_d_s(ctx, a):
    return fp_cvt_fmt(ctx, a, "d", "s")


def trans_fmv_x_d(ctx, a):
    return fp_mv_to_x(ctx, a, "d")


def trans_fmv_d_x(ctx, a):
    return fp_mv_from_x(ctx, a, "d")
