/*
 * csr_spec.S - CSR corner cases where QEMU 7.2 does not follow the spec.
 *
 * QEMU-DIVERGENT (QEMU 7.2): the test harness skips the QEMU comparison
 * for this program.
 *  - QEMU 7.2 decides "is this a write?" from the *value* of rs1, so
 *    CSRRS/CSRRC with rs1 != x0 holding zero on a read-only CSR does not
 *    trap there.
 *  - QEMU 7.2 stores mepc unmasked, so bit 0 written by CSRW reads back as 1.
 *
 * Spec: Unprivileged ISA, "Zicsr, Control and Status Register (CSR)
 * Instructions": for CSRRS/CSRRC the CSR is written whenever rs1 is not x0
 * (table "Conditions determining whether a CSR instruction reads or writes
 * the specified CSR"), even if the register holds zero; Privileged ISA,
 * "CSR Address Mapping Conventions": attempts to write a read-only CSR raise
 * an illegal-instruction exception.  Privileged ISA, "Machine Exception
 * Program Counter (mepc)": mepc[0] is always zero (mepc[1] is writable when
 * IALIGN = 16, i.e. with the C extension).
 */
#include "rvtest.h"

RVTEST_CODE_BEGIN
        /* ---- rs1 != x0 holding zero still counts as a write ---- */
        li a1, 0
        li a4, 0x77
        TEST_TRAP_ILLEGAL(1, csrrs a4, mhartid, a1)
        RVTEST_CHECK(a4, 0x77)
        TEST_TRAP_ILLEGAL(2, csrrc a4, mvendorid, a1)
        TEST_TRAP_ILLEGAL(3, csrs marchid, a1)
        TEST_TRAP_ILLEGAL(4, csrc mimpid, a1)
        RVTEST_CHECK(a4, 0x77)

        /* ---- mepc[0] reads as zero, mepc[1] is kept (IALIGN = 16) ---- */
        TEST_CASE(5, a4, 0x0000000080001234, li a1, 0x80001235; csrw mepc, a1; csrr a4, mepc)
        TEST_CASE(6, a4, 0x0000000080001236, li a1, 0x80001237; csrw mepc, a1; csrr a4, mepc)

        RVTEST_PASS
