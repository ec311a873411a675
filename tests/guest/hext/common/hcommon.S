/*
 * hcommon.S - trap handlers, mode entry, state reset and page tables shared
 * by the H-extension guest programs.  See htest.h for the conventions.
 * Written for rvjit from the RISC-V privileged specification.
 */
#include "htest.h"

        .text
        .option norvc

/* ------------------------------------------------------------------------
 * h_init: call once from main (M-mode).  Installs the three handlers and
 * builds the G-stage and VS-stage page tables.  Clobbers t0..t6, ra kept.
 * ---------------------------------------------------------------------- */
        .globl h_init
h_init:
        la      t0, h_m_trap
        csrw    mtvec, t0
        /* PMP entry 7: NAPOT over the whole address space, RWX, so that
         * S/U/VS/VU accesses are allowed (machine.adoc, "Physical Memory
         * Protection": with PMP entries implemented, an S/U access that
         * matches none fails).  Entries 0..6 are free for tests; h_reset
         * turns them off. */
        li      t0, -1
        csrw    pmpaddr7, t0
        li      t0, H_PMPCFG0_DEFAULT
        csrw    pmpcfg0, t0
        la      t0, h_m_unexpected
        la      t1, h_rec
        sd      t0, HR_RESUME(t1)

        /* data pages */
        la      t0, h_pg_a
        li      t1, MARK_A
        sd      t1, 0(t0)
        la      t0, h_pg_d
        li      t1, MARK_D
        sd      t1, 0(t0)
        la      t0, h_pg_e
        li      t1, MARK_E
        sd      t1, 0(t0)
        la      t0, h_pg_b
        li      t1, INSN_RET
        li      t2, 1024
1:      sw      t1, 0(t0)
        addi    t0, t0, 4
        addi    t2, t2, -1
        bnez    t2, 1b

        /* ---- G stage: Sv39x4, 16 KiB root (hypervisor.adoc,
         * "Guest Physical Address Translation") ---- */
        la      t0, h_groot
        la      t1, h_gl1
        HPTE_STORE(t0, 2, t1, PTE_V)                    /* 0x80000000.. */
        li      t1, GPA_IMAGE
        HPTE_STORE(t0, 1024, t1, PTE_V|PTE_R|PTE_W|PTE_X|PTE_U|PTE_A|PTE_D)
        la      t1, h_gl1_top
        HPTE_STORE(t0, 2047, t1, PTE_V)
        la      t0, h_gl1_top
        la      t1, h_gl0_top
        HPTE_STORE(t0, 511, t1, PTE_V)
        la      t0, h_gl0_top
        la      t1, h_pg_a
        HPTE_STORE(t0, 511, t1, PTE_V|PTE_R|PTE_W|PTE_U|PTE_A|PTE_D)

        la      t0, h_gl1
        li      t1, GPA_IMAGE
        HPTE_STORE(t0, 0, t1, PTE_V|PTE_R|PTE_W|PTE_X|PTE_U|PTE_A|PTE_D)
        la      t1, h_gl0
        HPTE_STORE(t0, 2, t1, PTE_V)
        la      t0, h_gl0
        la      t1, h_pg_a
        HPTE_STORE(t0, 0, t1, PTE_V|PTE_R|PTE_W|PTE_U|PTE_A|PTE_D)
        la      t1, h_pg_b
        HPTE_STORE(t0, 1, t1, PTE_V|PTE_X|PTE_U|PTE_A)
        la      t1, h_pg_c
        HPTE_STORE(t0, 2, t1, PTE_V|PTE_R|PTE_W|PTE_X|PTE_A|PTE_D)
        la      t1, h_pg_d
        HPTE_STORE(t0, 3, t1, PTE_V|PTE_R|PTE_U|PTE_A)
        la      t1, h_pg_e
        HPTE_STORE(t0, 5, t1, PTE_V|PTE_R|PTE_W|PTE_U|PTE_A|PTE_D)
        la      t1, h_pg_b
        HPTE_STORE(t0, 6, t1, PTE_V|PTE_R|PTE_X|PTE_U|PTE_A)

        /* ---- VS stage: Sv39 ---- */
        la      t0, h_vroot
        li      t1, VA_IMAGE
        HPTE_STORE(t0, 2, t1, PTE_V|PTE_R|PTE_W|PTE_X|PTE_A|PTE_D)
        la      t1, h_vl1
        HPTE_STORE(t0, 1, t1, PTE_V)
        li      t1, GPA_UNMAP
        HPTE_STORE(t0, 3, t1, PTE_V)
        la      t0, h_vl1
        la      t1, h_vl0
        HPTE_STORE(t0, 0, t1, PTE_V)
        la      t0, h_vl0
        li      t1, GPA_RW
        HPTE_STORE(t0, 0, t1, PTE_V|PTE_R|PTE_W|PTE_U|PTE_A|PTE_D)
        HPTE_STORE(t0, 1, t1, PTE_V|PTE_R|PTE_W|PTE_A|PTE_D)
        HPTE_STORE(t0, 3, t1, PTE_V|PTE_X|PTE_A)
        HPTE_STORE(t0, 8, t1, PTE_V|PTE_R|PTE_A)
        li      t1, GPA_XO
        HPTE_STORE(t0, 2, t1, PTE_V|PTE_X|PTE_A)
        HPTE_STORE(t0, 9, t1, PTE_V|PTE_X|PTE_U|PTE_A)
        li      t1, GPA_UNMAP
        HPTE_STORE(t0, 5, t1, PTE_V|PTE_R|PTE_W|PTE_A|PTE_D)
        li      t1, GPA_NOU
        HPTE_STORE(t0, 6, t1, PTE_V|PTE_R|PTE_W|PTE_X|PTE_A|PTE_D)
        li      t1, GPA_RO
        HPTE_STORE(t0, 7, t1, PTE_V|PTE_R|PTE_W|PTE_A|PTE_D)
        li      t1, GPA_RX
        HPTE_STORE(t0, 10, t1, PTE_V|PTE_X|PTE_A)
        li      t1, GPA_RW2
        HPTE_STORE(t0, 11, t1, PTE_V|PTE_R|PTE_W|PTE_U|PTE_A|PTE_D)
        HPTE_STORE(t0, 12, t1, PTE_V|PTE_R|PTE_W|PTE_A|PTE_D)
        /* entry 4 (VA_INVAL) stays 0 */

        /* ---- HS stage (satp = Sv39, h_sroot): 1 GiB identity, RWX ---- */
        la      t0, h_sroot
        li      t1, VA_IMAGE
        HPTE_STORE(t0, 2, t1, PTE_V|PTE_R|PTE_W|PTE_X|PTE_A|PTE_D)
        fence
        ret

/* ------------------------------------------------------------------------
 * h_gstage_on: hgatp = Sv39x4 | VMID a0 | h_groot, then HFENCE.GVMA.
 * h_vsstage_on: vsatp = Sv39 | h_vroot, then HFENCE.VVMA.
 * h_hsstage_on: satp = Sv39 | h_sroot (HS identity map), SFENCE.VMA.
 * Clobber t3, t4.
 * ---------------------------------------------------------------------- */
        .globl h_gstage_on
h_gstage_on:
        la      t3, h_groot
        srli    t3, t3, 12
        slli    t4, a0, HGATP_VMID_SHIFT
        or      t3, t3, t4
        li      t4, HGATP_MODE_SV39X4
        or      t3, t3, t4
        csrw    hgatp, t3
        hfence.gvma x0, x0
        ret

        .globl h_hsstage_on
h_hsstage_on:
        la      t3, h_sroot
        srli    t3, t3, 12
        li      t4, SATP_MODE_SV39
        or      t3, t3, t4
        csrw    satp, t3
        sfence.vma x0, x0
        ret

        .globl h_vsstage_on
h_vsstage_on:
        la      t3, h_vroot
        srli    t3, t3, 12
        li      t4, SATP_MODE_SV39
        or      t3, t3, t4
        csrw    vsatp, t3
        hfence.vvma x0, x0
        ret

/* ------------------------------------------------------------------------
 * h_reset: default state for a new test (M-mode).  Clobbers t0..t6.
 *   mstatus: MPRV SUM MXR TVM TW TSR SIE SPIE SPP MPIE MPP MPV GVA = 0
 *   medeleg = H_DEFAULT_MEDELEG, mideleg = 0 (its VS bits are read-only 1)
 *   hedeleg = hideleg = hvip = mie = mip = hstatus = hcounteren = 0
 *   mcounteren = scounteren = henvcfg = 0, htimedelta = 0
 *   vsstatus = vsie = vsatp = hgatp = satp = 0, sie = 0
 *   pmpcfg0 = H_PMPCFG0_DEFAULT (PMP entries 0..6 off)
 *   stvec = h_hs_trap, vstvec = h_vs_trap, then all TLBs flushed
 *   trap record cleared
 * ---------------------------------------------------------------------- */
        .globl h_reset
h_reset:
        li      t0, MSTATUS_MPRV|MSTATUS_SUM|MSTATUS_MXR|MSTATUS_TVM|MSTATUS_TW|MSTATUS_TSR|MSTATUS_SIE|MSTATUS_SPIE|MSTATUS_SPP|MSTATUS_MPIE|MSTATUS_MPP
        csrc    mstatus, t0
        li      t0, MSTATUS_MPV|MSTATUS_GVA
        csrc    mstatus, t0
        li      t0, H_DEFAULT_MEDELEG
        csrw    medeleg, t0
        csrw    mideleg, zero
        csrw    hedeleg, zero
        csrw    hideleg, zero
        csrw    hvip, zero
        csrw    mie, zero
        csrw    mip, zero
        csrw    hstatus, zero
        csrw    hcounteren, zero
        csrw    mcounteren, zero
        csrw    scounteren, zero
        csrw    henvcfg, zero
        csrw    htimedelta, zero
        csrw    vsstatus, zero
        csrw    vsie, zero
        csrw    sie, zero
        csrw    vsatp, zero
        csrw    hgatp, zero
        csrw    satp, zero
        la      t0, h_hs_trap
        csrw    stvec, t0
        la      t0, h_vs_trap
        csrw    vstvec, t0
        csrw    sscratch, zero
        csrw    vsscratch, zero
        li      t0, H_PMPCFG0_DEFAULT
        csrw    pmpcfg0, t0
        sfence.vma x0, x0
        hfence.gvma x0, x0
        hfence.vvma x0, x0
        la      t0, h_rec
        sd      zero, HR_LEVEL(t0)
        sd      zero, HR_EXITING(t0)
        sd      zero, HR_CAUSE(t0)
        sd      zero, HR_EPC(t0)
        sd      zero, HR_TVAL(t0)
        sd      zero, HR_TVAL2(t0)
        sd      zero, HR_TINST(t0)
        sd      zero, HR_STATUS(t0)
        sd      zero, HR_HSTATUS(t0)
        la      t1, h_m_unexpected
        sd      t1, HR_RESUME(t0)
        ret

/* ------------------------------------------------------------------------
 * h_enter: t3 = MODE_*, t4 = target.  MRET into the mode (MODE_M: jump).
 * ---------------------------------------------------------------------- */
        .globl h_enter
h_enter:
        li      t5, MSTATUS_MPP|MSTATUS_MPIE
        csrc    mstatus, t5
        li      t5, MSTATUS_MPV
        csrc    mstatus, t5
        beqz    t3, 9f                          /* MODE_M */
        li      t6, MODE_HS
        li      t5, MPP_S
        beq     t3, t6, 8f
        li      t6, MODE_U
        li      t5, MPP_U
        beq     t3, t6, 8f
        li      t6, MODE_VS
        li      t5, MPP_S|MSTATUS_MPV
        beq     t3, t6, 8f
        li      t5, MPP_U|MSTATUS_MPV           /* MODE_VU */
8:      csrs    mstatus, t5
        csrw    mepc, t4
        mret
9:      jr      t4

/* ------------------------------------------------------------------------
 * Trap handlers.  Each records the first trap and then leaves towards M.
 * ---------------------------------------------------------------------- */
        .balign 4
        .globl h_m_trap
h_m_trap:
        csrr    t5, mstatus
        li      t6, MSTATUS_MPRV
        csrc    mstatus, t6             /* handler accesses untranslated */
        la      t6, h_rec
        ld      t4, HR_EXITING(t6)
        bnez    t4, 1f
        ld      t4, HR_LEVEL(t6)
        bnez    t4, 1f
        li      t4, LVL_M
        sd      t4, HR_LEVEL(t6)
        sd      t5, HR_STATUS(t6)
        csrr    t4, mcause
        sd      t4, HR_CAUSE(t6)
        csrr    t4, mepc
        sd      t4, HR_EPC(t6)
        csrr    t4, mtval
        sd      t4, HR_TVAL(t6)
        csrr    t4, CSR_MTVAL2
        sd      t4, HR_TVAL2(t6)
        csrr    t4, CSR_MTINST
        sd      t4, HR_TINST(t6)
1:      sd      zero, HR_EXITING(t6)
        ld      t4, HR_RESUME(t6)
        la      t5, h_m_unexpected
        sd      t5, HR_RESUME(t6)
        jr      t4

        .balign 4
        .globl h_hs_trap
h_hs_trap:
        la      t6, h_rec
        ld      t4, HR_EXITING(t6)
        bnez    t4, 1f
        ld      t4, HR_LEVEL(t6)
        bnez    t4, 1f
        li      t4, LVL_HS
        sd      t4, HR_LEVEL(t6)
        csrr    t4, scause
        sd      t4, HR_CAUSE(t6)
        csrr    t4, sepc
        sd      t4, HR_EPC(t6)
        csrr    t4, stval
        sd      t4, HR_TVAL(t6)
        csrr    t4, htval
        sd      t4, HR_TVAL2(t6)
        csrr    t4, htinst
        sd      t4, HR_TINST(t6)
        csrr    t4, sstatus
        sd      t4, HR_STATUS(t6)
        csrr    t4, hstatus
        sd      t4, HR_HSTATUS(t6)
1:      li      t4, 1
        sd      t4, HR_EXITING(t6)
        ecall                           /* cause 9 -> M (medeleg[9] = 0) */
2:      j       2b

        .balign 4
        .globl h_vs_trap
h_vs_trap:
        la      t6, h_rec
        ld      t4, HR_EXITING(t6)
        bnez    t4, 1f
        ld      t4, HR_LEVEL(t6)
        bnez    t4, 1f
        li      t4, LVL_VS
        sd      t4, HR_LEVEL(t6)
        csrr    t4, scause              /* V=1: these are the vs* CSRs */
        sd      t4, HR_CAUSE(t6)
        csrr    t4, sepc
        sd      t4, HR_EPC(t6)
        csrr    t4, stval
        sd      t4, HR_TVAL(t6)
        csrr    t4, sstatus
        sd      t4, HR_STATUS(t6)
1:      li      t4, 1
        sd      t4, HR_EXITING(t6)
        ecall                           /* cause 10 -> HS or M */
2:      j       2b

/* An M-mode trap outside HRUN..HEND, or after the test left: report it
 * as a failure of the current test and end the program. */
h_m_unexpected:
        la      a0, msg_unexp
        call    rvtest_puts
        la      t6, h_done
        /* fall through */

/* ------------------------------------------------------------------------
 * h_fail (link register t6): print "check failed in test <gp>" and the trap
 * record, append gp to h_failed (once per test), return.  Preserves every
 * register but t2..t6.
 * ---------------------------------------------------------------------- */
        .globl h_fail
h_fail:
        la      t5, h_save
        sd      ra, 0(t5)
        sd      t0, 8(t5)
        sd      t1, 16(t5)
        sd      a0, 24(t5)
        sd      a1, 32(t5)
        sd      a2, 40(t5)
        sd      s1, 48(t5)
        sd      s2, 56(t5)
        sd      t6, 64(t5)
        /* remember gp unless it is the last one remembered */
        la      t3, h_nfailed
        ld      t4, 0(t3)
        beqz    t4, 2f
        slli    t5, t4, 3
        add     t5, t5, t3
        ld      t5, 0(t5)               /* h_failed[n-1] (h_failed = h_nfailed+8) */
        beq     t5, gp, 3f
2:      li      t5, H_MAX_FAILED
        bgeu    t4, t5, 3f
        addi    t4, t4, 1
        sd      t4, 0(t3)
        slli    t5, t4, 3
        add     t5, t5, t3
        sd      gp, 0(t5)
3:      la      a0, msg_check
        call    rvtest_puts
        mv      a0, gp
        call    rvtest_putdec
        la      a0, msg_rec
        call    rvtest_puts
        la      s1, h_rec
        li      s2, 0
1:      li      a0, ' '
        call    rvtest_putc
        add     a0, s1, s2
        ld      a0, 0(a0)
        call    rvtest_puthex
        addi    s2, s2, 8
        li      a0, HR_SIZE
        blt     s2, a0, 1b
        li      a0, '\n'
        call    rvtest_putc
        la      t5, h_save
        ld      ra, 0(t5)
        ld      t0, 8(t5)
        ld      t1, 16(t5)
        ld      a0, 24(t5)
        ld      a1, 32(t5)
        ld      a2, 40(t5)
        ld      s1, 48(t5)
        ld      s2, 56(t5)
        ld      t6, 64(t5)
        jr      t6

/* ------------------------------------------------------------------------
 * h_done: PASS if no check failed; else "FAILED TESTS: ..." and FAIL with
 * the first failing test number.
 * ---------------------------------------------------------------------- */
        .globl h_done
h_done:
        la      s1, h_nfailed
        ld      s2, 0(s1)
        bnez    s2, 1f
        j       rvtest_pass
1:      la      a0, msg_failed
        call    rvtest_puts
        li      s3, 1
2:      li      a0, ' '
        call    rvtest_putc
        slli    a0, s3, 3
        add     a0, a0, s1
        ld      a0, 0(a0)
        call    rvtest_putdec
        addi    s3, s3, 1
        bleu    s3, s2, 2b
        li      a0, '\n'
        call    rvtest_putc
        ld      gp, 8(s1)
        j       rvtest_fail

        .section .rodata
msg_unexp: .asciz "unexpected M-mode trap\n"
msg_check: .asciz "check failed in test "
msg_rec:   .asciz "; h_rec (level exiting resume cause epc tval tval2 tinst status hstatus):"
msg_failed: .asciz "FAILED TESTS:"

        .data
        .balign 64
        .globl h_rec
h_rec:  .space HR_SIZE
h_save: .space 80
        .balign 8
h_nfailed: .dword 0             /* followed by h_failed[H_MAX_FAILED] */
h_failed:  .space 8 * H_MAX_FAILED

/* ------------------------------------------------------------------------
 * Page tables and data pages (all inside the 2 MiB identity window).
 * ---------------------------------------------------------------------- */
        .bss
        .balign 16384
        .globl h_groot, h_gl1, h_gl0, h_gl1_top, h_gl0_top
        .globl h_vroot, h_vl1, h_vl0, h_sroot
        .globl h_pg_a, h_pg_b, h_pg_c, h_pg_d, h_pg_e, h_pg_scratch
h_groot:     .space 16384
h_gl1:       .space 4096
h_gl0:       .space 4096
h_gl1_top:   .space 4096
h_gl0_top:   .space 4096
h_vroot:     .space 4096
h_sroot:     .space 4096
h_vl1:       .space 4096
h_vl0:       .space 4096
h_pg_a:      .space 4096
h_pg_b:      .space 4096
h_pg_c:      .space 4096
h_pg_d:      .space 4096
h_pg_e:      .space 4096
h_pg_scratch: .space 4096
