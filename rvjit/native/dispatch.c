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
    if (m)
        rt_code_pages_reset(m);
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

/* The jump cache maps (virtual pc, flags) straight to a block, which is right only while the
 * pc's mapping stays: every change of address translation (SFENCE.VMA, HFENCE.*, satp, vsatp,
 * hgatp, PMP) flushes it.  The hash table is keyed by the physical pc too and stays. */
void rt_jc_flush(RtMachine *m)
{
    memset(m->jump_cache, 0, sizeof m->jump_cache);
}

void rt_tb_remove(RtMachine *m, TB *tb)
{
    TB **pp = &m->tb_hash[tb_hash_fn(tb->pc, tb->flags)];
    for (; *pp; pp = &(*pp)->hash_next)
        if (*pp == tb) {
            *pp = tb->hash_next;
            break;
        }
    uint32_t j = jc_index(tb->pc);
    if (m->jump_cache[j] == tb)
        m->jump_cache[j] = NULL;
}

static inline TB *tb_lookup(CPUState *cpu, RtMachine *m, uint64_t pc, uint64_t flags)
{
    uint32_t j = jc_index(pc);
    TB *tb = m->jump_cache[j];
    if (tb && tb->pc == pc && tb->flags == flags)
        return tb;
    uint64_t ppc;
    if (rt_fetch_translate(cpu, pc, &ppc) >= 0)
        ppc = ~0ull;
    for (tb = m->tb_hash[tb_hash_fn(pc, flags)]; tb; tb = tb->hash_next) {
        if (tb->pc == pc && tb->flags == flags && tb->ppc == ppc) {
            m->jump_cache[j] = tb;
            return tb;
        }
    }
    return NULL;
}

/* Blocks between two comparisons of mtime with the timer compare registers, and the longest
 * run of a native region between two returns here: this bounds the delay of an interrupt. */
#define TIMER_POLL_HOST 16
#define TIMER_POLL_ICOUNT 1
#define NATIVE_SLICE 64

/* cpu->budget is the number of blocks to run before returning to Python; native regions see
 * only a slice of it so that timers and interrupts are checked between slices. */
int rt_run(CPUState *cpu)
{
    RtMachine *m = RT(cpu);
    int64_t total = cpu->budget;
    const int poll_every = rt_time_is_icount() ? TIMER_POLL_ICOUNT : TIMER_POLL_HOST;
    int poll = 0;
    int r = EXIT_BUDGET;
    for (;;) {
        if (cpu->exit_request) {
            r = (int)cpu->exit_request;
            cpu->exit_request = 0;
            /* A WFI whose wait already ended (an interrupt was taken since) is over. */
            if (r != EXIT_WFI || cpu->wfi)
                break;
            r = EXIT_BUDGET;
        }
        if (total <= 0)
            break;
        if (--poll <= 0) {
            poll = poll_every;
            rt_timer_update(cpu);
        }
        if (cpu->mip & cpu->mie)
            rt_check_interrupts(cpu);
        TB *tb = tb_lookup(cpu, m, cpu->pc, cpu->tb_flags);
        if (!tb) {
            r = EXIT_NO_TB;
            break;
        }
        if (tb->native) {
            int64_t slice = total < NATIVE_SLICE ? total : NATIVE_SLICE;
            cpu->budget = slice;
            tb->native(cpu);
            cpu->stat_native_blocks++;
            int64_t used = slice - (cpu->budget > 0 ? cpu->budget : 0);
            total -= used > 0 ? used : 1;
            poll -= (int)used;
        } else {
            total--;
            rt_interp(cpu, tb);
            cpu->stat_interp_blocks++;
            if (++tb->hits == m->hot_threshold) {
                cpu->exc_taken = 0;
                cpu->hot_tb = tb;
                r = EXIT_HOT;
                break;
            }
        }
        cpu->exc_taken = 0;
    }
    cpu->budget = total;
    return r;
}
