/* The interpreter tier: runs a block's IR (encoded as IROp records) directly, so that code
 * executed only a few times never waits for LLVM.  Each case here is the meaning of one IR op
 * (rvjit/ir/ops.py); backend/llvm_lower.py gives the same ops to LLVM. */
#include "runtime.h"

typedef uint64_t (*helper0)(CPUState *);
typedef uint64_t (*helper1)(CPUState *, uint64_t);
typedef uint64_t (*helper2)(CPUState *, uint64_t, uint64_t);
typedef uint64_t (*helper3)(CPUState *, uint64_t, uint64_t, uint64_t);

static inline uint64_t mulhu64(uint64_t a, uint64_t b)
{
    return (uint64_t)(((unsigned __int128)a * b) >> 64);
}

static inline uint64_t mulh64(uint64_t a, uint64_t b)
{
    return (uint64_t)(((__int128)(int64_t)a * (__int128)(int64_t)b) >> 64);
}

static inline uint64_t mulhsu64(uint64_t a, uint64_t b)
{
    return (uint64_t)(((__int128)(int64_t)a * (__int128)(unsigned __int128)b) >> 64);
}

static inline uint64_t div64(uint64_t a, uint64_t b)
{
    if (b == 0)
        return ~0ull;
    if ((int64_t)a == INT64_MIN && (int64_t)b == -1)
        return a;
    return (uint64_t)((int64_t)a / (int64_t)b);
}

static inline uint64_t rem64(uint64_t a, uint64_t b)
{
    if (b == 0)
        return a;
    if ((int64_t)a == INT64_MIN && (int64_t)b == -1)
        return 0;
    return (uint64_t)((int64_t)a % (int64_t)b);
}

static inline uint64_t ld_host(const uint8_t *p, unsigned size, int sgn)
{
    switch (size) {
    case 1: return sgn ? (uint64_t)(int64_t)*(const int8_t *)p : *p;
    case 2: { uint16_t v; memcpy(&v, p, 2); return sgn ? (uint64_t)(int64_t)(int16_t)v : v; }
    case 4: { uint32_t v; memcpy(&v, p, 4); return sgn ? (uint64_t)(int64_t)(int32_t)v : v; }
    default: { uint64_t v; memcpy(&v, p, 8); return v; }
    }
}

void rt_interp(CPUState *cpu, TB *tb)
{
    uint64_t t[INTERP_MAX_TEMPS];
    const IROp *ops = tb->ops;
    uint32_t i = 0;
    for (;;) {
        const IROp *o = &ops[i++];
#define A(k) ((o->kinds >> (k)) & 1 ? o->a[k] : t[o->a[k]])
        switch (o->opc) {
        case OP_MOV: t[o->dst] = A(0); break;
        case OP_ADD: t[o->dst] = A(0) + A(1); break;
        case OP_SUB: t[o->dst] = A(0) - A(1); break;
        case OP_AND: t[o->dst] = A(0) & A(1); break;
        case OP_OR: t[o->dst] = A(0) | A(1); break;
        case OP_XOR: t[o->dst] = A(0) ^ A(1); break;
        case OP_SHL: t[o->dst] = A(0) << (A(1) & 63); break;
        case OP_SHR: t[o->dst] = A(0) >> (A(1) & 63); break;
        case OP_SAR: t[o->dst] = (uint64_t)((int64_t)A(0) >> (A(1) & 63)); break;
        case OP_MUL: t[o->dst] = A(0) * A(1); break;
        case OP_MULH: t[o->dst] = mulh64(A(0), A(1)); break;
        case OP_MULHU: t[o->dst] = mulhu64(A(0), A(1)); break;
        case OP_MULHSU: t[o->dst] = mulhsu64(A(0), A(1)); break;
        case OP_DIV: t[o->dst] = div64(A(0), A(1)); break;
        case OP_DIVU: { uint64_t b = A(1); t[o->dst] = b ? A(0) / b : ~0ull; break; }
        case OP_REM: t[o->dst] = rem64(A(0), A(1)); break;
        case OP_REMU: { uint64_t b = A(1); t[o->dst] = b ? A(0) % b : A(0); break; }
        case OP_EQ: t[o->dst] = A(0) == A(1); break;
        case OP_NE: t[o->dst] = A(0) != A(1); break;
        case OP_LT: t[o->dst] = (int64_t)A(0) < (int64_t)A(1); break;
        case OP_LTU: t[o->dst] = A(0) < A(1); break;
        case OP_GE: t[o->dst] = (int64_t)A(0) >= (int64_t)A(1); break;
        case OP_GEU: t[o->dst] = A(0) >= A(1); break;
        case OP_SEXT32: t[o->dst] = (uint64_t)(int64_t)(int32_t)A(0); break;
        case OP_ZEXT32: t[o->dst] = (uint32_t)A(0); break;
        case OP_SELECT: t[o->dst] = A(0) ? A(1) : A(2); break;
        case OP_GETX: t[o->dst] = cpu->x[o->aux]; break;
        case OP_SETX: cpu->x[o->aux] = A(0); break;
        case OP_GETF: t[o->dst] = cpu->f[o->aux]; break;
        case OP_SETF: cpu->f[o->aux] = A(0); break;
        case OP_LD: {
            uint64_t va = A(0);
            unsigned size = o->aux & 15, sgn = (o->aux >> 4) & 1;
            unsigned mmu = (tb->flags & TBFLAG_MMU_MASK) >> TBFLAG_MMU_SHIFT;
            TLBEntry *e = &cpu->tlb[mmu][(va >> PAGE_BITS) & (TLB_SIZE - 1)];
            if ((va & ((uint64_t)-PAGE_SIZE | (size - 1))) == e->tag_r) {
                t[o->dst] = ld_host(cpu->mem_base + (va + e->addend), size, sgn);
            } else {
                cpu->pc = o->pc;
                uint64_t v = rt_load_slow(cpu, va, size | (sgn << 4) | (mmu << 8));
                if (cpu->exc_taken) {
                    cpu->instret += o->icount;
                    return;
                }
                t[o->dst] = v;
            }
            break;
        }
        case OP_ST: {
            uint64_t va = A(0), v = A(1);
            unsigned size = o->aux & 15;
            unsigned mmu = (tb->flags & TBFLAG_MMU_MASK) >> TBFLAG_MMU_SHIFT;
            TLBEntry *e = &cpu->tlb[mmu][(va >> PAGE_BITS) & (TLB_SIZE - 1)];
            if ((va & ((uint64_t)-PAGE_SIZE | (size - 1))) == e->tag_w) {
                memcpy(cpu->mem_base + (va + e->addend), &v, size);
            } else {
                cpu->pc = o->pc;
                rt_store_slow(cpu, va, v, size | (mmu << 8));
                if (cpu->exc_taken) {
                    cpu->instret += o->icount;
                    return;
                }
            }
            break;
        }
        case OP_CALL: {
            const HelperInfo *h = &helper_table[o->aux];
            uint64_t r;
            if (h->may_trap)
                cpu->pc = o->pc;
            switch (h->nargs) {
            case 0: r = ((helper0)h->fn)(cpu); break;
            case 1: r = ((helper1)h->fn)(cpu, A(0)); break;
            case 2: r = ((helper2)h->fn)(cpu, A(0), A(1)); break;
            default: r = ((helper3)h->fn)(cpu, A(0), A(1), A(2)); break;
            }
            if (h->may_trap && cpu->exc_taken) {
                cpu->instret += o->icount;
                return;
            }
            t[o->dst] = r;
            break;
        }
        case OP_LABEL: break;
        case OP_BR: i = o->aux; break;
        case OP_BRCOND: if (A(0)) i = o->aux; break;
        case OP_EXIT:
            cpu->pc = A(0);
            cpu->instret += o->icount;
            return;
        default:
            /* An op this tier does not know: a build mismatch.  Stop the machine. */
            cpu->exit_request = EXIT_HALT;
            return;
        }
#undef A
    }
}
