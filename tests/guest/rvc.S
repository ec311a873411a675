/*
 * rvc.S - every RV64C instruction, written with explicit `c.` mnemonics.
 * Spec: Unprivileged ISA, "C Extension for Compressed Instructions":
 *  - "Load and Store Instructions": C.LWSP/C.LDSP/C.SWSP/C.SDSP (sp-based,
 *    zero-extended scaled offsets), C.LW/C.LD/C.SW/C.SD (x8-x15); C.LW and
 *    C.LWSP sign-extend the word.
 *  - "Control Transfer Instructions": C.J, C.JR, C.JALR (links pc + 2),
 *    C.BEQZ, C.BNEZ (compare the full 64-bit register with zero).
 *    (C.JAL is RV32-only; its encoding is C.ADDIW on RV64.)
 *  - "Integer Computational Instructions": C.LI, C.LUI (sign-extended
 *    nzimm[17:12]), C.ADDI, C.ADDIW (C.ADDIW rd, 0 = sext.w), C.ADDI16SP,
 *    C.ADDI4SPN, C.SLLI/C.SRLI/C.SRAI (6-bit shamt on RV64), C.ANDI,
 *    C.MV, C.ADD, C.SUB, C.XOR, C.OR, C.AND, C.SUBW, C.ADDW, C.NOP.
 *  - "Defined Illegal Instruction": the all-zero 16-bit word is illegal.
 *  - C.EBREAK raises a breakpoint (Privileged ISA: mepc = its address;
 *    mtval = its address or 0, QEMU 7.2 writes 0).
 * Also: 32-bit instructions at 2-byte aligned addresses and a 32-bit
 * instruction that straddles a 4 KiB page boundary.
 */
#include "rvtest.h"

RVTEST_CODE_BEGIN
        .option rvc

        /* ---- C.LI ---- */
        TEST_CASE(1, a0, 0xffffffffffffffe0, li a0, 5; c.li a0, -32)
        TEST_CASE(2, a0, 31, c.li a0, 31)
        TEST_CASE(3, s1, 0, li s1, 7; c.li s1, 0)
        TEST_CASE(4, t0, -1, c.li t0, -1)                 /* any rd */

        /* ---- C.LUI: nzimm[17:12], sign-extended from bit 17 ---- */
        TEST_CASE(5, a0, 0x0000000000001000, c.lui a0, 1)
        TEST_CASE(6, a0, 0x000000000001f000, c.lui a0, 0x1f)
        TEST_CASE(7, a0, 0xfffffffffffe0000, c.lui a0, 0xfffe0)
        TEST_CASE(8, a0, 0xfffffffffffff000, c.lui a0, 0xfffff)
        TEST_CASE(9, t1, 0x0000000000010000, li t1, -1; c.lui t1, 0x10)   /* any rd but x0/x2 */

        /* ---- C.ADDI (64-bit add of a sign-extended 6-bit imm) ---- */
        TEST_CASE(10, a0, 0xffffffffffffffe0, li a0, 0; c.addi a0, -32)
        TEST_CASE(11, a0, 0x8000000000000000, li a0, 0x7fffffffffffffff; c.addi a0, 1)
        TEST_CASE(12, a0, 0x0000000100000000, li a0, 0xffffffff; c.addi a0, 1)
        TEST_CASE(13, t2, 0x21, li t2, 2; c.addi t2, 31; mv a0, t2)

        /* ---- C.ADDIW ---- */
        TEST_CASE(14, a0, 0xffffffff9abcdef0, li a0, 0x123456789abcdef0; c.addiw a0, 0)
        TEST_CASE(15, a0, 0xffffffff80000000, li a0, 0x7fffffff; c.addiw a0, 1)
        TEST_CASE(16, a0, 0xffffffffffffffff, li a0, 0; c.addiw a0, -1)
        TEST_CASE(17, a0, 0x0000000000000000, li a0, 0xffffffff00000001; c.addiw a0, -1)
        TEST_CASE(18, t0, 0x000000007fffffe0, li t0, 0x80000000; c.addiw t0, -32)

        /* ---- C.ADDI16SP and C.ADDI4SPN ---- */
        li TESTNUM, 19
        mv s1, sp
        c.addi16sp sp, -512
        sub a0, s1, sp
        RVTEST_CHECK(a0, 512)
        c.addi16sp sp, 496
        sub a0, s1, sp
        RVTEST_CHECK(a0, 16)
        c.addi16sp sp, 16
        RVTEST_CHECK_EQ(sp, s1)

        li TESTNUM, 20
        c.addi16sp sp, -512
        c.addi4spn a0, sp, 1020
        sub a0, a0, sp
        RVTEST_CHECK(a0, 1020)
        c.addi4spn a5, sp, 4
        sub a5, a5, sp
        RVTEST_CHECK(a5, 4)
        c.addi4spn s0, sp, 512
        RVTEST_CHECK_EQ(s0, s1)

        /* ---- C.SDSP/C.LDSP/C.SWSP/C.LWSP (sp still lowered by 512) ---- */
        li TESTNUM, 21
        li a0, 0x0123456789abcdef
        c.sdsp a0, 504(sp)
        c.sdsp a0, 0(sp)
        c.ldsp a5, 504(sp)
        RVTEST_CHECK(a5, 0x0123456789abcdef)
        ld a5, 504(sp)
        RVTEST_CHECK(a5, 0x0123456789abcdef)
        c.ldsp t0, 0(sp)                                  /* any rd */
        RVTEST_CHECK(t0, 0x0123456789abcdef)
        li TESTNUM, 22
        li a0, 0x80000001
        c.swsp a0, 252(sp)
        c.lwsp a5, 252(sp)
        RVTEST_CHECK(a5, 0xffffffff80000001)              /* sign-extended */
        lwu a5, 252(sp)
        RVTEST_CHECK(a5, 0x80000001)
        li a0, 0x7ffffffe
        c.swsp a0, 4(sp)
        c.lwsp t1, 4(sp)
        RVTEST_CHECK(t1, 0x7ffffffe)
        ld a5, 0(sp)                                      /* low word kept */
        RVTEST_CHECK(a5, 0x7ffffffe89abcdef)
        c.addi16sp sp, 256
        c.addi16sp sp, 256
        RVTEST_CHECK_EQ(sp, s1)

        /* ---- C.SD/C.LD/C.SW/C.LW (rs1', rd' in x8..x15) ---- */
        li TESTNUM, 23
        la s0, cbuf
        li a0, 0xfedcba9876543210
        c.sd a0, 248(s0)
        c.sd a0, 0(s0)
        c.ld a1, 248(s0)
        RVTEST_CHECK(a1, 0xfedcba9876543210)
        c.ld a2, 0(s0)
        RVTEST_CHECK(a2, 0xfedcba9876543210)
        li TESTNUM, 24
        li a0, 0x8000ffff
        c.sw a0, 124(s0)
        c.lw a3, 124(s0)
        RVTEST_CHECK(a3, 0xffffffff8000ffff)
        li a0, 0x12345678
        c.sw a0, 4(s0)
        c.lw a4, 4(s0)
        RVTEST_CHECK(a4, 0x12345678)
        c.ld a5, 0(s0)
        RVTEST_CHECK(a5, 0x1234567876543210)
        mv s1, s0
        addi s1, s1, 8
        li a0, 0x55
        c.sd a0, 0(s1)
        c.ld s1, 0(s1)                                    /* rd' == rs1' */
        RVTEST_CHECK(s1, 0x55)

        /* ---- C.SRLI / C.SRAI / C.ANDI / C.SLLI ---- */
        TEST_CASE(25, a0, 0x0000000000000001, li a0, 0x8000000000000000; c.srli a0, 63)
        TEST_CASE(26, a0, 0x0000000080000000, li a0, 0x8000000000000000; c.srli a0, 32)
        TEST_CASE(27, a0, 0x4000000000000000, li a0, 0x8000000000000000; c.srli a0, 1)
        TEST_CASE(28, a0, 0xffffffff80000000, li a0, 0x8000000000000000; c.srai a0, 32)
        TEST_CASE(29, a0, 0xffffffffffffffff, li a0, 0x8000000000000000; c.srai a0, 63)
        TEST_CASE(30, a0, 0x3fffffffffffffff, li a0, 0x7fffffffffffffff; c.srai a0, 1)
        TEST_CASE(31, a0, 0x123456789abcdee0, li a0, 0x123456789abcdef0; c.andi a0, -32)
        TEST_CASE(32, a0, 0x0000000000000010, li a0, 0x123456789abcdef0; c.andi a0, 31)
        TEST_CASE(33, a0, 0x0000000000000000, li a0, 0x123456789abcdef0; c.andi a0, 0)
        TEST_CASE(34, a0, 0x8000000000000000, li a0, 1; c.slli a0, 63)
        TEST_CASE(35, a0, 0x9abcdef000000000, li a0, 0x123456789abcdef0; c.slli a0, 32)
        TEST_CASE(36, t0, 0x0000000000000002, li t0, 1; c.slli t0, 1)     /* any rd */

        /* ---- C.SUB/C.XOR/C.OR/C.AND/C.SUBW/C.ADDW ---- */
        TEST_CASE(37, a0, 0xffffffffffffffff, li a0, 0; li a1, 1; c.sub a0, a1)
        TEST_CASE(38, a0, 0x7fffffffffffffff, li a0, 0x8000000000000000; li a1, 1; c.sub a0, a1)
        TEST_CASE(39, s0, 0xf00ff00ff00ff00f, li s0, 0xff00ff00ff00ff00; li s1, 0x0f0f0f0f0f0f0f0f; c.xor s0, s1)
        TEST_CASE(40, a2, 0xff0fff0fff0fff0f, li a2, 0xff00ff00ff00ff00; li a3, 0x0f0f0f0f0f0f0f0f; c.or a2, a3)
        TEST_CASE(41, a4, 0x0f000f000f000f00, li a4, 0xff00ff00ff00ff00; li a5, 0x0f0f0f0f0f0f0f0f; c.and a4, a5)
        TEST_CASE(42, a0, 0xffffffffffffffff, li a0, 0; li a1, 1; c.subw a0, a1)
        TEST_CASE(43, a0, 0x000000007fffffff, li a0, 0xffffffff80000000; li a1, 1; c.subw a0, a1)
        TEST_CASE(44, a0, 0xffffffff80000000, li a0, 0x7fffffff; li a1, 1; c.addw a0, a1)
        TEST_CASE(45, a0, 0x0000000000000003, li a0, 0x1234567800000001; li a1, 0xabcdef0000000002; c.addw a0, a1)
        TEST_CASE(46, a0, 0x0000000000000000, li a0, 0x5555; c.sub a0, a0)

        /* ---- C.MV / C.ADD (full register set) ---- */
        TEST_CASE(47, a0, 0x123456789abcdef0, li a1, 0x123456789abcdef0; c.mv a0, a1)
        TEST_CASE(48, t0, 0xfedcba9876543210, li t6, 0xfedcba9876543210; c.mv t0, t6)
        TEST_CASE(49, a0, 0x0000000100000000, li a0, 0xffffffff; li a1, 1; c.add a0, a1)
        TEST_CASE(50, t5, 0x8000000000000000, li t5, 0x7fffffffffffffff; li s11, 1; c.add t5, s11)
        TEST_CASE(51, a0, 0x000000000000000a, li a0, 5; c.add a0, a0)

        /* ---- C.J forwards and backwards ---- */
        li TESTNUM, 52
        li a0, 0
        c.j 2f
1:      c.addi a0, 1
        c.j 3f
2:      c.addi a0, 2
        c.j 1b
3:      RVTEST_CHECK(a0, 3)

        /* ---- C.JR / C.JALR (links pc + 2) ---- */
        li TESTNUM, 53
        la a0, 2f
        c.jr a0
        j rvtest_fail
2:      la t0, 4f
3:      c.jalr t0
        j rvtest_fail
4:      la a1, 3b + 2
        RVTEST_CHECK_EQ(ra, a1)

        li TESTNUM, 54          /* C.JALR ra: target is the old ra */
        la ra, 2f
1:      c.jalr ra
        j rvtest_fail
2:      la a1, 1b + 2
        RVTEST_CHECK_EQ(ra, a1)

        li TESTNUM, 55          /* C.JALR clears bit 0 of the target */
        la t0, 2f + 1
1:      c.jalr t0
        j rvtest_fail
2:      la a1, 1b + 2
        RVTEST_CHECK_EQ(ra, a1)

        li TESTNUM, 56          /* call/return with C.JALR / C.JR */
        la t1, csub
        li a0, 40
        c.jalr t1
        RVTEST_CHECK(a0, 42)

        /* ---- C.BEQZ / C.BNEZ ---- */
        li TESTNUM, 57
        li s0, 0
        c.beqz s0, 2f
        j rvtest_fail
1:      c.j 3f
2:      c.beqz s0, 1b           /* backwards taken */
        j rvtest_fail
3:      li s0, 0x100000000      /* nonzero only above bit 31 */
        c.beqz s0, 4f
        c.bnez s0, 5f
4:      j rvtest_fail
5:      li s1, 0
        c.bnez s1, 4b           /* not taken (backwards) */
        c.beqz s1, 6f
        j rvtest_fail
6:      li a0, 0x8000000000000000
        c.bnez a0, 7f
        j rvtest_fail
7:
        li TESTNUM, 58          /* C.BNEZ countdown loop */
        li a0, 10
        li a1, 0
1:      c.addi a1, 3
        c.addi a0, -1
        c.bnez a0, 1b
        RVTEST_CHECK(a1, 30)

        /* ---- C.NOP ---- */
        TEST_CASE(59, a0, 0x1234, li a0, 0x1234; c.nop; c.nop)

        /* ---- C.EBREAK: breakpoint, mepc = its address; regs intact ---- */
        li a0, 0x4242
        TEST_TRAP_TVAL_PC_OR_ZERO(60, CAUSE_BREAKPOINT, c.ebreak)
        RVTEST_CHECK(a0, 0x4242)
        li TESTNUM, 61          /* it is a 16-bit instruction */
        ld a1, TC_MEPC(tp)
        la a2, 7742b            /* resume label of the macro above */
        sub a2, a2, a1
        RVTEST_CHECK(a2, 2)

        /* ---- the all-zero halfword is a defined illegal instruction ---- */
        TEST_TRAP(62, CAUSE_ILLEGAL_INSTRUCTION, 0, .half 0)

        /* ---- 32-bit instructions at 4n+2 between 16-bit ones ---- */
        li TESTNUM, 63
        li a0, 0
        .balign 4
        c.nop
        .option push
        .option norvc
        addi a0, a0, 1          /* at 4n + 2 */
        addi a0, a0, 2
        .option pop
        c.addi a0, 4
        .option push
        .option norvc
        addi a0, a0, 8
        .option pop
        RVTEST_CHECK(a0, 15)

        /* ---- a 32-bit instruction straddling a 4 KiB page boundary ---- */
        li TESTNUM, 64
        li a0, 0
        call straddle
        RVTEST_CHECK(a0, 1001)

        RVTEST_PASS

csub:   c.addi a0, 2
        c.jr ra

        /* straddle: c.li at page_end - 4, 32-bit addi at page_end - 2 */
        .balign 4096
        .skip 4092, 0
straddle:
        c.li a0, 1
        .option push
        .option norvc
        addi a0, a0, 1000       /* bytes page_end-2 .. page_end+1 */
        .option pop
        c.jr ra

        .data
        .balign 16
cbuf:   .space 256
