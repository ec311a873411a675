"""RV64A (unprivileged spec, chapter 14 "A Extension"): LR/SC and AMOs run in native helpers,
which check alignment (misaligned: address-misaligned exceptions) and keep the reservation.
aq/rl order nothing further here: harts run interleaved in one host thread."""
from __future__ import annotations

from rvjit.ir import helpers as H


def _lr(ctx, a, size: int) -> bool:
    b = ctx.b
    b.setx(a.rd, ctx.call("lr", b.getx(a.rs1), H.memop(size, True, ctx.mmu_idx)))
    return True


def _sc(ctx, a, size: int) -> bool:
    b = ctx.b
    b.setx(a.rd, ctx.call("sc", b.getx(a.rs1), b.getx(a.rs2), H.memop(size, True, ctx.mmu_idx)))
    return True


def _amo(ctx, a, size: int, func: int) -> bool:
    b = ctx.b
    word = H.memop(size, True, ctx.mmu_idx, func)
    b.setx(a.rd, ctx.call("amo", b.getx(a.rs1), b.getx(a.rs2), word))
    return True


def trans_lr_w(ctx, a):
    return _lr(ctx, a, 4)


def trans_lr_d(ctx, a):
    return _lr(ctx, a, 8)


def trans_sc_w(ctx, a):
    return _sc(ctx, a, 4)


def trans_sc_d(ctx, a):
    return _sc(ctx, a, 8)


def _make(name: str, func: int, size: int):
    def trans(ctx, a):
        return _amo(ctx, a, size, func)
    trans.__name__ = trans.__qualname__ = name
    return trans


for _name, _func in (("amoadd", H.AMO_ADD), ("amoswap", H.AMO_SWAP), ("amoxor", H.AMO_XOR),
                     ("amoor", H.AMO_OR), ("amoand", H.AMO_AND), ("amomin", H.AMO_MIN),
                     ("amomax", H.AMO_MAX), ("amominu", H.AMO_MINU), ("amomaxu", H.AMO_MAXU)):
    for _w, _size in (("w", 4), ("d", 8)):
        globals()[f"trans_{_name}_{_w}"] = _make(f"trans_{_name}_{_w}", _func, _size)

