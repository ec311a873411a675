/*
 * jump.S - JAL and JALR.
 * Spec: Unprivileged ISA, "RV32I Base Integer Instruction Set" ->
 * "Control Transfer Instructions" -> "Unconditional Jumps": rd receives
 * pc + 4; JAL with rd = x0 is a plain jump; the JALR target is
 * (rs1 + sext(imm)) with bit 0 cleared; rs1 is read before rd is
 * written, so rd == rs1 works.  With the C extension (IALIGN = 16) a target
 * that is only 2-byte aligned is legal ("Instruction-address-misaligned"
 * cannot occur).
 */
#include "rvtest.h"

RVTEST_CODE_BEGIN
        /* ---- JAL links pc + 4 ---- */
        li TESTNUM, 1
        li ra, 0
1:      jal ra, 2f
        j rvtest_fail
2:      la a1, 1b
        addi a1, a1, 4
        RVTEST_CHECK_EQ(ra, a1)

        /* ---- JAL with another link register ---- */
        li TESTNUM, 2
1:      jal a5, 2f
        j rvtest_fail
2:      la a1, 1b + 4
        RVTEST_CHECK_EQ(a5, a1)

        /* ---- JAL x0 (j) writes nothing ---- */
        TEST_CASE(3, x0, 0, jal x0, 1f; j rvtest_fail; 1:)

        /* ---- JAL backwards ---- */
        li TESTNUM, 4
        li a2, 0
        j 3f
2:      addi a2, a2, 1
        jal t1, 4f
3:      jal t0, 2b              /* backwards */
4:      RVTEST_CHECK(a2, 1)
        la a1, 3b + 4
        RVTEST_CHECK_EQ(t0, a1)
        la a1, 3b               /* the insn after `jal t1` is label 3 */
        RVTEST_CHECK_EQ(t1, a1)

        /* ---- JALR with zero offset ---- */
        li TESTNUM, 5
        la t0, 2f
1:      jalr ra, 0(t0)
        j rvtest_fail
2:      la a1, 1b + 4
        RVTEST_CHECK_EQ(ra, a1)

        /* ---- JALR with positive and negative offsets ---- */
        li TESTNUM, 6
        la t0, 2f - 16
        jalr ra, 16(t0)
        j rvtest_fail
2:      la t0, 3f + 2000
        jalr ra, -2000(t0)
        j rvtest_fail
3:

        /* ---- JALR clears bit 0 of the target ---- */
        li TESTNUM, 7
        la t0, 2f
        addi t0, t0, 1          /* odd address */
1:      jalr ra, 0(t0)
        j rvtest_fail
2:      la a1, 1b + 4
        RVTEST_CHECK_EQ(ra, a1)

        li TESTNUM, 8
        la t0, 2f
        jalr ra, 1(t0)          /* odd immediate */
        j rvtest_fail
2:      la t0, 3f - 1
        jalr ra, 2(t0)          /* odd base + odd offset: (b+1) & ~1 = 3f */
        j rvtest_fail
3:

        /* ---- JALR rd == rs1: target uses the old value ---- */
        li TESTNUM, 9
        la t0, 2f
1:      jalr t0, 0(t0)
        j rvtest_fail
2:      la a1, 1b + 4
        RVTEST_CHECK_EQ(t0, a1)

        /* ---- JALR rd = x0 (jr / ret) ---- */
        TEST_CASE(10, x0, 0, la t0, 1f; jalr x0, 0(t0); j rvtest_fail; 1:)

        /* ---- call / ret through a subroutine, twice (return addresses) ---- */
        li TESTNUM, 11
        li a0, 5
        call add_seven
        call add_seven
        RVTEST_CHECK(a0, 19)

        /* ---- nested calls with a saved return address ---- */
        li TESTNUM, 12
        li a0, 1
        call twice_add_seven
        RVTEST_CHECK(a0, 15)

        /* ---- jump to a 2-byte aligned target (legal with C, IALIGN=16) ---- */
        li TESTNUM, 13
        la t0, halfword_target
        andi a1, t0, 3
        RVTEST_CHECK(a1, 2)
        jalr ra, 0(t0)
        RVTEST_CHECK(a0, 0x77)

        /* ---- computed jump table ---- */
        li TESTNUM, 14
        li a2, 0
        li a1, 2                /* index */
        la t0, jtab
        slli a1, a1, 3
        add t0, t0, a1
        ld t0, 0(t0)
        jalr ra, 0(t0)
        RVTEST_CHECK(a2, 30)

        /* ---- far JAL (more than 1 KiB away) ---- */
        li TESTNUM, 15
        jal ra, far_sub
        RVTEST_CHECK(a0, 0xfa)

        RVTEST_PASS

add_seven:
        addi a0, a0, 7
        ret

twice_add_seven:
        mv s1, ra
        call add_seven
        call add_seven
        mv ra, s1
        ret

jt0:    li a2, 10
        ret
jt1:    li a2, 20
        ret
jt2:    li a2, 30
        ret

        /* c.nop (2 bytes) puts the next instruction at 4n + 2 */
        .balign 4
        .option push
        .option rvc
        c.nop
halfword_target:
        .option pop
        li a0, 0x77
        ret

        .skip 4000, 0
        .balign 4
far_sub:
        li a0, 0xfa
        ret

        .data
        .balign 8
jtab:   .dword jt0, jt1, jt2
