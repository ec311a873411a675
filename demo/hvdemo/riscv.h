/* hvdemo: CSR access helpers and the architectural constants we use.
 * Names follow the RISC-V privileged spec (machine.adoc, supervisor.adoc, hypervisor.adoc). */
#ifndef HVDEMO_RISCV_H
#define HVDEMO_RISCV_H

/* Two levels so that a macro naming a CSR number (CSR_MTVAL2) is expanded before stringizing. */
#define __csr_str(x) #x
#define csr_read(csr) ({ unsigned long __v; \
        __asm__ volatile("csrr %0, " __csr_str(csr) : "=r"(__v) :: "memory"); __v; })
#define csr_write(csr, val) \
        __asm__ volatile("csrw " __csr_str(csr) ", %0" :: "rK"((unsigned long)(val)) : "memory")
#define csr_set(csr, val) \
        __asm__ volatile("csrs " __csr_str(csr) ", %0" :: "rK"((unsigned long)(val)) : "memory")
#define csr_clear(csr, val) \
        __asm__ volatile("csrc " __csr_str(csr) ", %0" :: "rK"((unsigned long)(val)) : "memory")

/* CSRs this binutils does not know by name. */
#define CSR_MENVCFG 0x30a
#define CSR_MTINST  0x34a
#define CSR_MTVAL2  0x34b

/* mstatus / sstatus (machine.adoc "mstatus", hypervisor.adoc "mstatus additions") */
#define MSTATUS_SIE   (1UL << 1)
#define MSTATUS_MIE   (1UL << 3)
#define MSTATUS_SPIE  (1UL << 5)
#define MSTATUS_MPIE  (1UL << 7)
#define MSTATUS_SPP   (1UL << 8)
#define MSTATUS_MPP   (3UL << 11)
#define MSTATUS_MPP_S (1UL << 11)
#define MSTATUS_MPRV  (1UL << 17)
#define MSTATUS_SUM   (1UL << 18)
#define MSTATUS_TVM   (1UL << 20)
#define MSTATUS_TW    (1UL << 21)
#define MSTATUS_TSR   (1UL << 22)
#define MSTATUS_GVA   (1UL << 38)
#define MSTATUS_MPV   (1UL << 39)

/* hstatus (hypervisor.adoc sec:hstatus) */
#define HSTATUS_GVA   (1UL << 6)
#define HSTATUS_SPV   (1UL << 7)
#define HSTATUS_SPVP  (1UL << 8)
#define HSTATUS_HU    (1UL << 9)
#define HSTATUS_VTVM  (1UL << 20)
#define HSTATUS_VTW   (1UL << 21)
#define HSTATUS_VTSR  (1UL << 22)

/* Interrupt numbers (mip/mie/sip/sie/hip/hie/hvip bit positions). */
#define IRQ_S_SOFT   1
#define IRQ_VS_SOFT  2
#define IRQ_M_SOFT   3
#define IRQ_S_TIMER  5
#define IRQ_VS_TIMER 6
#define IRQ_M_TIMER  7
#define IRQ_S_EXT    9
#define IRQ_VS_EXT   10
#define IRQ_M_EXT    11
#define MIP_STIP     (1UL << IRQ_S_TIMER)
#define MIP_VSTIP    (1UL << IRQ_VS_TIMER)
#define MIP_MTIP     (1UL << IRQ_M_TIMER)

/* Exception codes (hypervisor.adoc table hcauses). */
#define EXC_INST_MISALIGNED   0
#define EXC_INST_ACCESS       1
#define EXC_ILLEGAL_INST      2
#define EXC_BREAKPOINT        3
#define EXC_LOAD_MISALIGNED   4
#define EXC_LOAD_ACCESS       5
#define EXC_STORE_MISALIGNED  6
#define EXC_STORE_ACCESS      7
#define EXC_ECALL_U           8
#define EXC_ECALL_HS          9
#define EXC_ECALL_VS          10
#define EXC_ECALL_M           11
#define EXC_INST_PAGE_FAULT   12
#define EXC_LOAD_PAGE_FAULT   13
#define EXC_STORE_PAGE_FAULT  15
#define EXC_INST_GUEST_PAGE_FAULT  20
#define EXC_LOAD_GUEST_PAGE_FAULT  21
#define EXC_VIRTUAL_INST           22
#define EXC_STORE_GUEST_PAGE_FAULT 23
#define CAUSE_INTERRUPT (1UL << 63)

/* menvcfg (machine.adoc "menvcfg"; Sstc) */
#define MENVCFG_STCE (1UL << 63)

/* counteren bits */
#define COUNTEREN_CY (1UL << 0)
#define COUNTEREN_TM (1UL << 1)
#define COUNTEREN_IR (1UL << 2)

/* Page-table entries (supervisor.adoc sv39) */
#define PTE_V (1UL << 0)
#define PTE_R (1UL << 1)
#define PTE_W (1UL << 2)
#define PTE_X (1UL << 3)
#define PTE_U (1UL << 4)
#define PTE_G (1UL << 5)
#define PTE_A (1UL << 6)
#define PTE_D (1UL << 7)
#define PTE_PPN_SHIFT 10
#define PAGE_SHIFT 12
#define PAGE_SIZE  (1UL << PAGE_SHIFT)

/* satp / vsatp / hgatp (supervisor.adoc satp, hypervisor.adoc hgatp) */
#define SATP_MODE_SV39    (8UL << 60)
#define HGATP_MODE_SV39X4 (8UL << 60)
#define HGATP_MODE_MASK   (0xfUL << 60)
#define HGATP_VMID_SHIFT  44
#define HGATP_VMID_MASK   (0x3fffUL << HGATP_VMID_SHIFT)
#define HGATP_PPN_MASK    ((1UL << 44) - 1)

/* H instructions, encoded with .insn because the assembler lacks the H extension
 * (hypervisor.adoc "Hypervisor Instructions"; SYSTEM opcode 0x73). */
static inline unsigned long hlvx_hu(unsigned long gva)
{
    unsigned long v;
    /* HLVX.HU rd, (rs1): funct7 0110010, rs2 00011, funct3 100 */
    __asm__ volatile(".insn r 0x73, 0x4, 0x32, %0, %1, x3" : "=r"(v) : "r"(gva) : "memory");
    return v;
}

static inline void hfence_gvma_all(void)
{
    /* HFENCE.GVMA x0, x0: funct7 0110001, funct3 000 */
    __asm__ volatile(".insn r 0x73, 0x0, 0x31, x0, x0, x0" ::: "memory");
}

static inline void hfence_gvma_vmid(unsigned long vmid)
{
    __asm__ volatile(".insn r 0x73, 0x0, 0x31, x0, x0, %0" :: "r"(vmid) : "memory");
}

static inline void hfence_vvma_all(void)
{
    /* HFENCE.VVMA x0, x0: funct7 0010001, funct3 000 */
    __asm__ volatile(".insn r 0x73, 0x0, 0x11, x0, x0, x0" ::: "memory");
}

static inline unsigned long read_time(void)
{
    unsigned long t;
    __asm__ volatile("rdtime %0" : "=r"(t));
    return t;
}

#endif
