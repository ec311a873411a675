/*
 * priv_traps.S - exceptions from U and S with their cause, epc and tval, and delegation to S
 * through medeleg (privileged spec 3.1.8 "Machine Trap Delegation Registers", 3.1.14-3.1.16
 * mepc/mcause/mtval, 3.3.1 "Environment Call and Breakpoint", 4.1.1 sstatus SPP/SPIE/SIE).
 */
#include "priv.h"

RVTEST_CODE_BEGIN
        PRIV_INIT

        /* ECALL from U: cause 8, epc = the ecall, tval 0, MPP = U on entry */
        li TESTNUM, 1
        CLEAR_REC(priv_mrec)
        SET_RESUME(priv_mrec, 2f)
        GOTO_MODE(PRV_U, 1f)
1:      ecall
        j rvtest_fail
2:      CHECK_REC(priv_mrec, REC_CAUSE, CAUSE_ECALL_U)
        CHECK_REC_EPC(priv_mrec, 1b)
        CHECK_REC(priv_mrec, REC_TVAL, 0)
        ld a4, REC_STATUS(t6)
        li a3, MSTATUS_MPP
        and a4, a4, a3
        RVTEST_CHECK(a4, 0)

        /* ECALL from S: cause 9, MPP = S on entry */
        li TESTNUM, 2
        CLEAR_REC(priv_mrec)
        SET_RESUME(priv_mrec, 2f)
        GOTO_MODE(PRV_S, 1f)
1:      ecall
        j rvtest_fail
2:      CHECK_REC(priv_mrec, REC_CAUSE, CAUSE_ECALL_S)
        CHECK_REC_EPC(priv_mrec, 1b)
        ld a4, REC_STATUS(t6)
        li a3, MSTATUS_MPP
        and a4, a4, a3
        RVTEST_CHECK(a4, 1 << 11)

        /* EBREAK from U: cause 3 */
        li TESTNUM, 3
        CLEAR_REC(priv_mrec)
        SET_RESUME(priv_mrec, 2f)
        GOTO_MODE(PRV_U, 1f)
1:      ebreak
        j rvtest_fail
2:      CHECK_REC(priv_mrec, REC_CAUSE, CAUSE_BREAKPOINT)
        CHECK_REC_EPC(priv_mrec, 1b)

        /* M-level CSRs from U and S, S-level CSRs from U: illegal, tval = instruction */
        li TESTNUM, 4
        CLEAR_REC(priv_mrec)
        SET_RESUME(priv_mrec, 2f)
        GOTO_MODE(PRV_U, 1f)
1:      csrr a0, sstatus
        j rvtest_fail
2:      CHECK_REC(priv_mrec, REC_CAUSE, CAUSE_ILLEGAL_INSTRUCTION)
        CHECK_REC_EPC(priv_mrec, 1b)
        la a3, 1b
        lwu a3, 0(a3)
        CHECK_REC_REG(priv_mrec, REC_TVAL, a3)
        li TESTNUM, 5
        CLEAR_REC(priv_mrec)
        SET_RESUME(priv_mrec, 2f)
        GOTO_MODE(PRV_S, 1f)
1:      csrr a0, mstatus
        j rvtest_fail
2:      CHECK_REC(priv_mrec, REC_CAUSE, CAUSE_ILLEGAL_INSTRUCTION)
        CHECK_REC_EPC(priv_mrec, 1b)
        la a3, 1b
        lwu a3, 0(a3)
        CHECK_REC_REG(priv_mrec, REC_TVAL, a3)

        /* S-mode CSRs work from S */
        li TESTNUM, 6
        CLEAR_REC(priv_mrec)
        SET_RESUME(priv_mrec, 2f)
        GOTO_MODE(PRV_S, 1f)
1:      csrr a0, sstatus
        csrr a0, sie
        csrw sscratch, a0
        la a0, priv_srec
        csrw sscratch, a0
        ecall
        j rvtest_fail
2:      CHECK_REC(priv_mrec, REC_COUNT, 1)
        CHECK_REC(priv_mrec, REC_CAUSE, CAUSE_ECALL_S)

        /* Delegation: ECALL from U with medeleg[8] goes to S: scause 8, sepc, SPP = U,
         * SPIE = old SIE, SIE = 0; M sees nothing */
        li TESTNUM, 7
        li a1, 1 << CAUSE_ECALL_U
        csrw medeleg, a1
        CLEAR_REC(priv_mrec)
        CLEAR_REC(priv_srec)
        SET_RESUME(priv_srec, 3f)
        SET_RESUME(priv_mrec, 4f)
        li a1, MSTATUS_SIE
        csrs mstatus, a1
        GOTO_MODE(PRV_U, 1f)
1:      ecall
        j rvtest_fail
3:      ecall                   /* now in S: back to M */
        j rvtest_fail
4:      CHECK_REC(priv_srec, REC_COUNT, 1)
        CHECK_REC(priv_srec, REC_CAUSE, CAUSE_ECALL_U)
        CHECK_REC_EPC(priv_srec, 1b)
        ld a4, REC_STATUS(t6)
        andi a4, a4, MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SIE
        RVTEST_CHECK(a4, MSTATUS_SPIE)
        CHECK_REC(priv_mrec, REC_COUNT, 1)
        CHECK_REC(priv_mrec, REC_CAUSE, CAUSE_ECALL_S)
        CHECK_REC_EPC(priv_mrec, 3b)
        li a1, MSTATUS_SIE
        csrc mstatus, a1

        /* Delegated illegal instruction from S: stval = instruction bits, SPP = S */
        li TESTNUM, 8
        li a1, (1 << CAUSE_ILLEGAL_INSTRUCTION)
        csrw medeleg, a1
        CLEAR_REC(priv_mrec)
        CLEAR_REC(priv_srec)
        SET_RESUME(priv_srec, 3f)
        SET_RESUME(priv_mrec, 4f)
        GOTO_MODE(PRV_S, 1f)
1:      csrr a0, mscratch
        j rvtest_fail
3:      ecall
        j rvtest_fail
4:      CHECK_REC(priv_srec, REC_COUNT, 1)
        CHECK_REC(priv_srec, REC_CAUSE, CAUSE_ILLEGAL_INSTRUCTION)
        CHECK_REC_EPC(priv_srec, 1b)
        la a3, 1b
        lwu a3, 0(a3)
        CHECK_REC_REG(priv_srec, REC_TVAL, a3)
        la t6, priv_srec
        ld a4, REC_STATUS(t6)
        andi a4, a4, MSTATUS_SPP
        RVTEST_CHECK(a4, MSTATUS_SPP)

        /* Delegation never applies to traps taken in M */
        li TESTNUM, 9
        li a1, (1 << CAUSE_BREAKPOINT) | (1 << CAUSE_ILLEGAL_INSTRUCTION)
        csrw medeleg, a1
        CLEAR_REC(priv_mrec)
        CLEAR_REC(priv_srec)
        ebreak
        CHECK_REC(priv_mrec, REC_COUNT, 1)
        CHECK_REC(priv_mrec, REC_CAUSE, CAUSE_BREAKPOINT)
        CHECK_REC(priv_srec, REC_COUNT, 0)

        /* A delegated cause from S stays in S; an undelegated one goes to M */
        li TESTNUM, 10
        CLEAR_REC(priv_mrec)
        CLEAR_REC(priv_srec)
        SET_RESUME(priv_mrec, 4f)
        GOTO_MODE(PRV_S, 1f)
1:      ebreak                  /* delegated: S handler skips it */
        ecall                   /* not delegated: M */
        j rvtest_fail
4:      CHECK_REC(priv_srec, REC_COUNT, 1)
        CHECK_REC(priv_srec, REC_CAUSE, CAUSE_BREAKPOINT)
        CHECK_REC(priv_mrec, REC_COUNT, 1)
        CHECK_REC(priv_mrec, REC_CAUSE, CAUSE_ECALL_S)
        csrw medeleg, zero

        /* Load and store access faults from U (no device there): tval = address */
        li TESTNUM, 11
        CLEAR_REC(priv_mrec)
        SET_RESUME(priv_mrec, 2f)
        li a1, 0x200000
        GOTO_MODE(PRV_U, 1f)
1:      ld a0, 8(a1)
        j rvtest_fail
2:      CHECK_REC(priv_mrec, REC_CAUSE, CAUSE_LOAD_ACCESS)
        CHECK_REC(priv_mrec, REC_TVAL, 0x200008)
        CHECK_REC_EPC(priv_mrec, 1b)

        la t5, rvtest_trap_entry
        csrw mtvec, t5
        RVTEST_PASS

PRIV_HANDLERS
