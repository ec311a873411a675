/*
 * priv_trap_loop.S - every exception cause this machine can raise without paging, from M, S
 * and U, delegated and not, many times in a loop: the emulator must keep taking them
 * (privileged spec 3.1.15 "Machine Cause Register").  Each round raises 12 traps.
 */
#include "priv.h"

#define ROUNDS 3000

RVTEST_CODE_BEGIN
        PRIV_INIT
        li TESTNUM, 1
        CLEAR_REC(priv_mrec)
        CLEAR_REC(priv_srec)
        li s2, ROUNDS
        li s3, 0x200000         /* nothing there: access faults */
loop:
        /* M: ecall, ebreak, illegal, load/store access fault, fetch access fault */
        ecall
        ebreak
        .word 0
        .word 0                 /* (16-bit 0: the handler skips 4 bytes) */
        ld a0, 0(s3)
        sd a0, 0(s3)
        SET_RESUME(priv_mrec, 1f)
        jalr ra, 0(s3)
1:      /* U: ecall and illegal to M */
        SET_RESUME(priv_mrec, 2f)
        GOTO_MODE(PRV_U, 3f)
3:      csrr a0, mstatus
2:      SET_RESUME(priv_mrec, 6f)
        GOTO_MODE(PRV_U, 7f)
7:      ecall
6:      /* S with ebreak and illegal delegated, then ecall to M */
        li a1, (1 << CAUSE_BREAKPOINT) | (1 << CAUSE_ILLEGAL_INSTRUCTION)
        csrw medeleg, a1
        SET_RESUME(priv_mrec, 4f)
        GOTO_MODE(PRV_S, 5f)
5:      ebreak
        csrr a0, mscratch
        ecall
4:      csrw medeleg, zero
        addi s2, s2, -1
        bnez s2, loop

        li TESTNUM, 2
        CHECK_REC(priv_mrec, REC_COUNT, ROUNDS * 10)
        CHECK_REC(priv_srec, REC_COUNT, ROUNDS * 2)
        la t5, rvtest_trap_entry
        csrw mtvec, t5
        RVTEST_PASS

PRIV_HANDLERS
