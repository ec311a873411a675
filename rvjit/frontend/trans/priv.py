"""System instructions: ECALL/EBREAK (unprivileged 2.8), FENCE.I (Zifencei), and the privileged
MRET/SRET/WFI/SFENCE.VMA (privileged spec 3.3 and 4.2.1).  Permission checks that depend on
run-time CSR state (TSR, TW, TVM) are done by the helpers."""
from __future__ import annotations

from rvjit.cpu.causes import Exc


def trans_ecall(ctx, a):
    ctx.call("ecall")
    ctx.b.exit(ctx.pc, ctx.icount)
    ctx.ended = True
    return True


def trans_ebreak(ctx, a):
    # 3.1.16: mtval is written with the faulting virtual address (the pc) on a breakpoint.
    return ctx.raise_exc(Exc.BREAKPOINT, ctx.pc)


def trans_fence_i(ctx, a):
    ctx.call("fence_i")
    ctx.end_block()
    return True


def trans_mret(ctx, a):
    ctx.end_block(ctx.call("mret"))
    return True


def trans_sret(ctx, a):
    ctx.end_block(ctx.call("sret"))
    return True


def trans_wfi(ctx, a):
    ctx.call("wfi")
    ctx.end_block()
    return True


# SFENCE.VMA with rs1 = x0 (every address) passes this: a register holding the same value only
# makes the helper flush more than asked, which 4.2.1 allows.
SFENCE_ALL_VADDR = 0xFFFF_FFFF_FFFF_FFFF


def trans_sfence_vma(ctx, a):
    b = ctx.b
    ctx.call("sfence_vma", b.getx(a.rs1) if a.rs1 else SFENCE_ALL_VADDR, b.getx(a.rs2))
    ctx.end_block()
    return True
