/* Native block assembly from per-instruction record templates.
 *
 * The frontend derives, per instruction class and TB flags, the interpreter records one
 * instruction produces (frontend/templates.py, by running its trans_ function): each record
 * field is a linear function of the instruction's sources, or a reference to a temporary,
 * constant or record local to the instruction.  Given the two tables Python fills (instruction
 * word -> class and fields; (class, flags) -> template), rt_xl_block lays out a whole block's
 * IROp[] from the page's bytes as backend/interp_encode._finish does, mirroring the loop of
 * frontend/translate.run_translators.  Anything it cannot do it hands back to Python
 * (XL_NEED_WORD / XL_NEED_TMPL: fill the tables and retry; XL_PYTHON: translate in Python).
 *
 * Instruction lengths follow the unprivileged spec 1.5 (base instruction-length encoding):
 * a parcel whose two low bits are 11 starts a 32-bit instruction, anything else is 16-bit. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "runtime.h"

#define XL_PAGE 4096u
#define XL_NSRC 8               /* pc, icount, word, rd, rs1, rs2, rs3, imm */
#define XL_NFIELDS 9            /* opc, d, a, b, c, r, icount, aux, k */
#define XL_FIELD_BYTES 24
#define XL_HEAD_BYTES 12
#define XL_GUARD 0xFFFE         /* interp_encode's _BAD: ends every block */

enum { XL_LIT, XL_TEMP, XL_CONST, XL_LABEL };

/* One field of a template: kind, and for LIT the bitmask of its non-zero coefficients.  A
 * coefficient byte c stands for the multiplier sign(c) * 2^(|c| - 1) (0: the source does not
 * count): a source may be shifted into a field, as a CSR access's instruction count is. */
typedef struct XlField {
    uint8_t kind;
    uint8_t mask;
    int8_t coef[XL_NSRC];
    uint64_t c0;
} XlField;

typedef struct XlTmpl {
    uint16_t nrecs, ntemps, nconsts, nops;
    uint8_t ends, chain_ok, nexits;
    XlField *recs;              /* nrecs * XL_NFIELDS */
    XlField *consts;            /* nconsts (LIT) */
    uint16_t *exits;            /* nexits indices into consts */
} XlTmpl;

/* The (class, flags) pair marked "Python only". */
static XlTmpl xl_python_only;

typedef struct XlWord {
    uint32_t word, used;
    uint32_t wclass, rd, rs1, rs2, rs3;
    int64_t imm;
} XlWord;

typedef struct XlPair {
    uint64_t flags;
    uint32_t wclass, used;
    XlTmpl *tmpl;
} XlPair;

struct XlTable {
    XlWord *words;
    uint32_t wbits, nwords;
    XlPair *pairs;
    uint32_t pbits, npairs;
    /* Scratch for rt_xl_block: the block's constants, and the body fields naming them
     * (record index * 16 + field index), patched once the block's temporaries are counted. */
    uint64_t *consts;
    uint32_t consts_cap;
    uint32_t *patches;
    uint32_t patches_cap;
};

_Static_assert(offsetof(IROp, aux) - offsetof(IROp, opc) == 7 * sizeof(uint16_t),
               "IROp's 16-bit fields must be contiguous");

static inline uint32_t word_slot(uint32_t word, uint32_t bits)
{
    return (uint32_t)(((uint64_t)word * 0x9E3779B97F4A7C15ull) >> (64 - bits));
}

static inline uint32_t pair_slot(uint32_t wclass, uint64_t flags, uint32_t bits)
{
    uint64_t h = (flags ^ ((uint64_t)wclass << 40 | wclass)) * 0x9E3779B97F4A7C15ull;
    h ^= h >> 29;
    return (uint32_t)((h * 0xBF58476D1CE4E5B9ull) >> (64 - bits));
}

XlTable *rt_xl_new(void)
{
    XlTable *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->wbits = 12;
    t->pbits = 8;
    t->words = calloc(1u << t->wbits, sizeof *t->words);
    t->pairs = calloc(1u << t->pbits, sizeof *t->pairs);
    if (!t->words || !t->pairs) {
        rt_xl_free(t);
        return NULL;
    }
    return t;
}

void rt_xl_free(XlTable *t)
{
    if (!t)
        return;
    if (t->pairs)
        for (uint32_t i = 0; i < 1u << t->pbits; i++)
            if (t->pairs[i].used && t->pairs[i].tmpl != &xl_python_only)
                free(t->pairs[i].tmpl);
    free(t->words);
    free(t->pairs);
    free(t->consts);
    free(t->patches);
    free(t);
}

/* -- word -> class and fields -------------------------------------------------------------- */

static XlWord *word_find(XlWord *tab, uint32_t bits, uint32_t word)
{
    uint32_t m = (1u << bits) - 1;
    for (uint32_t i = word_slot(word, bits);; i = (i + 1) & m)
        if (!tab[i].used || tab[i].word == word)
            return &tab[i];
}

static int words_grow(XlTable *t)
{
    uint32_t bits = t->wbits + 1;
    XlWord *tab = calloc(1u << bits, sizeof *tab);
    if (!tab)
        return -1;
    for (uint32_t i = 0; i < 1u << t->wbits; i++)
        if (t->words[i].used)
            *word_find(tab, bits, t->words[i].word) = t->words[i];
    free(t->words);
    t->words = tab;
    t->wbits = bits;
    return 0;
}

int rt_xl_set_word(XlTable *t, uint32_t word, uint32_t wclass, uint32_t rd, uint32_t rs1,
                   uint32_t rs2, uint32_t rs3, int64_t imm)
{
    if ((t->nwords + 1) * 2 > 1u << t->wbits && words_grow(t))
        return -1;
    XlWord *e = word_find(t->words, t->wbits, word);
    if (!e->used)
        t->nwords++;
    *e = (XlWord){word, 1, wclass, rd, rs1, rs2, rs3, imm};
    return 0;
}

/* -- (class, flags) -> template ------------------------------------------------------------ */

static XlPair *pair_find(XlPair *tab, uint32_t bits, uint32_t wclass, uint64_t flags)
{
    uint32_t m = (1u << bits) - 1;
    for (uint32_t i = pair_slot(wclass, flags, bits);; i = (i + 1) & m)
        if (!tab[i].used || (tab[i].wclass == wclass && tab[i].flags == flags))
            return &tab[i];
}

static int pairs_grow(XlTable *t)
{
    uint32_t bits = t->pbits + 1;
    XlPair *tab = calloc(1u << bits, sizeof *tab);
    if (!tab)
        return -1;
    for (uint32_t i = 0; i < 1u << t->pbits; i++) {
        XlPair *p = &t->pairs[i];
        if (p->used)
            *pair_find(tab, bits, p->wclass, p->flags) = *p;
    }
    free(t->pairs);
    t->pairs = tab;
    t->pbits = bits;
    return 0;
}

static inline uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

static inline uint64_t rd64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* Decode one FIELD; its kind must be < 4 and its local reference within the template. */
static int field_parse(const uint8_t *p, const XlTmpl *m, XlField *f)
{
    f->kind = p[0];
    f->mask = 0;
    for (int s = 0; s < XL_NSRC; s++) {
        f->coef[s] = (int8_t)p[1 + s];
        if (f->coef[s] > 64 || f->coef[s] < -64)
            return -1;
        if (f->coef[s])
            f->mask |= (uint8_t)(1u << s);
    }
    f->c0 = rd64(p + 16);
    switch (f->kind) {
    case XL_LIT: return 0;
    case XL_TEMP: return f->c0 < m->ntemps ? 0 : -1;
    case XL_CONST: return f->c0 < m->nconsts ? 0 : -1;
    case XL_LABEL: return f->c0 < m->nrecs ? 0 : -1;
    default: return -1;
    }
}

static XlTmpl *tmpl_parse(const uint8_t *blob, uint32_t len)
{
    if (len < XL_HEAD_BYTES)
        return NULL;
    XlTmpl h = {
        .nrecs = rd16(blob), .ntemps = rd16(blob + 2), .nconsts = rd16(blob + 4),
        .nops = rd16(blob + 6), .ends = blob[8], .chain_ok = blob[9], .nexits = blob[10],
    };
    uint64_t nfields = (uint64_t)h.nrecs * XL_NFIELDS;
    uint64_t want = XL_HEAD_BYTES + (nfields + h.nconsts) * XL_FIELD_BYTES + 2ull * h.nexits;
    if (len != want || h.ends > 1 || h.chain_ok > 1)
        return NULL;
    size_t size = sizeof(XlTmpl) + (nfields + h.nconsts) * sizeof(XlField)
                  + h.nexits * sizeof(uint16_t);
    XlTmpl *m = malloc(size);
    if (!m)
        return NULL;
    *m = h;
    m->recs = (XlField *)(m + 1);
    m->consts = m->recs + nfields;
    m->exits = (uint16_t *)(m->consts + h.nconsts);
    const uint8_t *p = blob + XL_HEAD_BYTES;
    for (uint64_t i = 0; i < nfields; i++, p += XL_FIELD_BYTES)
        if (field_parse(p, m, &m->recs[i]))
            goto bad;
    for (uint32_t i = 0; i < h.nconsts; i++, p += XL_FIELD_BYTES)
        if (field_parse(p, m, &m->consts[i]) || m->consts[i].kind != XL_LIT)
            goto bad;
    for (uint32_t i = 0; i < h.nexits; i++, p += 2) {
        m->exits[i] = rd16(p);
        if (m->exits[i] >= h.nconsts)
            goto bad;
    }
    return m;
bad:
    free(m);
    return NULL;
}

int rt_xl_set_tmpl(XlTable *t, uint32_t wclass, uint64_t flags, const uint8_t *blob, uint32_t len)
{
    XlTmpl *m = &xl_python_only;
    if (len && !(m = tmpl_parse(blob, len)))
        return -1;
    if ((t->npairs + 1) * 2 > 1u << t->pbits && pairs_grow(t)) {
        if (m != &xl_python_only)
            free(m);
        return -1;
    }
    XlPair *e = pair_find(t->pairs, t->pbits, wclass, flags);
    if (e->used) {
        if (e->tmpl != &xl_python_only)
            free(e->tmpl);
    } else {
        t->npairs++;
    }
    *e = (XlPair){flags, wclass, 1, m};
    return 0;
}

/* -- block assembly ------------------------------------------------------------------------ */

/* Make the array *p (of *cap elements of `size` bytes) hold at least `need`, doubling. */
static int grow(void **p, uint32_t *cap, uint32_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    uint32_t n = *cap ? *cap : 256;
    while (n < need)
        n *= 2;
    void *q = realloc(*p, (size_t)n * size);
    if (!q)
        return -1;
    *p = q;
    *cap = n;
    return 0;
}

static inline uint64_t lit(const XlField *f, const uint64_t *src)
{
    uint64_t v = f->c0;
    for (unsigned m = f->mask; m; m &= m - 1) {
        int s = __builtin_ctz(m);
        int c = f->coef[s];
        uint64_t x = c > 0 ? src[s] << (c - 1) : src[s] << (-c - 1);
        v += c > 0 ? x : 0 - x;
    }
    return v;
}

/* The successors so far: sorted, distinct, at most 16.  0, or -1 for a 17th. */
static int succ_add(XlOut *out, uint64_t v)
{
    uint32_t n = out->nsucc, i = 0;
    while (i < n && out->succ[i] < v)
        i++;
    if (i < n && out->succ[i] == v)
        return 0;
    if (n == 16)
        return -1;
    memmove(&out->succ[i + 1], &out->succ[i], (n - i) * sizeof(uint64_t));
    out->succ[i] = v;
    out->nsucc = n + 1;
    return 0;
}

static int python(XlOut *out)
{
    return out->status = XL_PYTHON;
}

int rt_xl_block(XlTable *t, const uint8_t *page, uint64_t pc, uint64_t flags,
                uint32_t max_insns, IROp *buf, uint32_t cap, XlOut *out)
{
    memset(out, 0, sizeof *out);
    uint32_t off = (uint32_t)(pc & (XL_PAGE - 1));
    uint32_t start = off;
    if (off & 1)
        return python(out);
    uint64_t cur = pc;
    uint32_t icount = 0, nbody = 0, ntemps = 0, nconsts = 0, npatch = 0, nops = 0;
    uint32_t chain_ok = 1;
    int loop_exit = 0;
    for (;;) {
        uint32_t word = rd16(page + off), ilen;
        if ((word & 3) != 3) {
            ilen = 2;
        } else if (off + 4 <= XL_PAGE) {
            word |= (uint32_t)rd16(page + off + 2) << 16;
            ilen = 4;
        } else if (icount) {
            loop_exit = 1;
            break;
        } else {
            return python(out);     /* the first instruction straddles the page */
        }
        XlWord *w = word_find(t->words, t->wbits, word);
        if (!w->used) {
            out->word = word;
            return out->status = XL_NEED_WORD;
        }
        XlPair *p = pair_find(t->pairs, t->pbits, w->wclass, flags);
        if (!p->used) {
            out->word = word;
            out->wclass = w->wclass;
            return out->status = XL_NEED_TMPL;
        }
        const XlTmpl *m = p->tmpl;
        if (m == &xl_python_only)
            return python(out);
        /* Room for the records, the guard and a loop EXIT (checked again at the end). */
        if (1ull + nbody + m->nrecs + 2 > cap)
            return python(out);
        if (grow((void **)&t->consts, &t->consts_cap, nconsts + m->nconsts + 1,
                 sizeof *t->consts)
            || grow((void **)&t->patches, &t->patches_cap,
                    npatch + (uint32_t)m->nrecs * XL_NFIELDS, sizeof *t->patches))
            return python(out);
        const uint64_t src[XL_NSRC] = {cur, icount, word, w->rd, w->rs1, w->rs2, w->rs3,
                                       (uint64_t)w->imm};
        const XlField *f = m->recs;
        for (uint32_t r = 0; r < m->nrecs; r++) {
            uint32_t ri = 1 + nbody + r;
            IROp *rec = &buf[ri];
            uint16_t *h16 = &rec->opc;
            rec->h = NULL;
            for (uint32_t i = 0; i < XL_NFIELDS; i++, f++) {
                uint64_t v;
                switch (f->kind) {
                case XL_LIT: v = f->mask ? lit(f, src) : f->c0; break;
                case XL_TEMP: v = ntemps + f->c0; break;
                case XL_CONST:
                    v = nconsts + f->c0;
                    t->patches[npatch++] = ri << 4 | i;
                    break;
                default: v = 1 + nbody + f->c0; break;   /* XL_LABEL */
                }
                if (i < 8)
                    h16[i] = (uint16_t)v;
                else
                    rec->k = v;
            }
        }
        for (uint32_t c = 0; c < m->nconsts; c++)
            t->consts[nconsts + c] = lit(&m->consts[c], src);
        for (uint32_t e = 0; e < m->nexits; e++)
            if (succ_add(out, t->consts[nconsts + m->exits[e]]))
                return python(out);
        nbody += m->nrecs;
        ntemps += m->ntemps;
        nconsts += m->nconsts;
        nops += m->nops;
        chain_ok &= m->chain_ok;
        off += ilen;
        icount++;
        if (m->ends)
            break;
        cur += ilen;
        if (icount >= max_insns || off == XL_PAGE) {
            loop_exit = 1;
            break;
        }
    }
    uint32_t exit_ri = 0;
    if (loop_exit) {
        /* (room was reserved with the last instruction: one record, one constant) */
        exit_ri = 1 + nbody++;
        IROp *rec = &buf[exit_ri];
        memset(rec, 0, sizeof *rec);
        rec->opc = INTERP_OPC(OP_EXIT, 0);
        rec->a = (uint16_t)nconsts;         /* + ntemps, below */
        rec->icount = (uint16_t)icount;
        t->consts[nconsts++] = cur;
        nops++;
        if (succ_add(out, cur))
            return python(out);
    }
    uint32_t nslots = ntemps + nconsts;
    if (nslots > INTERP_MAX_SLOTS)
        return python(out);
    uint32_t nrec = nbody + 2;
    uint64_t size = nrec + ((uint64_t)8 * nslots + sizeof(IROp) - 1) / sizeof(IROp);
    if (size > cap)
        return python(out);
    /* Constant slots follow the temporaries. */
    for (uint32_t i = 0; i < npatch; i++) {
        uint32_t ri = t->patches[i] >> 4, fi = t->patches[i] & 15;
        if (fi < 8)
            (&buf[ri].opc)[fi] = (uint16_t)((&buf[ri].opc)[fi] + ntemps);
        else
            buf[ri].k += ntemps;
    }
    if (loop_exit)
        buf[exit_ri].a = (uint16_t)(buf[exit_ri].a + ntemps);
    memset(&buf[0], 0, sizeof(IROp));
    buf[0].opc = INTERP_HEADER;
    buf[0].k = nrec;
    memset(&buf[nrec - 1], 0, sizeof(IROp));
    buf[nrec - 1].opc = XL_GUARD;
    uint8_t *slots = (uint8_t *)&buf[nrec];
    memset(slots, 0, (size_t)(size - nrec) * sizeof(IROp));
    if (nconsts)
        memcpy(slots + 8 * (size_t)ntemps, t->consts, 8 * (size_t)nconsts);
    out->status = XL_OK;
    out->nrecords = (uint32_t)size;
    out->nops = nops;
    out->ntemps = ntemps;
    out->ninsns = icount;
    out->code_len = off - start;
    out->chain_ok = chain_ok;
    return XL_OK;
}
