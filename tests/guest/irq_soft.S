/*
 * irq_soft.S - interrupt priority and enables with the software-writable pending bits (mip
 * SSIP/STIP/SEIP from M) and msip through the CLINT (privileged spec 3.1.6.1 "Privilege and
 * Global Interrupt-Enable Stack", 3.1.9 "Machine Interrupt Registers": priority MEI > MSI >
 * MTI > SEI > SSI > STI; M-level interrupts are enabled below M or with MIE; delegated ones
 * below S or in S with SIE, never in M).  The handlers clear mie/sie on an interrupt.
 */
#include "priv.h"

#define IRQ(n) (IRQ_BIT | n)

/* Enable `mask` in mie, open MIE, and check which interrupt (or none) was taken in M. */
#define TAKE_M(num, mask, cause)                \
        li TESTNUM, num;                        \
        CLEAR_REC(priv_mrec);                   \
        li a1, mask;                            \
        csrw mie, a1;                           \
        csrsi mstatus, MSTATUS_MIE;             \
        nop;                                    \
        csrci mstatus, MSTATUS_MIE;             \
        CHECK_REC(priv_mrec, REC_CAUSE, cause)

RVTEST_CODE_BEGIN
        PRIV_INIT
        li a1, -1
        li a2, CLINT_MTIMECMP
        sd a1, 0(a2)            /* no timer interrupt */

        /* the priority order is tested in irq_priority.S */
        li a1, 1
        li a2, CLINT_MSIP
        sw a1, 0(a2)
        TAKE_M(1, MIP_MSIP, IRQ(3))
        li a2, CLINT_MSIP
        sw zero, 0(a2)
        TAKE_M(5, MIP_MSIP, 0)

        /* mie gates: a pending interrupt not enabled in mie is not taken */
        li a1, MIP_SSIP
        csrs mip, a1
        TAKE_M(6, MIP_STIP, 0)
        /* MIE = 0 in M: not taken */
        li TESTNUM, 7
        CLEAR_REC(priv_mrec)
        li a1, MIP_SSIP
        csrw mie, a1
        nop
        CHECK_REC(priv_mrec, REC_COUNT, 0)
        csrw mie, zero

        /* an M-level interrupt is taken in S and U whatever MIE */
        li TESTNUM, 8
        CLEAR_REC(priv_mrec)
        SET_RESUME(priv_mrec, 2f)
        li a1, MIP_SSIP
        csrw mie, a1
        GOTO_MODE(PRV_S, 1f)
1:      nop
        ecall
2:      CHECK_REC(priv_mrec, REC_CAUSE, CAUSE_ECALL_S)  /* the last trap */
        CHECK_REC(priv_mrec, REC_COUNT, 2)
        csrr a1, mie
        RVTEST_CHECK(a1, 0)

        /* delegated: never taken in M, even with MIE and SIE set */
        li TESTNUM, 9
        li a1, MIP_SSIP
        csrw mideleg, a1
        CLEAR_REC(priv_mrec)
        CLEAR_REC(priv_srec)
        csrw mie, a1
        csrsi mstatus, MSTATUS_MIE | MSTATUS_SIE
        nop
        csrci mstatus, MSTATUS_MIE | MSTATUS_SIE
        CHECK_REC(priv_mrec, REC_COUNT, 0)
        CHECK_REC(priv_srec, REC_COUNT, 0)

        /* delegated, in S with SIE = 0: not taken; with SIE = 1: taken in S */
        li TESTNUM, 10
        SET_RESUME(priv_mrec, 2f)
        GOTO_MODE(PRV_S, 1f)
1:      nop
        csrr a3, sip
        csrsi sstatus, MSTATUS_SIE
        nop
        csrci sstatus, MSTATUS_SIE
        ecall
2:      RVTEST_CHECK(a3, MIP_SSIP)
        CHECK_REC(priv_srec, REC_COUNT, 1)
        CHECK_REC(priv_srec, REC_CAUSE, IRQ(1))
        ld a4, REC_STATUS(t6)
        andi a4, a4, MSTATUS_SPP | MSTATUS_SPIE
        RVTEST_CHECK(a4, MSTATUS_SPP | MSTATUS_SPIE)

        /* delegated, in U: taken in S whatever SIE */
        li TESTNUM, 11
        CLEAR_REC(priv_srec)
        CLEAR_REC(priv_mrec)
        SET_RESUME(priv_srec, 3f)
        SET_RESUME(priv_mrec, 2f)
        li a1, MIP_SSIP
        csrw mie, a1
        csrci mstatus, MSTATUS_SIE
        li a1, 1 << CAUSE_ECALL_U
        csrw medeleg, a1
        GOTO_MODE(PRV_U, 1f)
1:      nop
        ecall                   /* to S (delegated), which resumes at 3 in S */
3:      ecall                   /* S -> M */
2:      CHECK_REC(priv_srec, REC_COUNT, 2)
        CHECK_REC(priv_srec, REC_CAUSE, CAUSE_ECALL_U)
        CHECK_REC(priv_mrec, REC_COUNT, 1)
        csrr a1, mie
        RVTEST_CHECK(a1, 0)     /* the S handler cleared sie: the interrupt was taken */
        csrw medeleg, zero

        /* M-level beats S-level: MSI (not delegated) and SSI (delegated) pending in S */
        li TESTNUM, 12
        CLEAR_REC(priv_srec)
        CLEAR_REC(priv_mrec)
        SET_RESUME(priv_mrec, 2f)
        li a1, 1
        li a2, CLINT_MSIP
        sw a1, 0(a2)
        li a1, MIP_SSIP | MIP_MSIP
        csrw mie, a1
        GOTO_MODE(PRV_S, 1f)
1:      csrsi sstatus, MSTATUS_SIE
        nop
        ecall
2:      li a2, CLINT_MSIP
        sw zero, 0(a2)
        CHECK_REC(priv_srec, REC_COUNT, 0)
        CHECK_REC(priv_mrec, REC_COUNT, 2)
        csrci mstatus, MSTATUS_SIE
        csrw mie, zero
        csrw mip, zero
        csrw mideleg, zero

        /* the SEIP bit written by software is visible in mip and sip */
        li TESTNUM, 13
        li a1, MIP_SEIP
        csrw mideleg, a1
        csrs mip, a1
        csrr a2, sip
        RVTEST_CHECK(a2, MIP_SEIP)
        csrc mip, a1
        csrr a2, sip
        RVTEST_CHECK(a2, 0)
        csrw mideleg, zero

        la t5, rvtest_trap_entry
        csrw mtvec, t5
        RVTEST_PASS

PRIV_HANDLERS
