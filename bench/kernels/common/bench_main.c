/* Bare-metal harness: warm-up, timed hot section, BENCH line, verdict. */
#include "bench.h"
#include "rt.h"

int main(void)
{
    bench_init();

    uint64_t warm = bench_rep();        /* untimed warm-up repetition */
    BENCH_BARRIER();

    uint64_t t0 = rt_mtime();
    uint64_t i0 = rt_instret();
    uint64_t bad = 0, r = 0;
    for (unsigned long k = 0; k < bench_reps; k++) {
        BENCH_BARRIER();
        r = bench_rep();
        bad |= r ^ bench_expected;
    }
    uint64_t i1 = rt_instret();
    uint64_t t1 = rt_mtime();

    rt_puts("BENCH name=");
    rt_puts(bench_name);
    rt_puts(" ticks=");
    rt_put_dec(t1 - t0);
    rt_puts(" instret=");
    rt_put_dec(i1 - i0);
    rt_puts(" check=");
    rt_put_hex(r);
    if (&bench_accesses_per_rep && bench_accesses_per_rep) {
        rt_puts(" accesses=");
        rt_put_dec(bench_accesses_per_rep * bench_reps);
    }
    rt_putc('\n');

    if (bad || warm != bench_expected) {
        rt_puts("BENCH-FAIL name=");
        rt_puts(bench_name);
        rt_puts(" expected=");
        rt_put_hex(bench_expected);
        rt_puts(" got=");
        rt_put_hex(r);
        rt_puts(" warmup=");
        rt_put_hex(warm);
        rt_putc('\n');
        return 1;
    }
    return 0;
}
