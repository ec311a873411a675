/* RV64F and RV64D arithmetic (unprivileged spec, chapter 20 "F Standard Extension" and chapter 21
 * "D Standard Extension"), as the native helpers named in rvjit/ir/helpers.py.
 *
 * Values travel as raw register bits: a single is NaN-boxed in the 64-bit f register (21.2: a
 * single read from a register whose upper 32 bits are not all ones is the canonical NaN), and
 * every single written is boxed.  A helper taking `rm` receives the instruction's rm field; the
 * translator has already rejected the static reserved values 5 and 6, and rm = 7 (DYN) reads frm,
 * whose values 5-7 make the instruction illegal (20.2).  Exception flags accrue into fcsr.
 *
 * How results are computed:
 *  - add, sub, mul, div, sqrt and FMA in RNE, RTZ, RDN and RUP run on the host's IEEE 754
 *    arithmetic with the host rounding mode set and its flags read back (on x86-64 straight
 *    through MXCSR); RISC-V differs from the host only in NaN results (always the canonical NaN,
 *    20.3) and in FMA's invalid flag for inf * 0 + qNaN (20.6), both fixed up here.  x86 detects
 *    tininess after rounding, as RISC-V does (20.4).
 *  - RMM (round to nearest, ties to max magnitude) has no host mode: the operation runs in a wider
 *    host format rounded to odd (toward zero, then the inexact flag ORed into the last bit), and
 *    round_pack() rounds that to the target format.  Rounding to odd with at least two more bits
 *    of precision than the target makes the second rounding exact (Boldo and Melquiond, 2008):
 *    singles go through double (53 >= 24 + 2), doubles through the x87 long double (64 >= 53 + 2).
 *    The wider formats' exponent ranges hold every intermediate, so they never overflow or
 *    underflow.
 *  - conversions, comparisons, min/max and classification are exact integer code on the bits.
 */
#include "runtime.h"
#include <fenv.h>
#include <float.h>
#include <math.h>

/* fflags (20.2, "Accrued exception flag encoding"). */
#define FFLAG_NX 0x01u
#define FFLAG_UF 0x02u
#define FFLAG_OF 0x04u
#define FFLAG_DZ 0x08u
#define FFLAG_NV 0x10u

/* Rounding modes (20.2, "Rounding mode encoding"). */
#define RM_RNE 0
#define RM_RTZ 1
#define RM_RDN 2
#define RM_RUP 3
#define RM_RMM 4
#define RM_DYN 7

#define F32_CANON 0x7fc00000u
#define F64_CANON 0x7ff8000000000000ull
#define BOX32 0xffffffff00000000ull

/* ---- register bits <-> host values -------------------------------------------------------- */

static inline uint32_t unbox_s(uint64_t v)
{
    return (v >> 32) == 0xffffffffu ? (uint32_t)v : F32_CANON;
}

static inline uint64_t box_s(uint32_t v)
{
    return BOX32 | v;
}

static inline float f32_of(uint32_t b)
{
    float f;
    memcpy(&f, &b, 4);
    return f;
}

static inline uint32_t bits_f32(float f)
{
    uint32_t b;
    memcpy(&b, &f, 4);
    return b;
}

static inline double f64_of(uint64_t b)
{
    double d;
    memcpy(&d, &b, 8);
    return d;
}

static inline uint64_t bits_f64(double d)
{
    uint64_t b;
    memcpy(&b, &d, 8);
    return b;
}

static inline int f32_is_nan(uint32_t b)
{
    return (b & 0x7fffffffu) > 0x7f800000u;
}

static inline int f32_is_snan(uint32_t b)
{
    return f32_is_nan(b) && !(b & 0x00400000u);
}

static inline int f64_is_nan(uint64_t b)
{
    return (b & ~(1ull << 63)) > 0x7ff0000000000000ull;
}

static inline int f64_is_snan(uint64_t b)
{
    return f64_is_nan(b) && !(b & 0x0008000000000000ull);
}

/* ---- rounding mode, flags and FS ----------------------------------------------------------- */

/* The effective rounding mode, or -1 after raising illegal instruction for a reserved one. */
static inline int fp_rm(CPUState *cpu, uint64_t rm)
{
    if (rm == RM_DYN)
        rm = (cpu->fcsr >> 5) & 7;
    if (rm > RM_RMM) {
        rt_illegal(cpu);
        return -1;
    }
    return (int)rm;
}

static inline void fp_accrue(CPUState *cpu, unsigned flags)
{
    cpu->fcsr |= flags;
}

/* Privileged spec 3.1.6.6: an instruction that changes FP state sets mstatus.FS to Dirty (and so
 * SD).  FS is part of the TB flags: the translator calls this only from blocks translated with FS
 * not Dirty, and ends the block after it. */
uint64_t helper_fs_dirty(CPUState *cpu)
{
    cpu->mstatus |= MSTATUS_FS | MSTATUS_SD;
    /* Hypervisor spec "norm:vsstatus_fs_op": with V=1 vsstatus.FS becomes Dirty too. */
    if (cpu->virt)
        cpu->vsstatus |= MSTATUS_FS | MSTATUS_SD;
    rt_update_flags(cpu);
    return 0;
}

/* ---- host arithmetic with a chosen rounding mode ------------------------------------------- */

#if defined(__x86_64__)
/* MXCSR: flags IE DE ZE OE UE PE in bits 0-5, DAZ bit 6, masks bits 7-12, RC bits 13-14, FTZ
 * bit 15.  RC: 0 nearest, 1 down, 2 up, 3 toward zero. */
static const uint32_t mxcsr_rc[4] = {0u << 13, 3u << 13, 1u << 13, 2u << 13};

/* 1 while the host MXCSR rounds to nearest-even without flush-to-zero or denormals-are-zero
 * (the RNE fast path relies on it); -1 until first checked. */
static int host_is_default = -1;
#define MXCSR_NON_DEFAULT 0xe040u       /* RC, FTZ, DAZ */

static inline uint32_t host_enter(int rm)
{
    uint32_t old, m;
    __asm__ volatile("stmxcsr %0" : "=m"(old));
    host_is_default = (old & MXCSR_NON_DEFAULT) == 0;
    m = (old & ~(0x6000u | 0x3fu | 0x8040u)) | 0x1f80u | mxcsr_rc[rm];
    __asm__ volatile("ldmxcsr %0" : : "m"(m));
    return old;
}

static inline unsigned host_leave(uint32_t old)
{
    uint32_t m;
    __asm__ volatile("stmxcsr %0" : "=m"(m));
    __asm__ volatile("ldmxcsr %0" : : "m"(old));
    return ((m & 0x01) ? FFLAG_NV : 0) | ((m & 0x04) ? FFLAG_DZ : 0) |
           ((m & 0x08) ? FFLAG_OF : 0) | ((m & 0x10) ? FFLAG_UF : 0) |
           ((m & 0x20) ? FFLAG_NX : 0);
}

#define HAVE_FAST_RNE 1

/* Keeps the compiler from moving arithmetic across host_enter/host_leave: the value is
 * produced or consumed by an opaque volatile statement, ordered with the MXCSR accesses. */
#define OPAQUE(v) __asm__ volatile("" : "+x"(v))
#else
static const int fenv_rc[4] = {FE_TONEAREST, FE_TOWARDZERO, FE_DOWNWARD, FE_UPWARD};

static __thread fenv_t host_saved_env;

static inline uint32_t host_enter(int rm)
{
    feholdexcept(&host_saved_env);
    fesetround(fenv_rc[rm]);
    return 0;
}

static inline unsigned host_leave(uint32_t old)
{
    (void)old;
    int e = fetestexcept(FE_ALL_EXCEPT);
    fesetenv(&host_saved_env);
    return ((e & FE_INVALID) ? FFLAG_NV : 0) | ((e & FE_DIVBYZERO) ? FFLAG_DZ : 0) |
           ((e & FE_OVERFLOW) ? FFLAG_OF : 0) | ((e & FE_UNDERFLOW) ? FFLAG_UF : 0) |
           ((e & FE_INEXACT) ? FFLAG_NX : 0);
}

#define OPAQUE(v) __asm__ volatile("" : "+m"(v))
#define HAVE_FAST_RNE 0
#endif

enum { AR_ADD, AR_SUB, AR_MUL, AR_DIV, AR_SQRT, AR_FMA };

static inline __attribute__((always_inline)) float host_f32(int op, float x, float y, float z)
{
    float r;
    OPAQUE(x);
    OPAQUE(y);
    OPAQUE(z);
    switch (op) {
    case AR_ADD: r = x + y; break;
    case AR_SUB: r = x - y; break;
    case AR_MUL: r = x * y; break;
    case AR_DIV: r = x / y; break;
    case AR_SQRT:
#if defined(__x86_64__)
        __asm__("sqrtss %1, %0" : "=x"(r) : "x"(x));
#else
        r = sqrtf(x);
#endif
        break;
    default: r = fmaf(x, y, z); break;
    }
    OPAQUE(r);
    return r;
}

static inline __attribute__((always_inline)) double host_f64(int op, double x, double y, double z)
{
    double r;
    OPAQUE(x);
    OPAQUE(y);
    OPAQUE(z);
    switch (op) {
    case AR_ADD: r = x + y; break;
    case AR_SUB: r = x - y; break;
    case AR_MUL: r = x * y; break;
    case AR_DIV: r = x / y; break;
    case AR_SQRT:
#if defined(__x86_64__)
        __asm__("sqrtsd %1, %0" : "=x"(r) : "x"(x));
#else
        r = sqrt(x);
#endif
        break;
    default: r = fma(x, y, z); break;
    }
    OPAQUE(r);
    return r;
}

/* ---- RNE fast path: no MXCSR traffic ------------------------------------------------------ */

/* Writing MXCSR stalls the pipeline, and RNE (mostly as frm = RNE under rm = DYN) is what
 * compiled code uses.  The host already rounds to nearest-even: C starts every program that way
 * and nothing in the process changes it (the slow path restores MXCSR exactly).  So in RNE an
 * operation runs plainly, and when its operands are finite and its result is normal (above the
 * least normal number: no overflow, no underflow, no invalid, no division by zero) the only
 * possible flag is NX, decided exactly: by the rounding error of a sum (Knuth's TwoSum), or by
 * comparing significands for products, quotients (q * b == a) and square roots (r * r == a).
 * Anything else takes the general path. */

#if HAVE_FAST_RNE
static inline uint64_t odd_part64(uint64_t v)
{
    return v >> __builtin_ctzll(v);
}

static inline unsigned __int128 odd_part128(unsigned __int128 v)
{
    uint64_t lo = (uint64_t)v;
    return lo ? v >> __builtin_ctzll(lo) : v >> (64 + __builtin_ctzll((uint64_t)(v >> 64)));
}

static inline int width128(unsigned __int128 v)     /* significant bits, v odd */
{
    uint64_t hi = (uint64_t)(v >> 64);
    return hi ? 128 - __builtin_clzll(hi) : 64 - __builtin_clzll((uint64_t)v);
}

static inline uint64_t sig_d(uint64_t b)
{
    uint64_t m = b & ((1ull << 52) - 1);
    return (b >> 52) & 0x7ff ? m | (1ull << 52) : m;
}

static inline uint64_t sig_s(uint32_t b)
{
    uint64_t m = b & ((1u << 23) - 1);
    return (b >> 23) & 0xff ? m | (1u << 23) : m;
}

/* 1: done (result and NX in *r, *nx); 0: take the general path. */
static inline int host_default(void)
{
    if (__builtin_expect(host_is_default < 0, 0)) {
        uint32_t m;
        __asm__ volatile("stmxcsr %0" : "=m"(m));
        host_is_default = (m & MXCSR_NON_DEFAULT) == 0;
    }
    return host_is_default;
}

static inline __attribute__((always_inline)) int fast_rne_d(int op, uint64_t a, uint64_t b,
                                                             uint64_t *r, unsigned *nx)
{
    if (op == AR_FMA || !host_default() || ((a >> 52) & 0x7ff) == 0x7ff || ((b >> 52) & 0x7ff) == 0x7ff)
        return 0;
    double x = f64_of(a), y = f64_of(b), q;
    int inexact;
    switch (op) {
    case AR_ADD:
    case AR_SUB: {
        if (op == AR_SUB)
            y = -y;
        q = x + y;
        double bv = q - x;
        if (isinf(bv))
            return 0;
        inexact = ((x - (q - bv)) + (y - bv)) != 0;
        break;
    }
    case AR_MUL: {
        q = x * y;
        unsigned __int128 p = (unsigned __int128)sig_d(a) * sig_d(b);
        inexact = p && width128(odd_part128(p)) > 53;
        break;
    }
    case AR_DIV: {
        q = x / y;
        if (!sig_d(b))
            return 0;
        unsigned __int128 p = (unsigned __int128)sig_d(bits_f64(q)) * sig_d(b);
        inexact = !sig_d(a) || !p || odd_part128(p) != odd_part64(sig_d(a));
        break;
    }
    default: {
        if ((int64_t)a <= 0)
            return 0;       /* negative, or +0 */
        __asm__("sqrtsd %1, %0" : "=x"(q) : "x"(x));
        uint64_t m = sig_d(bits_f64(q));
        inexact = odd_part128((unsigned __int128)m * m) != odd_part64(sig_d(a));
        break;
    }
    }
    uint64_t rb = bits_f64(q), mag = rb & ~(1ull << 63);
    if (mag <= 0x0010000000000000ull || mag >= 0x7ff0000000000000ull)
        return 0;
    *r = rb;
    *nx = inexact ? FFLAG_NX : 0;
    return 1;
}

static inline __attribute__((always_inline)) int fast_rne_s(int op, uint32_t a, uint32_t b,
                                                             uint32_t *r, unsigned *nx)
{
    if (op == AR_FMA || !host_default() || ((a >> 23) & 0xff) == 0xff || ((b >> 23) & 0xff) == 0xff)
        return 0;
    float x = f32_of(a), y = f32_of(b), q;
    int inexact;
    switch (op) {
    case AR_ADD:
    case AR_SUB: {
        if (op == AR_SUB)
            y = -y;
        q = x + y;
        float bv = q - x;
        if (isinf(bv))
            return 0;
        inexact = ((x - (q - bv)) + (y - bv)) != 0;
        break;
    }
    case AR_MUL: {
        double p = (double)x * (double)y;         /* exact: 48 bits */
        q = (float)p;
        inexact = (double)q != p;
        break;
    }
    case AR_DIV: {
        q = x / y;
        if (!sig_s(b) || !sig_s(a))
            return 0;
        inexact = odd_part64(sig_s(bits_f32(q)) * sig_s(b)) != odd_part64(sig_s(a));
        break;
    }
    default: {
        if ((int32_t)a <= 0)
            return 0;
        __asm__("sqrtss %1, %0" : "=x"(q) : "x"(x));
        inexact = (double)q * (double)q != (double)x;
        break;
    }
    }
    uint32_t rb = bits_f32(q), mag = rb & 0x7fffffffu;
    if (mag <= 0x00800000u || mag >= 0x7f800000u)
        return 0;
    *r = rb;
    *nx = inexact ? FFLAG_NX : 0;
    return 1;
}
#else
static inline int fast_rne_d(int op, uint64_t a, uint64_t b, uint64_t *r, unsigned *nx)
{
    (void)op; (void)a; (void)b; (void)r; (void)nx;
    return 0;
}

static inline int fast_rne_s(int op, uint32_t a, uint32_t b, uint32_t *r, unsigned *nx)
{
    (void)op; (void)a; (void)b; (void)r; (void)nx;
    return 0;
}
#endif

/* ---- exact rounding to a format ------------------------------------------------------------ */

typedef struct FpFormat {
    int p;          /* significand bits, including the hidden one */
    int emax;       /* largest exponent; the bias equals emax and emin = 1 - emax */
    int width;      /* 32 or 64 */
} FpFormat;

static const FpFormat FMT_S = {24, 127, 32};
static const FpFormat FMT_D = {53, 1023, 64};

static inline int round_increment(uint64_t q, int round, int sticky, int sign, int rm)
{
    switch (rm) {
    case RM_RNE: return round && (sticky || (q & 1));
    case RM_RMM: return round;
    case RM_RDN: return sign && (round || sticky);
    case RM_RUP: return !sign && (round || sticky);
    default: return 0;
    }
}

/* Round sig * 2^exp (sig != 0) to `f` in mode rm, with the RISC-V flags: tininess is detected
 * after rounding (20.4), UF needs tiny and inexact, overflow gives infinity or the largest finite
 * number by the rounding direction (IEEE 754-2019 7.4). */
static uint64_t round_pack(const FpFormat *f, int sign, int exp, uint64_t sig, int rm,
                           unsigned *flags)
{
    int lz = __builtin_clzll(sig);
    sig <<= lz;
    exp -= lz;
    int e = exp + 63;                   /* the value is 1.xxx * 2^e */
    int emin = 1 - f->emax;
    int shift = 64 - f->p;              /* discarded bits when the result is normal */
    uint64_t sign_bit = (uint64_t)sign << (f->width - 1);
    uint64_t exp_all_ones = (uint64_t)(2 * f->emax + 1) << (f->p - 1);
    int tiny = 0;
    if (e > f->emax)
        goto overflow;
    if (e < emin) {
        /* Tiny unless rounding to p bits with an unbounded exponent reaches 2^emin. */
        tiny = 1;
        if (e == emin - 1) {
            uint64_t q0 = sig >> shift;
            int r0 = (sig >> (shift - 1)) & 1;
            int s0 = (sig & ((1ull << (shift - 1)) - 1)) != 0;
            if (q0 == (1ull << f->p) - 1 && round_increment(q0, r0, s0, sign, rm))
                tiny = 0;
        }
        shift += emin - e;
    }
    uint64_t q;
    int round, sticky;
    if (shift > 64) {
        q = 0;
        round = 0;
        sticky = 1;
    } else {
        q = shift == 64 ? 0 : sig >> shift;
        round = (sig >> (shift - 1)) & 1;
        sticky = (sig & ((1ull << (shift - 1)) - 1)) != 0;
    }
    q += round_increment(q, round, sticky, sign, rm);
    uint64_t bits;
    if (e < emin)
        bits = q;       /* q <= 2^(p-1): a carry into the hidden bit makes the least normal */
    else
        bits = ((uint64_t)(e + f->emax - 1) << (f->p - 1)) + q;
    if (bits >= exp_all_ones)
        goto overflow;
    if (round || sticky) {
        *flags |= FFLAG_NX;
        if (tiny)
            *flags |= FFLAG_UF;
    }
    return sign_bit | bits;

overflow:
    *flags |= FFLAG_OF | FFLAG_NX;
    if (rm == RM_RTZ || (rm == RM_RDN && !sign) || (rm == RM_RUP && sign))
        return sign_bit | (exp_all_ones - 1);      /* the largest finite number */
    return sign_bit | exp_all_ones;                 /* infinity */
}

enum { CLS_ZERO, CLS_FINITE, CLS_INF, CLS_QNAN, CLS_SNAN };

/* Split a finite nonzero value into sign, sig and exp with value = sig * 2^exp. */
static int unpack(const FpFormat *f, uint64_t bits, int *sign, int *exp, uint64_t *sig)
{
    int ebits = f->width - f->p;
    uint64_t frac_mask = (1ull << (f->p - 1)) - 1;
    uint64_t frac = bits & frac_mask;
    int be = (int)((bits >> (f->p - 1)) & ((1u << ebits) - 1));
    *sign = (int)((bits >> (f->width - 1)) & 1);
    if (be == (1 << ebits) - 1) {
        if (!frac)
            return CLS_INF;
        return (frac >> (f->p - 2)) & 1 ? CLS_QNAN : CLS_SNAN;
    }
    if (be == 0) {
        if (!frac)
            return CLS_ZERO;
        *sig = frac;
        *exp = 1 - f->emax - (f->p - 1);
        return CLS_FINITE;
    }
    *sig = frac | (1ull << (f->p - 1));
    *exp = be - f->emax - (f->p - 1);
    return CLS_FINITE;
}

/* ---- RMM through a wider format rounded to odd --------------------------------------------- */

/* The operands are widened before the host's rounding window opens, which quietens signalling
 * NaNs: their NV is raised here. */
static unsigned snan_operands_s(int op, uint32_t a, uint32_t b, uint32_t c)
{
    int s = f32_is_snan(a) || (op != AR_SQRT && f32_is_snan(b)) || (op == AR_FMA && f32_is_snan(c));
    return s ? FFLAG_NV : 0;
}

static unsigned snan_operands_d(int op, uint64_t a, uint64_t b, uint64_t c)
{
    int s = f64_is_snan(a) || (op != AR_SQRT && f64_is_snan(b)) || (op == AR_FMA && f64_is_snan(c));
    return s ? FFLAG_NV : 0;
}

static uint64_t rmm_f32(int op, uint32_t a, uint32_t b, uint32_t c, unsigned *flags)
{
    *flags |= snan_operands_s(op, a, b, c);
    double x = f32_of(a), y = f32_of(b), z = f32_of(c);
    uint32_t saved = host_enter(RM_RTZ);
    double r = host_f64(op, x, y, z);
    unsigned hf = host_leave(saved);
    *flags |= hf & (FFLAG_NV | FFLAG_DZ);
    if (isnan(r))
        return F32_CANON;
    if (isinf(r) || r == 0)
        return bits_f32((float)r);      /* exact: infinite operands, division by zero, zero */
    uint64_t rb = bits_f64(r) | ((hf & FFLAG_NX) ? 1 : 0);
    int sign, exp;
    uint64_t sig;
    unpack(&FMT_D, rb, &sign, &exp, &sig);
    return round_pack(&FMT_S, sign, exp, sig, RM_RMM, flags);
}

static uint64_t rmm_f64(int op, uint64_t a, uint64_t b, uint64_t c, unsigned *flags)
{
    *flags |= snan_operands_d(op, a, b, c);
    volatile long double x = f64_of(a), y = f64_of(b), z = f64_of(c);
    volatile long double vr;
    fenv_t env;
    feholdexcept(&env);
    fesetround(FE_TOWARDZERO);
    switch (op) {
    case AR_ADD: vr = x + y; break;
    case AR_SUB: vr = x - y; break;
    case AR_MUL: vr = x * y; break;
    case AR_DIV: vr = x / y; break;
    case AR_SQRT: vr = sqrtl(x); break;
    default: vr = fmal(x, y, z); break;
    }
    int e = fetestexcept(FE_INVALID | FE_DIVBYZERO | FE_INEXACT);
    fesetenv(&env);
    long double r = vr;
    *flags |= ((e & FE_INVALID) ? FFLAG_NV : 0) | ((e & FE_DIVBYZERO) ? FFLAG_DZ : 0);
    if (isnan(r))
        return F64_CANON;
    if (isinf(r) || r == 0)
        return bits_f64((double)r);
    int ex;
    long double m = frexpl(fabsl(r), &ex);          /* m in [0.5, 1) */
    long double scaled = ldexpl(m, 64);
    uint64_t sig = (uint64_t)scaled;
    if ((long double)sig != scaled || (e & FE_INEXACT))
        sig |= 1;
    return round_pack(&FMT_D, signbit(r) ? 1 : 0, ex - 64, sig, RM_RMM, flags);
}

/* ---- the arithmetic helpers ---------------------------------------------------------------- */

static inline __attribute__((always_inline)) uint64_t arith_s(CPUState *cpu, int op, uint64_t a,
                                                              uint64_t b, uint64_t c, uint64_t rm)
{
    int mode = fp_rm(cpu, rm);
    if (mode < 0)
        return 0;
    uint32_t x = unbox_s(a), y = unbox_s(b), z = unbox_s(c);
    unsigned flags = 0;
    uint32_t r;
    /* 20.6: FMA of inf * 0 is invalid even when the addend is a quiet NaN. */
    if (op == AR_FMA && (((x & 0x7fffffffu) == 0x7f800000u && !(y & 0x7fffffffu)) ||
                         ((y & 0x7fffffffu) == 0x7f800000u && !(x & 0x7fffffffu)))) {
        fp_accrue(cpu, FFLAG_NV);
        return box_s(F32_CANON);
    }
    if (mode == RM_RNE && HAVE_FAST_RNE && fast_rne_s(op, x, y, &r, &flags)) {
        /* done */
    } else if (mode == RM_RMM) {
        r = (uint32_t)rmm_f32(op, x, y, z, &flags);
    } else {
        uint32_t saved = host_enter(mode);
        float fr = host_f32(op, f32_of(x), f32_of(y), f32_of(z));
        flags = host_leave(saved);
        r = bits_f32(fr);
        if (f32_is_nan(r))
            r = F32_CANON;
    }
    fp_accrue(cpu, flags);
    return box_s(r);
}

static inline __attribute__((always_inline)) uint64_t arith_d(CPUState *cpu, int op, uint64_t a,
                                                              uint64_t b, uint64_t c, uint64_t rm)
{
    int mode = fp_rm(cpu, rm);
    if (mode < 0)
        return 0;
    unsigned flags = 0;
    uint64_t r;
    if (op == AR_FMA && (((a << 1) == 0xffe0000000000000ull && !(b << 1)) ||
                         ((b << 1) == 0xffe0000000000000ull && !(a << 1)))) {
        fp_accrue(cpu, FFLAG_NV);
        return F64_CANON;
    }
    if (mode == RM_RNE && HAVE_FAST_RNE && fast_rne_d(op, a, b, &r, &flags)) {
        /* done */
    } else if (mode == RM_RMM) {
        r = rmm_f64(op, a, b, c, &flags);
    } else {
        uint32_t saved = host_enter(mode);
        double fr = host_f64(op, f64_of(a), f64_of(b), f64_of(c));
        flags = host_leave(saved);
        r = bits_f64(fr);
        if (f64_is_nan(r))
            r = F64_CANON;
    }
    fp_accrue(cpu, flags);
    return r;
}

#define ARITH2(name, op)                                                                      \
    uint64_t helper_##name##_s(CPUState *cpu, uint64_t a, uint64_t b, uint64_t rm)            \
    {                                                                                         \
        return arith_s(cpu, op, a, b, box_s(0), rm);                                          \
    }                                                                                         \
    uint64_t helper_##name##_d(CPUState *cpu, uint64_t a, uint64_t b, uint64_t rm)            \
    {                                                                                         \
        return arith_d(cpu, op, a, b, 0, rm);                                                 \
    }

ARITH2(fadd, AR_ADD)
ARITH2(fsub, AR_SUB)
ARITH2(fmul, AR_MUL)
ARITH2(fdiv, AR_DIV)

uint64_t helper_fsqrt_s(CPUState *cpu, uint64_t a, uint64_t rm)
{
    return arith_s(cpu, AR_SQRT, a, box_s(0), box_s(0), rm);
}

uint64_t helper_fsqrt_d(CPUState *cpu, uint64_t a, uint64_t rm)
{
    return arith_d(cpu, AR_SQRT, a, 0, 0, rm);
}

/* FMA: a * b + c rounded once.  The rounding mode is part of the helper's name (the helper ABI
 * has three operands); FMSUB/FNMSUB/FNMADD negate operands in the translator. */
#define FMA_RM(rmname, rmval)                                                                 \
    uint64_t helper_fma_s_##rmname(CPUState *cpu, uint64_t a, uint64_t b, uint64_t c)         \
    {                                                                                         \
        return arith_s(cpu, AR_FMA, a, b, c, rmval);                                          \
    }                                                                                         \
    uint64_t helper_fma_d_##rmname(CPUState *cpu, uint64_t a, uint64_t b, uint64_t c)         \
    {                                                                                         \
        return arith_d(cpu, AR_FMA, a, b, c, rmval);                                          \
    }

FMA_RM(rne, RM_RNE)
FMA_RM(rtz, RM_RTZ)
FMA_RM(rdn, RM_RDN)
FMA_RM(rup, RM_RUP)
FMA_RM(rmm, RM_RMM)
FMA_RM(dyn, RM_DYN)

/* ---- min/max, comparisons, classification (20.8, 20.9) ------------------------------------- */

/* IEEE 754-2019 minimumNumber/maximumNumber: a NaN operand yields the other operand, two NaNs
 * the canonical NaN; -0 < +0; a signalling NaN raises NV. */
static uint64_t minmax(CPUState *cpu, const FpFormat *f, uint64_t a, uint64_t b, int is_max)
{
    int an, bn, as, bs;
    if (f->width == 32) {
        an = f32_is_nan((uint32_t)a);
        bn = f32_is_nan((uint32_t)b);
        as = f32_is_snan((uint32_t)a);
        bs = f32_is_snan((uint32_t)b);
    } else {
        an = f64_is_nan(a);
        bn = f64_is_nan(b);
        as = f64_is_snan(a);
        bs = f64_is_snan(b);
    }
    if (as || bs)
        fp_accrue(cpu, FFLAG_NV);
    if (an && bn)
        return f->width == 32 ? F32_CANON : F64_CANON;
    if (an)
        return b;
    if (bn)
        return a;
    int a_lt_b;
    uint64_t sbit = 1ull << (f->width - 1);
    if (f->width == 32)
        a_lt_b = f32_of((uint32_t)a) < f32_of((uint32_t)b);
    else
        a_lt_b = f64_of(a) < f64_of(b);
    int equal = f->width == 32 ? f32_of((uint32_t)a) == f32_of((uint32_t)b)
                               : f64_of(a) == f64_of(b);
    if (equal)      /* equal values, or zeros of either sign: -0 is the smaller */
        a_lt_b = (a & sbit) && !(b & sbit);
    if (is_max)
        return a_lt_b ? b : a;
    return a_lt_b ? a : b;
}

uint64_t helper_fmin_s(CPUState *cpu, uint64_t a, uint64_t b)
{
    return box_s((uint32_t)minmax(cpu, &FMT_S, unbox_s(a), unbox_s(b), 0));
}

uint64_t helper_fmax_s(CPUState *cpu, uint64_t a, uint64_t b)
{
    return box_s((uint32_t)minmax(cpu, &FMT_S, unbox_s(a), unbox_s(b), 1));
}

uint64_t helper_fmin_d(CPUState *cpu, uint64_t a, uint64_t b)
{
    return minmax(cpu, &FMT_D, a, b, 0);
}

uint64_t helper_fmax_d(CPUState *cpu, uint64_t a, uint64_t b)
{
    return minmax(cpu, &FMT_D, a, b, 1);
}

/* FEQ is a quiet comparison (NV only for signalling NaNs); FLT and FLE signal on any NaN. */
enum { CMP_EQ, CMP_LT, CMP_LE };

static uint64_t compare(CPUState *cpu, int cmp, int an, int bn, int asn, int bsn, int lt, int eq)
{
    if (an || bn) {
        if (cmp != CMP_EQ || asn || bsn)
            fp_accrue(cpu, FFLAG_NV);
        return 0;
    }
    return cmp == CMP_EQ ? eq : cmp == CMP_LT ? lt : (lt || eq);
}

#define CMP_S(name, cmp)                                                                      \
    uint64_t helper_##name##_s(CPUState *cpu, uint64_t a, uint64_t b)                         \
    {                                                                                         \
        uint32_t x = unbox_s(a), y = unbox_s(b);                                              \
        return compare(cpu, cmp, f32_is_nan(x), f32_is_nan(y), f32_is_snan(x),                \
                       f32_is_snan(y), f32_of(x) < f32_of(y), f32_of(x) == f32_of(y));        \
    }                                                                                         \
    uint64_t helper_##name##_d(CPUState *cpu, uint64_t a, uint64_t b)                         \
    {                                                                                         \
        return compare(cpu, cmp, f64_is_nan(a), f64_is_nan(b), f64_is_snan(a),                \
                       f64_is_snan(b), f64_of(a) < f64_of(b), f64_of(a) == f64_of(b));        \
    }

CMP_S(feq, CMP_EQ)
CMP_S(flt, CMP_LT)
CMP_S(fle, CMP_LE)

/* FCLASS (20.9, table "Format of result of FCLASS instruction"). */
static uint64_t fclass(const FpFormat *f, uint64_t bits)
{
    int sign, exp;
    uint64_t sig;
    int cls = unpack(f, bits, &sign, &exp, &sig);
    int ebits = f->width - f->p;
    int subnormal = ((bits >> (f->p - 1)) & ((1u << ebits) - 1)) == 0;
    switch (cls) {
    case CLS_INF: return sign ? 1u << 0 : 1u << 7;
    case CLS_ZERO: return sign ? 1u << 3 : 1u << 4;
    case CLS_SNAN: return 1u << 8;
    case CLS_QNAN: return 1u << 9;
    default:
        if (subnormal)
            return sign ? 1u << 2 : 1u << 5;
        return sign ? 1u << 1 : 1u << 6;
    }
}

uint64_t helper_fclass_s(CPUState *cpu, uint64_t a)
{
    (void)cpu;
    return fclass(&FMT_S, unbox_s(a));
}

uint64_t helper_fclass_d(CPUState *cpu, uint64_t a)
{
    (void)cpu;
    return fclass(&FMT_D, a);
}

/* ---- conversions (20.7, 21.5) -------------------------------------------------------------- */

/* Float -> integer of `width` bits (32 or 64), rounded in rm.  Out-of-range and NaN inputs give
 * the table-20.x saturated values with NV (and no NX); the 32-bit results are sign-extended. */
static uint64_t to_int(CPUState *cpu, const FpFormat *f, uint64_t a, int rm, int width,
                       int is_signed)
{
    int sign, exp;
    uint64_t sig;
    int cls = unpack(f, a, &sign, &exp, &sig);
    uint64_t max = is_signed ? (width == 32 ? 0x7fffffffull : 0x7fffffffffffffffull)
                             : (width == 32 ? 0xffffffffull : ~0ull);
    uint64_t min = is_signed ? (width == 32 ? 0xffffffff80000000ull : 1ull << 63) : 0;
    uint64_t res;
    if (cls == CLS_QNAN || cls == CLS_SNAN) {
        fp_accrue(cpu, FFLAG_NV);
        res = max;
        goto out;
    }
    if (cls == CLS_INF) {
        fp_accrue(cpu, FFLAG_NV);
        res = sign ? min : max;
        goto out;
    }
    if (cls == CLS_ZERO)
        return 0;
    uint64_t ip;
    int round = 0, sticky = 0;
    if (exp >= 0) {
        if (exp >= 64 || (exp > 0 && (sig >> (64 - exp)) != 0))
            goto invalid;
        ip = sig << exp;
    } else if (exp > -64) {
        int sh = -exp;
        ip = sig >> sh;
        round = (sig >> (sh - 1)) & 1;
        sticky = (sig & ((1ull << (sh - 1)) - 1)) != 0;
    } else {
        ip = 0;
        sticky = 1;
    }
    if (round_increment(ip, round, sticky, sign, rm)) {
        if (ip == ~0ull)
            goto invalid;
        ip++;
    }
    if (!sign) {
        if (ip > max)
            goto invalid;
        res = ip;
    } else if (is_signed) {
        if (ip > max + 1)
            goto invalid;
        res = -ip;
    } else {
        if (ip != 0)
            goto invalid;
        res = 0;
    }
    if (round || sticky)
        fp_accrue(cpu, FFLAG_NX);
    goto out;
invalid:
    fp_accrue(cpu, FFLAG_NV);
    res = sign ? min : max;
out:
    if (width == 32)
        res = (uint64_t)(int64_t)(int32_t)(uint32_t)res;
    return res;
}

#define TO_INT(name, width, sgn)                                                              \
    uint64_t helper_fcvt_##name##_s(CPUState *cpu, uint64_t a, uint64_t rm)                   \
    {                                                                                         \
        int mode = fp_rm(cpu, rm);                                                            \
        return mode < 0 ? 0 : to_int(cpu, &FMT_S, unbox_s(a), mode, width, sgn);              \
    }                                                                                         \
    uint64_t helper_fcvt_##name##_d(CPUState *cpu, uint64_t a, uint64_t rm)                   \
    {                                                                                         \
        int mode = fp_rm(cpu, rm);                                                            \
        return mode < 0 ? 0 : to_int(cpu, &FMT_D, a, mode, width, sgn);                       \
    }

TO_INT(w, 32, 1)
TO_INT(wu, 32, 0)
TO_INT(l, 64, 1)
TO_INT(lu, 64, 0)

/* Integer -> float: the magnitude rounded by round_pack (exact for int32 -> double). */
static uint64_t from_int(CPUState *cpu, const FpFormat *f, uint64_t x, int width, int is_signed,
                         int rm)
{
    int sign = 0;
    if (width == 32)
        x = is_signed ? (uint64_t)(int64_t)(int32_t)x : (uint32_t)x;
    if (is_signed && (int64_t)x < 0) {
        sign = 1;
        x = -x;
    }
    if (!x)
        return 0;
    unsigned flags = 0;
    uint64_t r = round_pack(f, sign, 0, x, rm, &flags);
    fp_accrue(cpu, flags);
    return r;
}

#define FROM_INT(name, width, sgn)                                                            \
    uint64_t helper_fcvt_s_##name(CPUState *cpu, uint64_t x, uint64_t rm)                     \
    {                                                                                         \
        int mode = fp_rm(cpu, rm);                                                            \
        return mode < 0 ? 0 : box_s((uint32_t)from_int(cpu, &FMT_S, x, width, sgn, mode));    \
    }                                                                                         \
    uint64_t helper_fcvt_d_##name(CPUState *cpu, uint64_t x, uint64_t rm)                     \
    {                                                                                         \
        int mode = fp_rm(cpu, rm);                                                            \
        return mode < 0 ? 0 : from_int(cpu, &FMT_D, x, width, sgn, mode);                     \
    }

FROM_INT(w, 32, 1)
FROM_INT(wu, 32, 0)
FROM_INT(l, 64, 1)
FROM_INT(lu, 64, 0)

/* Between formats (21.5): NaNs become the canonical NaN (NV for a signalling one); widening is
 * exact, narrowing rounds in rm. */
static uint64_t convert(CPUState *cpu, const FpFormat *from, const FpFormat *to, uint64_t a,
                        int rm)
{
    int sign, exp;
    uint64_t sig;
    int cls = unpack(from, a, &sign, &exp, &sig);
    uint64_t sign_bit = (uint64_t)sign << (to->width - 1);
    uint64_t inf = (uint64_t)(2 * to->emax + 1) << (to->p - 1);
    switch (cls) {
    case CLS_SNAN:
        fp_accrue(cpu, FFLAG_NV);
        /* fall through */
    case CLS_QNAN:
        return to->width == 32 ? F32_CANON : F64_CANON;
    case CLS_INF:
        return sign_bit | inf;
    case CLS_ZERO:
        return sign_bit;
    default: {
        unsigned flags = 0;
        uint64_t r = round_pack(to, sign, exp, sig, rm, &flags);
        fp_accrue(cpu, flags);
        return r;
    }
    }
}

uint64_t helper_fcvt_s_d(CPUState *cpu, uint64_t a, uint64_t rm)
{
    int mode = fp_rm(cpu, rm);
    return mode < 0 ? 0 : box_s((uint32_t)convert(cpu, &FMT_D, &FMT_S, a, mode));
}

uint64_t helper_fcvt_d_s(CPUState *cpu, uint64_t a, uint64_t rm)
{
    int mode = fp_rm(cpu, rm);
    return mode < 0 ? 0 : convert(cpu, &FMT_S, &FMT_D, unbox_s(a), mode);
}
