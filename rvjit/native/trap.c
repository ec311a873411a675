/* Traps and privilege changes (privileged spec 3.1.6.1, 3.1.8-3.1.9, 3.3 and 4.1.1, and the
 * hypervisor spec's "Traps" and "Hypervisor Instructions"): taking an exception or interrupt,
 * delegation M -> HS -> VS, xRET, WFI, and the TB flags that follow from the mode. */
#include "runtime.h"

extern uint64_t rt_misa;

#define MIP_VSSIP (1ull << 2)
#define MIP_VSTIP (1ull << 6)
#define MIP_VSEIP (1ull << 10)
#define VS_INTERRUPTS (MIP_VSSIP | MIP_VSTIP | MIP_VSEIP)

void rt_update_flags(CPUState *cpu)
{
    uint64_t priv = cpu->priv, virt = cpu->virt ? 1 : 0;
    /* 3.1.6.3 and the hypervisor spec "h-mprv": with MPRV=1 in M-mode, loads and stores use
     * the mode in (MPV, MPP); V stays 0 when MPP = M. */
    uint64_t data_priv = priv, data_virt = virt;
    if (priv == PRV_M && (cpu->mstatus & MSTATUS_MPRV)) {
        data_priv = (cpu->mstatus & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT;
        data_virt = data_priv != PRV_M && (cpu->mstatus & MSTATUS_MPV);
    }
    /* With V=1 FP is on only if both sstatus.FS and vsstatus.FS are; the smaller value is
     * Dirty only when both are (and helper_fs_dirty then sets both). */
    uint64_t fs = (cpu->mstatus & MSTATUS_FS) >> MSTATUS_FS_SHIFT;
    if (virt) {
        uint64_t vfs = (cpu->vsstatus & MSTATUS_FS) >> MSTATUS_FS_SHIFT;
        if (vfs < fs)
            fs = vfs;
    }
    uint64_t mmu = data_priv | (data_virt << 2);
    cpu->tb_flags = priv | (virt ? TBFLAG_VIRT : 0) | (mmu << TBFLAG_MMU_SHIFT) |
                    (fs << TBFLAG_FS_SHIFT);
}

/* Every mode change goes through here: the TB flags (and so the TB key, which holds V, the
 * privilege and the MMU index) follow.  The TLBs need no flush: each (priv, V) regime has its
 * own MMU index. */
static void set_mode(CPUState *cpu, uint64_t priv, uint64_t virt)
{
    cpu->priv = priv;
    cpu->virt = virt;
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

/* Privileged spec 3.1.8 and the hypervisor spec "Trap Entry" (tables h-mpp, h-spp, h-vspp):
 * a trap goes to M unless medeleg/mideleg delegate it from U/HS/VS/VU to HS, and from VS/VU
 * further to VS when hedeleg/hideleg do too.  It never goes to a less privileged mode.  The
 * facts the detector left in exc_* (GPA, GVA, transformed instruction) are consumed here. */
/* A trap into S-mode (HS or VS) updates its status register alike (3.1.6.1, 4.1.1): SPIE takes
 * SIE, SIE clears, SPP records the privilege the trap came from. */
static inline uint64_t status_enter_s(uint64_t s, uint64_t priv)
{
    s = (s & ~MSTATUS_SPIE) | ((s & MSTATUS_SIE) ? MSTATUS_SPIE : 0);
    s &= ~(MSTATUS_SIE | MSTATUS_SPP);
    return priv == PRV_S ? s | MSTATUS_SPP : s;
}

static void take_trap(CPUState *cpu, uint64_t cause, uint64_t tval, int is_irq)
{
    uint64_t deleg = is_irq ? cpu->mideleg : cpu->medeleg;
    uint64_t hdeleg = is_irq ? cpu->hideleg : cpu->hedeleg;
    uint64_t irq_bit = is_irq ? 1ull << 63 : 0;
    uint64_t epc = cpu->pc, priv = cpu->priv, virt = cpu->virt;
    uint64_t gpa = (!is_irq && cpu->exc_gpa_valid) ? cpu->exc_gpa >> 2 : 0;
    uint64_t gva = !is_irq && cpu->exc_gva;
    uint64_t tinst = is_irq ? 0 : cpu->exc_tinst;
    cpu->exc_gpa = cpu->exc_gpa_valid = cpu->exc_gva = cpu->exc_tinst = 0;
    if (priv <= PRV_S && ((deleg >> cause) & 1) && virt && ((hdeleg >> cause) & 1)) {
        /* Into VS: the vs* registers; V stays 1; hstatus, htval, htinst are untouched.  VS
         * interrupt causes 10/6/2 are seen as 9/5/1 (norm:hideleg_trans). */
        uint64_t vcause = is_irq && (cause == 2 || cause == 6 || cause == 10) ? cause - 1 : cause;
        cpu->vsstatus = status_enter_s(cpu->vsstatus, priv);
        cpu->vscause = vcause | irq_bit;
        cpu->vsepc = epc;
        cpu->vstval = tval;
        cpu->pc = trap_vector(cpu->vstvec, vcause, is_irq);
        set_mode(cpu, PRV_S, 1);
    } else if (priv <= PRV_S && ((deleg >> cause) & 1)) {
        /* Into HS (3.1.8; hypervisor spec "norm:H_trap_hs_csrwrites"). */
        cpu->mstatus = status_enter_s(cpu->mstatus, priv);
        uint64_t h = cpu->hstatus & ~(HSTATUS_SPV | HSTATUS_GVA);
        if (virt)
            h = (h & ~HSTATUS_SPVP) | HSTATUS_SPV | (priv == PRV_S ? HSTATUS_SPVP : 0);
        if (gva)
            h |= HSTATUS_GVA;
        cpu->hstatus = h;
        cpu->htval = gpa;
        cpu->htinst = tinst;
        cpu->scause = cause | irq_bit;
        cpu->sepc = epc;
        cpu->stval = tval;
        cpu->pc = trap_vector(cpu->stvec, cause, is_irq);
        set_mode(cpu, PRV_S, 0);
    } else {
        uint64_t s = cpu->mstatus;
        s = (s & ~MSTATUS_MPIE) | ((s & MSTATUS_MIE) ? MSTATUS_MPIE : 0);
        s &= ~(MSTATUS_MIE | MSTATUS_MPP | MSTATUS_MPV | MSTATUS_GVA);
        s |= priv << MSTATUS_MPP_SHIFT;
        if (virt)
            s |= MSTATUS_MPV;
        if (gva)
            s |= MSTATUS_GVA;
        cpu->mstatus = s;
        cpu->mtval2 = gpa;
        cpu->mtinst = tinst;
        cpu->mcause = cause | irq_bit;
        cpu->mepc = epc;
        cpu->mtval = tval;
        cpu->pc = trap_vector(cpu->mtvec, cause, is_irq);
        set_mode(cpu, PRV_M, 0);
    }
    cpu->exc_taken = 1;
    cpu->wfi = 0;
}

/* An exception at cpu->pc (the faulting instruction's address). */
void rt_raise(CPUState *cpu, uint64_t cause, uint64_t tval)
{
    take_trap(cpu, cause, tval, 0);
}

/* 3.1.9 and the hypervisor spec "norm:hsint_priority": MEI, MSI, MTI, SEI, SSI, STI, SGEI,
 * VSEI, VSSI, VSTI.  Each level's set below is a subset, so one order serves all three. */
static const int irq_priority[] = {IRQ_MEI, IRQ_MSI, IRQ_MTI, IRQ_SEI, IRQ_SSI, IRQ_STI,
                                   12, 10, 2, 6};

/* The interrupts that trap now (3.1.9; hypervisor spec "Trap Delegation"): pending and
 * enabled in mie; M-level (not in mideleg) when below M or MIE=1; HS-level (mideleg, not
 * hideleg) when V=1, in U, or in HS with SIE=1; VS-level (mideleg and hideleg) only when V=1,
 * in VU or in VS with vsstatus.SIE=1.  The most privileged level with any wins. */
static uint64_t takeable_interrupts(CPUState *cpu)
{
    uint64_t pending = cpu->mip & cpu->mie;
    if (!pending)
        return 0;
    uint64_t m_pending = pending & ~cpu->mideleg;
    uint64_t hs_pending = pending & cpu->mideleg & ~cpu->hideleg;
    uint64_t vs_pending = pending & cpu->mideleg & cpu->hideleg;
    int m_on = cpu->priv < PRV_M || (cpu->mstatus & MSTATUS_MIE);
    int hs_on = cpu->priv < PRV_M && (cpu->virt || cpu->priv == PRV_U ||
                                      (cpu->mstatus & MSTATUS_SIE));
    int vs_on = cpu->virt && (cpu->priv == PRV_U || (cpu->vsstatus & MSTATUS_SIE));
    if (m_on && m_pending)
        return m_pending;
    if (hs_on && hs_pending)
        return hs_pending;
    return vs_on ? vs_pending : 0;
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
    /* Hypervisor spec "hinterruptregs": mip bits 2/6/10 are hvip's, VSTIP ORed with the Sstc
     * comparison time + htimedelta >= vstimecmp when menvcfg.STCE and henvcfg.STCE are set
     * (GEILEN = 0: no hgeip contribution to VSEIP). */
    mip = (mip & ~VS_INTERRUPTS) | (cpu->hvip & VS_INTERRUPTS);
    if ((cpu->menvcfg & MENVCFG_STCE) && (cpu->henvcfg & MENVCFG_STCE) &&
        now + cpu->htimedelta >= cpu->vstimecmp)
        mip |= MIP_VSTIP;
    cpu->mip = mip;
    rt_irq_kick(cpu);
}

/* The earliest mtime at which a timer of this hart fires, or ~0 if none is armed. */
uint64_t rt_timer_deadline(CPUState *cpu)
{
    uint64_t d = cpu->mtimecmp;
    if ((cpu->menvcfg & MENVCFG_STCE) && cpu->stimecmp < d)
        d = cpu->stimecmp;
    if ((cpu->menvcfg & MENVCFG_STCE) && (cpu->henvcfg & MENVCFG_STCE) &&
        cpu->vstimecmp - cpu->htimedelta < d)
        d = cpu->vstimecmp - cpu->htimedelta;
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
    /* Hypervisor: mideleg's VS bits are read-only one; hstatus.VSXL and vsstatus.UXL read 2;
     * hgatp.MODE = vsatp.MODE = 0 (norm:hgatp_vsatp_mode_rst). */
    if ((rt_misa >> ('H' - 'A')) & 1)
        cpu->mideleg = VS_INTERRUPTS;
    cpu->hstatus = HSTATUS_VSXL_64;
    cpu->vsstatus = 2ull << 32;
    cpu->hedeleg = cpu->hideleg = cpu->hvip = cpu->hcounteren = cpu->hgeie = 0;
    cpu->htval = cpu->htinst = cpu->hgatp = cpu->henvcfg = cpu->htimedelta = 0;
    cpu->vstvec = cpu->vsscratch = cpu->vsepc = cpu->vscause = cpu->vstval = cpu->vsatp = 0;
    cpu->vstimecmp = ~0ull;
    cpu->mtval2 = cpu->mtinst = 0;
    cpu->exc_gpa = cpu->exc_gpa_valid = cpu->exc_gva = cpu->exc_tinst = 0;
    cpu->irq_lines = cpu->seip_sw = 0;
    cpu->mtimecmp = 0;          /* as QEMU virt: MTIP is pending until the first write */
    cpu->stimecmp = ~0ull;
    cpu->menvcfg = cpu->senvcfg = 0;
    cpu->mcounteren = cpu->scounteren = cpu->mcountinhibit = 0;
    cpu->res_valid = 0;
    cpu->exc_taken = 0;
    cpu->wfi = 0;
    rt_tlb_reset(cpu);
    rt_update_flags(cpu);
}

/* ---- helpers called from translated code ---------------------------------------------- */

uint64_t helper_raise(CPUState *cpu, uint64_t cause, uint64_t tval)
{
    rt_raise(cpu, cause, tval);
    return 0;
}

/* ECALL's cause names the mode it came from: U/VU 8, HS 9, VS 10, M 11. */
uint64_t helper_ecall(CPUState *cpu)
{
    uint64_t cause = cpu->priv == PRV_S && cpu->virt ? EXC_ECALL_VS : EXC_ECALL_U + cpu->priv;
    rt_raise(cpu, cause, 0);
    return 0;
}

/* An illegal- or virtual-instruction exception for the instruction at cpu->pc.  tval is its
 * encoding (as QEMU does, and as Shvstvala requires for VI): the translator passes it through
 * helper_raise for decode failures; run-time checks read it back from memory here. */
uint64_t rt_insn_fault(CPUState *cpu, int cause)
{
    uint64_t insn = 0;
    uint8_t *p = NULL;
    uint64_t paddr;
    if (rt_fetch_translate(cpu, cpu->pc, &paddr) < 0)
        p = rt_ram_ptr(cpu, paddr, 4);
    if (p) {
        memcpy(&insn, p, 4);
        insn &= (insn & 3) == 3 ? 0xffffffffull : 0xffffull;
    }
    cpu->exc_gpa = cpu->exc_gpa_valid = cpu->exc_gva = cpu->exc_tinst = 0;
    rt_raise(cpu, (uint64_t)cause, insn);
    return 0;
}

static uint64_t illegal(CPUState *cpu)
{
    return rt_insn_fault(cpu, EXC_ILLEGAL);
}

uint64_t rt_illegal(CPUState *cpu)
{
    return illegal(cpu);
}

static int has_h(void)
{
    return (rt_misa >> ('H' - 'A')) & 1;
}

/* HLV/HLVX/HSV (hypervisor spec "norm:hlsv_*"): M and HS may; U (V=0) only with hstatus.HU;
 * from VS or VU they are virtual instructions. */
int rt_hyp_insn_check(CPUState *cpu)
{
    if (!has_h())
        return EXC_ILLEGAL;
    if (cpu->virt)
        return EXC_VIRTUAL_INSN;
    if (cpu->priv == PRV_U && !(cpu->hstatus & HSTATUS_HU))
        return EXC_ILLEGAL;
    return -1;
}

/* MRET (3.3.2; hypervisor spec "norm:mret_h"): the new mode is (MPV, MPP), V=0 when MPP=M. */
uint64_t helper_mret(CPUState *cpu)
{
    if (cpu->priv != PRV_M)
        return illegal(cpu);
    uint64_t s = cpu->mstatus;
    uint64_t mpp = (s & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT;
    uint64_t virt = mpp != PRV_M && (s & MSTATUS_MPV);
    s = (s & ~MSTATUS_MIE) | ((s & MSTATUS_MPIE) ? MSTATUS_MIE : 0);
    s |= MSTATUS_MPIE;
    s &= ~(MSTATUS_MPP | MSTATUS_MPV);      /* MPP <- U, the least-privileged mode */
    if (mpp != PRV_M)
        s &= ~MSTATUS_MPRV;
    cpu->mstatus = s;
    set_mode(cpu, mpp, virt);
    rt_irq_kick(cpu);
    return cpu->mepc;
}

/* SRET (3.3.2; hypervisor spec "norm:sret_*").  With V=0 (M or HS): the new mode is
 * (hstatus.SPV, sstatus.SPP); II in U and in HS with TSR=1.  With V=1: VS uses vsstatus and
 * vsepc and stays in V=1; VI in VU, and in VS with hstatus.VTSR=1 (mstatus.TSR does not apply
 * to VS). */
uint64_t helper_sret(CPUState *cpu)
{
    if (cpu->virt) {
        if (cpu->priv == PRV_U || (cpu->hstatus & HSTATUS_VTSR))
            return rt_insn_fault(cpu, EXC_VIRTUAL_INSN);
        uint64_t s = cpu->vsstatus;
        uint64_t spp = (s & MSTATUS_SPP) ? PRV_S : PRV_U;
        s = (s & ~MSTATUS_SIE) | ((s & MSTATUS_SPIE) ? MSTATUS_SIE : 0);
        s |= MSTATUS_SPIE;
        s &= ~MSTATUS_SPP;
        cpu->vsstatus = s;
        set_mode(cpu, spp, 1);
        rt_irq_kick(cpu);
        return cpu->vsepc;
    }
    if (cpu->priv < PRV_S || (cpu->priv == PRV_S && (cpu->mstatus & MSTATUS_TSR)))
        return illegal(cpu);
    uint64_t s = cpu->mstatus;
    uint64_t spp = (s & MSTATUS_SPP) ? PRV_S : PRV_U;
    uint64_t virt = (cpu->hstatus & HSTATUS_SPV) != 0;
    s = (s & ~MSTATUS_SIE) | ((s & MSTATUS_SPIE) ? MSTATUS_SIE : 0);
    s |= MSTATUS_SPIE;
    s &= ~MSTATUS_SPP;
    s &= ~MSTATUS_MPRV;         /* 3.1.6.3: xRET to a mode below M clears MPRV */
    cpu->mstatus = s;
    cpu->hstatus &= ~HSTATUS_SPV;
    set_mode(cpu, spp, virt);
    rt_irq_kick(cpu);
    return cpu->sepc;
}

/* WFI (3.3.3; hypervisor spec "norm:hstatus_vtw_op"): II in U (V=0) and, below M, with
 * mstatus.TW=1; VI in VU, and in VS with hstatus.VTW=1. */
uint64_t helper_wfi(CPUState *cpu)
{
    if ((cpu->priv == PRV_U && !cpu->virt) ||
        (cpu->priv < PRV_M && (cpu->mstatus & MSTATUS_TW)))
        return illegal(cpu);
    if (cpu->virt && (cpu->priv == PRV_U || (cpu->hstatus & HSTATUS_VTW)))
        return rt_insn_fault(cpu, EXC_VIRTUAL_INSN);
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

/* FENCE.I (Zifencei): compare the code pages written since the last one (codepages.c); only
 * if some changed does the engine get control, to drop their translations. */
uint64_t helper_fence_i(CPUState *cpu)
{
    if (rt_code_pages_fence(RT(cpu)))
        cpu->exit_request = EXIT_TB_FLUSH;
    return 0;
}

uint64_t helper_sfence_vma(CPUState *cpu, uint64_t vaddr, uint64_t asid)
{
    (void)asid;
    /* 4.2.1: illegal in U-mode, and in HS-mode when TVM=1.  Hypervisor spec: with V=1, a
     * virtual instruction in VU, and in VS when hstatus.VTVM=1 (mstatus.TVM does not apply). */
    if (cpu->virt) {
        if (cpu->priv == PRV_U || (cpu->hstatus & HSTATUS_VTVM))
            return rt_insn_fault(cpu, EXC_VIRTUAL_INSN);
    } else if (cpu->priv == PRV_U || (cpu->priv == PRV_S && (cpu->mstatus & MSTATUS_TVM))) {
        return illegal(cpu);
    }
    /* The TLB has no ASID tags, so rs2 is ignored (flushing more than asked is allowed).  With
     * rs1 = x0 (the translator passes all ones) every translation goes; otherwise that page's
     * (rt_tlb_flush_page_mmu: the whole MMU index if the page lies in its superpage range).
     * The (virtual pc -> translation) jump cache goes likewise, the page's slots or all of
     * them, since a vpc -> ppc mapping may have changed; Python refills them by physical
     * address.  Hypervisor spec "norm:sfence_vma_v1": with V=1 only the VS-stage (two-stage)
     * regimes go, with V=0 only the host ones. */
    unsigned mask = cpu->virt ? MMU_MASK_GUEST : MMU_MASK_HOST;
    if (vaddr == ~0ull) {
        rt_tlb_flush_mmu(cpu, mask);
        rt_jc_flush_hart(cpu);
    } else if (rt_tlb_flush_page_mmu(cpu, vaddr, mask)) {
        rt_jc_flush_hart(cpu);
    } else {
        rt_jc_flush_page(cpu, vaddr);
    }
    return 0;
}
