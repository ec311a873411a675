/*
 * muldiv.S - M extension: MUL, MULH, MULHU, MULHSU, MULW, DIV, DIVU,
 * REM, REMU, DIVW, DIVUW, REMW, REMUW.
 * Spec: Unprivileged ISA, "M Extension for Integer Multiplication and
 * Division" -> "Multiplication Operations" (MULH* return the upper 64 bits
 * of the 128-bit product with the stated signedness; MULW multiplies the
 * low 32 bits and sign-extends the low 32 bits of the result) and
 * "Division Operations" (division rounds towards zero; the remainder has
 * the sign of the dividend; division by zero gives quotient all ones and
 * remainder = dividend; overflow MIN / -1 gives quotient MIN and remainder
 * 0; no exception is ever raised; W forms use the low 32 bits of their
 * operands and sign-extend the 32-bit result, including DIVUW/REMUW).
 * The expected values were computed independently from those rules.
 */
#include "rvtest.h"

RVTEST_CODE_BEGIN

        /* ---- MUL ---- */
        TEST_RR_OP(1, mul, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000)
        TEST_RR_OP(2, mul, 0x0000000000000015, 0x0000000000000003, 0x0000000000000007)
        TEST_RR_OP(3, mul, 0x0000000000000001, 0xffffffffffffffff, 0xffffffffffffffff)
        TEST_RR_OP(4, mul, 0xffffffffffffffeb, 0xfffffffffffffffd, 0x0000000000000007)
        TEST_RR_OP(5, mul, 0xfffffffffffffffe, 0x7fffffffffffffff, 0x0000000000000002)
        TEST_RR_OP(6, mul, 0x8000000000000000, 0x8000000000000000, 0xffffffffffffffff)
        TEST_RR_OP(7, mul, 0x2236d88fe5618cf0, 0x123456789abcdef0, 0x0fedcba987654321)
        TEST_RR_OP(8, mul, 0xfffffffe00000001, 0x00000000ffffffff, 0x00000000ffffffff)

        /* ---- MULH ---- */
        TEST_RR_OP(9, mulh, 0x0000000000000000, 0x0000000000000003, 0x0000000000000007)
        TEST_RR_OP(10, mulh, 0x0000000000000000, 0xffffffffffffffff, 0xffffffffffffffff)
        TEST_RR_OP(11, mulh, 0xffffffffffffffff, 0xffffffffffffffff, 0x0000000000000001)
        TEST_RR_OP(12, mulh, 0x4000000000000000, 0x8000000000000000, 0x8000000000000000)
        TEST_RR_OP(13, mulh, 0x3fffffffffffffff, 0x7fffffffffffffff, 0x7fffffffffffffff)
        TEST_RR_OP(14, mulh, 0xc000000000000000, 0x8000000000000000, 0x7fffffffffffffff)
        TEST_RR_OP(15, mulh, 0xffffffffffffffff, 0x123456789abcdef0, 0xfffffffffffffffe)
        TEST_RR_OP(16, mulh, 0x0000000000000001, 0x0000000100000000, 0x0000000100000000)

        /* ---- MULHU ---- */
        TEST_RR_OP(17, mulhu, 0xfffffffffffffffe, 0xffffffffffffffff, 0xffffffffffffffff)
        TEST_RR_OP(18, mulhu, 0x0000000000000000, 0xffffffffffffffff, 0x0000000000000001)
        TEST_RR_OP(19, mulhu, 0x0000000000000001, 0xffffffffffffffff, 0x0000000000000002)
        TEST_RR_OP(20, mulhu, 0x0000000000000001, 0x8000000000000000, 0x0000000000000002)
        TEST_RR_OP(21, mulhu, 0x0000000000000001, 0x0000000100000000, 0x0000000100000000)
        TEST_RR_OP(22, mulhu, 0x121fa00ad77d7422, 0x123456789abcdef0, 0xfedcba9876543210)

        /* ---- MULHSU ---- */
        TEST_RR_OP(23, mulhsu, 0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffff)
        TEST_RR_OP(24, mulhsu, 0xffffffffffffffff, 0xffffffffffffffff, 0x0000000000000001)
        TEST_RR_OP(25, mulhsu, 0x0000000000000000, 0x0000000000000001, 0xffffffffffffffff)
        TEST_RR_OP(26, mulhsu, 0x8000000000000000, 0x8000000000000000, 0xffffffffffffffff)
        TEST_RR_OP(27, mulhsu, 0x7ffffffffffffffe, 0x7fffffffffffffff, 0xffffffffffffffff)
        TEST_RR_OP(28, mulhsu, 0xffffffffffffffff, 0xfffffffffffffffe, 0x8000000000000000)
        TEST_RR_OP(29, mulhsu, 0x121fa00ad77d7422, 0x123456789abcdef0, 0xfedcba9876543210)

        /* ---- MULW ---- */
        TEST_RR_OP(30, mulw, 0x0000000000000015, 0x0000000000000003, 0x0000000000000007)
        TEST_RR_OP(31, mulw, 0xfffffffffffffffe, 0x000000007fffffff, 0x0000000000000002)
        TEST_RR_OP(32, mulw, 0xffffffff80000000, 0x0000000000010000, 0x0000000000008000)
        TEST_RR_OP(33, mulw, 0x000000000000000f, 0x1234567800000003, 0xabcdef0000000005)
        TEST_RR_OP(34, mulw, 0x0000000000000001, 0xffffffffffffffff, 0xffffffffffffffff)
        TEST_RR_OP(35, mulw, 0x0000000000000001, 0x00000000ffffffff, 0x00000000ffffffff)
        TEST_RR_OP(36, mulw, 0xffffffff80000000, 0x0000000080000000, 0xffffffffffffffff)

        /* ---- DIV ---- */
        TEST_RR_OP(37, div, 0x0000000000000003, 0x0000000000000014, 0x0000000000000006)
        TEST_RR_OP(38, div, 0xfffffffffffffffd, 0xffffffffffffffec, 0x0000000000000006)
        TEST_RR_OP(39, div, 0xfffffffffffffffd, 0x0000000000000014, 0xfffffffffffffffa)
        TEST_RR_OP(40, div, 0x0000000000000003, 0xffffffffffffffec, 0xfffffffffffffffa)
        TEST_RR_OP(41, div, 0x8000000000000000, 0x8000000000000000, 0x0000000000000001)
        TEST_RR_OP(42, div, 0x8000000000000000, 0x8000000000000000, 0xffffffffffffffff)
        TEST_RR_OP(43, div, 0xffffffffffffffff, 0x8000000000000000, 0x0000000000000000)
        TEST_RR_OP(44, div, 0xffffffffffffffff, 0x0000000000000001, 0x0000000000000000)
        TEST_RR_OP(45, div, 0xffffffffffffffff, 0xffffffffffffffff, 0x0000000000000000)
        TEST_RR_OP(46, div, 0xffffffffffffffff, 0x0000000000000000, 0x0000000000000000)
        TEST_RR_OP(47, div, 0x8000000000000001, 0x7fffffffffffffff, 0xffffffffffffffff)

        /* ---- DIVU ---- */
        TEST_RR_OP(48, divu, 0x0000000000000003, 0x0000000000000014, 0x0000000000000006)
        TEST_RR_OP(49, divu, 0x2aaaaaaaaaaaaaa7, 0xffffffffffffffec, 0x0000000000000006)
        TEST_RR_OP(50, divu, 0x0000000000000000, 0x0000000000000014, 0xfffffffffffffffa)
        TEST_RR_OP(51, divu, 0x0000000000000001, 0xffffffffffffffff, 0xffffffffffffffff)
        TEST_RR_OP(52, divu, 0x0000000000000000, 0x8000000000000000, 0xffffffffffffffff)
        TEST_RR_OP(53, divu, 0xffffffffffffffff, 0x8000000000000000, 0x0000000000000000)
        TEST_RR_OP(54, divu, 0xffffffffffffffff, 0x0000000000000001, 0x0000000000000000)
        TEST_RR_OP(55, divu, 0xffffffffffffffff, 0x0000000000000000, 0x0000000000000000)

        /* ---- REM ---- */
        TEST_RR_OP(56, rem, 0x0000000000000002, 0x0000000000000014, 0x0000000000000006)
        TEST_RR_OP(57, rem, 0xfffffffffffffffe, 0xffffffffffffffec, 0x0000000000000006)
        TEST_RR_OP(58, rem, 0x0000000000000002, 0x0000000000000014, 0xfffffffffffffffa)
        TEST_RR_OP(59, rem, 0xfffffffffffffffe, 0xffffffffffffffec, 0xfffffffffffffffa)
        TEST_RR_OP(60, rem, 0x0000000000000000, 0x8000000000000000, 0x0000000000000001)
        TEST_RR_OP(61, rem, 0x0000000000000000, 0x8000000000000000, 0xffffffffffffffff)
        TEST_RR_OP(62, rem, 0x8000000000000000, 0x8000000000000000, 0x0000000000000000)
        TEST_RR_OP(63, rem, 0x0000000000000001, 0x0000000000000001, 0x0000000000000000)
        TEST_RR_OP(64, rem, 0xfffffffffffffff9, 0xfffffffffffffff9, 0x0000000000000000)
        TEST_RR_OP(65, rem, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000)

        /* ---- REMU ---- */
        TEST_RR_OP(66, remu, 0x0000000000000002, 0x0000000000000014, 0x0000000000000006)
        TEST_RR_OP(67, remu, 0x0000000000000002, 0xffffffffffffffec, 0x0000000000000006)
        TEST_RR_OP(68, remu, 0x0000000000000014, 0x0000000000000014, 0xfffffffffffffffa)
        TEST_RR_OP(69, remu, 0x0000000000000000, 0xffffffffffffffff, 0xffffffffffffffff)
        TEST_RR_OP(70, remu, 0x8000000000000000, 0x8000000000000000, 0xffffffffffffffff)
        TEST_RR_OP(71, remu, 0x8000000000000000, 0x8000000000000000, 0x0000000000000000)
        TEST_RR_OP(72, remu, 0x0000000000000001, 0x0000000000000001, 0x0000000000000000)
        TEST_RR_OP(73, remu, 0xfffffffffffffff9, 0xfffffffffffffff9, 0x0000000000000000)

        /* ---- DIVW ---- */
        TEST_RR_OP(74, divw, 0x0000000000000003, 0x0000000000000014, 0x0000000000000006)
        TEST_RR_OP(75, divw, 0xfffffffffffffffd, 0xffffffffffffffec, 0x0000000000000006)
        TEST_RR_OP(76, divw, 0xfffffffffffffffd, 0x0000000000000014, 0xfffffffffffffffa)
        TEST_RR_OP(77, divw, 0x0000000000000003, 0xffffffffffffffec, 0xfffffffffffffffa)
        TEST_RR_OP(78, divw, 0xffffffff80000000, 0x0000000080000000, 0xffffffffffffffff)
        TEST_RR_OP(79, divw, 0xffffffff80000000, 0xffffffff80000000, 0xffffffffffffffff)
        TEST_RR_OP(80, divw, 0xffffffffffffffff, 0x0000000080000000, 0x0000000000000000)
        TEST_RR_OP(81, divw, 0xffffffffffffffff, 0x0000000000000001, 0x0000000000000000)
        TEST_RR_OP(82, divw, 0x0000000000000003, 0x1234567800000014, 0xabcdef0000000006)
        TEST_RR_OP(83, divw, 0xffffffff80000000, 0x0000000080000000, 0x0000000000000001)
        TEST_RR_OP(84, divw, 0xffffffffffffffff, 0x0000000100000000, 0x0000000000000000)

        /* ---- DIVUW ---- */
        TEST_RR_OP(85, divuw, 0x0000000000000003, 0x0000000000000014, 0x0000000000000006)
        TEST_RR_OP(86, divuw, 0x000000002aaaaaa7, 0xffffffffffffffec, 0x0000000000000006)
        TEST_RR_OP(87, divuw, 0x0000000000000000, 0x0000000000000014, 0xfffffffffffffffa)
        TEST_RR_OP(88, divuw, 0xffffffff80000000, 0x0000000080000000, 0x0000000000000001)
        TEST_RR_OP(89, divuw, 0xffffffffffffffff, 0x0000000080000000, 0x0000000000000000)
        TEST_RR_OP(90, divuw, 0xffffffffffffffff, 0x0000000000000001, 0x0000000000000000)
        TEST_RR_OP(91, divuw, 0xffffffffffffffff, 0x00000000ffffffff, 0x0000000000000001)
        TEST_RR_OP(92, divuw, 0x0000000000000003, 0x1234567800000014, 0xabcdef0000000006)
        TEST_RR_OP(93, divuw, 0x000000007fffffff, 0x00000000fffffffe, 0x0000000000000002)

        /* ---- REMW ---- */
        TEST_RR_OP(94, remw, 0x0000000000000002, 0x0000000000000014, 0x0000000000000006)
        TEST_RR_OP(95, remw, 0xfffffffffffffffe, 0xffffffffffffffec, 0x0000000000000006)
        TEST_RR_OP(96, remw, 0x0000000000000002, 0x0000000000000014, 0xfffffffffffffffa)
        TEST_RR_OP(97, remw, 0xfffffffffffffffe, 0xffffffffffffffec, 0xfffffffffffffffa)
        TEST_RR_OP(98, remw, 0x0000000000000000, 0x0000000080000000, 0xffffffffffffffff)
        TEST_RR_OP(99, remw, 0xffffffff80000000, 0x0000000080000000, 0x0000000000000000)
        TEST_RR_OP(100, remw, 0x0000000000000001, 0x0000000000000001, 0x0000000000000000)
        TEST_RR_OP(101, remw, 0xffffffff80000005, 0x0000000180000005, 0x0000000000000000)
        TEST_RR_OP(102, remw, 0xffffffffffffffff, 0xffffffff80000001, 0x1000000000000007)

        /* ---- REMUW ---- */
        TEST_RR_OP(103, remuw, 0x0000000000000002, 0x0000000000000014, 0x0000000000000006)
        TEST_RR_OP(104, remuw, 0x0000000000000002, 0xffffffffffffffec, 0x0000000000000006)
        TEST_RR_OP(105, remuw, 0x0000000000000014, 0x0000000000000014, 0xfffffffffffffffa)
        TEST_RR_OP(106, remuw, 0xffffffff80000000, 0x0000000080000000, 0x0000000000000000)
        TEST_RR_OP(107, remuw, 0x0000000000000001, 0x0000000000000001, 0x0000000000000000)
        TEST_RR_OP(108, remuw, 0xffffffff80000005, 0x0000000180000005, 0x0000000000000000)
        TEST_RR_OP(109, remuw, 0x000000000000ffff, 0x0000000fffffffff, 0x0000000000010000)
        TEST_RR_OP(110, remuw, 0x0000000000000007, 0x0000000080000007, 0x0000000080000000)
        TEST_RR_SRC1_EQ_DEST(111, mul, 0x000000000000002a, 0x0000000000000006, 0x0000000000000007)
        TEST_RR_SRC2_EQ_DEST(112, div, 0xfffffffffffffffd, 0xffffffffffffffeb, 0x0000000000000007)
        TEST_RR_SRC12_EQ_DEST(113, mulhu, 0xfffffffffffffffe, 0xffffffffffffffff)
        TEST_RR_ZERODEST(114, rem, 0x0000000000000005, 0x0000000000000003)
        TEST_RR_ZERODEST(115, divw, 0x0000000000000005, 0x0000000000000000)

        /* ---- MULH + MUL and DIV + REM pairs on the same operands ---- */
        li TESTNUM, 116
        li a1, 0xfedcba9876543210
        li a2, 0x0123456789abcdef
        mulh a3, a1, a2
        mul a4, a1, a2
        RVTEST_CHECK(a3, 0xfffeb49923cc0953)
        RVTEST_CHECK(a4, 0x2236d88fe5618cf0)
        li TESTNUM, 117
        li a1, -1000000007
        li a2, 97
        div a3, a1, a2
        rem a4, a1, a2
        RVTEST_CHECK(a3, -10309278)
        RVTEST_CHECK(a4, -41)
        mul a3, a3, a2          /* q * d + r == dividend */
        add a3, a3, a4
        RVTEST_CHECK_EQ(a3, a1)

        RVTEST_PASS
