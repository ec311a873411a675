/*
 * h_hfence.S - HFENCE.GVMA / HFENCE.VVMA / SFENCE.VMA with V=1 and VMID
 * tagging, observed by changing page-table entries.
 * Spec: hypervisor.adoc, "Hypervisor Memory-Management Fence Instructions"
 * (norm:hfence-*), "Memory-Management Fences" (norm:sfence_vma_v1), hgatp
 * VMID.  A fence must make a changed PTE visible; two VMIDs whose G stages
 * map the same GPA differently must each see their own mapping without any
 * fence (entries are tagged by VMID or flushed).
 * Vectors: docs h-extension.md section 4.6, 5.3 and section 11 T34.
 */
#include "htest.h"

#define PTE_RW_U  (PTE_V|PTE_R|PTE_W|PTE_U|PTE_A|PTE_D)
#define PTE_RW_S  (PTE_V|PTE_R|PTE_W|PTE_A|PTE_D)

/* hgatp for VM A (h_groot, VMID 1) and VM B (groot_b, VMID 2) in t0 */
#define HGATP_A  la t0, h_groot; srli t0, t0, 12; li t1, HGATP_MODE_SV39X4 | (1 << HGATP_VMID_SHIFT); or t0, t0, t1
#define HGATP_B  la t0, groot_b; srli t0, t0, 12; li t1, HGATP_MODE_SV39X4 | (2 << HGATP_VMID_SHIFT); or t0, t0, t1

/* VS load of GPA_RW (vsatp Bare) into a0 */
#define VS_LOAD(addr)            \
        li      a1, addr;        \
        li      a0, 0;           \
        HRUN(MODE_VS);           \
        ld      a0, 0(a1);       \
        HEND;                    \
        HCHECK_NOTRAP

RVTEST_CODE_BEGIN
        call    h_init
        /* VM B: like VM A but GPA_RW -> h_pg_e */
        la      t0, groot_b
        la      t1, gl1_b
        HPTE_STORE(t0, 2, t1, PTE_V)
        la      t0, gl1_b
        li      t1, GPA_IMAGE
        HPTE_STORE(t0, 0, t1, PTE_V|PTE_R|PTE_W|PTE_X|PTE_U|PTE_A|PTE_D)
        la      t1, gl0_b
        HPTE_STORE(t0, 2, t1, PTE_V)
        la      t0, gl0_b
        la      t1, h_pg_e
        HPTE_STORE(t0, 0, t1, PTE_RW_U)

        /* T34: VM A sees MARK_A, VM B MARK_E, switching hgatp without any
         * fence in between */
        HTEST(1)
        HGATP_A
        csrw    hgatp, t0
        hfence.gvma x0, x0
        VS_LOAD(GPA_RW)
        HCHECK_REG(a0, MARK_A)
        HGATP_B
        csrw    hgatp, t0
        VS_LOAD(GPA_RW)
        HCHECK_REG(a0, MARK_E)
        HGATP_A
        csrw    hgatp, t0
        VS_LOAD(GPA_RW)
        HCHECK_REG(a0, MARK_A)
        HGATP_B
        csrw    hgatp, t0
        VS_LOAD(GPA_RW)
        HCHECK_REG(a0, MARK_E)

        /* T34: change a G-stage PTE, HFENCE.GVMA x0, x0 from HS: the new
         * mapping is used */
        HTEST(2)
        HGATP_A
        csrw    hgatp, t0
        hfence.gvma x0, x0
        VS_LOAD(GPA_RW)
        HCHECK_REG(a0, MARK_A)
        la      t0, h_gl0
        la      t1, h_pg_e
        HPTE_STORE(t0, 0, t1, PTE_RW_U)
        HRUN(MODE_HS)
        hfence.gvma x0, x0
        HEND
        HCHECK_NOTRAP
        VS_LOAD(GPA_RW)
        HCHECK_REG(a0, MARK_E)

        /* address- and VMID-specific HFENCE.GVMA (rs1 = GPA >> 2) */
        HTEST(3)
        HGATP_A
        csrw    hgatp, t0
        la      t0, h_gl0
        la      t1, h_pg_d
        HPTE_STORE(t0, 0, t1, PTE_RW_U)
        li      a2, GPA_RW >> 2
        li      a3, 1
        HRUN(MODE_HS)
        hfence.gvma a2, a3
        HEND
        HCHECK_NOTRAP
        VS_LOAD(GPA_RW)
        HCHECK_REG(a0, MARK_D)
        /* restore the shared table */
        la      t0, h_gl0
        la      t1, h_pg_a
        HPTE_STORE(t0, 0, t1, PTE_RW_U)
        hfence.gvma x0, x0

        /* HFENCE.VVMA (address form) from HS after changing a VS PTE */
        HTEST(4)
        li      a0, 1
        call    h_gstage_on
        call    h_vsstage_on
        VS_LOAD(VA_S_RW2)
        HCHECK_REG(a0, MARK_E)
        la      t0, h_vl0
        li      t1, GPA_RW
        HPTE_STORE(t0, 12, t1, PTE_RW_S)
        li      a2, VA_S_RW2
        HRUN(MODE_HS)
        hfence.vvma a2, x0
        HEND
        HCHECK_NOTRAP
        VS_LOAD(VA_S_RW2)
        HCHECK_REG(a0, MARK_A)

        /* SFENCE.VMA executed in VS flushes VS-stage translations */
        HTEST(5)
        li      a0, 1
        call    h_gstage_on
        call    h_vsstage_on
        VS_LOAD(VA_S_RW2)
        HCHECK_REG(a0, MARK_A)
        la      t0, h_vl0
        li      t1, GPA_RW2
        HPTE_STORE(t0, 12, t1, PTE_RW_S)
        li      a1, VA_S_RW2
        li      a0, 0
        HRUN(MODE_VS)
        sfence.vma x0, x0
        ld      a0, 0(a1)
        HEND
        HCHECK_NOTRAP
        HCHECK_REG(a0, MARK_E)

        /* HFENCE.VVMA with an ASID from M after changing the VS PTE back
         * and forth; vsatp ASID 5 */
        HTEST(6)
        li      a0, 1
        call    h_gstage_on
        la      t0, h_vroot
        srli    t0, t0, 12
        li      t1, SATP_MODE_SV39 | (5 << 44)
        or      t0, t0, t1
        csrw    vsatp, t0
        hfence.vvma x0, x0
        VS_LOAD(VA_S_RW2)
        HCHECK_REG(a0, MARK_E)
        la      t0, h_vl0
        li      t1, GPA_RO
        HPTE_STORE(t0, 12, t1, PTE_RW_S)
        li      t0, 5
        hfence.vvma x0, t0
        VS_LOAD(VA_S_RW2)
        HCHECK_REG(a0, MARK_D)
        la      t0, h_vl0
        li      t1, GPA_RW2
        HPTE_STORE(t0, 12, t1, PTE_RW_S)
        hfence.vvma x0, x0

        HDONE

        .bss
        .balign 16384
groot_b: .space 16384
gl1_b:   .space 4096
gl0_b:   .space 4096
