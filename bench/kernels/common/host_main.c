/* Host-side reference: build a kernel natively and print the checksum of
 * one repetition (used to derive / re-check bench_expected). */
#include <stdio.h>
#include <inttypes.h>
#include "bench.h"

int main(void)
{
    bench_init();
    uint64_t a = bench_rep();
    uint64_t b = bench_rep();
    int ok = (a == bench_expected && b == bench_expected);
    printf("%-8s check=0x%" PRIx64 " expected=0x%" PRIx64 " %s\n",
           bench_name, a, bench_expected,
           ok ? "OK" : (a == b ? "MISMATCH" : "NONDETERMINISTIC"));
    return ok ? 0 : 1;
}
