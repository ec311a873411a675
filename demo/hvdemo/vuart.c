/* MMIO emulation of each guest's UART.
 *
 * The UART's GPA page is not mapped in the G stage, so every guest access to it is a load or
 * store/AMO guest-page fault (cause 21/23) into HS-mode.  Here we
 *   1. find the GPA:  htval << 2 | stval[1:0]  (hypervisor.adoc "Guest-Page Faults"); htval may
 *      legally be 0, so we also translate stval through the guest's VS stage ourselves
 *      (and insist that both answers agree when htval is nonzero);
 *   2. find the instruction: htinst when it holds a transformed instruction (bit 0 = 1; bit 1
 *      tells a 32-bit original from a compressed one, "tinst-vals"), otherwise read it from the
 *      guest with HLVX.HU (as the guest would fetch it, through both translation stages);
 *   3. emulate a minimal 16550: THR at offset 0 (transmit), LSR at offset 5 reporting
 *      THRE | TEMT; every other register reads 0 and ignores writes;
 *   4. advance the guest pc by the instruction length (2 or 4). */
#include "riscv.h"
#include "hvdemo.h"

#define VUART_THR 0
#define VUART_LSR 5
#define VUART_LSR_THRE_TEMT 0x60

struct mmio_insn {
    int is_store;
    unsigned width;     /* bytes */
    int is_signed;      /* loads: sign-extend */
    unsigned reg;       /* rd for loads, rs2 for stores */
    unsigned len;       /* 2 or 4 */
};

/* A 32-bit LOAD/STORE (the fetched word, or a transformed instruction with bits 1:0 forced). */
static int decode32(unsigned long insn, struct mmio_insn *m)
{
    unsigned opcode = insn & 0x7f, funct3 = (insn >> 12) & 7;

    if (opcode == 0x03 && funct3 != 7) {            /* LB LH LW LD LBU LHU LWU */
        m->is_store = 0;
        m->width = 1u << (funct3 & 3);
        m->is_signed = !(funct3 & 4);
        m->reg = (insn >> 7) & 31;
        return 1;
    }
    if (opcode == 0x23 && funct3 < 4) {             /* SB SH SW SD */
        m->is_store = 1;
        m->width = 1u << funct3;
        m->is_signed = 0;
        m->reg = (insn >> 20) & 31;
        return 1;
    }
    return 0;
}

/* The RV64C loads and stores that can address memory through a register. */
static int decode16(unsigned long insn, struct mmio_insn *m)
{
    unsigned quadrant = insn & 3, funct3 = (insn >> 13) & 7;
    unsigned rd_rs2_prime = ((insn >> 2) & 7) + 8;

    m->is_signed = 1;
    if (quadrant == 0) {
        switch (funct3) {
        case 2: m->is_store = 0; m->width = 4; m->reg = rd_rs2_prime; return 1;  /* C.LW */
        case 3: m->is_store = 0; m->width = 8; m->reg = rd_rs2_prime; return 1;  /* C.LD */
        case 6: m->is_store = 1; m->width = 4; m->reg = rd_rs2_prime; return 1;  /* C.SW */
        case 7: m->is_store = 1; m->width = 8; m->reg = rd_rs2_prime; return 1;  /* C.SD */
        }
    } else if (quadrant == 2) {
        switch (funct3) {
        case 2: m->is_store = 0; m->width = 4; m->reg = (insn >> 7) & 31; return 1; /* C.LWSP */
        case 3: m->is_store = 0; m->width = 8; m->reg = (insn >> 7) & 31; return 1; /* C.LDSP */
        case 6: m->is_store = 1; m->width = 4; m->reg = (insn >> 2) & 31; return 1; /* C.SWSP */
        case 7: m->is_store = 1; m->width = 8; m->reg = (insn >> 2) & 31; return 1; /* C.SDSP */
        }
    }
    return 0;
}

static int decode_access(struct vcpu *v, unsigned long htinst, struct mmio_insn *m)
{
    if (htinst & 1) {
        /* Transformed instruction: always the 32-bit form; bit 1 = 0 marks a compressed
         * original.  The rs1 field holds the address offset, which we do not need. */
        m->len = (htinst & 2) ? 4 : 2;
        v->htinst_decodes++;
        return decode32(htinst | 3, m);
    }
    if (htinst != 0)
        return 0;   /* a pseudo-instruction: a fault on an implicit VS-stage page-table access */

    /* htinst = 0: read the instruction with HLVX.HU, which needs execute permission and uses
     * hstatus.SPVP (= VS after this trap) and the guest's live vsatp/hgatp. */
    unsigned long lo = hlvx_hu(v->pc);
    v->hlvx_decodes++;
    if ((lo & 3) == 3) {
        m->len = 4;
        return decode32(lo | (hlvx_hu(v->pc + 2) << 16), m);
    }
    m->len = 2;
    return decode16(lo, m);
}

/* Software VS-stage walk (Sv39 or Bare) for harts that leave htval = 0. */
static int vs_translate(const struct vcpu *v, unsigned long gva, unsigned long *gpa)
{
    unsigned long vsatp = csr_read(vsatp);
    unsigned long mode = vsatp >> 60;

    if (mode == 0) {
        *gpa = gva;
        return 1;
    }
    if (mode != 8)
        return 0;
    unsigned long table = (vsatp & HGATP_PPN_MASK) << PAGE_SHIFT;
    for (int level = 2; level >= 0; level--) {
        unsigned shift = PAGE_SHIFT + 9 * level;
        unsigned long pte_hpa;
        if (!gpa_to_hpa(v, table + ((gva >> shift) & 0x1ff) * 8, &pte_hpa))
            return 0;
        unsigned long pte = *(volatile unsigned long *)pte_hpa;
        if (!(pte & PTE_V))
            return 0;
        unsigned long base = ((pte >> PTE_PPN_SHIFT) & HGATP_PPN_MASK) << PAGE_SHIFT;
        if (pte & (PTE_R | PTE_X)) {
            unsigned long offset_mask = (1UL << shift) - 1;
            *gpa = (base & ~offset_mask) | (gva & offset_mask);
            return 1;
        }
        table = base;
    }
    return 0;
}

static unsigned char vuart_read(unsigned off)
{
    return off == VUART_LSR ? VUART_LSR_THRE_TEMT : 0;
}

static void vuart_write(struct vcpu *v, unsigned off, unsigned char val)
{
    if (off == VUART_THR)
        vcpu_line_out(v, (char)val);
}

int vuart_handle_fault(struct vcpu *v, unsigned long cause)
{
    unsigned long stval = csr_read(stval), htval = csr_read(htval), htinst = csr_read(htinst);
    unsigned long gpa;
    struct mmio_insn m;

    if (!vs_translate(v, stval, &gpa))
        return 0;
    if (htval != 0) {
        /* Prefer the hart's answer; our own walk must agree (this keeps the htval = 0 path
         * tested on harts, like QEMU, that always report htval). */
        unsigned long hw_gpa = (htval << 2) | (stval & 3);
        if (hw_gpa != gpa)
            hv_fatal(v, "software VS-stage walk disagrees with htval");
        gpa = hw_gpa;
    }
    if (gpa < GUEST_UART_GPA || gpa - GUEST_UART_GPA >= GUEST_UART_SIZE)
        return 0;
    if (!decode_access(v, htinst, &m))
        return 0;
    if (m.is_store != (cause == EXC_STORE_GUEST_PAGE_FAULT))
        return 0;

    unsigned off = (unsigned)(gpa - GUEST_UART_GPA);
    if (off + m.width > GUEST_UART_SIZE)
        return 0;
    if (m.is_store) {
        unsigned long val = v->x[m.reg];
        for (unsigned i = 0; i < m.width; i++)
            vuart_write(v, off + i, (unsigned char)(val >> (8 * i)));
    } else {
        unsigned long val = 0;
        for (unsigned i = 0; i < m.width; i++)
            val |= (unsigned long)vuart_read(off + i) << (8 * i);
        if (m.is_signed && m.width < 8) {
            unsigned sh = 64 - 8 * m.width;
            val = (unsigned long)((long)(val << sh) >> sh);
        }
        if (m.reg != 0)
            v->x[m.reg] = val;
    }
    v->mmio_exits++;
    v->pc += m.len;
    return 1;
}

/* QEMU 7.2 always leaves htinst = 0, so check the transformed-instruction decoder at boot with
 * the values a hart that reports them would write (hypervisor.adoc "tinst-vals"). */
int vuart_selftest(void)
{
    static const struct {
        unsigned long htinst;
        struct mmio_insn want;
    } cases[] = {
        { 0x00a00023, { 1, 1, 0, 10, 4 } },   /* sb a0, off(a5): imm and rs1 cleared */
        { 0x00e02021, { 1, 4, 0, 14, 2 } },   /* c.sw a4, off(a5): expanded, bit 1 cleared */
        { 0x00004503, { 0, 1, 0, 10, 4 } },   /* lbu a0, off(a5) */
        { 0x00003701, { 0, 8, 1, 14, 2 } },   /* c.ld a4, off(a5): ld a4 with bit 1 cleared */
    };
    struct vcpu dummy = { 0 };
    struct mmio_insn m;

    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        if (!decode_access(&dummy, cases[i].htinst, &m))
            return 0;
        if (m.is_store != cases[i].want.is_store || m.width != cases[i].want.width ||
            m.reg != cases[i].want.reg || m.len != cases[i].want.len ||
            (!m.is_store && m.is_signed != cases[i].want.is_signed))
            return 0;
    }
    /* A pseudo-instruction (implicit VS-stage page-table read) is not an MMIO access. */
    return !decode_access(&dummy, 0x3000, &m);
}
