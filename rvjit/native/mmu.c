/* Address translation: the page-table walker (privileged spec 4.3-4.6 "Sv39/Sv48/Sv57", with
 * Svnapot and Svpbmt) and physical memory protection (3.7 "Physical Memory Protection").
 *
 * One walker serves every mode: a row of mmu_modes gives the levels, the index bits per level,
 * the PTE size and the root widening, so the H extension's Sv39x4/Sv48x4/Sv57x4 G stage is
 * three more rows (root_extra = 2, zero_extended = 1), and a VS-stage walk routes its PTE
 * reads through the G stage by setting Walk.g.
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

/* 4.4-4.6 (satp, vsatp), and the hypervisor spec's "Guest Physical Address Translation"
 * (hgatp): SvNNx4 widens the root to 16 KiB (2 more index bits) and requires the bits of the
 * guest physical address above them to be zero. */
static const MmuMode mmu_modes[] = {
    {8, 3, 9, 8, 0, 0},     /* Sv39 */
    {9, 4, 9, 8, 0, 0},     /* Sv48 */
    {10, 5, 9, 8, 0, 0},    /* Sv57 */
};
static const MmuMode gstage_modes[] = {
    {8, 3, 9, 8, 2, 1},     /* Sv39x4 */
    {9, 4, 9, 8, 2, 1},     /* Sv48x4 */
    {10, 5, 9, 8, 2, 1},    /* Sv57x4 */
};

static const MmuMode *find_mode(const MmuMode *t, unsigned n, uint64_t mode)
{
    for (unsigned i = 0; i < n; i++)
        if (t[i].satp_mode == mode)
            return &t[i];
    return NULL;
}

static const MmuMode *mode_for_satp(uint64_t mode)
{
    return find_mode(mmu_modes, sizeof mmu_modes / sizeof mmu_modes[0], mode);
}

static const MmuMode *mode_for_hgatp(uint64_t mode)
{
    return find_mode(gstage_modes, sizeof gstage_modes / sizeof gstage_modes[0], mode);
}

/* For the hgatp CSR (WARL MODE): is this MODE one the G stage translates (Bare aside)? */
int rt_hgatp_mode_supported(uint64_t mode)
{
    return mode_for_hgatp(mode) != NULL;
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

static int guest_page_fault(int acc)
{
    return acc == ACC_EXEC ? EXC_INSN_GUEST_PAGE : acc == ACC_WRITE ? EXC_STORE_GUEST_PAGE
                                                                  : EXC_LOAD_GUEST_PAGE;
}

static int access_fault(int acc)
{
    return acc == ACC_EXEC ? EXC_INSN_ACCESS : acc == ACC_WRITE ? EXC_STORE_ACCESS
                                                                : EXC_LOAD_ACCESS;
}

/* ---- PMP (3.7) -------------------------------------------------------------------------- */

#define PMP_A_SHIFT 3
#define PMP_L 0x80
#define PMP_OFF 0
#define PMP_TOR 1
#define PMP_NA4 2
#define PMP_NAPOT 3

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

/* Decode the entries that can match, keeping their order (the lowest-numbered decides). */
static void pmp_decode(CPUState *cpu, PmpDecoded *d)
{
    d->from[0] = cpu->pmpcfg0;
    d->from[1] = cpu->pmpcfg2;
    memcpy(d->from + 2, cpu->pmpaddr, sizeof cpu->pmpaddr);
    d->n = 0;
    for (int i = 0; i < PMP_ENTRIES; i++) {
        unsigned cfg = pmp_cfg(cpu, i);
        uint64_t lo, hi;
        if (pmp_range(cpu, i, cfg, &lo, &hi))
            d->rule[d->n++] = (PmpRule){lo, hi - 1, cfg};  /* hi == 0 wraps to 2^64 - 1 */
    }
    d->memo_lo = 1;
    d->memo_last = 0;
    d->valid = 1;
}

/* cpu's decoded entries (in its HartRt, or in *tmp for a CPU without one).  They are decoded
 * again after rt_tlb_flush, which every change of the PMP CSRs is followed by (the TLB holds
 * PMP's verdicts too), or when pmpcfg differs from what they were decoded from. */
static inline PmpDecoded *pmp_decoded(CPUState *cpu, PmpDecoded *tmp)
{
    HartRt *h = rt_hart(cpu);
    PmpDecoded *d = h ? &h->pmp : tmp;
    if (!d->valid || d->from[0] != cpu->pmpcfg0 || d->from[1] != cpu->pmpcfg2)
        pmp_decode(cpu, d);
    return d;
}

/* 3.7.1: the accesses (PMP_R | PMP_W | PMP_X) that PMP lets through for `size` bytes at
 * `paddr` at privilege `priv`.  The lowest-numbered entry that matches any byte decides; it
 * must match every byte, else nothing is allowed.  M-mode is bound by locked entries only.
 * A full answer is remembered with the largest range around the access that gets the same
 * one: the deciding entry's range (or, with no match, everything) less the ranges of the
 * entries before it, which all lie outside the access. */
unsigned rt_pmp_perms(CPUState *cpu, uint64_t paddr, uint64_t size, int priv)
{
    const unsigned all = PMP_R | PMP_W | PMP_X;
    if (!cpu->pmpcfg0 && !cpu->pmpcfg2)
        return priv == PRV_M ? all : 0;     /* every entry OFF: nothing matches */
    PmpDecoded tmp;
    tmp.valid = 0;
    PmpDecoded *d = pmp_decoded(cpu, &tmp);
    uint64_t last = paddr + size - 1;
    if (paddr >= d->memo_lo && last <= d->memo_last)
        return priv == PRV_M ? d->memo_m : d->memo_su;
    uint64_t lo = 0, hi = ~0ull;            /* the range the answer holds for */
    unsigned m_perms = all, su_perms = 0;   /* no match: M succeeds; S and U fail (16 entries) */
    for (int i = 0; i < d->n; i++) {
        const PmpRule *r = &d->rule[i];
        if (last < r->lo || paddr > r->last) {
            if (r->last < paddr && r->last + 1 > lo)
                lo = r->last + 1;
            if (r->lo > last && r->lo - 1 < hi)
                hi = r->lo - 1;
            continue;
        }
        if (paddr < r->lo || last > r->last)
            return 0;                       /* a partial match fails */
        lo = r->lo > lo ? r->lo : lo;
        hi = r->last < hi ? r->last : hi;
        su_perms = r->cfg & all;
        m_perms = (r->cfg & PMP_L) ? su_perms : all;
        break;
    }
    d->memo_lo = lo;
    d->memo_last = hi;
    d->memo_m = m_perms;
    d->memo_su = su_perms;
    return priv == PRV_M ? m_perms : su_perms;
}

/* May an access of `size` bytes at `paddr` of type `acc` at privilege `priv` proceed? */
int rt_pmp_check(CPUState *cpu, uint64_t paddr, uint64_t size, int acc, int priv)
{
    unsigned need = acc == ACC_EXEC ? PMP_X : acc == ACC_WRITE ? PMP_W : PMP_R;
    return (rt_pmp_perms(cpu, paddr, size, priv) & need) != 0;
}

/* ---- the walker (4.3.2 "Virtual Address Translation Process") --------------------------- */

typedef struct Walk {
    CPUState *cpu;
    const MmuMode *mode;    /* NULL: Bare (the G stage of a two-stage translation only) */
    uint64_t root;          /* address of the root table (a GPA for the VS stage) */
    int priv;               /* privilege the leaf's U bit is checked at (U for the G stage) */
    int acc;                /* the access the leaf must permit */
    int fault_acc;          /* the access that names a fault: the original one (hypervisor
                             * spec, "Guest-Page Faults": a G-stage fault of an implicit PTE
                             * access is a guest-page fault of the original access type) */
    int gstage;             /* page faults are guest-page faults (20/21/23) */
    int sum, mxr;
    int need_x;             /* HLVX: execute permission instead of read */
    /* A VS-stage walk: the G stage its PTE addresses go through (hypervisor spec "Two-Stage
     * Address Translation": implicit VS page-table accesses are G-stage translated).  NULL:
     * PTE addresses are physical. */
    struct Walk *g;
    MmuFault *fault;
    int leaf_dirty_w;       /* out: the leaf is writable and dirty (W = D = 1) */
} Walk;

static int walk(Walk *w, uint64_t va, uint64_t *paddr, uint64_t *span);

/* The G stage for `gpa` with the template `g` (hgatp; fault_acc already the original access).
 * G-stage accesses are all user-level (the U bit must be set; no SUM); only HS sstatus.MXR
 * applies, and only to explicit loads (callers pass mxr = 0 for implicit PTE accesses). */
static int gstage(Walk *g, uint64_t gpa, int acc, int mxr, int need_x, uint64_t *spa,
                  uint64_t *span)
{
    *span = 0;
    g->leaf_dirty_w = 1;
    if (!g->mode) {
        *spa = gpa;
        return -1;
    }
    Walk w = *g;
    w.acc = acc;
    w.mxr = mxr;
    w.need_x = need_x;
    int c = walk(&w, gpa, spa, span);
    g->leaf_dirty_w = w.leaf_dirty_w;
    return c;
}

/* Turn a PTE's address into the physical address to read or write it at (`acc`), or return
 * the cause to raise.  3.7.1: implicit page-table accesses are checked as S-mode accesses. */
static int pte_access(Walk *w, uint64_t addr, int acc, uint64_t *paddr)
{
    if (w->g) {
        uint64_t span;
        int c = gstage(w->g, addr, acc, 0, 0, paddr, &span);
        if (c >= 0) {
            if (c == guest_page_fault(w->fault_acc)) {
                /* "Transformed Instruction or Pseudoinstruction for mtinst or htinst": a
                 * guest-page fault of an implicit VS-stage PTE access writes the
                 * pseudoinstruction 0x3000 (read) or 0x3020 (write) for 64-bit PTEs, and
                 * htval = the PTE's GPA >> 2. */
                w->fault->gpa = addr;
                w->fault->gpa_valid = 1;
                w->fault->tinst = acc == ACC_WRITE ? 0x3020 : 0x3000;
            }
            return c;
        }
    } else {
        *paddr = addr;
    }
    if (!rt_pmp_check(w->cpu, *paddr, w->mode->pte_size, acc, PRV_S))
        return access_fault(w->fault_acc);
    return -1;
}

/* Returns -1 with *paddr set, or the cause of the fault.  *span is 0 when the leaf maps one
 * 4 KiB page, else the size of what it maps (a superpage or a NAPOT range) minus one. */
static int walk(Walk *w, uint64_t va, uint64_t *paddr, uint64_t *span)
{
    const MmuMode *m = w->mode;
    int pf = w->gstage ? guest_page_fault(w->fault_acc) : page_fault(w->fault_acc);
    int af = access_fault(w->fault_acc);
    unsigned va_bits = PAGE_BITS + m->levels * m->vpn_bits + m->root_extra;
    if (m->zero_extended ? (va >> va_bits) != 0
                         : (uint64_t)((int64_t)(va << (64 - va_bits)) >> (64 - va_bits)) != va)
        return pf;
    uint64_t a = w->root;
    for (int i = m->levels - 1; i >= 0; i--) {
        unsigned shift = PAGE_BITS + i * m->vpn_bits;
        unsigned bits = m->vpn_bits + (i == m->levels - 1 ? m->root_extra : 0);
        uint64_t pte_addr = a + ((va >> shift) & ((1ull << bits) - 1)) * m->pte_size;
        uint64_t pte_pa, pte = 0;
        int c = pte_access(w, pte_addr, ACC_READ, &pte_pa);
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
        int ok = w->need_x ? (pte & PTE_X) != 0
               : w->acc == ACC_EXEC ? (pte & PTE_X) != 0
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
            /* The update is a write of the PTE, checked like one (for a VS-stage PTE: a
             * G-stage translated implicit store). */
            uint64_t upd_pa;
            c = pte_access(w, pte_addr, ACC_WRITE, &upd_pa);
            if (c >= 0)
                return c;
            pte |= want;
            memcpy(p, &pte, m->pte_size);
            rt_ram_written(RT(w->cpu), pte_pa, m->pte_size);    /* it may share a code page */
        }
        w->leaf_dirty_w = (pte & (PTE_W | PTE_D)) == (PTE_W | PTE_D);
        /* Step 8. */
        uint64_t vpn = va >> PAGE_BITS;
        *paddr = ((((ppn & ~low) | (vpn & low))) << PAGE_BITS) | (va & (PAGE_SIZE - 1));
        *span = low ? low << PAGE_BITS | (PAGE_SIZE - 1) : 0;
        return -1;
    }
    return pf;
}

/* Translate `vaddr` for an access of type `acc` at MMU index `mmu` (runtime.h MMU_*): M is
 * Bare; U and S use satp with mstatus.SUM/MXR; VU and VS are two-stage (hypervisor spec
 * "Two-Stage Address Translation"): vsatp with vsstatus.SUM and vsstatus.MXR | HS
 * mstatus.MXR, then hgatp with every access user-level and only HS mstatus.MXR (h-extension.md
 * 4.3).  `hlvx`: the access is a load that needs execute, not read, permission at both stages.
 * Returns -1 with *paddr set, or the cause; for a guest-page fault *f holds the GPA (of the
 * faulting byte, or of the PTE for an implicit access) and the implicit-access pseudo-
 * instruction (0 for explicit accesses, whose caller knows the instruction).  PMP on the final
 * address is the caller's.  *dirty_w: a store to the page at this MMU index would be allowed
 * by every stage without a PTE update (each leaf has W = 1 and D = 1; Bare stages always), so
 * a load's TLB fill may grant stores too.  SUM and the U bit treat loads and stores alike; MXR
 * only widens loads, and W implies R, so it grants no store. */
int rt_mmu_translate(CPUState *cpu, uint64_t vaddr, int acc, int mmu, int hlvx,
                     uint64_t *paddr, uint64_t *span, int *dirty_w, MmuFault *f)
{
    int priv = mmu & 3;
    *span = 0;
    *dirty_w = 1;
    f->gpa = 0;
    f->gpa_valid = 0;
    f->tinst = 0;
    if (!(mmu & MMU_VU)) {
        const MmuMode *m = priv == PRV_M ? NULL : mode_for_satp(cpu->satp >> 60);
        if (!m) {   /* 4.1.11: M-mode and Bare use the address as it is */
            *paddr = vaddr;
            return -1;
        }
        Walk w = {
            .cpu = cpu, .mode = m, .root = (cpu->satp & PTE_PPN_MASK) << PAGE_BITS,
            .priv = priv, .acc = acc, .fault_acc = acc,
            .sum = (cpu->mstatus & MSTATUS_SUM) != 0, .mxr = (cpu->mstatus & MSTATUS_MXR) != 0,
            .need_x = hlvx, .fault = f,
        };
        int c = walk(&w, vaddr, paddr, span);
        *dirty_w = w.leaf_dirty_w;
        return c;
    }
    int hs_mxr = (cpu->mstatus & MSTATUS_MXR) != 0;
    /* "the lowest two bits of the PPN in hgatp always read as zeros" (x4 modes: 16 KiB root) */
    Walk g = {
        .cpu = cpu, .mode = mode_for_hgatp(cpu->hgatp >> 60),
        .root = ((cpu->hgatp & PTE_PPN_MASK) & ~3ull) << PAGE_BITS,
        .priv = PRV_U, .acc = acc, .fault_acc = acc, .gstage = 1, .fault = f,
    };
    uint64_t gpa = vaddr;
    uint64_t vs_span = 0, g_span = 0;
    const MmuMode *vm = mode_for_satp(cpu->vsatp >> 60);
    if (vm) {
        Walk w = {
            .cpu = cpu, .mode = vm, .root = (cpu->vsatp & PTE_PPN_MASK) << PAGE_BITS,
            .priv = priv, .acc = acc, .fault_acc = acc,
            .sum = (cpu->vsstatus & MSTATUS_SUM) != 0,
            .mxr = (cpu->vsstatus & MSTATUS_MXR) != 0 || hs_mxr,
            .need_x = hlvx, .g = &g, .fault = f,
        };
        int c = walk(&w, vaddr, &gpa, &vs_span);
        if (c >= 0)
            return c;
        *dirty_w = w.leaf_dirty_w;
    }
    int c = gstage(&g, gpa, acc, hs_mxr, hlvx, paddr, &g_span);
    if (c >= 0) {
        if (c == guest_page_fault(acc)) {
            f->gpa = gpa;
            f->gpa_valid = 1;
        }
        return c;
    }
    *span = vs_span | g_span;     /* both are 2^k - 1: the larger */
    *dirty_w &= g.leaf_dirty_w;
    return -1;
}
