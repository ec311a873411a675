/*
 * irq_priority.S - interrupt priority with the software-writable pending bits (mip
 * SSIP/STIP/SEIP from M) and msip through the CLINT (privileged spec 3.1.6.1 "Privilege and
 * Global Interrupt-Enable Stack", 3.1.9 "Machine Interrupt Registers": priority MEI > MSI >
 * MTI > SEI > SSI > STI; M-level interrupts are enabled below M or with MIE; delegated ones
 * below S or in S with SIE, never in M).  The handlers clear mie/sie on an interrupt.
 *
 * QEMU-DIVERGENT (QEMU 7.2): without the AIA extensions QEMU 7.2 takes the pending interrupt
 * with the lowest number (SSI before MSI, STI before SEI), not the spec's priority order;
 * tests/test_guest_programs.py skips the QEMU comparison for this program.
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

        /* all six pending, mideleg = 0: MSI, then SEI, SSI, STI in that order */
        li a1, 1
        li a2, CLINT_MSIP
        sw a1, 0(a2)
        li a1, MIP_SSIP | MIP_STIP | MIP_SEIP
        csrs mip, a1
        TAKE_M(1, 0xAAA, IRQ(3))
        li a2, CLINT_MSIP
        sw zero, 0(a2)
        TAKE_M(2, 0xAAA, IRQ(9))
        li a1, MIP_SEIP
        csrc mip, a1
        TAKE_M(3, 0xAAA, IRQ(1))
        li a1, MIP_SSIP
        csrc mip, a1
        TAKE_M(4, 0xAAA, IRQ(5))
        li a1, MIP_STIP
        csrc mip, a1
        TAKE_M(5, 0xAAA, 0)


        la t5, rvtest_trap_entry
        csrw mtvec, t5
        RVTEST_PASS

PRIV_HANDLERS
