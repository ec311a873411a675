/*
 * priv_csr.S - WARL behaviour of the machine and supervisor CSRs (privileged spec chapter 3
 * "Machine-Level ISA" and chapter 4 "Supervisor-Level ISA"), read back after writes of all
 * ones and of chosen values, from M-mode.
 */
#include "priv.h"

RVTEST_CODE_BEGIN
        PRIV_INIT

        /* misa: MXL = 2 (64-bit), I, M, A, C, S, U present; writes may be ignored (WARL) */
        li TESTNUM, 1
        csrr a1, misa
        srli a2, a1, 62
        RVTEST_CHECK(a2, 2)
        li a3, (1 << 8) | (1 << 12) | (1 << 0) | (1 << 2) | (1 << 18) | (1 << 20)
        and a2, a1, a3
        RVTEST_CHECK_EQ(a2, a3)

        /* mstatus: UXL = SXL = 2, read-only */
        li TESTNUM, 2
        li a1, 0xF00000000
        csrc mstatus, a1
        csrr a2, mstatus
        srli a2, a2, 32
        andi a2, a2, 0xF
        RVTEST_CHECK(a2, 0xA)

        /* mstatus: MPRV, SUM, MXR, TVM, TW, TSR, SIE, SPIE, SPP are writable */
        li TESTNUM, 3
        li a1, MSTATUS_MPRV | MSTATUS_SUM | MSTATUS_MXR | MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_SIE
        csrs mstatus, a1
        csrr a2, mstatus
        and a2, a2, a1
        RVTEST_CHECK_EQ(a2, a1)
        csrc mstatus, a1
        csrr a2, mstatus
        and a2, a2, a1
        RVTEST_CHECK(a2, 0)

        /* XS is read-only zero (no custom extension state); SD = (FS == 3 || XS == 3) */
        li TESTNUM, 4
        li a1, 3 << 15
        csrs mstatus, a1
        csrr a2, mstatus
        and a2, a2, a1
        RVTEST_CHECK(a2, 0)
        li TESTNUM, 5
        li a1, 3 << 13
        csrs mstatus, a1        /* FS = Dirty if F is implemented, else read-only 0 */
        csrr a2, mstatus
        srli a3, a2, 13
        andi a3, a3, 3
        srli a4, a2, 63
        li a5, 3
        beq a3, a5, 1f
        RVTEST_CHECK(a4, 0)
        j 2f
1:      RVTEST_CHECK(a4, 1)
2:      li a1, 3 << 13
        csrc mstatus, a1
        csrr a2, mstatus
        srli a4, a2, 63
        RVTEST_CHECK(a4, 0)

        /* MPP holds M, S and U */
        li TESTNUM, 6
        li a1, MSTATUS_MPP
        csrc mstatus, a1
        li a1, 1 << 11
        csrs mstatus, a1
        csrr a2, mstatus
        li a1, MSTATUS_MPP
        and a2, a2, a1
        RVTEST_CHECK(a2, 1 << 11)
        csrs mstatus, a1
        csrr a2, mstatus
        and a2, a2, a1
        RVTEST_CHECK(a2, 3 << 11)

        /* sstatus is a view of mstatus: no MPP/MIE/TVM, UXL = 2 */
        li TESTNUM, 7
        csrr a2, sstatus
        li a1, MSTATUS_MPP | MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR | MSTATUS_MPRV
        and a3, a2, a1
        RVTEST_CHECK(a3, 0)
        srli a3, a2, 32
        andi a3, a3, 0xF
        RVTEST_CHECK(a3, 0x2)
        li TESTNUM, 8
        li a1, MSTATUS_SUM | MSTATUS_MXR | MSTATUS_SPP
        csrs sstatus, a1
        csrr a2, mstatus
        and a3, a2, a1
        RVTEST_CHECK_EQ(a3, a1)
        li a1, MSTATUS_TVM
        csrs sstatus, a1        /* not an sstatus field: ignored */
        csrr a2, mstatus
        and a3, a2, a1
        RVTEST_CHECK(a3, 0)
        li a1, MSTATUS_SUM | MSTATUS_MXR | MSTATUS_SPP
        csrc sstatus, a1

        /* mideleg: the supervisor interrupts are delegable (with the hypervisor extension,
         * as QEMU 7.2 enables by default, the VS-level bits are read-only one) */
        li TESTNUM, 9
        li a1, -1
        csrw mideleg, a1
        csrr a2, mideleg
        andi a2, a2, 0x222
        RVTEST_CHECK(a2, 0x222)
        csrw mideleg, zero
        csrr a2, mideleg
        andi a2, a2, 0x222
        RVTEST_CHECK(a2, 0)

        /* medeleg: the exceptions S-mode can take */
        li TESTNUM, 10
        li a1, 0xB1FF
        csrw medeleg, a1
        csrr a2, medeleg
        RVTEST_CHECK(a2, 0xB1FF)
        csrw medeleg, zero

        /* mie: the six standard interrupt enables */
        li TESTNUM, 11
        li a1, 0xAAA
        csrw mie, a1
        csrr a2, mie
        RVTEST_CHECK(a2, 0xAAA)
        csrw mie, zero

        /* mip: SSIP, STIP, SEIP writable from M; MSIP, MTIP, MEIP are not */
        li TESTNUM, 12
        li a1, 0xAAA
        csrw mip, a1
        csrr a2, mip
        andi a2, a2, ~MIP_MTIP  /* mtimecmp resets to 0 on QEMU virt: MTIP may be set */
        RVTEST_CHECK(a2, 0x222)
        csrw mip, zero
        csrr a2, mip
        andi a2, a2, ~MIP_MTIP
        RVTEST_CHECK(a2, 0)

        /* sie/sip: masked by mideleg; sip.SSIP is the only writable bit */
        li TESTNUM, 13
        li a1, 0x222
        csrw mie, a1
        csrr a2, sie
        RVTEST_CHECK(a2, 0)
        csrw mideleg, a1
        csrr a2, sie
        RVTEST_CHECK(a2, 0x222)
        csrw sie, zero
        csrr a2, mie
        RVTEST_CHECK(a2, 0)
        li TESTNUM, 14
        csrw sip, a1
        csrr a2, mip
        andi a2, a2, ~MIP_MTIP
        RVTEST_CHECK(a2, MIP_SSIP)
        csrw sip, zero
        csrr a2, sip
        RVTEST_CHECK(a2, 0)
        csrw mideleg, zero

        /* mtvec/stvec: MODE 0 and 1 accepted, 2 and 3 reserved (the write is ignored) */
        li TESTNUM, 15
        csrr s0, mtvec
        la a1, vec_table
        ori a1, a1, 1
        csrw mtvec, a1
        csrr a2, mtvec
        RVTEST_CHECK_EQ(a2, a1)
        la a3, vec_table
        ori a3, a3, 2
        csrw mtvec, a3
        csrr a2, mtvec
        RVTEST_CHECK_EQ(a2, a1)
        csrw mtvec, s0
        li TESTNUM, 16
        csrr s0, stvec
        csrw stvec, a1
        csrr a2, stvec
        RVTEST_CHECK_EQ(a2, a1)
        csrw stvec, a3
        csrr a2, stvec
        RVTEST_CHECK_EQ(a2, a1)
        csrw stvec, s0

        /* scratch, cause and tval registers hold any value */
        li TESTNUM, 17
        li a1, 0xfedcba9876543210
        csrw sscratch, a1
        csrr a2, sscratch
        RVTEST_CHECK_EQ(a2, a1)
        li a1, 0x8000000000000005
        csrw mcause, a1
        csrr a2, mcause
        RVTEST_CHECK_EQ(a2, a1)
        csrw scause, a1
        csrr a2, scause
        RVTEST_CHECK_EQ(a2, a1)
        li a1, 0x123456789abcdef0
        csrw mtval, a1
        csrr a2, mtval
        RVTEST_CHECK_EQ(a2, a1)
        csrw stval, a1
        csrr a2, stval
        RVTEST_CHECK_EQ(a2, a1)
        la t5, priv_srec
        csrw sscratch, t5

        /* counter enables and inhibit */
        li TESTNUM, 18
        li a1, 0x5
        csrw mcounteren, a1
        csrr a2, mcounteren
        RVTEST_CHECK(a2, 0x5)
        csrw scounteren, a1
        csrr a2, scounteren
        RVTEST_CHECK(a2, 0x5)
        csrw mcounteren, zero
        csrw scounteren, zero
        csrw mcountinhibit, a1
        csrr a2, mcountinhibit
        RVTEST_CHECK(a2, 0x5)
        csrw mcountinhibit, zero

        /* menvcfg: STCE (Sstc) and FIOM writable */
        li TESTNUM, 19
        li a1, MENVCFG_STCE | 1
        csrw menvcfg, a1
        csrr a2, menvcfg
        RVTEST_CHECK_EQ(a2, a1)
        csrw menvcfg, zero
        csrr a2, menvcfg
        RVTEST_CHECK(a2, 0)

        /* stimecmp: accessible in M */
        li TESTNUM, 20
        li a1, 0x1234567
        csrw stimecmp, a1
        csrr a2, stimecmp
        RVTEST_CHECK_EQ(a2, a1)
        li a1, -1
        csrw stimecmp, a1

        /* machine information registers: mhartid = 0, mconfigptr = 0 */
        li TESTNUM, 21
        csrr a2, mhartid
        RVTEST_CHECK(a2, 0)
        csrr a2, mconfigptr
        RVTEST_CHECK(a2, 0)

        /* unknown CSR numbers are illegal (mtval = the instruction bits) */
        li TESTNUM, 22
        CLEAR_REC(priv_mrec)
        li s2, 0x55
1:      csrr s2, 0x3ff
        CHECK_REC(priv_mrec, REC_CAUSE, CAUSE_ILLEGAL_INSTRUCTION)
        CHECK_REC_EPC(priv_mrec, 1b)
        la a3, 1b
        lwu a3, 0(a3)
        CHECK_REC_REG(priv_mrec, REC_TVAL, a3)
        RVTEST_CHECK(s2, 0x55)
        li TESTNUM, 23
        CLEAR_REC(priv_mrec)
1:      csrw 0x7ff, a2
        CHECK_REC(priv_mrec, REC_COUNT, 1)
        CHECK_REC(priv_mrec, REC_CAUSE, CAUSE_ILLEGAL_INSTRUCTION)

        /* writes to read-only CSRs are illegal, reads are not */
        li TESTNUM, 24
        CLEAR_REC(priv_mrec)
        csrw mhartid, zero
        csrw cycle, zero
        csrw time, zero
        CHECK_REC(priv_mrec, REC_COUNT, 3)
        csrr a2, cycle
        csrr a2, time
        csrr a2, instret
        CHECK_REC(priv_mrec, REC_COUNT, 3)

        la t5, rvtest_trap_entry
        csrw mtvec, t5
        RVTEST_PASS

        .balign 256
vec_table:
        j rvtest_fail

PRIV_HANDLERS
