/* The memory half of the Hypervisor extension (hypervisor spec, "Hypervisor Virtual-Machine
 * Load and Store Instructions", "Hypervisor Memory-Management Fence Instructions", and the
 * trap values of guest accesses): HLV/HLVX/HSV, HFENCE.VVMA/GVMA, and the exception facts
 * (GVA, GPA, transformed instruction) that trap entry writes to hstatus.GVA / mstatus.GVA,
 * htval / mtval2 and htinst / mtinst.  The two-stage walk itself is in mmu.c. */
#include "runtime.h"

#define OPC_LOAD 0x03
#define OPC_LOAD_FP 0x07
#define OPC_STORE 0x23
#define OPC_STORE_FP 0x27
#define OPC_AMO 0x2f
#define OPC_SYSTEM 0x73
#define INSN_RS1_MASK (0x1full << 15)

/* The exception about to be raised has tval = a guest virtual address (GVA = 1); *f gives the
 * GPA of a guest-page fault and the pseudoinstruction of an implicit access, which takes
 * precedence over `tinst`, the transformed explicit instruction (or 0). */
void rt_set_exc_guest(CPUState *cpu, const MmuFault *f, uint64_t tinst)
{
    cpu->exc_gva = 1;
    cpu->exc_gpa = f->gpa;
    cpu->exc_gpa_valid = f->gpa_valid;
    cpu->exc_tinst = f->tinst ? f->tinst : tinst;
}

/* "Transformed Instruction or Pseudoinstruction for mtinst or htinst": the value for an
 * explicit access of the instruction `insn` (0: read it back from cpu->pc, which the slow
 * paths set to the faulting instruction) whose faulting byte is `addr_offset` bytes past its
 * address.  Loads keep opcode, rd and funct3; stores keep opcode, rs2 and funct3; AMOs and
 * HLV/HLVX/HSV are kept whole; in each the rs1 field holds the address offset and the
 * immediate is 0.  A compressed instruction gives 0: the spec always permits 0 for an
 * explicit access ("a value of zero ... may be written"), and a guest hypervisor then decodes
 * the instruction from memory itself. */
uint64_t rt_transformed_insn(CPUState *cpu, uint64_t insn, uint64_t addr_offset)
{
    if (!insn) {
        /* Two parcels, each translated: a 32-bit instruction may straddle a page. */
        for (unsigned i = 0; i < 2; i++) {
            uint64_t paddr;
            uint16_t h;
            uint8_t *p = NULL;
            if (rt_fetch_translate(cpu, cpu->pc + 2 * i, &paddr) < 0)
                p = rt_ram_ptr(cpu, paddr, 2);
            if (!p)
                return 0;
            memcpy(&h, p, 2);
            insn |= (uint64_t)h << (16 * i);
            if ((h & 3) != 3 && i == 0)
                return 0;       /* compressed: see above */
        }
    }
    if ((insn & 3) != 3)
        return 0;
    uint64_t off = (addr_offset & 0x1f) << 15;
    switch (insn & 0x7f) {
    case OPC_LOAD:
    case OPC_LOAD_FP:
        return (insn & 0x7fff) | off;
    case OPC_STORE:
    case OPC_STORE_FP:
        return (insn & 0x01f0707f) | off;
    case OPC_AMO:
        return (insn & 0xffffffff & ~INSN_RS1_MASK) | off;
    case OPC_SYSTEM:
        if (((insn >> 12) & 7) == 4)    /* HLV/HLVX/HSV (funct3 PRIVM) */
            return (insn & 0xffffffff & ~INSN_RS1_MASK) | off;
        return 0;
    default:
        return 0;
    }
}

/* II/VI report the instruction bits in tval (as the translator's illegal-instruction path). */
static uint64_t insn_trap(CPUState *cpu, int cause, uint64_t insn)
{
    rt_raise(cpu, (uint64_t)cause, insn & 0xffffffffull);
    return 0;
}

static inline uint64_t extend(uint64_t v, unsigned size, int sgn)
{
    if (!sgn || size == 8)
        return v;
    unsigned sh = 64 - 8 * size;
    return (uint64_t)((int64_t)(v << sh) >> sh);
}

/* The MMU index of HLV/HSV: two-stage at privilege hstatus.SPVP, whatever MPRV says
 * ("norm:hlsv_*"); vsstatus.SUM/MXR apply there as for VS-mode accesses (mmu.c), so the
 * accesses share the VS/VU TLBs. */
static int hlsv_mmu(CPUState *cpu)
{
    return MMU_VU | ((cpu->hstatus & HSTATUS_SPVP) ? PRV_S : PRV_U);
}

/* memop: size | signed << 4 | hlvx << 5 | insn << 32. */
uint64_t helper_hlv(CPUState *cpu, uint64_t vaddr, uint64_t memop)
{
    uint64_t insn = memop >> 32;
    int c = rt_hyp_insn_check(cpu);
    if (c >= 0)
        return insn_trap(cpu, c, insn);
    unsigned size = memop & 15;
    int sgn = (memop >> 4) & 1, hlvx = (memop >> 5) & 1;
    uint64_t v = 0;
    /* HLVX: a load (its faults are load faults) that needs execute permission at both stages
     * and PMP R and X; it never uses the TLB (rt_access/translate). */
    if (rt_access(cpu, vaddr, size, ACC_READ, hlsv_mmu(cpu), hlvx, &v, insn))
        return 0;
    return extend(v, size, sgn);
}

uint64_t helper_hsv(CPUState *cpu, uint64_t vaddr, uint64_t val, uint64_t memop)
{
    uint64_t insn = memop >> 32;
    int c = rt_hyp_insn_check(cpu);
    if (c >= 0)
        return insn_trap(cpu, c, insn);
    rt_access(cpu, vaddr, memop & 15, ACC_WRITE, hlsv_mmu(cpu), 0, &val, insn);
    return 0;
}

/* HFENCE.VVMA: VS-stage translations of the current VMID; the TLB keeps no VMID or ASID tags,
 * so every two-stage regime goes (flushing more is allowed).  The (virtual pc -> translation)
 * tables go too, as guest code mappings may change. */
uint64_t helper_hfence_vvma(CPUState *cpu, uint64_t vaddr, uint64_t asid, uint64_t insn)
{
    (void)vaddr;
    (void)asid;
    int c = rt_hyp_insn_check(cpu);
    if (c < 0 && cpu->priv == PRV_U)
        c = EXC_ILLEGAL;            /* hstatus.HU enables HLV/HSV only */
    if (c >= 0)
        return insn_trap(cpu, c, insn);
    rt_tlb_flush_mmu(cpu, MMU_MASK_GUEST);
    rt_jc_flush_hart(cpu);
    return 0;
}

/* HFENCE.GVMA: G-stage translations, hence every combined GVA -> SPA entry.  In HS-mode with
 * mstatus.TVM = 1 it is illegal ("norm:hfence-*"). */
uint64_t helper_hfence_gvma(CPUState *cpu, uint64_t gaddr, uint64_t vmid, uint64_t insn)
{
    (void)gaddr;
    (void)vmid;
    int c = rt_hyp_insn_check(cpu);
    if (c < 0 && (cpu->priv == PRV_U || (cpu->priv == PRV_S && (cpu->mstatus & MSTATUS_TVM))))
        c = EXC_ILLEGAL;
    if (c >= 0)
        return insn_trap(cpu, c, insn);
    rt_tlb_flush_mmu(cpu, MMU_MASK_GUEST);
    rt_jc_flush_hart(cpu);
    return 0;
}

/* A block whose first instruction cannot be fetched: raise the fault as the fetch regime
 * gives it now (so a guest-page fault carries its GPA).  If it no longer faults, drop the
 * lookup tables so that the block is translated afresh. */
uint64_t helper_fetch_fault(CPUState *cpu, uint64_t vaddr)
{
    if (!rt_raise_fetch_fault(cpu, vaddr))
        rt_jc_flush_hart(cpu);
    return 0;
}
