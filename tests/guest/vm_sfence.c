/*
 * vm_sfence.c - SFENCE.VMA after a PTE change (privileged spec 4.2.1): with
 * rs1=rs2=x0, with rs1 = the page, with rs1 inside a 2 MiB superpage, with
 * rs2 = an ASID; and satp WARL mode probing (4.1.11): writes of an
 * unsupported mode (Sv64) leave satp unchanged, the 16 ASID bits are
 * writable.  12-13: code whose page is remapped runs the new page's
 * instructions after an SFENCE.VMA of that page (a block starting in the page,
 * and one whose first instruction straddles into it from the page before),
 * while gigapage translations are cached for other addresses.  14: six 2 MiB pages far apart, all used,
 * each remapped and fenced at another address inside it (more superpage
 * ranges than an implementation may track one by one).
 */
#include "vm.h"

static uint64_t page_a[512] __attribute__((aligned(4096)));
static uint64_t page_b[512] __attribute__((aligned(4096)));

#define VA 0x40000000ull
#define VA_MEGA 0x40200000ull
#define VA_CODE 0x40400000ull

/* Code pages, filled at run time: "addi a0, zero, N" (0x00N00513) then "ret" (0x00008067). */
static uint16_t code_a[2048] __attribute__((aligned(4096)));
static uint16_t code_b[2048] __attribute__((aligned(4096)));
static uint16_t code_c[2048] __attribute__((aligned(4096)));
static uint16_t code_d1[2048] __attribute__((aligned(4096)));
static uint16_t code_d2[2048] __attribute__((aligned(4096)));

static void put_insn(uint16_t *page, int half, uint32_t insn)
{
    page[half] = (uint16_t)insn;
    page[half + 1] = (uint16_t)(insn >> 16);
}

typedef uint64_t (*vm_fn)(uint64_t);

/* Two 2 MiB-aligned physical ranges for superpage mappings. */
static uint64_t mega[2][0x200000 / 8] __attribute__((aligned(0x200000)));
#define MEGA_OFF(i) (0x3000 + 0x1000 * (i))
#define NFAR 6
#define VA_FAR(i) ((uint64_t)((i) + 1) << 33)

static uint64_t sfence_page(uint64_t va)
{
    __asm__ volatile("sfence.vma %0, zero" :: "r"(va) : "memory");
    return 0;
}

static uint64_t sfence_all(uint64_t asid)
{
    (void)asid;
    __asm__ volatile("sfence.vma" ::: "memory");
    return 0;
}

static uint64_t sfence_asid(uint64_t asid)
{
    __asm__ volatile("sfence.vma zero, %0" :: "r"(asid) : "memory");
    return 0;
}

int main(void)
{
    vm_init(3);
    uint64_t *root = vm_alloc();
    vm_identity(root, 0);
    uint64_t pa = (uint64_t)(uintptr_t)page_a, pb = (uint64_t)(uintptr_t)page_b;
    const uint64_t RWAD = PTE_V | PTE_R | PTE_W | PTE_A | PTE_D;
    page_a[0] = 0xaaaa;
    page_b[0] = 0xbbbb;

    /* 1-3: a 4 KiB page, remapped; each kind of fence, run in S-mode. */
    uint64_t (*fences[3])(uint64_t) = {sfence_all, sfence_page, sfence_asid};
    uint64_t args[3] = {0, VA, 0};
    vm_set_satp(SATP_SV39, root);
    for (int i = 0; i < 3; i++) {
        vm_map(root, VA, pa, RWAD, 0);
        vm_run(PRV_S, sfence_all, 0);
        if (vm_run(PRV_S, fn_ld, VA) != 0xaaaa)
            return 1 + i;
        vm_map(root, VA, pb, RWAD, 0);
        vm_run(PRV_S, fences[i], args[i]);
        if (vm_run(PRV_S, fn_ld, VA) != 0xbbbb)
            return 1 + i;
        /* Invalidating: the old page's store path must go as well. */
        vm_map(root, VA, pb, 0, 0);
        vm_run(PRV_S, fences[i], args[i]);
        vm_clear();
        vm_run(PRV_S, fn_sd, VA);
        if (vm_expect(15, VA))
            return 1 + i;
    }

    /* 4: a 2 MiB page whose 4 KiB pages were used; a fence naming another
     * address inside the superpage drops the whole mapping. */
    uint64_t mpa = pa & ~0x1fffffull, mpb = pb & ~0x1fffffull;
    uint64_t off_a = pa - mpa;
    vm_map(root, VA_MEGA, mpa, RWAD, 1);
    vm_run(PRV_S, sfence_all, 0);
    if (vm_run(PRV_S, fn_ld, VA_MEGA + off_a) != 0xaaaa)
        return 4;
    vm_map(root, VA_MEGA, mpb, RWAD, 1);
    vm_run(PRV_S, sfence_page, VA_MEGA + 0x100000);
    if (vm_run(PRV_S, fn_ld, VA_MEGA + (pb - mpb)) != 0xbbbb)
        return 4;
    vm_map(root, VA_MEGA, 0, 0, 1);
    vm_run(PRV_S, sfence_page, VA_MEGA + 0x1ff000);
    vm_clear();
    if (vm_run(PRV_S, fn_ld, VA_MEGA + off_a) != SENTINEL || vm_expect(13, VA_MEGA + off_a))
        return 4;

    /* 12: a block in a remapped code page.  13: a block whose first instruction
     * straddles into the remapped page from the page before. */
    put_insn(code_a, 0, 0x00100513);
    put_insn(code_a, 2, 0x00008067);
    put_insn(code_b, 0, 0x00200513);
    put_insn(code_b, 2, 0x00008067);
    code_c[2047] = 0x0513;                  /* addi a0, zero, N: low half */
    code_d1[0] = 0x0030;                    /* N = 3 */
    code_d2[0] = 0x0040;                    /* N = 4 */
    put_insn(code_d1, 1, 0x00008067);
    put_insn(code_d2, 1, 0x00008067);
    __asm__ volatile("fence.i" ::: "memory");
    const uint64_t RXA = PTE_V | PTE_R | PTE_X | PTE_A;
    vm_map(root, VA_CODE, (uint64_t)(uintptr_t)code_a, RXA, 0);
    vm_map(root, VA_CODE + 0x1000, (uint64_t)(uintptr_t)code_c, RXA, 0);
    vm_map(root, VA_CODE + 0x2000, (uint64_t)(uintptr_t)code_d1, RXA, 0);
    vm_run(PRV_S, sfence_all, 0);
    for (int i = 0; i < 3; i++)
        if (vm_run(PRV_S, (vm_fn)VA_CODE, 0) != 1 ||
            vm_run(PRV_S, (vm_fn)(VA_CODE + 0x2000 - 2), 0) != 3)
            return 12;
    vm_map(root, VA_CODE, (uint64_t)(uintptr_t)code_b, RXA, 0);
    vm_run(PRV_S, sfence_page, VA_CODE);
    if (vm_run(PRV_S, (vm_fn)VA_CODE, 0) != 2)
        return 12;
    vm_map(root, VA_CODE + 0x2000, (uint64_t)(uintptr_t)code_d2, RXA, 0);
    vm_run(PRV_S, sfence_page, VA_CODE + 0x2000);
    if (vm_run(PRV_S, (vm_fn)(VA_CODE + 0x2000 - 2), 0) != 4)
        return 13;

    /* 14: the pages used sit in different TLB slots (MEGA_OFF(i)). */
    uint64_t m0 = (uint64_t)(uintptr_t)mega[0], m1 = (uint64_t)(uintptr_t)mega[1];
    for (int i = 0; i < NFAR; i++) {
        mega[0][MEGA_OFF(i) / 8] = 0x1110 + i;
        mega[1][MEGA_OFF(i) / 8] = 0x2220 + i;
        vm_map(root, VA_FAR(i), m0, RWAD, 1);
    }
    vm_run(PRV_S, sfence_all, 0);
    for (int i = 0; i < NFAR; i++)
        if (vm_run(PRV_S, fn_ld, VA_FAR(i) + MEGA_OFF(i)) != 0x1110 + i)
            return 14;
    for (int i = NFAR - 1; i >= 0; i--) {      /* the last ones used first */
        vm_map(root, VA_FAR(i), m1, RWAD, 1);
        vm_run(PRV_S, sfence_page, VA_FAR(i) + 0x100000);
        if (vm_run(PRV_S, fn_ld, VA_FAR(i) + MEGA_OFF(i)) != 0x2220 + i)
            return 14;
    }

    /* 5-8: satp mode probing. */
    uint64_t ppn = (uint64_t)(uintptr_t)root >> 12;
    uint64_t old = (SATP_SV39 << 60) | (0x1234ull << 44) | ppn;
    csr_write(satp, old);
    if (csr_read(satp) != old)
        return 5;
    csr_write(satp, (SATP_SV64 << 60) | ppn);
    if (csr_read(satp) != old)
        return 6;
    csr_write(satp, (5ull << 60) | ppn);        /* reserved mode */
    if (csr_read(satp) != old)
        return 7;
    csr_write(satp, (SATP_SV57 << 60) | (0xffffull << 44) | ppn);
    if (csr_read(satp) != ((SATP_SV57 << 60) | (0xffffull << 44) | ppn))
        return 8;
    csr_write(satp, (SATP_SV48 << 60) | ppn);
    if (csr_read(satp) != ((SATP_SV48 << 60) | ppn))
        return 9;
    csr_write(satp, 0);
    if (csr_read(satp) != 0)
        return 10;
    /* 11: SFENCE.VMA in U-mode is illegal. */
    vm_set_satp(SATP_SV39, root);
    vm_map(root, 0x80000000ull, 0x80000000ull, PTE_RWXAD | PTE_U, 2);
    sfence_all(0);      /* from M: S-mode cannot run code on U pages */
    vm_clear();
    vm_run(PRV_U, sfence_all, 0);
    if (vm_rec.cause != 2)
        return 11;
    return 0;
}
