/*
 * priv_xret.S - MRET, SRET and WFI with mstatus.TW/TSR/TVM (privileged spec 3.1.6.5
 * "Virtualization Support in mstatus Register", 3.3.2 "Trap-Return Instructions", 3.3.3
 * "Wait for Interrupt", 4.2.1 "Supervisor Memory-Management Fence Instruction").
 */
#include "priv.h"

RVTEST_CODE_BEGIN
        PRIV_INIT

        /* MRET: MIE <- MPIE, MPIE <- 1, MPP <- U, to mepc in mode MPP */
        li TESTNUM, 1
        li a1, MSTATUS_MPP
        csrs mstatus, a1
        li a1, MSTATUS_MPIE | MSTATUS_MIE
        csrc mstatus, a1
        la a1, 1f
        csrw mepc, a1
        mret
1:      csrr a2, mstatus
        andi a3, a2, MSTATUS_MIE | MSTATUS_MPIE
        RVTEST_CHECK(a3, MSTATUS_MPIE)
        li a3, MSTATUS_MPP
        and a3, a2, a3
        RVTEST_CHECK(a3, 0)

        /* MRET is illegal in S and U; SRET in U */
        EXPECT_ILLEGAL_IN(3, PRV_S, mret)
        EXPECT_ILLEGAL_IN(4, PRV_U, mret)
        EXPECT_ILLEGAL_IN(5, PRV_U, sret)

        /* SRET in M: to sepc in mode SPP, SIE <- SPIE, SPIE <- 1, SPP <- U */
        li TESTNUM, 6
        li a1, MSTATUS_SPP | MSTATUS_SPIE
        csrs mstatus, a1
        li a1, MSTATUS_SIE
        csrc mstatus, a1
        la a1, 1f
        csrw sepc, a1
        CLEAR_REC(priv_mrec)
        SET_RESUME(priv_mrec, 2f)
        sret
1:      ecall
2:      CHECK_REC(priv_mrec, REC_CAUSE, CAUSE_ECALL_S)
        ld a4, REC_STATUS(t6)
        andi a4, a4, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP
        RVTEST_CHECK(a4, MSTATUS_SIE | MSTATUS_SPIE)
        li a1, MSTATUS_SIE
        csrc mstatus, a1

        /* SRET in S: allowed with TSR = 0 (to U here), illegal with TSR = 1 */
        li TESTNUM, 7
        li a1, MSTATUS_SPP
        csrc mstatus, a1
        la a1, 3f
        csrw sepc, a1
        CLEAR_REC(priv_mrec)
        SET_RESUME(priv_mrec, 2f)
        GOTO_MODE(PRV_S, 1f)
1:      sret
        j rvtest_fail
3:      ecall
2:      CHECK_REC(priv_mrec, REC_CAUSE, CAUSE_ECALL_U)
        CHECK_REC_EPC(priv_mrec, 3b)
        li a1, MSTATUS_TSR
        csrs mstatus, a1
        EXPECT_ILLEGAL_IN(8, PRV_S, sret)
        li a1, MSTATUS_TSR
        csrc mstatus, a1

        /* WFI: illegal in U (S is implemented); in S only with TW = 1.  A pending, enabled
         * interrupt (here SSI delegated to S and masked by SIE = 0) makes WFI complete. */
        EXPECT_ILLEGAL_IN(9, PRV_U, wfi)
        li a1, MIP_SSIP
        csrw mideleg, a1
        csrw mie, a1
        csrw mip, a1
        li a1, MSTATUS_SIE
        csrc mstatus, a1
        EXPECT_OK_IN(10, PRV_S, CAUSE_ECALL_S, wfi)
        csrw mie, zero
        li a1, MSTATUS_TW
        csrs mstatus, a1
        EXPECT_ILLEGAL_IN(11, PRV_S, wfi)
        /* TW does not apply to M; MIE = 0 and the delegation do not stop the wake-up */
        li TESTNUM, 12
        li a1, MIP_SSIP
        csrw mie, a1
        wfi
        li a1, MSTATUS_TW
        csrc mstatus, a1
        csrw mip, zero
        csrw mie, zero
        csrw mideleg, zero

        /* TVM: satp and SFENCE.VMA are illegal in S with TVM = 1, fine with TVM = 0 and
         * in M */
        EXPECT_OK_IN(13, PRV_S, CAUSE_ECALL_S, csrr a0, satp; sfence.vma)
        li a1, MSTATUS_TVM
        csrs mstatus, a1
        EXPECT_ILLEGAL_IN(14, PRV_S, csrr a0, satp)
        EXPECT_ILLEGAL_IN(15, PRV_S, csrw satp, zero)
        EXPECT_ILLEGAL_IN(16, PRV_S, sfence.vma)
        li TESTNUM, 17
        CLEAR_REC(priv_mrec)
        csrr a0, satp
        sfence.vma
        CHECK_REC(priv_mrec, REC_COUNT, 0)
        li a1, MSTATUS_TVM
        csrc mstatus, a1
        EXPECT_ILLEGAL_IN(18, PRV_U, sfence.vma)

        la t5, rvtest_trap_entry
        csrw mtvec, t5
        RVTEST_PASS

PRIV_HANDLERS
