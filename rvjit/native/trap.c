/* Traps and privilege changes (privileged spec 3.1.6.1, 3.1.8-3.1.9, 3.3 and 4.1.1): taking an
 * exception or interrupt, delegation, xRET, WFI, and the TB flags that follow from the mode. */
#include "runtime.h"

void rt_update_flags(CPUState *cpu)
{
    uint64_t priv = cpu->priv;
    /* 3.1.6.3: with MPRV=1 in M-mode, loads and stores use the privilege in MPP. */
    uint64_t data_priv = priv;
    if (priv == PRV_M && (cpu->mstatus & MSTATUS_MPRV))
        data_priv = (cpu->mstatus & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT;
    uint64_t fs = (cpu->mstatus & MSTATUS_FS) >> MSTATUS_FS_SHIFT;
    cpu->tb_flags = priv | (cpu->virt ? TBFLAG_VIRT : 0) | (data_priv << TBFLAG_MMU_SHIFT) |
                    (fs << TBFLAG_FS_SHIFT);
}

static void set_priv(CPUState *cpu, uint64_t priv)
{
    cpu->priv = priv;
    rt_update_flags(cpu);
}

static uint64_t trap_vector(uint64_t tvec, uint64_t cause, int is_irq)
{
    uint64_t base = tvec & ~3ull;
    /* 3.1.7: vectored mode sends interrupts to base + 4 * cause. */
    if (is_irq && (tvec & 3) == 1)
        return base + 4 * cause;
    return base;
}

static void take_trap(CPUState *cpu, uint64_t cause, uint64_t tval, int is_irq)
{
    uint64_t deleg = is_irq ? cpu->mideleg : cpu->medeleg;
    uint64_t mcause = cause | (is_irq ? 1ull << 63 : 0);
    uint64_t epc = cpu->pc;
    if (cpu->priv <= PRV_S && ((deleg >> cause) & 1)) {
        /* Handled in S-mode (3.1.8). */
        uint64_t s = cpu->mstatus;
        s = (s & ~MSTATUS_SPIE) | ((s & MSTATUS_SIE) ? MSTATUS_SPIE : 0);
        s &= ~(MSTATUS_SIE | MSTATUS_SPP);
        if (cpu->priv == PRV_S)
            s |= MSTATUS_SPP;
        cpu->mstatus = s;
        cpu->scause = mcause;
        cpu->sepc = epc;
        cpu->stval = tval;
        cpu->pc = trap_vector(cpu->stvec, cause, is_irq);
        set_priv(cpu, PRV_S);
    } else {
        uint64_t s = cpu->mstatus;
        s = (s & ~MSTATUS_MPIE) | ((s & MSTATUS_MIE) ? MSTATUS_MPIE : 0);
        s &= ~(MSTATUS_MIE | MSTATUS_MPP);
        s |= cpu->priv << MSTATUS_MPP_SHIFT;
        cpu->mstatus = s;
        cpu->mcause = mcause;
        cpu->mepc = epc;
        cpu->mtval = tval;
        cpu->pc = trap_vector(cpu->mtvec, cause, is_irq);
        set_priv(cpu, PRV_M);
    }
    cpu->exc_taken = 1;
    cpu->wfi = 0;
}

/* An exception at cpu->pc (the faulting instruction's address). */
void rt_raise(CPUState *cpu, uint64_t cause, uint64_t tval)
{
    take_trap(cpu, cause, tval, 0);
}

/* 3.1.9: interrupt priority MEI, MSI, MTI, SEI, SSI, STI. */
static const int irq_priority[] = {IRQ_MEI, IRQ_MSI, IRQ_MTI, IRQ_SEI, IRQ_SSI, IRQ_STI};

/* 3.1.9: the interrupts that trap now: pending and enabled in mie, M-level ones (not
 * delegated) when below M or MIE=1, S-level (delegated) ones when below S or in S with SIE=1,
 * never while in M; M-level interrupts go first. */
static uint64_t takeable_interrupts(CPUState *cpu)
{
    uint64_t pending = cpu->mip & cpu->mie;
    if (!pending)
        return 0;
    uint64_t m_pending = pending & ~cpu->mideleg;
    uint64_t s_pending = pending & cpu->mideleg;
    int m_on = cpu->priv < PRV_M || (cpu->mstatus & MSTATUS_MIE);
    int s_on = cpu->priv < PRV_S || (cpu->priv == PRV_S && (cpu->mstatus & MSTATUS_SIE));
    uint64_t take = m_on ? m_pending : 0;
    if (!take)
        take = s_on ? s_pending : 0;
    return take;
}

/* Take the highest-priority interrupt that is pending, enabled and not masked by the current
 * mode; returns 1 if one was taken. */
int rt_check_interrupts(CPUState *cpu)
{
    uint64_t take = takeable_interrupts(cpu);
    if (!take)
        return 0;
    for (unsigned i = 0; i < sizeof irq_priority / sizeof irq_priority[0]; i++) {
        int irq = irq_priority[i];
        if ((take >> irq) & 1) {
            take_trap(cpu, (uint64_t)irq, 0, 1);
            cpu->exc_taken = 0;
            return 1;
        }
    }
    return 0;
}

/* ---- interrupt sources ----------------------------------------------------------------- */

/* An interrupt would be taken now: end the current native region at its next edge (regions
 * re-read cpu->budget after every helper call) so that rt_run takes it promptly. */
void rt_irq_kick(CPUState *cpu)
{
    if (takeable_interrupts(cpu))
        cpu->budget = 0;
}

/* mip.SEIP is the OR of the software-written latch and the PLIC's S-context line (3.1.9). */
void rt_update_seip(CPUState *cpu)
{
    uint64_t bit = 1ull << IRQ_SEI;
    uint64_t on = (cpu->seip_sw | cpu->irq_lines) & bit;
    cpu->mip = (cpu->mip & ~bit) | on;
}

/* A device's interrupt line (CLINT MSWI -> MSI, PLIC -> MEI/SEI) changed level. */
void rt_set_irq_line(CPUState *cpu, uint64_t irq, uint64_t level)
{
    uint64_t bit = 1ull << irq;
    cpu->irq_lines = level ? (cpu->irq_lines | bit) : (cpu->irq_lines & ~bit);
    if (irq == IRQ_SEI)
        rt_update_seip(cpu);
    else
        cpu->mip = level ? (cpu->mip | bit) : (cpu->mip & ~bit);
    rt_irq_kick(cpu);
}

/* MTIP follows mtime >= mtimecmp (3.2.1); with Sstc and menvcfg.STCE=1, STIP follows
 * time >= stimecmp (Sstc 1.0), else STIP is the software-written bit. */
void rt_timer_update(CPUState *cpu)
{
    uint64_t now = rt_mtime(cpu);
    uint64_t mip = cpu->mip & ~(1ull << IRQ_MTI);
    if (now >= cpu->mtimecmp)
        mip |= 1ull << IRQ_MTI;
    if (cpu->menvcfg & MENVCFG_STCE) {
        mip &= ~(1ull << IRQ_STI);
        if (now >= cpu->stimecmp)
            mip |= 1ull << IRQ_STI;
    }
    cpu->mip = mip;
    rt_irq_kick(cpu);
}

/* The earliest mtime at which a timer of this hart fires, or ~0 if none is armed. */
uint64_t rt_timer_deadline(CPUState *cpu)
{
    uint64_t d = cpu->mtimecmp;
    if ((cpu->menvcfg & MENVCFG_STCE) && cpu->stimecmp < d)
        d = cpu->stimecmp;
    return d;
}

void rt_reset_cpu(CPUState *cpu, uint64_t hartid, uint64_t pc)
{
    memset(cpu->x, 0, sizeof cpu->x);
    cpu->pc = pc;
    cpu->priv = PRV_M;
    cpu->virt = 0;
    cpu->mhartid = hartid;
    /* 3.1.6.3: UXL and SXL read as 2 (64-bit). */
    cpu->mstatus = (2ull << 32) | (2ull << 34);
    cpu->mie = cpu->mip = cpu->medeleg = cpu->mideleg = 0;
    cpu->irq_lines = cpu->seip_sw = 0;
    cpu->mtimecmp = 0;          /* as QEMU virt: MTIP is pending until the first write */
    cpu->stimecmp = ~0ull;
    cpu->menvcfg = cpu->senvcfg = 0;
    cpu->mcounteren = cpu->scounteren = cpu->mcountinhibit = 0;
    cpu->res_valid = 0;
    cpu->exc_taken = 0;
    cpu->wfi = 0;
    rt_tlb_flush(cpu);
    rt_update_flags(cpu);
}

/* ---- helpers called from translated code ---------------------------------------------- */

uint64_t helper_raise(CPUState *cpu, uint64_t cause, uint64_t tval)
{
    rt_raise(cpu, cause, tval);
    return 0;
}

uint64_t helper_ecall(CPUState *cpu)
{
    rt_raise(cpu, EXC_ECALL_U + cpu->priv, 0);
    return 0;
}

static uint64_t illegal(CPUState *cpu)
{
    /* The faulting instruction's bits are recovered by the caller's pc; QEMU and we put the
     * encoding in tval: the translator passes it through helper_raise for decode failures, and
     * these run-time checks report it from memory. */
    uint64_t insn = 0;
    uint8_t *p = NULL;
    uint64_t paddr;
    if (rt_fetch_translate(cpu, cpu->pc, &paddr) < 0)
        p = rt_ram_ptr(cpu, paddr, 4);
    if (p) {
        memcpy(&insn, p, 4);
        insn &= (insn & 3) == 3 ? 0xffffffffull : 0xffffull;
    }
    rt_raise(cpu, EXC_ILLEGAL, insn);
    return 0;
}

uint64_t rt_illegal(CPUState *cpu)
{
    return illegal(cpu);
}

uint64_t helper_mret(CPUState *cpu)
{
    if (cpu->priv != PRV_M)
        return illegal(cpu);
    uint64_t s = cpu->mstatus;
    uint64_t mpp = (s & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT;
    s = (s & ~MSTATUS_MIE) | ((s & MSTATUS_MPIE) ? MSTATUS_MIE : 0);
    s |= MSTATUS_MPIE;
    s &= ~MSTATUS_MPP;          /* MPP <- U, the least-privileged mode */
    if (mpp != PRV_M)
        s &= ~MSTATUS_MPRV;
    cpu->mstatus = s;
    set_priv(cpu, mpp);
    rt_irq_kick(cpu);
    return cpu->mepc;
}

uint64_t helper_sret(CPUState *cpu)
{
    if (cpu->priv < PRV_S || (cpu->priv == PRV_S && (cpu->mstatus & MSTATUS_TSR)))
        return illegal(cpu);
    uint64_t s = cpu->mstatus;
    uint64_t spp = (s & MSTATUS_SPP) ? PRV_S : PRV_U;
    s = (s & ~MSTATUS_SIE) | ((s & MSTATUS_SPIE) ? MSTATUS_SIE : 0);
    s |= MSTATUS_SPIE;
    s &= ~MSTATUS_SPP;
    s &= ~MSTATUS_MPRV;         /* 3.1.6.3: xRET to a mode below M clears MPRV */
    cpu->mstatus = s;
    set_priv(cpu, spp);
    rt_irq_kick(cpu);
    return cpu->sepc;
}

uint64_t helper_wfi(CPUState *cpu)
{
    /* 3.3.3: WFI is illegal in U-mode, and in S-mode when TW=1. */
    if (cpu->priv == PRV_U || (cpu->priv == PRV_S && (cpu->mstatus & MSTATUS_TW)))
        return illegal(cpu);
    /* 3.3.3: WFI resumes when any interrupt is pending and enabled in mie, whatever the
     * global enables; the trap, if one is taken, follows at the next instruction. */
    rt_timer_update(cpu);
    if (!(cpu->mip & cpu->mie)) {
        cpu->wfi = 1;
        cpu->exit_request = EXIT_WFI;
        cpu->budget = 0;        /* leave a native region at its next edge */
    }
    return 0;
}

uint64_t helper_fence_i(CPUState *cpu)
{
    cpu->exit_request = EXIT_TB_FLUSH;
    return 0;
}

uint64_t helper_sfence_vma(CPUState *cpu, uint64_t vaddr, uint64_t asid)
{
    (void)asid;
    /* 4.2.1: illegal in U-mode, and in S-mode when TVM=1. */
    if (cpu->priv == PRV_U || (cpu->priv == PRV_S && (cpu->mstatus & MSTATUS_TVM)))
        return illegal(cpu);
    /* The TLB has no ASID tags, so rs2 is ignored (flushing more than asked is allowed).  With
     * rs1 = x0 (the translator passes all ones) every translation goes; otherwise that page's
     * (rt_tlb_flush_page: everything while superpage entries are cached).  The (virtual pc ->
     * translation) lookup tables are cleared either way, since a vpc -> ppc mapping may have
     * changed; Python refills them by physical address. */
    if (vaddr == ~0ull)
        rt_tlb_flush(cpu);
    else
        rt_tlb_flush_page(cpu, vaddr);
    rt_jc_flush(RT(cpu));
    return 0;
}
