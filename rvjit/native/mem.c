/* Guest physical memory: RAM regions backed by host buffers, the software-TLB fill and the slow
 * paths of loads and stores (TLB misses, misaligned accesses, MMIO), and the A extension's
 * atomics (unprivileged spec, chapter 14). */
#include "runtime.h"

int rt_add_ram(RtMachine *m, uint64_t base, uint64_t size, uint8_t *host)
{
    if (m->nram == MAX_RAM)
        return -1;
    if (!m->mem_base)
        m->mem_base = host;
    m->ram[m->nram++] = (RamRegion){base, size, host};
    return 0;
}

uint8_t *rt_mem_base(RtMachine *m)
{
    return m->mem_base;
}

static inline RamRegion *ram_find(CPUState *cpu, uint64_t paddr)
{
    RtMachine *m = RT(cpu);
    for (int i = 0; i < m->nram; i++)
        if (paddr - m->ram[i].base < m->ram[i].size)
            return &m->ram[i];
    return NULL;
}

uint8_t *rt_ram_ptr(CPUState *cpu, uint64_t paddr, uint64_t size)
{
    RamRegion *r = ram_find(cpu, paddr);
    if (!r || size > r->size - (paddr - r->base))
        return NULL;
    return r->host + (paddr - r->base);
}

/* Flush every MMU index.  Also called after every change of the PMP CSRs (csr.c; a host
 * that sets them directly must call it too): the decoded PMP entries go as well. */
void rt_tlb_flush(CPUState *cpu)
{
    HartRt *h = rt_hart(cpu);
    if (h) {
        rt_tlb_flush_mmu(cpu, (1u << NB_MMU_IDX) - 1);
        h->pmp.valid = 0;
    } else {
        memset(cpu->tlb, 0xff, sizeof cpu->tlb);
    }
    cpu->tlb_multi = 0;
}

/* Empty the TLB whatever it holds (a CPU state being reset: rt_tlb_flush trusts tlb_used). */
void rt_tlb_reset(CPUState *cpu)
{
    HartRt *h = rt_hart(cpu);
    if (h)
        h->tlb_used = (1u << NB_MMU_IDX) - 1;
    memset(cpu->tlb, 0xff, sizeof cpu->tlb);
    rt_tlb_flush(cpu);
}

/* Flush the MMU indices in `mask` (bit i: MMU index i; see MMU_* in runtime.h): those of them
 * that may hold entries (every one, for a CPU state without hart tables). */
void rt_tlb_flush_mmu(CPUState *cpu, unsigned mask)
{
    HartRt *h = rt_hart(cpu);
    if (h) {
        mask &= h->tlb_used;
        h->tlb_used &= ~mask;
    }
    for (int i = 0; i < NB_MMU_IDX; i++)
        if ((mask >> i) & 1) {
            memset(cpu->tlb[i], 0xff, sizeof cpu->tlb[i]);
            if (h)
                memset(h->large_mask[i], 0, sizeof h->large_mask[i]);
        }
}

static inline int in_large_range(const HartRt *h, int mmu, uint64_t vaddr)
{
    const uint64_t *base = h->large_base[mmu], *mask = h->large_mask[mmu];
    for (int i = 0; i < LARGE_RANGES; i++)
        if (mask[i] && ((vaddr ^ base[i]) & ~mask[i]) == 0)
            return 1;
    return 0;
}

/* Drop the translations of the page holding `vaddr` in the MMU indices in `mask`.  An entry
 * filled from a superpage or NAPOT leaf stands for a larger range (4.2.1: SFENCE.VMA of any
 * address in it invalidates it), so an index whose large-page range holds vaddr goes whole
 * (all of them while such an entry was cached without a range: tlb_multi 2, no hart tables).
 * Returns 1 if more than the page went (some index was flushed whole), else 0. */
int rt_tlb_flush_page_mmu(CPUState *cpu, uint64_t vaddr, unsigned mask)
{
    HartRt *h = rt_hart(cpu);
    if (cpu->tlb_multi > 1 || (!h && cpu->tlb_multi)) {
        rt_tlb_flush_mmu(cpu, mask);
        return 1;
    }
    int whole = 0;
    uint64_t vpage = vaddr & -(uint64_t)PAGE_SIZE;
    for (int mmu = 0; mmu < NB_MMU_IDX; mmu++) {
        if (!((mask >> mmu) & 1))
            continue;
        if (h && in_large_range(h, mmu, vaddr)) {
            rt_tlb_flush_mmu(cpu, 1u << mmu);
            whole = 1;
            continue;
        }
        TLBEntry *e = &cpu->tlb[mmu][(vaddr >> PAGE_BITS) & (TLB_SIZE - 1)];
        if ((e->tag_r & -(uint64_t)PAGE_SIZE) == vpage ||
            (e->tag_w & -(uint64_t)PAGE_SIZE) == vpage ||
            (e->tag_x & -(uint64_t)PAGE_SIZE) == vpage)
            e->tag_r = e->tag_w = e->tag_x = TLB_INVALID;
    }
    return whole;
}

/* The smallest aligned range (its mask) holding two aligned ranges. */
static inline uint64_t range_union(uint64_t base1, uint64_t mask1, uint64_t base2, uint64_t mask2)
{
    uint64_t m = mask1 | mask2;
    while ((base1 ^ base2) & ~m)
        m = m << 1 | 1;
    return m;
}

/* An entry of MMU index `mmu` for `vaddr` comes from a leaf mapping span + 1 bytes (span > 0):
 * make the index's large-page ranges cover that leaf's whole range.  With no free range, the
 * two of the ranges and the leaf's whose union is smallest become one (a kernel image's
 * superpages coalesce rather than swallow the space between them and the linear map). */
static void tlb_note_large(CPUState *cpu, int mmu, uint64_t vaddr, uint64_t span)
{
    HartRt *h = rt_hart(cpu);
    if (!h) {
        cpu->tlb_multi = 2;
        return;
    }
    if (!cpu->tlb_multi)
        cpu->tlb_multi = 1;
    uint64_t base[LARGE_RANGES + 1], mask[LARGE_RANGES + 1];
    uint64_t *hb = h->large_base[mmu], *hm = h->large_mask[mmu];
    for (int i = 0; i < LARGE_RANGES; i++) {
        if (!hm[i]) {
            hm[i] = span;
            hb[i] = vaddr & ~span;
            return;
        }
        if (((vaddr ^ hb[i]) & ~hm[i]) == 0 && (span & ~hm[i]) == 0)
            return;                 /* already covered */
        base[i] = hb[i];
        mask[i] = hm[i];
    }
    base[LARGE_RANGES] = vaddr & ~span;
    mask[LARGE_RANGES] = span;
    int bi = 0, bj = 1;
    uint64_t best = ~0ull;
    for (int i = 0; i < LARGE_RANGES; i++)
        for (int j = i + 1; j <= LARGE_RANGES; j++) {
            uint64_t m = range_union(base[i], mask[i], base[j], mask[j]);
            if (m < best) {
                best = m;
                bi = i;
                bj = j;
            }
        }
    hm[bi] = best;
    hb[bi] = base[bi] & ~best;
    if (bj < LARGE_RANGES) {        /* slot bj is free now: the leaf's range goes there */
        hm[bj] = span;
        hb[bj] = vaddr & ~span;
    }
}

/* Virtual -> physical for an access of `size` bytes (not crossing a page) of type `acc` at MMU
 * index `mmu` (runtime.h MMU_*: the privilege, + 4 for two-stage; MPRV already applied by
 * rt_update_flags).  Returns -1 on success, else the cause of the fault (*f: its guest
 * physical address, see rt_mmu_translate).  Then PMP checks the physical range (3.7) at the
 * nominal privilege (hypervisor spec: S for VS, U for VU); an HLVX needs PMP R and X
 * ("norm:hlsv_*").  *span is nonzero when the page belongs to a superpage or NAPOT range;
 * *dirty_w when the page tables would let a store through as they are (rt_mmu_translate). */
static int translate(CPUState *cpu, uint64_t vaddr, unsigned size, int acc, int mmu, int hlvx,
                     uint64_t *paddr, uint64_t *span, int *dirty_w, MmuFault *f)
{
    int priv = mmu & 3;
    int cause = rt_mmu_translate(cpu, vaddr, acc, mmu, hlvx, paddr, span, dirty_w, f);
    if (cause >= 0)
        return cause;
    if (!rt_pmp_check(cpu, *paddr, size, acc, priv) ||
        (hlvx && !rt_pmp_check(cpu, *paddr, size, ACC_EXEC, priv)))
        return acc == ACC_EXEC ? EXC_INSN_ACCESS : acc == ACC_WRITE ? EXC_STORE_ACCESS
                                                                    : EXC_LOAD_ACCESS;
    return -1;
}

int rt_translate(CPUState *cpu, uint64_t vaddr, int acc, int mmu_idx, uint64_t *paddr)
{
    uint64_t span;
    int dirty_w;
    MmuFault f;
    return translate(cpu, vaddr, 1, acc, mmu_idx, 0, paddr, &span, &dirty_w, &f);
}

/* Enter page `vaddr` -> `paddr` (in region r) into TLB entry e: an entry holds one virtual
 * page's mapping (addend) and the accesses it grants (tags), so an entry that held another
 * mapping loses its tags first. */
static inline void tlb_entry_set(CPUState *cpu, int mmu, TLBEntry *e, uint64_t vpage,
                                 uint64_t ppage, RamRegion *r)
{
    HartRt *h = rt_hart(cpu);
    if (h)
        h->tlb_used |= 1u << mmu;
    int64_t addend = (int64_t)((r->host + (ppage - r->base)) - cpu->mem_base) - (int64_t)vpage;
    if (e->addend != addend || (e->tag_r != TLB_INVALID && e->tag_r != vpage) ||
        (e->tag_w != TLB_INVALID && e->tag_w != vpage) ||
        (e->tag_x != TLB_INVALID && e->tag_x != vpage))
        e->tag_r = e->tag_w = e->tag_x = TLB_INVALID;
    e->addend = addend;
}

/* Instruction fetch translates with execute permission in the fetch regime, (V, priv): MPRV
 * does not apply to fetches (3.1.6.3).  TBFLAG_VIRT is bit 2, so the flags' low 3 bits are
 * the MMU index priv | V << 2.  *f (may be NULL) receives the fault's GPA.  A successful
 * translation of a page that is all RAM and that PMP lets this privilege execute as a whole
 * enters the TLB (tag_x), like tlb_fill's data pages. */
static int fetch_translate(CPUState *cpu, uint64_t vaddr, uint64_t *paddr, MmuFault *f)
{
    uint64_t span;
    int dirty_w;
    MmuFault dummy;
    int mmu = (int)(cpu->tb_flags & (TBFLAG_PRIV_MASK | TBFLAG_VIRT));
    int cause = translate(cpu, vaddr, 2, ACC_EXEC, mmu, 0, paddr, &span, &dirty_w,
                          f ? f : &dummy);
    if (cause >= 0)
        return cause;
    RamRegion *r = ram_find(cpu, *paddr);
    if (!r)
        return EXC_INSN_ACCESS;
    uint64_t vpage = vaddr & -(uint64_t)PAGE_SIZE, ppage = *paddr & -(uint64_t)PAGE_SIZE;
    if (ppage >= r->base && ppage + PAGE_SIZE <= r->base + r->size &&
        rt_pmp_check(cpu, ppage, PAGE_SIZE, ACC_EXEC, mmu & 3)) {
        TLBEntry *e = &cpu->tlb[mmu][(vaddr >> PAGE_BITS) & (TLB_SIZE - 1)];
        tlb_entry_set(cpu, mmu, e, vpage, ppage, r);
        e->tag_x = vpage;
        if (span)
            tlb_note_large(cpu, mmu, vaddr, span);
    }
    return -1;
}

/* The physical address of host address p in guest RAM (a TLB entry's page), or ~0. */
static inline uint64_t host_paddr(RtMachine *m, const uint8_t *p)
{
    for (int i = 0; i < m->nram; i++)
        if ((uintptr_t)(p - m->ram[i].host) < m->ram[i].size)
            return m->ram[i].base + (uint64_t)(p - m->ram[i].host);
    return ~0ull;
}

/* Fetch translation, from the TLB when the fetch regime's entry for the page grants execute
 * (the physical address comes back from the host address). */
int rt_fetch_translate(CPUState *cpu, uint64_t vaddr, uint64_t *paddr)
{
    int mmu = (int)(cpu->tb_flags & (TBFLAG_PRIV_MASK | TBFLAG_VIRT));
    TLBEntry *e = &cpu->tlb[mmu][(vaddr >> PAGE_BITS) & (TLB_SIZE - 1)];
    HartRt *h = rt_hart(cpu);
    if ((vaddr & (-(uint64_t)PAGE_SIZE | 1)) == e->tag_x) {
        uint64_t pa = host_paddr(RT(cpu), cpu->mem_base + (vaddr + e->addend));
        if (pa != ~0ull) {
            if (h)
                h->stat_fetch_tlb_hits++;
            *paddr = pa;
            return -1;
        }
    }
    if (h)
        h->stat_fetch_walks++;
    return fetch_translate(cpu, vaddr, paddr, NULL);
}

/* Raise the fetch fault at `vaddr` (the block's first instruction, or its second half) as it
 * stands now, with its guest-page-fault facts; 0 if the fetch no longer faults (the caller's
 * block then re-dispatches). */
int rt_raise_fetch_fault(CPUState *cpu, uint64_t vaddr)
{
    uint64_t paddr;
    MmuFault f;
    int cause = fetch_translate(cpu, vaddr, &paddr, &f);
    if (cause < 0)
        return 0;
    /* "tinst ... 0 for fetch faults" (h-extension.md 4.5): instruction fetches have no
     * transformed form. */
    if (cpu->virt)
        rt_set_exc_guest(cpu, &f, 0);
    rt_raise(cpu, (uint64_t)cause, vaddr);
    return 1;
}

static inline uint64_t extend(uint64_t v, unsigned size, int sgn)
{
    if (!sgn || size == 8)
        return v;
    unsigned sh = 64 - 8 * size;
    return (uint64_t)((int64_t)(v << sh) >> sh);
}

/* Enter the page of a successful access into the TLB of `mmu`.  The access proved that the
 * page permits `acc` at this MMU index (and a read, which the walker grants wherever it grants
 * a write: W implies R), and a write has set D; so tag_r is set always, and tag_w for a write
 * or for a read whose translation would also let a store through untouched (`dirty_w`: every
 * leaf W = D = 1) when PMP allows writing the page.  tag_w is never set for an armed code page
 * (codepages.c: its first store must take the slow path).  A page that PMP does not treat as
 * one whole is left out, so that each access to it takes the slow path and is checked. */
static void tlb_fill(CPUState *cpu, int mmu, uint64_t vaddr, uint64_t paddr, RamRegion *r,
                     int acc, uint64_t span, int dirty_w)
{
    unsigned idx = (vaddr >> PAGE_BITS) & (TLB_SIZE - 1);
    TLBEntry *e = &cpu->tlb[mmu][idx];
    uint64_t vpage = vaddr & -(uint64_t)PAGE_SIZE, ppage = paddr & -(uint64_t)PAGE_SIZE;
    /* Only whole pages of RAM enter the TLB. */
    if (ppage < r->base || ppage + PAGE_SIZE > r->base + r->size)
        return;
    unsigned pmp = rt_pmp_perms(cpu, ppage, PAGE_SIZE, mmu & 3);
    if (!(pmp & PMP_R))
        return;
    int pmp_w = (pmp & PMP_W) != 0;
    if (acc == ACC_WRITE && !pmp_w)
        return;
    cpu->stat_tlb_miss++;
    if (span)
        tlb_note_large(cpu, mmu, vaddr, span);
    tlb_entry_set(cpu, mmu, e, vpage, ppage, r);
    if ((acc == ACC_WRITE || (dirty_w && pmp_w)) && rt_code_page_grant_w(cpu, r, ppage, mmu, idx)) {
        if (acc != ACC_WRITE)
            RT(cpu)->stat_read_grants++;
        e->tag_w = vpage;
    }
    e->tag_r = vpage;
}

/* One access that does not cross a page; returns -1 or the cause of a fault (*f: its GPA).
 * An HLVX never enters the TLB (its permission check differs from HLV's at the same MMU
 * index). */
static int access_one(CPUState *cpu, uint64_t vaddr, unsigned size, int acc, int mmu, int hlvx,
                      uint64_t *val, MmuFault *f)
{
    uint64_t paddr;
    uint64_t span;
    int dirty_w;
    int cause = translate(cpu, vaddr, size, acc, mmu, hlvx, &paddr, &span, &dirty_w, f);
    if (cause >= 0)
        return cause;
    RamRegion *r = ram_find(cpu, paddr);
    if (r && paddr + size <= r->base + r->size) {
        uint8_t *p = r->host + (paddr - r->base);
        if (acc == ACC_WRITE) {
            memcpy(p, val, size);
            rt_code_pages_note_write(RT(cpu), r, paddr, size);
        } else {
            *val = 0;
            memcpy(val, p, size);
        }
        if (!hlvx)
            tlb_fill(cpu, mmu, vaddr, paddr, r, acc, span, dirty_w);
        return -1;
    }
    uint64_t v = acc == ACC_WRITE ? *val : 0;
    if (rvjit_mmio(cpu, paddr, size, acc == ACC_WRITE, &v) != 0)
        return acc == ACC_WRITE ? EXC_STORE_ACCESS : EXC_LOAD_ACCESS;
    if (acc != ACC_WRITE)
        *val = size == 8 ? v : v & ((1ull << (8 * size)) - 1);
    return -1;
}

/* A misaligned access is emulated (privileged spec 3.6.3 allows it): byte by byte, all bytes
 * translated before any is stored, so a fault leaves memory unchanged. */
static int access_misaligned(CPUState *cpu, uint64_t *vaddr_io, unsigned size, int acc,
                             int mmu, int hlvx, uint64_t *val, MmuFault *f)
{
    uint64_t paddr, vaddr = *vaddr_io;
    uint64_t span;
    int dirty_w;
    /* 3.1.16: for a misaligned access, mtval holds the address of the portion that faulted. */
    for (unsigned i = 0; i < size; i++) {
        int cause = translate(cpu, vaddr + i, 1, acc, mmu, hlvx, &paddr, &span, &dirty_w, f);
        if (cause >= 0) {
            *vaddr_io = vaddr + i;
            return cause;
        }
    }
    uint64_t out = 0;
    for (unsigned i = 0; i < size; i++) {
        uint64_t b = acc == ACC_WRITE ? (*val >> (8 * i)) & 0xff : 0;
        int cause = access_one(cpu, vaddr + i, 1, acc, mmu, hlvx, &b, f);
        if (cause >= 0) {
            *vaddr_io = vaddr + i;
            return cause;
        }
        out |= (b & 0xff) << (8 * i);
    }
    if (acc != ACC_WRITE)
        *val = out;
    return -1;
}

/* An explicit load (acc = ACC_READ) or store of `size` bytes at `vaddr` through MMU index
 * `mmu`: *val in or out (raw, not extended).  On a fault the trap is raised here, with tval =
 * the faulting byte's address and, for a two-stage access (hypervisor spec "Trap Value
 * Registers", "Hypervisor Trap Instruction Register"), GVA = 1, the GPA of a guest-page fault
 * and htinst = the transformed instruction: `insn` when the caller knows it (HLV/HSV), else
 * read back from the pc (0 = unknown).  Returns 1 if it trapped. */
int rt_access(CPUState *cpu, uint64_t vaddr, unsigned size, int acc, int mmu, int hlvx,
              uint64_t *val, uint64_t insn)
{
    MmuFault f;
    uint64_t fault_va = vaddr;
    int cause;
    cpu->stat_slow_access++;
    if (vaddr & (size - 1))
        cause = access_misaligned(cpu, &fault_va, size, acc, mmu, hlvx, val, &f);
    else
        cause = access_one(cpu, vaddr, size, acc, mmu, hlvx, val, &f);
    if (cause < 0)
        return 0;
    if (mmu & MMU_VU)
        rt_set_exc_guest(cpu, &f, rt_transformed_insn(cpu, insn, fault_va - vaddr));
    rt_raise(cpu, (uint64_t)cause, fault_va);
    return 1;
}

uint64_t rt_load_slow(CPUState *cpu, uint64_t vaddr, uint64_t memop)
{
    unsigned size = memop & 15;
    int sgn = (memop >> 4) & 1, mmu = (memop >> 8) & 0xff;
    uint64_t v = 0;
    if (rt_access(cpu, vaddr, size, ACC_READ, mmu, 0, &v, 0))
        return 0;
    return extend(v, size, sgn);
}

void rt_store_slow(CPUState *cpu, uint64_t vaddr, uint64_t val, uint64_t memop)
{
    rt_access(cpu, vaddr, memop & 15, ACC_WRITE, (memop >> 8) & 0xff, 0, &val, 0);
}

/* ---- A extension ------------------------------------------------------------------------ */

static uint8_t *atomic_fault(CPUState *cpu, int mmu, const MmuFault *f, int cause,
                             uint64_t vaddr)
{
    if (mmu & MMU_VU)       /* tval is a guest virtual address (see rt_access) */
        rt_set_exc_guest(cpu, f, rt_transformed_insn(cpu, 0, 0));
    rt_raise(cpu, (uint64_t)cause, vaddr);
    return NULL;
}

/* Atomics need aligned RAM (14.4: misaligned -> address-misaligned; this machine's MMIO
 * regions do not support them -> access fault).  Returns the host pointer or NULL after
 * raising the trap.  For a write (AMO, SC) the page counts as written (codepages.c) whether
 * or not the store happens: it is compared at the next FENCE.I either way. */
static uint8_t *atomic_ptr(CPUState *cpu, uint64_t vaddr, unsigned size, int acc, int mmu,
                           uint64_t *paddr_out)
{
    MmuFault f = {0, 0, 0};
    if (vaddr & (size - 1))
        return atomic_fault(cpu, mmu, &f,
                            acc == ACC_READ ? EXC_LOAD_MISALIGNED : EXC_STORE_MISALIGNED, vaddr);
    uint64_t paddr;
    uint64_t span;
    int dirty_w;
    int cause = translate(cpu, vaddr, size, acc, mmu, 0, &paddr, &span, &dirty_w, &f);
    if (cause >= 0)
        return atomic_fault(cpu, mmu, &f, cause, vaddr);
    RamRegion *r = ram_find(cpu, paddr);
    if (!r || size > r->size - (paddr - r->base))
        return atomic_fault(cpu, mmu, &f, acc == ACC_READ ? EXC_LOAD_ACCESS : EXC_STORE_ACCESS,
                            vaddr);
    if (acc == ACC_WRITE)
        rt_code_pages_note_write(RT(cpu), r, paddr, size);
    *paddr_out = paddr;
    return r->host + (paddr - r->base);
}

static inline uint64_t load_n(const uint8_t *p, unsigned size)
{
    if (size == 4) {
        int32_t v;
        memcpy(&v, p, 4);
        return (uint64_t)(int64_t)v;
    }
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

uint64_t helper_lr(CPUState *cpu, uint64_t vaddr, uint64_t memop)
{
    unsigned size = memop & 15;
    uint64_t paddr;
    uint8_t *p = atomic_ptr(cpu, vaddr, size, ACC_READ, (memop >> 8) & 0xff, &paddr);
    if (!p)
        return 0;
    cpu->res_addr = paddr;
    cpu->res_valid = 1;
    return load_n(p, size);
}

uint64_t helper_sc(CPUState *cpu, uint64_t vaddr, uint64_t val, uint64_t memop)
{
    unsigned size = memop & 15;
    uint64_t paddr;
    uint8_t *p = atomic_ptr(cpu, vaddr, size, ACC_WRITE, (memop >> 8) & 0xff, &paddr);
    if (!p)
        return 0;
    int ok = cpu->res_valid && cpu->res_addr == paddr;
    cpu->res_valid = 0;     /* 14.2: SC invalidates the reservation, whether it succeeds or not */
    if (!ok)
        return 1;
    memcpy(p, &val, size);
    return 0;
}

uint64_t helper_amo(CPUState *cpu, uint64_t vaddr, uint64_t val, uint64_t memop)
{
    unsigned size = memop & 15, func = (memop >> 16) & 0xff;
    uint64_t paddr;
    uint8_t *p = atomic_ptr(cpu, vaddr, size, ACC_WRITE, (memop >> 8) & 0xff, &paddr);
    if (!p)
        return 0;
    uint64_t old = load_n(p, size), res;
    uint64_t a = old, b = val;
    if (size == 4) {   /* compare 32-bit values as their sign/zero-extended selves */
        b = (uint64_t)(int64_t)(int32_t)val;
    }
    switch (func) {
    case 0x00: res = a + b; break;
    case 0x01: res = b; break;
    case 0x04: res = a ^ b; break;
    case 0x08: res = a | b; break;
    case 0x0C: res = a & b; break;
    case 0x10: res = (int64_t)a < (int64_t)b ? a : b; break;
    case 0x14: res = (int64_t)a > (int64_t)b ? a : b; break;
    case 0x18: res = size == 4 ? ((uint32_t)a < (uint32_t)b ? a : b) : (a < b ? a : b); break;
    case 0x1C: res = size == 4 ? ((uint32_t)a > (uint32_t)b ? a : b) : (a > b ? a : b); break;
    default:
        rt_raise(cpu, EXC_ILLEGAL, 0);
        return 0;
    }
    memcpy(p, &res, size);
    return old;
}
