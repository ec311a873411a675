/* matmul: 96x96 int32 matrix multiply, C = A * B (i-k-j loop order).
 * Stresses: multiply throughput, sequential loads/stores in the inner loop,
 * nested counted loops. */
#include "bench.h"

const char bench_name[] = "matmul";
const unsigned long bench_reps = BENCH_REPS(50);
const uint64_t bench_expected = 0x4aebb63ae9fcb7cfull;

#define N 96

static int32_t A[N][N], B[N][N], C[N][N];

void bench_init(void)
{
    uint64_t s = 0x9e3779b97f4a7c15ull;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            A[i][j] = (int32_t)(bench_xorshift64(&s) % 2001) - 1000;
            B[i][j] = (int32_t)(bench_xorshift64(&s) % 2001) - 1000;
        }
}

uint64_t bench_rep(void)
{
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < N; j++)
            C[i][j] = 0;
        for (int k = 0; k < N; k++) {
            int32_t a = A[i][k];
            for (int j = 0; j < N; j++)
                C[i][j] += a * B[k][j];
        }
    }
    uint64_t h = 0;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++)
            h = h * 31 + (uint32_t)C[i][j];
    return h;
}
