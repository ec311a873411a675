/*
 * branch.S - conditional branches BEQ, BNE, BLT, BGE, BLTU, BGEU.
 * Spec: Unprivileged ISA, "RV32I Base Integer Instruction Set" ->
 * "Control Transfer Instructions" -> "Conditional Branches": signed vs
 * unsigned comparisons on full XLEN (64-bit) values, targets pc + sext(imm)
 * both forwards and backwards, the not-taken path falls through.
 */
#include "rvtest.h"

RVTEST_CODE_BEGIN
        /* ---- BEQ ---- */
        TEST_BR2_TAKEN(1,     beq, 0, 0)
        TEST_BR2_TAKEN(2,     beq, -1, -1)
        TEST_BR2_TAKEN(3,     beq, 0x8000000000000000, 0x8000000000000000)
        TEST_BR2_NOTTAKEN(4,  beq, 0, 1)
        TEST_BR2_NOTTAKEN(5,  beq, 0x0000000100000000, 0)     /* differs only above bit 31 */
        TEST_BR2_NOTTAKEN(6,  beq, 0xffffffff, -1)

        /* ---- BNE ---- */
        TEST_BR2_TAKEN(7,     bne, 0, 1)
        TEST_BR2_TAKEN(8,     bne, 0x0000000100000000, 0)
        TEST_BR2_TAKEN(9,     bne, 0xffffffff, -1)
        TEST_BR2_NOTTAKEN(10, bne, 0, 0)
        TEST_BR2_NOTTAKEN(11, bne, -1, -1)

        /* ---- BLT (signed) ---- */
        TEST_BR2_TAKEN(12,    blt, 0, 1)
        TEST_BR2_TAKEN(13,    blt, -1, 1)
        TEST_BR2_TAKEN(14,    blt, -2, -1)
        TEST_BR2_TAKEN(15,    blt, 0x8000000000000000, 0x7fffffffffffffff)
        TEST_BR2_NOTTAKEN(16, blt, 1, 0)
        TEST_BR2_NOTTAKEN(17, blt, 1, -1)
        TEST_BR2_NOTTAKEN(18, blt, -1, -2)
        TEST_BR2_NOTTAKEN(19, blt, 5, 5)
        TEST_BR2_NOTTAKEN(20, blt, 0x80000000, 0x7fffffff)    /* positive in RV64 */

        /* ---- BGE (signed) ---- */
        TEST_BR2_TAKEN(21,    bge, 0, 0)
        TEST_BR2_TAKEN(22,    bge, 1, 0)
        TEST_BR2_TAKEN(23,    bge, 1, -1)
        TEST_BR2_TAKEN(24,    bge, -1, -2)
        TEST_BR2_TAKEN(25,    bge, 0x7fffffffffffffff, 0x8000000000000000)
        TEST_BR2_NOTTAKEN(26, bge, 0, 1)
        TEST_BR2_NOTTAKEN(27, bge, -1, 1)
        TEST_BR2_NOTTAKEN(28, bge, 0x8000000000000000, 0)

        /* ---- BLTU (unsigned) ---- */
        TEST_BR2_TAKEN(29,    bltu, 0, 1)
        TEST_BR2_TAKEN(30,    bltu, 1, -1)                    /* -1 is the largest */
        TEST_BR2_TAKEN(31,    bltu, 0x7fffffffffffffff, 0x8000000000000000)
        TEST_BR2_TAKEN(32,    bltu, 0xffffffff, 0x100000000)
        TEST_BR2_NOTTAKEN(33, bltu, -1, 1)
        TEST_BR2_NOTTAKEN(34, bltu, 7, 7)
        TEST_BR2_NOTTAKEN(35, bltu, 0x8000000000000000, 0x7fffffffffffffff)

        /* ---- BGEU (unsigned) ---- */
        TEST_BR2_TAKEN(36,    bgeu, 0, 0)
        TEST_BR2_TAKEN(37,    bgeu, -1, 1)
        TEST_BR2_TAKEN(38,    bgeu, 0x8000000000000000, 0x7fffffffffffffff)
        TEST_BR2_TAKEN(39,    bgeu, -1, -1)
        TEST_BR2_NOTTAKEN(40, bgeu, 1, -1)
        TEST_BR2_NOTTAKEN(41, bgeu, 0, 1)
        TEST_BR2_NOTTAKEN(42, bgeu, 0xffffffff, 0x100000000)

        /* ---- x0 and identical registers as operands ---- */
        li TESTNUM, 43
        beq x0, x0, 1f
        j rvtest_fail
1:      li a1, 3
        bne a1, a1, 2f
        blt a1, a1, 2f
        bltu a1, a1, 2f
        bge a1, a1, 3f
2:      j rvtest_fail
3:      bgeu x0, x0, 4f
        j rvtest_fail
4:      bltu x0, a1, 5f         /* 0 < 3 */
        j rvtest_fail
5:      bltu a1, x0, 2b         /* 3 < 0 is false */

        /* ---- backwards loop: sum 1..100 with a taken backwards branch ---- */
        li TESTNUM, 44
        li a1, 0
        li a2, 100
1:      add a1, a1, a2
        addi a2, a2, -1
        bnez a2, 1b
        RVTEST_CHECK(a1, 5050)

        /* ---- a loop counting down through zero with signed/unsigned ends ---- */
        li TESTNUM, 45
        li a1, 5
        li a3, 0
1:      addi a3, a3, 1
        addi a1, a1, -1
        bge a1, x0, 1b          /* runs for 5,4,3,2,1,0 */
        RVTEST_CHECK(a3, 6)
        RVTEST_CHECK(a1, -1)

        /* ---- far branch targets (more than 2 KiB away, both ways) ---- */
        li TESTNUM, 46
        li a1, 1
        beq a1, a1, far_fwd
        j rvtest_fail
far_back:
        j far_done
        .skip 2500, 0x13        /* filler: never executed */
        .balign 4
far_fwd:
        bne a1, x0, far_back
        j rvtest_fail
far_done:
        RVTEST_PASS
