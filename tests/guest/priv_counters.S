/*
 * priv_counters.S - cycle/time/instret and hpmcounters from S and U gated by mcounteren and
 * scounteren (privileged spec 3.1.11 "Machine Counter-Enable Register", 4.1.5 "Supervisor
 * Counter-Enable Register"), and Sstc's stimecmp gated by mcounteren.TM and menvcfg.STCE.
 */
#include "priv.h"

RVTEST_CODE_BEGIN
        PRIV_INIT
        csrw mcounteren, zero
        csrw scounteren, zero

        /* M always reads the counters; they advance */
        li TESTNUM, 1
        rdinstret a1
        rdcycle a2
        rdtime a3
        nop
        rdinstret a4
        bleu a4, a1, rvtest_fail
        csrr a4, mhpmcounter3
        RVTEST_CHECK(a4, 0)

        /* mcounteren = 0: every counter is illegal in S and U */
        EXPECT_ILLEGAL_IN(2, PRV_S, rdcycle a0)
        EXPECT_ILLEGAL_IN(3, PRV_S, rdtime a0)
        EXPECT_ILLEGAL_IN(4, PRV_S, rdinstret a0)
        EXPECT_ILLEGAL_IN(5, PRV_S, csrr a0, hpmcounter3)
        EXPECT_ILLEGAL_IN(6, PRV_U, rdtime a0)

        /* mcounteren = CY|TM|IR: S reads them, U still needs scounteren */
        li a1, 7
        csrw mcounteren, a1
        EXPECT_OK_IN(7, PRV_S, CAUSE_ECALL_S, rdcycle a0; rdtime a0; rdinstret a0)
        EXPECT_ILLEGAL_IN(8, PRV_S, csrr a0, hpmcounter3)
        EXPECT_ILLEGAL_IN(9, PRV_U, rdcycle a0)
        EXPECT_ILLEGAL_IN(10, PRV_U, rdinstret a0)

        /* scounteren = TM only */
        li a1, 2
        csrw scounteren, a1
        EXPECT_OK_IN(11, PRV_U, CAUSE_ECALL_U, rdtime a0)
        EXPECT_ILLEGAL_IN(12, PRV_U, rdcycle a0)
        li a1, 7
        csrw scounteren, a1
        EXPECT_OK_IN(13, PRV_U, CAUSE_ECALL_U, rdcycle a0; rdtime a0; rdinstret a0)

        /* scounteren does not gate S; mcounteren gates U even with scounteren set */
        li a1, 5
        csrw mcounteren, a1
        EXPECT_ILLEGAL_IN(14, PRV_U, rdtime a0)
        EXPECT_ILLEGAL_IN(15, PRV_S, rdtime a0)
        csrw scounteren, zero
        EXPECT_OK_IN(16, PRV_S, CAUSE_ECALL_S, rdcycle a0; rdinstret a0)

        /* stimecmp from S: needs mcounteren.TM and menvcfg.STCE */
        csrw mcounteren, zero
        csrw menvcfg, zero
        EXPECT_ILLEGAL_IN(17, PRV_S, csrr a0, stimecmp)
        li a1, 2
        csrw mcounteren, a1
        EXPECT_ILLEGAL_IN(18, PRV_S, csrr a0, stimecmp)
        li a1, MENVCFG_STCE
        csrw menvcfg, a1
        li a1, -1
        csrw stimecmp, a1
        EXPECT_OK_IN(19, PRV_S, CAUSE_ECALL_S, csrr a0, stimecmp; csrw stimecmp, a0)
        EXPECT_ILLEGAL_IN(20, PRV_U, csrr a0, stimecmp)
        csrw menvcfg, zero
        csrw mcounteren, zero

        la t5, rvtest_trap_entry
        csrw mtvec, t5
        RVTEST_PASS

PRIV_HANDLERS
