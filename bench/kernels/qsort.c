/* qsort: quicksort (median-of-3, insertion sort for short runs) of 64K
 * pseudo-random 32-bit keys, regenerated every repetition.
 * Stresses: unpredictable branches, calls/returns, swaps (loads+stores). */
#include "bench.h"

const char bench_name[] = "qsort";
const unsigned long bench_reps = BENCH_REPS(140);
const uint64_t bench_expected = 0xbbada6c5b3fe2f9dull;

#define COUNT (64 * 1024)

static uint32_t keys[COUNT];

static void insertion_sort(uint32_t *a, long n)
{
    for (long i = 1; i < n; i++) {
        uint32_t v = a[i];
        long j = i - 1;
        while (j >= 0 && a[j] > v) {
            a[j + 1] = a[j];
            j--;
        }
        a[j + 1] = v;
    }
}

static inline void swap(uint32_t *a, uint32_t *b)
{
    uint32_t t = *a;
    *a = *b;
    *b = t;
}

static void quick_sort(uint32_t *a, long n)
{
    while (n > 16) {
        long mid = n / 2;
        if (a[mid] < a[0]) swap(&a[mid], &a[0]);
        if (a[n - 1] < a[0]) swap(&a[n - 1], &a[0]);
        if (a[n - 1] < a[mid]) swap(&a[n - 1], &a[mid]);
        uint32_t pivot = a[mid];
        long i = 0, j = n - 1;
        for (;;) {
            while (a[i] < pivot) i++;
            while (a[j] > pivot) j--;
            if (i >= j)
                break;
            swap(&a[i], &a[j]);
            i++;
            j--;
        }
        /* a[0..j] <= pivot <= a[j+1..n-1]; recurse into the smaller part */
        long left = j + 1;
        if (left < n - left) {
            quick_sort(a, left);
            a += left;
            n -= left;
        } else {
            quick_sort(a + left, n - left);
            n = left;
        }
    }
    insertion_sort(a, n);
}

void bench_init(void)
{
}

uint64_t bench_rep(void)
{
    uint64_t s = 0x0123456789abcdefull;
    for (long i = 0; i < COUNT; i++)
        keys[i] = (uint32_t)(bench_xorshift64(&s) >> 17);
    quick_sort(keys, COUNT);
    uint64_t h = 0xcbf29ce484222325ull;
    uint32_t prev = 0, unsorted = 0;
    for (long i = 0; i < COUNT; i++) {
        unsorted |= keys[i] < prev;
        prev = keys[i];
        h = (h ^ keys[i]) * 0x100000001b3ull;
    }
    return unsorted ? 0xbadbadbadull : h;
}
