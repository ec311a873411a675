"""Hypervisor extension instructions (hypervisor spec, "Hypervisor Virtual-Machine Load and
Store Instructions" and "Hypervisor Memory-Management Fence Instructions").

Every one runs in a helper (native/hyp.c): whether it may execute (M, HS, U with hstatus.HU;
II or VI otherwise) and the access regime (V=1 at privilege hstatus.SPVP) depend on run-time
CSR state, which the TB flags do not carry.  The instruction's bits go along for tval of II/VI
and for htinst."""
from __future__ import annotations

from rvjit.ir import helpers as H


def _hlv(ctx, a, size: int, signed: bool, hlvx: bool = False) -> bool:
    b = ctx.b
    word = H.hlsv_word(size, signed, hlvx, ctx.insn)
    v = ctx.call("hlv", b.getx(a.rs1), word)
    if a.rd:
        b.setx(a.rd, v)
    return True


def _hsv(ctx, a, size: int) -> bool:
    b = ctx.b
    ctx.call("hsv", b.getx(a.rs1), b.getx(a.rs2), H.hlsv_word(size, insn=ctx.insn))
    return True


def trans_hlv_b(ctx, a):
    return _hlv(ctx, a, 1, True)


def trans_hlv_bu(ctx, a):
    return _hlv(ctx, a, 1, False)


def trans_hlv_h(ctx, a):
    return _hlv(ctx, a, 2, True)


def trans_hlv_hu(ctx, a):
    return _hlv(ctx, a, 2, False)


def trans_hlvx_hu(ctx, a):
    return _hlv(ctx, a, 2, False, hlvx=True)


def trans_hlv_w(ctx, a):
    return _hlv(ctx, a, 4, True)


def trans_hlv_wu(ctx, a):
    return _hlv(ctx, a, 4, False)


def trans_hlvx_wu(ctx, a):
    return _hlv(ctx, a, 4, False, hlvx=True)


def trans_hlv_d(ctx, a):
    return _hlv(ctx, a, 8, True)


def trans_hsv_b(ctx, a):
    return _hsv(ctx, a, 1)


def trans_hsv_h(ctx, a):
    return _hsv(ctx, a, 2)


def trans_hsv_w(ctx, a):
    return _hsv(ctx, a, 4)


def trans_hsv_d(ctx, a):
    return _hsv(ctx, a, 8)


def trans_hfence_vvma(ctx, a):
    b = ctx.b
    ctx.call("hfence_vvma", b.getx(a.rs1), b.getx(a.rs2), ctx.insn)
    ctx.end_block()
    return True


def trans_hfence_gvma(ctx, a):
    b = ctx.b
    ctx.call("hfence_gvma", b.getx(a.rs1), b.getx(a.rs2), ctx.insn)
    ctx.end_block()
    return True
