/*
 * amo_faults.S - SC and AMO exceptions: misaligned addresses and access
 * faults must raise *store/AMO* exceptions.
 *
 * QEMU-DIVERGENT (QEMU 7.2): the test harness skips the QEMU comparison
 * for this program.  QEMU 7.2 reports a misaligned AMO as a load
 * address-misaligned exception (mcause 4) instead of store/AMO address
 * misaligned (6), an AMO to unmapped memory as a load access fault (5)
 * instead of store/AMO access fault (7), and lets a misaligned SC without
 * a matching reservation simply fail (rd = 1) with no exception.
 *
 * Spec: Unprivileged ISA, "A Extension for Atomic Instructions" ->
 * "Load-Reserved/Store-Conditional Instructions" and "Atomic Memory
 * Operations": if the address is not naturally aligned, an
 * address-misaligned exception (or an access-fault exception) is
 * generated.  Privileged ISA, "Machine Cause Register (mcause)": SC and
 * AMOs raise the "Store/AMO" exceptions (6 address misaligned, 7 access
 * fault); "Machine Trap Value Register (mtval)": mtval = faulting address.
 * We require cause 6 for misalignment (the choice QEMU makes for LR, see
 * atomic.S), that rd is not written and that memory is unchanged.
 */
#include "rvtest.h"

#define MAGIC    0x0bad0bad0bad0bad
#define UNMAPPED 0x200000       /* hole in the QEMU virt memory map */

/* `inst a4, a2, (a1)` at buf+off must raise cause 6 with mtval = address;
 * a4 and memory must be unchanged. */
#define TEST_AMO_MISALIGNED(testnum, inst, off)                 \
        li a4, MAGIC;                                           \
        li a2, 0x1111111111111111;                              \
        TEST_TRAP_SYM(testnum, CAUSE_MISALIGNED_STORE, buf + off, inst a4, a2, (a1)); \
        RVTEST_CHECK(a4, MAGIC);                                \
        la a1, buf;                                             \
        ld a5, 0(a1);                                           \
        RVTEST_CHECK(a5, 0x0706050403020100);                   \
        ld a5, 8(a1);                                           \
        RVTEST_CHECK(a5, 0x0f0e0d0c0b0a0908)

/* `inst a4, a2, (a1)` at an unmapped address must raise cause 7. */
#define TEST_AMO_ACCESS(testnum, inst)                          \
        li a4, MAGIC;                                           \
        TEST_TRAP_ADDR(testnum, CAUSE_STORE_ACCESS, UNMAPPED, inst a4, a2, (a1)); \
        RVTEST_CHECK(a4, MAGIC)

RVTEST_CODE_BEGIN
        /* SC.W / SC.D without any reservation */
        TEST_AMO_MISALIGNED(1,  sc.w, 1)
        TEST_AMO_MISALIGNED(2,  sc.w, 2)
        TEST_AMO_MISALIGNED(3,  sc.d, 4)
        TEST_AMO_MISALIGNED(4,  sc.d, 7)

        /* SC.W to a misaligned address right after a valid LR.W */
        li TESTNUM, 5
        la a1, buf
        lr.w a3, (a1)
        TEST_AMO_MISALIGNED(5,  sc.w, 2)

        /* every AMO, word and doubleword, misaligned */
        TEST_AMO_MISALIGNED(10, amoswap.w, 1)
        TEST_AMO_MISALIGNED(11, amoadd.w,  2)
        TEST_AMO_MISALIGNED(12, amoxor.w,  3)
        TEST_AMO_MISALIGNED(13, amoand.w,  5)
        TEST_AMO_MISALIGNED(14, amoor.w,   6)
        TEST_AMO_MISALIGNED(15, amomin.w,  7)
        TEST_AMO_MISALIGNED(16, amomax.w,  9)
        TEST_AMO_MISALIGNED(17, amominu.w, 10)
        TEST_AMO_MISALIGNED(18, amomaxu.w, 2)
        TEST_AMO_MISALIGNED(20, amoswap.d, 4)
        TEST_AMO_MISALIGNED(21, amoadd.d,  1)
        TEST_AMO_MISALIGNED(22, amoxor.d,  2)
        TEST_AMO_MISALIGNED(23, amoand.d,  3)
        TEST_AMO_MISALIGNED(24, amoor.d,   5)
        TEST_AMO_MISALIGNED(25, amomin.d,  6)
        TEST_AMO_MISALIGNED(26, amomax.d,  7)
        TEST_AMO_MISALIGNED(27, amominu.d, 4)
        TEST_AMO_MISALIGNED(28, amomaxu.d, 2)

        /* AMOs on an address with nothing behind it: store/AMO access fault */
        TEST_AMO_ACCESS(30, amoswap.w)
        TEST_AMO_ACCESS(31, amoadd.w)
        TEST_AMO_ACCESS(32, amomaxu.w)
        TEST_AMO_ACCESS(33, amoswap.d)
        TEST_AMO_ACCESS(34, amoor.d)
        TEST_AMO_ACCESS(35, amomin.d)

        RVTEST_PASS

        .data
        .balign 16
buf:    .byte 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
