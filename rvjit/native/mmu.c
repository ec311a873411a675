/* Address translation: the page-table walker (privileged spec 4.3-4.6 "Sv39/Sv48/Sv57", with
 * Svnapot and Svpbmt) and physical memory protection (3.7 "Physical Memory Protection").
 *
 * One walker serves every mode: a row of mmu_modes gives the levels, the index bits per level,
 * the PTE size and the root widening, so the H extension's Sv39x4/Sv48x4/Sv57x4 G stage is
 * three more rows (root_extra = 2, zero_extended = 1), and a VS-stage walk routes its PTE
 * reads through the G stage by setting Walk.pte_addr.
 *
 * A/D bits: by default the walker sets them itself (Svadu-style hardware update, which is what
 * QEMU 7.2 does and what Linux on QEMU virt runs with).  rt_mmu_hw_ad = 0 switches to Svade:
 * a clear A bit, or a clear D bit on a store, raises a page fault instead. */
#include "runtime.h"

int rt_mmu_hw_ad = 1;

#define PTE_V (1ull << 0)
#define PTE_R (1ull << 1)
#define PTE_W (1ull << 2)
#define PTE_X (1ull << 3)
#define PTE_U (1ull << 4)
#define PTE_G (1ull << 5)
#define PTE_A (1ull << 6)
#define PTE_D (1ull << 7)
#define PTE_PPN_SHIFT 10
#define PTE_PPN_MASK ((1ull << 44) - 1)
#define PTE_RESERVED (0x7Full << 54)      /* bits 60:54 */
#define PTE_PBMT_SHIFT 61                 /* Svpbmt: 0 PMA, 1 NC, 2 IO, 3 reserved */
#define PTE_PBMT (3ull << PTE_PBMT_SHIFT)
#define PTE_N (1ull << 63)                /* Svnapot */

typedef struct MmuMode {
    uint8_t satp_mode;      /* the MODE field value that selects it */
    uint8_t levels;
    uint8_t vpn_bits;       /* index bits per level */
    uint8_t pte_size;       /* bytes */
    uint8_t root_extra;     /* extra index bits of the root table (2 for the x4 modes) */
    uint8_t zero_extended;  /* 1: bits above the address width must be 0 (G stage); 0: they
                             * must equal the top bit (4.3.1 / 4.4.1 / 4.5.1) */
} MmuMode;

/* 4.4-4.6.  The H extension adds {8,3,9,8,2,1}, {9,4,9,8,2,1}, {10,5,9,8,2,1} for hgatp. */
static const MmuMode mmu_modes[] = {
    {8, 3, 9, 8, 0, 0},     /* Sv39 */
    {9, 4, 9, 8, 0, 0},     /* Sv48 */
    {10, 5, 9, 8, 0, 0},    /* Sv57 */
};

static const MmuMode *mode_for_satp(uint64_t mode)
{
    for (unsigned i = 0; i < sizeof mmu_modes / sizeof mmu_modes[0]; i++)
        if (mmu_modes[i].satp_mode == mode)
            return &mmu_modes[i];
    return NULL;
}

static int satp_mode_supported(uint64_t mode)
{
    return mode_for_satp(mode) != NULL;
}

__attribute__((constructor)) static void mmu_register(void)
{
    rt_satp_mode_supported = satp_mode_supported;
}

static int page_fault(int acc)
{
    return acc == ACC_EXEC ? EXC_INSN_PAGE : acc == ACC_WRITE ? EXC_STORE_PAGE : EXC_LOAD_PAGE;
}

static int access_fault(int acc)
{
    return acc == ACC_EXEC ? EXC_INSN_ACCESS : acc == ACC_WRITE ? EXC_STORE_ACCESS
                                                                : EXC_LOAD_ACCESS;
}

/* ---- PMP (3.7) -------------------------------------------------------------------------- */

#define PMP_R 1
#define PMP_W 2
#define PMP_X 4
#define PMP_A_SHIFT 3
#define PMP_L 0x80
#define PMP_OFF 0
#define PMP_TOR 1
#define PMP_NA4 2
#define PMP_NAPOT 3
#define PMP_ENTRIES 16

static inline unsigned pmp_cfg(CPUState *cpu, int i)
{
    return (unsigned)(((i < 8 ? cpu->pmpcfg0 : cpu->pmpcfg2) >> (8 * (i & 7))) & 0xff);
}

/* Entry i's byte range [*lo, *hi); 0 when it is off or empty.  *hi == 0 stands for 2^64. */
static int pmp_range(CPUState *cpu, int i, unsigned cfg, uint64_t *lo, uint64_t *hi)
{
    uint64_t a = cpu->pmpaddr[i];
    switch ((cfg >> PMP_A_SHIFT) & 3) {
    case PMP_TOR:
        *lo = i ? cpu->pmpaddr[i - 1] << 2 : 0;
        *hi = a << 2;
        return *lo < *hi;
    case PMP_NA4:
        *lo = a << 2;
        *hi = *lo + 4;
        return 1;
    case PMP_NAPOT: {
        /* pmpaddr = base/4 with t trailing ones: 2^(t+3) bytes. */
        unsigned t = (unsigned)__builtin_ctzll(~a);
        uint64_t size_m1 = t + 3 >= 64 ? ~0ull : (1ull << (t + 3)) - 1;
        *lo = (a << 2) & ~size_m1;
        *hi = *lo + size_m1 + 1;
        return 1;
    }
    default:
        return 0;
    }
}

/* 3.7.1: may an access of `size` bytes at `paddr` of type `acc` at privilege `priv` proceed?
 * The lowest-numbered entry that matches any byte decides; it must match every byte. */
int rt_pmp_check(CPUState *cpu, uint64_t paddr, uint64_t size, int acc, int priv)
{
    if (!cpu->pmpcfg0 && !cpu->pmpcfg2)
        return priv == PRV_M;       /* every entry OFF: nothing matches */
    uint64_t last = paddr + size - 1;
    for (int i = 0; i < PMP_ENTRIES; i++) {
        unsigned cfg = pmp_cfg(cpu, i);
        uint64_t lo, hi;
        if (!pmp_range(cpu, i, cfg, &lo, &hi))
            continue;
        uint64_t hi_last = hi - 1;      /* inclusive; hi == 0 wraps to 2^64 - 1 */
        if (last < lo || paddr > hi_last)
            continue;
        if (paddr < lo || last > hi_last)
            return 0;                   /* a partial match fails */
        if (priv == PRV_M && !(cfg & PMP_L))
            return 1;
        unsigned need = acc == ACC_EXEC ? PMP_X : acc == ACC_WRITE ? PMP_W : PMP_R;
        return (cfg & need) != 0;
    }
    /* No match: M succeeds; S and U fail, since this hart implements 16 entries. */
    return priv == PRV_M;
}

/* ---- the walker (4.3.2 "Virtual Address Translation Process") --------------------------- */

typedef struct Walk {
    CPUState *cpu;
    const MmuMode *mode;
    uint64_t root;          /* address of the root table */
    int priv;               /* effective privilege of the access (MPRV already applied) */
    int acc;
    int sum, mxr;
    /* Turns a PTE's address into the physical address to read or write it at, or returns the
     * cause to raise.  Single stage: PMP as an S-mode access.  A VS-stage walk puts the G
     * stage here. */
    int (*pte_addr)(struct Walk *w, uint64_t addr, int acc, uint64_t *paddr);
} Walk;

static int pte_addr_direct(Walk *w, uint64_t addr, int acc, uint64_t *paddr)
{
    /* 3.7.1: implicit page-table accesses are checked as S-mode accesses. */
    if (!rt_pmp_check(w->cpu, addr, w->mode->pte_size, acc, PRV_S))
        return access_fault(w->acc);
    *paddr = addr;
    return -1;
}

/* Returns -1 with *paddr set, or the cause of the fault.  *multi is set when the leaf maps
 * more than one 4 KiB page (a superpage or a NAPOT range). */
static int walk(Walk *w, uint64_t va, uint64_t *paddr, int *multi)
{
    const MmuMode *m = w->mode;
    int pf = page_fault(w->acc), af = access_fault(w->acc);
    unsigned va_bits = PAGE_BITS + m->levels * m->vpn_bits + m->root_extra;
    if (m->zero_extended ? (va >> va_bits) != 0
                         : (uint64_t)((int64_t)(va << (64 - va_bits)) >> (64 - va_bits)) != va)
        return pf;
    uint64_t a = w->root;
    for (int i = m->levels - 1; i >= 0; i--) {
        unsigned shift = PAGE_BITS + i * m->vpn_bits;
        unsigned bits = m->vpn_bits + (i == m->levels - 1 ? m->root_extra : 0);
        uint64_t pte_pa, pte = 0;
        int c = w->pte_addr(w, a + ((va >> shift) & ((1ull << bits) - 1)) * m->pte_size,
                            ACC_READ, &pte_pa);
        if (c >= 0)
            return c;
        uint8_t *p = rt_ram_ptr(w->cpu, pte_pa, m->pte_size);
        if (!p)
            return af;
        memcpy(&pte, p, m->pte_size);
        /* Step 3. */
        if (!(pte & PTE_V) || (!(pte & PTE_R) && (pte & PTE_W)) || (pte & PTE_RESERVED) ||
            (pte & PTE_PBMT) == PTE_PBMT)
            return pf;
        if (!(pte & (PTE_R | PTE_X))) {
            /* Step 4: a pointer.  D, A, U (4.3.1), PBMT (Svpbmt) and N (Svnapot) are
             * reserved in non-leaf PTEs. */
            if (pte & (PTE_D | PTE_A | PTE_U | PTE_PBMT | PTE_N))
                return pf;
            a = ((pte >> PTE_PPN_SHIFT) & PTE_PPN_MASK) << PAGE_BITS;
            continue;
        }
        /* Step 5: a leaf; permissions at the effective privilege. */
        if (w->priv == PRV_U ? !(pte & PTE_U)
                             : ((pte & PTE_U) && (w->acc == ACC_EXEC || !w->sum)))
            return pf;
        int ok = w->acc == ACC_EXEC ? (pte & PTE_X) != 0
               : w->acc == ACC_WRITE ? (pte & PTE_W) != 0
               : (pte & PTE_R) || (w->mxr && (pte & PTE_X));
        if (!ok)
            return pf;
        uint64_t ppn = (pte >> PTE_PPN_SHIFT) & PTE_PPN_MASK;
        uint64_t low = i ? (1ull << (i * m->vpn_bits)) - 1 : 0;
        /* Step 6: a misaligned superpage. */
        if (ppn & low)
            return pf;
        if (pte & PTE_N) {
            /* Svnapot: only 64 KiB pages (ppn[3:0] = 1000) at level 0 are defined. */
            if (i != 0 || (ppn & 0xF) != 0x8)
                return pf;
            low = 0xF;
        }
        /* Step 7: A and D. */
        uint64_t want = PTE_A | (w->acc == ACC_WRITE ? PTE_D : 0);
        if ((pte & want) != want) {
            if (!rt_mmu_hw_ad)
                return pf;
            /* The update is a write of the PTE, checked like one. */
            uint64_t upd_pa;
            c = w->pte_addr(w, a + ((va >> shift) & ((1ull << bits) - 1)) * m->pte_size,
                            ACC_WRITE, &upd_pa);
            if (c >= 0)
                return c;
            pte |= want;
            memcpy(p, &pte, m->pte_size);
        }
        /* Step 8. */
        uint64_t vpn = va >> PAGE_BITS;
        *paddr = ((((ppn & ~low) | (vpn & low))) << PAGE_BITS) | (va & (PAGE_SIZE - 1));
        *multi = low != 0;
        return -1;
    }
    return pf;
}

/* Translate an access at `priv` (< M) under satp; returns -1 or the cause of a page/access
 * fault.  *super is set when the leaf maps more than one 4 KiB page. */
int rt_mmu_walk(CPUState *cpu, uint64_t vaddr, int acc, int priv, uint64_t *paddr, int *super)
{
    const MmuMode *m = mode_for_satp(cpu->satp >> 60);
    if (!m) {       /* Bare (write_satp accepts nothing else) */
        *paddr = vaddr;
        *super = 0;
        return -1;
    }
    Walk w = {
        .cpu = cpu, .mode = m, .root = (cpu->satp & PTE_PPN_MASK) << PAGE_BITS,
        .priv = priv, .acc = acc,
        .sum = (cpu->mstatus & MSTATUS_SUM) != 0, .mxr = (cpu->mstatus & MSTATUS_MXR) != 0,
        .pte_addr = pte_addr_direct,
    };
    *super = 0;
    return walk(&w, vaddr, paddr, super);
}
