/* rvjit native runtime: declarations shared by its C files.
 * The CPU state layout, constants and the helper table come from rvjit_gen.h, which
 * rvjit/native/build.py generates from rvjit/cpu/state.py and rvjit/ir/helpers.py. */
#ifndef RVJIT_RUNTIME_H
#define RVJIT_RUNTIME_H
#include <stdint.h>
#include <string.h>
#include "rvjit_gen.h"

#define PRV_U 0
#define PRV_S 1
#define PRV_M 3

/* Access types for translation and faults. */
#define ACC_READ 0
#define ACC_WRITE 1
#define ACC_EXEC 2

/* Exception causes (privileged spec 3.1.15). */
#define EXC_INSN_MISALIGNED 0
#define EXC_INSN_ACCESS 1
#define EXC_ILLEGAL 2
#define EXC_BREAKPOINT 3
#define EXC_LOAD_MISALIGNED 4
#define EXC_LOAD_ACCESS 5
#define EXC_STORE_MISALIGNED 6
#define EXC_STORE_ACCESS 7
#define EXC_ECALL_U 8
#define EXC_ECALL_S 9
#define EXC_ECALL_M 11
#define EXC_INSN_PAGE 12
#define EXC_LOAD_PAGE 13
#define EXC_STORE_PAGE 15
/* Hypervisor extension causes. */
#define EXC_ECALL_VS 10
#define EXC_INSN_GUEST_PAGE 20
#define EXC_LOAD_GUEST_PAGE 21
#define EXC_VIRTUAL_INSN 22
#define EXC_STORE_GUEST_PAGE 23

/* Interrupts (3.1.9). */
#define IRQ_SSI 1
#define IRQ_MSI 3
#define IRQ_STI 5
#define IRQ_MTI 7
#define IRQ_SEI 9
#define IRQ_MEI 11

/* mstatus fields (3.1.6). */
#define MSTATUS_SIE (1ull << 1)
#define MSTATUS_MIE (1ull << 3)
#define MSTATUS_SPIE (1ull << 5)
#define MSTATUS_MPIE (1ull << 7)
#define MSTATUS_SPP (1ull << 8)
#define MSTATUS_MPP_SHIFT 11
#define MSTATUS_MPP (3ull << 11)
#define MSTATUS_FS_SHIFT 13
#define MSTATUS_FS (3ull << 13)
#define MSTATUS_XS (3ull << 15)
#define MSTATUS_MPRV (1ull << 17)
#define MSTATUS_SUM (1ull << 18)
#define MSTATUS_MXR (1ull << 19)
#define MSTATUS_TVM (1ull << 20)
#define MSTATUS_TW (1ull << 21)
#define MSTATUS_TSR (1ull << 22)
#define MSTATUS_UXL (3ull << 32)
#define MSTATUS_SXL (3ull << 34)
#define MSTATUS_GVA (1ull << 38)
#define MSTATUS_MPV (1ull << 39)
#define MSTATUS_SD (1ull << 63)

/* hstatus fields (hypervisor spec "Hypervisor Status Register"). */
#define HSTATUS_GVA (1ull << 6)
#define HSTATUS_SPV (1ull << 7)
#define HSTATUS_SPVP (1ull << 8)
#define HSTATUS_HU (1ull << 9)
#define HSTATUS_VTVM (1ull << 20)
#define HSTATUS_VTW (1ull << 21)
#define HSTATUS_VTSR (1ull << 22)
#define HSTATUS_VSXL_64 (2ull << 32)

/* menvcfg fields (3.1.18). */
#define MENVCFG_FIOM (1ull << 0)
#define MENVCFG_PBMTE (1ull << 62)
#define MENVCFG_STCE (1ull << 63)

/* The interpreter tier's encoding of one IR op (see rvjit/backend/interp_encode.py and
 * native/interp.c).  A block's ops[] is a header record, the op records, then the slot area
 * (uint64 slots: the block's temporaries, then its constants). */
typedef struct IROp {
    const void *h;      /* handler address, filled on the block's first run (0 before) */
    uint16_t opc;       /* INTERP_OPC(IR op, form); the header: INTERP_HEADER */
    uint16_t d;         /* destination slot */
    uint16_t a, b, c;   /* operand slots, or guest registers in the AX/BX forms */
    uint16_t r;         /* guest register written (SETX, SETF, DX forms) */
    uint16_t icount;    /* LD/ST/CALL/EXIT: instructions retired before it / at the exit */
    uint16_t aux;       /* CALL: helper index */
    uint64_t k;         /* LD/ST/CALL: guest pc; BR, BRCOND, BRANCH forms: target record;
                         * the header: index of the slot area (in records); EXIT: with b, c, r,
                         * the run loop's link to the block that followed (dispatch.c) */
} IROp;

/* Forms (the low INTERP_FORM_BITS of opc). */
#define INTERP_AX 1             /* operand a is guest x[a] */
#define INTERP_BX 2             /* operand b is guest x[b] */
#define INTERP_DX 4             /* the result also goes to guest x[r] (a fused SETX) */
#define INTERP_BRANCH 8         /* comparisons: jump to record k if it holds (a fused BRCOND) */
#define INTERP_SIZE_SHIFT 3     /* LD/ST: log2 of the size; CALL: number of arguments */
#define INTERP_SIGNED 32        /* LD: sign-extend */
#define INTERP_FORM_BITS 6
#define INTERP_OPC(op, form) ((op) << INTERP_FORM_BITS | (form))
#define INTERP_NOPC ((OP_EXIT + 1) << INTERP_FORM_BITS)
#define INTERP_HEADER 0xFFFF
#define INTERP_MAX_SLOTS 65535

/* A translation block as the native side sees it (owned by Python). */
typedef struct TB {
    uint64_t pc;
    uint64_t flags;
    void (*native)(CPUState *);
    IROp *ops;
    uint32_t nops;
    uint32_t ntemps;
    uint32_t hits;
    uint32_t ninsns;
    struct TB *hash_next;
    uint64_t ppc;       /* physical address of pc (all ones: its fetch faults) */
    uint64_t ppc2;      /* physical page of its bytes past pc's page (its first instruction
                           straddles two pages), else 0 */
    void *owner;        /* the XlPage of a block made natively (xlmake.c), else NULL */
} TB;

#define MAX_RAM 8
#define TB_HASH_BITS 16
#define TB_HASH_SIZE (1u << TB_HASH_BITS)
#define LARGE_RANGES 4
#define JC_BITS 15
#define JC_PAGE_BITS 4096
#define JC_SIZE (1u << JC_BITS)

#define CODE_PAGE_HASH 4096
#define MAX_HARTS 256

/* pstate: one word per 4 KiB page, the FENCE.I code-page state and TLB write-grant hint
 * (codepages.c); allocated on first use. */
typedef struct RamRegion {
    uint64_t base, size;
    uint8_t *host;
    uint32_t *pstate;
} RamRegion;

/* One slot of a hart's jump cache: the block last run at a virtual pc that hashes here, valid
 * while `gen` is the cache's current generation (a flush starts a new one). */
typedef struct JumpSlot {
    TB *tb;
    uint64_t gen;
} JumpSlot;

/* Physical memory protection (3.7) as rt_pmp_check uses it: the entries that can match (not
 * OFF, not an empty TOR range), decoded, in priority order; `from` is the CSR state they were
 * decoded from (pmpcfg0, pmpcfg2, pmpaddr0-15).  rt_tlb_flush clears `valid`. */
#define PMP_ENTRIES 16
typedef struct PmpRule {
    uint64_t lo, last;      /* the byte range [lo, last] */
    uint32_t cfg;           /* the pmpNcfg byte */
} PmpRule;
typedef struct PmpDecoded {
    uint64_t from[2 + PMP_ENTRIES];
    int valid;
    int n;
    PmpRule rule[PMP_ENTRIES];
    /* The last answer: every access inside [memo_lo, memo_last] gets the permissions memo_m
     * (M-mode) or memo_su (S and U); memo_lo > memo_last when there is none. */
    uint64_t memo_lo, memo_last;
    uint32_t memo_m, memo_su;
} PmpDecoded;

/* Per-hart native state that CPUState does not hold (RtMachine.hart_rt[hart_index], allocated
 * on first use): the jump cache, the decoded PMP entries, run-loop statistics. */
typedef struct HartRt {
    uint64_t jc_gen;
    /* Per MMU index: up to LARGE_RANGES aligned ranges (base, mask: 0 = unused) holding every
     * virtual page its TLB filled from a superpage or NAPOT leaf; an SFENCE.VMA of an address
     * inside one must drop the whole index, one outside drops one entry (mem.c).  (Linux maps
     * its linear map and its image with superpages, far apart, and pokes kernel text through a
     * fixmap page between them, fencing that page each time.) */
    uint64_t large_base[NB_MMU_IDX][LARGE_RANGES], large_mask[NB_MMU_IDX][LARGE_RANGES];
    /* Bit i: MMU index i's TLB may hold an entry (a flush clears only those that may). */
    uint32_t tlb_used;
    /* Bit (virtual page % JC_PAGE_BITS): the jump cache may hold a block of such a page since
     * its last flush (an SFENCE.VMA of another page need not look). */
    uint64_t jc_pages[JC_PAGE_BITS / 64];
    PmpDecoded pmp;
    uint64_t stat_jc_hits, stat_jc_misses, stat_fetch_tlb_hits, stat_fetch_walks;
    uint64_t stat_timer_polls, stat_chain_hits;
    /* The tag under which the run loop links an EXIT record to the block that followed it;
     * a new one (unique in the process) at every change that may drop a jump-cache slot. */
    uint64_t chain_tag;
    JumpSlot jc[JC_SIZE];
} HartRt;

/* Per-machine native state (cpu->rt of every hart points here): the physical RAM map and the
 * translation block table, which the harts share, and each hart's private tables. */
#define XL_PAGE_HASH 4096        /* buckets of the allowed pages (xlmake.c) */
#define XL_BUF_RECORDS (1u << 14)   /* the assembly buffer, in records */

typedef struct RtMachine {
    RamRegion ram[MAX_RAM];
    int nram;
    uint8_t *mem_base;
    uint32_t hot_threshold;
    TB *tb_hash[TB_HASH_SIZE];
    HartRt *hart_rt[MAX_HARTS];
    struct CodePage *code_pages[CODE_PAGE_HASH];
    uint64_t ncode_pages;
    struct CodePage *written;   /* code pages written since the last FENCE.I */
    struct CodePage *changed;   /* code pages FENCE.I found changed, for the engine */
    int code_untracked;         /* a translation's page could not be tracked */
    int grant_hints_lost;       /* the page maps were reset: arming scans every TLB */
    CPUState *harts[MAX_HARTS]; /* by hart_index: the harts whose TLBs may grant stores */
    uint64_t stat_fence_i, stat_fence_exits, stat_pages_compared, stat_pages_rearmed;
    uint64_t stat_full_scans, stat_fence_ns, stat_tracks, stat_read_grants;
    /* xlmake.c: blocks made natively from templates, in the pages Python allowed */
    struct XlTable *xl;
    struct XlPage *xl_pages[XL_PAGE_HASH];
    IROp *xl_buf;
    uint32_t xl_max_insns;
    uint64_t stat_xl_made, stat_xl_refused;
} RtMachine;

#define RT(cpu) ((RtMachine *)(cpu)->rt)

/* dispatch.c */
RtMachine *rt_machine_new(void);
void rt_machine_free(RtMachine *m);
int rt_run(CPUState *cpu);
void rt_tb_insert(RtMachine *m, TB *tb);
void rt_tb_clear(RtMachine *m);
void rt_tb_remove(RtMachine *m, TB *tb);
TB *rt_tb_find(RtMachine *m, uint64_t pc, uint64_t ppc, uint64_t flags);
int rt_tb_install_page(RtMachine *m, uint64_t vpage, uint64_t ppage, uint64_t flags,
                       uint8_t *image, uint32_t n, uint32_t skip, TB *tbs);
void rt_tb_remove_page(RtMachine *m, TB *tbs, uint32_t n);
void rt_jc_flush(RtMachine *m);
void rt_jc_flush_hart(CPUState *cpu);
void rt_jc_flush_page(CPUState *cpu, uint64_t vaddr);
HartRt *rt_hart_alloc(CPUState *cpu);
int rt_run_stats(RtMachine *m, uint64_t hart, uint64_t *out, int max);

/* cpu's private native state, or NULL (no machine, or it could not be allocated). */
static inline HartRt *rt_hart(CPUState *cpu)
{
    RtMachine *m = RT(cpu);
    HartRt *h;
    if (m && cpu->hart_index < MAX_HARTS && (h = m->hart_rt[cpu->hart_index]))
        return h;
    return rt_hart_alloc(cpu);
}
/* codepages.c */
int rt_code_page_track(RtMachine *m, uint64_t ppage);
int rt_code_pages_changed(RtMachine *m, uint64_t *out, int max);
void rt_code_pages_reset(RtMachine *m);
int rt_code_pages_fence(RtMachine *m);
void rt_code_pages_note_write(RtMachine *m, RamRegion *r, uint64_t paddr, uint64_t len);
void rt_ram_written(RtMachine *m, uint64_t paddr, uint64_t len);
int rt_code_page_grant_w(CPUState *cpu, RamRegion *r, uint64_t ppage, int mmu, unsigned idx);
void rt_code_pages_stats(RtMachine *m, uint64_t *out);
RamRegion *rt_ram_region(RtMachine *m, uint64_t paddr);
void rt_set_hot_threshold(RtMachine *m, uint32_t n);
/* interp.c */
IROp *rt_interp(CPUState *cpu, TB *tb);
/* mem.c */
int rt_add_ram(RtMachine *m, uint64_t base, uint64_t size, uint8_t *host);
void rt_tlb_flush(CPUState *cpu);
void rt_tlb_flush_mmu(CPUState *cpu, unsigned mask);

/* MMU indices (the software TLB has one table per index; tb_flags carries the index of
 * ordinary loads and stores): the nominal privilege, plus 4 when accesses are two-stage
 * (V=1, or MPRV with MPV=1).  HLV/HSV use 4 | hstatus.SPVP; HLVX never fills the TLB. */
#define MMU_U 0
#define MMU_S 1
#define MMU_M 3
#define MMU_VU 4
#define MMU_VS 5
#define MMU_MASK_HOST ((1u << MMU_U) | (1u << MMU_S) | (1u << MMU_M))
#define MMU_MASK_GUEST ((1u << MMU_VU) | (1u << MMU_VS))
uint64_t rt_load_slow(CPUState *cpu, uint64_t vaddr, uint64_t memop);
void rt_store_slow(CPUState *cpu, uint64_t vaddr, uint64_t val, uint64_t memop);
int rt_fetch_translate(CPUState *cpu, uint64_t vaddr, uint64_t *paddr);
int rt_translate(CPUState *cpu, uint64_t vaddr, int acc, int mmu_idx, uint64_t *paddr);
int rt_access(CPUState *cpu, uint64_t vaddr, unsigned size, int acc, int mmu, int hlvx,
              uint64_t *val, uint64_t insn);
int rt_raise_fetch_fault(CPUState *cpu, uint64_t vaddr);
uint8_t *rt_ram_ptr(CPUState *cpu, uint64_t paddr, uint64_t size);
uint8_t *rt_mem_base(RtMachine *m);
/* mmu.c */
extern int rt_mmu_hw_ad;
extern int (*rt_satp_mode_supported)(uint64_t mode);
int rt_pmp_check(CPUState *cpu, uint64_t paddr, uint64_t size, int acc, int priv);
/* PMP_R | PMP_W | PMP_X: the pmpcfg permission bits (3.7.1). */
#define PMP_R 1
#define PMP_W 2
#define PMP_X 4
unsigned rt_pmp_perms(CPUState *cpu, uint64_t paddr, uint64_t size, int priv);
/* What a failed translation knows beyond its cause: for a guest-page fault, the guest
 * physical address (htval/mtval2 = gpa >> 2) and, for an implicit VS-stage PTE access, the
 * pseudoinstruction for htinst/mtinst. */
typedef struct MmuFault {
    uint64_t gpa;
    uint32_t gpa_valid;
    uint32_t tinst;
} MmuFault;
int rt_mmu_translate(CPUState *cpu, uint64_t vaddr, int acc, int mmu, int hlvx,
                     uint64_t *paddr, uint64_t *span, int *dirty_w, MmuFault *f);
int rt_hgatp_mode_supported(uint64_t mode);
void rt_tlb_reset(CPUState *cpu);
int rt_tlb_flush_page_mmu(CPUState *cpu, uint64_t vaddr, unsigned mask);
/* hyp.c: record the H-extension facts of an exception about to be raised (tval is a guest
 * virtual address; the GPA and transformed instruction, if known). */
void rt_set_exc_guest(CPUState *cpu, const MmuFault *f, uint64_t tinst);
uint64_t rt_transformed_insn(CPUState *cpu, uint64_t insn, uint64_t addr_offset);
/* trap.c */
void rt_raise(CPUState *cpu, uint64_t cause, uint64_t tval);
void rt_update_flags(CPUState *cpu);
int rt_check_interrupts(CPUState *cpu);
uint64_t rt_illegal(CPUState *cpu);
void rt_reset_cpu(CPUState *cpu, uint64_t hartid, uint64_t pc);
void rt_irq_kick(CPUState *cpu);
void rt_update_seip(CPUState *cpu);
void rt_set_irq_line(CPUState *cpu, uint64_t irq, uint64_t level);
void rt_timer_update(CPUState *cpu);
/* Raise II or VI (cause) for the instruction at cpu->pc, with its bits in tval. */
uint64_t rt_insn_fault(CPUState *cpu, int cause);
/* HLV/HLVX/HSV/HFENCE.*: -1 when allowed (M, HS, or U with hstatus.HU), else the cause to
 * raise: II without H or in U without HU, VI with V=1.  HFENCE adds its own U/TVM rules. */
int rt_hyp_insn_check(CPUState *cpu);
uint64_t rt_timer_deadline(CPUState *cpu);
/* csr.c */
int rt_csr_access(CPUState *cpu, uint32_t csrno, int read, int write, uint64_t in,
                  uint64_t *out, uint64_t icount);
uint64_t rt_mtime(CPUState *cpu);
void rt_set_time_mode(int icount_shift, double start);
int rt_time_is_icount(void);
void rt_time_advance(uint64_t ticks);
void rt_set_misa(uint64_t misa);
/* The Python side's MMIO handler: 0 = done, else access fault. */
int rvjit_mmio(CPUState *cpu, uint64_t paddr, uint32_t size, int is_write, uint64_t *val);

/* xltmpl.c: a block's records assembled from per-instruction templates (see the file). */
#define XL_OK 0
#define XL_NEED_WORD 1          /* out->word has no class yet */
#define XL_NEED_TMPL 2          /* (out->wclass, flags) has no template yet */
#define XL_PYTHON 3             /* translate this block in Python */
typedef struct XlTable XlTable;
typedef struct XlOut {
    int32_t status;
    uint32_t word;              /* NEED_WORD / NEED_TMPL: the instruction word concerned */
    uint32_t wclass;            /* NEED_TMPL: its class */
    uint32_t nrecords;          /* OK: records written (header .. slot area) */
    uint32_t nops;              /* OK: IR ops (the templates' plus a loop-added EXIT) */
    uint32_t ntemps;            /* OK: temporaries */
    uint32_t ninsns;            /* OK: guest instructions */
    uint32_t code_len;          /* OK: bytes of guest code from pc */
    uint32_t chain_ok;          /* OK: AND of the templates' chain_ok */
    uint32_t nsucc;             /* OK: entries of succ[] */
    uint64_t succ[16];          /* OK: constant exit targets, as BlockIR.successors */
} XlOut;
XlTable *rt_xl_new(void);
void rt_xl_free(XlTable *t);
int rt_xl_set_word(XlTable *t, uint32_t word, uint32_t wclass, uint32_t rd, uint32_t rs1,
                   uint32_t rs2, uint32_t rs3, int64_t imm);
int rt_xl_set_tmpl(XlTable *t, uint32_t wclass, uint64_t flags, const uint8_t *blob,
                   uint32_t len);
int rt_xl_block(XlTable *t, const uint8_t *page, uint64_t pc, uint64_t flags,
                uint32_t max_insns, IROp *buf, uint32_t cap, XlOut *out);

/* xlmake.c: the run loop makes a missing block itself, from templates, in a page Python
 * allowed (rt_xl_allow); the blocks belong to their XlPage until it is dropped. */
typedef struct MadeBlock {
    TB tb;                      /* first: a made block's TB * is its MadeBlock * */
    struct MadeBlock *next;     /* in its page */
    uint32_t nrecords, code_len, nsucc, chain_ok;
    uint64_t succ[16];
    uint8_t *code;              /* its guest bytes (after the records) */
    IROp ops[];
} MadeBlock;
typedef struct XlPage {
    uint64_t vpage, ppage, flags;
    struct XlPage *hash_next;
    MadeBlock *blocks;
    uint32_t nblocks;
} XlPage;
void rt_xl_attach(RtMachine *m, XlTable *t, uint32_t max_insns);
XlPage *rt_xl_allow(RtMachine *m, uint64_t vpage, uint64_t ppage, uint64_t flags);
int rt_xl_page_blocks(XlPage *p, TB **out, int max);
void rt_xl_records(TB *tb, IROp *out);
void rt_xl_drop_page(RtMachine *m, XlPage *p);
void rt_xl_drop_all(RtMachine *m);
uint64_t rt_xl_made_count(RtMachine *m);
TB *rt_xl_make(CPUState *cpu, RtMachine *m, uint64_t pc, uint64_t flags);

#endif
