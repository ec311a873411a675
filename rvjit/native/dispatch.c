/* The native run loop: look up the translation for (pc, flags), run it natively or in the
 * interpreter tier, and return to Python only for the EXIT_* reasons. */
#include "runtime.h"
#include <stdlib.h>
#include <sys/mman.h>

RtMachine *rt_machine_new(void)
{
    RtMachine *m = calloc(1, sizeof *m);
    if (m)
        m->hot_threshold = 50;
    return m;
}

void rt_machine_free(RtMachine *m)
{
    if (!m)
        return;
    rt_code_pages_reset(m);
    rt_xl_drop_all(m);
    free(m->xl_buf);
    for (int i = 0; i < MAX_HARTS; i++)
        if (m->hart_rt[i])
            munmap(m->hart_rt[i], sizeof(HartRt));
    free(m);
}

/* Chain tags come from one counter for the whole process, so that a tag names one hart between
 * two of its flushes (harts of other machines included); 48 bits never wrap. */
static uint64_t chain_tags;

static inline void new_chain_tag(HartRt *h)
{
    h->chain_tag = __atomic_add_fetch(&chain_tags, 1, __ATOMIC_RELAXED);
}

/* Allocate cpu's private state on first use (see rt_hart). */
HartRt *rt_hart_alloc(CPUState *cpu)
{
    RtMachine *m = RT(cpu);
    if (!m || cpu->hart_index >= MAX_HARTS)
        return NULL;
    HartRt **slot = &m->hart_rt[cpu->hart_index];
    if (!*slot) {
        /* Mapped, not malloc'ed: a large block that comes and goes with each machine would
         * move malloc's mmap threshold (and so where the process's other blocks go). */
        void *p = mmap(NULL, sizeof(HartRt), PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            return NULL;
        *slot = p;
        (*slot)->jc_gen = 1;        /* the zero-filled slots (gen 0) are empty */
        (*slot)->tlb_used = ~0u;    /* entries made before: the first flush clears them all */
        new_chain_tag(*slot);
    }
    return *slot;
}

static inline uint32_t tb_hash_fn(uint64_t pc, uint64_t flags)
{
    uint64_t h = (pc >> 1) * 0x9E3779B97F4A7C15ull ^ flags * 0xC2B2AE3D27D4EB4Full;
    return (uint32_t)(h >> (64 - TB_HASH_BITS));
}

static inline uint32_t jc_index(uint64_t pc)
{
    return (uint32_t)((pc >> 1) ^ (pc >> (JC_BITS + 1))) & (JC_SIZE - 1);
}

void rt_set_hot_threshold(RtMachine *m, uint32_t n)
{
    m->hot_threshold = n;
}

/* The run loop's lookup fills the hart's jump cache from the table. */
void rt_tb_insert(RtMachine *m, TB *tb)
{
    uint32_t h = tb_hash_fn(tb->pc, tb->flags);
    for (TB *t = m->tb_hash[h]; t; t = t->hash_next)
        if (t == tb)
            return;
    tb->hash_next = m->tb_hash[h];
    m->tb_hash[h] = tb;
}

/* Forget every (pc, flags) -> TB association (the TBs themselves belong to Python). */
void rt_tb_clear(RtMachine *m)
{
    memset(m->tb_hash, 0, sizeof m->tb_hash);
    rt_jc_flush(m);
}

/* A hart's jump cache maps (virtual pc, flags) straight to a block, which is right only while
 * the pc's mapping stays: every change of the hart's address translation (SFENCE.VMA,
 * HFENCE.*, satp, vsatp, hgatp, PMP: all local to the hart, privileged spec 4.2.1; a remote
 * fence reaches each hart as its own SFENCE.VMA through SBI) flushes it, by starting a new
 * generation.  The hash table is keyed by the physical pc too and stays. */
void rt_jc_flush_hart(CPUState *cpu)
{
    HartRt *h = rt_hart(cpu);
    if (h) {
        h->jc_gen++;
        new_chain_tag(h);
        memset(h->jc_pages, 0, sizeof h->jc_pages);
    }
}

/* Drop the hart's jump-cache slots of blocks that use the virtual page of `vaddr` (an
 * SFENCE.VMA of that page): those starting in it, which jc_index maps onto one aligned run of
 * PAGE_SIZE / 2 slots, and one starting 2 bytes before it (the only block that can reach into
 * a page from the one before: a block ends at a page's end unless its first instruction
 * straddles it). */
void rt_jc_flush_page(CPUState *cpu, uint64_t vaddr)
{
    HartRt *h = rt_hart(cpu);
    if (!h)
        return;
    new_chain_tag(h);
    uint64_t vpage = vaddr & -(uint64_t)PAGE_SIZE;
    JumpSlot *s = &h->jc[jc_index(vpage - 2)];
    if (s->gen == h->jc_gen && s->tb->pc == vpage - 2)
        s->gen = 0;
    uint64_t bit = (vaddr >> PAGE_BITS) % JC_PAGE_BITS;
    if (!(h->jc_pages[bit / 64] & (1ull << (bit % 64))))
        return;
    uint32_t first = jc_index(vpage) & ~(uint32_t)(PAGE_SIZE / 2 - 1);
    for (uint32_t j = first; j < first + PAGE_SIZE / 2; j++) {
        s = &h->jc[j];
        if (s->gen == h->jc_gen && (s->tb->pc & -(uint64_t)PAGE_SIZE) == vpage)
            s->gen = 0;
    }
}

/* Flush the jump cache of every hart. */
void rt_jc_flush(RtMachine *m)
{
    for (int i = 0; i < MAX_HARTS; i++)
        if (m->hart_rt[i]) {
            m->hart_rt[i]->jc_gen++;
            new_chain_tag(m->hart_rt[i]);
            memset(m->hart_rt[i]->jc_pages, 0, sizeof m->hart_rt[i]->jc_pages);
        }
}

/* `tb` is going away: no table may point at it any more. */
void rt_tb_remove(RtMachine *m, TB *tb)
{
    TB **pp = &m->tb_hash[tb_hash_fn(tb->pc, tb->flags)];
    for (; *pp; pp = &(*pp)->hash_next)
        if (*pp == tb) {
            *pp = tb->hash_next;
            break;
        }
    uint32_t j = jc_index(tb->pc);
    for (int i = 0; i < MAX_HARTS; i++)
        if (m->hart_rt[i]) {
            new_chain_tag(m->hart_rt[i]);       /* a link may lead to tb */
            if (m->hart_rt[i]->jc[j].tb == tb)
                m->hart_rt[i]->jc[j] = (JumpSlot){NULL, 0};
        }
}

/* The block in the table for (virtual pc, physical pc, flags), or NULL. */
TB *rt_tb_find(RtMachine *m, uint64_t pc, uint64_t ppc, uint64_t flags)
{
    for (TB *tb = m->tb_hash[tb_hash_fn(pc, flags)]; tb; tb = tb->hash_next)
        if (tb->pc == pc && tb->flags == flags && tb->ppc == ppc)
            return tb;
    return NULL;
}

/* One block of a page image (exec/xlate_cache.py, PAGE_BLOCK): where its guest bytes and its
 * interpreter records are in the image, and what its TB holds. */
typedef struct PageBlock {
    uint32_t off;           /* its pc's offset in the page */
    uint32_t code_len, code_off, rec_off;
    uint32_t nops, ntemps, ninsns;
    uint32_t attrs;
} PageBlock;

#define PAGE_BLOCK_UNUSABLE 2u

/* Install the blocks of a page image that still match guest memory: the image holds n blocks
 * translated at virtual page `vpage` under `flags`, ordered by pc, the variants of one pc
 * adjacent; a block is installed for physical page `ppage` if its bytes equal those at its
 * offset in the page, it is the first variant of its pc to match, none of its attributes is in
 * `skip`, and the table has no block for its (pc, physical pc, flags) yet.  tbs[i] becomes the
 * TB of block i (left zero when not installed); the records are run in place, so the image and
 * tbs (both the caller's) must outlive the TBs (rt_tb_remove_page).  A later call with the
 * same image and tbs (after the caller changed attributes) installs only blocks not installed
 * before.  Returns how many were installed, or -1 if ppage is not RAM.  The caller tracks the
 * page for FENCE.I. */
int rt_tb_install_page(RtMachine *m, uint64_t vpage, uint64_t ppage, uint64_t flags,
                       uint8_t *image, uint32_t n, uint32_t skip, TB *tbs)
{
    RamRegion *r = rt_ram_region(m, ppage);
    if (!r || ppage + PAGE_SIZE > r->base + r->size || (ppage & (PAGE_SIZE - 1)))
        return -1;
    const uint8_t *host = r->host + (ppage - r->base);
    const PageBlock *blocks = (const PageBlock *)image;
    uint32_t matched = UINT32_MAX;      /* the offset whose variant matched */
    int count = 0;
    skip |= PAGE_BLOCK_UNUSABLE;
    for (uint32_t i = 0; i < n; i++) {
        const PageBlock *b = &blocks[i];
        if (b->off == matched)
            continue;
        if (tbs[i].ops) {       /* installed by an earlier call (perhaps removed since) */
            matched = b->off;
            continue;
        }
        if (b->off + b->code_len > PAGE_SIZE ||
            memcmp(host + b->off, image + b->code_off, b->code_len) != 0)
            continue;
        matched = b->off;
        uint64_t pc = vpage + b->off, ppc = ppage + b->off;
        if ((b->attrs & skip) || rt_tb_find(m, pc, ppc, flags))
            continue;
        TB *tb = &tbs[i];
        *tb = (TB){.pc = pc, .flags = flags, .ops = (IROp *)(image + b->rec_off),
                   .nops = b->nops, .ntemps = b->ntemps, .ninsns = b->ninsns, .ppc = ppc};
        uint32_t h = tb_hash_fn(pc, flags);
        tb->hash_next = m->tb_hash[h];
        m->tb_hash[h] = tb;
        count++;
    }
    return count;
}

/* Take the blocks rt_tb_install_page installed from tbs[0..n) out of every table. */
void rt_tb_remove_page(RtMachine *m, TB *tbs, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        if (tbs[i].ops)
            rt_tb_remove(m, &tbs[i]);
}

/* An EXIT record's link (see chain_next): the block that followed it (k) and the hart's chain
 * tag when it was made (48 bits in b, c, r). */
static inline uint64_t link_tag(const IROp *o)
{
    return o->b | (uint64_t)o->c << 16 | (uint64_t)o->r << 32;
}

static inline void link_set(IROp *o, TB *tb, uint64_t tag)
{
    o->k = (uintptr_t)tb;
    o->b = (uint16_t)tag;
    o->c = (uint16_t)(tag >> 16);
    o->r = (uint16_t)(tag >> 32);
}

static inline TB *tb_lookup(CPUState *cpu, RtMachine *m, HartRt *h, uint64_t pc,
                            uint64_t flags)
{
    JumpSlot *s = &h->jc[jc_index(pc)];
    TB *tb = s->tb;
    if (s->gen == h->jc_gen && tb->pc == pc && tb->flags == flags) {
        h->stat_jc_hits++;
        return tb;
    }
    h->stat_jc_misses++;
    uint64_t ppc;
    if (rt_fetch_translate(cpu, pc, &ppc) >= 0)
        ppc = ~0ull;
    /* Only a block at a page's last parcel can straddle: its second page must map as when
     * it was translated. */
    uint64_t ppc2 = 0;
    if ((pc & (PAGE_SIZE - 1)) == PAGE_SIZE - 2 && rt_fetch_translate(cpu, pc + 2, &ppc2) < 0)
        ppc2 &= -(uint64_t)PAGE_SIZE;
    else
        ppc2 = ~0ull;
    for (tb = m->tb_hash[tb_hash_fn(pc, flags)]; tb; tb = tb->hash_next)
        if (tb->pc == pc && tb->flags == flags && tb->ppc == ppc &&
            (tb->ppc2 == 0 || tb->ppc2 == ppc2))
            break;
    if (tb) {
        *s = (JumpSlot){tb, h->jc_gen};
        uint64_t bit = (pc >> PAGE_BITS) % JC_PAGE_BITS;
        h->jc_pages[bit / 64] |= 1ull << (bit % 64);
    }
    return tb;
}

/* Run-loop statistics of one hart: jump-cache hits and misses, fetch translations that hit
 * the TLB and that walked, timer polls, lookups an EXIT record's link answered.  Returns how many were written to out. */
int rt_run_stats(RtMachine *m, uint64_t hart, uint64_t *out, int max)
{
    HartRt *h = hart < MAX_HARTS ? m->hart_rt[hart] : NULL;
    uint64_t v[] = {h ? h->stat_jc_hits : 0, h ? h->stat_jc_misses : 0,
                    h ? h->stat_fetch_tlb_hits : 0, h ? h->stat_fetch_walks : 0,
                    h ? h->stat_timer_polls : 0, h ? h->stat_chain_hits : 0};
    int n = 0;
    for (; n < max && n < (int)(sizeof v / sizeof v[0]); n++)
        out[n] = v[n];
    return n;
}

/* How often the run loop compares mtime with the timer compare registers, which bounds the
 * delay of a timer interrupt: with host time, after TIMER_POLL_INSNS guest instructions or
 * TIMER_POLL_BLOCKS dispatches, whichever comes first (reading the host clock costs as much as
 * running a short block; at the usual tens to hundreds of MIPS this is still every 20-200 us,
 * well under a guest timer tick); with deterministic time, before every block.  NATIVE_SLICE
 * is the longest run of a native region between two returns here. */
#define TIMER_POLL_INSNS 8192
#define TIMER_POLL_BLOCKS 256
#define NATIVE_SLICE 64

/* cpu->budget is the number of blocks to run before returning to Python; native regions see
 * only a slice of it so that timers and interrupts are checked between slices. */
int rt_run(CPUState *cpu)
{
    RtMachine *m = RT(cpu);
    HartRt *h = rt_hart(cpu);
    if (!h)
        return EXIT_HALT;       /* no memory for the hart's tables, or hart_index too large */
    int64_t total = cpu->budget;
    const int icount = rt_time_is_icount();
    uint64_t poll_at = 0;       /* instret at which to poll the timers next */
    int poll_blocks = 0;
    int r = EXIT_BUDGET;
    /* The EXIT record the last block left by, when it was interpreted: its link names the
     * block that followed it last time, valid while the hart's chain tag is the one it was
     * made under (no jump-cache slot dropped since; the blocks it names are then those
     * tb_lookup would find) and the block is for this pc and flags. */
    IROp *link = NULL;
    for (;;) {
        if (cpu->exit_request) {
            r = (int)cpu->exit_request;
            cpu->exit_request = 0;
            /* A WFI whose wait already ended (an interrupt was taken since) is over. */
            if (r != EXIT_WFI || cpu->wfi)
                break;
            r = EXIT_BUDGET;
        }
        if (total <= 0)
            break;
        if (icount || --poll_blocks <= 0 || cpu->instret >= poll_at) {
            poll_blocks = TIMER_POLL_BLOCKS;
            poll_at = cpu->instret + TIMER_POLL_INSNS;
            h->stat_timer_polls++;
            rt_timer_update(cpu);
        }
        if (cpu->mip & cpu->mie)
            rt_check_interrupts(cpu);
        TB *tb;
        if (link && link_tag(link) == h->chain_tag && (tb = (TB *)(uintptr_t)link->k)->pc ==
                cpu->pc && tb->flags == cpu->tb_flags) {
            h->stat_chain_hits++;
        } else {
            tb = tb_lookup(cpu, m, h, cpu->pc, cpu->tb_flags);
            /* A block made here from templates goes in the jump cache as a found one. */
            if (!tb && m->xl && rt_xl_make(cpu, m, cpu->pc, cpu->tb_flags))
                tb = tb_lookup(cpu, m, h, cpu->pc, cpu->tb_flags);
            if (!tb) {
                r = EXIT_NO_TB;
                break;
            }
            if (link)
                link_set(link, tb, h->chain_tag);
        }
        link = NULL;
        if (tb->native) {
            int64_t slice = total < NATIVE_SLICE ? total : NATIVE_SLICE;
            cpu->budget = slice;
            tb->native(cpu);
            cpu->stat_native_blocks++;
            int64_t used = slice - (cpu->budget > 0 ? cpu->budget : 0);
            total -= used > 0 ? used : 1;
        } else {
            total--;
            link = rt_interp(cpu, tb);
            cpu->stat_interp_blocks++;
            if (++tb->hits == m->hot_threshold) {
                cpu->exc_taken = 0;
                cpu->hot_tb = tb;
                r = EXIT_HOT;
                break;
            }
        }
        cpu->exc_taken = 0;
    }
    cpu->budget = total;
    return r;
}
