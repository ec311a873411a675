/* The CSR table (privileged spec 2.2 "CSR Listing" and chapters 3-4): one entry per CSR with
 * its access predicate and read/write functions; plain storage CSRs name their field and
 * writable mask.  Accesses follow 2.1: the number's bits 9:8 give the lowest privilege allowed,
 * bits 11:10 == 3 make it read-only; a violation or an unknown number is an illegal
 * instruction. */
#include "runtime.h"
#include <stddef.h>
#include <time.h>

uint64_t rt_misa;          /* set by Python from the configured extensions */
static int time_shift = -1;     /* -1: mtime follows host time; else 2^shift ns per insn */
static double time_start;
static uint64_t idle_ticks;     /* deterministic mode: time skipped while every hart waited */

void rt_set_misa(uint64_t misa)
{
    rt_misa = misa;
}

void rt_set_time_mode(int icount_shift, double start)
{
    time_shift = icount_shift;
    time_start = start;
    idle_ticks = 0;
}

int rt_time_is_icount(void)
{
    return time_shift >= 0;
}

/* Deterministic mode: every hart waits in WFI, so time jumps ahead (to the next deadline). */
void rt_time_advance(uint64_t ticks)
{
    idle_ticks += ticks;
}

static double host_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* mtime ticks at 10 MHz (QEMU virt's timebase), from host time or, in the deterministic mode,
 * from the instructions retired. */
uint64_t rt_mtime(CPUState *cpu)
{
    if (time_shift >= 0)
        return (cpu->instret << time_shift) / 100 + idle_ticks;
    return (uint64_t)((host_seconds() - time_start) * 1e7);
}

#include "csr.h"


/* ---- predicates ------------------------------------------------------------------------ */

/* 3.1.11/4.1.5 and hypervisor spec "Hypervisor Counter-Enable Register": counters below M are
 * gated by mcounteren (II), with V=1 by hcounteren and in VU also scounteren (VI), in U-mode
 * (V=0) by scounteren (II). */
static int pred_counter(CsrCtx *c, uint32_t csrno)
{
    CPUState *cpu = c->cpu;
    uint64_t bit = 1ull << (csrno & 31);
    if (cpu->priv < PRV_M && !(cpu->mcounteren & bit))
        return EXC_ILLEGAL;
    if (cpu->virt && (!(cpu->hcounteren & bit) ||
                      (cpu->priv == PRV_U && !(cpu->scounteren & bit))))
        return EXC_VIRTUAL_INSN;
    if (cpu->priv == PRV_U && !(cpu->scounteren & bit))
        return EXC_ILLEGAL;
    return OK;
}

/* 4.1.11: satp in HS-mode with TVM=1 is illegal; hypervisor spec: in VS-mode hstatus.VTVM=1
 * makes it a virtual instruction (mstatus.TVM does not apply with V=1). */
static int pred_satp(CsrCtx *c, uint32_t csrno)
{
    (void)csrno;
    CPUState *cpu = c->cpu;
    if (cpu->virt)
        return cpu->priv == PRV_S && (cpu->hstatus & HSTATUS_VTVM) ? EXC_VIRTUAL_INSN : OK;
    if (cpu->priv == PRV_S && (cpu->mstatus & MSTATUS_TVM))
        return EXC_ILLEGAL;
    return OK;
}

/* CSRs that exist only with the H extension (mtval2, mtinst). */
static int pred_h(CsrCtx *c, uint32_t csrno)
{
    (void)c; (void)csrno;
    return has_ext('H') ? OK : EXC_ILLEGAL;
}

/* ---- counters -------------------------------------------------------------------------- */

static uint64_t raw_instret(CsrCtx *c)
{
    return c->cpu->instret + c->icount;
}

static int read_minstret(CsrCtx *c, uint32_t csrno, uint64_t *v)
{
    (void)csrno;
    if (c->cpu->mcountinhibit & 4)
        *v = c->cpu->minstret_frozen;
    else
        *v = raw_instret(c) + c->cpu->minstret_off;
    return OK;
}

/* 3.1.11: a write to minstret sets the value seen after the writing instruction, which is not
 * counted itself. */
static int write_minstret(CsrCtx *c, uint32_t csrno, uint64_t v)
{
    (void)csrno;
    if (c->cpu->mcountinhibit & 4)
        c->cpu->minstret_frozen = v;
    else
        c->cpu->minstret_off = v - (raw_instret(c) + 1);
    return OK;
}

/* mcycle counts one cycle per instruction retired, so it is deterministic. */
static int read_mcycle(CsrCtx *c, uint32_t csrno, uint64_t *v)
{
    (void)csrno;
    if (c->cpu->mcountinhibit & 1)
        *v = c->cpu->mcycle_frozen;
    else
        *v = raw_instret(c) + c->cpu->mcycle_off;
    return OK;
}

static int write_mcycle(CsrCtx *c, uint32_t csrno, uint64_t v)
{
    (void)csrno;
    if (c->cpu->mcountinhibit & 1)
        c->cpu->mcycle_frozen = v;
    else
        c->cpu->mcycle_off = v - (raw_instret(c) + 1);
    return OK;
}

static int write_mcountinhibit(CsrCtx *c, uint32_t csrno, uint64_t v)
{
    (void)csrno;
    CPUState *cpu = c->cpu;
    uint64_t old = cpu->mcountinhibit, raw = raw_instret(c) + 1;
    v &= 5;             /* CY and IR; TM and the (read-only zero) hpm counters' bits are 0 */
    if ((v & 1) && !(old & 1))
        cpu->mcycle_frozen = raw + cpu->mcycle_off;
    if (!(v & 1) && (old & 1))
        cpu->mcycle_off = cpu->mcycle_frozen - raw;
    if ((v & 4) && !(old & 4))
        cpu->minstret_frozen = raw + cpu->minstret_off;
    if (!(v & 4) && (old & 4))
        cpu->minstret_off = cpu->minstret_frozen - raw;
    cpu->mcountinhibit = v;
    return OK;
}

static int read_time(CsrCtx *c, uint32_t csrno, uint64_t *v)
{
    (void)csrno;
    /* Hypervisor spec "Hypervisor Time Delta Register": VS/VU see time + htimedelta. */
    *v = rt_mtime(c->cpu) + (c->cpu->virt ? c->cpu->htimedelta : 0);
    return OK;
}

static int read_user_counter(CsrCtx *c, uint32_t csrno, uint64_t *v)
{
    if (csrno == 0xC00)
        return read_mcycle(c, csrno, v);
    if (csrno == 0xC02)
        return read_minstret(c, csrno, v);
    *v = 0;             /* hpmcounter3..31 */
    return OK;
}

int read_zero(CsrCtx *c, uint32_t csrno, uint64_t *v)
{
    (void)c; (void)csrno;
    *v = 0;
    return OK;
}

int write_ignore(CsrCtx *c, uint32_t csrno, uint64_t v)
{
    (void)c; (void)csrno; (void)v;
    return OK;
}

/* ---- machine-mode CSRs ----------------------------------------------------------------- */

uint64_t mstatus_sd(uint64_t s)
{
    int dirty = ((s & MSTATUS_FS) == MSTATUS_FS) || ((s & MSTATUS_XS) == MSTATUS_XS);
    return dirty ? (s | MSTATUS_SD) : (s & ~MSTATUS_SD);
}

static int read_mstatus(CsrCtx *c, uint32_t csrno, uint64_t *v)
{
    (void)csrno;
    *v = mstatus_sd(c->cpu->mstatus);
    return OK;
}

static uint64_t mstatus_writable(void)
{
    uint64_t m = MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP | MSTATUS_MPRV;
    if (has_ext('S'))
        m |= MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_SUM | MSTATUS_MXR |
             MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR;
    if (has_ext('F'))
        m |= MSTATUS_FS;
    if (has_ext('H'))
        m |= MSTATUS_MPV | MSTATUS_GVA;
    return m;
}

static void set_mstatus(CPUState *cpu, uint64_t v, uint64_t mask)
{
    uint64_t old = cpu->mstatus;
    uint64_t s = (old & ~mask) | (v & mask);
    /* MPP is WARL: 2 is not a mode; keep the old value. */
    if (((s & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT) == 2 || (!has_ext('S') &&
        ((s & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT) == PRV_S))
        s = (s & ~MSTATUS_MPP) | (old & MSTATUS_MPP);
    cpu->mstatus = mstatus_sd(s);
    /* MXR changes what every translated load may do (HS MXR applies to both stages with
     * V=1, h-extension.md 4.3); SUM what S-mode accesses may do (3.1.6.3; vsstatus.SUM holds
     * VS-mode's).  MPRV, MPP and MPV only choose the MMU index of M-mode's loads and stores
     * (rt_update_flags), whose entries mean the same whoever made them. */
    if ((old ^ s) & MSTATUS_MXR)
        rt_tlb_flush(cpu);
    else if ((old ^ s) & MSTATUS_SUM)
        rt_tlb_flush_mmu(cpu, 1u << MMU_S);
    rt_update_flags(cpu);
}

static int write_mstatus(CsrCtx *c, uint32_t csrno, uint64_t v)
{
    (void)csrno;
    set_mstatus(c->cpu, v, mstatus_writable());
    return OK;
}

static int read_misa(CsrCtx *c, uint32_t csrno, uint64_t *v)
{
    (void)c; (void)csrno;
    *v = rt_misa;
    return OK;
}

/* mtvec/stvec (3.1.7): MODE 0 or 1; a write of a reserved mode leaves the CSR unchanged. */
int write_tvec(CsrCtx *c, uint32_t csrno, uint64_t v)
{
    if ((v & 3) >= 2)
        return OK;
    if (csrno == 0x305)
        c->cpu->mtvec = v;
    else if (csrno == 0x205)
        c->cpu->vstvec = v;
    else
        c->cpu->stvec = v;
    return OK;
}

/* mepc/sepc: with IALIGN=16, bit 0 is always zero (3.1.14). */
int write_epc(CsrCtx *c, uint32_t csrno, uint64_t v)
{
    if (csrno == 0x341)
        c->cpu->mepc = v & ~1ull;
    else if (csrno == 0x241)
        c->cpu->vsepc = v & ~1ull;
    else
        c->cpu->sepc = v & ~1ull;
    return OK;
}

static int read_mip(CsrCtx *c, uint32_t csrno, uint64_t *v)
{
    (void)csrno;
    rt_timer_update(c->cpu);
    *v = c->cpu->mip;
    return OK;
}

static int write_mip(CsrCtx *c, uint32_t csrno, uint64_t v)
{
    (void)csrno;
    CPUState *cpu = c->cpu;
    /* SSIP, STIP and SEIP are writable from M; MSIP/MTIP/MEIP follow the devices (3.1.9).
     * With Sstc and menvcfg.STCE=1, STIP follows stimecmp and is read-only. */
    if (!has_ext('S'))
        return OK;
    uint64_t mask = MIP_SSIP | ((cpu->menvcfg & MENVCFG_STCE) ? 0 : MIP_STIP);
    cpu->mip = (cpu->mip & ~mask) | (v & mask);
    /* Writes reach the SEIP latch; reads see latch | PLIC line. */
    cpu->seip_sw = v & MIP_SEIP;
    rt_update_seip(cpu);
    /* Hypervisor spec: mip.VSSIP is an alias of hvip.VSSIP; VSTIP and VSEIP are read-only. */
    if (has_ext('H')) {
        cpu->hvip = (cpu->hvip & ~MIP_VSSIP) | (v & MIP_VSSIP);
        rt_timer_update(cpu);
    }
    return OK;
}

/* ---- supervisor views (4.1) ------------------------------------------------------------ */

static int read_sstatus(CsrCtx *c, uint32_t csrno, uint64_t *v)
{
    (void)csrno;
    *v = mstatus_sd(c->cpu->mstatus) & SSTATUS_MASK;
    return OK;
}

static int write_sstatus(CsrCtx *c, uint32_t csrno, uint64_t v)
{
    (void)csrno;
    set_mstatus(c->cpu, v, mstatus_writable() & SSTATUS_MASK);
    return OK;
}

static int read_sie(CsrCtx *c, uint32_t csrno, uint64_t *v)
{
    (void)csrno;
    *v = c->cpu->mie & c->cpu->mideleg & S_INTERRUPTS;
    return OK;
}

static int write_sie(CsrCtx *c, uint32_t csrno, uint64_t v)
{
    (void)csrno;
    uint64_t mask = c->cpu->mideleg & S_INTERRUPTS;
    c->cpu->mie = (c->cpu->mie & ~mask) | (v & mask);
    return OK;
}

static int read_sip(CsrCtx *c, uint32_t csrno, uint64_t *v)
{
    (void)csrno;
    rt_timer_update(c->cpu);
    *v = c->cpu->mip & c->cpu->mideleg & S_INTERRUPTS;
    return OK;
}

static int write_sip(CsrCtx *c, uint32_t csrno, uint64_t v)
{
    (void)csrno;
    /* 4.1.3: only SSIP is writable through sip. */
    uint64_t mask = c->cpu->mideleg & MIP_SSIP;
    c->cpu->mip = (c->cpu->mip & ~mask) | (v & mask);
    return OK;
}

/* satp (4.1.11): only the modes this machine translates are accepted; a write of any other
 * mode leaves satp unchanged, which is how kernels probe.  The page-table walker extends
 * `satp_mode_supported`. */
int (*rt_satp_mode_supported)(uint64_t mode);

static int write_satp(CsrCtx *c, uint32_t csrno, uint64_t v)
{
    (void)csrno;
    uint64_t mode = v >> 60;
    if (mode != 0 && !(rt_satp_mode_supported && rt_satp_mode_supported(mode)))
        return OK;
    /* ASID: 16 bits on RV64. */
    c->cpu->satp = v & (0xFull << 60 | 0xFFFFull << 44 | ((1ull << 44) - 1));
    rt_tlb_flush(c->cpu);
    rt_jc_flush_hart(c->cpu);
    return OK;
}

/* menvcfg (3.1.18): FIOM, PBMTE (Svpbmt) and STCE (Sstc) are implemented; the Zicbo* and
 * other fields are read-only zero. */
static int write_menvcfg(CsrCtx *c, uint32_t csrno, uint64_t v)
{
    (void)csrno;
    CPUState *cpu = c->cpu;
    uint64_t old = cpu->menvcfg;
    cpu->menvcfg = v & (MENVCFG_FIOM | MENVCFG_PBMTE | MENVCFG_STCE);
    if ((old ^ cpu->menvcfg) & MENVCFG_PBMTE)
        rt_tlb_flush(cpu);
    rt_timer_update(cpu);
    return OK;
}

/* Sstc: stimecmp is accessible below M only with mcounteren.TM=1 and menvcfg.STCE=1. */
int pred_stimecmp(CsrCtx *c, uint32_t csrno)
{
    (void)csrno;
    CPUState *cpu = c->cpu;
    if (cpu->priv < PRV_M && (!(cpu->mcounteren & 2) || !(cpu->menvcfg & MENVCFG_STCE)))
        return EXC_ILLEGAL;
    /* With V=1 (stimecmp is vstimecmp), hcounteren.TM and henvcfg.STCE gate it (VI). */
    if (cpu->virt && (!(cpu->hcounteren & 2) || !(cpu->henvcfg & MENVCFG_STCE)))
        return EXC_VIRTUAL_INSN;
    return OK;
}

int write_stimecmp(CsrCtx *c, uint32_t csrno, uint64_t v)
{
    if (csrno == 0x24D)
        c->cpu->vstimecmp = v;
    else
        c->cpu->stimecmp = v;
    rt_timer_update(c->cpu);
    return OK;
}

static int read_hartid(CsrCtx *c, uint32_t csrno, uint64_t *v)
{
    (void)csrno;
    *v = c->cpu->mhartid;
    return OK;
}

/* pmpcfg: only the even registers exist on RV64 (3.7.1). */
static int pred_pmpcfg(CsrCtx *c, uint32_t csrno)
{
    (void)c;
    return (csrno & 1) ? EXC_ILLEGAL : OK;
}

static int read_pmpcfg(CsrCtx *c, uint32_t csrno, uint64_t *v)
{
    *v = csrno == 0x3A0 ? c->cpu->pmpcfg0 : csrno == 0x3A2 ? c->cpu->pmpcfg2 : 0;
    return OK;
}

/* 3.7.1: a locked entry's cfg is not writable; R=0,W=1 is reserved (kept as R=W=0). */
static int write_pmpcfg(CsrCtx *c, uint32_t csrno, uint64_t v)
{
    uint64_t *reg = csrno == 0x3A0 ? &c->cpu->pmpcfg0 : csrno == 0x3A2 ? &c->cpu->pmpcfg2 : NULL;
    if (!reg)
        return OK;
    uint64_t out = 0;
    for (int i = 0; i < 8; i++) {
        uint64_t old = (*reg >> (8 * i)) & 0xff, nb = (v >> (8 * i)) & 0x9f;
        if (old & 0x80)
            nb = old;
        else if ((nb & 3) == 2)
            nb &= ~3ull;
        out |= nb << (8 * i);
    }
    *reg = out;
    /* PMP changes what may be fetched too: drop the (pc -> translation) tables as well. */
    rt_tlb_flush(c->cpu);
    rt_jc_flush_hart(c->cpu);
    return OK;
}

static int pmp_locked(CPUState *cpu, int i)
{
    uint64_t cfg = i < 8 ? cpu->pmpcfg0 : cpu->pmpcfg2;
    return (cfg >> (8 * (i & 7))) & 0x80;
}

static int read_pmpaddr(CsrCtx *c, uint32_t csrno, uint64_t *v)
{
    int i = csrno - 0x3B0;
    *v = i < 16 ? c->cpu->pmpaddr[i] : 0;
    return OK;
}

static int write_pmpaddr(CsrCtx *c, uint32_t csrno, uint64_t v)
{
    int i = csrno - 0x3B0;
    if (i >= 16 || pmp_locked(c->cpu, i))
        return OK;
    /* A locked TOR entry also locks the address below it (3.7.1.2). */
    if (i + 1 < 16 && pmp_locked(c->cpu, i + 1)) {
        uint64_t cfg = (i + 1) < 8 ? c->cpu->pmpcfg0 : c->cpu->pmpcfg2;
        if (((cfg >> (8 * ((i + 1) & 7) + 3)) & 3) == 1)
            return OK;
    }
    c->cpu->pmpaddr[i] = v & ((1ull << 54) - 1);
    rt_tlb_flush(c->cpu);
    rt_jc_flush_hart(c->cpu);
    return OK;
}

/* ---- floating-point CSRs (unprivileged spec 20.2) ----------------------------------------- */

/* fflags, frm and fcsr are views of one register; they exist with F and are illegal while
 * mstatus.FS is Off (privileged spec 3.1.6.6).  A write makes FS Dirty; the block ends after any
 * CSR access, so the changed TB flags take effect at once. */
static int pred_fp(CsrCtx *c, uint32_t csrno)
{
    (void)csrno;
    if (!has_ext('F') || !(c->cpu->mstatus & MSTATUS_FS))
        return EXC_ILLEGAL;
    /* Hypervisor spec "Virtual Supervisor Status Register": with V=1 vsstatus.FS too; Off in
     * either is an illegal (never virtual) instruction. */
    if (c->cpu->virt && !(c->cpu->vsstatus & MSTATUS_FS))
        return EXC_ILLEGAL;
    return OK;
}

static int read_fp(CsrCtx *c, uint32_t csrno, uint64_t *v)
{
    uint64_t fcsr = c->cpu->fcsr & 0xff;
    *v = csrno == 0x001 ? (fcsr & 0x1f) : csrno == 0x002 ? (fcsr >> 5) : fcsr;
    return OK;
}

static int write_fp(CsrCtx *c, uint32_t csrno, uint64_t v)
{
    CPUState *cpu = c->cpu;
    uint64_t fcsr = cpu->fcsr & 0xff;
    if (csrno == 0x001)
        fcsr = (fcsr & ~0x1full) | (v & 0x1f);
    else if (csrno == 0x002)
        fcsr = (fcsr & 0x1f) | ((v & 7) << 5);
    else
        fcsr = v & 0xff;
    cpu->fcsr = fcsr;
    cpu->mstatus |= MSTATUS_FS | MSTATUS_SD;
    if (cpu->virt)
        cpu->vsstatus |= MSTATUS_FS | MSTATUS_SD;
    rt_update_flags(cpu);
    return OK;
}

/* ---- machine-level delegation and interrupt enables (3.1.8-3.1.9, hypervisor spec) ---- */

/* medeleg: with H, causes 10 (ECALL from VS) and 20-23 (guest-page faults, virtual
 * instruction) become delegable; 11 (ECALL from M) and 16 stay read-only zero. */
static int write_medeleg(CsrCtx *c, uint32_t csrno, uint64_t v)
{
    (void)csrno;
    uint64_t mask = 0xB3FF | (has_ext('H') ? (1ull << 10) | (0xFull << 20) : 0);
    c->cpu->medeleg = v & mask;
    return OK;
}

/* mideleg: with H, the VS-level interrupts (bits 10, 6, 2) are read-only one (GEILEN = 0, so
 * SGEI, bit 12, is read-only zero). */
static int write_mideleg(CsrCtx *c, uint32_t csrno, uint64_t v)
{
    (void)csrno;
    c->cpu->mideleg = (v & S_INTERRUPTS) | (has_ext('H') ? VS_INTERRUPTS : 0);
    return OK;
}

static int write_mie(CsrCtx *c, uint32_t csrno, uint64_t v)
{
    (void)csrno;
    uint64_t mask = S_INTERRUPTS | M_INTERRUPTS | (has_ext('H') ? VS_INTERRUPTS : 0);
    c->cpu->mie = v & mask;
    return OK;
}

static const CsrDef csr_table[] = {
    /* Floating point. */
    {0x001, 0x003, read_fp, write_fp, 0, 0, pred_fp},
    /* Unprivileged counters (Zicntr). */
    {0xC00, 0xC00, read_user_counter, NULL, 0, 0, pred_counter},
    {0xC01, 0xC01, read_time, NULL, 0, 0, pred_counter},
    {0xC02, 0xC1F, read_user_counter, NULL, 0, 0, pred_counter},
    /* Supervisor. */
    {0x100, 0x100, read_sstatus, write_sstatus, 0, 0, NULL},
    {0x104, 0x104, read_sie, write_sie, 0, 0, NULL},
    {0x105, 0x105, NULL, write_tvec, FIELD(stvec), 0, NULL},
    {0x106, 0x106, NULL, NULL, FIELD(scounteren), 0xFFFFFFFFull, NULL},
    {0x10A, 0x10A, NULL, NULL, FIELD(senvcfg), 1, NULL},
    {0x140, 0x140, NULL, NULL, FIELD(sscratch), ~0ull, NULL},
    {0x141, 0x141, NULL, write_epc, FIELD(sepc), 0, NULL},
    {0x142, 0x142, NULL, NULL, FIELD(scause), ~0ull, NULL},
    {0x143, 0x143, NULL, NULL, FIELD(stval), ~0ull, NULL},
    {0x144, 0x144, read_sip, write_sip, 0, 0, NULL},
    {0x14D, 0x14D, NULL, write_stimecmp, FIELD(stimecmp), 0, pred_stimecmp},
    {0x180, 0x180, NULL, write_satp, FIELD(satp), 0, pred_satp},
    /* Machine information. */
    {0xF11, 0xF13, read_zero, NULL, 0, 0, NULL},
    {0xF14, 0xF14, read_hartid, NULL, 0, 0, NULL},
    {0xF15, 0xF15, read_zero, NULL, 0, 0, NULL},
    /* Machine trap setup and handling. */
    {0x300, 0x300, read_mstatus, write_mstatus, 0, 0, NULL},
    {0x301, 0x301, read_misa, write_ignore, 0, 0, NULL},
    {0x302, 0x302, NULL, write_medeleg, FIELD(medeleg), 0, NULL},
    {0x303, 0x303, NULL, write_mideleg, FIELD(mideleg), 0, NULL},
    {0x304, 0x304, NULL, write_mie, FIELD(mie), 0, NULL},
    {0x305, 0x305, NULL, write_tvec, FIELD(mtvec), 0, NULL},
    {0x306, 0x306, NULL, NULL, FIELD(mcounteren), 0xFFFFFFFFull, NULL},
    {0x30A, 0x30A, NULL, write_menvcfg, FIELD(menvcfg), 0, NULL},
    {0x320, 0x320, NULL, write_mcountinhibit, FIELD(mcountinhibit), 0, NULL},
    {0x323, 0x33F, read_zero, write_ignore, 0, 0, NULL},
    {0x340, 0x340, NULL, NULL, FIELD(mscratch), ~0ull, NULL},
    {0x341, 0x341, NULL, write_epc, FIELD(mepc), 0, NULL},
    {0x342, 0x342, NULL, NULL, FIELD(mcause), ~0ull, NULL},
    {0x343, 0x343, NULL, NULL, FIELD(mtval), ~0ull, NULL},
    {0x344, 0x344, read_mip, write_mip, 0, 0, NULL},
    {0x34A, 0x34A, NULL, NULL, FIELD(mtinst), ~0ull, pred_h},
    {0x34B, 0x34B, NULL, NULL, FIELD(mtval2), ~0ull, pred_h},
    /* Memory protection. */
    {0x3A0, 0x3AF, read_pmpcfg, write_pmpcfg, 0, 0, pred_pmpcfg},
    {0x3B0, 0x3EF, read_pmpaddr, write_pmpaddr, 0, 0, NULL},
    /* Machine counters. */
    {0xB00, 0xB00, read_mcycle, write_mcycle, 0, 0, NULL},
    {0xB02, 0xB02, read_minstret, write_minstret, 0, 0, NULL},
    {0xB03, 0xB1F, read_zero, write_ignore, 0, 0, NULL},
};

static const CsrDef *find_in(const CsrDef *t, size_t n, uint32_t csrno)
{
    for (size_t i = 0; i < n; i++)
        if (csrno >= t[i].lo && csrno <= t[i].hi)
            return &t[i];
    return NULL;
}

static const CsrDef *csr_find(uint32_t csrno)
{
    const CsrDef *d = find_in(csr_table, sizeof csr_table / sizeof csr_table[0], csrno);
    return d ? d : find_in(csr_hyp_table, csr_hyp_count, csrno);
}

/* Hypervisor spec "norm:H_vscsrs_sub": with V=1, these supervisor numbers access the vs*
 * register 0x100 above them (sstatus, sie, stvec, sscratch, sepc, scause, stval, sip,
 * stimecmp, satp).  The other s* CSRs (scounteren, senvcfg) have no VS copy. */
static int vs_redirected(uint32_t csrno)
{
    switch (csrno) {
    case 0x100: case 0x104: case 0x105: case 0x140: case 0x141: case 0x142: case 0x143:
    case 0x144: case 0x14D: case 0x180:
        return 1;
    default:
        return 0;
    }
}

/* Returns -1 (OK) or the cause of the exception to raise.  The order (hypervisor spec
 * "norm:H_virtinst_*", section 2.9 of docs h-extension.md): an absent CSR or a write to a
 * read-only number is illegal; then the CSR's own rule (which may give II or VI); then the
 * privilege in the number, where HS counts as 2: too low with V=1 on an s*, h* or vs*
 * number is a virtual instruction, else illegal.  Then, with V=1, the one place that maps
 * s* numbers to the vs* storage. */
int rt_csr_access(CPUState *cpu, uint32_t csrno, int read, int write, uint64_t in,
                  uint64_t *out, uint64_t icount)
{
    CsrCtx c = {cpu, icount};
    const CsrDef *d = csr_find(csrno);
    if (!d)
        return EXC_ILLEGAL;
    unsigned csr_priv = (csrno >> 8) & 3;
    /* Supervisor CSRs need S-mode to exist, hypervisor ones H. */
    if ((csr_priv == 1 && !has_ext('S')) || (csr_priv == 2 && !has_ext('H')) ||
        (csrno >> 8 == 0xE && !has_ext('H')))
        return EXC_ILLEGAL;
    if (write && (csrno >> 10) == 3)
        return EXC_ILLEGAL;
    if (d->pred) {
        int r = d->pred(&c, csrno);
        if (r != OK)
            return r;
    }
    unsigned eff = cpu->priv == PRV_S && !cpu->virt ? 2 : (unsigned)cpu->priv;
    if (eff < csr_priv)
        return cpu->virt && csr_priv <= 2 ? EXC_VIRTUAL_INSN : EXC_ILLEGAL;
    if (cpu->virt && vs_redirected(csrno)) {
        csrno += 0x100;
        d = csr_find(csrno);
    }
    uint64_t old = 0;
    if (d->read) {
        int r = d->read(&c, csrno, &old);
        if (r != OK)
            return r;
    } else {
        memcpy(&old, (char *)cpu + d->off, 8);
    }
    (void)read;
    *out = old;
    if (write) {
        if (d->write)
            return d->write(&c, csrno, in);
        uint64_t v = (old & ~d->wmask) | (in & d->wmask);
        memcpy((char *)cpu + d->off, &v, 8);
    }
    return OK;
}

/* Zicsr from translated code: word = csr | op << 12 | read << 14 | write << 15 | icount << 16. */
uint64_t helper_csr(CPUState *cpu, uint64_t word, uint64_t src)
{
    uint32_t csrno = word & 0xFFF, op = (word >> 12) & 3;
    int read = (word >> 14) & 1, write = (word >> 15) & 1;
    uint64_t icount = word >> 16;
    uint64_t old = 0, in;
    /* Compute the new value from the old one: read it first without side effects. */
    if (op != 1 || read) {
        int r = rt_csr_access(cpu, csrno, 1, 0, 0, &old, icount);
        if (r != OK) {
            rt_insn_fault(cpu, r);
            return 0;
        }
    }
    /* 3.1.9: a read-modify-write of mip.SEIP starts from the software-writable latch, not
     * from the value read (which includes the PLIC's line). */
    uint64_t base = csrno == 0x344 ? ((old & ~MIP_SEIP) | cpu->seip_sw) : old;
    in = op == 1 ? src : op == 2 ? (base | src) : (base & ~src);
    if (write) {
        uint64_t ignored;
        int r = rt_csr_access(cpu, csrno, 0, 1, in, &ignored, icount);
        if (r != OK) {
            rt_insn_fault(cpu, r);
            return 0;
        }
        /* The write may have unmasked a pending interrupt: take it after this instruction. */
        rt_irq_kick(cpu);
    }
    return old;
}
