/*
 * alu_w.S - RV64I 32-bit ("W") operations, LUI and AUIPC.
 * Spec: Unprivileged ISA, "RV64I Base Integer Instruction Set" ->
 * "Integer Computational Instructions": ADDW/SUBW/SLLW/SRLW/SRAW and
 * ADDIW/SLLIW/SRLIW/SRAIW ignore the upper 32 bits of their inputs,
 * operate on 32 bits, and sign-extend the 32-bit result to 64 bits
 * (even for SRLW/SRLIW by 0); shift amounts use 5 bits.  LUI places a
 * 20-bit immediate in bits 31:12 and sign-extends bit 31 to 64 bits;
 * AUIPC adds that same value to the address of the AUIPC itself.
 */
#include "rvtest.h"

RVTEST_CODE_BEGIN
        /* ---- ADDW / SUBW ---- */
        TEST_RR_OP(1,  addw, 0x0000000000000003, 0x0000000000000001, 0x0000000000000002)
        TEST_RR_OP(2,  addw, 0xffffffff80000000, 0x000000007fffffff, 0x0000000000000001)
        TEST_RR_OP(3,  addw, 0x0000000000000000, 0x00000000ffffffff, 0x0000000000000001)
        TEST_RR_OP(4,  addw, 0x0000000000000003, 0x1234567800000001, 0xabcdef0000000002)
        TEST_RR_OP(5,  addw, 0x000000007fffffff, 0x0000000080000000, 0xffffffffffffffff)
        TEST_RR_OP(6,  addw, 0xfffffffffffffffe, 0xffffffffffffffff, 0xffffffffffffffff)
        TEST_RR_SRC12_EQ_DEST(7, addw, 0x0000000000000000, 0x0000000080000000)
        TEST_RR_ZERODEST(8, addw, 1, 2)
        TEST_RR_OP(9,  subw, 0xffffffffffffffff, 0x0000000000000000, 0x0000000000000001)
        TEST_RR_OP(10, subw, 0x000000007fffffff, 0x0000000080000000, 0x0000000000000001)
        TEST_RR_OP(11, subw, 0xffffffff80000000, 0x0000000000000000, 0x0000000080000000)
        TEST_RR_OP(12, subw, 0x0000000000000000, 0x0000000100000000, 0x0000000000000000)
        TEST_RR_OP(13, subw, 0x0000000000000001, 0xffffffff00000002, 0x0000000000000001)
        TEST_RR_SRC1_EQ_DEST(14, subw, 0xfffffffffffffff6, 5, 15)

        /* ---- SLLW / SRLW / SRAW: shift amount is rs2[4:0] ---- */
        TEST_RR_OP(15, sllw, 0x0000000000000001, 0x0000000000000001, 0)
        TEST_RR_OP(16, sllw, 0xffffffff80000000, 0x0000000000000001, 31)
        TEST_RR_OP(17, sllw, 0x0000000000000001, 0x0000000000000001, 32)  /* -> 0 */
        TEST_RR_OP(18, sllw, 0x0000000000000002, 0x0000000000000001, 33)  /* -> 1 */
        TEST_RR_OP(19, sllw, 0xffffffffffffffff, 0x00000000ffffffff, 0)
        TEST_RR_OP(20, sllw, 0x0000000000000001, 0x0000000100000001, 0)
        TEST_RR_OP(21, sllw, 0x0000000012121210, 0xffffffff81212121, 4)
        TEST_RR_OP(22, srlw, 0xffffffff80000000, 0x0000000080000000, 0)   /* sign-extended! */
        TEST_RR_OP(23, srlw, 0x0000000040000000, 0x0000000080000000, 1)
        TEST_RR_OP(24, srlw, 0x0000000000000001, 0x0000000080000000, 31)
        TEST_RR_OP(25, srlw, 0x0000000000000000, 0xffffffff00000000, 4)
        TEST_RR_OP(26, srlw, 0x0000000040000000, 0x0000000080000000, 33)  /* -> 1 */
        TEST_RR_OP(27, srlw, 0x000000000fffffff, 0xffffffffffffffff, 0xffffffffffffffe4) /* -> 4 */
        TEST_RR_OP(28, sraw, 0xffffffffc0000000, 0x0000000080000000, 1)
        TEST_RR_OP(29, sraw, 0xffffffffffffffff, 0x0000000080000000, 31)
        TEST_RR_OP(30, sraw, 0x0000000000000000, 0x000000007fffffff, 31)
        TEST_RR_OP(31, sraw, 0xffffffff80000000, 0x1234567880000000, 0)
        TEST_RR_OP(32, sraw, 0x0000000000000001, 0xffffffff7fffffff, 62)  /* -> 30 */
        TEST_RR_OP(33, sraw, 0xfffffffff8000000, 0x0000000080000000, 36)  /* -> 4 */
        TEST_RR_ZERODEST(34, sraw, -1, 1)

        /* ---- ADDIW ---- */
        TEST_IMM_OP(35, addiw, 0xffffffff80000000, 0x000000007fffffff, 1)
        TEST_IMM_OP(36, addiw, 0xffffffff9abcdef0, 0x123456789abcdef0, 0)  /* sext.w */
        TEST_IMM_OP(37, addiw, 0x000000001abcdef0, 0xffffffff1abcdef0, 0)
        TEST_IMM_OP(38, addiw, 0xffffffffffffffff, 0x0000000000000000, -1)
        TEST_IMM_OP(39, addiw, 0x000000007ffff800, 0x0000000080000000, -2048)
        TEST_IMM_OP(40, addiw, 0x0000000000000000, 0x00000000ffffffff, 1)
        TEST_IMM_OP(41, addiw, 0x00000000000007fe, 0xffffffffffffffff, 2047)
        TEST_IMM_SRC1_EQ_DEST(42, addiw, 0xffffffff80000001, 0x0000000080000000, 1)
        TEST_IMM_ZERODEST(43, addiw, 1, 1)

        /* ---- SLLIW / SRLIW / SRAIW (5-bit shamt) ---- */
        TEST_IMM_OP(44, slliw, 0x0000000000000001, 0x0000000000000001, 0)
        TEST_IMM_OP(45, slliw, 0xffffffff80000000, 0x0000000000000001, 31)
        TEST_IMM_OP(46, slliw, 0xffffffff80000000, 0x0000000180000000, 0)
        TEST_IMM_OP(47, slliw, 0x0000000000000000, 0xffffffff80000000, 1)
        TEST_IMM_OP(48, slliw, 0x0000000024242424, 0x0000000092121212, 1)
        TEST_IMM_OP(49, srliw, 0xffffffff80000000, 0xffffffff80000000, 0)
        TEST_IMM_OP(50, srliw, 0xffffffff80000000, 0x0000000080000000, 0)
        TEST_IMM_OP(51, srliw, 0x0000000040000000, 0x0000000080000000, 1)
        TEST_IMM_OP(52, srliw, 0x0000000000000001, 0x0000000080000000, 31)
        TEST_IMM_OP(53, srliw, 0x0000000000000000, 0xffffffff00000000, 31)
        TEST_IMM_OP(54, sraiw, 0xffffffff80000000, 0x0000000180000000, 0)
        TEST_IMM_OP(55, sraiw, 0xffffffffc0000000, 0x0000000080000000, 1)
        TEST_IMM_OP(56, sraiw, 0xffffffffffffffff, 0x0000000080000000, 31)
        TEST_IMM_OP(57, sraiw, 0x0000000000000000, 0xffffffff7fffffff, 31)
        TEST_IMM_OP(58, sraiw, 0x0000000000ffffff, 0xffffffff7fffffff, 7)
        TEST_IMM_SRC1_EQ_DEST(59, sraiw, 0xfffffffffffffff8, 0x00000000ffffff80, 4)
        TEST_IMM_ZERODEST(60, srliw, -1, 1)

        /* ---- LUI: imm[31:12], bit 31 sign-extended ---- */
        TEST_CASE(61, a4, 0x0000000000000000, lui a4, 0)
        TEST_CASE(62, a4, 0x0000000000001000, lui a4, 1)
        TEST_CASE(63, a4, 0x000000007ffff000, lui a4, 0x7ffff)
        TEST_CASE(64, a4, 0xffffffff80000000, lui a4, 0x80000)
        TEST_CASE(65, a4, 0xfffffffffffff000, lui a4, 0xfffff)
        TEST_CASE(66, a4, 0x0000000012345678, lui a4, 0x12345; addi a4, a4, 0x678)
        TEST_CASE(67, a4, 0xffffffff80000800, lui a4, 0x80001; addi a4, a4, -0x800)
        TEST_CASE(68, x0, 0, lui x0, 0x80000)

        /* ---- AUIPC: pc + sext(imm << 12) ---- */
        li TESTNUM, 69
1:      auipc a4, 0
        la a1, 1b
        RVTEST_CHECK_EQ(a4, a1)

        li TESTNUM, 70
1:      auipc a4, 1
        la a1, 1b
        li a2, 0x1000
        add a1, a1, a2
        RVTEST_CHECK_EQ(a4, a1)

        li TESTNUM, 71          /* top bit set: subtracts 2^31 */
1:      auipc a4, 0x80000
        la a1, 1b
        li a2, 0xffffffff80000000
        add a1, a1, a2
        RVTEST_CHECK_EQ(a4, a1)

        li TESTNUM, 72          /* -4096 */
1:      auipc a4, 0xfffff
        la a1, 1b
        addi a1, a1, -2048
        addi a1, a1, -2048
        RVTEST_CHECK_EQ(a4, a1)

        li TESTNUM, 73          /* AUIPC + ADDI reaches a data symbol */
1:      auipc a4, %pcrel_hi(wdata)
        addi a4, a4, %pcrel_lo(1b)
        ld a4, 0(a4)
        RVTEST_CHECK(a4, 0x0123456789abcdef)

        TEST_CASE(74, x0, 0, auipc x0, 0x12345)

        RVTEST_PASS

        .data
        .balign 8
wdata:  .dword 0x0123456789abcdef
