/* The M-mode part of hvdemo: machine setup, then a tiny timer service for HS-mode.
 *
 * The timer is the portable "SBI set_timer" arrangement: the CLINT's machine timer interrupt
 * (MTI, never delegable) traps here; the handler raises the HS-level supervisor timer interrupt
 * by setting mip.STIP (writable by M-mode when menvcfg.STCE = 0) and masks MTIE.  HS-mode
 * re-arms the timer with an ecall (MCALL_SET_TIMER), which also clears STIP.  This works with or
 * without Sstc, so it runs on QEMU 7.2 and on any spec-compliant hart. */
#include "riscv.h"
#include "hvdemo.h"

extern char m_trap_vector[], m_stack_top[], hs_stack_top[];
void hs_main(void) __attribute__((noreturn));

static int m_failing;

static void m_fail(const char *why, unsigned long cause)
{
    if (m_failing++)                /* a trap while reporting: give up quietly */
        finisher_exit(3);
    con_puts("hvdemo: M-mode fatal: ");
    con_puts(why);
    con_puts("\n  mcause=");
    con_puthex(cause);
    con_puts(" mepc=");
    con_puthex(csr_read(mepc));
    con_puts(" mtval=");
    con_puthex(csr_read(mtval));
    if (csr_read(misa) & (1UL << ('H' - 'A'))) {   /* mtval2/mtinst exist only with H */
        con_puts("\n  mtval2=");
        con_puthex(csr_read(CSR_MTVAL2));
        con_puts(" mtinst=");
        con_puthex(csr_read(CSR_MTINST));
    }
    con_puts("\n  mstatus=");
    con_puthex(csr_read(mstatus));
    con_puts("\n");
    finisher_exit(2);
}

void m_trap(unsigned long *regs)
{
    unsigned long cause = csr_read(mcause);

    if (cause == (CAUSE_INTERRUPT | IRQ_M_TIMER)) {
        csr_set(mip, MIP_STIP);
        csr_clear(mie, MIP_MTIP);
        return;
    }
    if (cause == EXC_ECALL_HS && regs[17] == MCALL_SET_TIMER) {
        *(volatile unsigned long *)CLINT_MTIMECMP0 = regs[10];
        csr_clear(mip, MIP_STIP);
        csr_set(mie, MIP_MTIP);
        csr_write(mepc, csr_read(mepc) + 4);
        regs[10] = 0;
        return;
    }
    m_fail("unexpected trap into M-mode", cause);
}

void m_setup(void)
{
    con_puts("hvdemo: M-mode setup\n");
    csr_write(mtvec, (unsigned long)m_trap_vector);
    csr_write(mscratch, (unsigned long)m_stack_top);

    if (!(csr_read(misa) & (1UL << ('H' - 'A'))))
        m_fail("misa.H is clear: run with -cpu rv64,h=true", 0);

    /* PMP: one NAPOT entry covering the whole address space, RWX, for S/U (machine.adoc pmp). */
    csr_write(pmpaddr0, ~0UL >> 10);
    csr_write(pmpcfg0, 0x1f);                       /* A=NAPOT, X, W, R */

    /* Exceptions HS-mode handles itself (every guest exit, and faults HS reports). Not 9
     * (ecall from HS: our timer service) and not 11 (read-only zero). */
    csr_write(medeleg, (1UL << EXC_INST_MISALIGNED) | (1UL << EXC_INST_ACCESS) |
                       (1UL << EXC_ILLEGAL_INST) | (1UL << EXC_BREAKPOINT) |
                       (1UL << EXC_LOAD_MISALIGNED) | (1UL << EXC_LOAD_ACCESS) |
                       (1UL << EXC_STORE_MISALIGNED) | (1UL << EXC_STORE_ACCESS) |
                       (1UL << EXC_ECALL_U) | (1UL << EXC_ECALL_VS) |
                       (1UL << EXC_INST_PAGE_FAULT) | (1UL << EXC_LOAD_PAGE_FAULT) |
                       (1UL << EXC_STORE_PAGE_FAULT) | (1UL << EXC_INST_GUEST_PAGE_FAULT) |
                       (1UL << EXC_LOAD_GUEST_PAGE_FAULT) | (1UL << EXC_VIRTUAL_INST) |
                       (1UL << EXC_STORE_GUEST_PAGE_FAULT));
    /* Supervisor interrupts to HS.  The VS-level bits (2, 6, 10) are read-only one with H
     * (hypervisor.adoc "mideleg"); writing them too is harmless and covers harts that got that
     * wrong. */
    csr_write(mideleg, (1UL << IRQ_S_SOFT) | (1UL << IRQ_S_TIMER) | (1UL << IRQ_S_EXT) |
                       (1UL << IRQ_VS_SOFT) | (1UL << IRQ_VS_TIMER) | (1UL << IRQ_VS_EXT));
    if ((csr_read(mideleg) & (1UL << IRQ_VS_TIMER)) == 0)
        m_fail("mideleg.VSTI is not set", 0);

    csr_write(mcounteren, COUNTEREN_CY | COUNTEREN_TM | COUNTEREN_IR);
    /* Sstc off: STIP stays an M-writable bit that our timer service drives. */
    csr_clear(CSR_MENVCFG, MENVCFG_STCE);
    csr_write(mie, 0);
    csr_clear(mip, MIP_STIP);
    *(volatile unsigned long *)CLINT_MTIMECMP0 = ~0UL;

    /* Drop to HS-mode (MPP=S, MPV=0) at hs_main, on a fresh HS stack. */
    csr_clear(mstatus, MSTATUS_MPP | MSTATUS_MPV | MSTATUS_MPRV | MSTATUS_TVM | MSTATUS_TW |
                       MSTATUS_TSR | MSTATUS_MIE);
    csr_set(mstatus, MSTATUS_MPP_S);
    csr_write(satp, 0);
    csr_write(mepc, (unsigned long)hs_main);
    __asm__ volatile("mv sp, %0\n\tmret" :: "r"(hs_stack_top) : "memory");
    __builtin_unreachable();
}
