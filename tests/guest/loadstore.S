/*
 * loadstore.S - loads and stores of every width.
 * Spec: Unprivileged ISA, "RV32I Base Integer Instruction Set" ->
 * "Load and Store Instructions" and "RV64I" -> "Load and Store
 * Instructions": LB/LH/LW sign-extend, LBU/LHU/LWU zero-extend, LD loads
 * 64 bits; SB/SH/SW/SD store the low 8/16/32/64 bits of rs2; the effective
 * address is rs1 + sext(imm12); memory is little-endian.
 * Misaligned loads and stores: the spec lets the execution environment
 * either perform them or trap; QEMU's virt machine (and so rvjit) performs
 * them, including accesses that cross an 8-byte and a 4 KiB boundary, so
 * this program requires them to WORK.
 * Also: a load into x0 is discarded, rd == rs1 for loads, negative offsets.
 */
#include "rvtest.h"

RVTEST_CODE_BEGIN
        /* ---- sign/zero extension of every load width ---- */
        TEST_LD(1,  lb,  0xffffffffffffff81, 0, ldat)
        TEST_LD(2,  lbu, 0x0000000000000081, 0, ldat)
        TEST_LD(3,  lb,  0x000000000000007f, 1, ldat)
        TEST_LD(4,  lbu, 0x000000000000007f, 1, ldat)
        TEST_LD(5,  lh,  0xffffffffffff8001, 8, ldat)
        TEST_LD(6,  lhu, 0x0000000000008001, 8, ldat)
        TEST_LD(7,  lh,  0x0000000000007ffe, 10, ldat)
        TEST_LD(8,  lhu, 0x0000000000007ffe, 10, ldat)
        TEST_LD(9,  lw,  0xffffffff80000001, 16, ldat)
        TEST_LD(10, lwu, 0x0000000080000001, 16, ldat)
        TEST_LD(11, lw,  0x000000007ffffffe, 20, ldat)
        TEST_LD(12, lwu, 0x000000007ffffffe, 20, ldat)
        TEST_LD(13, ld,  0x8000000000000001, 24, ldat)
        TEST_LD(14, ld,  0xfedcba9876543210, 32, ldat)
        TEST_LD(15, ld,  0xffffffffffffffff, 40, ldat)
        TEST_LD(16, lb,  0xffffffffffffffff, 40, ldat)
        TEST_LD(17, lhu, 0x000000000000ffff, 40, ldat)
        TEST_LD(18, lwu, 0x00000000ffffffff, 40, ldat)
        /* little-endian byte order */
        TEST_LD(19, lbu, 0x10, 32, ldat)
        TEST_LD(20, lbu, 0xfe, 39, ldat)
        TEST_LD(21, lhu, 0x3210, 32, ldat)
        TEST_LD(22, lwu, 0xfedcba98, 36, ldat)

        /* ---- negative offsets ---- */
        TEST_LD(23, ld,  0x8000000000000001, -24, ldat_end)
        TEST_LD(24, lw,  0xffffffff80000001, -32, ldat_end)
        TEST_LD(25, lbu, 0x81, -48, ldat_end)
        TEST_CASE(26, a4, 0xfedcba9876543210, la a1, ldat + 2048; ld a4, -2016(a1))
        TEST_CASE(27, a4, 0x0000000000000081, la a1, ldat - 2047; lbu a4, 2047(a1))

        /* ---- rd == rs1 ---- */
        TEST_CASE(28, a1, 0xfedcba9876543210, la a1, ldat + 32; ld a1, 0(a1))
        /* ---- load into x0 is discarded ---- */
        TEST_CASE(29, x0, 0, la a1, ldat; ld x0, 40(a1); lw x0, 0(a1))

        /* ---- stores of every width, read back, neighbours untouched ---- */
        la a0, sdat
        li a1, -1
        sd a1, 0(a0)
        sd a1, 8(a0)
        sd a1, 16(a0)
        sd a1, 24(a0)
        TEST_ST(30, lbu, sb, 0x1122334455667788, 0x88, 1, sdat)
        TEST_LD(31, ld, 0xffffffffffff88ff, 0, sdat)
        TEST_ST(32, lb,  sb, 0xa5, 0xffffffffffffffa5, 7, sdat)
        TEST_LD(33, ld, 0xa5ffffffffff88ff, 0, sdat)
        TEST_ST(34, lh,  sh, 0x123456789abc8123, 0xffffffffffff8123, 8, sdat)
        TEST_ST(35, lhu, sh, 0x7fff, 0x7fff, 14, sdat)
        TEST_LD(36, ld, 0x7fffffffffff8123, 8, sdat)
        TEST_ST(37, lw,  sw, 0x0123456789abcdef, 0xffffffff89abcdef, 16, sdat)
        TEST_LD(38, ld, 0xffffffff89abcdef, 16, sdat)
        TEST_ST(39, lwu, sw, 0x80000000, 0x80000000, 20, sdat)
        TEST_LD(40, ld, 0x8000000089abcdef, 16, sdat)
        TEST_ST(41, ld,  sd, 0x0123456789abcdef, 0x0123456789abcdef, 24, sdat)
        TEST_ST(42, ld,  sd, 0, 0, 0, sdat)
        TEST_LD(43, ld, 0x7fffffffffff8123, 8, sdat)
        /* store with a negative offset */
        TEST_CASE(44, a4, 0x5a, la a1, sdat + 32; li a2, 0x5a; sb a2, -32(a1); ld a4, 0(a0))
        /* a store's source register equal to its base register */
        TEST_CASE(45, a4, 1, la a1, sdat; sd a1, 0(a1); ld a4, 0(a1); la a2, sdat; sub a4, a4, a2; seqz a4, a4)
        /* store x0 */
        TEST_CASE(46, a4, 0, la a1, sdat; sd x0, 24(a1); ld a4, 24(a1))

        /* ---- misaligned loads (performed, not trapped) ---- */
        TEST_LD(47, lh,  0xffffffffffff8281, 1, mdat)     /* bytes 81 82 */
        TEST_LD(48, lhu, 0x0000000000008281, 1, mdat)
        TEST_LD(49, lhu, 0x000000000000c18f, 15, mdat)    /* crosses 16-byte boundary */
        TEST_LD(50, lw,  0xffffffff86858483, 3, mdat)
        TEST_LD(51, lwu, 0x0000000086858483, 3, mdat)
        TEST_LD(52, lw,  0xffffffff85848382, 2, mdat)
        TEST_LD(53, lw,  0xffffffff84838281, 1, mdat)
        TEST_LD(54, lwu, 0x00000000c3c2c18f, 15, mdat)
        TEST_LD(55, ld,  0x8a89888786858483, 3, mdat)
        TEST_LD(56, ld,  0x8b8a898887868584, 4, mdat)
        TEST_LD(57, ld,  0x8f8e8d8c8b8a8988, 8, mdat)
        TEST_LD(58, ld,  0xc3c2c18f8e8d8c8b, 11, mdat)
        TEST_LD(59, ld,  0xc4c3c2c18f8e8d8c, 12, mdat)

        /* ---- misaligned stores ---- */
        la a1, mst
        sd x0, 0(a1)
        sd x0, 8(a1)
        sd x0, 16(a1)
        TEST_ST(60, lhu, sh, 0xbeef, 0xbeef, 1, mst)
        TEST_LD(61, ld, 0x0000000000beef00, 0, mst)
        TEST_ST(62, lw,  sw, 0xcafef00d, 0xffffffffcafef00d, 6, mst)   /* crosses 8 */
        TEST_LD(63, ld, 0xf00d000000beef00, 0, mst)
        TEST_LD(64, ld, 0x000000000000cafe, 8, mst)
        TEST_ST(65, ld,  sd, 0x1122334455667788, 0x1122334455667788, 13, mst)
        TEST_LD(66, ld, 0x667788000000cafe, 8, mst)
        TEST_LD(67, ld, 0x0000001122334455, 16, mst)
        TEST_ST(68, lwu, sw, 0xa1b2c3d4, 0xa1b2c3d4, 3, mst)
        TEST_LD(69, ld, 0xf0a1b2c3d4beef00, 0, mst)

        /* ---- misaligned accesses across a 4 KiB page boundary ---- */
        la a1, page_buf + 4096
        li a2, 0x0807060504030201
        sd a2, -4(a1)           /* 4 bytes in each page */
        TEST_CASE(70, a4, 0x04030201, la a1, page_buf + 4096; lwu a4, -4(a1))
        TEST_CASE(71, a4, 0x08070605, la a1, page_buf + 4096; lwu a4, 0(a1))
        TEST_CASE(72, a4, 0x0807060504030201, la a1, page_buf + 4096; ld a4, -4(a1))
        TEST_CASE(73, a4, 0x0605040302010000, la a1, page_buf + 4096; ld a4, -6(a1))
        TEST_CASE(74, a4, 0x0504, la a1, page_buf + 4096; lhu a4, -1(a1))
        TEST_CASE(75, a4, 0xffffffffffff9904, la a1, page_buf + 4096; li a2, 0x99; sb a2, 0(a1); lh a4, -1(a1))

        /* ---- store then immediately load a different width (forwarding) ---- */
        li TESTNUM, 76
        la a1, sdat
        li a2, 0x1111111111111111
        sd a2, 0(a1)
        li a3, 0x22
        sb a3, 3(a1)
        ld a4, 0(a1)
        RVTEST_CHECK(a4, 0x1111111122111111)
        lw a4, 0(a1)
        RVTEST_CHECK(a4, 0x22111111)
        sh a3, 6(a1)
        lwu a4, 4(a1)
        RVTEST_CHECK(a4, 0x00221111)

        /* ---- loop copying with mixed widths ---- */
        li TESTNUM, 77
        la a1, ldat
        la a2, copy_buf
        li a3, 48
1:      lbu a5, 0(a1)
        sb a5, 0(a2)
        addi a1, a1, 1
        addi a2, a2, 1
        addi a3, a3, -1
        bnez a3, 1b
        la a1, copy_buf
        ld a4, 32(a1)
        RVTEST_CHECK(a4, 0xfedcba9876543210)
        lw a4, 16(a1)
        RVTEST_CHECK(a4, 0xffffffff80000001)

        RVTEST_PASS

        .data
        .balign 16
ldat:   .byte 0x81, 0x7f, 0, 0, 0, 0, 0, 0        /*  0 */
        .half 0x8001, 0x7ffe, 0, 0                  /*  8 */
        .word 0x80000001, 0x7ffffffe                /* 16 */
        .dword 0x8000000000000001                   /* 24 */
        .dword 0xfedcba9876543210                   /* 32 */
        .dword 0xffffffffffffffff                   /* 40 */
ldat_end:

        .balign 16
mdat:   .byte 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87
        .byte 0x88, 0x89, 0x8a, 0x8b, 0x8c, 0x8d, 0x8e, 0x8f
        .byte 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8

        .bss
        .balign 16
sdat:   .space 32
mst:    .space 24
copy_buf: .space 48
        .balign 4096
page_buf: .space 8192
