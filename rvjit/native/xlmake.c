/* Blocks the run loop makes itself: on a lookup miss in a page Python has allowed (its
 * translation cache holds nothing for the page, and the page is tracked for FENCE.I), the
 * block's records are assembled from templates (xltmpl.c) without leaving the run loop; only
 * an instruction word or a (class, flags) pair the tables do not know yet, or a block the
 * templates cannot make, goes back to Python (EXIT_NO_TB).
 *
 * A made block belongs to its XlPage: it is taken out of the tables and freed when Python
 * drops the page (the page's code changed, or every translation is dropped) or with the
 * machine.  Python makes a TBEntry for one only when it needs one (a hot block, a region
 * member) and reads the page's blocks back for its translation cache at exit. */
#include "runtime.h"
#include <stdlib.h>
#include <string.h>

static inline uint32_t page_hash(uint64_t vpage, uint64_t ppage, uint64_t flags)
{
    uint64_t h = (vpage >> PAGE_BITS) * 0x9E3779B97F4A7C15ull ^
                 (ppage >> PAGE_BITS) * 0xC2B2AE3D27D4EB4Full ^ flags * 0x165667B19E3779F9ull;
    return (uint32_t)(h >> 40) & (XL_PAGE_HASH - 1);
}

/* Make blocks with t's templates, of at most max_insns instructions (the translator's
 * limit). */
void rt_xl_attach(RtMachine *m, XlTable *t, uint32_t max_insns)
{
    m->xl_max_insns = max_insns;
    if (!m->xl_buf) {
        m->xl_buf = malloc(XL_BUF_RECORDS * sizeof(IROp));
        if (!m->xl_buf)
            return;             /* no native making: every miss goes to Python */
    }
    m->xl = t;
}

static XlPage *find_page(RtMachine *m, uint64_t vpage, uint64_t ppage, uint64_t flags)
{
    for (XlPage *p = m->xl_pages[page_hash(vpage, ppage, flags)]; p; p = p->hash_next)
        if (p->vpage == vpage && p->ppage == ppage && p->flags == flags)
            return p;
    return NULL;
}

/* Allow blocks of (vpage, ppage, flags) to be made natively; the page (new or the one already
 * allowed), or NULL if out of memory. */
XlPage *rt_xl_allow(RtMachine *m, uint64_t vpage, uint64_t ppage, uint64_t flags)
{
    XlPage *p = find_page(m, vpage, ppage, flags);
    if (p)
        return p;
    p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    *p = (XlPage){.vpage = vpage, .ppage = ppage, .flags = flags};
    XlPage **b = &m->xl_pages[page_hash(vpage, ppage, flags)];
    p->hash_next = *b;
    *b = p;
    return p;
}

/* The page's blocks (at most max of them, newest first); returns how many there are. */
int rt_xl_page_blocks(XlPage *p, TB **out, int max)
{
    int n = 0;
    for (MadeBlock *b = p->blocks; b; b = b->next, n++)
        if (n < max)
            out[n] = &b->tb;
    return n;
}

/* A made block's records as they were made (out: tb's MadeBlock's nrecords records): what
 * running them changed is undone (handler addresses, the links of EXIT records, the
 * temporaries' slots), so that another process can run them. */
void rt_xl_records(TB *tb, IROp *out)
{
    const MadeBlock *b = (const MadeBlock *)tb;
    memcpy(out, b->ops, b->nrecords * sizeof(IROp));
    uint32_t nrec = (uint32_t)out[0].k;
    for (uint32_t i = 0; i < nrec && i < b->nrecords; i++) {
        out[i].h = NULL;
        if (out[i].opc >> INTERP_FORM_BITS == OP_EXIT) {
            out[i].b = out[i].c = out[i].r = 0;
            out[i].k = 0;
        }
    }
    if (nrec < b->nrecords)
        memset((uint64_t *)(out + nrec), 0, (size_t)tb->ntemps * sizeof(uint64_t));
}

static void free_page(RtMachine *m, XlPage *p)
{
    for (MadeBlock *b = p->blocks, *next; b; b = next) {
        next = b->next;
        rt_tb_remove(m, &b->tb);
        free(b);
    }
    free(p);
}

/* Take the page's blocks out of every table and free them with the page. */
void rt_xl_drop_page(RtMachine *m, XlPage *p)
{
    XlPage **pp = &m->xl_pages[page_hash(p->vpage, p->ppage, p->flags)];
    for (; *pp; pp = &(*pp)->hash_next)
        if (*pp == p) {
            *pp = p->hash_next;
            break;
        }
    free_page(m, p);
}

void rt_xl_drop_all(RtMachine *m)
{
    for (uint32_t i = 0; i < XL_PAGE_HASH; i++) {
        for (XlPage *p = m->xl_pages[i], *next; p; p = next) {
            next = p->hash_next;
            free_page(m, p);
        }
        m->xl_pages[i] = NULL;
    }
}

uint64_t rt_xl_made_count(RtMachine *m)
{
    return m->stat_xl_made;
}

/* Make the block at (pc, flags) if its page is allowed and the templates can; NULL sends the
 * miss to Python.  A block whose first instruction could straddle into the next page is
 * Python's (its TB checks the second page). */
TB *rt_xl_make(CPUState *cpu, RtMachine *m, uint64_t pc, uint64_t flags)
{
    if ((pc & (PAGE_SIZE - 1)) == PAGE_SIZE - 2 || (pc & 1))
        return NULL;
    uint64_t ppc;
    if (rt_fetch_translate(cpu, pc, &ppc) >= 0)
        return NULL;            /* the fetch faults: Python takes the trap */
    uint64_t ppage = ppc & -(uint64_t)PAGE_SIZE;
    XlPage *p = find_page(m, pc & -(uint64_t)PAGE_SIZE, ppage, flags);
    if (!p)
        return NULL;
    RamRegion *r = rt_ram_region(m, ppage);
    if (!r || ppage + PAGE_SIZE > r->base + r->size)
        return NULL;
    const uint8_t *host = r->host + (ppage - r->base);
    XlOut out;
    if (rt_xl_block(m->xl, host, pc, flags, m->xl_max_insns, m->xl_buf, XL_BUF_RECORDS,
                    &out) != XL_OK) {
        m->stat_xl_refused++;
        return NULL;
    }
    MadeBlock *b = malloc(sizeof *b + (size_t)out.nrecords * sizeof(IROp) + out.code_len);
    if (!b)
        return NULL;
    memcpy(b->ops, m->xl_buf, (size_t)out.nrecords * sizeof(IROp));
    b->code = (uint8_t *)(b->ops + out.nrecords);
    memcpy(b->code, host + (pc & (PAGE_SIZE - 1)), out.code_len);
    b->nrecords = out.nrecords;
    b->code_len = out.code_len;
    b->nsucc = out.nsucc;
    b->chain_ok = out.chain_ok;
    memcpy(b->succ, out.succ, sizeof b->succ);
    b->tb = (TB){.pc = pc, .flags = flags, .ops = b->ops, .nops = out.nops,
                 .ntemps = out.ntemps, .ninsns = out.ninsns, .ppc = ppc, .owner = p};
    b->next = p->blocks;
    p->blocks = b;
    p->nblocks++;
    m->stat_xl_made++;
    rt_tb_insert(m, &b->tb);
    return &b->tb;
}
