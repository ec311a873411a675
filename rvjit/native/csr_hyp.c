/* The Hypervisor extension's CSRs (hypervisor spec, "Hypervisor and Virtual Supervisor
 * CSRs"): the h* registers and the vs* registers that the s* numbers are redirected to while
 * V=1 (rt_csr_access in csr.c does the redirection). */
#include "csr.h"

/* hgatp: II from HS-mode with mstatus.TVM=1 (hypervisor spec, "Machine Status Register"). */
static int pred_hgatp(CsrCtx *c, uint32_t csrno)
{
    (void)csrno;
    CPUState *cpu = c->cpu;
    if (!cpu->virt && cpu->priv == PRV_S && (cpu->mstatus & MSTATUS_TVM))
        return EXC_ILLEGAL;
    return OK;
}

/* ---- hypervisor CSRs (hypervisor spec, "Hypervisor and Virtual Supervisor CSRs") -------- */

/* hstatus: VSXL is read-only 2, VSBE read-only 0 (little-endian), VGEIN read-only 0 (GEILEN
 * = 0); the other WPRI bits read zero. */
static int write_hstatus(CsrCtx *c, uint32_t csrno, uint64_t v)
{
    (void)csrno;
    c->cpu->hstatus = (v & HSTATUS_WMASK) | HSTATUS_VSXL_64;
    return OK;
}

/* hvip: VSSIP, VSTIP, VSEIP; they feed mip/hip bits 2, 6, 10 (rt_timer_update recomputes). */
static int write_hvip(CsrCtx *c, uint32_t csrno, uint64_t v)
{
    (void)csrno;
    c->cpu->hvip = v & VS_INTERRUPTS;
    rt_timer_update(c->cpu);
    return OK;
}

/* hip: the VS-level bits of mip (SGEIP is 0 with GEILEN = 0); only VSSIP (= hvip.VSSIP) is
 * writable. */
static int read_hip(CsrCtx *c, uint32_t csrno, uint64_t *v)
{
    (void)csrno;
    rt_timer_update(c->cpu);
    *v = c->cpu->mip & VS_INTERRUPTS;
    return OK;
}

static int write_hip(CsrCtx *c, uint32_t csrno, uint64_t v)
{
    (void)csrno;
    c->cpu->hvip = (c->cpu->hvip & ~MIP_VSSIP) | (v & MIP_VSSIP);
    rt_timer_update(c->cpu);
    return OK;
}

/* hie: the VS-level bits of mie. */
static int read_hie(CsrCtx *c, uint32_t csrno, uint64_t *v)
{
    (void)csrno;
    *v = c->cpu->mie & VS_INTERRUPTS;
    return OK;
}

static int write_hie(CsrCtx *c, uint32_t csrno, uint64_t v)
{
    (void)csrno;
    c->cpu->mie = (c->cpu->mie & ~VS_INTERRUPTS) | (v & VS_INTERRUPTS);
    return OK;
}

/* hgatp: MODE is WARL over {Bare, the x4 modes the walker supports (rt_hgatp_mode_supported)}.
 * A write of an unsupported MODE is legalised (not ignored, unlike satp): MODE keeps its
 * current (legal) value and VMID/PPN are written.  VMID (14 bits) is writable whatever the
 * MODE (the KVM/Xvisor VMIDLEN probe writes it with MODE = Bare); PPN[1:0] read zero in the
 * paged modes (the root table is 16 KiB aligned); bits 59:58 are read-only zero. */
static int write_hgatp(CsrCtx *c, uint32_t csrno, uint64_t v)
{
    (void)csrno;
    CPUState *cpu = c->cpu;
    uint64_t mode = v >> HGATP_MODE_SHIFT;
    if (mode != 0 && !rt_hgatp_mode_supported(mode))
        mode = cpu->hgatp >> HGATP_MODE_SHIFT;
    uint64_t ppn = v & HGATP_PPN;
    if (mode != 0)
        ppn &= ~3ull;
    cpu->hgatp = (mode << HGATP_MODE_SHIFT) | (v & HGATP_VMID) | ppn;
    /* The G stage changes what guest addresses mean: guest TLBs and the (pc -> TB) tables. */
    rt_tlb_flush_mmu(cpu, MMU_MASK_GUEST);
    rt_jc_flush_hart(cpu);
    return OK;
}

/* henvcfg: FIOM; PBMTE and STCE only where menvcfg has them (else read-only zero); ADUE
 * (menvcfg.ADUE is read-only zero here), the Zicbo* and the other fields read zero. */
static int read_henvcfg(CsrCtx *c, uint32_t csrno, uint64_t *v)
{
    (void)csrno;
    uint64_t gated = MENVCFG_PBMTE | MENVCFG_STCE | HENVCFG_ADUE;
    *v = c->cpu->henvcfg & (~gated | c->cpu->menvcfg);
    return OK;
}

static int write_henvcfg(CsrCtx *c, uint32_t csrno, uint64_t v)
{
    (void)csrno;
    CPUState *cpu = c->cpu;
    uint64_t old = cpu->henvcfg;
    uint64_t mask = MENVCFG_FIOM | (cpu->menvcfg & (MENVCFG_PBMTE | MENVCFG_STCE));
    cpu->henvcfg = v & mask;
    if ((old ^ cpu->henvcfg) & MENVCFG_PBMTE)
        rt_tlb_flush_mmu(cpu, MMU_MASK_GUEST);
    rt_timer_update(cpu);
    return OK;
}

static int write_htimedelta(CsrCtx *c, uint32_t csrno, uint64_t v)
{
    (void)csrno;
    c->cpu->htimedelta = v;
    rt_timer_update(c->cpu);
    return OK;
}

/* ---- virtual supervisor CSRs (V=1 redirects the s* numbers here) -------------------------- */

static int read_vsstatus(CsrCtx *c, uint32_t csrno, uint64_t *v)
{
    (void)csrno;
    *v = mstatus_sd(c->cpu->vsstatus) & SSTATUS_MASK;
    return OK;
}

/* vsstatus: SIE, SPIE, SPP, SUM, MXR and FS; UXL is read-only 2, XS 0, SD summarises FS. */
static int write_vsstatus(CsrCtx *c, uint32_t csrno, uint64_t v)
{
    (void)csrno;
    CPUState *cpu = c->cpu;
    uint64_t mask = MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_SUM | MSTATUS_MXR |
                    (has_ext('F') ? MSTATUS_FS : 0);
    uint64_t old = cpu->vsstatus;
    cpu->vsstatus = mstatus_sd((old & ~mask) | (v & mask));
    /* SUM and MXR change what two-stage translations mean. */
    if ((old ^ cpu->vsstatus) & (MSTATUS_SUM | MSTATUS_MXR))
        rt_tlb_flush_mmu(cpu, MMU_MASK_GUEST);
    rt_update_flags(cpu);
    return OK;
}

/* vsie/vsip: bit i is hie/hip bit i+1 where hideleg delegates it, else read-only zero; only
 * vsip.SSIP (= hvip.VSSIP) is writable in vsip. */
static int read_vsie(CsrCtx *c, uint32_t csrno, uint64_t *v)
{
    (void)csrno;
    *v = (c->cpu->mie & c->cpu->hideleg & VS_INTERRUPTS) >> 1;
    return OK;
}

static int write_vsie(CsrCtx *c, uint32_t csrno, uint64_t v)
{
    (void)csrno;
    uint64_t mask = c->cpu->hideleg & VS_INTERRUPTS;
    c->cpu->mie = (c->cpu->mie & ~mask) | ((v << 1) & mask);
    return OK;
}

static int read_vsip(CsrCtx *c, uint32_t csrno, uint64_t *v)
{
    (void)csrno;
    rt_timer_update(c->cpu);
    *v = (c->cpu->mip & c->cpu->hideleg & VS_INTERRUPTS) >> 1;
    return OK;
}

static int write_vsip(CsrCtx *c, uint32_t csrno, uint64_t v)
{
    (void)csrno;
    uint64_t mask = c->cpu->hideleg & MIP_VSSIP;
    c->cpu->hvip = (c->cpu->hvip & ~mask) | ((v << 1) & mask);
    rt_timer_update(c->cpu);
    return OK;
}

/* vsatp: a write of an unsupported MODE is ignored (with V=1 the spec requires it; with V=0
 * ignoring is one of the two allowed choices). */
static int write_vsatp(CsrCtx *c, uint32_t csrno, uint64_t v)
{
    (void)csrno;
    uint64_t mode = v >> 60;
    if (mode != 0 && !(rt_satp_mode_supported && rt_satp_mode_supported(mode)))
        return OK;
    c->cpu->vsatp = v & (0xFull << 60 | 0xFFFFull << 44 | ((1ull << 44) - 1));
    rt_tlb_flush_mmu(c->cpu, MMU_MASK_GUEST);
    rt_jc_flush_hart(c->cpu);
    return OK;
}

const CsrDef csr_hyp_table[] = {
    /* Hypervisor (numbers 0x6xx, 0xExx; rt_csr_access requires H for them). */
    {0x600, 0x600, NULL, write_hstatus, FIELD(hstatus), 0, NULL},
    {0x602, 0x602, NULL, NULL, FIELD(hedeleg), 0xB1FF, NULL},
    {0x603, 0x603, NULL, NULL, FIELD(hideleg), VS_INTERRUPTS, NULL},
    {0x604, 0x604, read_hie, write_hie, 0, 0, NULL},
    {0x605, 0x605, NULL, write_htimedelta, FIELD(htimedelta), 0, NULL},
    {0x606, 0x606, NULL, NULL, FIELD(hcounteren), 0xFFFFFFFFull, NULL},
    {0x607, 0x607, read_zero, write_ignore, 0, 0, NULL},       /* hgeie: GEILEN = 0 */
    {0x60A, 0x60A, read_henvcfg, write_henvcfg, 0, 0, NULL},
    {0x643, 0x643, NULL, NULL, FIELD(htval), ~0ull, NULL},
    {0x644, 0x644, read_hip, write_hip, 0, 0, NULL},
    {0x645, 0x645, NULL, write_hvip, FIELD(hvip), 0, NULL},
    {0x64A, 0x64A, NULL, NULL, FIELD(htinst), ~0ull, NULL},
    {0x680, 0x680, NULL, write_hgatp, FIELD(hgatp), 0, pred_hgatp},
    {0xE12, 0xE12, read_zero, NULL, 0, 0, NULL},               /* hgeip: GEILEN = 0 */
    /* Virtual supervisor (0x2xx). */
    {0x200, 0x200, read_vsstatus, write_vsstatus, 0, 0, NULL},
    {0x204, 0x204, read_vsie, write_vsie, 0, 0, NULL},
    {0x205, 0x205, NULL, write_tvec, FIELD(vstvec), 0, NULL},
    {0x240, 0x240, NULL, NULL, FIELD(vsscratch), ~0ull, NULL},
    {0x241, 0x241, NULL, write_epc, FIELD(vsepc), 0, NULL},
    {0x242, 0x242, NULL, NULL, FIELD(vscause), ~0ull, NULL},
    {0x243, 0x243, NULL, NULL, FIELD(vstval), ~0ull, NULL},
    {0x244, 0x244, read_vsip, write_vsip, 0, 0, NULL},
    {0x24D, 0x24D, NULL, write_stimecmp, FIELD(vstimecmp), 0, pred_stimecmp},
    {0x280, 0x280, NULL, write_vsatp, FIELD(vsatp), 0, NULL},
};

const size_t csr_hyp_count = sizeof csr_hyp_table / sizeof csr_hyp_table[0];
