/*
 * pmp_basic.c - physical memory protection (privileged spec 3.7): OFF, TOR,
 * NA4 and NAPOT entries granting and denying S/U loads, stores and fetches,
 * priority of the lowest-numbered entry, the partial-match rule, PMP on
 * page-table reads (checked as S-mode accesses), and the L bit applying to
 * M-mode (last, since a locked entry stays until reset).
 */
#include "vm.h"

static uint64_t pdata[512] __attribute__((aligned(4096)));
static uint64_t target[512] __attribute__((aligned(4096)));

#define A_TOR (1u << 3)
#define A_NA4 (2u << 3)
#define A_NAPOT (3u << 3)
#define P_R 1u
#define P_W 2u
#define P_X 4u
#define P_L 0x80u

static uint64_t fn_lw(uint64_t va)
{
    uint64_t v = SENTINEL;
    __asm__ volatile("lwu %0, 0(%1)" : "+r"(v) : "r"(va) : "memory");
    return v;
}

static void set_cfg0(unsigned c0, unsigned c1)
{
    csr_write(pmpcfg0, (uint64_t)c0 | ((uint64_t)c1 << 8));
}

static uint64_t napot(uint64_t base, uint64_t size)
{
    return (base >> 2) | ((size >> 3) - 1);
}

static int ld_ok(uint64_t mode, uint64_t a, uint64_t want)
{
    vm_clear();
    return vm_run(mode, fn_ld, a) != want || vm_expect(NO_TRAP, 0);
}

static int ld_fault(uint64_t mode, uint64_t a)
{
    vm_clear();
    return vm_run(mode, fn_ld, a) != SENTINEL || vm_expect(5, a);
}

static int sd_res(uint64_t mode, uint64_t a, uint64_t cause)
{
    vm_clear();
    vm_run(mode, fn_sd, a);
    return vm_expect(cause, a);
}

int main(void)
{
    vm_init(3);
    uint64_t p = (uint64_t)(uintptr_t)pdata;
    pdata[0] = 11;
    pdata[1] = 0x2222222233333333ull;
    pdata[2] = 44;
    vm_put_code(p + 0x800);

    /* 1: entry 15 grants all; NAPOT entry 0 makes the page read-only. */
    csr_write(pmpaddr0, napot(p, 4096));
    set_cfg0(A_NAPOT | P_R, 0);
    if (ld_ok(PRV_S, p, 11) || ld_ok(PRV_U, p, 11) || sd_res(PRV_S, p, 7) ||
        sd_res(PRV_U, p + 16, 7))
        return 1;
    /* 2: M-mode ignores an unlocked entry. */
    pdata[2] = 45;
    if (pdata[2] != 45)
        return 2;
    /* 3: no X: a fetch from the page is an access fault. */
    vm_clear();
    if (vm_run(PRV_S, fn_call, p + 0x800) != SENTINEL || vm_expect(1, p + 0x800))
        return 3;
    /* 4: TOR [p, p + 4096) RWX via entries 0 (address only) and 1. */
    csr_write(pmpaddr0, p >> 2);
    csr_write(pmpaddr1, (p + 4096) >> 2);
    set_cfg0(0, A_TOR | P_R | P_W | P_X);
    if (sd_res(PRV_S, p + 16, NO_TRAP) || pdata[2] != 0x1234)
        return 4;
    vm_clear();
    if (vm_run(PRV_U, fn_call, p + 0x800) != 42 || vm_expect(NO_TRAP, 0))
        return 5;
    /* 6: TOR with no permissions denies S and U; the entry after it allows. */
    set_cfg0(0, A_TOR);
    if (ld_fault(PRV_S, p) || ld_fault(PRV_U, p + 8) || sd_res(PRV_S, p, 7))
        return 6;
    /* 7: NA4 read-only at p+8: lw inside is fine, an 8-byte load
     * covering it partially fails, stores fail; p+16 is another entry's. */
    csr_write(pmpaddr0, (p + 8) >> 2);
    set_cfg0(A_NA4 | P_R, 0);
    vm_clear();
    if (vm_run(PRV_S, fn_lw, p + 8) != 0x33333333 || vm_expect(NO_TRAP, 0))
        return 7;
    for (int i = 0; i < 3; i++)     /* not cached: the page is not uniform */
        if (ld_ok(PRV_S, p + 16, 0x1234) || ld_fault(PRV_S, p + 8))
            return 8;
    if (sd_res(PRV_S, p + 8, 7))
        return 9;
    /* 10: lowest-numbered entry wins: entry 0 denies, entry 1 allows. */
    csr_write(pmpaddr0, napot(p, 4096));
    csr_write(pmpaddr1, napot(p, 8192) & ~1ull);
    set_cfg0(A_NAPOT, A_NAPOT | P_R | P_W);
    if (ld_fault(PRV_S, p))
        return 10;
    set_cfg0(A_NAPOT | P_R, A_NAPOT);
    if (ld_ok(PRV_S, p, 11))
        return 11;
    /* 12: no entry matches: S fails (entry 15 off; entry 0 covers RAM only),
     * M succeeds.  0x1000 is the boot ROM. */
    csr_write(pmpcfg2, 0);
    csr_write(pmpaddr0, napot(0x80000000ull, 0x80000000ull));
    set_cfg0(A_NAPOT | P_R | P_W | P_X, 0);
    if (ld_ok(PRV_S, p, 11) || ld_fault(PRV_S, 0x1000))
        return 12;
    vm_clear();
    if (vm_ld(0x1000) == SENTINEL || vm_expect(NO_TRAP, 0))
        return 12;
    vm_pmp_allow_all();
    set_cfg0(0, 0);

    /* 13: page-table reads are S-mode accesses: deny the leaf table. */
    uint64_t *root = vm_alloc();
    vm_identity(root, 0);
    uint64_t *slot = vm_map(root, 0x40000000ull, p, PTE_V | PTE_R | PTE_A, 0);
    uint64_t table = (uint64_t)(uintptr_t)slot & ~0xfffull;
    vm_set_satp(SATP_SV39, root);
    if (ld_ok(PRV_S, 0x40000000ull, 11))
        return 13;
    csr_write(pmpaddr0, napot(table, 4096));
    set_cfg0(A_NAPOT, 0);
    __asm__ volatile("sfence.vma" ::: "memory");
    if (ld_fault(PRV_S, 0x40000000ull))
        return 14;
    set_cfg0(0, 0);
    csr_write(satp, 0);

    /* 15: the L bit makes an entry apply to M-mode, and locks it. */
    csr_write(pmpaddr0, napot((uint64_t)(uintptr_t)target, 4096));
    set_cfg0(A_NAPOT | P_R | P_L, 0);
    vm_clear();
    vm_sd((uint64_t)(uintptr_t)&target[3], 5);     /* denied: store access fault */
    if (vm_rec.cause != 7 || vm_rec.tval != (uint64_t)(uintptr_t)&target[3])
        return 15;
    vm_clear();
    if (vm_ld((uint64_t)(uintptr_t)&target[3]) != 0 || vm_expect(NO_TRAP, 0))
        return 16;
    set_cfg0(A_NAPOT | P_R | P_W, 0);       /* ignored: locked */
    if ((csr_read(pmpcfg0) & 0xff) != (A_NAPOT | P_R | P_L))
        return 17;
    return 0;
}
