/*
 * h_irq.S - VS-level interrupts injected through hvip (VSSI/VSTI/VSEI):
 * routing to HS (hideleg = 0) or VS (hideleg set) with the cause
 * translation 2/6/10 -> 1/5/9, no delivery while V=0, vectored vstvec,
 * priority, WFI wake-up, htimedelta, Sstc vstimecmp.
 * Spec: hypervisor.adoc, "Hypervisor Interrupt Registers" (hvip, hip, hie,
 * norm:hideleg_trans), "Trap Entry", "Hypervisor Time Delta Register",
 * sstc.adoc (vstimecmp, henvcfg.STCE), machine.adoc (interrupt priority,
 * WFI).
 * Vectors: docs h-extension.md section 6.3, 7 and section 11 T12, T32
 * (wake-up), T35-T38.
 */
#include "htest.h"

#define MENVCFG_STCE (1 << 63)

RVTEST_CODE_BEGIN
        call    h_init

        /* T35: hideleg[2] = 0, hie.VSSIE = 1, hvip.VSSIP = 1: entering VS
         * traps to HS at once (cause IRQ|2, SPV = 1) although the HS
         * sstatus.SIE = 0 */
        HTEST(1)
        li      t0, MIP_VSSIP
        csrw    hie, t0
        csrw    hvip, t0
        HRUN(MODE_VS)
1:      nop
        HEND
        HCHECK_TRAP_AT(LVL_HS, CAUSE_IRQ | IRQ_VSSI, 1b)
        HCHECK_REC_MASK(HR_HSTATUS, HSTATUS_SPV|HSTATUS_GVA, HSTATUS_SPV)

        /* T35: hideleg[2] = 1, vsie.SSIE = 1, vsstatus.SIE = 1 -> VS with
         * vscause IRQ|1 */
        HTEST(2)
        li      t0, 0x444
        csrw    hideleg, t0
        li      t0, MIP_SSIP
        csrw    vsie, t0
        li      t0, MIP_VSSIP
        csrw    hvip, t0
        li      t0, MSTATUS_SIE
        csrw    vsstatus, t0
        HRUN(MODE_VS)
1:      nop
        HEND
        HCHECK_TRAP_AT(LVL_VS, CAUSE_IRQ | IRQ_SSI, 1b)
        HCHECK_REC_MASK(HR_STATUS, MSTATUS_SPP|MSTATUS_SPIE|MSTATUS_SIE, MSTATUS_SPP|MSTATUS_SPIE)
        HCHECK_CSR(vscause, CAUSE_IRQ | IRQ_SSI)

        /* VSTI and VSEI: vscause IRQ|5 and IRQ|9 */
        HTEST(3)
        li      t0, 0x444
        csrw    hideleg, t0
        li      t0, MIP_STIP
        csrw    vsie, t0
        li      t0, MIP_VSTIP
        csrw    hvip, t0
        li      t0, MSTATUS_SIE
        csrw    vsstatus, t0
        HRUN(MODE_VS)
1:      nop
        HEND
        HCHECK_TRAP_AT(LVL_VS, CAUSE_IRQ | IRQ_STI, 1b)
        HTEST(4)
        li      t0, 0x444
        csrw    hideleg, t0
        li      t0, MIP_SEIP
        csrw    vsie, t0
        li      t0, MIP_VSEIP
        csrw    hvip, t0
        HRUN(MODE_VU)                           /* VU: no SIE needed */
1:      nop
        HEND
        HCHECK_TRAP_AT(LVL_VS, CAUSE_IRQ | IRQ_SEI, 1b)
        HCHECK_REC_MASK(HR_STATUS, MSTATUS_SPP, 0)

        /* VS interrupts are masked by vsstatus.SIE = 0 in VS */
        HTEST(5)
        li      t0, 0x444
        csrw    hideleg, t0
        li      t0, MIP_SSIP
        csrw    vsie, t0
        li      t0, MIP_VSSIP
        csrw    hvip, t0
        li      t0, 1 << 10
        csrc    medeleg, t0
        HRUN(MODE_VS)
        nop
        HEND
        HCHECK_NOTRAP

        /* T36: with hideleg[2] = 1 nothing is taken while V = 0 (HS,
         * SIE = 1); SRET into VS takes it at once: vsepc = the SRET
         * target */
        HTEST(6)
        li      t0, 0x444
        csrw    hideleg, t0
        li      t0, MIP_SSIP
        csrw    vsie, t0
        li      t0, MIP_VSSIP
        csrw    hvip, t0
        li      t0, MSTATUS_SIE
        csrw    vsstatus, t0
        HRUN(MODE_HS)
        csrsi   sstatus, MSTATUS_SIE
        nop
        nop
        csrci   sstatus, MSTATUS_SIE
        li      a0, 1                           /* reached with V = 0 */
        li      t0, HSTATUS_SPV
        csrs    hstatus, t0
        li      t0, MSTATUS_SPP
        csrs    sstatus, t0
        la      t0, 1f
        csrw    sepc, t0
        sret
1:      nop
        HEND
        HCHECK_REG(a0, 1)
        HCHECK_TRAP_AT(LVL_VS, CAUSE_IRQ | IRQ_SSI, 1b)

        /* vectored vstvec: an interrupt goes to BASE + 4 * (translated
         * cause) */
        HTEST(7)
        la      t0, vs_vectors
        ori     t0, t0, 1
        csrw    vstvec, t0
        la      t0, vs_vector_taken
        li      t1, -1
        sd      t1, 0(t0)
        li      t0, 0x444
        csrw    hideleg, t0
        li      t0, MIP_STIP
        csrw    vsie, t0
        li      t0, MIP_VSTIP
        csrw    hvip, t0
        li      t0, MSTATUS_SIE
        csrw    vsstatus, t0
        HRUN(MODE_VS)
        nop
        HEND
        HCHECK_TRAP(LVL_VS, CAUSE_IRQ | IRQ_STI)
        la      t0, vs_vector_taken
        ld      a0, 0(t0)
        HCHECK_REG(a0, IRQ_STI)

        /* T32: WFI in VS (VTW = 0) with a locally enabled (vsie) pending
         * VS interrupt but vsstatus.SIE = 0 completes; no trap */
        HTEST(8)
        li      t0, 0x444
        csrw    hideleg, t0
        li      t0, MIP_SSIP
        csrw    vsie, t0
        li      t0, MIP_VSSIP
        csrw    hvip, t0
        li      t0, 1 << 10
        csrc    medeleg, t0
        li      a0, 0
        HRUN(MODE_VS)
        wfi
        li      a0, 1
        HEND
        HCHECK_NOTRAP
        HCHECK_REG(a0, 1)

        /* hip.VSSIP is the same bit as hvip.VSSIP; VS writing sip.SSIP
         * sets/clears it (hideleg[2] = 1) */
        HTEST(9)
        li      t0, 0x444
        csrw    hideleg, t0
        li      t0, 1 << 10
        csrc    medeleg, t0
        HRUN(MODE_VS)
        csrsi   sip, MIP_SSIP
        HEND
        HCHECK_NOTRAP
        HCHECK_CSR_MASK(hvip, MIP_VSSIP, MIP_VSSIP)
        HCHECK_CSR_MASK(hip, MIP_VSSIP, MIP_VSSIP)
        HCHECK_CSR_MASK(mip, MIP_VSSIP, MIP_VSSIP)

        /* T12: VS reads time + htimedelta */
        HTEST(10)
        li      t0, 2
        csrw    mcounteren, t0
        csrw    hcounteren, t0
        li      t0, 0x100000000
        csrw    htimedelta, t0
        rdtime  s2
        HRUN(MODE_VS)
        rdtime  a0
        HEND
        HCHECK_NOTRAP
        sub     a0, a0, s2
        li      t0, 0x100000000
        sub     a0, a0, t0                      /* >= 0 and small */
        li      t0, 10000000
        bltu    a0, t0, 1f
        jal     t6, h_fail
1:
        /* htimedelta = -now: VS time wraps to a small value */
        HTEST(11)
        li      t0, 2
        csrw    mcounteren, t0
        csrw    hcounteren, t0
        rdtime  t0
        neg     t0, t0
        csrw    htimedelta, t0
        HRUN(MODE_VS)
        rdtime  a0
        HEND
        HCHECK_NOTRAP
        li      t0, 10000000
        bltu    a0, t0, 1f
        jal     t6, h_fail
1:

        /* T37: Sstc.  STCE in menvcfg and henvcfg, TM in mcounteren and
         * hcounteren: VS stimecmp is vstimecmp; time + delta >= vstimecmp
         * sets hip.VSTIP; writing ~0 clears it */
        HTEST(12)
        li      t0, MENVCFG_STCE
        csrs    CSR_MENVCFG, t0
        csrw    henvcfg, t0
        li      t0, 2
        csrw    mcounteren, t0
        csrw    hcounteren, t0
        li      t0, 0x10000000
        csrw    htimedelta, t0
        li      t0, 1 << 10
        csrc    medeleg, t0
        HRUN(MODE_VS)
        rdtime  a0
        addi    a0, a0, -1
        csrw    stimecmp, a0
        HEND
        HCHECK_NOTRAP
        csrr    t0, CSR_VSTIMECMP
        HFAIL_UNLESS_EQ(t0, a0)
        HCHECK_CSR_MASK(hip, MIP_VSTIP, MIP_VSTIP)
        HCHECK_CSR_MASK(hvip, MIP_VSTIP, 0)
        li      t0, -1
        csrw    CSR_VSTIMECMP, t0
        HCHECK_CSR_MASK(hip, MIP_VSTIP, 0)
        /* henvcfg.STCE = 0: VS stimecmp access -> VI */
        HTEST(13)
        li      t0, MENVCFG_STCE
        csrs    CSR_MENVCFG, t0
        li      t0, 2
        csrw    mcounteren, t0
        csrw    hcounteren, t0
        HRUN(MODE_VS)
1:      csrr    a0, stimecmp
        HEND
        HCHECK_TRAP_AT(LVL_HS, CAUSE_VIRTUAL_INSTRUCTION, 1b)
        /* mcounteren.TM = 0: II */
        HTEST(14)
        li      t0, MENVCFG_STCE
        csrs    CSR_MENVCFG, t0
        csrw    henvcfg, t0
        HRUN(MODE_VS)
1:      csrr    a0, stimecmp
        HEND
        HCHECK_TRAP_AT(LVL_HS, CAUSE_ILLEGAL_INSTRUCTION, 1b)
        /* hcounteren.TM = 0 (mcounteren.TM = 1): VI */
        HTEST(15)
        li      t0, MENVCFG_STCE
        csrs    CSR_MENVCFG, t0
        csrw    henvcfg, t0
        li      t0, 2
        csrw    mcounteren, t0
        HRUN(MODE_VS)
1:      csrr    a0, stimecmp
        HEND
        HCHECK_TRAP_AT(LVL_HS, CAUSE_VIRTUAL_INSTRUCTION, 1b)
        li      t0, -1
        csrw    CSR_VSTIMECMP, t0
        li      t0, MENVCFG_STCE
        csrc    CSR_MENVCFG, t0

        /* T32: WFI in VS with VTW = 0 and a locally enabled VS timer
         * interrupt (vsie.STIE, vsstatus.SIE) that becomes pending while
         * waiting: WFI does not trap, the interrupt is taken with
         * vsepc = wfi + 4 (the loop after it keeps a WFI that returns
         * early at wfi + 4 too) */
        HTEST(16)
        li      t0, MENVCFG_STCE
        csrs    CSR_MENVCFG, t0
        csrw    henvcfg, t0
        li      t0, 0x444
        csrw    hideleg, t0
        li      t0, MIP_STIP
        csrw    vsie, t0
        li      t0, MSTATUS_SIE
        csrw    vsstatus, t0
        rdtime  t0
        li      t1, 2000000                     /* 0.2 s at 10 MHz */
        add     t0, t0, t1
        csrw    CSR_VSTIMECMP, t0
        HRUN(MODE_VS)
1:      wfi
2:      j       2b
        HEND
        li      t0, -1
        csrw    CSR_VSTIMECMP, t0
        li      t0, MENVCFG_STCE
        csrc    CSR_MENVCFG, t0
        HCHECK_TRAP_AT(LVL_VS, CAUSE_IRQ | IRQ_STI, 2b)

        /* T37: mcounteren.TM = 0 with henvcfg.STCE = 0: VS stimecmp -> II
         * (2), not VI */
        HTEST(17)
        li      t0, MENVCFG_STCE
        csrs    CSR_MENVCFG, t0
        li      t0, 2
        csrw    hcounteren, t0
        HRUN(MODE_VS)
1:      csrr    a0, stimecmp
        HEND
        li      t0, MENVCFG_STCE
        csrc    CSR_MENVCFG, t0
        HCHECK_TRAP_AT(LVL_HS, CAUSE_ILLEGAL_INSTRUCTION, 1b)

/* ---- QEMU 7.2 deviations (tests/test_h_programs.py lists them) ------- */

        /* T38 (VS level): VSEI, VSSI, VSTI all pending, delegated and
         * enabled: SEI (9) is taken first (priority SEI > SSI > STI).
         * QEMU 7.2 without AIA takes the lowest number (1). */
        HTEST(30)
        li      t0, 0x444
        csrw    hideleg, t0
        li      t0, 0x222
        csrw    vsie, t0
        li      t0, 0x444
        csrw    hvip, t0
        li      t0, MSTATUS_SIE
        csrw    vsstatus, t0
        HRUN(MODE_VS)
        nop
        HEND
        HCHECK_TRAP(LVL_VS, CAUSE_IRQ | IRQ_SEI)

        /* T38: HS with SIE = 1, SEI(9), SSI(1) and undelegated VSEI(10)
         * pending and enabled: 9 first, then 1, then 10 */
        HTEST(31)
        li      t0, MIP_SSIP|MIP_SEIP
        csrw    mideleg, t0
        li      t0, MIP_SSIP|MIP_SEIP|MIP_VSEIP
        csrw    mie, t0
        li      t0, MIP_SSIP|MIP_SEIP
        csrs    mip, t0
        li      t0, MIP_VSEIP
        csrw    hvip, t0
        HRUN(MODE_HS)
        csrsi   sstatus, MSTATUS_SIE
        nop
        HEND
        HCHECK_TRAP(LVL_HS, CAUSE_IRQ | IRQ_SEI)
        HTEST(32)
        li      t0, MIP_SSIP|MIP_SEIP
        csrw    mideleg, t0
        li      t0, MIP_SSIP|MIP_SEIP|MIP_VSEIP
        csrw    mie, t0
        li      t0, MIP_SSIP
        csrs    mip, t0
        li      t0, MIP_VSEIP
        csrw    hvip, t0
        HRUN(MODE_HS)
        csrsi   sstatus, MSTATUS_SIE
        nop
        HEND
        HCHECK_TRAP(LVL_HS, CAUSE_IRQ | IRQ_SSI)

        /* T37: henvcfg.STCE = 0 (menvcfg.STCE = 1): hip.VSTIP is hvip.VSTIP
         * only; an expired vstimecmp does not contribute.  QEMU 7.2 keeps
         * the vstimecmp contribution. */
        HTEST(33)
        li      t0, MENVCFG_STCE
        csrs    CSR_MENVCFG, t0
        csrw    CSR_VSTIMECMP, zero
        HCHECK_CSR_MASK(hip, MIP_VSTIP, 0)
        HCHECK_CSR_MASK(mip, MIP_VSTIP, 0)
        li      t0, MIP_VSTIP
        csrw    hvip, t0
        HCHECK_CSR_MASK(hip, MIP_VSTIP, MIP_VSTIP)
        csrw    hvip, zero
        HCHECK_CSR_MASK(hip, MIP_VSTIP, 0)
        li      t0, -1
        csrw    CSR_VSTIMECMP, t0
        li      t0, MENVCFG_STCE
        csrc    CSR_MENVCFG, t0

        HDONE

/* vectored VS trap table: entry i records i, then the common handler */
        .text
        .balign 256
vs_vectors:
        .irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
        j       vs_vec_\i
        .endr
        .irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
vs_vec_\i:
        la      t6, vs_vector_taken
        li      t5, \i
        sd      t5, 0(t6)
        j       h_vs_trap
        .endr

        .data
        .balign 8
vs_vector_taken: .dword -1
