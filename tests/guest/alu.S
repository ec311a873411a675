/*
 * alu.S - RV64I integer register-register and register-immediate
 * instructions on full 64-bit values.
 * Spec: Unprivileged ISA, "RV32I Base Integer Instruction Set" ->
 * "Integer Computational Instructions", and "RV64I Base Integer Instruction
 * Set" -> "Integer Computational Instructions" (shift amounts use the low
 * 6 bits of rs2 / a 6-bit shamt; immediates are sign-extended to 64 bits).
 * Edge cases: carries out of bit 31 / 63, shifts by 0/1/31/32/63,
 * shift amounts taken from the low 6 bits only, signed vs unsigned
 * comparisons with negative numbers, sign-extended 12-bit immediates,
 * rd == rs1 / rs2, and rd = x0 (x0 must stay zero).
 */
#include "rvtest.h"

RVTEST_CODE_BEGIN
        /* ---- ADD ---- */
        TEST_RR_OP(1,  add, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000)
        TEST_RR_OP(2,  add, 0x0000000000000002, 0x0000000000000001, 0x0000000000000001)
        TEST_RR_OP(3,  add, 0x000000000000000a, 0x0000000000000003, 0x0000000000000007)
        TEST_RR_OP(4,  add, 0x0000000000000000, 0xffffffffffffffff, 0x0000000000000001)
        TEST_RR_OP(5,  add, 0x8000000000000000, 0x7fffffffffffffff, 0x0000000000000001)
        TEST_RR_OP(6,  add, 0x0000000000000000, 0x8000000000000000, 0x8000000000000000)
        TEST_RR_OP(7,  add, 0x0000000100000000, 0x00000000ffffffff, 0x0000000000000001)
        TEST_RR_OP(8,  add, 0x0000000080000000, 0x000000007fffffff, 0x0000000000000001)
        TEST_RR_OP(9,  add, 0xfffffffffffffffe, 0xffffffffffffffff, 0xffffffffffffffff)
        TEST_RR_SRC1_EQ_DEST(10, add, 24, 13, 11)
        TEST_RR_SRC2_EQ_DEST(11, add, 25, 14, 11)
        TEST_RR_SRC12_EQ_DEST(12, add, 26, 13)
        TEST_RR_ZERODEST(13, add, 16, 30)

        /* ---- SUB ---- */
        TEST_RR_OP(14, sub, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000)
        TEST_RR_OP(15, sub, 0xfffffffffffffffc, 0x0000000000000003, 0x0000000000000007)
        TEST_RR_OP(16, sub, 0x7fffffffffffffff, 0x8000000000000000, 0x0000000000000001)
        TEST_RR_OP(17, sub, 0x8000000000000000, 0x0000000000000000, 0x8000000000000000)
        TEST_RR_OP(18, sub, 0xffffffffffffffff, 0x0000000000000000, 0x0000000000000001)
        TEST_RR_OP(19, sub, 0x00000000ffffffff, 0x0000000100000000, 0x0000000000000001)
        TEST_RR_SRC12_EQ_DEST(20, sub, 0, 0x123456789abcdef0)
        TEST_RR_ZERODEST(21, sub, 5, 3)

        /* ---- SLL / SRL / SRA: shift amount is rs2[5:0] ---- */
        TEST_RR_OP(22, sll, 0x0000000000000001, 0x0000000000000001, 0)
        TEST_RR_OP(23, sll, 0x0000000000000002, 0x0000000000000001, 1)
        TEST_RR_OP(24, sll, 0x0000000080000000, 0x0000000000000001, 31)
        TEST_RR_OP(25, sll, 0x0000000100000000, 0x0000000000000001, 32)
        TEST_RR_OP(26, sll, 0x8000000000000000, 0x0000000000000001, 63)
        TEST_RR_OP(27, sll, 0x8000000000000000, 0xffffffffffffffff, 63)
        TEST_RR_OP(28, sll, 0x2121212121212121, 0x2121212121212121, 64)   /* 64 & 63 = 0 */
        TEST_RR_OP(29, sll, 0x4242424242424242, 0x2121212121212121, 0xffffffffffffffc1) /* -> 1 */
        TEST_RR_OP(30, sll, 0x8000000000000000, 0x0000000000000001, 0xffffffffffffffff) /* -> 63 */
        TEST_RR_OP(31, sll, 0x2121212100000000, 0x0000000021212121, 32)

        TEST_RR_OP(32, srl, 0x8000000000000000, 0x8000000000000000, 0)
        TEST_RR_OP(33, srl, 0x4000000000000000, 0x8000000000000000, 1)
        TEST_RR_OP(34, srl, 0x0000000100000000, 0x8000000000000000, 31)
        TEST_RR_OP(35, srl, 0x0000000080000000, 0x8000000000000000, 32)
        TEST_RR_OP(36, srl, 0x0000000000000001, 0x8000000000000000, 63)
        TEST_RR_OP(37, srl, 0x00000000ffffffff, 0xffffffffffffffff, 32)
        TEST_RR_OP(38, srl, 0x4000000000000000, 0x8000000000000000, 65)   /* -> 1 */
        TEST_RR_OP(39, srl, 0x0000000000000001, 0xffffffffffffffff, 0xffffffffffffffff)

        TEST_RR_OP(40, sra, 0x8000000000000000, 0x8000000000000000, 0)
        TEST_RR_OP(41, sra, 0xc000000000000000, 0x8000000000000000, 1)
        TEST_RR_OP(42, sra, 0xffffffff00000000, 0x8000000000000000, 31)
        TEST_RR_OP(43, sra, 0xffffffff80000000, 0x8000000000000000, 32)
        TEST_RR_OP(44, sra, 0xffffffffffffffff, 0x8000000000000000, 63)
        TEST_RR_OP(45, sra, 0x0000000000000000, 0x7fffffffffffffff, 63)
        TEST_RR_OP(46, sra, 0x3fffffffffffffff, 0x7fffffffffffffff, 1)
        TEST_RR_OP(47, sra, 0x0000000000000000, 0x00000000ffffffff, 32)   /* bit 31 is not the sign */
        TEST_RR_OP(48, sra, 0xffffffffffffffff, 0x8000000000000000, 0xffffffffffffffff)
        TEST_RR_SRC1_EQ_DEST(49, sra, 0xfffffffffffffff0, 0xffffffffffffff00, 4)
        TEST_RR_ZERODEST(50, sll, 1, 5)

        /* ---- SLT / SLTU ---- */
        TEST_RR_OP(51, slt,  0, 0x0000000000000000, 0x0000000000000000)
        TEST_RR_OP(52, slt,  1, 0x0000000000000003, 0x0000000000000007)
        TEST_RR_OP(53, slt,  0, 0x0000000000000007, 0x0000000000000003)
        TEST_RR_OP(54, slt,  1, 0xffffffffffffffff, 0x0000000000000000)
        TEST_RR_OP(55, slt,  0, 0x0000000000000000, 0xffffffffffffffff)
        TEST_RR_OP(56, slt,  1, 0x8000000000000000, 0x7fffffffffffffff)
        TEST_RR_OP(57, slt,  0, 0x7fffffffffffffff, 0x8000000000000000)
        TEST_RR_OP(58, slt,  1, 0xfffffffffffffffe, 0xffffffffffffffff)
        TEST_RR_OP(59, slt,  0, 0x0000000080000000, 0x0000000000000001) /* positive in RV64 */
        TEST_RR_SRC12_EQ_DEST(60, slt, 0, 0xffffffffffffffff)
        TEST_RR_OP(61, sltu, 0, 0x0000000000000000, 0x0000000000000000)
        TEST_RR_OP(62, sltu, 1, 0x0000000000000003, 0x0000000000000007)
        TEST_RR_OP(63, sltu, 0, 0xffffffffffffffff, 0x0000000000000000)
        TEST_RR_OP(64, sltu, 1, 0x0000000000000000, 0xffffffffffffffff)
        TEST_RR_OP(65, sltu, 0, 0x8000000000000000, 0x7fffffffffffffff)
        TEST_RR_OP(66, sltu, 1, 0x7fffffffffffffff, 0x8000000000000000)
        TEST_RR_OP(67, sltu, 1, 0x00000000ffffffff, 0x0000000100000000)
        TEST_RR_OP(68, sltu, 1, 0x0000000000000000, 0x0000000000000001)  /* snez */
        TEST_RR_ZERODEST(69, slt, 1, 2)

        /* ---- XOR / OR / AND ---- */
        TEST_RR_OP(70, xor, 0xf00ff00ff00ff00f, 0xff00ff00ff00ff00, 0x0f0f0f0f0f0f0f0f)
        TEST_RR_OP(71, xor, 0x0000000000000000, 0x123456789abcdef0, 0x123456789abcdef0)
        TEST_RR_OP(72, xor, 0xedcba9876543210f, 0x123456789abcdef0, 0xffffffffffffffff)
        TEST_RR_OP(73, or,  0xff0fff0fff0fff0f, 0xff00ff00ff00ff00, 0x0f0f0f0f0f0f0f0f)
        TEST_RR_OP(74, or,  0x8000000000000001, 0x8000000000000000, 0x0000000000000001)
        TEST_RR_OP(75, and, 0x0f000f000f000f00, 0xff00ff00ff00ff00, 0x0f0f0f0f0f0f0f0f)
        TEST_RR_OP(76, and, 0x0000000000000000, 0x8000000000000000, 0x7fffffffffffffff)
        TEST_RR_SRC12_EQ_DEST(77, xor, 0, 0xdeadbeefcafef00d)
        TEST_RR_SRC12_EQ_DEST(78, or, 0xdeadbeefcafef00d, 0xdeadbeefcafef00d)
        TEST_RR_SRC12_EQ_DEST(79, and, 0xdeadbeefcafef00d, 0xdeadbeefcafef00d)
        TEST_RR_ZERODEST(80, or, 0xff, 0xff00)

        /* ---- ADDI (12-bit immediate, sign-extended) ---- */
        TEST_IMM_OP(81, addi, 0x0000000000000000, 0x0000000000000000, 0)
        TEST_IMM_OP(82, addi, 0x00000000000007ff, 0x0000000000000000, 2047)
        TEST_IMM_OP(83, addi, 0xfffffffffffff800, 0x0000000000000000, -2048)
        TEST_IMM_OP(84, addi, 0xffffffffffffffff, 0x0000000000000000, -1)
        TEST_IMM_OP(85, addi, 0x8000000000000000, 0x7fffffffffffffff, 1)
        TEST_IMM_OP(86, addi, 0x7fffffffffffffff, 0x8000000000000000, -1)
        TEST_IMM_OP(87, addi, 0x0000000100000000, 0x00000000ffffffff, 1)
        TEST_IMM_OP(88, addi, 0x00000000000007fe, 0xffffffffffffffff, 2047)
        TEST_IMM_SRC1_EQ_DEST(89, addi, 24, 13, 11)
        TEST_IMM_ZERODEST(90, addi, 5, 7)
        TEST_CASE(91, x0, 0, addi x0, x0, 1)

        /* ---- SLTI / SLTIU (immediate sign-extended, then compared) ---- */
        TEST_IMM_OP(92,  slti,  0, 0x0000000000000000, 0)
        TEST_IMM_OP(93,  slti,  1, 0xffffffffffffffff, 0)
        TEST_IMM_OP(94,  slti,  0, 0x0000000000000000, -1)
        TEST_IMM_OP(95,  slti,  1, 0x8000000000000000, -2048)
        TEST_IMM_OP(96,  slti,  0, 0x7fffffffffffffff, 2047)
        TEST_IMM_OP(97,  slti,  1, 0xfffffffffffff7ff, -2048)
        TEST_IMM_OP(98,  sltiu, 1, 0x0000000000000000, 1)     /* seqz */
        TEST_IMM_OP(99,  sltiu, 0, 0x0000000000000001, 1)
        TEST_IMM_OP(100, sltiu, 1, 0xfffffffffffffffe, -1)    /* vs 0xffff...ffff */
        TEST_IMM_OP(101, sltiu, 0, 0xffffffffffffffff, -1)
        TEST_IMM_OP(102, sltiu, 1, 0x7fffffffffffffff, -2048) /* vs 0xffff...f800 */
        TEST_IMM_OP(103, sltiu, 0, 0x0000000000000800, 2047)
        TEST_IMM_ZERODEST(104, slti, -1, 0)

        /* ---- XORI / ORI / ANDI ---- */
        TEST_IMM_OP(105, xori, 0xedcba9876543210f, 0x123456789abcdef0, -1)  /* not */
        TEST_IMM_OP(106, xori, 0x00ff00ff00ff0000, 0x00ff00ff00ff00ff, 0x0ff)
        TEST_IMM_OP(107, xori, 0xff00ff00ff00fe0b, 0x00ff00ff00ff00ff, -0x10c) /* imm = 0x..fef4 */
        TEST_IMM_OP(108, ori,  0xfffffffffffff800, 0x0000000000000000, -2048)
        TEST_IMM_OP(109, ori,  0x00000000000007ff, 0x0000000000000000, 2047)
        TEST_IMM_OP(110, ori,  0x80000000000000f0, 0x8000000000000000, 0xf0)
        TEST_IMM_OP(111, andi, 0x123456789abcdef0, 0x123456789abcdef0, -1)
        TEST_IMM_OP(112, andi, 0x00000000000006f0, 0x123456789abcdef0, 2047)
        TEST_IMM_OP(113, andi, 0x123456789abcd800, 0x123456789abcdef0, -2048)
        TEST_IMM_SRC1_EQ_DEST(114, ori, 0xff0f, 0xff00, 0xf)
        TEST_IMM_ZERODEST(115, xori, 1, 2)

        /* ---- SLLI / SRLI / SRAI (6-bit shamt in RV64) ---- */
        TEST_IMM_OP(116, slli, 0x0000000000000001, 0x0000000000000001, 0)
        TEST_IMM_OP(117, slli, 0x0000000000000002, 0x0000000000000001, 1)
        TEST_IMM_OP(118, slli, 0x0000000080000000, 0x0000000000000001, 31)
        TEST_IMM_OP(119, slli, 0x0000000100000000, 0x0000000000000001, 32)
        TEST_IMM_OP(120, slli, 0x8000000000000000, 0x0000000000000001, 63)
        TEST_IMM_OP(121, slli, 0xf0f0f0f000000000, 0xfffffffff0f0f0f0, 32)
        TEST_IMM_OP(122, srli, 0x8000000000000000, 0x8000000000000000, 0)
        TEST_IMM_OP(123, srli, 0x4000000000000000, 0x8000000000000000, 1)
        TEST_IMM_OP(124, srli, 0x0000000100000000, 0x8000000000000000, 31)
        TEST_IMM_OP(125, srli, 0x00000000ffffffff, 0xffffffffffffffff, 32)
        TEST_IMM_OP(126, srli, 0x0000000000000001, 0xffffffffffffffff, 63)
        TEST_IMM_OP(127, srai, 0x8000000000000000, 0x8000000000000000, 0)
        TEST_IMM_OP(128, srai, 0xc000000000000000, 0x8000000000000000, 1)
        TEST_IMM_OP(129, srai, 0xffffffff00000000, 0x8000000000000000, 31)
        TEST_IMM_OP(130, srai, 0xffffffff80000000, 0x8000000000000000, 32)
        TEST_IMM_OP(131, srai, 0xffffffffffffffff, 0x8000000000000000, 63)
        TEST_IMM_OP(132, srai, 0x0000000000000000, 0x7fffffffffffffff, 63)
        TEST_IMM_OP(133, srai, 0x0000000000000000, 0x0000000080000000, 32)
        TEST_IMM_SRC1_EQ_DEST(134, srai, 0xffffffffffffffff, 0xf000000000000000, 62)
        TEST_IMM_ZERODEST(135, slli, 1, 3)

        /* ---- results written to x0 are discarded by every op ---- */
        TEST_CASE(136, x0, 0, li a1, -1; sub x0, x0, a1; srai x0, a1, 1)
        /* a NOP (ADDI x0, x0, 0) changes nothing */
        TEST_CASE(137, a1, 0x55, li a1, 0x55; nop; nop)

        RVTEST_PASS
