/*
 * h_access.S - the CSR/instruction access matrix with H: which accesses
 * execute, raise an illegal-instruction exception (2) or a
 * virtual-instruction exception (22), in M, HS, U, VS and VU.
 * Spec: hypervisor.adoc, "Hypervisor Instructions", "Virtual-Instruction
 * Exceptions" (norm:H_virtinst_*), "Hypervisor Status Register"
 * (VTVM/VTW/VTSR), machine.adoc (TVM, TW, TSR, mcounteren), supervisor.adoc
 * (scounteren).  stval on II/VI holds the instruction bits (QEMU and rvjit
 * write them).
 * Vectors: docs h-extension.md section 2.9 (matrix), 5.2, 5.3, 5.5, 5.6,
 * 5.7 and section 11 T8, T10, T11, T30, T32, T33.
 */
#include "htest.h"

/* run `insn` in `mode`; it must complete without a trap */
#define EXPECT_OK(mode, insn...)                        \
        HRUN(mode);                                     \
        insn;                                           \
        HEND;                                           \
        HCHECK_NOTRAP

/* run `insn` in `mode`; it must trap to `lvl` with `cause`, epc = insn,
 * tval = the instruction bits */
#define EXPECT_TRAP(mode, lvl, cause, insn...)          \
        HRUN(mode);                                     \
7771:   insn;                                           \
        HEND;                                           \
        HCHECK_TRAP_AT(lvl, cause, 7771b);              \
        HCHECK_REC_INSN(HR_TVAL, 7771b)

/* as EXPECT_TRAP, tval not checked */
#define EXPECT_TRAP_NOTVAL(mode, lvl, cause, insn...)   \
        HRUN(mode);                                     \
7771:   insn;                                           \
        HEND;                                           \
        HCHECK_TRAP_AT(lvl, cause, 7771b)

#define II  CAUSE_ILLEGAL_INSTRUCTION
#define VI  CAUSE_VIRTUAL_INSTRUCTION

/* one line of the matrix for an instruction: M, HS, U, VS, VU */
#define ROW_OK_OK_II_VI_VI(base, insn...)               \
        HTEST(base);     EXPECT_OK(MODE_M, insn);       \
        HTEST(base + 1); EXPECT_OK(MODE_HS, insn);      \
        HTEST(base + 2); EXPECT_TRAP(MODE_U, LVL_HS, II, insn); \
        HTEST(base + 3); EXPECT_TRAP(MODE_VS, LVL_HS, VI, insn); \
        HTEST(base + 4); EXPECT_TRAP(MODE_VU, LVL_HS, VI, insn)

#define ROW_ALL_II_BELOW_M(base, insn...)               \
        HTEST(base);     EXPECT_OK(MODE_M, insn);       \
        HTEST(base + 1); EXPECT_TRAP(MODE_HS, LVL_HS, II, insn); \
        HTEST(base + 2); EXPECT_TRAP(MODE_U, LVL_HS, II, insn); \
        HTEST(base + 3); EXPECT_TRAP(MODE_VS, LVL_HS, II, insn); \
        HTEST(base + 4); EXPECT_TRAP(MODE_VU, LVL_HS, II, insn)

RVTEST_CODE_BEGIN
        call    h_init

        /* ---- h* and vs* CSRs: M ok, HS ok, U II, VS VI, VU VI ---- */
        ROW_OK_OK_II_VI_VI(1, csrr t0, hstatus)
        ROW_OK_OK_II_VI_VI(6, csrr t0, vsstatus)
        ROW_OK_OK_II_VI_VI(11, csrw hvip, zero)
        ROW_OK_OK_II_VI_VI(16, csrr t0, hgatp)
        ROW_OK_OK_II_VI_VI(21, csrr t0, vsatp)
        ROW_OK_OK_II_VI_VI(26, csrr t0, htimedelta)

        /* ---- HLV/HSV (hstatus.HU = 0), HFENCE.*: same row ---- */
        HTEST(31); la a1, h_pg_a; EXPECT_OK(MODE_M, hlv.d a0, (a1))
        HTEST(32); la a1, h_pg_a; EXPECT_OK(MODE_HS, hlv.d a0, (a1))
        HTEST(33); la a1, h_pg_a; EXPECT_TRAP_NOTVAL(MODE_U, LVL_HS, II, hlv.w a0, (a1))
        HTEST(34); la a1, h_pg_a; EXPECT_TRAP_NOTVAL(MODE_VS, LVL_HS, VI, hlv.w a0, (a1))
        HTEST(35); la a1, h_pg_a; EXPECT_TRAP_NOTVAL(MODE_VU, LVL_HS, VI, hlv.w a0, (a1))
        HTEST(36); la a1, h_pg_a; EXPECT_TRAP_NOTVAL(MODE_VU, LVL_HS, VI, hsv.w a0, (a1))
        HTEST(37); la a1, h_pg_a; EXPECT_TRAP_NOTVAL(MODE_VS, LVL_HS, VI, hlvx.wu a0, (a1))
        /* stval of the VI is written as for II: the instruction bits (or
         * 0), never a stale value.  QEMU 7.2 leaves stval unchanged. */
        HTEST(39)
        la      a1, h_pg_a
        HRUN(MODE_VS)
1:      hlv.w   a0, (a1)
        HEND
        la      t0, 1b
        lwu     t0, 0(t0)
        la      t1, h_rec
        ld      t1, HR_TVAL(t1)
        beqz    t1, 2f
        HFAIL_UNLESS_EQ(t0, t1)
2:
        /* T30: U-mode with hstatus.HU = 1 may execute HLV (SPVP = 0) */
        HTEST(38)
        li      t0, HSTATUS_HU
        csrw    hstatus, t0
        la      a1, h_pg_a
        li      a0, 0
        EXPECT_OK(MODE_U, hlv.d a0, (a1))
        HCHECK_REG(a0, MARK_A)
        /* QEMU 7.2 raises II for HFENCE.* in VU (tests 45 and 50) */
        ROW_OK_OK_II_VI_VI(41, hfence.vvma x0, x0)
        ROW_OK_OK_II_VI_VI(46, hfence.gvma x0, x0)

        /* ---- s* CSRs: M ok, HS ok, U II, VS ok (vs* copy), VU VI ---- */
        HTEST(51); EXPECT_OK(MODE_M, csrr t0, sscratch)
        HTEST(52); EXPECT_OK(MODE_HS, csrr t0, sscratch)
        HTEST(53); EXPECT_TRAP(MODE_U, LVL_HS, II, csrr t0, sscratch)
        HTEST(54); EXPECT_OK(MODE_VS, csrr t0, sscratch)
        HTEST(55); EXPECT_OK(MODE_VS, csrw sepc, zero)
        HTEST(56); EXPECT_OK(MODE_VS, csrr t0, scounteren)

        /* ---- m* CSRs: II below M (also from VS: not HS-qualified) ---- */
        ROW_ALL_II_BELOW_M(61, csrr t0, mstatus)
        ROW_ALL_II_BELOW_M(66, csrr t0, CSR_MTVAL2)
        /* high-half counter CSRs do not exist on RV64: II even in M */
        HTEST(71); EXPECT_TRAP(MODE_M, LVL_M, II, csrr t0, 0xc80)
        HTEST(72); EXPECT_TRAP(MODE_HS, LVL_HS, II, csrr t0, 0xc80)
        HTEST(73); EXPECT_TRAP(MODE_VS, LVL_HS, II, csrr t0, 0xc80)
        HTEST(74); EXPECT_TRAP(MODE_VU, LVL_HS, II, csrr t0, 0xc80)
        /* T10: writing a read-only CSR is not HS-qualified: II, not VI */
        HTEST(75); EXPECT_TRAP(MODE_VS, LVL_HS, II, csrw hgeip, zero)
        HTEST(76); EXPECT_TRAP(MODE_HS, LVL_HS, II, csrw hgeip, zero)
        HTEST(77); EXPECT_TRAP(MODE_VS, LVL_HS, II, csrw cycle, zero)
        /* unimplemented CSR numbers in the HRW range stay II in VS */
        HTEST(78); EXPECT_TRAP(MODE_VS, LVL_HS, II, csrr t0, 0x6ff)

        /* ---- T8: mstatus.TVM = 1 affects HS only ---- */
        /* QEMU 7.2 does not trap hgatp with TVM = 1 (test 81) */
        HTEST(81)
        li t0, MSTATUS_TVM; csrs mstatus, t0
        EXPECT_TRAP(MODE_HS, LVL_HS, II, csrr t0, hgatp)
        HTEST(82)
        li t0, MSTATUS_TVM; csrs mstatus, t0
        EXPECT_OK(MODE_HS, csrr t0, vsatp)
        HTEST(83)
        li t0, MSTATUS_TVM; csrs mstatus, t0
        EXPECT_TRAP(MODE_HS, LVL_HS, II, hfence.gvma x0, x0)
        HTEST(84)
        li t0, MSTATUS_TVM; csrs mstatus, t0
        EXPECT_OK(MODE_HS, hfence.vvma x0, x0)
        HTEST(85)
        li t0, MSTATUS_TVM; csrs mstatus, t0
        EXPECT_TRAP(MODE_HS, LVL_HS, II, sfence.vma x0, x0)
        HTEST(86)
        li t0, MSTATUS_TVM; csrs mstatus, t0
        EXPECT_TRAP(MODE_HS, LVL_HS, II, csrr t0, satp)
        /* TVM never applies with V=1 ("Because TSR and TVM in mstatus are
         * intended to impact only S-mode (HS-mode), they are ignored for
         * determining exceptions in VS-mode"): VS satp and SFENCE.VMA ok.
         * QEMU 7.2 raises II (tests 87, 88). */
        HTEST(87)
        li t0, MSTATUS_TVM; csrs mstatus, t0
        EXPECT_OK(MODE_VS, csrr t0, satp)
        HTEST(88)
        li t0, MSTATUS_TVM; csrs mstatus, t0
        EXPECT_OK(MODE_VS, sfence.vma x0, x0)
        /* M is never affected */
        HTEST(89)
        li t0, MSTATUS_TVM; csrs mstatus, t0
        EXPECT_OK(MODE_M, csrr t0, hgatp; hfence.gvma x0, x0)

        /* ---- T33: VTVM and SFENCE.VMA ---- */
        HTEST(91)
        li t0, HSTATUS_VTVM; csrw hstatus, t0
        EXPECT_TRAP(MODE_VS, LVL_HS, VI, sfence.vma x0, x0)
        /* VU SFENCE.VMA / satp: VI (QEMU 7.2: II, tests 92 and 96) */
        HTEST(92)
        EXPECT_TRAP(MODE_VU, LVL_HS, VI, sfence.vma x0, x0)
        HTEST(93)
        EXPECT_TRAP(MODE_U, LVL_HS, II, sfence.vma x0, x0)
        HTEST(94)
        EXPECT_OK(MODE_VS, sfence.vma x0, x0; csrr t0, satp)
        HTEST(95)
        li t0, HSTATUS_VTVM; csrw hstatus, t0
        EXPECT_OK(MODE_HS, hfence.vvma x0, x0; sfence.vma x0, x0; csrr t0, satp)
        HTEST(96)
        EXPECT_TRAP(MODE_VU, LVL_HS, VI, csrr t0, satp)
        HTEST(97)
        EXPECT_TRAP(MODE_U, LVL_HS, II, csrr t0, satp)

        /* ---- T31 (part): SRET ---- */
        HTEST(101)
        li t0, HSTATUS_VTSR; csrw hstatus, t0
        EXPECT_TRAP(MODE_VS, LVL_HS, VI, sret)
        /* VU SRET: VI (QEMU 7.2: II, test 102) */
        HTEST(102)
        EXPECT_TRAP(MODE_VU, LVL_HS, VI, sret)
        HTEST(103)
        EXPECT_TRAP(MODE_U, LVL_HS, II, sret)
        HTEST(104)
        li t0, MSTATUS_TSR; csrs mstatus, t0
        EXPECT_TRAP(MODE_HS, LVL_HS, II, sret)
        /* MRET below M is II, also with V=1 */
        HTEST(105); EXPECT_TRAP(MODE_HS, LVL_HS, II, mret)
        HTEST(106); EXPECT_TRAP(MODE_VS, LVL_HS, II, mret)
        HTEST(107); EXPECT_TRAP(MODE_VU, LVL_HS, II, mret)

        /* ---- T32: WFI (only the trapping cases; none may wait) ---- */
        HTEST(111)
        li t0, HSTATUS_VTW; csrw hstatus, t0
        EXPECT_TRAP(MODE_VS, LVL_HS, VI, wfi)
        HTEST(112)
        li t0, MSTATUS_TW; csrs mstatus, t0
        li t0, HSTATUS_VTW; csrw hstatus, t0
        EXPECT_TRAP(MODE_VS, LVL_HS, II, wfi)
        HTEST(113)
        li t0, MSTATUS_TW; csrs mstatus, t0
        EXPECT_TRAP(MODE_VS, LVL_HS, II, wfi)
        HTEST(114)
        EXPECT_TRAP(MODE_VU, LVL_HS, VI, wfi)
        /* VU WFI with TW = 1: II; the VI rule needs TW = 0 (QEMU 7.2: VI,
         * test 115) */
        HTEST(115)
        li t0, MSTATUS_TW; csrs mstatus, t0
        EXPECT_TRAP(MODE_VU, LVL_HS, II, wfi)
        HTEST(116)
        EXPECT_TRAP(MODE_U, LVL_HS, II, wfi)
        HTEST(117)
        li t0, MSTATUS_TW; csrs mstatus, t0
        EXPECT_TRAP(MODE_HS, LVL_HS, II, wfi)

        /* ---- T11: counters ---- */
        /* VS: mcounteren.CY = 1, hcounteren.CY = 0 -> VI */
        HTEST(121)
        li t0, 1; csrw mcounteren, t0
        EXPECT_TRAP(MODE_VS, LVL_HS, VI, rdcycle t0)
        /* VS: mcounteren.CY = 0 -> II (even with hcounteren.CY = 1) */
        HTEST(122)
        li t0, 1; csrw hcounteren, t0
        EXPECT_TRAP(MODE_VS, LVL_HS, II, rdcycle t0)
        /* VS: both set -> ok */
        HTEST(123)
        li t0, 1; csrw mcounteren, t0; csrw hcounteren, t0
        EXPECT_OK(MODE_VS, rdcycle t0)
        /* VU: hcounteren.CY = 1, scounteren.CY = 0 -> VI */
        HTEST(124)
        li t0, 1; csrw mcounteren, t0; csrw hcounteren, t0
        EXPECT_TRAP(MODE_VU, LVL_HS, VI, rdcycle t0)
        /* VU: hcounteren.CY = 0, scounteren.CY = 1 -> VI */
        HTEST(125)
        li t0, 1; csrw mcounteren, t0; csrw scounteren, t0
        EXPECT_TRAP(MODE_VU, LVL_HS, VI, rdcycle t0)
        /* VU: all three set -> ok */
        HTEST(126)
        li t0, 1; csrw mcounteren, t0; csrw hcounteren, t0; csrw scounteren, t0
        EXPECT_OK(MODE_VU, rdcycle t0)
        /* U (V=0): scounteren.CY = 0 -> II; HS: mcounteren.CY = 0 -> II */
        HTEST(127)
        li t0, 1; csrw mcounteren, t0; csrw hcounteren, t0
        EXPECT_TRAP(MODE_U, LVL_HS, II, rdcycle t0)
        HTEST(128)
        li t0, 1; csrw hcounteren, t0; csrw scounteren, t0
        EXPECT_TRAP(MODE_HS, LVL_HS, II, rdcycle t0)
        /* the same for time (TM, bit 1) in VS */
        HTEST(129)
        li t0, 2; csrw mcounteren, t0
        EXPECT_TRAP(MODE_VS, LVL_HS, VI, rdtime t0)
        HTEST(130)
        li t0, 2; csrw mcounteren, t0; csrw hcounteren, t0
        EXPECT_OK(MODE_VS, rdtime t0)

/* ---- cases where QEMU 7.2 deviates from the spec (listed in
 *      tests/test_h_programs.py) ---------------------------------------- */

        /* T10: VU access to an s* CSR that HS could access: VI, not II
         * (norm:H_virtinst_vu_scsr; QEMU fixed this only in 2025) */
        HTEST(201); EXPECT_TRAP(MODE_VU, LVL_HS, VI, csrr t0, sstatus)
        HTEST(202); EXPECT_TRAP(MODE_VU, LVL_HS, VI, csrw sscratch, zero)

        /* T33: VS satp access with hstatus.VTVM = 1 -> VI */
        HTEST(203)
        li t0, HSTATUS_VTVM; csrw hstatus, t0
        EXPECT_TRAP(MODE_VS, LVL_HS, VI, csrr t0, satp)

        HDONE
