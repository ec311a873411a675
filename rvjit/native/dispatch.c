/* The native run loop: look up the translation for (pc, flags), run it natively or in the
 * interpreter tier, and return to Python only for the EXIT_* reasons. */
#include "runtime.h"
#include <stdlib.h>

RtMachine *rt_machine_new(void)
{
    RtMachine *m = calloc(1, sizeof *m);
    if (m)
        m->hot_threshold = 50;
    return m;
}

void rt_machine_free(RtMachine *m)
{
    free(m);
}

static inline uint32_t tb_hash_fn(uint64_t pc, uint64_t flags)
{
    uint64_t h = (pc >> 1) * 0x9E3779B97F4A7C15ull ^ flags * 0xC2B2AE3D27D4EB4Full;
    return (uint32_t)(h >> (64 - TB_HASH_BITS));
}

static inline uint32_t jc_index(uint64_t pc)
{
    return (uint32_t)((pc >> 1) ^ (pc >> (JC_BITS + 1))) & (JC_SIZE - 1);
}

void rt_set_hot_threshold(RtMachine *m, uint32_t n)
{
    m->hot_threshold = n;
}

void rt_tb_insert(RtMachine *m, TB *tb)
{
    uint32_t h = tb_hash_fn(tb->pc, tb->flags);
    for (TB *t = m->tb_hash[h]; t; t = t->hash_next)
        if (t == tb)
            goto cached;
    tb->hash_next = m->tb_hash[h];
    m->tb_hash[h] = tb;
cached:
    m->jump_cache[jc_index(tb->pc)] = tb;
}

/* Forget every (pc, flags) -> TB association (the TBs themselves belong to Python). */
void rt_tb_clear(RtMachine *m)
{
    memset(m->tb_hash, 0, sizeof m->tb_hash);
    memset(m->jump_cache, 0, sizeof m->jump_cache);
}

static inline TB *tb_lookup(RtMachine *m, uint64_t pc, uint64_t flags)
{
    uint32_t j = jc_index(pc);
    TB *tb = m->jump_cache[j];
    if (tb && tb->pc == pc && tb->flags == flags)
        return tb;
    for (tb = m->tb_hash[tb_hash_fn(pc, flags)]; tb; tb = tb->hash_next) {
        if (tb->pc == pc && tb->flags == flags) {
            m->jump_cache[j] = tb;
            return tb;
        }
    }
    return NULL;
}

int rt_run(CPUState *cpu)
{
    RtMachine *m = RT(cpu);
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
        TB *tb = tb_lookup(m, cpu->pc, cpu->tb_flags);
        if (!tb)
            return EXIT_NO_TB;
        if (tb->native) {
            tb->native(cpu);
            cpu->stat_native_blocks++;
        } else {
            rt_interp(cpu, tb);
            cpu->stat_interp_blocks++;
            if (++tb->hits == m->hot_threshold) {
                cpu->exc_taken = 0;
                cpu->hot_tb = tb;
                return EXIT_HOT;
            }
        }
        cpu->exc_taken = 0;
    }
}
