/*
 * vm_napot_pbmt.c - Svnapot 64 KiB pages, Svpbmt attributes (accepted,
 * no effect here), and the reserved encodings that fault (privileged spec
 * "Svnapot" and "Svpbmt" chapters, 4.3.1-4.3.2): PBMT=3, N outside level 0
 * or with ppn[3:0] != 1000, and D/A/U/N/PBMT set in a non-leaf PTE.
 * QEMU 7.2's default CPU implements neither Svnapot nor Svpbmt, so it
 * faults on any N or PBMT bit (a known divergence, see
 * tests/test_guest_programs.py); it also accepts non-leaf PTEs with A/D/U.
 */
#include "vm.h"

static uint8_t big[65536] __attribute__((aligned(65536)));
static uint64_t page_a[512] __attribute__((aligned(4096)));

#define VA 0x40000000ull

static uint64_t *root;

static int ld(uint64_t va, uint64_t want, uint64_t cause)
{
    __asm__ volatile("sfence.vma" ::: "memory");
    vm_clear();
    uint64_t v = vm_run(PRV_S, fn_ld, va);
    if (cause == NO_TRAP)
        return v != want || vm_expect(NO_TRAP, 0);
    return v != SENTINEL || vm_expect(cause, va);
}

int main(void)
{
    vm_init(3);
    root = vm_alloc();
    vm_identity(root, 0);
    vm_set_satp(SATP_SV39, root);
    uint64_t b = (uint64_t)(uintptr_t)big, pa = (uint64_t)(uintptr_t)page_a;
    const uint64_t R = PTE_V | PTE_R | PTE_A;
    for (int i = 0; i < 16; i++)
        *(volatile uint64_t *)(uintptr_t)(b + i * 4096 + 8) = 100 + i;
    page_a[0] = 77;

    /* 1: a 64 KiB NAPOT page: 16 PTEs with ppn = base | 0x8, N = 1. */
    for (int i = 0; i < 16; i++)
        vm_map(root, VA + i * 4096, (b | 0x8000), R | PTE_N, 0);
    for (int i = 0; i < 16; i++)
        if (ld(VA + i * 4096 + 8, 100 + i, NO_TRAP))
            return 1;
    /* 2: N with ppn[3:0] != 1000 is reserved. */
    vm_map(root, VA, b | 0x4000, R | PTE_N, 0);
    if (ld(VA + 8, 0, 13))
        return 2;
    /* 3: N in a 2 MiB leaf is reserved. */
    vm_map(root, VA + 0x200000, 0x80000000ull, R | PTE_N, 1);
    if (ld(VA + 0x200000, 0, 13))
        return 3;
    /* 4-5: PBMT NC and IO are accepted; 3 is reserved. */
    vm_map(root, VA, pa, R | (1ull << 61), 0);
    if (ld(VA, 77, NO_TRAP))
        return 4;
    vm_map(root, VA, pa, R | (2ull << 61), 0);
    if (ld(VA, 77, NO_TRAP))
        return 5;
    vm_map(root, VA, pa, R | (3ull << 61), 0);
    if (ld(VA, 0, 13))
        return 6;
    /* 7-9: reserved bits in a non-leaf PTE. */
    vm_map(root, VA, pa, R, 0);
    if (ld(VA, 77, NO_TRAP))
        return 7;
    uint64_t *ptr = &root[(VA >> 30) & 511];
    uint64_t keep = *ptr;
    const uint64_t bits[5] = {PTE_A, PTE_D, PTE_U, PTE_N, 1ull << 61};
    for (int i = 0; i < 5; i++) {
        *ptr = keep | bits[i];
        if (ld(VA, 0, 13))
            return 8 + i;
    }
    *ptr = keep;
    if (ld(VA, 77, NO_TRAP))
        return 13;
    return 0;
}
