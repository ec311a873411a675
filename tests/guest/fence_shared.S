/*
 * fence_shared.S - FENCE.I with code that shares its page with data, and code changed only
 * by atomics.
 * Spec: Unprivileged ISA, "Zifencei Instruction-Fetch Fence" (a hart's stores to instruction
 * memory, of any kind, are seen by its own fetches after FENCE.I) and "A" extension (AMOs and
 * SC are stores).  An emulator that tracks which code pages were written since the last
 * FENCE.I must see every kind of store, including the first store after a FENCE.I that found
 * a page unchanged, a store after a load of the page, and AMO/SC-only writes.
 * Covered:
 *   1  a page with a function and a counter: the counter is written many times between
 *      FENCE.Is, the function keeps its behaviour, then is patched and the patch is seen;
 *   2  a FENCE.I after a store of an unchanged value, then a patch of the same page;
 *   3  a load from a code page, then a store patching it (no write grant from the load);
 *   4  a function changed only by AMOADD.W and AMOSWAP.W;
 *   5  a function changed only by LR.W/SC.W (and a failed SC, which changes nothing).
 */
#include "rvtest.h"

/* addi a0, x0, imm */
#define ADDI_A0(imm) (((imm) << 20) | (10 << 7) | 0x13)

RVTEST_CODE_BEGIN
        /* ---- 1: data written repeatedly in the page of a function ---- */
        li TESTNUM, 1
        call shared_fn
        RVTEST_CHECK(a0, 1)
        la s2, shared_data
        li s0, 20               /* outer rounds, one FENCE.I each */
1:      li s1, 200              /* stores per round */
2:      ld a3, 0(s2)
        addi a3, a3, 1
        sd a3, 0(s2)
        addi s1, s1, -1
        bnez s1, 2b
        fence.i
        call shared_fn
        RVTEST_CHECK(a0, 1)
        addi s0, s0, -1
        bnez s0, 1b
        ld a4, 0(s2)
        RVTEST_CHECK(a4, 4000)
        li TESTNUM, 2
        li a2, ADDI_A0(2)
        la a1, shared_fn
        sw a2, 0(a1)
        sd zero, 0(s2)          /* and more data */
        fence.i
        call shared_fn
        RVTEST_CHECK(a0, 2)

        /* ---- 3: a FENCE.I that finds the page unchanged, then a patch ---- */
        li TESTNUM, 3
        la a1, shared_fn
        lw a2, 0(a1)
        sw a2, 0(a1)            /* same bytes */
        fence.i
        call shared_fn
        RVTEST_CHECK(a0, 2)
        li a2, ADDI_A0(3)
        sw a2, 0(a1)            /* must be seen although the page was just compared */
        fence.i
        call shared_fn
        RVTEST_CHECK(a0, 3)

        /* ---- 4: a load from the code page first, then the store ---- */
        li TESTNUM, 4
        la a1, load_fn
        call load_fn
        RVTEST_CHECK(a0, 4)
        la a1, load_fn
        lw a3, 0(a1)            /* a read fill of the page */
        li a2, ADDI_A0(5)
        sw a2, 0(a1)
        fence.i
        call load_fn
        RVTEST_CHECK(a0, 5)

        /* ---- 5: code changed only by AMOs ---- */
        li TESTNUM, 5
        call amo_fn
        RVTEST_CHECK(a0, 6)
        la a1, amo_fn
        li a2, 10 << 20         /* imm += 10 */
        amoadd.w a3, a2, (a1)
        li a4, ADDI_A0(6)
        RVTEST_CHECK_EQ(a3, a4)
        fence.i
        call amo_fn
        RVTEST_CHECK(a0, 16)
        li TESTNUM, 6
        la a1, amo_fn
        li a2, ADDI_A0(7)
        amoswap.w.aqrl a3, a2, (a1)
        fence.i
        call amo_fn
        RVTEST_CHECK(a0, 7)
        /* the same value again: the page is unchanged, then an AMO patch must be seen */
        li TESTNUM, 7
        la a1, amo_fn
        li a2, ADDI_A0(7)
        amoswap.w a3, a2, (a1)
        fence.i
        call amo_fn
        RVTEST_CHECK(a0, 7)
        la a1, amo_fn
        li a2, 1 << 20
        amoadd.w zero, a2, (a1)
        fence.i
        call amo_fn
        RVTEST_CHECK(a0, 8)

        /* ---- 8: code changed only by LR/SC ---- */
        li TESTNUM, 8
        call lrsc_fn
        RVTEST_CHECK(a0, 9)
        la a1, lrsc_fn
        li a2, ADDI_A0(11)
        sc.w a3, a2, (a1)       /* no reservation: fails, writes nothing */
        RVTEST_CHECK(a3, 1)
        fence.i
        call lrsc_fn
        RVTEST_CHECK(a0, 9)
        li TESTNUM, 9
        la a1, lrsc_fn
1:      lr.w a3, (a1)
        li a2, ADDI_A0(12)
        sc.w a4, a2, (a1)
        bnez a4, 1b
        fence.i
        call lrsc_fn
        RVTEST_CHECK(a0, 12)

        RVTEST_PASS

/* Each function has a 4 KiB page to itself (with its data), so that nothing else writes it. */
        .balign 4096
shared_fn:
        addi a0, x0, 1
        ret
        .balign 8
shared_data:
        .dword 0

        .balign 4096
load_fn:
        addi a0, x0, 4
        ret

        .balign 4096
amo_fn:
        addi a0, x0, 6
        ret

        .balign 4096
lrsc_fn:
        addi a0, x0, 9
        ret
        .balign 4096
