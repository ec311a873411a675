"""RV64I (unprivileged spec, chapters 2 "RV32I" and 4 "RV64I")."""
from __future__ import annotations

from rvjit.frontend.fields import Args
from rvjit.frontend.translate import DisasContext
from rvjit.ir.ops import (
    ADD,
    AND,
    EQ,
    GE,
    GEU,
    LT,
    LTU,
    MOV,
    NE,
    OR,
    SAR,
    SEXT32,
    SHL,
    SHR,
    SUB,
    XOR,
    ZEXT32,
    Op,
)

MASK64 = 0xFFFF_FFFF_FFFF_FFFF


# -- 2.4 Integer computational instructions ----------------------------------------------------

def _op_imm(ctx: DisasContext, a: Args, op: Op) -> bool:
    b = ctx.b
    b.setx(a.rd, b.binop(op, b.getx(a.rs1), a.imm & MASK64))
    return True


def _op_reg(ctx: DisasContext, a: Args, op: Op) -> bool:
    b = ctx.b
    b.setx(a.rd, b.binop(op, b.getx(a.rs1), b.getx(a.rs2)))
    return True


def _op_reg_w(ctx: DisasContext, a: Args, op: Op, prep: Op = MOV) -> bool:
    """32-bit operation on RV64 (4.2): operands prepared by `prep`, result sign-extended."""
    b = ctx.b
    x, y = b.getx(a.rs1), b.getx(a.rs2)
    if op in (SHL, SHR, SAR):
        y = b.binop(AND, y, 31)
    b.setx(a.rd, b.unop(SEXT32, b.binop(op, b.unop(prep, x), y)))
    return True


def trans_addi(ctx, a):
    return _op_imm(ctx, a, ADD)


def trans_slti(ctx, a):
    return _op_imm(ctx, a, LT)


def trans_sltiu(ctx, a):
    return _op_imm(ctx, a, LTU)


def trans_xori(ctx, a):
    return _op_imm(ctx, a, XOR)


def trans_ori(ctx, a):
    return _op_imm(ctx, a, OR)


def trans_andi(ctx, a):
    return _op_imm(ctx, a, AND)


def trans_slli(ctx, a):
    return _op_imm(ctx, a, SHL)


def trans_srli(ctx, a):
    return _op_imm(ctx, a, SHR)


def trans_srai(ctx, a):
    return _op_imm(ctx, a, SAR)


def trans_lui(ctx, a):
    ctx.b.setx(a.rd, a.imm & MASK64)
    return True


def trans_auipc(ctx, a):
    ctx.b.setx(a.rd, (ctx.pc + a.imm) & MASK64)
    return True


def trans_add(ctx, a):
    return _op_reg(ctx, a, ADD)


def trans_sub(ctx, a):
    return _op_reg(ctx, a, SUB)


def trans_sll(ctx, a):
    return _op_reg(ctx, a, SHL)


def trans_slt(ctx, a):
    return _op_reg(ctx, a, LT)


def trans_sltu(ctx, a):
    return _op_reg(ctx, a, LTU)


def trans_xor(ctx, a):
    return _op_reg(ctx, a, XOR)


def trans_srl(ctx, a):
    return _op_reg(ctx, a, SHR)


def trans_sra(ctx, a):
    return _op_reg(ctx, a, SAR)


def trans_or(ctx, a):
    return _op_reg(ctx, a, OR)


def trans_and(ctx, a):
    return _op_reg(ctx, a, AND)


def trans_addiw(ctx, a):
    b = ctx.b
    b.setx(a.rd, b.unop(SEXT32, b.binop(ADD, b.getx(a.rs1), a.imm & MASK64)))
    return True


def _shift_imm_w(ctx: DisasContext, a: Args, op: Op, prep: Op) -> bool:
    b = ctx.b
    b.setx(a.rd, b.unop(SEXT32, b.binop(op, b.unop(prep, b.getx(a.rs1)), a.imm)))
    return True


def trans_slliw(ctx, a):
    return _shift_imm_w(ctx, a, SHL, MOV)


def trans_srliw(ctx, a):
    return _shift_imm_w(ctx, a, SHR, ZEXT32)


def trans_sraiw(ctx, a):
    return _shift_imm_w(ctx, a, SAR, SEXT32)


def trans_addw(ctx, a):
    return _op_reg_w(ctx, a, ADD)


def trans_subw(ctx, a):
    return _op_reg_w(ctx, a, SUB)


def trans_sllw(ctx, a):
    return _op_reg_w(ctx, a, SHL)


def trans_srlw(ctx, a):
    return _op_reg_w(ctx, a, SHR, ZEXT32)


def trans_sraw(ctx, a):
    return _op_reg_w(ctx, a, SAR, SEXT32)


# -- 2.5 Control transfer instructions ---------------------------------------------------------

def trans_jal(ctx, a):
    ctx.b.setx(a.rd, ctx.next_pc)
    ctx.end_block((ctx.pc + a.imm) & MASK64)
    return True


def trans_jalr(ctx, a):
    b = ctx.b
    target = b.binop(AND, b.binop(ADD, b.getx(a.rs1), a.imm & MASK64), MASK64 - 1)
    b.setx(a.rd, ctx.next_pc)   # after reading rs1: rd may equal rs1
    ctx.end_block(target)
    return True


def _branch(ctx: DisasContext, a: Args, op: Op) -> bool:
    b = ctx.b
    taken = b.new_label()
    b.brcond(b.binop(op, b.getx(a.rs1), b.getx(a.rs2)), taken)
    b.exit(ctx.next_pc, ctx.icount + 1)
    b.label(taken)
    ctx.end_block((ctx.pc + a.imm) & MASK64)
    return True


def trans_beq(ctx, a):
    return _branch(ctx, a, EQ)


def trans_bne(ctx, a):
    return _branch(ctx, a, NE)


def trans_blt(ctx, a):
    return _branch(ctx, a, LT)


def trans_bge(ctx, a):
    return _branch(ctx, a, GE)


def trans_bltu(ctx, a):
    return _branch(ctx, a, LTU)


def trans_bgeu(ctx, a):
    return _branch(ctx, a, GEU)


# -- 2.6 Load and store instructions -----------------------------------------------------------

def _load(ctx: DisasContext, a: Args, size: int, signed: bool) -> bool:
    b = ctx.b
    addr = b.binop(ADD, b.getx(a.rs1), a.imm & MASK64)
    b.setx(a.rd, b.ld(addr, size, signed, ctx.pc, ctx.icount))
    return True


def _store(ctx: DisasContext, a: Args, size: int) -> bool:
    b = ctx.b
    addr = b.binop(ADD, b.getx(a.rs1), a.imm & MASK64)
    b.st(addr, b.getx(a.rs2), size, ctx.pc, ctx.icount)
    return True


def trans_lb(ctx, a):
    return _load(ctx, a, 1, True)


def trans_lh(ctx, a):
    return _load(ctx, a, 2, True)


def trans_lw(ctx, a):
    return _load(ctx, a, 4, True)


def trans_ld(ctx, a):
    return _load(ctx, a, 8, True)


def trans_lbu(ctx, a):
    return _load(ctx, a, 1, False)


def trans_lhu(ctx, a):
    return _load(ctx, a, 2, False)


def trans_lwu(ctx, a):
    return _load(ctx, a, 4, False)


def trans_sb(ctx, a):
    return _store(ctx, a, 1)


def trans_sh(ctx, a):
    return _store(ctx, a, 2)


def trans_sw(ctx, a):
    return _store(ctx, a, 4)


def trans_sd(ctx, a):
    return _store(ctx, a, 8)


# -- 2.7 Memory ordering: harts run interleaved in one host thread, so FENCE orders nothing
# further; it is a no-op.

def trans_fence(ctx, a):
    return True
