/*
 * htest.h - conventions and macros for rvjit's Hypervisor-extension (H 1.0)
 * guest programs (tests/guest/hext/<name>.S).  Written for rvjit from the RISC-V
 * privileged specification (src/priv/hypervisor.adoc, "Hypervisor Extension");
 * not derived from any other test suite.
 *
 * Builds on tests/guest/common (crt0.S, rvtest.h: gp = test number, tp =
 * rvtest trap context, PASS/FAIL through the sifive_test finisher).  The
 * programs replace crt0's M-mode trap handler by the three handlers of
 * hcommon.S, one per trap level:
 *
 *   mtvec  -> h_m_trap   (M)
 *   stvec  -> h_hs_trap  (HS, V=0; satp stays Bare)
 *   vstvec -> h_vs_trap  (VS, V=1; runs under whatever vsatp/hgatp the test
 *                         set, so the program image must stay mapped
 *                         identity, readable, writable and executable)
 *
 * A test is one "event":
 *
 *      HTEST(n)                 gp = n, all H/S/M state back to defaults
 *      ...M-mode configuration...
 *      HRUN(MODE_VS)            continue in VS-mode (via MRET)
 *      ...code under test...
 *      HEND                     leave back to M and resume after HEND
 *      HCHECK_TRAP(LVL_HS, CAUSE_VIRTUAL_INSTRUCTION)
 *      HCHECK_REC(HR_TVAL, 0x600022f3)
 *
 * The first trap taken anywhere after HRUN is recorded (level, cause, epc,
 * tval, htval/mtval2, htinst/mtinst, status words) in h_rec, then every
 * handler leaves: VS and HS handlers execute ECALL (medeleg[9] must stay 0,
 * so the HS ECALL reaches M), and the M handler resumes at the label after
 * HEND in M-mode.  If no trap happens, HEND itself leaves the same way and
 * the record says LVL_NONE.
 *
 * Registers: the code under test may use every register but gp, tp and
 * t3..t6; t3..t6 are clobbered by the handlers and by every macro here,
 * t2 by the checks.  a0..a7, s0..s11, t0, t1 and ra survive traps and the
 * trip back to M, so code can leave results in them.  HTEST clobbers t0..t6
 * and ra.
 *
 * Failing checks are collected (see HFAIL_UNLESS_EQ); a program ends with
 * HDONE.
 */
#ifndef HTEST_H
#define HTEST_H

#include "rvtest.h"

/* ---- CSR numbers the assembler may not know by name ------------------- */
#define CSR_MENVCFG   0x30a
#define CSR_MTINST    0x34a
#define CSR_MTVAL2    0x34b
#define CSR_STIMECMP  0x14d
#define CSR_VSTIMECMP 0x24d

/* ---- exception causes added by H (hypervisor.adoc, "Trap Cause Codes") */
#define CAUSE_ECALL_VS            10
#define CAUSE_FETCH_PAGE_FAULT    12
#define CAUSE_LOAD_PAGE_FAULT     13
#define CAUSE_STORE_PAGE_FAULT    15
#define CAUSE_FETCH_GUEST_PF      20
#define CAUSE_LOAD_GUEST_PF       21
#define CAUSE_VIRTUAL_INSTRUCTION 22
#define CAUSE_STORE_GUEST_PF      23
#define CAUSE_IRQ                 0x8000000000000000

/* interrupt numbers */
#define IRQ_SSI   1
#define IRQ_VSSI  2
#define IRQ_MSI   3
#define IRQ_STI   5
#define IRQ_VSTI  6
#define IRQ_SEI   9
#define IRQ_VSEI  10
#define IRQ_SGEI  12
#define MIP_SSIP  (1 << IRQ_SSI)
#define MIP_VSSIP (1 << IRQ_VSSI)
#define MIP_STIP  (1 << IRQ_STI)
#define MIP_VSTIP (1 << IRQ_VSTI)
#define MIP_SEIP  (1 << IRQ_SEI)
#define MIP_VSEIP (1 << IRQ_VSEI)

/* ---- mstatus / sstatus / vsstatus ------------------------------------- */
#define MSTATUS_SIE   (1 << 1)
#define MSTATUS_SPIE  (1 << 5)
#define MSTATUS_SPP   (1 << 8)
#define MSTATUS_FS    (3 << 13)
#define MSTATUS_MPRV  (1 << 17)
#define MSTATUS_SUM   (1 << 18)
#define MSTATUS_MXR   (1 << 19)
#define MSTATUS_TVM   (1 << 20)
#define MSTATUS_TW    (1 << 21)
#define MSTATUS_TSR   (1 << 22)
#define MSTATUS_GVA   (1 << 38)
#define MSTATUS_MPV   (1 << 39)
#define MPP_U         (0 << 11)
#define MPP_S         (1 << 11)

/* ---- hstatus (hypervisor.adoc, "Hypervisor Status Register") ---------- */
#define HSTATUS_GVA   (1 << 6)
#define HSTATUS_SPV   (1 << 7)
#define HSTATUS_SPVP  (1 << 8)
#define HSTATUS_HU    (1 << 9)
#define HSTATUS_VTVM  (1 << 20)
#define HSTATUS_VTW   (1 << 21)
#define HSTATUS_VTSR  (1 << 22)

/* ---- hgatp / satp ------------------------------------------------------ */
#define HGATP_MODE_SV39X4 (8 << 60)
#define SATP_MODE_SV39    (8 << 60)
#define HGATP_VMID_SHIFT  44

/* ---- page-table entry bits --------------------------------------------- */
#define PTE_V 0x01
#define PTE_R 0x02
#define PTE_W 0x04
#define PTE_X 0x08
#define PTE_U 0x10
#define PTE_G 0x20
#define PTE_A 0x40
#define PTE_D 0x80

/* Default medeleg: every H-relevant exception goes to HS.  Bit 9 (ECALL
 * from HS) must stay 0: the handlers' exit path relies on it. */
#define H_DEFAULT_MEDELEG ((1 << 0) | (1 << 2) | (1 << 3) | (1 << 4) | \
        (1 << 5) | (1 << 6) | (1 << 7) | (1 << 8) | (1 << 10) |          \
        (1 << 12) | (1 << 13) | (1 << 15) | (1 << 20) | (1 << 21) |     \
        (1 << 22) | (1 << 23))

/* pmpcfg0 as set by h_init/h_reset: entry 7 = NAPOT RWX (everything) */
#define H_PMPCFG0_DEFAULT (0x1f << 56)

/* ---- the guest memory map built by h_build_tables (hcommon.S) --------- */
/* G stage (hgatp = Sv39x4 rooted at h_groot, 16 KiB):                     */
#define GPA_IMAGE  0x80000000   /* 2 MiB identity, RWXU: the program image */
#define GPA_HOLE   0x80200000   /* 2 MiB not mapped                        */
#define GPA_RW     0x80400000   /* -> h_pg_a, R W U                        */
#define GPA_XO     0x80401000   /* -> h_pg_b, X U (execute-only)           */
#define GPA_NOU    0x80402000   /* -> h_pg_c, R W X, U=0                   */
#define GPA_RO     0x80403000   /* -> h_pg_d, R U                          */
#define GPA_UNMAP  0x80404000   /* not mapped                              */
#define GPA_RW2    0x80405000   /* -> h_pg_e, R W U (h_hfence remaps it)   */
#define GPA_RX     0x80406000   /* -> h_pg_b, R X U                        */
#define GPA_HIGH   0x10000000000  /* root entry 1024: 1 GiB -> 0x80000000 */
#define GPA_TOP    0x1fffffff000  /* highest Sv39x4 page -> h_pg_a, RWU   */
/* VS stage (vsatp = Sv39 rooted at h_vroot, in the identity region):      */
#define VA_IMAGE   0x80000000   /* 1 GiB identity, RWX, U=0                */
#define VA_U_RW    0x40000000   /* -> GPA_RW    R W U                      */
#define VA_S_RW    0x40001000   /* -> GPA_RW    R W                        */
#define VA_XO_GXO  0x40002000   /* -> GPA_XO    X      (X-only both)       */
#define VA_XO_GRW  0x40003000   /* -> GPA_RW    X      (G stage: no X)     */
#define VA_INVAL   0x40004000   /* PTE V=0                                 */
#define VA_GUNMAP  0x40005000   /* -> GPA_UNMAP R W                        */
#define VA_GNOU    0x40006000   /* -> GPA_NOU   R W X                      */
#define VA_GRO     0x40007000   /* -> GPA_RO    R W                        */
#define VA_S_RO    0x40008000   /* -> GPA_RW    R                          */
#define VA_U_XO    0x40009000   /* -> GPA_XO    X U                        */
#define VA_XO_GRX  0x4000a000   /* -> GPA_RX    X                          */
#define VA_U_RW2   0x4000b000   /* -> GPA_RW2   R W U                      */
#define VA_S_RW2   0x4000c000   /* -> GPA_RW2   R W                        */
#define VA_BADL1   0xc0000000   /* VS root entry 3 -> table at GPA_UNMAP   */
/* Contents (written by h_build_tables): h_pg_a dword 0 = MARK_A, h_pg_e
 * dword 0 = MARK_E, h_pg_d dword 0 = MARK_D; h_pg_b is filled with RET
 * (0x00008067) so it can be both executed and read with HLVX. */
#define MARK_A 0x1111222233334444
#define MARK_D 0x4444dddd4444dddd
#define MARK_E 0x5555eeee5555eeee
#define INSN_RET 0x00008067

/* ---- modes for HRUN ---------------------------------------------------- */
#define MODE_M  0
#define MODE_HS 1
#define MODE_U  2
#define MODE_VS 3
#define MODE_VU 4

/* ---- the trap record h_rec --------------------------------------------- */
#define LVL_NONE 0
#define LVL_M    1
#define LVL_HS   2
#define LVL_VS   3
#define HR_LEVEL    0    /* LVL_* of the first trap, LVL_NONE if none     */
#define HR_EXITING  8    /* internal: the handlers are leaving to M        */
#define HR_RESUME   16   /* internal: M-mode resume address                */
#define HR_CAUSE    24   /* mcause / scause (HS) / vscause                 */
#define HR_EPC      32
#define HR_TVAL     40
#define HR_TVAL2    48   /* mtval2 (M) or htval (HS); 0 for VS             */
#define HR_TINST    56   /* mtinst (M) or htinst (HS); 0 for VS            */
#define HR_STATUS   64   /* mstatus (M), HS sstatus (HS), vsstatus (VS),
                            read on entry to the handler                   */
#define HR_HSTATUS  72   /* hstatus on entry to the HS handler             */
#define HR_SIZE     80
#define H_MAX_FAILED 64

#ifdef __ASSEMBLER__

/* Start test `testnum` with every H/S/M CSR the programs use at its
 * default (see h_reset in hcommon.S). */
#define HTEST(testnum)           \
        li TESTNUM, testnum;     \
        call h_reset

/* Continue at the next instruction in `mode` (MODE_*), entered by MRET
 * from M.  The matching HEND must follow in the same macro-free block. */
#define HRUN(mode)               \
        la t6, 7751f;            \
        la t5, h_rec;            \
        sd t6, HR_RESUME(t5);    \
        li t3, mode;             \
        la t4, 7752f;            \
        j h_enter;               \
7752:

/* As HRUN but enter `mode` at address `target` (a register other than
 * t3..t6) instead of the next instruction. */
#define HRUN_AT(mode, target)    \
        la t6, 7751f;            \
        la t5, h_rec;            \
        sd t6, HR_RESUME(t5);    \
        li t3, mode;             \
        mv t4, target;           \
        j h_enter

/* End of the code under test: go back to M and continue after HEND. */
#define HEND                     \
        la t6, h_rec;            \
        li t5, 1;                \
        sd t5, HR_EXITING(t6);   \
        ecall;                   \
7751:

/* ---- checks (M-mode, after HEND) -------------------------------------
 * A failing check does not stop the program: h_fail prints the test number
 * and the trap record, remembers the test number and returns (every
 * register but t2..t6 preserved).  HDONE ends the program: PASS if no
 * check failed, else the line "FAILED TESTS: <n> <m> ..." and FAIL with the
 * first failing test number (the exit code).  So one run lists every
 * failing test; tests/test_h_programs.py compares that list with the known
 * QEMU 7.2 deviations. */
#define HFAIL_UNLESS_EQ(reg_a, reg_b) \
        beq reg_a, reg_b, 7761f;      \
        jal t6, h_fail;               \
7761:

#define HDONE  j h_done

/* register == value */
#define HCHECK_REG(reg, value)        \
        li t2, value;                 \
        HFAIL_UNLESS_EQ(reg, t2)

/* (register & mask) == value */
#define HCHECK_REG_MASK(reg, mask, value) \
        li t2, mask;                  \
        and t3, reg, t2;              \
        li t2, value;                 \
        HFAIL_UNLESS_EQ(t3, t2)

/* record field (HR_*) == value */
#define HCHECK_REC(field, value)      \
        la t3, h_rec;                 \
        ld t3, field(t3);             \
        li t2, value;                 \
        HFAIL_UNLESS_EQ(t3, t2)

/* (record field & mask) == value */
#define HCHECK_REC_MASK(field, mask, value) \
        la t3, h_rec;                 \
        ld t3, field(t3);             \
        li t2, mask;                  \
        and t3, t3, t2;               \
        li t2, value;                 \
        HFAIL_UNLESS_EQ(t3, t2)

/* record field == address of `sym` (a label, e.g. 1b) */
#define HCHECK_REC_SYM(field, sym)    \
        la t3, h_rec;                 \
        ld t3, field(t3);             \
        la t2, sym;                   \
        HFAIL_UNLESS_EQ(t3, t2)

/* record field == register */
#define HCHECK_REC_REG(field, reg)    \
        la t3, h_rec;                 \
        ld t3, field(t3);             \
        HFAIL_UNLESS_EQ(t3, reg)

/* record field == v1 or == v2 (e.g. htinst: 0 or a transformed insn) */
#define HCHECK_REC_ONEOF(field, v1, v2) \
        la t3, h_rec;                 \
        ld t3, field(t3);             \
        li t2, v1;                    \
        beq t3, t2, 7762f;            \
        li t2, v2;                    \
        HFAIL_UNLESS_EQ(t3, t2);      \
7762:

/* no trap happened between HRUN and HEND */
#define HCHECK_NOTRAP                 \
        HCHECK_REC(HR_LEVEL, LVL_NONE)

/* the first trap was taken at `level` with `cause` */
#define HCHECK_TRAP(level, cause)     \
        HCHECK_REC(HR_LEVEL, level);  \
        HCHECK_REC(HR_CAUSE, cause)

/* as HCHECK_TRAP, and epc == `sym` */
#define HCHECK_TRAP_AT(level, cause, sym) \
        HCHECK_TRAP(level, cause);    \
        HCHECK_REC_SYM(HR_EPC, sym)

/* CSR (read in M) == value */
#define HCHECK_CSR(csr, value)        \
        csrr t3, csr;                 \
        li t2, value;                 \
        HFAIL_UNLESS_EQ(t3, t2)

/* (CSR & mask) == value */
#define HCHECK_CSR_MASK(csr, mask, value) \
        csrr t3, csr;                 \
        li t2, mask;                  \
        and t3, t3, t2;               \
        li t2, value;                 \
        HFAIL_UNLESS_EQ(t3, t2)

/* write value, read back, compare with expected */
#define HCHECK_WARL(csr, value, expected) \
        li t3, value;                 \
        csrw csr, t3;                 \
        HCHECK_CSR(csr, expected)

/* Load/store the record's tval-style word: the instruction at `sym`. */
#define HCHECK_REC_INSN(field, sym)   \
        la t3, sym;                   \
        lwu t2, 0(t3);                \
        la t3, h_rec;                 \
        ld t3, field(t3);             \
        HFAIL_UNLESS_EQ(t3, t2)

/* Build a PTE for physical address in register `pa` with `flags` and store
 * it in entry `idx` of the table whose address is in register `tbl`.
 * Clobbers t3, t4. */
#define HPTE_STORE(tbl, idx, pa, flags) \
        srli t3, pa, 12;              \
        slli t3, t3, 10;              \
        ori t3, t3, flags;            \
        li t4, (idx) * 8;             \
        add t4, t4, tbl;              \
        sd t3, 0(t4)

#endif /* __ASSEMBLER__ */
#endif /* HTEST_H */
