/*
 * h_fpu.S - floating point with V=1: both mstatus.FS (HS sstatus.FS) and
 * vsstatus.FS gate FP instructions, an FP instruction with either Off
 * raises an illegal-instruction exception (2, never a virtual-instruction
 * exception), and an FP state change with V=1 makes both FS fields Dirty.
 * Spec: hypervisor.adoc, "Virtual Supervisor Status Register"
 * (norm:vsstatus_fs_op), "norm:H_illegalinst_xstatus_fs_vs".
 * Vectors: docs h-extension.md section 3.4 and section 11 T39.
 * Built with F and D (the Makefile rule for h_fp*).
 */
#include "htest.h"

#define FS_OFF     (0 << 13)
#define FS_INITIAL (1 << 13)
#define FS_DIRTY   (3 << 13)

RVTEST_CODE_BEGIN
        call    h_init

        /* T39: HS sstatus.FS = 0, vsstatus.FS = 3: VS fadd.d -> 2 (HS) */
        HTEST(1)
        li      t0, MSTATUS_FS
        csrc    mstatus, t0
        li      t0, FS_DIRTY
        csrw    vsstatus, t0
        HRUN(MODE_VS)
1:      fadd.d  fa0, fa1, fa2
        HEND
        HCHECK_TRAP_AT(LVL_HS, CAUSE_ILLEGAL_INSTRUCTION, 1b)

        /* HS sstatus.FS = 3, vsstatus.FS = 0: VS fadd.d -> 2 (HS) */
        HTEST(2)
        li      t0, MSTATUS_FS
        csrs    mstatus, t0
        csrw    vsstatus, zero
        HRUN(MODE_VS)
1:      fadd.d  fa0, fa1, fa2
        HEND
        HCHECK_TRAP_AT(LVL_HS, CAUSE_ILLEGAL_INSTRUCTION, 1b)

        /* T39: HS FS = 1, vsstatus.FS = 1: VS fadd.d executes and both FS
         * fields become Dirty */
        HTEST(3)
        li      t0, MSTATUS_FS
        csrc    mstatus, t0
        li      t0, FS_INITIAL
        csrs    mstatus, t0
        csrw    vsstatus, t0
        li      t0, 1 << 10
        csrc    medeleg, t0
        HRUN(MODE_VS)
        fadd.d  fa0, fa1, fa2
        HEND
        HCHECK_NOTRAP
        HCHECK_CSR_MASK(mstatus, MSTATUS_FS, FS_DIRTY)
        HCHECK_CSR_MASK(vsstatus, MSTATUS_FS, FS_DIRTY)

        li      t0, MSTATUS_FS
        csrc    mstatus, t0
        HDONE
