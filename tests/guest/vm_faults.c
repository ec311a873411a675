/*
 * vm_faults.c - Sv39 page-fault conditions (privileged spec 4.3.1-4.3.2):
 * V=0, W without R, reserved bits, U pages from S (SUM) and S pages from
 * U, MXR, X for fetch, A/D (this machine updates them in hardware, like
 * QEMU: Svadu behaviour), a store to a read-only page after a load cached
 * it, MPRV with MPP=S/U, and the page-straddling fetch fault.
 */
#include "vm.h"

static uint64_t page_a[512] __attribute__((aligned(4096)));
static uint64_t code_page[1024] __attribute__((aligned(4096)));

#define VA 0x40000000ull       /* test pages live in [1 GiB, 2 GiB) */

static uint64_t *root_s, *root_u;

static uint64_t *map2(uint64_t va, uint64_t pa, uint64_t flags)
{
    vm_map(root_u, va, pa, flags, 0);
    uint64_t *s = vm_map(root_s, va, pa, flags, 0);
    __asm__ volatile("sfence.vma" ::: "memory");
    return s;
}

static int expect_ld(uint64_t mode, uint64_t va, uint64_t want, uint64_t cause)
{
    vm_set_satp(SATP_SV39, mode == PRV_U ? root_u : root_s);
    vm_clear();
    uint64_t v = vm_run(mode, fn_ld, va);
    if (cause == NO_TRAP)
        return v != want || vm_expect(NO_TRAP, 0);
    return v != SENTINEL || vm_expect(cause, va);
}

static int expect_sd(uint64_t mode, uint64_t va, uint64_t cause)
{
    vm_set_satp(SATP_SV39, mode == PRV_U ? root_u : root_s);
    vm_clear();
    vm_run(mode, fn_sd, va);
    return vm_expect(cause, va);
}

static int expect_call(uint64_t mode, uint64_t va, uint64_t cause)
{
    vm_set_satp(SATP_SV39, mode == PRV_U ? root_u : root_s);
    vm_clear();
    uint64_t v = vm_run(mode, fn_call, va);
    if (cause == NO_TRAP)
        return v != 42 || vm_expect(NO_TRAP, 0);
    return v != SENTINEL || vm_expect(cause, va) || vm_rec.epc != va;
}

static uint64_t mprv_ld(uint64_t mpp, uint64_t va)
{
    uint64_t v = SENTINEL;
    csr_clear(mstatus, 3ull << MSTATUS_MPP_SHIFT);
    csr_set(mstatus, mpp << MSTATUS_MPP_SHIFT);
    __asm__ volatile("csrs mstatus, %1\n ld %0, 0(%2)\n csrc mstatus, %1"
                     : "+r"(v) : "r"(MSTATUS_MPRV), "r"(VA) : "memory");
    return v;
}

int main(void)
{
    vm_init(3);
    root_s = vm_alloc();
    root_u = vm_alloc();
    vm_identity(root_s, 0);
    vm_identity(root_u, PTE_U);
    uint64_t pa = (uint64_t)(uintptr_t)page_a;
    const uint64_t magic = 0xfeedface12345678ull;
    page_a[0] = magic;
    const uint64_t RW = PTE_V | PTE_R | PTE_W | PTE_A | PTE_D;

    /* 1-5: invalid encodings. */
    map2(VA, pa, RW & ~PTE_V);
    if (expect_ld(PRV_S, VA, 0, 13) || expect_sd(PRV_S, VA, 15))
        return 1;
    map2(VA, pa, PTE_V | PTE_W | PTE_A | PTE_D);
    if (expect_ld(PRV_S, VA, 0, 13) || expect_sd(PRV_S, VA, 15))
        return 2;
    map2(VA, pa, RW | (1ull << 54));
    if (expect_ld(PRV_S, VA, 0, 13))
        return 3;
    map2(VA, pa, RW | (1ull << 60));
    if (expect_ld(PRV_S, VA, 0, 13))
        return 4;
    map2(VA, pa, RW);
    if (expect_ld(PRV_S, VA, magic, NO_TRAP) || expect_sd(PRV_S, VA, NO_TRAP) ||
        page_a[0] != 0x1234)
        return 5;
    page_a[0] = magic;

    /* 6-9: U bit.  S on a U page needs SUM (never for fetch); U needs U. */
    map2(VA, pa, RW | PTE_U);
    if (expect_ld(PRV_S, VA, 0, 13) || expect_sd(PRV_S, VA, 15))
        return 6;
    csr_set(mstatus, MSTATUS_SUM);
    if (expect_ld(PRV_S, VA, magic, NO_TRAP))
        return 7;
    csr_clear(mstatus, MSTATUS_SUM);
    if (expect_ld(PRV_U, VA, magic, NO_TRAP))
        return 8;
    map2(VA, pa, RW);
    if (expect_ld(PRV_U, VA, 0, 13) || expect_sd(PRV_U, VA, 15))
        return 9;

    /* 10-11: MXR makes execute-only pages readable. */
    map2(VA, pa, PTE_V | PTE_X | PTE_A);
    if (expect_ld(PRV_S, VA, 0, 13))
        return 10;
    csr_set(mstatus, MSTATUS_MXR);
    if (expect_ld(PRV_S, VA, magic, NO_TRAP) || expect_sd(PRV_S, VA, 15))
        return 11;
    csr_clear(mstatus, MSTATUS_MXR);

    /* 12-15: execute permission. */
    uint64_t cpa = (uint64_t)(uintptr_t)code_page;
    vm_put_code(cpa);
    map2(VA + 0x10000, cpa, PTE_V | PTE_R | PTE_A);
    if (expect_call(PRV_S, VA + 0x10000, 12))
        return 12;
    map2(VA + 0x10000, cpa, PTE_V | PTE_X | PTE_A);
    if (expect_call(PRV_S, VA + 0x10000, NO_TRAP))
        return 13;
    map2(VA + 0x10000, cpa, PTE_V | PTE_X | PTE_A | PTE_U);
    csr_set(mstatus, MSTATUS_SUM);
    if (expect_call(PRV_S, VA + 0x10000, 12))
        return 14;
    csr_clear(mstatus, MSTATUS_SUM);
    if (expect_call(PRV_U, VA + 0x10000, NO_TRAP))
        return 15;

    /* 16-18: A and D are set by the walker (hardware update). */
    uint64_t *pte = map2(VA, pa, PTE_V | PTE_R | PTE_W);
    if (expect_ld(PRV_S, VA, magic, NO_TRAP) || !(*pte & PTE_A) || (*pte & PTE_D))
        return 16;
    if (expect_sd(PRV_S, VA, NO_TRAP) || !(*pte & PTE_D))
        return 17;
    page_a[0] = magic;
    pte = map2(VA, pa, PTE_V | PTE_R | PTE_W | PTE_A);
    if (expect_sd(PRV_S, VA, NO_TRAP) || !(*pte & PTE_D))
        return 18;
    page_a[0] = magic;

    /* 19: a load caches a read-only page; a store to it must still fault. */
    map2(VA, pa, PTE_V | PTE_R | PTE_A);
    vm_set_satp(SATP_SV39, root_s);
    vm_clear();
    for (int i = 0; i < 3; i++)
        if (vm_run(PRV_S, fn_ld, VA) != magic)
            return 19;
    if (expect_sd(PRV_S, VA, 15) || page_a[0] != magic)
        return 19;

    /* 20-23: MPRV: M-mode loads and stores translated at the MPP mode. */
    map2(VA, pa, RW);
    vm_set_satp(SATP_SV39, root_s);
    vm_clear();
    if (mprv_ld(PRV_S, VA) != magic || vm_expect(NO_TRAP, 0))
        return 20;
    vm_clear();
    if (mprv_ld(PRV_U, VA) != SENTINEL || vm_expect(13, VA))
        return 21;
    map2(VA, pa, RW | PTE_U);
    vm_clear();
    if (mprv_ld(PRV_U, VA) != magic || vm_expect(NO_TRAP, 0))
        return 22;
    vm_clear();
    if (mprv_ld(PRV_S, VA) != SENTINEL || vm_expect(13, VA))
        return 23;

    /* 24: a 32-bit instruction whose second half is on an unmapped page: the
     * fault is an instruction page fault at the instruction (mepc) with tval
     * = the address of the missing half (3.1.16: the portion that faulted). */
    map2(VA + 0x20000, cpa, PTE_V | PTE_X | PTE_A);
    map2(VA + 0x21000, cpa + 4096, 0);
    volatile uint16_t *h = (volatile uint16_t *)(uintptr_t)(cpa + 4094);
    h[0] = 0x0513;      /* low half of addi a0, zero, 1 */
    __asm__ volatile("fence.i" ::: "memory");
    vm_set_satp(SATP_SV39, root_s);
    vm_clear();
    if (vm_run(PRV_S, fn_call, VA + 0x20000 + 4094) != SENTINEL ||
        vm_expect(12, VA + 0x21000) || vm_rec.epc != VA + 0x20000 + 4094)
        return 24;
    return 0;
}
