/*
 * vm.h - helpers for the C guest programs that test virtual memory and PMP
 * (tests/guest/vm_*.c, pmp_*.c).  Written for rvjit from the privileged
 * spec; not derived from any other test suite.
 *
 * - vm_trap: an M-mode trap handler (installed by vm_init) that records
 *   cause/tval/epc of every exception in vm_rec and resumes: after an
 *   instruction-fetch fault at ra (the test jumped with jalr ra), after any
 *   other fault at the next instruction (2 or 4 bytes), so the destination
 *   register of a faulting load keeps its old value.  ECALL from S or U
 *   ends vm_run and returns to M-mode.
 * - vm_run(mode, fn, arg): call fn(arg) at privilege `mode` (1 S, 0 U).
 * - vm_map(): builds Sv39/Sv48/Sv57 tables in a bump-allocated pool.
 * Code and data live in RAM at 0x80000000; vm_identity() maps it 1:1 with a
 * 1 GiB leaf so S/U code runs at its link addresses.
 */
#ifndef VM_H
#define VM_H
#include <stdint.h>

#define PTE_V (1ull << 0)
#define PTE_R (1ull << 1)
#define PTE_W (1ull << 2)
#define PTE_X (1ull << 3)
#define PTE_U (1ull << 4)
#define PTE_G (1ull << 5)
#define PTE_A (1ull << 6)
#define PTE_D (1ull << 7)
#define PTE_N (1ull << 63)
#define PTE_RWXAD (PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D)

#define SATP_SV39 8ull
#define SATP_SV48 9ull
#define SATP_SV57 10ull
#define SATP_SV64 11ull

#define MSTATUS_MPP_SHIFT 11
#define MSTATUS_MPRV (1ull << 17)
#define MSTATUS_SUM (1ull << 18)
#define MSTATUS_MXR (1ull << 19)

#define PRV_U 0
#define PRV_S 1

#define NO_TRAP (~0ull)
#define SENTINEL 0x5a5a5a5a5a5a5a5aull

typedef struct { uint64_t cause, tval, epc, count; } vm_rec_t;
extern volatile vm_rec_t vm_rec;
uint64_t vm_run(uint64_t mode, uint64_t (*fn)(uint64_t), uint64_t arg);

#define csr_read(csr) ({ uint64_t v_; __asm__ volatile("csrr %0, " #csr : "=r"(v_)); v_; })
#define csr_write(csr, v) __asm__ volatile("csrw " #csr ", %0" :: "r"((uint64_t)(v)) : "memory")
#define csr_set(csr, v) __asm__ volatile("csrs " #csr ", %0" :: "r"((uint64_t)(v)) : "memory")
#define csr_clear(csr, v) __asm__ volatile("csrc " #csr ", %0" :: "r"((uint64_t)(v)) : "memory")

__asm__(
    ".text\n"
    ".balign 4\n"
    "vm_trap:\n"
    "  csrw mscratch, t0\n"
    "  la t0, vm_save\n"
    "  sd t1, 0(t0)\n"
    "  sd t2, 8(t0)\n"
    "  csrr t1, mcause\n"
    "  li t2, 8\n"
    "  beq t1, t2, 3f\n"
    "  li t2, 9\n"
    "  beq t1, t2, 3f\n"
    "  la t0, vm_rec\n"
    "  sd t1, 0(t0)\n"
    "  csrr t2, mtval\n"
    "  sd t2, 8(t0)\n"
    "  csrr t2, mepc\n"
    "  sd t2, 16(t0)\n"
    "  ld t2, 24(t0)\n"
    "  addi t2, t2, 1\n"
    "  sd t2, 24(t0)\n"
    "  li t2, 1\n"
    "  beq t1, t2, 2f\n"
    "  li t2, 12\n"
    "  beq t1, t2, 2f\n"
    /* skip the faulting instruction (code is identity-mapped) */
    "  csrr t1, mepc\n"
    "  lhu t2, 0(t1)\n"
    "  andi t2, t2, 3\n"
    "  addi t1, t1, 2\n"
    "  addi t2, t2, -3\n"
    "  bnez t2, 1f\n"
    "  addi t1, t1, 2\n"
    "1: csrw mepc, t1\n"
    "  j 4f\n"
    "2: csrw mepc, ra\n"
    "  j 4f\n"
    /* ECALL from S/U: back to M-mode at vm_ret_m */
    "3: li t2, 0x1800\n"
    "  csrs mstatus, t2\n"
    "  la t2, vm_ret_m\n"
    "  csrw mepc, t2\n"
    "4: la t0, vm_save\n"
    "  ld t1, 0(t0)\n"
    "  ld t2, 8(t0)\n"
    "  csrr t0, mscratch\n"
    "  mret\n"
    "\n"
    ".globl vm_run\n"
    "vm_run:\n"
    "  la t0, vm_ctx\n"
    "  sd ra, 0(t0)\n"
    "  sd sp, 8(t0)\n"
    "  sd s0, 16(t0)\n  sd s1, 24(t0)\n  sd s2, 32(t0)\n  sd s3, 40(t0)\n"
    "  sd s4, 48(t0)\n  sd s5, 56(t0)\n  sd s6, 64(t0)\n  sd s7, 72(t0)\n"
    "  sd s8, 80(t0)\n  sd s9, 88(t0)\n  sd s10, 96(t0)\n  sd s11, 104(t0)\n"
    "  li t0, 0x1800\n"
    "  csrc mstatus, t0\n"
    "  slli t1, a0, 11\n"
    "  csrs mstatus, t1\n"
    "  csrw mepc, a1\n"
    "  mv a0, a2\n"
    "  la ra, vm_back\n"
    "  mret\n"
    "vm_back:\n"
    "  ecall\n"
    "vm_ret_m:\n"
    "  la t0, vm_ctx\n"
    "  ld ra, 0(t0)\n"
    "  ld sp, 8(t0)\n"
    "  ld s0, 16(t0)\n  ld s1, 24(t0)\n  ld s2, 32(t0)\n  ld s3, 40(t0)\n"
    "  ld s4, 48(t0)\n  ld s5, 56(t0)\n  ld s6, 64(t0)\n  ld s7, 72(t0)\n"
    "  ld s8, 80(t0)\n  ld s9, 88(t0)\n  ld s10, 96(t0)\n  ld s11, 104(t0)\n"
    "  ret\n"
    ".bss\n"
    ".balign 8\n"
    "vm_save: .space 16\n"
    "vm_ctx: .space 112\n"
    ".globl vm_rec\n"
    "vm_rec: .space 32\n"
    ".text\n");

/* Page-table pool: zeroed .bss, 4 KiB aligned. */
#ifndef VM_POOL_PAGES
#define VM_POOL_PAGES 48
#endif
static uint64_t vm_pool[VM_POOL_PAGES][512] __attribute__((aligned(4096)));
static unsigned vm_pool_next;
static unsigned vm_levels = 3;

static inline uint64_t *vm_alloc(void)
{
    uint64_t *t = vm_pool[vm_pool_next++];
    for (int i = 0; i < 512; i++)
        t[i] = 0;
    return t;
}

static inline uint64_t vm_pte(uint64_t pa, uint64_t flags)
{
    return ((pa >> 12) << 10) | flags;
}

/* The PTE slot for `va` at `level`, creating pointer tables above it. */
static __attribute__((unused)) uint64_t *vm_slot(uint64_t *root, uint64_t va, unsigned level)
{
    uint64_t *t = root;
    for (int i = (int)vm_levels - 1; ; i--) {
        uint64_t *slot = &t[(va >> (12 + 9 * i)) & 511];
        if (i == (int)level)
            return slot;
        if (!(*slot & PTE_V) || (*slot & (PTE_R | PTE_X)))
            *slot = vm_pte((uint64_t)(uintptr_t)vm_alloc(), PTE_V);
        t = (uint64_t *)(uintptr_t)((*slot >> 10) << 12);
    }
}

/* Map `va` to `pa` with a leaf at `level` (0: 4 KiB, 1: 2 MiB, ...). */
static inline uint64_t *vm_map(uint64_t *root, uint64_t va, uint64_t pa, uint64_t flags,
                               unsigned level)
{
    uint64_t *slot = vm_slot(root, va, level);
    *slot = vm_pte(pa, flags);
    return slot;
}

/* RAM 0x80000000.. as a 1 GiB leaf (level 2). */
static inline void vm_identity(uint64_t *root, uint64_t uflag)
{
    vm_map(root, 0x80000000ull, 0x80000000ull, PTE_RWXAD | PTE_G | uflag, 2);
}

static inline void vm_set_satp(uint64_t mode, uint64_t *root)
{
    csr_write(satp, (mode << 60) | ((uint64_t)(uintptr_t)root >> 12));
    __asm__ volatile("sfence.vma" ::: "memory");
}

/* PMP entry 15 grants S/U everything (lower entries take priority). */
static inline void vm_pmp_allow_all(void)
{
    csr_write(pmpaddr15, ~0ull);
    csr_write(pmpcfg2, 0x1Full << 56);     /* NAPOT, RWX */
}

static inline void vm_init(unsigned levels)
{
    extern char vm_trap[];
    csr_write(mtvec, (uint64_t)(uintptr_t)vm_trap);
    vm_pool_next = 0;
    vm_levels = levels;
    vm_pmp_allow_all();
}

static inline void vm_clear(void)
{
    vm_rec.cause = NO_TRAP;
    vm_rec.tval = 0;
    vm_rec.epc = 0;
}

/* Accessors whose faults are skipped by vm_trap (the result keeps SENTINEL). */
static inline uint64_t vm_ld(uint64_t va)
{
    uint64_t v = SENTINEL;
    __asm__ volatile("ld %0, 0(%1)" : "+r"(v) : "r"(va) : "memory");
    return v;
}

static inline void vm_sd(uint64_t va, uint64_t v)
{
    __asm__ volatile("sd %0, 0(%1)" :: "r"(v), "r"(va) : "memory");
}

/* Jump to `va` with jalr ra; returns a0 (SENTINEL if the fetch faulted). */
static inline uint64_t vm_call(uint64_t va)
{
    register uint64_t a0 __asm__("a0") = SENTINEL;
    __asm__ volatile("jalr ra, 0(%1)" : "+r"(a0) : "r"(va)
                     : "ra", "t0", "t1", "t2", "a1", "a2", "a3", "a4", "a5", "a6", "a7",
                       "t3", "t4", "t5", "t6", "memory");
    return a0;
}

/* Functions run through vm_run at S or U: argument = a virtual address. */
static uint64_t __attribute__((noinline, unused)) fn_ld(uint64_t va) { return vm_ld(va); }
static uint64_t __attribute__((noinline, unused)) fn_sd(uint64_t va)
{
    vm_sd(va, 0x1234);
    return 0;
}
static uint64_t __attribute__((noinline, unused)) fn_call(uint64_t va) { return vm_call(va); }

/* Returns nonzero when the last access trapped other than expected. */
static inline int vm_expect(uint64_t cause, uint64_t tval)
{
    if (vm_rec.cause != cause)
        return 1;
    if (cause != NO_TRAP && vm_rec.tval != tval)
        return 1;
    return 0;
}

/* Code for fetch tests: "li a0, 42; ret" (32-bit encodings). */
static inline void vm_put_code(uint64_t pa)
{
    volatile uint32_t *p = (volatile uint32_t *)(uintptr_t)pa;
    p[0] = 0x02a00513;      /* addi a0, zero, 42 */
    p[1] = 0x00008067;      /* jalr zero, 0(ra) */
    __asm__ volatile("fence.i" ::: "memory");
}

#endif
