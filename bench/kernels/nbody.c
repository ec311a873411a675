/* nbody: double-precision gravitational N-body (softened, semi-implicit Euler), 32 bodies,
 * 16 steps per repetition from the same initial state.
 * Stresses: RV64D arithmetic (add/mul latency chains, a divide and a square root per pair),
 * FP loads and stores, int64 -> double conversions in the set-up.  Built for
 * rv64imafdc/lp64d with -ffp-contract=off, so that guest and host (host-check) round every
 * operation the same way. */
#include "bench.h"

const char bench_name[] = "nbody";
const unsigned long bench_reps = BENCH_REPS(600);
const uint64_t bench_expected = 0xc541842d40877b78ull;

#define N 32
#define STEPS 16

static double px0[N], py0[N], pz0[N], vx0[N], vy0[N], vz0[N], mass[N];
static double px[N], py[N], pz[N], vx[N], vy[N], vz[N];

static double coord(uint64_t *s, int range)
{
    return (double)((int64_t)(bench_xorshift64(s) % (2 * (uint64_t)range + 1)) - range) / 64.0;
}

void bench_init(void)
{
    uint64_t s = 0x2545f4914f6cdd1dull;
    for (int i = 0; i < N; i++) {
        px0[i] = coord(&s, 4000);
        py0[i] = coord(&s, 4000);
        pz0[i] = coord(&s, 4000);
        vx0[i] = coord(&s, 100) / 16.0;
        vy0[i] = coord(&s, 100) / 16.0;
        vz0[i] = coord(&s, 100) / 16.0;
        mass[i] = 1.0 + (double)(bench_xorshift64(&s) % 1000) / 100.0;
    }
}

static uint64_t bits(double d)
{
    union { double d; uint64_t u; } v = {d};
    return v.u;
}

uint64_t bench_rep(void)
{
    const double dt = 0.01, soft = 0.05;
    for (int i = 0; i < N; i++) {
        px[i] = px0[i]; py[i] = py0[i]; pz[i] = pz0[i];
        vx[i] = vx0[i]; vy[i] = vy0[i]; vz[i] = vz0[i];
    }
    for (int step = 0; step < STEPS; step++) {
        for (int i = 0; i < N; i++) {
            double ax = 0.0, ay = 0.0, az = 0.0;
            for (int j = 0; j < N; j++) {
                if (j == i)
                    continue;
                double dx = px[j] - px[i], dy = py[j] - py[i], dz = pz[j] - pz[i];
                double r2 = dx * dx + dy * dy + dz * dz + soft;
                double f = mass[j] / (r2 * __builtin_sqrt(r2));
                ax += dx * f;
                ay += dy * f;
                az += dz * f;
            }
            vx[i] += ax * dt;
            vy[i] += ay * dt;
            vz[i] += az * dt;
        }
        for (int i = 0; i < N; i++) {
            px[i] += vx[i] * dt;
            py[i] += vy[i] * dt;
            pz[i] += vz[i] * dt;
        }
    }
    uint64_t h = 0;
    for (int i = 0; i < N; i++) {
        h = h * 31 + bits(px[i]);
        h = h * 31 + bits(py[i]);
        h = h * 31 + bits(pz[i]);
        h = h * 31 + bits(vx[i]) + bits(vy[i]) + bits(vz[i]);
    }
    return h;
}
