"""Zicsr (unprivileged spec, chapter 7).  The CSR table and its access rules are in the native
runtime (native/csr.c); the translator only encodes which of the read and the write happen:
CSRRW/CSRRWI with rd=x0 do not read, CSRRS/CSRRC with rs1=x0 (or uimm=0) do not write."""
from __future__ import annotations

from rvjit.ir import helpers as H


def _csr(ctx, a, op: int, imm: bool) -> bool:
    b = ctx.b
    read = a.rd != 0 or op != H.CSR_OP_RW
    write = op == H.CSR_OP_RW or a.rs1 != 0
    src = a.rs1 if imm else b.getx(a.rs1)
    word = a.csr | (op << 12) | (int(read) << 14) | (int(write) << 15) | (ctx.icount << 16)
    b.setx(a.rd, ctx.call("csr", word, src))
    # A CSR access can change what the translator depends on (privilege, MMU, FS) or unmask an
    # interrupt: the block ends here.
    ctx.end_block()
    return True


def trans_csrrw(ctx, a):
    return _csr(ctx, a, H.CSR_OP_RW, False)


def trans_csrrs(ctx, a):
    return _csr(ctx, a, H.CSR_OP_RS, False)


def trans_csrrc(ctx, a):
    return _csr(ctx, a, H.CSR_OP_RC, False)


def trans_csrrwi(ctx, a):
    return _csr(ctx, a, H.CSR_OP_RW, True)


def trans_csrrsi(ctx, a):
    return _csr(ctx, a, H.CSR_OP_RS, True)


def trans_csrrci(ctx, a):
    return _csr(ctx, a, H.CSR_OP_RC, True)
