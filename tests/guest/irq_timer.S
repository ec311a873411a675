/*
 * irq_timer.S - timer interrupts: MTI through the CLINT's mtimecmp (privileged spec 3.2.1
 * "Machine Timer Registers": MTIP = mtime >= mtimecmp) and STI through Sstc's stimecmp
 * (STIP = time >= stimecmp when menvcfg.STCE = 1; mip.STIP is then read-only).  The hart
 * sleeps in WFI until the interrupt arrives; prints one line per interrupt taken.
 */
#include "priv.h"

#define DELAY 20000             /* mtime ticks (10 MHz): 2 ms */

RVTEST_CODE_BEGIN
        PRIV_INIT

        /* MTIP follows mtimecmp */
        li TESTNUM, 1
        li a2, CLINT_MTIMECMP
        li a1, -1
        sd a1, 0(a2)
        csrr a3, mip
        andi a3, a3, MIP_MTIP
        RVTEST_CHECK(a3, 0)
        sd zero, 0(a2)
        csrr a3, mip
        andi a3, a3, MIP_MTIP
        RVTEST_CHECK(a3, MIP_MTIP)

        /* MTI: arm mtimecmp = mtime + DELAY, sleep until it fires */
        li TESTNUM, 2
        CLEAR_REC(priv_mrec)
        li a2, CLINT_MTIME
        ld a1, 0(a2)
        li a3, DELAY
        add a1, a1, a3
        li a2, CLINT_MTIMECMP
        sd a1, 0(a2)
        li a1, MIP_MTIP
        csrw mie, a1
        /* Wait with MIE=0 (WFI still wakes on a pending, enabled interrupt: privileged spec
         * 3.3.3), then open the window: an interrupt arriving before the WFI cannot be lost. */
1:      wfi
        csrsi mstatus, MSTATUS_MIE
        csrci mstatus, MSTATUS_MIE
        la t6, priv_mrec
        ld a4, REC_COUNT(t6)
        beqz a4, 1b
        CHECK_REC(priv_mrec, REC_CAUSE, IRQ_BIT | 7)
        li a2, CLINT_MTIME      /* not before the deadline */
        ld a3, 0(a2)
        li a2, CLINT_MTIMECMP
        ld a1, 0(a2)
        bltu a3, a1, rvtest_fail
        la a0, msg_mti
        call rvtest_puts
        li a1, -1
        li a2, CLINT_MTIMECMP
        sd a1, 0(a2)

        /* Sstc: STIP follows stimecmp and is not writable */
        li TESTNUM, 3
        li a1, MENVCFG_STCE
        csrw menvcfg, a1
        li a1, -1
        csrw stimecmp, a1
        li a1, MIP_STIP
        csrs mip, a1
        csrr a3, mip
        andi a3, a3, MIP_STIP
        RVTEST_CHECK(a3, 0)
        csrw stimecmp, zero
        csrr a3, mip
        andi a3, a3, MIP_STIP
        RVTEST_CHECK(a3, MIP_STIP)
        li a1, -1
        csrw stimecmp, a1

        /* STI delegated to S: S arms stimecmp = time + DELAY and sleeps */
        li TESTNUM, 4
        li a1, MIP_STIP
        csrw mideleg, a1
        csrw mie, a1
        li a1, 2
        csrw mcounteren, a1
        CLEAR_REC(priv_srec)
        CLEAR_REC(priv_mrec)
        SET_RESUME(priv_mrec, 2f)
        GOTO_MODE(PRV_S, 1f)
1:      rdtime a1
        li a3, DELAY
        add a1, a1, a3
        csrw stimecmp, a1
3:      wfi
        csrsi sstatus, MSTATUS_SIE
        csrci sstatus, MSTATUS_SIE
        la t6, priv_srec
        ld a4, REC_COUNT(t6)
        beqz a4, 3b
        rdtime a3
        csrr a1, stimecmp
        bltu a3, a1, rvtest_fail
        ecall
2:      CHECK_REC(priv_srec, REC_CAUSE, IRQ_BIT | 5)
        CHECK_REC(priv_mrec, REC_CAUSE, CAUSE_ECALL_S)
        la a0, msg_sti
        call rvtest_puts
        li a1, -1
        csrw stimecmp, a1
        csrw menvcfg, zero
        csrw mideleg, zero
        csrw mie, zero

        la t5, rvtest_trap_entry
        csrw mtvec, t5
        RVTEST_PASS

PRIV_HANDLERS

        .section .rodata
msg_mti: .asciz "MTI taken\n"
msg_sti: .asciz "STI taken\n"
