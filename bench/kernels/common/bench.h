/* Interface every kernel implements.  The kernel's .c file defines:
 *   bench_name      short name printed in the BENCH line
 *   bench_reps      repetitions of the timed hot section
 *   bench_expected  checksum one repetition must return
 *   bench_init()    one-time, untimed setup (tables, input data)
 *   bench_rep()     one repetition of the hot section; returns its checksum.
 *                   Every repetition does identical work and must return
 *                   bench_expected, so the checksum does not depend on the
 *                   repetition count.
 * Kernel code must stay portable C (no RISC-V specifics): host_main.c
 * builds it natively to (re)derive bench_expected. */
#ifndef BENCH_H
#define BENCH_H

#include <stdint.h>
#include <stddef.h>

extern const char bench_name[];
extern const unsigned long bench_reps;
extern const uint64_t bench_expected;
/* Optional: guest memory accesses one repetition makes (0 or undefined: not reported).  The
 * runner turns it into a software-TLB hit rate with rvjit's count of TLB fills. */
extern const unsigned long bench_accesses_per_rep __attribute__((weak));
void bench_init(void);
uint64_t bench_rep(void);

/* Compiler barrier: makes the compiler assume all memory may have changed,
 * so it cannot hoist or merge work across repetitions. */
#define BENCH_BARRIER() __asm__ volatile("" ::: "memory")

/* Repetition count: kernels give a default, `make REPS=n` overrides all. */
#ifdef REPS
#define BENCH_REPS(default_reps) (REPS)
#else
#define BENCH_REPS(default_reps) (default_reps)
#endif

/* Small deterministic PRNG for input data. */
static inline uint64_t bench_xorshift64(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *s = x;
    return x;
}

#endif
