/*
 * h_traps.S - trap delegation M -> HS -> VS, the CSRs written at each trap
 * entry, ECALL causes, and the V transitions of SRET and MRET.
 * Spec: hypervisor.adoc, "Hypervisor Trap Delegation Registers" (hedeleg,
 * norm:hedeleg_op), "Trap Cause Codes" (ECALL from VS = 10), "Trap Entry"
 * (norm:H_trap_*_csrwrites), "Trap Return" (SRET/MRET), "Hypervisor Status
 * Register" (SPV, SPVP, GVA), "Machine-Level CSRs" (mstatus.MPV/GVA,
 * mtval2, mtinst).
 * Vectors: docs h-extension.md section 6.1, 6.2, 5.4 and section 11 T9,
 * T13-T18, T31.
 */
#include "htest.h"

RVTEST_CODE_BEGIN
        call    h_init

        /* T9: VS reads hstatus -> VI to HS: scause 22, stval = insn,
         * SPV = 1, SPVP = 1, GVA = 0, htval = 0, sstatus.SPP = 1 */
        HTEST(1)
        HRUN(MODE_VS)
1:      csrr    t0, hstatus
        HEND
        HCHECK_TRAP_AT(LVL_HS, CAUSE_VIRTUAL_INSTRUCTION, 1b)
        HCHECK_REC_INSN(HR_TVAL, 1b)
        HCHECK_REC_MASK(HR_HSTATUS, HSTATUS_SPV|HSTATUS_SPVP|HSTATUS_GVA, HSTATUS_SPV|HSTATUS_SPVP)
        HCHECK_REC(HR_TVAL2, 0)
        HCHECK_REC_MASK(HR_STATUS, MSTATUS_SPP, MSTATUS_SPP)

        /* T14: VS ECALL -> HS: scause 10, SPV = 1, SPVP = 1, SPP = 1,
         * GVA = 0, htval = 0, htinst = 0; the vs* trap CSRs keep their
         * values */
        HTEST(2)
        li      t0, 0x1230
        csrw    vsepc, t0
        li      t0, 7
        csrw    vscause, t0
        li      t0, 0x4560
        csrw    vstval, t0
        HRUN(MODE_VS)
1:      ecall
        HEND
        HCHECK_TRAP_AT(LVL_HS, CAUSE_ECALL_VS, 1b)
        HCHECK_REC_MASK(HR_HSTATUS, HSTATUS_SPV|HSTATUS_SPVP|HSTATUS_GVA, HSTATUS_SPV|HSTATUS_SPVP)
        HCHECK_REC_MASK(HR_STATUS, MSTATUS_SPP, MSTATUS_SPP)
        HCHECK_REC(HR_TVAL, 0)
        HCHECK_REC(HR_TVAL2, 0)
        HCHECK_REC(HR_TINST, 0)
        HCHECK_CSR(vsepc, 0x1230)
        HCHECK_CSR(vscause, 7)
        HCHECK_CSR(vstval, 0x4560)

        /* VU ECALL, not delegated by hedeleg -> HS: scause 8, SPV = 1,
         * SPVP = 0, SPP = 0 */
        HTEST(3)
        li      t0, HSTATUS_SPVP
        csrw    hstatus, t0
        HRUN(MODE_VU)
1:      ecall
        HEND
        HCHECK_TRAP_AT(LVL_HS, CAUSE_ECALL_U, 1b)
        HCHECK_REC_MASK(HR_HSTATUS, HSTATUS_SPV|HSTATUS_SPVP, HSTATUS_SPV)
        HCHECK_REC_MASK(HR_STATUS, MSTATUS_SPP, 0)

        /* hedeleg[10] is read-only zero: a VS ECALL is never delegated to
         * VS even with hedeleg = ~0 */
        HTEST(4)
        li      t0, -1
        csrw    hedeleg, t0
        HRUN(MODE_VS)
1:      ecall
        HEND
        HCHECK_TRAP_AT(LVL_HS, CAUSE_ECALL_VS, 1b)

        /* T15: VU ECALL with medeleg[8] = hedeleg[8] = 1 -> VS: vscause 8,
         * vsepc, vsstatus.SPP = 0, SIE = 0, SPIE = old SIE = 1.  (The
         * handler's own ECALL goes to M: medeleg[10] = 0 here.) */
        HTEST(5)
        li      t0, 1 << 8
        csrw    hedeleg, t0
        li      t0, 1 << 10
        csrc    medeleg, t0
        li      t0, MSTATUS_SIE|MSTATUS_SPP
        csrw    vsstatus, t0
        HRUN(MODE_VU)
1:      ecall
        HEND
        HCHECK_TRAP_AT(LVL_VS, CAUSE_ECALL_U, 1b)
        HCHECK_REC_MASK(HR_STATUS, MSTATUS_SPP|MSTATUS_SIE|MSTATUS_SPIE, MSTATUS_SPIE)
        HCHECK_CSR(vscause, CAUSE_ECALL_U)

        /* An exception in VU delegated to VS (illegal instruction).
         * Tests 6, 7, 21: QEMU 7.2 reports vscause 1 (GitLab #1708: the
         * interrupt-only cause translation 2 -> 1 is applied to
         * exceptions). */
        HTEST(6)
        li      t0, 1 << 2
        csrw    hedeleg, t0
        HRUN(MODE_VU)
1:      csrr    t0, mstatus
        HEND
        HCHECK_TRAP_AT(LVL_VS, CAUSE_ILLEGAL_INSTRUCTION, 1b)
        HCHECK_REC_MASK(HR_STATUS, MSTATUS_SPP, 0)

        /* T17: VS executes an all-zero (illegal) instruction with
         * hedeleg[2] = 1 -> VS with vscause 2 (not translated) */
        HTEST(7)
        li      t0, 1 << 2
        csrw    hedeleg, t0
        HRUN(MODE_VS)
1:      .word   0
        HEND
        HCHECK_TRAP_AT(LVL_VS, CAUSE_ILLEGAL_INSTRUCTION, 1b)
        HCHECK_REC_MASK(HR_STATUS, MSTATUS_SPP, MSTATUS_SPP)

        /* A trap never goes to a less-privileged mode: an HS exception
         * with hedeleg set stays in HS */
        HTEST(8)
        li      t0, 1 << 2
        csrw    hedeleg, t0
        HRUN(MODE_HS)
1:      csrr    t0, mstatus
        HEND
        HCHECK_TRAP_AT(LVL_HS, CAUSE_ILLEGAL_INSTRUCTION, 1b)
        HCHECK_REC_MASK(HR_HSTATUS, HSTATUS_SPV, 0)

        /* trap from V=0 leaves hstatus.SPVP unchanged (U ECALL -> HS) */
        HTEST(9)
        li      t0, HSTATUS_SPVP
        csrw    hstatus, t0
        HRUN(MODE_U)
1:      ecall
        HEND
        HCHECK_TRAP_AT(LVL_HS, CAUSE_ECALL_U, 1b)
        HCHECK_REC_MASK(HR_HSTATUS, HSTATUS_SPV|HSTATUS_SPVP, HSTATUS_SPVP)
        HTEST(10)
        HRUN(MODE_HS)
1:      csrr    t0, mstatus
        HEND
        HCHECK_TRAP_AT(LVL_HS, CAUSE_ILLEGAL_INSTRUCTION, 1b)
        HCHECK_REC_MASK(HR_HSTATUS, HSTATUS_SPV|HSTATUS_SPVP, 0)

        /* T16: VS ECALL with medeleg[10] = 0 -> M: mcause 10, MPV = 1,
         * MPP = S, GVA = 0, mtval2 = 0, mtinst = 0 */
        HTEST(11)
        csrw    medeleg, zero
        HRUN(MODE_VS)
1:      ecall
        HEND
        HCHECK_TRAP_AT(LVL_M, CAUSE_ECALL_VS, 1b)
        HCHECK_REC_MASK(HR_STATUS, MSTATUS_MPV|MSTATUS_MPP|MSTATUS_GVA, MSTATUS_MPV|MPP_S)
        HCHECK_REC(HR_TVAL2, 0)
        HCHECK_REC(HR_TINST, 0)
        /* VU -> M: MPV = 1, MPP = U */
        HTEST(12)
        csrw    medeleg, zero
        HRUN(MODE_VU)
1:      ecall
        HEND
        HCHECK_TRAP_AT(LVL_M, CAUSE_ECALL_U, 1b)
        HCHECK_REC_MASK(HR_STATUS, MSTATUS_MPV|MSTATUS_MPP, MSTATUS_MPV|MPP_U)
        /* HS -> M: cause 9, MPV = 0, MPP = S */
        HTEST(13)
        HRUN(MODE_HS)
1:      ecall
        HEND
        HCHECK_TRAP_AT(LVL_M, CAUSE_ECALL_S, 1b)
        HCHECK_REC_MASK(HR_STATUS, MSTATUS_MPV|MSTATUS_MPP, MPP_S)

        /* T13: SRET in HS with hstatus.SPV = 1, SPP = 1, SPIE = 1 enters VS
         * at sepc; afterwards hstatus.SPV = 0 and the HS sstatus has
         * SPP = 0, SIE = 1, SPIE = 1; in VS sstatus/sscratch are the vs*
         * registers.  medeleg[10] = 0: HEND's ECALL goes straight to M and
         * leaves the HS state alone. */
        HTEST(14)
        li      t0, 1 << 10
        csrc    medeleg, t0
        li      t0, MSTATUS_SUM
        csrw    vsstatus, t0
        li      t0, 0x77
        csrw    vsscratch, t0
        li      t0, 0x55
        csrw    sscratch, t0
        HRUN(MODE_HS)
        li      t0, HSTATUS_SPV
        csrs    hstatus, t0
        li      t0, MSTATUS_SPP|MSTATUS_SPIE
        csrs    sstatus, t0
        la      t0, 1f
        csrw    sepc, t0
        sret
        j       2f
1:      csrr    a0, sstatus
        csrr    a1, sscratch
2:      HEND
        HCHECK_NOTRAP
        HCHECK_REG_MASK(a0, MSTATUS_SUM, MSTATUS_SUM)
        HCHECK_REG(a1, 0x77)
        HCHECK_CSR_MASK(hstatus, HSTATUS_SPV, 0)
        HCHECK_CSR_MASK(mstatus, MSTATUS_SPP|MSTATUS_SIE|MSTATUS_SPIE, MSTATUS_SIE|MSTATUS_SPIE)
        HCHECK_CSR(sscratch, 0x55)

        /* SRET in HS with SPV = 1, SPP = 0 enters VU: ECALL there is
         * cause 8, trapping to HS with SPV = 1, SPVP = 0 */
        HTEST(15)
        HRUN(MODE_HS)
        li      t0, HSTATUS_SPV
        csrs    hstatus, t0
        li      t0, MSTATUS_SPP
        csrc    sstatus, t0
        la      t0, 1f
        csrw    sepc, t0
        sret
        j       2f
1:      ecall
2:      HEND
        HCHECK_TRAP_AT(LVL_HS, CAUSE_ECALL_U, 1b)
        HCHECK_REC_MASK(HR_HSTATUS, HSTATUS_SPV|HSTATUS_SPVP, HSTATUS_SPV)

        /* SRET in HS with SPV = 0, SPP = 0 enters U (V=0): hstatus access
         * is II with SPV = 0 */
        HTEST(16)
        HRUN(MODE_HS)
        la      t0, 1f
        csrw    sepc, t0
        sret
        j       2f
1:      csrr    a1, hstatus
2:      HEND
        HCHECK_TRAP_AT(LVL_HS, CAUSE_ILLEGAL_INSTRUCTION, 1b)
        HCHECK_REC_MASK(HR_HSTATUS, HSTATUS_SPV, 0)

        /* SRET in VS (VTSR = 0) uses vsstatus/vsepc and stays V=1: to VU
         * with vsstatus.SPP = 0; vsstatus SIE <- SPIE, SPIE <- 1, SPP <- 0 */
        HTEST(17)
        li      t0, MSTATUS_SPIE
        csrw    vsstatus, t0
        la      t0, 1f
        csrw    vsepc, t0
        HRUN(MODE_VS)
        sret
        j       2f
1:      ecall
2:      HEND
        HCHECK_TRAP_AT(LVL_HS, CAUSE_ECALL_U, 1b)
        HCHECK_REC_MASK(HR_HSTATUS, HSTATUS_SPV|HSTATUS_SPVP, HSTATUS_SPV)
        HCHECK_CSR_MASK(vsstatus, MSTATUS_SPP|MSTATUS_SIE|MSTATUS_SPIE, MSTATUS_SIE|MSTATUS_SPIE)

        /* SRET in VS to VS (vsstatus.SPP = 1) */
        HTEST(18)
        li      t0, MSTATUS_SPP
        csrw    vsstatus, t0
        la      t0, 1f
        csrw    vsepc, t0
        HRUN(MODE_VS)
        sret
        j       2f
1:      ecall
2:      HEND
        HCHECK_TRAP_AT(LVL_HS, CAUSE_ECALL_VS, 1b)

        /* T13: MRET with MPP = M and MPV = 1 stays in M with V = 0 and
         * clears MPV */
        HTEST(19)
        li      t0, MSTATUS_MPV|MSTATUS_MPP
        csrs    mstatus, t0
        la      t0, 1f
        csrw    mepc, t0
        mret
1:      HCHECK_CSR_MASK(mstatus, MSTATUS_MPV|MSTATUS_MPP, 0)
        csrr    t0, hstatus                     /* still M: no trap */

        /* T13: MRET with MPP = U, MPV = 1 enters VU (ECALL cause 8 with
         * SPV = 1 proves it) */
        HTEST(20)
        la      t1, 1f
        HRUN_AT(MODE_VU, t1)
1:      ecall
        HEND
        HCHECK_TRAP_AT(LVL_HS, CAUSE_ECALL_U, 1b)
        HCHECK_REC_MASK(HR_HSTATUS, HSTATUS_SPV, HSTATUS_SPV)

        /* Vectored vstvec: exceptions still go to BASE */
        HTEST(21)
        la      t0, h_vs_trap
        ori     t0, t0, 1
        csrw    vstvec, t0
        li      t0, 1 << 2
        csrw    hedeleg, t0
        HRUN(MODE_VS)
1:      csrr    t0, mstatus
        HEND
        HCHECK_TRAP_AT(LVL_VS, CAUSE_ILLEGAL_INSTRUCTION, 1b)

/* ---- cases where QEMU 7.2 deviates from the spec ---------------------- */

        /* T15: a trap into VS leaves hstatus (GVA), htval and htinst
         * untouched (only vs* registers are written).  QEMU 7.2 clears
         * hstatus.GVA. */
        HTEST(30)
        li      t0, 1 << 8
        csrw    hedeleg, t0
        li      t0, 1 << 10
        csrc    medeleg, t0                     /* VS handler ECALL -> M */
        li      t0, HSTATUS_GVA
        csrw    hstatus, t0
        HRUN(MODE_VU)
1:      ecall
        HEND
        HCHECK_TRAP_AT(LVL_VS, CAUSE_ECALL_U, 1b)
        HCHECK_CSR_MASK(hstatus, HSTATUS_GVA|HSTATUS_SPV, HSTATUS_GVA)

        /* T18: VS csrr mstatus (II, not VI) with medeleg[2] = 0 -> M:
         * mcause 2, MPV = 1, mstatus.GVA = 0 (mtval holds instruction bits,
         * not a guest virtual address).  QEMU 7.2 sets GVA. */
        HTEST(31)
        csrw    medeleg, zero
        HRUN(MODE_VS)
1:      csrr    t0, mstatus
        HEND
        HCHECK_TRAP_AT(LVL_M, CAUSE_ILLEGAL_INSTRUCTION, 1b)
        HCHECK_REC_MASK(HR_STATUS, MSTATUS_MPV|MSTATUS_GVA, MSTATUS_MPV)

        /* T31: mstatus.TSR does not apply in VS: SRET executes.  QEMU 7.2
         * raises II. */
        HTEST(32)
        li      t0, MSTATUS_TSR
        csrs    mstatus, t0
        li      t0, MSTATUS_SPP
        csrw    vsstatus, t0
        la      t0, 1f
        csrw    vsepc, t0
        HRUN(MODE_VS)
        sret
        j       2f
1:      ecall
2:      HEND
        HCHECK_TRAP(LVL_HS, CAUSE_ECALL_VS)

        HDONE
