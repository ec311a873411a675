/* hvdemo: a two-guest bare-metal hypervisor for the RISC-V H extension (QEMU virt machine). */
#ifndef HVDEMO_H
#define HVDEMO_H

/* ---- host-physical memory map (QEMU virt) ---- */
#define TEST_FINISHER   0x00100000UL    /* sifive_test: 0x5555 pass, (code << 16) | 0x3333 fail */
#define CLINT_BASE      0x02000000UL
#define CLINT_MTIMECMP0 (CLINT_BASE + 0x4000)
#define HOST_UART       0x10000000UL    /* ns16550a */
/* 0x80000000: the hvdemo image (hypervisor, M-mode stub, embedded guest kernel), see hvdemo.ld */
#define GUEST1_RAM_HPA  0x80400000UL
#define GUEST2_RAM_HPA  0x80600000UL

/* ---- guest-physical memory map (same for both guests) ---- */
#define GUEST_RAM_GPA   0x80000000UL
#define GUEST_RAM_SIZE  0x00200000UL    /* 2 MiB, mapped with 4 KiB G-stage pages */
#define GUEST_UART_GPA  0x10000000UL    /* emulated, deliberately NOT mapped in the G stage */
#define GUEST_UART_SIZE 0x1000UL

#define NR_GUESTS    2
#define TICKS_WANTED 5                  /* the guest kernel prints this many tick lines */

/* ---- timing, in mtime ticks (10 MHz on QEMU virt) ---- */
#define TIME_SLICE   20000UL            /* 2 ms between world switches */

/* ---- hypercalls from VS (SBI calling convention: a7 = EID, a6 = FID, ret a0 = error, a1 = value) ---- */
#define SBI_EXT_TIME    0x54494D45UL    /* "TIME", FID 0: set_timer(a0 = guest-time deadline) */
#define SBI_EXT_SRST    0x53525354UL    /* "SRST", FID 0: system_reset -> the guest is done */
#define SBI_EXT_HVDEMO  0x0A000000UL    /* firmware-specific range; FID 0: get guest id */
#define SBI_ERR_NOT_SUPPORTED (-2L)

/* ---- M-mode calls from HS (ecall, a7 = function) ---- */
#define MCALL_SET_TIMER 0               /* a0 = absolute mtime deadline; clears STIP */

/* vcpu layout: offsets shared with start.S */
#define VCPU_X       0
#define VCPU_HV_SP   (32 * 8)
#ifndef __ASSEMBLER__

struct vcpu {
    unsigned long x[32];         /* guest GPRs; x[0] is kept 0 */
    unsigned long hv_sp;         /* HS stack top used while handling this vcpu's traps */
    unsigned long pc;            /* guest pc (sepc) */
    /* VS-level and per-guest H state, live in the CSRs only while the guest runs */
    unsigned long vsstatus, vsie, vstvec, vsscratch, vsepc, vscause, vstval, vsatp;
    unsigned long hvip, htimedelta, hgatp;
    /* bookkeeping */
    unsigned id;                 /* 1 or 2 */
    unsigned long ram_hpa;
    unsigned long deadline;      /* guest-time timer deadline, ~0 = none */
    int done;
    unsigned long lines, vstip_injections, hypercalls, mmio_exits, htinst_decodes, hlvx_decodes;
    unsigned line_len;
    char line[120];
};

/* console.c: the real UART and the test finisher (physical addresses, M or HS) */
void con_putc(char c);
void con_puts(const char *s);
void con_puthex(unsigned long v);
void con_putdec(unsigned long v);
void finisher_exit(unsigned code) __attribute__((noreturn));

/* mmode.c */
void m_setup(void) __attribute__((noreturn));

/* gstage.c */
unsigned long gstage_build(unsigned guest, unsigned long ram_hpa);   /* returns the root HPA */
int gpa_to_hpa(const struct vcpu *v, unsigned long gpa, unsigned long *hpa);

/* vuart.c */
int vuart_handle_fault(struct vcpu *v, unsigned long cause);
int vuart_selftest(void);

/* hv.c */
void hv_fatal(struct vcpu *v, const char *why) __attribute__((noreturn));
void vcpu_line_out(struct vcpu *v, char c);

#endif
#endif
