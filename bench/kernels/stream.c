/* stream: STREAM-like copy/scale/add/triad over four 1 MiB arrays of
 * 64-bit words (4 MiB working set), plus a byte-granular copy.
 * Stresses: load/store throughput and the guest memory access path. */
#include "bench.h"

const char bench_name[] = "stream";
const unsigned long bench_reps = BENCH_REPS(80);
const uint64_t bench_expected = 0x710c763cbf7f4eb4ull;

#define WORDS (128 * 1024)            /* 1 MiB per array */

static uint64_t a[WORDS], b[WORDS], c[WORDS], d[WORDS];

void bench_init(void)
{
    uint64_t s = 0x3c6ef372fe94f82bull;
    for (size_t i = 0; i < WORDS; i++)
        a[i] = bench_xorshift64(&s);
}

uint64_t bench_rep(void)
{
    for (size_t i = 0; i < WORDS; i++)          /* copy  */
        b[i] = a[i];
    for (size_t i = 0; i < WORDS; i++)          /* scale */
        c[i] = 3 * b[i];
    for (size_t i = 0; i < WORDS; i++)          /* add   */
        b[i] = a[i] + c[i];
    for (size_t i = 0; i < WORDS; i++)          /* triad */
        c[i] = b[i] + 5 * a[i];
    /* byte copy of a quarter of c into d */
    const uint8_t *src = (const uint8_t *)c;
    uint8_t *dst = (uint8_t *)d;
    for (size_t i = 0; i < sizeof(c) / 4; i++)
        dst[i] = src[i];
    /* sampled fold (cheap compared with the passes above) */
    uint64_t h = 0;
    for (size_t i = 0; i < WORDS; i += 61)
        h = (h ^ c[i] ^ (b[i] << 1)) * 0x100000001b3ull;
    for (size_t i = 0; i < WORDS / 4; i += 67)
        h = (h ^ d[i]) * 0x100000001b3ull;
    return h;
}
