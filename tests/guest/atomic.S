/*
 * atomic.S - A extension: LR/SC and every AMO in .W and .D forms.
 * Spec: Unprivileged ISA, "A Extension for Atomic Instructions":
 *  - "Load-Reserved/Store-Conditional Instructions": LR.W sign-extends the
 *    loaded word; SC writes 0 to rd on success and a nonzero code on
 *    failure, and a failed SC does not write memory; an SC invalidates the
 *    reservation whether or not it succeeds, so a second SC fails; at
 *    reset there is no valid reservation (Privileged ISA, "Reset"), so an
 *    SC with no preceding LR fails; a misaligned LR raises a load
 *    address-misaligned exception (mcause 4) with mtval = the address.
 *  - "Atomic Memory Operations": rd receives the old value (sign-extended
 *    for .W), memory receives op(old, rs2); .W uses the low 32 bits of rs2
 *    and leaves the neighbouring word alone; AMOMIN/AMOMAX compare signed,
 *    AMOMINU/AMOMAXU unsigned; aq/rl bits do not change single-hart results.
 * Misaligned SC and AMOs are checked in amo_misaligned.S (QEMU 7.2 differs
 * from the spec there).  Only guarantees of the spec are tested: nothing
 * depends on the size of the reservation set or on what a store by the
 * same hart between LR and SC does to the reservation.
 */
#include "rvtest.h"

/* Memory at amo_buf = init (64 bits), rs2 = src; run `inst a4, a2, (a1)`;
 * require rd == exp_rd and the 64-bit word at amo_buf == exp_mem. */
#define TEST_AMO(testnum, inst, init, src, exp_rd, exp_mem)     \
        li TESTNUM, testnum;                                    \
        la a1, amo_buf;                                         \
        li a3, init;                                            \
        sd a3, 0(a1);                                           \
        li a2, src;                                             \
        inst a4, a2, (a1);                                      \
        RVTEST_CHECK(a4, exp_rd);                               \
        ld a5, 0(a1);                                           \
        RVTEST_CHECK(a5, exp_mem)

/* Fail unless reg is nonzero (SC failure code). */
#define CHECK_NONZERO(reg) \
        bnez reg, 7751f;   \
        j rvtest_fail;     \
7751:

RVTEST_CODE_BEGIN
        /* ---- 1: SC with no reservation since reset fails, memory intact ---- */
        li TESTNUM, 1
        la a1, lr_buf
        li a2, 0x1111
        sc.w a4, a2, (a1)
        CHECK_NONZERO(a4)
        lwu a5, 0(a1)
        RVTEST_CHECK(a5, 0x0badcafe)

        /* ---- 2: LR.W/SC.W success; LR.W sign-extends ---- */
        li TESTNUM, 2
        la a1, lr_buf
        li a3, 0x80000001
        sw a3, 0(a1)
        lr.w a4, (a1)
        RVTEST_CHECK(a4, 0xffffffff80000001)
        addi a4, a4, 1
        sc.w a5, a4, (a1)
        RVTEST_CHECK(a5, 0)
        lwu a4, 0(a1)
        RVTEST_CHECK(a4, 0x80000002)
        lwu a4, 4(a1)           /* the other half of the dword untouched */
        RVTEST_CHECK(a4, 0x5eed5eed)

        /* ---- 3: a second SC after a successful one fails ---- */
        li TESTNUM, 3
        li a2, 0x77
        sc.w a5, a2, (a1)
        CHECK_NONZERO(a5)
        lwu a4, 0(a1)
        RVTEST_CHECK(a4, 0x80000002)

        /* ---- 4: LR.D / SC.D success, then a failing SC.D ---- */
        li TESTNUM, 4
        la a1, lr_buf + 8
        li a3, 0x8000000000000000
        sd a3, 0(a1)
        lr.d a4, (a1)
        RVTEST_CHECK(a4, 0x8000000000000000)
        li a2, 0x0123456789abcdef
        sc.d a5, a2, (a1)
        RVTEST_CHECK(a5, 0)
        ld a4, 0(a1)
        RVTEST_CHECK(a4, 0x0123456789abcdef)
        li a2, 0x42
        sc.d a5, a2, (a1)
        CHECK_NONZERO(a5)
        ld a4, 0(a1)
        RVTEST_CHECK(a4, 0x0123456789abcdef)

        /* ---- 5: an SC right after a failed SC also fails ---- */
        li TESTNUM, 5
        sc.d a5, a2, (a1)
        CHECK_NONZERO(a5)
        ld a4, 0(a1)
        RVTEST_CHECK(a4, 0x0123456789abcdef)

        /* ---- 6: LR/SC with aq/rl bits ---- */
        li TESTNUM, 6
        la a1, lr_buf
        lr.w.aq a4, (a1)
        RVTEST_CHECK(a4, 0xffffffff80000002)
        li a2, 5
        sc.w.rl a5, a2, (a1)
        RVTEST_CHECK(a5, 0)
        lr.d.aqrl a4, (a1)
        RVTEST_CHECK(a4, 0x5eed5eed00000005)
        li a2, -1
        sc.d.aqrl a5, a2, (a1)
        RVTEST_CHECK(a5, 0)
        ld a4, 0(a1)
        RVTEST_CHECK(a4, -1)

        /* ---- 7: constrained LR/SC retry loop (atomic increment x 100) ---- */
        li TESTNUM, 7
        la a1, lr_buf
        sd x0, 0(a1)
        li a3, 100
1:      lr.d a4, (a1)
        addi a4, a4, 1
        sc.d a5, a4, (a1)
        bnez a5, 1b             /* retry (the spec guarantees progress) */
        addi a3, a3, -1
        bnez a3, 1b
        ld a4, 0(a1)
        RVTEST_CHECK(a4, 100)

        /* ---- 8: SC with rd = x0 still stores on success ---- */
        li TESTNUM, 8
        la a1, lr_buf
        lr.w a4, (a1)
        li a2, 0x1234
        sc.w x0, a2, (a1)
        ld a4, 0(a1)
        RVTEST_CHECK(a4, 0x1234)

        /* ---- 9-11: misaligned LR -> load address misaligned, rd unchanged ---- */
        li a4, 0x99
        TEST_TRAP_SYM(9,  CAUSE_MISALIGNED_LOAD, lr_buf + 2, lr.w a4, (a1))
        RVTEST_CHECK(a4, 0x99)
        TEST_TRAP_SYM(10, CAUSE_MISALIGNED_LOAD, lr_buf + 4, lr.d a4, (a1))
        RVTEST_CHECK(a4, 0x99)
        TEST_TRAP_SYM(11, CAUSE_MISALIGNED_LOAD, lr_buf + 1, lr.d.aq a4, (a1))
        RVTEST_CHECK(a4, 0x99)

        /* ---- 12: the word at lr_buf + 4 works with LR.W/SC.W (4-aligned) ---- */
        li TESTNUM, 12
        la a1, lr_buf + 4
        lr.w a4, (a1)
        li a2, 0x7777
        sc.w a5, a2, (a1)
        RVTEST_CHECK(a5, 0)
        la a1, lr_buf
        ld a4, 0(a1)
        RVTEST_CHECK(a4, 0x0000777700001234)

        /* ---- 13, 14: LR of an address with nothing behind it -> load
         * access fault (Privileged ISA, "Machine Cause Register"), mtval =
         * address (0x200000 is a hole in the QEMU virt memory map) ---- */
        TEST_TRAP_ADDR(13, CAUSE_LOAD_ACCESS, 0x200000, lr.d a4, (a1))
        TEST_TRAP_ADDR(14, CAUSE_LOAD_ACCESS, 0x200000, lr.w a4, (a1))
        RVTEST_CHECK(a4, 0x0000777700001234)

        /* ---- AMOs: all nine operations, .W and .D ---- */
        TEST_AMO(20, amoswap.w, 0x5a5aa5a580000001, 0xdead00007fffffff, 0xffffffff80000001, 0x5a5aa5a57fffffff)
        TEST_AMO(21, amoswap.w, 0x5a5aa5a5fffffffe, 0xdead000000000003, 0xfffffffffffffffe, 0x5a5aa5a500000003)
        TEST_AMO(22, amoswap.d, 0x8000000000000001, 0x7fffffffffffffff, 0x8000000000000001, 0x7fffffffffffffff)
        TEST_AMO(23, amoswap.d, 0xfffffffffffffffe, 0x0000000000000003, 0xfffffffffffffffe, 0x0000000000000003)
        TEST_AMO(24, amoadd.w, 0x5a5aa5a580000001, 0xdead00007fffffff, 0xffffffff80000001, 0x5a5aa5a500000000)
        TEST_AMO(25, amoadd.w, 0x5a5aa5a5fffffffe, 0xdead000000000003, 0xfffffffffffffffe, 0x5a5aa5a500000001)
        TEST_AMO(26, amoadd.d, 0x8000000000000001, 0x7fffffffffffffff, 0x8000000000000001, 0x0000000000000000)
        TEST_AMO(27, amoadd.d, 0xfffffffffffffffe, 0x0000000000000003, 0xfffffffffffffffe, 0x0000000000000001)
        TEST_AMO(28, amoxor.w, 0x5a5aa5a580000001, 0xdead00007fffffff, 0xffffffff80000001, 0x5a5aa5a5fffffffe)
        TEST_AMO(29, amoxor.w, 0x5a5aa5a5fffffffe, 0xdead000000000003, 0xfffffffffffffffe, 0x5a5aa5a5fffffffd)
        TEST_AMO(30, amoxor.d, 0x8000000000000001, 0x7fffffffffffffff, 0x8000000000000001, 0xfffffffffffffffe)
        TEST_AMO(31, amoxor.d, 0xfffffffffffffffe, 0x0000000000000003, 0xfffffffffffffffe, 0xfffffffffffffffd)
        TEST_AMO(32, amoand.w, 0x5a5aa5a580000001, 0xdead00007fffffff, 0xffffffff80000001, 0x5a5aa5a500000001)
        TEST_AMO(33, amoand.w, 0x5a5aa5a5fffffffe, 0xdead000000000003, 0xfffffffffffffffe, 0x5a5aa5a500000002)
        TEST_AMO(34, amoand.d, 0x8000000000000001, 0x7fffffffffffffff, 0x8000000000000001, 0x0000000000000001)
        TEST_AMO(35, amoand.d, 0xfffffffffffffffe, 0x0000000000000003, 0xfffffffffffffffe, 0x0000000000000002)
        TEST_AMO(36, amoor.w, 0x5a5aa5a580000001, 0xdead00007fffffff, 0xffffffff80000001, 0x5a5aa5a5ffffffff)
        TEST_AMO(37, amoor.w, 0x5a5aa5a5fffffffe, 0xdead000000000003, 0xfffffffffffffffe, 0x5a5aa5a5ffffffff)
        TEST_AMO(38, amoor.d, 0x8000000000000001, 0x7fffffffffffffff, 0x8000000000000001, 0xffffffffffffffff)
        TEST_AMO(39, amoor.d, 0xfffffffffffffffe, 0x0000000000000003, 0xfffffffffffffffe, 0xffffffffffffffff)
        TEST_AMO(40, amomin.w, 0x5a5aa5a580000001, 0xdead00007fffffff, 0xffffffff80000001, 0x5a5aa5a580000001)
        TEST_AMO(41, amomin.w, 0x5a5aa5a5fffffffe, 0xdead000000000003, 0xfffffffffffffffe, 0x5a5aa5a5fffffffe)
        TEST_AMO(42, amomin.d, 0x8000000000000001, 0x7fffffffffffffff, 0x8000000000000001, 0x8000000000000001)
        TEST_AMO(43, amomin.d, 0xfffffffffffffffe, 0x0000000000000003, 0xfffffffffffffffe, 0xfffffffffffffffe)
        TEST_AMO(44, amomax.w, 0x5a5aa5a580000001, 0xdead00007fffffff, 0xffffffff80000001, 0x5a5aa5a57fffffff)
        TEST_AMO(45, amomax.w, 0x5a5aa5a5fffffffe, 0xdead000000000003, 0xfffffffffffffffe, 0x5a5aa5a500000003)
        TEST_AMO(46, amomax.d, 0x8000000000000001, 0x7fffffffffffffff, 0x8000000000000001, 0x7fffffffffffffff)
        TEST_AMO(47, amomax.d, 0xfffffffffffffffe, 0x0000000000000003, 0xfffffffffffffffe, 0x0000000000000003)
        TEST_AMO(48, amominu.w, 0x5a5aa5a580000001, 0xdead00007fffffff, 0xffffffff80000001, 0x5a5aa5a57fffffff)
        TEST_AMO(49, amominu.w, 0x5a5aa5a5fffffffe, 0xdead000000000003, 0xfffffffffffffffe, 0x5a5aa5a500000003)
        TEST_AMO(50, amominu.d, 0x8000000000000001, 0x7fffffffffffffff, 0x8000000000000001, 0x7fffffffffffffff)
        TEST_AMO(51, amominu.d, 0xfffffffffffffffe, 0x0000000000000003, 0xfffffffffffffffe, 0x0000000000000003)
        TEST_AMO(52, amomaxu.w, 0x5a5aa5a580000001, 0xdead00007fffffff, 0xffffffff80000001, 0x5a5aa5a580000001)
        TEST_AMO(53, amomaxu.w, 0x5a5aa5a5fffffffe, 0xdead000000000003, 0xfffffffffffffffe, 0x5a5aa5a5fffffffe)
        TEST_AMO(54, amomaxu.d, 0x8000000000000001, 0x7fffffffffffffff, 0x8000000000000001, 0x8000000000000001)
        TEST_AMO(55, amomaxu.d, 0xfffffffffffffffe, 0x0000000000000003, 0xfffffffffffffffe, 0xfffffffffffffffe)

        /* ---- AMO .W on the upper word of a dword ---- */
        li TESTNUM, 60
        la a1, amo_buf
        li a3, 0x00000005aaaaaaaa
        sd a3, 0(a1)
        addi a1, a1, 4
        li a2, 0xffffffff       /* -1 in 32 bits */
        amoadd.w a4, a2, (a1)
        RVTEST_CHECK(a4, 5)
        la a1, amo_buf
        ld a4, 0(a1)
        RVTEST_CHECK(a4, 0x00000004aaaaaaaa)

        /* ---- AMO with rd = x0 still updates memory ---- */
        li TESTNUM, 61
        la a1, amo_buf
        li a3, 10
        sd a3, 0(a1)
        li a2, 32
        amoadd.d x0, a2, (a1)
        amoor.d.aqrl x0, a2, (a1)       /* 42 | 32 = 42 */
        ld a4, 0(a1)
        RVTEST_CHECK(a4, 42)

        /* ---- AMO with rd == rs2: memory gets the old rs2 ---- */
        li TESTNUM, 62
        la a1, amo_buf
        li a3, 111
        sd a3, 0(a1)
        li a2, 222
        amoswap.d a2, a2, (a1)
        RVTEST_CHECK(a2, 111)
        ld a4, 0(a1)
        RVTEST_CHECK(a4, 222)

        /* ---- AMO with rd == rs1: the address is read before rd is written ---- */
        li TESTNUM, 63
        la a1, amo_buf
        li a3, 7
        sd a3, 0(a1)
        li a2, 3
        amoadd.d a1, a2, (a1)
        RVTEST_CHECK(a1, 7)
        la a1, amo_buf
        ld a4, 0(a1)
        RVTEST_CHECK(a4, 10)

        /* ---- aq/rl variants of AMOs ---- */
        li TESTNUM, 64
        la a1, amo_buf
        sd x0, 0(a1)
        li a2, 1
        amoadd.w.aq a4, a2, (a1)
        amoadd.w.rl a4, a2, (a1)
        amoadd.w.aqrl a4, a2, (a1)
        amomaxu.d.aq a4, a2, (a1)
        RVTEST_CHECK(a4, 3)
        ld a4, 0(a1)
        RVTEST_CHECK(a4, 3)

        /* ---- AMO counter loop ---- */
        li TESTNUM, 65
        la a1, amo_buf
        sd x0, 0(a1)
        li a3, 1000
        li a2, 3
1:      amoadd.d x0, a2, (a1)
        addi a3, a3, -1
        bnez a3, 1b
        ld a4, 0(a1)
        RVTEST_CHECK(a4, 3000)

        RVTEST_PASS

        .data
        .balign 16
lr_buf: .word 0x0badcafe, 0x5eed5eed
        .dword 0
amo_buf: .dword 0, 0
