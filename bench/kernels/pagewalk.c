/* pagewalk: data accesses through Sv39 translation over 4096 pages (16 MiB),
 * four times the software TLB's 1024 entries per MMU index, with an
 * SFENCE.VMA every 256 pages.  Stresses: TLB misses, the page-table walker,
 * A/D updates, the slow load/store paths.
 *
 * On RISC-V the timed section runs in M-mode with mstatus.MPRV=1 and
 * MPP=S, so its loads and stores are translated as S-mode accesses
 * (privileged spec 3.1.6.3) while instruction fetch stays untranslated:
 * virtual page i of a window at 1 GiB maps physical page perm(i) of `buf`,
 * RAM is identity-mapped with a 1 GiB page for the stack and globals, and
 * PMP entry 0 grants S-mode everything.  The host build indexes `buf` by
 * perm(i) directly, so the checksum is the same. */
#include "bench.h"

const char bench_name[] = "pagewalk";
const unsigned long bench_reps = BENCH_REPS(60);
const uint64_t bench_expected = 0x840258c33b3ba47aull;

#define NPAGES 4096u
#define PASSES 4u
#define PAGE_WORDS 512u
#define WINDOW 0x40000000ull

/* One load and one store per page per pass. */
const unsigned long bench_accesses_per_rep = 2ul * PASSES * NPAGES;

static uint64_t buf[NPAGES][PAGE_WORDS] __attribute__((aligned(4096)));

static inline unsigned perm(unsigned i) { return (i * 7919u) & (NPAGES - 1); }
static inline unsigned word(unsigned k, unsigned pass) { return (k + pass * 17u) & 511u; }

#ifdef __riscv
static uint64_t root[512] __attribute__((aligned(4096)));
static uint64_t l1[512] __attribute__((aligned(4096)));
static uint64_t l0[NPAGES / 512][512] __attribute__((aligned(4096)));

#define PTE(pa, f) ((((uint64_t)(uintptr_t)(pa)) >> 12 << 10) | (f))
#define PTE_LEAF_RW 0xC7ull     /* V R W A D */
#define PTE_PTR 0x1ull
#define MSTATUS_MPRV (1ull << 17)

static void vm_setup(void)
{
    root[2] = PTE(0x80000000ull, 0xCFull);     /* V R W X A D: RAM 1:1 */
    root[WINDOW >> 30] = PTE(l1, PTE_PTR);
    for (unsigned t = 0; t < NPAGES / 512; t++)
        l1[t] = PTE(l0[t], PTE_PTR);
    for (unsigned i = 0; i < NPAGES; i++)
        l0[i / 512][i % 512] = PTE(buf[perm(i)], PTE_LEAF_RW);
    __asm__ volatile("csrw pmpaddr0, %0\n csrw pmpcfg0, %1"
                     :: "r"(~0ull), "r"(0x1Full) : "memory");
    __asm__ volatile("csrw satp, %0\n sfence.vma"
                     :: "r"((8ull << 60) | ((uint64_t)(uintptr_t)root >> 12)) : "memory");
    /* MPP = S */
    __asm__ volatile("csrc mstatus, %0\n csrs mstatus, %1"
                     :: "r"(3ull << 11), "r"(1ull << 11) : "memory");
}

static inline volatile uint64_t *page(unsigned i)
{
    return (volatile uint64_t *)(uintptr_t)(WINDOW + (uint64_t)i * 4096);
}
#else
static void vm_setup(void) {}
static inline volatile uint64_t *page(unsigned i) { return buf[perm(i)]; }
#endif

void bench_init(void)
{
    uint64_t s = 0x9e3779b97f4a7c15ull;
    for (unsigned k = 0; k < NPAGES; k++)
        for (unsigned p = 0; p < PASSES; p++)
            buf[perm(k)][word(k, p)] = bench_xorshift64(&s);
    vm_setup();
}

uint64_t bench_rep(void)
{
    uint64_t sum = 0;
#ifdef __riscv
    __asm__ volatile("csrs mstatus, %0" :: "r"(MSTATUS_MPRV) : "memory");
#endif
    for (unsigned p = 0; p < PASSES; p++) {
        for (unsigned k = 0; k < NPAGES; k++) {
            volatile uint64_t *v = page(k);
            uint64_t x = v[word(k, p)];
            sum = sum * 31 + x;
            v[word(k, p)] = x;              /* a store: D set, write path */
#ifdef __riscv
            if ((k & 255) == 255)
                __asm__ volatile("sfence.vma" ::: "memory");
#endif
        }
    }
#ifdef __riscv
    __asm__ volatile("csrc mstatus, %0" :: "r"(MSTATUS_MPRV) : "memory");
#endif
    return sum;
}
