/* hash: FNV-1a (byte at a time) plus a murmur-style 64-bit word mix over
 * a 256 KiB buffer.
 * Stresses: long dependency chains of 64-bit multiplies, xors, rotates. */
#include "bench.h"

const char bench_name[] = "hash";
const unsigned long bench_reps = BENCH_REPS(9000);
const uint64_t bench_expected = 0x40aba2506982d65cull;

#define BUF_SIZE (256 * 1024)

static uint64_t buf[BUF_SIZE / 8];

static inline uint64_t rotl(uint64_t x, int r)
{
    return (x << r) | (x >> (64 - r));
}

static uint64_t fnv1a(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

static uint64_t mix64(const uint64_t *w, size_t n)
{
    uint64_t h = 0x9747b28c9747b28cull;
    for (size_t i = 0; i < n; i++) {
        uint64_t k = w[i] * 0x87c37b91114253d5ull;
        k = rotl(k, 31) * 0x4cf5ad432745937full;
        h ^= k;
        h = rotl(h, 27) * 5 + 0x52dce729;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h;
}

void bench_init(void)
{
    uint64_t s = 0xb7e151628aed2a6bull;
    for (size_t i = 0; i < BUF_SIZE / 8; i++)
        buf[i] = bench_xorshift64(&s);
}

uint64_t bench_rep(void)
{
    uint64_t a = fnv1a((const uint8_t *)buf, BUF_SIZE / 4);
    uint64_t b = mix64(buf, BUF_SIZE / 8);
    return a ^ rotl(b, 17);
}
