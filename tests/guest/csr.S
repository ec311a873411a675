/*
 * csr.S - Zicsr instructions and the basic machine-mode CSRs.
 * Spec: Unprivileged ISA, "Zicsr, Control and Status Register (CSR)
 * Instructions": CSRRW/CSRRS/CSRRC return the old value and write
 * rs1 / old|rs1 / old&~rs1; the immediate forms use a 5-bit zero-extended
 * uimm; CSRRS/CSRRC with rs1 = x0 (and CSRRSI/CSRRCI with uimm = 0) do not
 * write the CSR at all, so they are legal on read-only CSRs.
 * Privileged ISA, "Control and Status Registers (CSRs)" -> "CSR Address
 * Mapping Conventions": CSRs with address bits [11:10] = 11 are read-only
 * and writing them raises an illegal-instruction exception; accessing a
 * CSR that does not exist raises an illegal-instruction exception (mstatush
 * exists only on RV32).  "Machine-Level ISA": misa.MXL = 2 for RV64 and
 * the I, M, A, C extension bits; mhartid of the only hart is 0; mscratch is
 * a plain read/write register; mepc/mtvec are writable.
 */
#include "rvtest.h"

#define MISA_A (1 << 0)
#define MISA_C (1 << 2)
#define MISA_I (1 << 8)
#define MISA_M (1 << 12)

RVTEST_CODE_BEGIN
        /* ---- CSRRW on mscratch ---- */
        TEST_CASE(1, a4, 0x0123456789abcdef, li a1, 0x0123456789abcdef; csrw mscratch, a1; csrr a4, mscratch)
        TEST_CASE(2, a4, 0x0123456789abcdef, li a1, 0xfedcba9876543210; csrrw a4, mscratch, a1)
        TEST_CASE(3, a4, 0xfedcba9876543210, csrr a4, mscratch)
        /* rd == rs1: swaps */
        TEST_CASE(4, a1, 0xfedcba9876543210, li a1, 0x1111; csrrw a1, mscratch, a1)
        TEST_CASE(5, a4, 0x1111, csrr a4, mscratch)

        /* ---- CSRRS / CSRRC ---- */
        TEST_CASE(6, a4, 0x1111, li a1, 0xf0f0; csrrs a4, mscratch, a1)
        TEST_CASE(7, a4, 0xf1f1, csrr a4, mscratch)
        TEST_CASE(8, a4, 0xf1f1, li a1, 0x0101; csrrc a4, mscratch, a1)
        TEST_CASE(9, a4, 0xf0f0, csrr a4, mscratch)
        TEST_CASE(10, a4, 0x8000000000000001, li a1, 0x8000000000000000; csrw mscratch, a1; li a1, 1; csrs mscratch, a1; csrrc a4, mscratch, a1)
        TEST_CASE(11, a4, 0x8000000000000000, csrr a4, mscratch)

        /* ---- rs1 = x0: CSRRS/CSRRC read without writing ---- */
        TEST_CASE(12, a4, 0x8000000000000000, csrrs a4, mscratch, x0)
        TEST_CASE(13, a4, 0x8000000000000000, csrrc a4, mscratch, x0)
        TEST_CASE(14, a4, 0x8000000000000000, csrr a4, mscratch)

        /* ---- immediate forms: 5-bit zero-extended uimm ---- */
        TEST_CASE(15, a4, 0x8000000000000000, csrrwi a4, mscratch, 31)
        TEST_CASE(16, a4, 0x1f, csrr a4, mscratch)                  /* not sign-extended */
        TEST_CASE(17, a4, 0x1f, csrrci a4, mscratch, 0x15)
        TEST_CASE(18, a4, 0x0a, csrr a4, mscratch)
        TEST_CASE(19, a4, 0x0a, csrrsi a4, mscratch, 0x11)
        TEST_CASE(20, a4, 0x1b, csrr a4, mscratch)
        TEST_CASE(21, a4, 0x1b, csrrsi a4, mscratch, 0)            /* no write */
        TEST_CASE(22, a4, 0x1b, csrrci a4, mscratch, 0)
        TEST_CASE(23, a4, 0x1b, csrr a4, mscratch)
        TEST_CASE(24, a4, 0x00, csrwi mscratch, 0; csrr a4, mscratch)
        /* rd = x0 forms still write */
        TEST_CASE(25, a4, 0x07, csrrwi x0, mscratch, 7; csrr a4, mscratch)
        TEST_CASE(26, a4, 0x05, li a1, 2; csrrc x0, mscratch, a1; csrr a4, mscratch)

        /* ---- misa: MXL = 2 (RV64), I, M, A, C present ---- */
        li TESTNUM, 27
        csrr a1, misa
        srli a2, a1, 62
        RVTEST_CHECK(a2, 2)
        li TESTNUM, 28
        li a3, MISA_I | MISA_M | MISA_A | MISA_C
        and a2, a1, a3
        RVTEST_CHECK_EQ(a2, a3)
        li TESTNUM, 29          /* E (bit 4) is the complement of I */
        andi a2, a1, 1 << 4
        RVTEST_CHECK(a2, 0)

        /* ---- ID registers: mhartid = 0; all readable ---- */
        TEST_CASE(30, a4, 0, li a4, 5; csrr a4, mhartid)
        TEST_CASE(31, a4, 0, csrr a3, mvendorid; csrr a3, marchid; csrr a3, mimpid; li a4, 0)
        /* CSRRS/CSRRC rs1 = x0 and CSRRSI/CSRRCI uimm = 0 on read-only CSRs */
        TEST_CASE(32, a4, 0, li a4, 9; csrrs a4, mhartid, x0)
        TEST_CASE(33, a4, 0, li a4, 9; csrrc a4, mhartid, x0)
        TEST_CASE(34, a4, 0, li a4, 9; csrrsi a4, mhartid, 0)
        TEST_CASE(35, a4, 0, li a4, 9; csrrci a4, mhartid, 0)
        TEST_CASE(36, a4, 0, csrrs a3, mvendorid, x0; csrrsi a3, mimpid, 0; li a4, 0)

        /* ---- writes to read-only CSRs: illegal instruction, rd kept ---- */
        li a4, 0x5a5a
        li a1, 1
        TEST_TRAP_ILLEGAL(37, csrw mhartid, a1)
        TEST_TRAP_ILLEGAL(38, csrrw a4, mhartid, x0)
        RVTEST_CHECK(a4, 0x5a5a)
        TEST_TRAP_ILLEGAL(39, csrrs a4, mhartid, a1)
        RVTEST_CHECK(a4, 0x5a5a)
        TEST_TRAP_ILLEGAL(40, csrrc a4, mvendorid, a1)
        TEST_TRAP_ILLEGAL(41, csrrwi a4, marchid, 0)
        TEST_TRAP_ILLEGAL(42, csrrsi a4, mimpid, 1)
        TEST_TRAP_ILLEGAL(43, csrrci a4, mhartid, 31)
        TEST_TRAP_ILLEGAL(44, csrw mvendorid, x0)
        RVTEST_CHECK(a4, 0x5a5a)

        /* ---- CSRs that do not exist ---- */
        TEST_TRAP_ILLEGAL(45, csrr a4, 0x3ff)
        TEST_TRAP_ILLEGAL(46, csrw 0x3ff, a1)
        TEST_TRAP_ILLEGAL(47, csrr a4, mstatush)    /* RV32 only */
        TEST_TRAP_ILLEGAL(48, csrr a4, 0x7ff)
        RVTEST_CHECK(a4, 0x5a5a)

        /* ---- mepc / mtvec are writable ---- */
        TEST_CASE(49, a4, 0x0000000080001234, li a1, 0x80001234; csrw mepc, a1; csrr a4, mepc)
        TEST_CASE(50, a4, 0x0000000080001232, li a1, 0x80001232; csrw mepc, a1; csrr a4, mepc)
        li TESTNUM, 51
        csrr s0, mtvec
        la a1, scratch_vec      /* 4-byte aligned, direct mode */
        csrw mtvec, a1
        csrr a4, mtvec
        csrw mtvec, s0
        RVTEST_CHECK_EQ(a4, a1)
        csrr a4, mtvec
        RVTEST_CHECK_EQ(a4, s0)

        /* ---- mstatus.MIE is writable (no interrupt is enabled in mie) ---- */
        li TESTNUM, 52
        csrw mie, x0
        csrsi mstatus, MSTATUS_MIE
        csrr a1, mstatus
        andi a1, a1, MSTATUS_MIE
        RVTEST_CHECK(a1, MSTATUS_MIE)
        csrci mstatus, MSTATUS_MIE
        csrr a1, mstatus
        andi a1, a1, MSTATUS_MIE
        RVTEST_CHECK(a1, 0)

        /* ---- mscratch survives a trap (the handler does not use it) ---- */
        li TESTNUM, 53
        li a1, 0x600df00d
        csrw mscratch, a1
        TEST_TRAP(53, CAUSE_ECALL_M, 0, ecall)
        csrr a4, mscratch
        RVTEST_CHECK(a4, 0x600df00d)

        RVTEST_PASS

        .balign 4
scratch_vec:
        j rvtest_fail
