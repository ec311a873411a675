/* Which guest pages hold translated code, and whether they changed.
 *
 * Zifencei (unprivileged spec, "Zifencei Instruction-Fetch Fence"): stores to instruction memory
 * become visible to instruction fetch after FENCE.I.  Every page that a translation was made
 * from is tracked with a snapshot of its bytes, and has a state in its RAM region's page map:
 *
 *   ARMED    no TLB grants a fast-path store to it (tag_w), so the first store after the page
 *            was armed takes the slow path, which calls rt_ram_written;
 *   WRITTEN  written since the last FENCE.I (on m->written); stores to it are granted tag_w
 *            again, so data sharing a page with code is written at full speed until FENCE.I;
 *   CHANGED  a FENCE.I found its bytes differ from the snapshot (on m->changed): the engine
 *            drops its translations (rt_code_pages_changed) and it is no longer tracked.
 *
 * FENCE.I compares only the WRITTEN pages; an unchanged one is armed again, which takes tag_w
 * from every TLB entry (of every hart) that maps it.  To find those entries without scanning
 * every TLB, the page map also remembers where tag_w was last granted for the page: one TLB
 * slot, or "many" (then all TLBs are scanned).  Every writer of guest RAM other than a tag_w
 * fast-path store must call rt_ram_written: the store slow path, the atomics, the walker's A/D
 * updates and host-side writes (loaders, device DMA through GuestMemory.write_bytes). */
#include "runtime.h"
#include <stdlib.h>
#include <time.h>

typedef struct CodePage {
    uint64_t ppage;
    uint8_t *snap;
    struct CodePage *next;      /* hash chain */
    struct CodePage *next_list; /* m->written or m->changed */
} CodePage;

/* A page map word: the code-page state, and where tag_w was granted for the page. */
#define PS_STATE 3u
#define PS_NONE 0u
#define PS_ARMED 1u
#define PS_WRITTEN 2u
#define PS_CHANGED 3u
#define PS_GRANT_SHIFT 2
#define PS_GRANT (3u << PS_GRANT_SHIFT)
#define PS_GRANT_NONE (0u << PS_GRANT_SHIFT)
#define PS_GRANT_ONE (1u << PS_GRANT_SHIFT)
#define PS_GRANT_MANY (2u << PS_GRANT_SHIFT)
#define PS_LOC_SHIFT 4      /* the one slot: (hart << 3 | mmu) << TLB_BITS | index */

_Static_assert(NB_MMU_IDX <= 8, "page map slot holds a 3-bit MMU index");
_Static_assert(PS_LOC_SHIFT + 8 + 3 + TLB_BITS <= 32, "page map slot does not fit");

static inline uint32_t page_hash(uint64_t ppage)
{
    return (uint32_t)((ppage >> PAGE_BITS) * 0x9E3779B1u) & (CODE_PAGE_HASH - 1);
}

RamRegion *rt_ram_region(RtMachine *m, uint64_t paddr)
{
    for (int i = 0; i < m->nram; i++)
        if (paddr - m->ram[i].base < m->ram[i].size)
            return &m->ram[i];
    return NULL;
}

static uint8_t *page_host(RtMachine *m, uint64_t ppage)
{
    RamRegion *r = rt_ram_region(m, ppage);
    if (!r || ppage + PAGE_SIZE > r->base + r->size)
        return NULL;
    return r->host + (ppage - r->base);
}

/* The page map word of `paddr` in region r, the map allocated on first use (NULL if memory ran
 * out). */
static uint32_t *page_word(RamRegion *r, uint64_t paddr)
{
    if (!r->pstate) {
        r->pstate = calloc((r->size + PAGE_SIZE - 1) >> PAGE_BITS, sizeof *r->pstate);
        if (!r->pstate)
            return NULL;
    }
    return &r->pstate[(paddr - r->base) >> PAGE_BITS];
}

static CodePage *lookup(RtMachine *m, uint64_t ppage)
{
    for (CodePage *p = m->code_pages[page_hash(ppage)]; p; p = p->next)
        if (p->ppage == ppage)
            return p;
    return NULL;
}

/* ---- TLB write grants -------------------------------------------------------------------- */

static inline uint8_t *entry_host_w(CPUState *cpu, const TLBEntry *e)
{
    return cpu->mem_base + (e->tag_w + e->addend);
}

/* Take tag_w from the TLB entries of every known hart that map host page `host`. */
static void scan_revoke(RtMachine *m, const uint8_t *host)
{
    m->stat_full_scans++;
    for (int h = 0; h < MAX_HARTS; h++) {
        CPUState *cpu = m->harts[h];
        if (!cpu)
            continue;
        for (int mmu = 0; mmu < NB_MMU_IDX; mmu++)
            for (int i = 0; i < TLB_SIZE; i++) {
                TLBEntry *e = &cpu->tlb[mmu][i];
                if (e->tag_w != TLB_INVALID && entry_host_w(cpu, e) == host)
                    e->tag_w = TLB_INVALID;
            }
    }
}

static TLBEntry *slot_entry(RtMachine *m, uint32_t w, CPUState **cpu_out)
{
    uint32_t loc = w >> PS_LOC_SHIFT;
    CPUState *cpu = m->harts[loc >> (TLB_BITS + 3)];
    *cpu_out = cpu;
    if (!cpu)
        return NULL;
    return &cpu->tlb[(loc >> TLB_BITS) & 7][loc & (TLB_SIZE - 1)];
}

/* Does the remembered slot of page word `w` still grant a store to host page `host`? */
static int slot_grants(RtMachine *m, uint32_t w, const uint8_t *host, TLBEntry **e_out)
{
    CPUState *cpu;
    TLBEntry *e = slot_entry(m, w, &cpu);
    *e_out = e;
    return e && e->tag_w != TLB_INVALID && entry_host_w(cpu, e) == host;
}

/* No TLB may grant a fast store to the page of word *pw (host page `host`) any more. */
static void revoke(RtMachine *m, uint32_t *pw, const uint8_t *host)
{
    uint32_t grant = *pw & PS_GRANT;
    TLBEntry *e;
    if (m->grant_hints_lost || grant == PS_GRANT_MANY)
        scan_revoke(m, host);
    else if (grant == PS_GRANT_ONE && slot_grants(m, *pw, host, &e))
        e->tag_w = TLB_INVALID;
    *pw &= ~(PS_GRANT | (~0u << PS_LOC_SHIFT));
}

/* tlb_fill asks whether it may set tag_w in cpu->tlb[mmu][idx] for physical page `ppage` of
 * region r: not while the page is an armed code page.  A grant is remembered (see above). */
int rt_code_page_grant_w(CPUState *cpu, RamRegion *r, uint64_t ppage, int mmu, unsigned idx)
{
    RtMachine *m = RT(cpu);
    uint64_t hart = cpu->hart_index;
    if (hart >= MAX_HARTS)
        return 0;       /* its TLBs could not be found again: never grant */
    uint32_t *pw = page_word(r, ppage);
    if (!pw)
        return 0;
    if ((*pw & PS_STATE) == PS_ARMED)
        return 0;
    m->harts[hart] = cpu;
    uint32_t loc = (((uint32_t)hart << 3 | (uint32_t)mmu) << TLB_BITS) | idx;
    uint32_t grant = *pw & PS_GRANT;
    uint8_t *host = r->host + (ppage - r->base);
    TLBEntry *e;
    if (grant == PS_GRANT_ONE && (*pw >> PS_LOC_SHIFT) != loc && slot_grants(m, *pw, host, &e))
        grant = PS_GRANT_MANY;      /* a second live grant */
    else if (grant != PS_GRANT_MANY)
        grant = PS_GRANT_ONE;
    *pw = (*pw & PS_STATE) | grant | (grant == PS_GRANT_ONE ? loc << PS_LOC_SHIFT : 0);
    return 1;
}

/* ---- writes ------------------------------------------------------------------------------ */

/* [paddr, paddr + len) of region r was written other than through a TLB tag_w: armed code
 * pages in it become WRITTEN (FENCE.I will compare them). */
void rt_code_pages_note_write(RtMachine *m, RamRegion *r, uint64_t paddr, uint64_t len)
{
    if (!r->pstate || !len)
        return;
    uint64_t last = paddr + len - 1;
    if (last >= r->base + r->size)
        last = r->base + r->size - 1;
    for (uint64_t pg = paddr & -(uint64_t)PAGE_SIZE; pg <= last; pg += PAGE_SIZE) {
        uint32_t *pw = &r->pstate[(pg - r->base) >> PAGE_BITS];
        if ((*pw & PS_STATE) != PS_ARMED)
            continue;
        CodePage *p = lookup(m, pg);
        if (!p) {       /* cannot happen: ARMED pages are tracked */
            *pw &= ~PS_STATE;
            continue;
        }
        *pw = (*pw & ~PS_STATE) | PS_WRITTEN;
        p->next_list = m->written;
        m->written = p;
    }
}

/* The host side wrote guest physical [paddr, paddr + len) (loaders, DMA). */
void rt_ram_written(RtMachine *m, uint64_t paddr, uint64_t len)
{
    while (len) {
        RamRegion *r = rt_ram_region(m, paddr);
        if (!r)
            return;
        uint64_t n = r->base + r->size - paddr;
        if (n > len)
            n = len;
        rt_code_pages_note_write(m, r, paddr, n);
        paddr += n;
        len -= n;
    }
}

/* ---- tracking ---------------------------------------------------------------------------- */

/* Start tracking a page (no-op if tracked): snapshot it and arm it.  Returns 0, or -1 if it
 * is not RAM or memory ran out (then every FENCE.I goes to the engine, which drops everything
 * as a fallback). */
int rt_code_page_track(RtMachine *m, uint64_t ppage)
{
    ppage &= -(uint64_t)PAGE_SIZE;
    if (lookup(m, ppage))
        return 0;
    RamRegion *r = rt_ram_region(m, ppage);
    uint8_t *host = page_host(m, ppage);
    uint32_t *pw = host ? page_word(r, ppage) : NULL;
    CodePage *p = pw ? malloc(sizeof *p) : NULL;
    uint8_t *snap = p ? malloc(PAGE_SIZE) : NULL;
    if (!snap) {
        free(p);
        m->code_untracked = 1;
        return -1;
    }
    memcpy(snap, host, PAGE_SIZE);
    uint32_t h = page_hash(ppage);
    *p = (CodePage){ppage, snap, m->code_pages[h], NULL};
    m->code_pages[h] = p;
    m->ncode_pages++;
    m->stat_tracks++;
    *pw = (*pw & ~PS_STATE) | PS_ARMED;
    revoke(m, pw, host);
    return 0;
}

/* FENCE.I on any hart: compare the pages written since the last one with their snapshots; arm
 * the unchanged ones again and queue the changed ones for the engine.  Returns 1 if the engine
 * has work (changed pages, or an untracked translation), 0 if nothing changed. */
int rt_code_pages_fence(RtMachine *m)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    m->stat_fence_i++;
    CodePage *p = m->written;
    m->written = NULL;
    while (p) {
        CodePage *next = p->next_list;
        RamRegion *r = rt_ram_region(m, p->ppage);
        uint32_t *pw = &r->pstate[(p->ppage - r->base) >> PAGE_BITS];
        uint8_t *host = r->host + (p->ppage - r->base);
        m->stat_pages_compared++;
        if (memcmp(host, p->snap, PAGE_SIZE) == 0) {
            *pw = (*pw & ~PS_STATE) | PS_ARMED;
            revoke(m, pw, host);
            m->stat_pages_rearmed++;
        } else {
            *pw |= PS_CHANGED;
            p->next_list = m->changed;
            m->changed = p;
        }
        p = next;
    }
    int work = m->changed != NULL || m->code_untracked;
    m->stat_fence_exits += work;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    m->stat_fence_ns += (uint64_t)(t1.tv_sec - t0.tv_sec) * 1000000000ull +
                        (uint64_t)(t1.tv_nsec - t0.tv_nsec);
    return work;
}

static void untrack(RtMachine *m, CodePage *p)
{
    CodePage **pp = &m->code_pages[page_hash(p->ppage)];
    while (*pp != p)
        pp = &(*pp)->next;
    *pp = p->next;
    free(p->snap);
    free(p);
    m->ncode_pages--;
}

/* Put up to `max` pages that FENCE.I found changed into out[], and stop tracking them (the
 * caller drops their translations; new ones track the page again).  Returns how many; a
 * return of `max` means there may be more. */
int rt_code_pages_changed(RtMachine *m, uint64_t *out, int max)
{
    int n = 0;
    while (m->changed && n < max) {
        CodePage *p = m->changed;
        m->changed = p->next_list;
        RamRegion *r = rt_ram_region(m, p->ppage);
        r->pstate[(p->ppage - r->base) >> PAGE_BITS] &= ~PS_STATE;
        out[n++] = p->ppage;
        untrack(m, p);
    }
    return n;
}

/* Stop tracking everything.  The page maps are freed too (this is also the machine's
 * teardown); the TLB grants they remembered are then unknown, so from here on arming a page
 * scans every TLB. */
void rt_code_pages_reset(RtMachine *m)
{
    for (uint32_t h = 0; h < CODE_PAGE_HASH; h++) {
        CodePage *p = m->code_pages[h];
        while (p) {
            CodePage *next = p->next;
            free(p->snap);
            free(p);
            p = next;
        }
        m->code_pages[h] = NULL;
    }
    for (int i = 0; i < m->nram; i++) {
        if (m->ram[i].pstate)
            m->grant_hints_lost = 1;
        free(m->ram[i].pstate);
        m->ram[i].pstate = NULL;
    }
    m->written = m->changed = NULL;
    m->ncode_pages = 0;
    m->code_untracked = 0;
}

/* Counters for benchmarks: FENCE.I executed, of which went to the engine, pages compared,
 * pages armed again, full TLB scans, nanoseconds in FENCE.I, pages tracked. */
void rt_code_pages_stats(RtMachine *m, uint64_t *out)
{
    out[0] = m->stat_fence_i;
    out[1] = m->stat_fence_exits;
    out[2] = m->stat_pages_compared;
    out[3] = m->stat_pages_rearmed;
    out[4] = m->stat_full_scans;
    out[5] = m->stat_fence_ns;
    out[6] = m->stat_tracks;
    out[7] = m->stat_read_grants;
}
