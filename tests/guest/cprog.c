/*
 * cprog.c - compiled C as an integration test: GCC -O2 output mixes
 * compressed and 32-bit instructions, calls, recursion, indirect calls,
 * loops, 64/32-bit multiply/divide and byte/halfword/word/dword memory
 * traffic.  Each check returns its own number on failure (crt0 turns a
 * nonzero return value from main into "FAIL <n>").
 * Expected values were computed independently on the host.
 */
#include <stdint.h>
#include "uart.h"

static uint32_t crc32(const uint8_t *p, unsigned n)
{
    uint32_t crc = 0xffffffffu;
    while (n--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
    }
    return ~crc;
}

static uint64_t fib(unsigned n)
{
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

static int64_t sdiv(int64_t a, int64_t b) { return a / b; }
static int64_t smod(int64_t a, int64_t b) { return a % b; }
static int32_t wdiv(int32_t a, int32_t b) { return a / b; }

typedef int64_t (*binop)(int64_t, int64_t);

static int16_t table[64];
static uint64_t sorted[32];
static volatile uint64_t sink;
/* volatile inputs keep GCC from folding the arithmetic at compile time */
static volatile int64_t v_a = -1000000007, v_b = 97;
static volatile int32_t v_w = -2147483647 - 1;
static volatile unsigned v_n = 20;
static volatile int v_sel = 1;

static void isort(uint64_t *a, int n)
{
    for (int i = 1; i < n; i++) {
        uint64_t v = a[i];
        int j = i - 1;
        while (j >= 0 && a[j] > v) {
            a[j + 1] = a[j];
            j--;
        }
        a[j + 1] = v;
    }
}

int main(void)
{
    static const char msg[] = "The quick brown fox jumps over the lazy dog";

    if (crc32((const uint8_t *)msg, sizeof msg - 1) != 0x414fa339u)
        return 1;

    if (fib(v_n) != 6765)
        return 2;

    static binop const ops[2] = { sdiv, smod };
    if (ops[v_sel - 1](v_a, v_b) != -10309278 || ops[v_sel](v_a, v_b) != -41)
        return 3;
    if (wdiv(v_w, (int32_t)v_b - 94) != -715827882)
        return 4;

    /* signed 16-bit table with sign extension on load */
    int64_t sum = 0;
    for (int i = 0; i < 64; i++)
        table[i] = (int16_t)(i * 1021 - 30000);
    for (int i = 0; i < 64; i++)
        sum += table[i];
    if (sum != 7264)
        return 5;

    /* linear congruential generator, then sort */
    uint64_t x = 12345;
    for (int i = 0; i < 32; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        sorted[i] = x >> 11;
    }
    isort(sorted, 32);
    for (int i = 1; i < 32; i++)
        if (sorted[i - 1] > sorted[i])
            return 6;
    sink = sorted[0] ^ sorted[31];
    if (sink != 0x1f4045fb5713d7ull)
        return 7;

    return 0;
}
