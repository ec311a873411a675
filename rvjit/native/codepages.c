/* Which guest pages hold translated code, and whether they changed.
 *
 * Zifencei: stores to instruction memory become visible to instruction fetch after FENCE.I.
 * Every page that a translation was made from is tracked with a snapshot of its bytes; on
 * FENCE.I the run loop asks which tracked pages differ from their snapshot, and only the
 * translations of those pages are dropped.  Stores themselves never pay anything (no
 * write-protection of code pages), so data that shares a page with code costs nothing. */
#include "runtime.h"
#include <stdlib.h>

typedef struct CodePage {
    uint64_t ppage;
    uint8_t *snap;
    struct CodePage *next;
} CodePage;

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

/* Start tracking a page (no-op if tracked).  Returns 0, or -1 if it is not RAM or memory ran
 * out (then FENCE.I drops everything as a fallback). */
int rt_code_page_track(RtMachine *m, uint64_t ppage)
{
    ppage &= -(uint64_t)PAGE_SIZE;
    uint32_t h = page_hash(ppage);
    for (CodePage *p = m->code_pages[h]; p; p = p->next)
        if (p->ppage == ppage)
            return 0;
    uint8_t *host = page_host(m, ppage);
    if (!host)
        return -1;
    CodePage *p = malloc(sizeof *p);
    uint8_t *snap = malloc(PAGE_SIZE);
    if (!p || !snap) {
        free(p);
        free(snap);
        return -1;
    }
    memcpy(snap, host, PAGE_SIZE);
    *p = (CodePage){ppage, snap, m->code_pages[h]};
    m->code_pages[h] = p;
    m->ncode_pages++;
    return 0;
}

/* Put up to `max` tracked pages whose bytes changed into out[], and stop tracking them (the
 * caller drops their translations; new ones track the page again).  Returns how many; a
 * return of `max` means there may be more. */
int rt_code_pages_changed(RtMachine *m, uint64_t *out, int max)
{
    int n = 0;
    for (uint32_t h = 0; h < CODE_PAGE_HASH && n < max; h++) {
        CodePage **pp = &m->code_pages[h];
        while (*pp && n < max) {
            CodePage *p = *pp;
            uint8_t *host = page_host(m, p->ppage);
            if (host && memcmp(host, p->snap, PAGE_SIZE) == 0) {
                pp = &p->next;
                continue;
            }
            out[n++] = p->ppage;
            *pp = p->next;
            free(p->snap);
            free(p);
            m->ncode_pages--;
        }
    }
    return n;
}

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
    m->ncode_pages = 0;
}
