/* The interpreter tier: runs a block's IR (encoded as IROp records by
 * rvjit/backend/interp_encode.py) directly, so that code executed only a few times never waits
 * for LLVM.  Each handler below is the meaning of one IR op (rvjit/ir/ops.py) in one operand
 * form; backend/llvm_lower.py gives the same ops to LLVM.
 *
 * Dispatch is direct threading (GCC/Clang labels as values): the first run of a block stores in
 * each record the address of its handler, and every handler ends by jumping to the next
 * record's.  Operands are slots of the block's own slot area (its temporaries, then its
 * constants, which the encoder stores there once) or, in the INTERP_AX/BX forms, guest registers
 * read directly (a GETX whose value is still in the register).  INTERP_DX forms also write
 * their result to guest x[r] (an op fused with the SETX after it); INTERP_BRANCH forms are a
 * comparison fused with the BRCOND on its result. */
#include "runtime.h"

typedef uint64_t (*helper0)(CPUState *);
typedef uint64_t (*helper1)(CPUState *, uint64_t);
typedef uint64_t (*helper2)(CPUState *, uint64_t, uint64_t);
typedef uint64_t (*helper3)(CPUState *, uint64_t, uint64_t, uint64_t);

#define likely(x) __builtin_expect(!!(x), 1)

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

/* Operand a/b: a slot (form bit clear) or guest register (INTERP_AX / INTERP_BX set). */
#define A_0 t[o->a]
#define A_1 x[o->a]
#define B_0 t[o->b]
#define B_1 x[o->b]
#define NEXT do { o++; goto *o->h; } while (0)
#define JUMP(idx) do { o = ops + (idx); goto *o->h; } while (0)
/* Leave the block after a trap at an op that retired o->icount instructions before it. */
#define TRAPPED do { cpu->instret += o->icount; return NULL; } while (0)

/* The meaning of each op, on values a, b (c). */
#define E_ADD (a + b)
#define E_SUB (a - b)
#define E_AND (a & b)
#define E_OR (a | b)
#define E_XOR (a ^ b)
#define E_SHL (a << (b & 63))
#define E_SHR (a >> (b & 63))
#define E_SAR ((uint64_t)((int64_t)a >> (b & 63)))
#define E_MUL (a * b)
#define E_MULH mulh64(a, b)
#define E_MULHU mulhu64(a, b)
#define E_MULHSU mulhsu64(a, b)
#define E_DIV div64(a, b)
#define E_DIVU (b ? a / b : ~0ull)
#define E_REM rem64(a, b)
#define E_REMU (b ? a % b : a)
#define E_EQ ((uint64_t)(a == b))
#define E_NE ((uint64_t)(a != b))
#define E_LT ((uint64_t)((int64_t)a < (int64_t)b))
#define E_LTU ((uint64_t)(a < b))
#define E_GE ((uint64_t)((int64_t)a >= (int64_t)b))
#define E_GEU ((uint64_t)(a >= b))
#define E_MOV (a)
#define E_SEXT32 ((uint64_t)(int64_t)(int32_t)a)
#define E_ZEXT32 ((uint64_t)(uint32_t)a)

/* Handlers of a binary op in forms 0..7 (AX, BX, DX), and their table entries. */
#define BIN1(N, AX, BX, F) \
    L_##N##_##F: { uint64_t a = A_##AX, b = B_##BX; t[o->d] = E_##N; NEXT; }
#define BIN1D(N, AX, BX, F) \
    L_##N##_##F: { uint64_t a = A_##AX, b = B_##BX, v = E_##N; t[o->d] = v; x[o->r] = v; NEXT; }
#define BIN(N) BIN1(N, 0, 0, 0) BIN1(N, 1, 0, 1) BIN1(N, 0, 1, 2) BIN1(N, 1, 1, 3) \
    BIN1D(N, 0, 0, 4) BIN1D(N, 1, 0, 5) BIN1D(N, 0, 1, 6) BIN1D(N, 1, 1, 7)
#define T1(N, F) [INTERP_OPC(OP_##N, F)] = &&L_##N##_##F
#define BIN_T(N) T1(N, 0), T1(N, 1), T1(N, 2), T1(N, 3), T1(N, 4), T1(N, 5), T1(N, 6), T1(N, 7)
/* A comparison also has forms 8..11 (INTERP_BRANCH | AX, BX): jump to record k if it holds. */
#define CBR1(N, AX, BX, F) \
    L_##N##_##F: { uint64_t a = A_##AX, b = B_##BX, v = E_##N; t[o->d] = v; \
                   o = v ? ops + o->k : o + 1; goto *o->h; }
#define CMP(N) BIN(N) CBR1(N, 0, 0, 8) CBR1(N, 1, 0, 9) CBR1(N, 0, 1, 10) CBR1(N, 1, 1, 11)
#define CMP_T(N) BIN_T(N), T1(N, 8), T1(N, 9), T1(N, 10), T1(N, 11)
/* Unary ops: forms 0, AX, DX, AX|DX. */
#define UN1(N, AX, F) L_##N##_##F: { uint64_t a = A_##AX; t[o->d] = E_##N; NEXT; }
#define UN1D(N, AX, F) \
    L_##N##_##F: { uint64_t a = A_##AX, v = E_##N; t[o->d] = v; x[o->r] = v; NEXT; }
#define UN(N) UN1(N, 0, 0) UN1(N, 1, 1) UN1D(N, 0, 4) UN1D(N, 1, 5)
#define UN_T(N) T1(N, 0), T1(N, 1), T1(N, 4), T1(N, 5)

/* Loads: form = AX | DX | log2(size) << INTERP_SIZE_SHIFT | INTERP_SIGNED; the TLB hit path
 * inline, everything else through rt_load_slow (which may trap). */
#define LD1(AX, DXF, LG, SG, TYPE, F) \
    L_LD_##F: { \
        uint64_t va = A_##AX, v; \
        const TLBEntry *e = &tlb[(va >> PAGE_BITS) & (TLB_SIZE - 1)]; \
        if (likely((va & ((uint64_t)-PAGE_SIZE | ((1u << LG) - 1))) == e->tag_r)) { \
            TYPE raw; \
            memcpy(&raw, mem + (va + e->addend), sizeof raw); \
            v = (uint64_t)raw; \
        } else { \
            cpu->pc = o->k; \
            v = rt_load_slow(cpu, va, (1u << LG) | (SG << 4) | (mmu << 8)); \
            if (cpu->exc_taken) \
                TRAPPED; \
        } \
        t[o->d] = v; \
        if (DXF) \
            x[o->r] = v; \
        NEXT; \
    }
#define LDF(AX, DXF, LG, SG) (AX | DXF * INTERP_DX | LG << INTERP_SIZE_SHIFT | SG * INTERP_SIGNED)
#define LD4(LG, SG, TYPE, B) \
    LD1(0, 0, LG, SG, TYPE, B##0) LD1(1, 0, LG, SG, TYPE, B##1) \
    LD1(0, 1, LG, SG, TYPE, B##4) LD1(1, 1, LG, SG, TYPE, B##5)
#define LD4_T(LG, SG, B) \
    [INTERP_OPC(OP_LD, LDF(0, 0, LG, SG))] = &&L_LD_##B##0, \
    [INTERP_OPC(OP_LD, LDF(1, 0, LG, SG))] = &&L_LD_##B##1, \
    [INTERP_OPC(OP_LD, LDF(0, 1, LG, SG))] = &&L_LD_##B##4, \
    [INTERP_OPC(OP_LD, LDF(1, 1, LG, SG))] = &&L_LD_##B##5
/* Stores: form = AX | BX | log2(size) << INTERP_SIZE_SHIFT. */
#define ST1(AX, BX, LG, TYPE, F) \
    L_ST_##F: { \
        uint64_t va = A_##AX, v = B_##BX; \
        const TLBEntry *e = &tlb[(va >> PAGE_BITS) & (TLB_SIZE - 1)]; \
        if (likely((va & ((uint64_t)-PAGE_SIZE | ((1u << LG) - 1))) == e->tag_w)) { \
            TYPE raw = (TYPE)v; \
            memcpy(mem + (va + e->addend), &raw, sizeof raw); \
        } else { \
            cpu->pc = o->k; \
            rt_store_slow(cpu, va, v, (1u << LG) | (mmu << 8)); \
            if (cpu->exc_taken) \
                TRAPPED; \
        } \
        NEXT; \
    }
#define ST4(LG, TYPE, B) \
    ST1(0, 0, LG, TYPE, B##0) ST1(1, 0, LG, TYPE, B##1) \
    ST1(0, 1, LG, TYPE, B##2) ST1(1, 1, LG, TYPE, B##3)
#define STF(AX, BX, LG) (AX | BX * INTERP_BX | LG << INTERP_SIZE_SHIFT)
#define ST4_T(LG, B) \
    [INTERP_OPC(OP_ST, STF(0, 0, LG))] = &&L_ST_##B##0, \
    [INTERP_OPC(OP_ST, STF(1, 0, LG))] = &&L_ST_##B##1, \
    [INTERP_OPC(OP_ST, STF(0, 1, LG))] = &&L_ST_##B##2, \
    [INTERP_OPC(OP_ST, STF(1, 1, LG))] = &&L_ST_##B##3

/* Helper calls: form = nargs << INTERP_SIZE_SHIFT | DX; args in slots a, b, c. */
#define CALL1(NA, DXF, F, ARGS) \
    L_CALL_##F: { \
        const HelperInfo *h = &helper_table[o->aux]; \
        if (h->may_trap) \
            cpu->pc = o->k; \
        uint64_t v = ((helper##NA)h->fn)ARGS; \
        if (h->may_trap && cpu->exc_taken) \
            TRAPPED; \
        t[o->d] = v; \
        if (DXF) \
            x[o->r] = v; \
        NEXT; \
    }
#define CALL2(NA, ARGS) CALL1(NA, 0, NA##_0, ARGS) CALL1(NA, 1, NA##_4, ARGS)
#define CALL_T(NA) \
    [INTERP_OPC(OP_CALL, NA << INTERP_SIZE_SHIFT)] = &&L_CALL_##NA##_0, \
    [INTERP_OPC(OP_CALL, NA << INTERP_SIZE_SHIFT | INTERP_DX)] = &&L_CALL_##NA##_4

/* Run tb's records once; returns the EXIT record the block left by, or NULL if it trapped (or
 * stopped the machine). */
IROp *rt_interp(CPUState *cpu, TB *tb)
{
    static const void *const handlers[INTERP_NOPC] = {
        BIN_T(ADD), BIN_T(SUB), BIN_T(AND), BIN_T(OR), BIN_T(XOR), BIN_T(SHL), BIN_T(SHR),
        BIN_T(SAR), BIN_T(MUL), BIN_T(MULH), BIN_T(MULHU), BIN_T(MULHSU), BIN_T(DIV),
        BIN_T(DIVU), BIN_T(REM), BIN_T(REMU),
        CMP_T(EQ), CMP_T(NE), CMP_T(LT), CMP_T(LTU), CMP_T(GE), CMP_T(GEU),
        UN_T(MOV), UN_T(SEXT32), UN_T(ZEXT32),
        T1(SELECT, 0), T1(SELECT, 4),
        T1(GETX, 0), T1(SETX, 0), T1(SETX, 1), T1(GETF, 0), T1(SETF, 0),
        LD4_T(0, 0, B), LD4_T(0, 1, SB), LD4_T(1, 0, H), LD4_T(1, 1, SH),
        LD4_T(2, 0, W), LD4_T(2, 1, SW), LD4_T(3, 0, D),
        ST4_T(0, B), ST4_T(1, H), ST4_T(2, W), ST4_T(3, D),
        CALL_T(0), CALL_T(1), CALL_T(2), CALL_T(3),
        T1(LABEL, 0), T1(BR, 0), T1(BRCOND, 0), T1(EXIT, 0),
    };
    IROp *ops = tb->ops;
    if (__builtin_expect(ops[0].h == NULL, 0)) {
        /* First run: resolve every record's handler (records up to the slot area). */
        for (uint64_t i = 1; i < ops[0].k; i++) {
            const void *h = ops[i].opc < INTERP_NOPC ? handlers[ops[i].opc] : NULL;
            ops[i].h = h ? h : &&L_bad;
            if (ops[i].opc == INTERP_OPC(OP_EXIT, 0))      /* no link yet (dispatch.c) */
                ops[i].k = ops[i].b = ops[i].c = ops[i].r = 0;
        }
        ops[0].h = &&L_bad;
    }
    uint64_t *t = (uint64_t *)(ops + ops[0].k);
    uint64_t *x = cpu->x;
    const unsigned mmu = (tb->flags & TBFLAG_MMU_MASK) >> TBFLAG_MMU_SHIFT;
    const TLBEntry *tlb = cpu->tlb[mmu];
    uint8_t *const mem = cpu->mem_base;
    IROp *o = ops + 1;
    goto *o->h;

    BIN(ADD) BIN(SUB) BIN(AND) BIN(OR) BIN(XOR) BIN(SHL) BIN(SHR) BIN(SAR)
    BIN(MUL) BIN(MULH) BIN(MULHU) BIN(MULHSU) BIN(DIV) BIN(DIVU) BIN(REM) BIN(REMU)
    CMP(EQ) CMP(NE) CMP(LT) CMP(LTU) CMP(GE) CMP(GEU)
    UN(MOV) UN(SEXT32) UN(ZEXT32)
L_SELECT_0:
    t[o->d] = t[o->a] ? t[o->b] : t[o->c];
    NEXT;
L_SELECT_4: {
        uint64_t v = t[o->a] ? t[o->b] : t[o->c];
        t[o->d] = v;
        x[o->r] = v;
        NEXT;
    }
L_GETX_0:
    t[o->d] = x[o->a];
    NEXT;
L_SETX_0:
    x[o->r] = t[o->a];
    NEXT;
L_SETX_1:
    x[o->r] = x[o->a];
    NEXT;
L_GETF_0:
    t[o->d] = cpu->f[o->a];
    NEXT;
L_SETF_0:
    cpu->f[o->r] = t[o->a];
    NEXT;
    LD4(0, 0, uint8_t, B) LD4(0, 1, int8_t, SB) LD4(1, 0, uint16_t, H) LD4(1, 1, int16_t, SH)
    LD4(2, 0, uint32_t, W) LD4(2, 1, int32_t, SW) LD4(3, 0, uint64_t, D)
    ST4(0, uint8_t, B) ST4(1, uint16_t, H) ST4(2, uint32_t, W) ST4(3, uint64_t, D)
    CALL2(0, (cpu))
    CALL2(1, (cpu, t[o->a]))
    CALL2(2, (cpu, t[o->a], t[o->b]))
    CALL2(3, (cpu, t[o->a], t[o->b], t[o->c]))
L_LABEL_0:      /* the encoder drops labels; this handler is never reached */
    NEXT;
L_BR_0:
    JUMP(o->k);
L_BRCOND_0:
    if (t[o->a])
        JUMP(o->k);
    NEXT;
L_EXIT_0:
    cpu->pc = t[o->a];
    cpu->instret += o->icount;
    return o;
L_bad:
    /* A record this tier does not know: a build mismatch.  Stop the machine. */
    cpu->exit_request = EXIT_HALT;
    return NULL;
}
