/* sieve: Sieve of Eratosthenes over [0, 2^21) in a byte array.
 * Stresses: tight store loops with large strides (2 MiB working set),
 * short inner loops and data-dependent branches. */
#include "bench.h"

const char bench_name[] = "sieve";
const unsigned long bench_reps = BENCH_REPS(70);
const uint64_t bench_expected = 0x00025fdb75a5ff2eull;

#define LIMIT (1u << 21)

static uint8_t composite[LIMIT] __attribute__((aligned(16)));

void bench_init(void)
{
}

uint64_t bench_rep(void)
{
    uint64_t *w = (uint64_t *)composite;
    for (size_t i = 0; i < LIMIT / 8; i++)
        w[i] = 0;
    composite[0] = composite[1] = 1;
    for (uint32_t p = 2; (uint64_t)p * p < LIMIT; p++) {
        if (composite[p])
            continue;
        for (uint32_t m = p * p; m < LIMIT; m += p)
            composite[m] = 1;
    }
    uint32_t count = 0, sum = 0;
    for (uint32_t i = 0; i < LIMIT; i++) {
        if (!composite[i]) {
            count++;
            sum += i;
        }
    }
    /* count of primes < 2^21 is 155611 */
    return ((uint64_t)count << 32) | sum;
}
