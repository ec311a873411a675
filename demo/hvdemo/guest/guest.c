/* hvdemo guest kernel.  Both guests run this same image, each in its own guest-physical address
 * space; it asks the hypervisor for its id (an SBI-style ecall, cause 10 in HS) and then:
 *   guest 1 turns on VS-stage Sv39 and maps its UART at GVA 0x40000000 (-> GPA 0x10000000),
 *           and transmits with SB (a 4-byte instruction);
 *   guest 2 stays VS-stage Bare, uses the UART at GPA 0x10000000, and transmits with C.SW
 *           (a 2-byte instruction; the emulated THR takes the low byte).
 * Each tick is a VS timer interrupt (hvip.VSTIP injected by the hypervisor, delegated through
 * hideleg) counted by the trap handler; the main loop prints "guest N: tick K" for each. */
#include "../riscv.h"

#define UART_GPA     0x10000000UL
#define UART_GVA_SV39 0x40000000UL
#define RAM_GPA      0x80000000UL
#define UART_LSR     5
#define UART_LSR_THRE 0x20
#define TICKS        5

#define SBI_EXT_TIME   0x54494D45UL
#define SBI_EXT_SRST   0x53525354UL
#define SBI_EXT_HVDEMO 0x0A000000UL

extern char guest_trap_vector[];
void guest_trap(void);
void guest_main(void);

static volatile unsigned char *uart;
static unsigned long my_id, period;
static volatile unsigned long ticks;

static unsigned long pt_root[512] __attribute__((aligned(4096)));
static unsigned long pt_ram_l1[512] __attribute__((aligned(4096)));
static unsigned long pt_io_l1[512] __attribute__((aligned(4096)));
static unsigned long pt_io_l0[512] __attribute__((aligned(4096)));

static long sbi_call(unsigned long eid, unsigned long fid, unsigned long arg0, unsigned long *value)
{
    register unsigned long a0 __asm__("a0") = arg0;
    register unsigned long a1 __asm__("a1") = 0;
    register unsigned long a6 __asm__("a6") = fid;
    register unsigned long a7 __asm__("a7") = eid;
    __asm__ volatile("ecall" : "+r"(a0), "+r"(a1) : "r"(a6), "r"(a7) : "memory");
    if (value)
        *value = a1;
    return (long)a0;
}

static void putc(char c)
{
    while (!(uart[UART_LSR] & UART_LSR_THRE))       /* LBU: a load guest-page fault */
        ;
    if (my_id == 2) {
        __asm__ volatile("mv a5, %1\n\tmv a4, %0\n\tc.sw a4, 0(a5)"
                         :: "r"((unsigned long)(unsigned char)c), "r"(uart)
                         : "a4", "a5", "memory");
    } else {
        uart[0] = (unsigned char)c;                 /* SB: a store guest-page fault */
    }
}

static void puts(const char *s)
{
    while (*s)
        putc(*s++);
}

static void putdec(unsigned long v)
{
    char buf[24];
    int n = 0;
    do {
        buf[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        putc(buf[--n]);
}

static void puthex(unsigned long v)
{
    puts("0x");
    int started = 0;
    for (int shift = 60; shift >= 0; shift -= 4) {
        unsigned d = (v >> shift) & 0xf;
        if (d || started || shift == 0) {
            putc("0123456789abcdef"[d]);
            started = 1;
        }
    }
}

static unsigned long pte_table(const void *next)
{
    return (((unsigned long)next >> PAGE_SHIFT) << PTE_PPN_SHIFT) | PTE_V;
}

/* VS-stage Sv39: RAM identity-mapped with one 2 MiB megapage, the UART page at a different
 * virtual address, so GVA (stval) and GPA (htval) differ on every console exit. */
static void enable_sv39(void)
{
    pt_root[(RAM_GPA >> 30) & 0x1ff] = pte_table(pt_ram_l1);
    pt_ram_l1[(RAM_GPA >> 21) & 0x1ff] = ((RAM_GPA >> PAGE_SHIFT) << PTE_PPN_SHIFT) |
        PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D;
    pt_root[(UART_GVA_SV39 >> 30) & 0x1ff] = pte_table(pt_io_l1);
    pt_io_l1[(UART_GVA_SV39 >> 21) & 0x1ff] = pte_table(pt_io_l0);
    pt_io_l0[(UART_GVA_SV39 >> 12) & 0x1ff] = ((UART_GPA >> PAGE_SHIFT) << PTE_PPN_SHIFT) |
        PTE_V | PTE_R | PTE_W | PTE_A | PTE_D;
    __asm__ volatile("sfence.vma" ::: "memory");
    csr_write(satp, SATP_MODE_SV39 | ((unsigned long)pt_root >> PAGE_SHIFT));   /* = vsatp */
    __asm__ volatile("sfence.vma" ::: "memory");
    uart = (volatile unsigned char *)UART_GVA_SV39;
}

static void set_timer(unsigned long when)
{
    sbi_call(SBI_EXT_TIME, 0, when, 0);
}

void guest_trap(void)
{
    unsigned long cause = csr_read(scause);
    if (cause == (CAUSE_INTERRUPT | IRQ_S_TIMER)) {  /* VSTI arrives as cause 5 in VS */
        ticks++;
        set_timer(read_time() + period);
        return;
    }
    /* Nothing else is delegated to us; tell the hypervisor we are broken. */
    uart = (volatile unsigned char *)(csr_read(satp) ? UART_GVA_SV39 : UART_GPA);
    puts("guest: unexpected trap, scause=");
    puthex(cause);
    puts("\n");
    sbi_call(SBI_EXT_SRST, 0, 0, 0);
    for (;;)
        ;
}

void guest_main(void)
{
    uart = (volatile unsigned char *)UART_GPA;
    if (sbi_call(SBI_EXT_HVDEMO, 0, 0, &my_id) != 0)
        my_id = 0;
    period = my_id == 1 ? 100000 : 130000;          /* 10 ms and 13 ms at 10 MHz */
    if (my_id == 1)
        enable_sv39();

    puts("guest ");
    putdec(my_id);
    puts(": hello from VS-mode, VS-stage ");
    puts(my_id == 1 ? "Sv39" : "Bare");
    puts(", console at GVA ");
    puthex((unsigned long)uart);
    puts("\n");

    csr_write(stvec, (unsigned long)guest_trap_vector);        /* = vstvec */
    csr_set(sie, 1UL << IRQ_S_TIMER);                          /* = vsie.STIE = hie.VSTIE */
    set_timer(read_time() + period);
    csr_set(sstatus, MSTATUS_SIE);                             /* = vsstatus.SIE */

    for (unsigned long printed = 0; printed < TICKS;) {
        while (ticks == printed)
            __asm__ volatile("wfi");
        printed++;
        puts("guest ");
        putdec(my_id);
        puts(": tick ");
        putdec(printed);
        puts("\n");
    }
    csr_clear(sstatus, MSTATUS_SIE);
    puts("guest ");
    putdec(my_id);
    puts(": done\n");
    sbi_call(SBI_EXT_SRST, 0, 0, 0);
}
