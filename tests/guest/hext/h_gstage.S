/*
 * h_gstage.S - two-stage address translation: G stage (Sv39x4, 16 KiB
 * root) alone and under an Sv39 VS stage; guest-page faults 20/21/23 with
 * stval = GVA, htval = GPA >> 2, htinst, hstatus.GVA; VS-stage faults
 * delegated to VS or taken in HS; the U bit at the G stage; the 41-bit GPA
 * limit; MXR at both stages; MPRV with MPV.
 * Spec: hypervisor.adoc, "Two-Stage Address Translation", "Guest Physical
 * Address Translation", "Guest-Page Faults", "Transformed Instruction or
 * Pseudoinstruction for mtinst or htinst", "Hypervisor Status Register"
 * (GVA), "Machine Status Registers" (MPRV with MPV).
 * Vectors: docs h-extension.md section 4 and section 11 T19-T26,
 * T28 (MXR part), T40.
 * Memory map: htest.h (GPA_*, VA_*), tables built by h_init.
 */
#include "htest.h"

#define INSN_LD_A0_A1     0x0005b503     /* ld a0, 0(a1) */
#define TINST_LD_A0       0x00003503     /* transformed: imm 0, rs1 = 0 */
#define INSN_SD_A2_A1     0x00c5b023     /* sd a2, 0(a1) */
#define TINST_SD_A2       0x00c03023
#define TINST_PSEUDO_READ 0x00003000     /* implicit VS PTE read, VSXLEN 64 */
#define TINST_PSEUDO_WRITE 0x00003020    /* implicit VS PTE write (A/D update) */
#define TINST_LW_A0_OFF2  0x00012503     /* transformed lw a0, Addr.Offset 2 */
#define MENVCFG_ADUE      (1 << 61)
#define VA_AD             0x40201100     /* VS L1[1] -> table in h_pg_d (GPA_RO) */

/* T22: VS L1 entry 1 -> a level-0 table at GPA_RO (h_pg_d, G stage R U,
 * W=0); its entry 1 maps VA 0x40201000 -> GPA_RW with A = 0 (D = 1).
 * menvcfg/henvcfg.ADUE set where implemented (Svadu). */
#define AD_TABLES_ON                                    \
        la      t0, h_vl1;                              \
        li      t1, GPA_RO;                             \
        HPTE_STORE(t0, 1, t1, PTE_V);                   \
        la      t0, h_pg_d;                             \
        li      t1, GPA_RW;                             \
        HPTE_STORE(t0, 1, t1, PTE_V|PTE_R|PTE_W|PTE_D); \
        li      t0, MENVCFG_ADUE;                       \
        csrs    CSR_MENVCFG, t0;                        \
        csrs    henvcfg, t0
#define AD_TABLES_OFF                                   \
        la      t0, h_vl1;                              \
        sd      zero, 8(t0);                            \
        la      t0, h_pg_d;                             \
        sd      zero, 8(t0);                            \
        li      t0, MENVCFG_ADUE;                       \
        csrc    CSR_MENVCFG, t0

/* hgatp = Sv39x4 (VMID 1) + optional vsatp = Sv39 */
#define GSTAGE_ON   li a0, 1; call h_gstage_on
#define VSSTAGE_ON  call h_vsstage_on

RVTEST_CODE_BEGIN
        call    h_init

        /* ---- G stage only (vsatp Bare) ---- */
        /* identity window and a remapped page: loads see h_pg_a */
        HTEST(1)
        GSTAGE_ON
        li      a1, GPA_RW
        li      a0, 0
        HRUN(MODE_VS)
        ld      a0, 0(a1)
        HEND
        HCHECK_NOTRAP
        HCHECK_REG(a0, MARK_A)

        /* T19: load from an unmapped GPA: 21 to HS, stval = GVA,
         * htval = GPA >> 2, GVA = 1, SPV = 1, SPVP = 1, htinst 0 or the
         * transformed load */
        HTEST(2)
        GSTAGE_ON
        li      a1, GPA_HOLE + 0x10
        HRUN(MODE_VS)
1:      ld      a0, 0(a1)
        HEND
        HCHECK_TRAP_AT(LVL_HS, CAUSE_LOAD_GUEST_PF, 1b)
        HCHECK_REC(HR_TVAL, GPA_HOLE + 0x10)
        HCHECK_REC(HR_TVAL2, (GPA_HOLE + 0x10) >> 2)
        HCHECK_REC_MASK(HR_HSTATUS, HSTATUS_GVA|HSTATUS_SPV|HSTATUS_SPVP, HSTATUS_GVA|HSTATUS_SPV|HSTATUS_SPVP)
        HCHECK_REC_ONEOF(HR_TINST, 0, TINST_LD_A0)

        /* store to a G-stage read-only page: 23 */
        HTEST(3)
        GSTAGE_ON
        li      a1, GPA_RO + 8
        HRUN(MODE_VS)
1:      sd      a2, 0(a1)
        HEND
        HCHECK_TRAP_AT(LVL_HS, CAUSE_STORE_GUEST_PF, 1b)
        HCHECK_REC(HR_TVAL, GPA_RO + 8)
        HCHECK_REC(HR_TVAL2, (GPA_RO + 8) >> 2)
        HCHECK_REC_ONEOF(HR_TINST, 0, TINST_SD_A2)

        /* fetch from an unmapped GPA: 20, epc = stval = target */
        HTEST(4)
        GSTAGE_ON
        li      t1, GPA_HOLE
        HRUN_AT(MODE_VS, t1)
        HEND
        HCHECK_TRAP(LVL_HS, CAUSE_FETCH_GUEST_PF)
        HCHECK_REC(HR_EPC, GPA_HOLE)
        HCHECK_REC(HR_TVAL, GPA_HOLE)
        HCHECK_REC(HR_TVAL2, GPA_HOLE >> 2)
        HCHECK_REC_MASK(HR_HSTATUS, HSTATUS_GVA|HSTATUS_SPV, HSTATUS_GVA|HSTATUS_SPV)

        /* execute-only G page: executable (h_pg_b holds RET) */
        HTEST(5)
        GSTAGE_ON
        li      t0, GPA_XO
        HRUN(MODE_VS)
        jalr    ra, 0(t0)
        HEND
        HCHECK_NOTRAP
        /* ... but not readable: 21 */
        HTEST(6)
        GSTAGE_ON
        li      a1, GPA_XO
        HRUN(MODE_VS)
1:      ld      a0, 0(a1)
        HEND
        HCHECK_TRAP_AT(LVL_HS, CAUSE_LOAD_GUEST_PF, 1b)
        HCHECK_REC(HR_TVAL2, GPA_XO >> 2)
        /* ... unless HS sstatus.MXR = 1 (it applies at the G stage) */
        HTEST(7)
        GSTAGE_ON
        li      t0, MSTATUS_MXR
        csrs    mstatus, t0
        li      a1, GPA_XO
        HRUN(MODE_VS)
        lwu     a0, 0(a1)
        HEND
        HCHECK_NOTRAP
        HCHECK_REG(a0, INSN_RET)
        /* ... and vsstatus.MXR does not (T28) */
        HTEST(8)
        GSTAGE_ON
        li      t0, MSTATUS_MXR
        csrs    vsstatus, t0
        li      a1, GPA_XO
        HRUN(MODE_VS)
1:      lwu     a0, 0(a1)
        HEND
        HCHECK_TRAP_AT(LVL_HS, CAUSE_LOAD_GUEST_PF, 1b)

        /* T24: G-stage leaf with R W X but U = 0: every VS and VU access
         * faults (G-stage accesses are always user-level) */
        HTEST(9)
        GSTAGE_ON
        li      a1, GPA_NOU
        HRUN(MODE_VS)
1:      ld      a0, 0(a1)
        HEND
        HCHECK_TRAP_AT(LVL_HS, CAUSE_LOAD_GUEST_PF, 1b)
        HCHECK_REC(HR_TVAL2, GPA_NOU >> 2)
        HTEST(10)
        GSTAGE_ON
        li      a1, GPA_NOU
        HRUN(MODE_VU)
1:      sd      a2, 0(a1)
        HEND
        HCHECK_TRAP_AT(LVL_HS, CAUSE_STORE_GUEST_PF, 1b)
        HCHECK_REC_MASK(HR_HSTATUS, HSTATUS_SPV|HSTATUS_SPVP, HSTATUS_SPV)
        HTEST(11)
        GSTAGE_ON
        li      t1, GPA_NOU
        HRUN_AT(MODE_VS, t1)
        HEND
        HCHECK_TRAP(LVL_HS, CAUSE_FETCH_GUEST_PF)
        HCHECK_REC(HR_TVAL, GPA_NOU)

        /* T25: GPA limit of Sv39x4 is 41 bits: 0x200_0000_0000 -> 21 with
         * htval = GPA >> 2; a "non-canonical" 0xffffffff80000000 with
         * vsatp Bare is a GPA too wide: 21, not 13 */
        HTEST(12)
        GSTAGE_ON
        li      a1, 0x20000000000
        HRUN(MODE_VS)
1:      ld      a0, 0(a1)
        HEND
        HCHECK_TRAP_AT(LVL_HS, CAUSE_LOAD_GUEST_PF, 1b)
        HCHECK_REC(HR_TVAL, 0x20000000000)
        HCHECK_REC(HR_TVAL2, 0x8000000000)
        HTEST(13)
        GSTAGE_ON
        li      a1, 0xffffffff80000000
        HRUN(MODE_VS)
1:      ld      a0, 0(a1)
        HEND
        HCHECK_TRAP_AT(LVL_HS, CAUSE_LOAD_GUEST_PF, 1b)
        HCHECK_REC(HR_TVAL, 0xffffffff80000000)

        /* T26: x4 root: GPA 0x100_0000_0000 uses root entry 1024 (byte
         * offset 0x2000 of the 16 KiB root), a 1 GiB page onto 0x80000000;
         * entry 0 is invalid, so a 9-bit root index would fault */
        HTEST(14)
        GSTAGE_ON
        la      a1, h_pg_d
        li      t0, GPA_HIGH - 0x80000000
        add     a1, a1, t0
        li      a0, 0
        HRUN(MODE_VS)
        ld      a0, 0(a1)
        HEND
        HCHECK_NOTRAP
        HCHECK_REG(a0, MARK_D)

        /* T26 (straddling half): a 4-byte load at the end of GPA_RO (mapped)
         * that straddles into GPA_UNMAP: 21 with stval = the page-boundary
         * address, htval = its GPA >> 2 (rvjit emulates misaligned
         * accesses) */
        HTEST(15)
        GSTAGE_ON
        li      a1, GPA_RO + 0xffe
        HRUN(MODE_VS)
1:      lw      a0, 0(a1)
        HEND
        HCHECK_TRAP_AT(LVL_HS, CAUSE_LOAD_GUEST_PF, 1b)
        HCHECK_REC(HR_TVAL, GPA_UNMAP)
        HCHECK_REC(HR_TVAL2, GPA_UNMAP >> 2)
        HCHECK_REC_ONEOF(HR_TINST, 0, TINST_LW_A0_OFF2)

        /* ---- two stages: vsatp Sv39 over hgatp Sv39x4 ---- */
        HTEST(20)
        GSTAGE_ON
        VSSTAGE_ON
        li      a1, VA_S_RW
        li      a0, 0
        HRUN(MODE_VS)
        ld      a0, 0(a1)
        HEND
        HCHECK_NOTRAP
        HCHECK_REG(a0, MARK_A)
        /* VS access to a VS U=1 page needs vsstatus.SUM (HS SUM ignored) */
        HTEST(21)
        GSTAGE_ON
        VSSTAGE_ON
        li      t0, MSTATUS_SUM
        csrs    mstatus, t0
        li      a1, VA_U_RW
        HRUN(MODE_VS)
1:      ld      a0, 0(a1)
        HEND
        HCHECK_TRAP_AT(LVL_HS, CAUSE_LOAD_PAGE_FAULT, 1b)
        HCHECK_REC(HR_TVAL, VA_U_RW)
        HCHECK_REC(HR_TVAL2, 0)
        HCHECK_REC_MASK(HR_HSTATUS, HSTATUS_GVA|HSTATUS_SPV, HSTATUS_GVA|HSTATUS_SPV)
        HTEST(22)
        GSTAGE_ON
        VSSTAGE_ON
        li      t0, MSTATUS_SUM
        csrs    vsstatus, t0
        li      a1, VA_U_RW
        li      a0, 0
        HRUN(MODE_VS)
        ld      a0, 0(a1)
        HEND
        HCHECK_NOTRAP
        HCHECK_REG(a0, MARK_A)

        /* T23: VS PTE V = 0: with hedeleg[13] = 1 -> VS (vscause 13,
         * vstval = va); with hedeleg[13] = 0 -> HS (GVA = 1, htval = 0) */
        HTEST(23)
        GSTAGE_ON
        VSSTAGE_ON
        li      t0, 1 << 13
        csrw    hedeleg, t0
        li      t0, 1 << 10
        csrc    medeleg, t0                     /* VS handler -> M */
        li      a1, VA_INVAL + 0x18
        HRUN(MODE_VS)
1:      ld      a0, 0(a1)
        HEND
        HCHECK_TRAP_AT(LVL_VS, CAUSE_LOAD_PAGE_FAULT, 1b)
        HCHECK_REC(HR_TVAL, VA_INVAL + 0x18)
        HTEST(24)
        GSTAGE_ON
        VSSTAGE_ON
        li      a1, VA_INVAL + 0x18
        HRUN(MODE_VS)
1:      ld      a0, 0(a1)
        HEND
        HCHECK_TRAP_AT(LVL_HS, CAUSE_LOAD_PAGE_FAULT, 1b)
        HCHECK_REC(HR_TVAL, VA_INVAL + 0x18)
        HCHECK_REC(HR_TVAL2, 0)
        HCHECK_REC_MASK(HR_HSTATUS, HSTATUS_GVA|HSTATUS_SPV, HSTATUS_GVA|HSTATUS_SPV)

        /* store to a VS read-only page: 15 (VS stage); to a page writable
         * at VS but read-only at G: 23 with htval = GPA >> 2, stval = GVA */
        HTEST(25)
        GSTAGE_ON
        VSSTAGE_ON
        li      a1, VA_S_RO
        HRUN(MODE_VS)
1:      sd      a2, 0(a1)
        HEND
        HCHECK_TRAP_AT(LVL_HS, CAUSE_STORE_PAGE_FAULT, 1b)
        HCHECK_REC(HR_TVAL, VA_S_RO)
        HTEST(26)
        GSTAGE_ON
        VSSTAGE_ON
        li      a1, VA_GRO + 0x20
        HRUN(MODE_VS)
1:      sd      a2, 0(a1)
        HEND
        HCHECK_TRAP_AT(LVL_HS, CAUSE_STORE_GUEST_PF, 1b)
        HCHECK_REC(HR_TVAL, VA_GRO + 0x20)
        HCHECK_REC(HR_TVAL2, (GPA_RO + 0x20) >> 2)
        HCHECK_REC_ONEOF(HR_TINST, 0, TINST_SD_A2)

        /* final GPA unmapped at the G stage: 21, htval = GPA >> 2 of the
         * exact byte */
        HTEST(27)
        GSTAGE_ON
        VSSTAGE_ON
        li      a1, VA_GUNMAP + 0x128
        HRUN(MODE_VS)
1:      ld      a0, 0(a1)
        HEND
        HCHECK_TRAP_AT(LVL_HS, CAUSE_LOAD_GUEST_PF, 1b)
        HCHECK_REC(HR_TVAL, VA_GUNMAP + 0x128)
        HCHECK_REC(HR_TVAL2, (GPA_UNMAP + 0x128) >> 2)
        /* G-stage U = 0 under a VS mapping: 21 */
        HTEST(28)
        GSTAGE_ON
        VSSTAGE_ON
        li      a1, VA_GNOU
        HRUN(MODE_VS)
1:      ld      a0, 0(a1)
        HEND
        HCHECK_TRAP_AT(LVL_HS, CAUSE_LOAD_GUEST_PF, 1b)
        HCHECK_REC(HR_TVAL2, GPA_NOU >> 2)

        /* MXR: VS X-only page over a G R+X page is readable with
         * vsstatus.MXR = 1; without MXR it is a VS-stage fault (13) */
        HTEST(29)
        GSTAGE_ON
        VSSTAGE_ON
        li      t0, MSTATUS_MXR
        csrs    vsstatus, t0
        li      a1, VA_XO_GRX
        li      a0, 0
        HRUN(MODE_VS)
        lwu     a0, 0(a1)
        HEND
        HCHECK_NOTRAP
        HCHECK_REG(a0, INSN_RET)
        HTEST(30)
        GSTAGE_ON
        VSSTAGE_ON
        li      a1, VA_XO_GRX
        HRUN(MODE_VS)
1:      lwu     a0, 0(a1)
        HEND
        HCHECK_TRAP_AT(LVL_HS, CAUSE_LOAD_PAGE_FAULT, 1b)
        /* T28: X-only at both stages with only vsstatus.MXR: 21 */
        HTEST(31)
        GSTAGE_ON
        VSSTAGE_ON
        li      t0, MSTATUS_MXR
        csrs    vsstatus, t0
        li      a1, VA_XO_GXO
        HRUN(MODE_VS)
1:      lwu     a0, 0(a1)
        HEND
        HCHECK_TRAP_AT(LVL_HS, CAUSE_LOAD_GUEST_PF, 1b)
        HCHECK_REC(HR_TVAL2, GPA_XO >> 2)
        /* ... with HS sstatus.MXR: readable at both stages */
        HTEST(32)
        GSTAGE_ON
        VSSTAGE_ON
        li      t0, MSTATUS_MXR
        csrs    mstatus, t0
        li      a1, VA_XO_GXO
        li      a0, 0
        HRUN(MODE_VS)
        lwu     a0, 0(a1)
        HEND
        HCHECK_NOTRAP
        HCHECK_REG(a0, INSN_RET)

        /* T40: M-mode MPRV = 1, MPP = S, MPV = 1 uses both stages with
         * vsstatus.SUM: a VS U=1 page with SUM = 1 is readable */
        HTEST(33)
        GSTAGE_ON
        VSSTAGE_ON
        li      t0, MSTATUS_SUM
        csrs    vsstatus, t0
        li      a1, VA_U_RW
        li      a0, 0
        HRUN(MODE_M)
        li      t0, MSTATUS_MPRV|MPP_S|MSTATUS_MPV
        csrs    mstatus, t0
        ld      a0, 0(a1)
        li      t0, MSTATUS_MPRV
        csrc    mstatus, t0
        HEND
        HCHECK_NOTRAP
        HCHECK_REG(a0, MARK_A)
        /* MPRV + MPV: a G-stage fault is a GPF taken in M with MPV = 0,
         * mtval = GVA, mtval2 = GPA >> 2 */
        HTEST(34)
        GSTAGE_ON
        VSSTAGE_ON
        li      a1, VA_GUNMAP + 8
        HRUN(MODE_M)
        li      t0, MSTATUS_MPRV|MPP_S|MSTATUS_MPV
        csrs    mstatus, t0
1:      ld      a0, 0(a1)
        li      t0, MSTATUS_MPRV
        csrc    mstatus, t0
        HEND
        HCHECK_TRAP_AT(LVL_M, CAUSE_LOAD_GUEST_PF, 1b)
        HCHECK_REC(HR_TVAL, VA_GUNMAP + 8)
        HCHECK_REC(HR_TVAL2, (GPA_UNMAP + 8) >> 2)
        HCHECK_REC_MASK(HR_STATUS, MSTATUS_MPV|MSTATUS_MPP, MSTATUS_MPP)

        /* T20: the VS walk reads a PTE from a GPA unmapped at the G stage
         * (VS root entry 3 points to a table at GPA_UNMAP): 21 with
         * stval = va, htval = PTE GPA >> 2 */
        HTEST(35)
        GSTAGE_ON
        VSSTAGE_ON
        li      a1, VA_BADL1 + (5 << 21) + 0x10
        HRUN(MODE_VS)
1:      ld      a0, 0(a1)
        HEND
        HCHECK_TRAP_AT(LVL_HS, CAUSE_LOAD_GUEST_PF, 1b)
        HCHECK_REC(HR_TVAL, VA_BADL1 + (5 << 21) + 0x10)
        HCHECK_REC(HR_TVAL2, (GPA_UNMAP + 5 * 8) >> 2)
        HCHECK_REC_MASK(HR_HSTATUS, HSTATUS_GVA, HSTATUS_GVA)

        /* T21: instruction fetch whose VS root table is unmapped at the G
         * stage: 20 (original access type), stval = epc = va,
         * htval = root PTE GPA >> 2 */
        HTEST(36)
        GSTAGE_ON
        li      t0, SATP_MODE_SV39 | (GPA_UNMAP >> 12)
        csrw    vsatp, t0
        hfence.vvma x0, x0
        li      t1, VA_U_RW
        HRUN_AT(MODE_VS, t1)
        HEND
        HCHECK_TRAP(LVL_HS, CAUSE_FETCH_GUEST_PF)
        HCHECK_REC(HR_EPC, VA_U_RW)
        HCHECK_REC(HR_TVAL, VA_U_RW)
        HCHECK_REC(HR_TVAL2, (GPA_UNMAP + 1 * 8) >> 2)

/* ---- QEMU 7.2 deviations (tests/test_h_programs.py lists them) --------
 *  7, 32  HS sstatus.MXR is not applied at the G stage while V=1
 *  8, 31  vsstatus.MXR is wrongly applied at the G stage
 *  14, 52 GPAs with bit 40 set fault (QEMU checks a sign-extended 41-bit
 *         GPA instead of bits 63:41 = 0), so root entries >= 1024 of the
 *         x4 root are unreachable
 *  34     MPRV+MPV G-stage failure reported as a page fault (13), stale
 *         mtval2
 *  36     implicit-access fault of a fetch reported as a load GPF (21)
 *  55     MPRV+MPV ignores vsstatus.SUM = 0 on VS U=1 pages
 *  56, 57 no guest-page fault for the A/D update of a VS PTE whose page
 *         is read-only in the G stage (Svadu)
 * ---------------------------------------------------------------------- */

        /* T20/T21: a GPF of an implicit VS-stage PTE access with htval != 0
         * must write the pseudoinstruction 0x3000 to htinst ("Transformed
         * Instruction or Pseudoinstruction for mtinst or htinst"). */
        HTEST(50)
        GSTAGE_ON
        VSSTAGE_ON
        li      a1, VA_BADL1 + (5 << 21) + 0x10
        HRUN(MODE_VS)
1:      ld      a0, 0(a1)
        HEND
        HCHECK_TRAP_AT(LVL_HS, CAUSE_LOAD_GUEST_PF, 1b)
        HCHECK_REC(HR_TINST, TINST_PSEUDO_READ)
        HTEST(51)
        GSTAGE_ON
        li      t0, SATP_MODE_SV39 | (GPA_UNMAP >> 12)
        csrw    vsatp, t0
        hfence.vvma x0, x0
        li      t1, VA_U_RW
        HRUN_AT(MODE_VS, t1)
        HEND
        HCHECK_REC(HR_LEVEL, LVL_HS)
        HCHECK_REC(HR_TINST, TINST_PSEUDO_READ)

        /* T25: the highest Sv39x4 guest page 0x1ff_ffff_f000 is mapped and
         * readable.  QEMU 7.2 faults (see test 14). */
        HTEST(52)
        GSTAGE_ON
        la      t0, h_pg_a
        li      t1, 0xabcdef
        li      t2, 0xff8
        add     t0, t0, t2
        sd      t1, 0(t0)
        li      a1, 0x1fffffffff8
        li      a0, 0
        HRUN(MODE_VS)
        ld      a0, 0(a1)
        HEND
        HCHECK_NOTRAP
        HCHECK_REG(a0, 0xabcdef)

        /* AMO to a G-stage read-only page: store/AMO GPF 23 (and 15 at
         * the VS stage). */
        HTEST(53)
        GSTAGE_ON
        VSSTAGE_ON
        li      a1, VA_GRO
        HRUN(MODE_VS)
1:      amoadd.d a0, a2, (a1)
        HEND
        HCHECK_TRAP_AT(LVL_HS, CAUSE_STORE_GUEST_PF, 1b)
        HTEST(54)
        GSTAGE_ON
        VSSTAGE_ON
        li      a1, VA_S_RO
        HRUN(MODE_VS)
1:      amoadd.d a0, a2, (a1)
        HEND
        HCHECK_TRAP_AT(LVL_HS, CAUSE_STORE_PAGE_FAULT, 1b)

        /* T40: MPRV = 1, MPP = S, MPV = 1 with vsstatus.SUM = 0 on a VS
         * U=1 page: 13 in M with mtval = GVA, GVA = 1, MPV = 0.  QEMU 7.2
         * does not fault. */
        HTEST(55)
        GSTAGE_ON
        VSSTAGE_ON
        li      a1, VA_U_RW
        HRUN(MODE_M)
        li      t0, MSTATUS_MPRV|MPP_S|MSTATUS_MPV
        csrs    mstatus, t0
1:      ld      a0, 0(a1)
        li      t0, MSTATUS_MPRV
        csrc    mstatus, t0
        HEND
        HCHECK_TRAP_AT(LVL_M, CAUSE_LOAD_PAGE_FAULT, 1b)
        HCHECK_REC(HR_TVAL, VA_U_RW)
        HCHECK_REC_MASK(HR_STATUS, MSTATUS_MPV|MSTATUS_GVA, MSTATUS_GVA)

        /* T22: hardware A/D update (Svadu) of a VS leaf whose page-table
         * page is read-only in the G stage: the implicit PTE write faults
         * with the original access type: load -> 21, store -> 23, htval =
         * PTE GPA >> 2, htinst = 0x3020.  QEMU 7.2 does not fault. */
        HTEST(56)
        AD_TABLES_ON
        GSTAGE_ON
        VSSTAGE_ON
        li      a1, VA_AD
        HRUN(MODE_VS)
1:      ld      a0, 0(a1)
        HEND
        AD_TABLES_OFF
        HCHECK_TRAP_AT(LVL_HS, CAUSE_LOAD_GUEST_PF, 1b)
        HCHECK_REC(HR_TVAL, VA_AD)
        HCHECK_REC(HR_TVAL2, (GPA_RO + 8) >> 2)
        HCHECK_REC(HR_TINST, TINST_PSEUDO_WRITE)
        HCHECK_REC_MASK(HR_HSTATUS, HSTATUS_GVA|HSTATUS_SPV, HSTATUS_GVA|HSTATUS_SPV)
        HTEST(57)
        AD_TABLES_ON
        GSTAGE_ON
        VSSTAGE_ON
        li      a1, VA_AD
        li      a2, 0x57
        HRUN(MODE_VS)
1:      sd      a2, 0(a1)
        HEND
        AD_TABLES_OFF
        HCHECK_TRAP_AT(LVL_HS, CAUSE_STORE_GUEST_PF, 1b)
        HCHECK_REC(HR_TVAL, VA_AD)
        HCHECK_REC(HR_TVAL2, (GPA_RO + 8) >> 2)
        HCHECK_REC(HR_TINST, TINST_PSEUDO_WRITE)

        HDONE
