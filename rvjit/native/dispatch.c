/* The native run loop: look up the translation for (pc, flags), run it natively or in the
 * interpreter tier, and return to Python only for the EXIT_* reasons. */
#include "runtime.h"
#include <stdlib.h>

#define TB_HASH_BITS 16
#define TB_HASH_SIZE (1u << TB_HASH_BITS)
#define JC_BITS 12
#define JC_SIZE (1u << JC_BITS)

static TB *tb_hash[TB_HASH_SIZE];
/* One jump cache for the process: harts share translations. */
static TB *jump_cache[JC_SIZE];
static uint32_t hot_threshold = 50;

static inline uint32_t tb_hash_fn(uint64_t pc, uint64_t flags)
{
    uint64_t h = (pc >> 1) * 0x9E3779B97F4A7C15ull ^ flags * 0xC2B2AE3D27D4EB4Full;
    return (uint32_t)(h >> (64 - TB_HASH_BITS));
}

static inline uint32_t jc_index(uint64_t pc)
{
    return (uint32_t)((pc >> 1) ^ (pc >> (JC_BITS + 1))) & (JC_SIZE - 1);
}

void rt_set_hot_threshold(uint32_t n)
{
    hot_threshold = n;
}

void rt_tb_insert(TB *tb)
{
    uint32_t h = tb_hash_fn(tb->pc, tb->flags);
    tb->hash_next = tb_hash[h];
    tb_hash[h] = tb;
    jump_cache[jc_index(tb->pc)] = tb;
}

/* Forget every (pc, flags) -> TB association (the TBs themselves belong to Python). */
void rt_tb_clear(void)
{
    memset(tb_hash, 0, sizeof tb_hash);
    memset(jump_cache, 0, sizeof jump_cache);
}

static inline TB *tb_lookup(uint64_t pc, uint64_t flags)
{
    uint32_t j = jc_index(pc);
    TB *tb = jump_cache[j];
    if (tb && tb->pc == pc && tb->flags == flags)
        return tb;
    for (tb = tb_hash[tb_hash_fn(pc, flags)]; tb; tb = tb->hash_next) {
        if (tb->pc == pc && tb->flags == flags) {
            jump_cache[j] = tb;
            return tb;
        }
    }
    return NULL;
}

int rt_run(CPUState *cpu)
{
    for (;;) {
        if (cpu->exit_request) {
            int r = (int)cpu->exit_request;
            cpu->exit_request = 0;
            return r;
        }
        if (cpu->budget <= 0)
            return EXIT_BUDGET;
        cpu->budget--;
        if (cpu->mip & cpu->mie)
            rt_check_interrupts(cpu);
        TB *tb = tb_lookup(cpu->pc, cpu->tb_flags);
        if (!tb)
            return EXIT_NO_TB;
        if (tb->native) {
            tb->native(cpu);
            cpu->stat_native_blocks++;
        } else {
            rt_interp(cpu, tb);
            cpu->stat_interp_blocks++;
            if (++tb->hits == hot_threshold) {
                cpu->exc_taken = 0;
                cpu->hot_tb = tb;
                return EXIT_HOT;
            }
        }
        cpu->exc_taken = 0;
    }
}
