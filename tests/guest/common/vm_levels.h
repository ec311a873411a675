/*
 * vm_levels.h - the body of vm_sv39.c, vm_sv48.c and vm_sv57.c: a leaf at
 * every level of the mode (4 KiB page up to the root-level superpage), the
 * misaligned-superpage fault at every level above 0, a negative (upper-half)
 * address, and non-canonical addresses (privileged spec 4.3.2, 4.4-4.6).
 * Include after defining VM_LEVELS and VM_SATP_MODE.
 */
#include "vm.h"

static uint64_t data_page[512] __attribute__((aligned(4096)));

int main(void)
{
    vm_init(VM_LEVELS);
    uint64_t *root = vm_alloc();
    vm_identity(root, 0);
    const uint64_t magic = 0x0123456789abcdefull;
    uint64_t data_pa = (uint64_t)(uintptr_t)&data_page[5];
    data_page[5] = magic;
    vm_set_satp(VM_SATP_MODE, root);
    if ((csr_read(satp) >> 60) != VM_SATP_MODE)
        return 1;
    for (unsigned lvl = 0; lvl < VM_LEVELS; lvl++) {
        uint64_t span = 1ull << (12 + 9 * lvl);
        uint64_t pa_base = data_pa & ~(span - 1);
        uint64_t va = 3 * span + (data_pa - pa_base);
        /* A leaf at this level. */
        vm_map(root, 3 * span, pa_base, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D, lvl);
        __asm__ volatile("sfence.vma" ::: "memory");
        vm_clear();
        if (vm_run(PRV_S, fn_ld, va) != magic || vm_expect(NO_TRAP, 0))
            return 10 + lvl;
        /* The same leaf with a physical address not aligned to its size. */
        if (lvl > 0) {
            vm_map(root, 3 * span, pa_base + 4096, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D, lvl);
            __asm__ volatile("sfence.vma" ::: "memory");
            vm_clear();
            if (vm_run(PRV_S, fn_ld, va) != SENTINEL || vm_expect(13, va))
                return 20 + lvl;
            vm_clear();
            vm_run(PRV_S, fn_sd, va);
            if (vm_expect(15, va))
                return 30 + lvl;
        }
    }
    /* The upper half: sign-extended addresses. */
    uint64_t va_bits = 12 + 9 * VM_LEVELS;
    uint64_t neg = ~0ull << (va_bits - 1);
    vm_map(root, neg + 0x3000, data_pa & ~0xfffull, PTE_V | PTE_R | PTE_A, 0);
    __asm__ volatile("sfence.vma" ::: "memory");
    vm_clear();
    if (vm_run(PRV_S, fn_ld, neg + 0x3000 + (data_pa & 0xfff)) != magic || vm_expect(NO_TRAP, 0))
        return 40;
    /* Non-canonical: bit va_bits-1 not copied into the bits above. */
    uint64_t bad[3] = {1ull << (va_bits - 1), (neg + 0x3000) ^ (1ull << 63),
                       (3ull << 12) | (1ull << va_bits)};
    for (int i = 0; i < 3; i++) {
        vm_clear();
        if (vm_run(PRV_S, fn_ld, bad[i]) != SENTINEL || vm_expect(13, bad[i]))
            return 41 + i;
        vm_clear();
        vm_run(PRV_S, fn_sd, bad[i]);
        if (vm_expect(15, bad[i]))
            return 44 + i;
    }
    /* Back to Bare: the address is used as it is. */
    csr_write(satp, 0);
    vm_clear();
    if (vm_run(PRV_S, fn_ld, data_pa) != magic || vm_expect(NO_TRAP, 0))
        return 50;
    return 0;
}
