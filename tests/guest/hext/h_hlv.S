/*
 * h_hlv.S - the virtual-machine load/store instructions HLV, HLVX, HSV:
 * effective privilege from hstatus.SPVP, SUM from vsstatus (HS SUM
 * ignored), MXR at both stages, HLVX needing execute permission, HU in
 * U-mode, MPRV ignored, faults (GVA = 1 with SPV = 0), sign extension.
 * Spec: hypervisor.adoc, "Hypervisor Virtual-Machine Load and Store
 * Instructions" (norm:hlsv_*), "Hypervisor Status Register" (SPVP, HU,
 * GVA), "Two-Stage Address Translation" (MXR, SUM), machine.adoc (PMP).
 * Vectors: docs h-extension.md section 5.2, 4.3 and section 11 T27-T30.
 */
#include "htest.h"

#define TINST_HSV_W_A2 0x6ac04073       /* hsv.w a2, (x0): rs1 = offset 0 */
#define TINST_HLV_D_A0 0x6c004573       /* hlv.d a0, (x0) */

/* Both guest stages on; HS itself runs with satp = Sv39 (identity) too:
 * QEMU 7.2 reports HLV page faults as access faults while the HS satp is
 * Bare (test 36), and the other tests are meant to check the rest. */
#define BOTH_ON     li a0, 1; call h_gstage_on; call h_vsstage_on; call h_hsstage_on
#define SPVP_VS     li t0, HSTATUS_SPVP; csrs hstatus, t0

RVTEST_CODE_BEGIN
        call    h_init

        /* HS hlv.d with SPVP = 1 through both stages */
        HTEST(1)
        BOTH_ON
        SPVP_VS
        li      a1, VA_S_RW
        li      a0, 0
        HRUN(MODE_HS)
        hlv.d   a0, (a1)
        HEND
        HCHECK_NOTRAP
        HCHECK_REG(a0, MARK_A)

        /* T27: SPVP = 1 on a VS U=1 page with vsstatus.SUM = 1: ok */
        HTEST(2)
        BOTH_ON
        SPVP_VS
        li      t0, MSTATUS_SUM
        csrs    vsstatus, t0
        li      a1, VA_U_RW
        li      a0, 0
        HRUN(MODE_HS)
        hlv.d   a0, (a1)
        HEND
        HCHECK_NOTRAP
        HCHECK_REG(a0, MARK_A)

        /* T27: SPVP = 0 (VU rules): U=0 page -> 13, GVA = 1, SPV = 0,
         * SPVP unchanged, htval = 0; U=1 page -> ok */
        HTEST(3)
        BOTH_ON
        li      a1, VA_S_RW
        HRUN(MODE_HS)
1:      hlv.d   a0, (a1)
        HEND
        HCHECK_TRAP_AT(LVL_HS, CAUSE_LOAD_PAGE_FAULT, 1b)
        HCHECK_REC(HR_TVAL, VA_S_RW)
        HCHECK_REC(HR_TVAL2, 0)
        HCHECK_REC_MASK(HR_HSTATUS, HSTATUS_GVA|HSTATUS_SPV|HSTATUS_SPVP, HSTATUS_GVA)
        HCHECK_REC_ONEOF(HR_TINST, 0, TINST_HLV_D_A0)
        HTEST(4)
        BOTH_ON
        li      a1, VA_U_RW
        li      a0, 0
        HRUN(MODE_HS)
        hlv.d   a0, (a1)
        HEND
        HCHECK_NOTRAP
        HCHECK_REG(a0, MARK_A)

        /* MPRV does not affect HLV: M with MPRV = 1, MPP = U still
         * accesses as VS (SPVP = 1) */
        HTEST(5)
        BOTH_ON
        SPVP_VS
        li      a1, VA_S_RW
        li      a0, 0
        HRUN(MODE_M)
        li      t0, MSTATUS_MPRV
        csrs    mstatus, t0
        hlv.d   a0, (a1)
        li      t0, MSTATUS_MPRV
        csrc    mstatus, t0
        HEND
        HCHECK_NOTRAP
        HCHECK_REG(a0, MARK_A)

        /* T30: U-mode with HU = 1 executes HLV with SPVP = 1 */
        HTEST(6)
        li      a0, 1
        call    h_gstage_on
        call    h_vsstage_on
        li      t0, HSTATUS_SPVP|HSTATUS_HU
        csrs    hstatus, t0
        li      a1, VA_S_RW
        li      a0, 0
        HRUN(MODE_U)
        hlv.d   a0, (a1)
        HEND
        HCHECK_NOTRAP
        HCHECK_REG(a0, MARK_A)

        /* HLV G-stage fault from HS: 21, stval = GVA, htval = GPA >> 2,
         * GVA = 1, SPV = 0 */
        HTEST(7)
        BOTH_ON
        SPVP_VS
        li      a1, VA_GUNMAP + 0x40
        HRUN(MODE_HS)
1:      hlv.d   a0, (a1)
        HEND
        HCHECK_TRAP_AT(LVL_HS, CAUSE_LOAD_GUEST_PF, 1b)
        HCHECK_REC(HR_TVAL, VA_GUNMAP + 0x40)
        HCHECK_REC(HR_TVAL2, (GPA_UNMAP + 0x40) >> 2)
        HCHECK_REC_MASK(HR_HSTATUS, HSTATUS_GVA|HSTATUS_SPV, HSTATUS_GVA)

        /* HSV: store through both stages, read back in M */
        HTEST(8)
        BOTH_ON
        SPVP_VS
        li      a1, VA_S_RW2 + 0x10
        li      a2, 0x0123456789abcdef
        HRUN(MODE_HS)
        hsv.d   a2, (a1)
        HEND
        HCHECK_NOTRAP
        la      t0, h_pg_e
        ld      a0, 0x10(t0)
        HCHECK_REG(a0, 0x0123456789abcdef)
        /* HSV to a G-stage read-only page: 23, htval, GVA = 1, SPV = 0 */
        HTEST(9)
        BOTH_ON
        SPVP_VS
        li      a1, VA_GRO + 4
        HRUN(MODE_HS)
1:      hsv.w   a2, (a1)
        HEND
        HCHECK_TRAP_AT(LVL_HS, CAUSE_STORE_GUEST_PF, 1b)
        HCHECK_REC(HR_TVAL, VA_GRO + 4)
        HCHECK_REC(HR_TVAL2, (GPA_RO + 4) >> 2)
        HCHECK_REC_MASK(HR_HSTATUS, HSTATUS_GVA|HSTATUS_SPV, HSTATUS_GVA)
        HCHECK_REC_ONEOF(HR_TINST, 0, TINST_HSV_W_A2)

        /* sign and zero extension */
        HTEST(10)
        la      t0, h_pg_a
        li      t1, 0x8000000080808080
        sd      t1, 8(t0)
        BOTH_ON
        SPVP_VS
        li      a1, VA_S_RW + 8
        HRUN(MODE_HS)
        hlv.b   a2, (a1)
        hlv.bu  a3, (a1)
        hlv.h   a4, (a1)
        hlv.hu  a5, (a1)
        hlv.w   a6, (a1)
        hlv.wu  a7, (a1)
        HEND
        HCHECK_NOTRAP
        HCHECK_REG(a2, 0xffffffffffffff80)
        HCHECK_REG(a3, 0x80)
        HCHECK_REG(a4, 0xffffffffffff8080)
        HCHECK_REG(a5, 0x8080)
        HCHECK_REG(a6, 0xffffffff80808080)
        HCHECK_REG(a7, 0x80808080)

        /* T28: HLVX on a page execute-only at both stages: ok */
        HTEST(11)
        BOTH_ON
        SPVP_VS
        li      a1, VA_XO_GXO
        li      a0, 0
        HRUN(MODE_HS)
        hlvx.wu a0, (a1)
        hlvx.hu a2, (a1)
        HEND
        HCHECK_NOTRAP
        HCHECK_REG(a0, INSN_RET)
        HCHECK_REG(a2, INSN_RET & 0xffff)
        /* T28: HLV.W on it faults at the VS stage (13) */
        HTEST(12)
        BOTH_ON
        SPVP_VS
        li      a1, VA_XO_GXO
        HRUN(MODE_HS)
1:      hlv.w   a0, (a1)
        HEND
        HCHECK_TRAP_AT(LVL_HS, CAUSE_LOAD_PAGE_FAULT, 1b)
        /* T28: with only vsstatus.MXR, the G stage (X-only) faults: 21 */
        HTEST(13)
        BOTH_ON
        SPVP_VS
        li      t0, MSTATUS_MXR
        csrs    vsstatus, t0
        li      a1, VA_XO_GXO
        HRUN(MODE_HS)
1:      hlv.w   a0, (a1)
        HEND
        HCHECK_TRAP_AT(LVL_HS, CAUSE_LOAD_GUEST_PF, 1b)
        HCHECK_REC(HR_TVAL2, GPA_XO >> 2)

        /* T29: HLVX on a VS page without X: load page fault 13 (never 12) */
        HTEST(14)
        BOTH_ON
        SPVP_VS
        li      a1, VA_S_RW
        HRUN(MODE_HS)
1:      hlvx.hu a0, (a1)
        HEND
        HCHECK_TRAP_AT(LVL_HS, CAUSE_LOAD_PAGE_FAULT, 1b)
        HCHECK_REC(HR_TVAL, VA_S_RW)

        /* HLV fault taken in M (medeleg[13] = 0): mcause 13, MPV = 0,
         * mstatus.GVA = 1, mtval = GVA */
        HTEST(15)
        BOTH_ON
        li      t0, 1 << 13
        csrc    medeleg, t0
        li      a1, VA_S_RW
        HRUN(MODE_HS)
1:      hlv.d   a0, (a1)
        HEND
        HCHECK_TRAP_AT(LVL_M, CAUSE_LOAD_PAGE_FAULT, 1b)
        HCHECK_REC(HR_TVAL, VA_S_RW)
        HCHECK_REC_MASK(HR_STATUS, MSTATUS_MPV|MSTATUS_GVA|MSTATUS_MPP, MSTATUS_GVA|MPP_S)

/* ---- QEMU 7.2 deviations (tests/test_h_programs.py lists them) -------
 *  11, 33 HLVX checks read instead of execute permission
 *  13     HLV ignores vsstatus.MXR at the VS stage
 *  14     HLVX on a non-executable VS page does not trap
 *  15     HLV fault taken in M does not set mstatus.GVA
 *  30, 31 HLV with SPVP = 1 ignores vsstatus.SUM = 0
 *  32     HS sstatus.MXR not applied at the G stage
 *  34     PMP failure reported as a guest-page fault (21)
 *  36     HLV page faults become access faults (5/7) while the HS satp
 *         is Bare (why the other tests run HS with satp = Sv39)
 * ---------------------------------------------------------------------- */

        /* T27: SPVP = 1, VS U=1 page, vsstatus.SUM = 0: 13 even if the HS
         * sstatus.SUM = 1 (HS SUM is ignored by HLV) */
        HTEST(30)
        BOTH_ON
        SPVP_VS
        li      a1, VA_U_RW
        HRUN(MODE_HS)
1:      hlv.d   a0, (a1)
        HEND
        HCHECK_TRAP_AT(LVL_HS, CAUSE_LOAD_PAGE_FAULT, 1b)
        HCHECK_REC_MASK(HR_HSTATUS, HSTATUS_GVA|HSTATUS_SPV|HSTATUS_SPVP, HSTATUS_GVA|HSTATUS_SPVP)
        HTEST(31)
        BOTH_ON
        SPVP_VS
        li      t0, MSTATUS_SUM
        csrs    mstatus, t0
        li      a1, VA_U_RW
        HRUN(MODE_HS)
1:      hlv.d   a0, (a1)
        HEND
        HCHECK_TRAP_AT(LVL_HS, CAUSE_LOAD_PAGE_FAULT, 1b)

        /* T28: HS sstatus.MXR makes X-only pages readable at both stages */
        HTEST(32)
        BOTH_ON
        SPVP_VS
        li      t0, MSTATUS_MXR
        csrs    mstatus, t0
        li      a1, VA_XO_GXO
        li      a0, 0
        HRUN(MODE_HS)
        hlv.w   a0, (a1)
        HEND
        HCHECK_NOTRAP
        HCHECK_REG(a0, INSN_RET)

        /* HLVX needs X at the G stage: VS X-only over a G R+W page -> 21 */
        HTEST(33)
        BOTH_ON
        SPVP_VS
        li      a1, VA_XO_GRW
        HRUN(MODE_HS)
1:      hlvx.wu a0, (a1)
        HEND
        HCHECK_TRAP_AT(LVL_HS, CAUSE_LOAD_GUEST_PF, 1b)
        HCHECK_REC(HR_TVAL2, GPA_RW >> 2)

        /* T29: HLVX on a PMP region with X but not R: load access fault 5
         * (PMP entry 0 = h_pg_b, X only; stages Bare) */
        HTEST(34)
        la      t0, h_pg_b
        srli    t0, t0, 2
        ori     t0, t0, 0x1ff                   /* NAPOT 4 KiB */
        csrw    pmpaddr0, t0
        li      t0, H_PMPCFG0_DEFAULT | 0x1c    /* NAPOT, X */
        csrw    pmpcfg0, t0
        sfence.vma x0, x0
        hfence.gvma x0, x0
        la      a1, h_pg_b
        HRUN(MODE_HS)
1:      hlvx.wu a0, (a1)
        HEND
        HCHECK_TRAP_AT(LVL_HS, CAUSE_LOAD_ACCESS, 1b)

        /* HSV.B to a page read-only at both VS and G stage: VS-stage store
         * page fault 15 */
        HTEST(35)
        BOTH_ON
        SPVP_VS
        li      a1, VA_S_RO
        HRUN(MODE_HS)
1:      hsv.b   a2, (a1)
        HEND
        HCHECK_TRAP_AT(LVL_HS, CAUSE_STORE_PAGE_FAULT, 1b)

        /* HLV VS-stage page fault from HS while the HS satp is Bare: still
         * 13 (the HS satp plays no part).  QEMU 7.2 raises 5. */
        HTEST(36)
        li      a0, 1
        call    h_gstage_on
        call    h_vsstage_on
        li      a1, VA_S_RW
        HRUN(MODE_HS)
1:      hlv.d   a0, (a1)
        HEND
        HCHECK_TRAP_AT(LVL_HS, CAUSE_LOAD_PAGE_FAULT, 1b)

        HDONE
