"""RV64M (unprivileged spec, chapter 13 "M Extension"); division rules are the IR ops'."""
from __future__ import annotations

from rvjit.frontend.trans.rvi import _op_reg, _op_reg_w
from rvjit.ir.ops import DIV, DIVU, MUL, MULH, MULHSU, MULHU, REM, REMU, SEXT32, ZEXT32, Op


def trans_mul(ctx, a):
    return _op_reg(ctx, a, MUL)


def trans_mulh(ctx, a):
    return _op_reg(ctx, a, MULH)


def trans_mulhsu(ctx, a):
    return _op_reg(ctx, a, MULHSU)


def trans_mulhu(ctx, a):
    return _op_reg(ctx, a, MULHU)


def trans_div(ctx, a):
    return _op_reg(ctx, a, DIV)


def trans_divu(ctx, a):
    return _op_reg(ctx, a, DIVU)


def trans_rem(ctx, a):
    return _op_reg(ctx, a, REM)


def trans_remu(ctx, a):
    return _op_reg(ctx, a, REMU)


def trans_mulw(ctx, a):
    return _op_reg_w(ctx, a, MUL)


# The W divisions compute on the operands extended from 32 bits; 64-bit division of those
# yields the 32-bit rules for division by zero and for overflow once the result is truncated.
def _div_w(ctx, a, op: Op, prep: Op) -> bool:
    b = ctx.b
    x = b.unop(prep, b.getx(a.rs1))
    y = b.unop(prep, b.getx(a.rs2))
    b.setx(a.rd, b.unop(SEXT32, b.binop(op, x, y)))
    return True


def trans_divw(ctx, a):
    return _div_w(ctx, a, DIV, SEXT32)


def trans_divuw(ctx, a):
    return _div_w(ctx, a, DIVU, ZEXT32)


def trans_remw(ctx, a):
    return _div_w(ctx, a, REM, SEXT32)


def trans_remuw(ctx, a):
    return _div_w(ctx, a, REMU, ZEXT32)
