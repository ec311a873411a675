/* Internal to the CSR table (csr.c, csr_hyp.c): the entry type, access context, shared
 * masks and the functions both files use. */
#ifndef RVJIT_CSR_H
#define RVJIT_CSR_H
#include "runtime.h"
#include <stddef.h>

extern uint64_t rt_misa;

#define MIP_SSIP (1ull << IRQ_SSI)
#define MIP_STIP (1ull << IRQ_STI)
#define MIP_SEIP (1ull << IRQ_SEI)
#define S_INTERRUPTS (MIP_SSIP | MIP_STIP | MIP_SEIP)
#define M_INTERRUPTS ((1ull << IRQ_MSI) | (1ull << IRQ_MTI) | (1ull << IRQ_MEI))

/* Hypervisor extension (hypervisor spec "Hypervisor and Virtual Supervisor CSRs"). */
#define MIP_VSSIP (1ull << 2)
#define MIP_VSTIP (1ull << 6)
#define MIP_VSEIP (1ull << 10)
#define VS_INTERRUPTS (MIP_VSSIP | MIP_VSTIP | MIP_VSEIP)
#define HSTATUS_WMASK (HSTATUS_GVA | HSTATUS_SPV | HSTATUS_SPVP | HSTATUS_HU | HSTATUS_VTVM | \
                       HSTATUS_VTW | HSTATUS_VTSR)
#define HGATP_MODE_SHIFT 60
#define HGATP_VMID (0x3FFFull << 44)          /* VMIDLEN = 14 (the RV64 maximum) */
#define HGATP_PPN ((1ull << 44) - 1)
#define HENVCFG_ADUE (1ull << 61)

#define SSTATUS_MASK (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_FS | MSTATUS_XS | \
                      MSTATUS_SUM | MSTATUS_MXR | MSTATUS_UXL | MSTATUS_SD)

static inline int has_ext(char c)
{
    return (rt_misa >> (c - 'A')) & 1;
}

typedef struct CsrCtx {
    CPUState *cpu;
    uint64_t icount;    /* instructions of the block retired before this one */
} CsrCtx;

typedef int (*csr_read_fn)(CsrCtx *, uint32_t csrno, uint64_t *val);
typedef int (*csr_write_fn)(CsrCtx *, uint32_t csrno, uint64_t val);

typedef struct CsrDef {
    uint16_t lo, hi;            /* a range of CSR numbers sharing one definition */
    csr_read_fn read;           /* NULL: read the field at `off` */
    csr_write_fn write;         /* NULL: write the field at `off` under `wmask` */
    ptrdiff_t off;
    uint64_t wmask;
    int (*pred)(CsrCtx *, uint32_t csrno);   /* extra access rule; NULL: none */
} CsrDef;

#define OK (-1)
#define FIELD(f) offsetof(CPUState, f)

/* Shared by the machine/supervisor and the hypervisor tables (defined in csr.c). */
uint64_t mstatus_sd(uint64_t s);
int write_tvec(CsrCtx *c, uint32_t csrno, uint64_t v);
int write_epc(CsrCtx *c, uint32_t csrno, uint64_t v);
int pred_stimecmp(CsrCtx *c, uint32_t csrno);
int write_stimecmp(CsrCtx *c, uint32_t csrno, uint64_t v);
int read_zero(CsrCtx *c, uint32_t csrno, uint64_t *v);
int write_ignore(CsrCtx *c, uint32_t csrno, uint64_t v);
extern int (*rt_satp_mode_supported)(uint64_t mode);

/* csr_hyp.c: the h* and vs* registers. */
extern const CsrDef csr_hyp_table[];
extern const size_t csr_hyp_count;

#endif
