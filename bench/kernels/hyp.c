/* hyp: a guest under the Hypervisor extension.  Stresses: VS -> HS traps and SRET back
 * (hypercalls), guest-page faults handled by mapping pages on demand, HFENCE.GVMA, and
 * two-stage translation (Sv39x4 G stage; vsatp Bare, so GVA = GPA).
 *
 * On RISC-V each repetition unmaps the guest's 512-page window at the G stage, enters VS-mode
 * with MRET (MPP = S, MPV = 1) and runs guest_main there: for every page and pass it reads a
 * word (the first touch of a page is a load guest-page fault, cause 21, which the HS handler
 * answers by writing the G-stage PTE and HFENCE.GVMA), mixes it into the sum with a hypercall
 * (ECALL from VS, cause 10, handled in HS: a0 = a0 * 31 + a1) and writes it back.  The exit
 * hypercall makes the HS handler ECALL to M, which returns to bench_rep.  Needs
 * `-cpu rv64,h=true` (bench/run_bench.py passes it for this kernel).  The host build runs
 * guest_main directly on `buf`, so the checksum is the same. */
#include "bench.h"

const char bench_name[] = "hyp";
const unsigned long bench_reps = BENCH_REPS(30);
const uint64_t bench_expected = 0x1e31323a85c4ac8dull;

#define NPAGES 512u
#define PASSES 4u
#define PAGE_WORDS 512u
#define GWINDOW 0x100000000ull     /* guest physical window at 4 GiB */
#define HC_MIX 1
#define HC_EXIT 2

static uint64_t buf[NPAGES][PAGE_WORDS] __attribute__((aligned(4096)));

static inline unsigned perm(unsigned i) { return (i * 7919u) & (NPAGES - 1); }
static inline unsigned word(unsigned k, unsigned pass) { return (k * 5u + pass * 67u) & 511u; }

#ifdef __riscv
/* G stage: Sv39x4, 16 KiB root (2048 entries). */
static uint64_t g_root[2048] __attribute__((aligned(16384)));
static uint64_t g_l1[512] __attribute__((aligned(4096)));
static uint64_t g_l0[512] __attribute__((aligned(4096)));
uint64_t hyp_gpte[NPAGES];                  /* the PTE of each window page, for the handler */
static uint64_t guest_stack[1024] __attribute__((aligned(16)));
uint64_t hyp_hs_save[4];
uint64_t hyp_m_sp, hyp_old_mtvec;

#define PTE(pa, f) ((((uint64_t)(uintptr_t)(pa)) >> 12 << 10) | (f))
#define GPTE_RWXU 0xDFull                   /* V R W X U A D (G-stage leaves need U) */
#define GPTE_RWU 0xD7ull                    /* V R W U A D */
#define PTE_PTR 0x1ull

uint64_t hyp_enter(void (*entry)(void), uint64_t *sp);

/* hyp_enter(entry, sp): save the M context, MRET into VS at entry; returns the exit
 * hypercall's a0 (the HS handler's ECALL lands in hyp_m_trap).
 * hyp_hs_trap: the HS trap handler (stvec).  CSR numbers: htval 0x643; HFENCE.GVMA x0, x0 is
 * 0x62000073. */
__asm__(
    "    .text\n"
    "    .globl hyp_enter\n"
    "    .align 2\n"
    "hyp_enter:\n"
    "    addi sp, sp, -112\n"
    "    sd ra, 0(sp)\n  sd s0, 8(sp)\n  sd s1, 16(sp)\n  sd s2, 24(sp)\n"
    "    sd s3, 32(sp)\n  sd s4, 40(sp)\n  sd s5, 48(sp)\n  sd s6, 56(sp)\n"
    "    sd s7, 64(sp)\n  sd s8, 72(sp)\n  sd s9, 80(sp)\n  sd s10, 88(sp)\n"
    "    sd s11, 96(sp)\n"
    "    la t0, hyp_m_sp\n  sd sp, 0(t0)\n"
    "    csrr t0, mtvec\n  la t1, hyp_old_mtvec\n  sd t0, 0(t1)\n"
    "    la t0, hyp_m_trap\n  csrw mtvec, t0\n"
    "    csrw mepc, a0\n"
    "    mv sp, a1\n"
    "    li t0, 3 << 11\n  csrc mstatus, t0\n"
    "    li t0, 1 << 11\n  csrs mstatus, t0\n"          /* MPP = S */
    "    li t0, 1\n  slli t0, t0, 39\n  csrs mstatus, t0\n"  /* MPV = 1 */
    "    mret\n"
    "    .align 2\n"
    "hyp_m_trap:\n"
    "    csrr t0, mcause\n  li t1, 9\n  bne t0, t1, 1f\n"
    "    la t0, hyp_old_mtvec\n  ld t0, 0(t0)\n  csrw mtvec, t0\n"
    "    la t0, hyp_m_sp\n  ld sp, 0(t0)\n"
    "    ld ra, 0(sp)\n  ld s0, 8(sp)\n  ld s1, 16(sp)\n  ld s2, 24(sp)\n"
    "    ld s3, 32(sp)\n  ld s4, 40(sp)\n  ld s5, 48(sp)\n  ld s6, 56(sp)\n"
    "    ld s7, 64(sp)\n  ld s8, 72(sp)\n  ld s9, 80(sp)\n  ld s10, 88(sp)\n"
    "    ld s11, 96(sp)\n"
    "    addi sp, sp, 112\n"
    "    ret\n"
    "1:  csrr a0, mcause\n  csrr a1, mepc\n  csrr a2, mtval\n"
    "    la sp, __stack_top\n  call rt_trap\n"
    "    .globl hyp_hs_trap\n"
    "    .align 2\n"
    "hyp_hs_trap:\n"
    "    csrrw sp, sscratch, sp\n"
    "    sd t0, 0(sp)\n  sd t1, 8(sp)\n  sd t2, 16(sp)\n"
    "    csrr t0, scause\n  li t1, 10\n  beq t0, t1, 2f\n"
    /* a guest-page fault: map the page at htval << 2 */
    "    csrr t0, 0x643\n  slli t0, t0, 2\n"
    "    li t1, 0x100000000\n  sub t0, t0, t1\n  srli t0, t0, 12\n  slli t0, t0, 3\n"
    "    la t1, hyp_gpte\n  add t1, t1, t0\n  ld t2, 0(t1)\n"
    "    la t1, hyp_g_l0\n  ld t1, 0(t1)\n  add t1, t1, t0\n  sd t2, 0(t1)\n"
    "    .word 0x62000073\n"                             /* hfence.gvma x0, x0 */
    "    j 3f\n"
    "2:  li t1, 2\n  beq a7, t1, 4f\n"                   /* HC_EXIT */
    "    li t1, 31\n  mul a0, a0, t1\n  add a0, a0, a1\n"   /* HC_MIX */
    "    csrr t0, sepc\n  addi t0, t0, 4\n  csrw sepc, t0\n"
    "3:  ld t0, 0(sp)\n  ld t1, 8(sp)\n  ld t2, 16(sp)\n"
    "    csrrw sp, sscratch, sp\n"
    "    sret\n"
    "4:  ld t0, 0(sp)\n  ld t1, 8(sp)\n  ld t2, 16(sp)\n"
    "    csrrw sp, sscratch, sp\n"
    "    ecall\n"
);

uint64_t *hyp_g_l0 = g_l0;
void hyp_hs_trap(void);

static inline uint64_t hypercall(uint64_t nr, uint64_t a, uint64_t b)
{
    register uint64_t a0 __asm__("a0") = a;
    register uint64_t a1 __asm__("a1") = b;
    register uint64_t a7 __asm__("a7") = nr;
    __asm__ volatile("ecall" : "+r"(a0) : "r"(a1), "r"(a7) : "memory");
    return a0;
}

static inline volatile uint64_t *gpage(unsigned k)
{
    return (volatile uint64_t *)(uintptr_t)(GWINDOW + (uint64_t)k * 4096);
}

static void vm_setup(void)
{
    g_root[2] = PTE(0x80000000ull, GPTE_RWXU);     /* RAM 1:1, a 1 GiB page */
    g_root[GWINDOW >> 30] = PTE(g_l1, PTE_PTR);
    g_l1[0] = PTE(g_l0, PTE_PTR);
    for (unsigned i = 0; i < NPAGES; i++)
        hyp_gpte[i] = PTE(buf[perm(i)], GPTE_RWU);
    __asm__ volatile("csrw pmpaddr0, %0\n csrw pmpcfg0, %1"
                     :: "r"(~0ull), "r"(0x1Full) : "memory");
    /* medeleg: ECALL from VS (10) and guest-page faults (20, 21, 23) go to HS; hedeleg 0. */
    uint64_t deleg = (1ull << 10) | (1ull << 20) | (1ull << 21) | (1ull << 23);
    __asm__ volatile("csrs medeleg, %0\n csrw 0x602, zero\n csrw stvec, %1\n"
                     "csrw sscratch, %2\n csrw 0x280, zero\n csrw 0x680, %3"
                     :: "r"(deleg), "r"(hyp_hs_trap), "r"(&hyp_hs_save[4]),
                        "r"((8ull << 60) | (1ull << 44) | ((uint64_t)(uintptr_t)g_root >> 12))
                     : "memory");
}
#else
static inline uint64_t hypercall(uint64_t nr, uint64_t a, uint64_t b)
{
    (void)nr;
    return a * 31 + b;
}
static inline volatile uint64_t *gpage(unsigned k) { return buf[perm(k)]; }
static void vm_setup(void) {}
#endif

static uint64_t guest_result;

/* The guest: runs in VS-mode on RISC-V. */
static void guest_main(void)
{
    uint64_t sum = 0;
    for (unsigned p = 0; p < PASSES; p++) {
        for (unsigned k = 0; k < NPAGES; k++) {
            volatile uint64_t *v = gpage(k);
            uint64_t x = v[word(k, p)];
            sum = hypercall(HC_MIX, sum, x);
            v[word(k, p)] = x;
        }
    }
#ifdef __riscv
    hypercall(HC_EXIT, sum, 0);
    for (;;)
        ;
#else
    guest_result = sum;
#endif
}

void bench_init(void)
{
    uint64_t s = 0x243f6a8885a308d3ull;
    for (unsigned k = 0; k < NPAGES; k++)
        for (unsigned w = 0; w < PAGE_WORDS; w++)
            buf[k][w] = bench_xorshift64(&s);
    vm_setup();
}

uint64_t bench_rep(void)
{
#ifdef __riscv
    for (unsigned i = 0; i < 512; i++)
        g_l0[i] = 0;                        /* unmap the window */
    __asm__ volatile(".word 0x62000073" ::: "memory");   /* hfence.gvma x0, x0 */
    guest_result = hyp_enter(guest_main, &guest_stack[1024]);
#else
    guest_main();
#endif
    return guest_result;
}
