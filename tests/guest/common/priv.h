/*
 * priv.h - harness for the privileged-architecture guest programs (priv_*, irq_*): mode
 * switches and recording trap handlers for M and S.  Written for rvjit from the RISC-V
 * privileged specification.
 *
 * PRIV_INIT installs priv_m_handler (mtvec, mscratch = priv_mrec) and priv_s_handler
 * (stvec, sscratch = priv_srec) and opens PMP entry 0 over all memory so that S and U can
 * run (privileged spec 3.7.1: with PMP, S/U accesses that match no entry fail).
 *
 * A handler preserves every register.  It counts the trap and records cause, epc, tval and
 * the status register seen on entry in its record (REC_*).  Then:
 *   - exception, REC_RESUME != 0: continue at REC_RESUME (cleared) in the handler's own mode
 *     (M: MPP <- M; S: SPP <- S);
 *   - exception, REC_RESUME == 0: skip the 4-byte trapping instruction;
 *   - interrupt, REC_HOOK != 0: jump to the hook (t6 = record, t5 free; other registers
 *     must be saved in REC_SAVE1/2), which ends with `j priv_m_ret` / `j priv_s_ret`;
 *   - interrupt, no hook: clear mie (sie) entirely and return to the interrupted code.
 */
#ifndef PRIV_H
#define PRIV_H
#include "rvtest.h"

#define PRV_U 0
#define PRV_S 1
#define PRV_M 3

#define REC_T5      0
#define REC_COUNT   8
#define REC_CAUSE   16
#define REC_EPC     24
#define REC_TVAL    32
#define REC_STATUS  40
#define REC_RESUME  48
#define REC_HOOK    56
#define REC_DATA    64      /* free for hooks */
#define REC_DATA2   72
#define REC_SAVE1   80
#define REC_SAVE2   88
#define REC_SIZE    96

#define IRQ_BIT     0x8000000000000000

#define MSTATUS_SIE   0x2
#define MSTATUS_SPIE  0x20
#define MSTATUS_SPP   0x100
#define MSTATUS_MPRV  (1 << 17)
#define MSTATUS_SUM   (1 << 18)
#define MSTATUS_MXR   (1 << 19)
#define MSTATUS_TVM   (1 << 20)
#define MSTATUS_TW    (1 << 21)
#define MSTATUS_TSR   (1 << 22)

#define MIP_SSIP 0x2
#define MIP_MSIP 0x8
#define MIP_STIP 0x20
#define MIP_MTIP 0x80
#define MIP_SEIP 0x200
#define MIP_MEIP 0x800

#define CLINT_MSIP     0x2000000
#define CLINT_MTIMECMP 0x2004000
#define CLINT_MTIME    0x200bff8
#define MENVCFG_STCE   (1 << 63)

#ifdef __ASSEMBLER__

#define PRIV_INIT                               \
        la t5, priv_m_handler;                  \
        csrw mtvec, t5;                         \
        la t5, priv_mrec;                       \
        csrw mscratch, t5;                      \
        la t5, priv_s_handler;                  \
        csrw stvec, t5;                         \
        la t5, priv_srec;                       \
        csrw sscratch, t5;                      \
        li t5, -1;                              \
        csrw pmpaddr0, t5;                      \
        li t5, 0x1f;                            \
        csrw pmpcfg0, t5

/* Continue in `mode` at `label` (from M-mode). */
#define GOTO_MODE(mode, label)                  \
        li t5, MSTATUS_MPP;                     \
        csrc mstatus, t5;                       \
        li t5, (mode) << 11;                    \
        csrs mstatus, t5;                       \
        la t5, label;                           \
        csrw mepc, t5;                          \
        mret

/* The next exception handled by `rec`'s handler continues at `label`. */
#define SET_RESUME(rec, label)                  \
        la t5, label;                           \
        la t6, rec;                             \
        sd t5, REC_RESUME(t6)

#define SET_HOOK(rec, label)                    \
        la t5, label;                           \
        la t6, rec;                             \
        sd t5, REC_HOOK(t6)

/* Zero the record's count and recorded values (not the hook). */
#define CLEAR_REC(rec)                          \
        la t6, rec;                             \
        sd zero, REC_COUNT(t6);                 \
        sd zero, REC_CAUSE(t6);                 \
        sd zero, REC_EPC(t6);                   \
        sd zero, REC_TVAL(t6);                  \
        sd zero, REC_STATUS(t6);                \
        sd zero, REC_RESUME(t6)

/* Fail unless the record's field equals `value` (a constant). */
#define CHECK_REC(rec, field, value)            \
        la t6, rec;                             \
        ld a4, field(t6);                       \
        RVTEST_CHECK(a4, value)

/* Fail unless the record's field equals register `reg`. */
#define CHECK_REC_REG(rec, field, reg)          \
        la t6, rec;                             \
        ld a4, field(t6);                       \
        RVTEST_CHECK_EQ(a4, reg)

/* Fail unless the record's epc is `label`. */
#define CHECK_REC_EPC(rec, label)               \
        la a2, label;                           \
        CHECK_REC_REG(rec, REC_EPC, a2)

/* `insn...` in `mode` raises an illegal-instruction exception (handled in M). */
#define EXPECT_ILLEGAL_IN(num, mode, insn...)     \
        li TESTNUM, num;                          \
        CLEAR_REC(priv_mrec);                     \
        SET_RESUME(priv_mrec, 8702f);             \
        GOTO_MODE(mode, 8701f);                   \
8701:   insn;                                     \
        j rvtest_fail;                            \
8702:   CHECK_REC(priv_mrec, REC_CAUSE, CAUSE_ILLEGAL_INSTRUCTION); \
        CHECK_REC_EPC(priv_mrec, 8701b)

/* `insn...` runs in `mode` without trapping, then ECALL returns to M. */
#define EXPECT_OK_IN(num, mode, ecall_cause, insn...) \
        li TESTNUM, num;                          \
        CLEAR_REC(priv_mrec);                     \
        SET_RESUME(priv_mrec, 8712f);             \
        GOTO_MODE(mode, 8711f);                   \
8711:   insn;                                     \
        ecall;                                    \
        j rvtest_fail;                            \
8712:   CHECK_REC(priv_mrec, REC_COUNT, 1);       \
        CHECK_REC(priv_mrec, REC_CAUSE, ecall_cause)

/* The handlers and records: place once, after the program's code. */
#define PRIV_HANDLERS                           \
        .balign 4;                              \
        .globl priv_m_handler;                  \
priv_m_handler:                                 \
        csrrw t6, mscratch, t6;                 \
        sd t5, REC_T5(t6);                      \
        ld t5, REC_COUNT(t6);                   \
        addi t5, t5, 1;                         \
        sd t5, REC_COUNT(t6);                   \
        csrr t5, mepc;                          \
        sd t5, REC_EPC(t6);                     \
        csrr t5, mtval;                         \
        sd t5, REC_TVAL(t6);                    \
        csrr t5, mstatus;                       \
        sd t5, REC_STATUS(t6);                  \
        csrr t5, mcause;                        \
        sd t5, REC_CAUSE(t6);                   \
        bltz t5, 8802f;                         \
        ld t5, REC_RESUME(t6);                  \
        beqz t5, 8801f;                         \
        csrw mepc, t5;                          \
        sd zero, REC_RESUME(t6);                \
        li t5, MSTATUS_MPP;                     \
        csrs mstatus, t5;                       \
        j priv_m_ret;                           \
8801:   csrr t5, mepc;                          \
        addi t5, t5, 4;                         \
        csrw mepc, t5;                          \
        j priv_m_ret;                           \
8802:   ld t5, REC_HOOK(t6);                    \
        beqz t5, 8803f;                         \
        jr t5;                                  \
8803:   csrw mie, zero;                         \
        .globl priv_m_ret;                      \
priv_m_ret:                                     \
        ld t5, REC_T5(t6);                      \
        csrrw t6, mscratch, t6;                 \
        mret;                                   \
                                                \
        .balign 4;                              \
        .globl priv_s_handler;                  \
priv_s_handler:                                 \
        csrrw t6, sscratch, t6;                 \
        sd t5, REC_T5(t6);                      \
        ld t5, REC_COUNT(t6);                   \
        addi t5, t5, 1;                         \
        sd t5, REC_COUNT(t6);                   \
        csrr t5, sepc;                          \
        sd t5, REC_EPC(t6);                     \
        csrr t5, stval;                         \
        sd t5, REC_TVAL(t6);                    \
        csrr t5, sstatus;                       \
        sd t5, REC_STATUS(t6);                  \
        csrr t5, scause;                        \
        sd t5, REC_CAUSE(t6);                   \
        bltz t5, 8812f;                         \
        ld t5, REC_RESUME(t6);                  \
        beqz t5, 8811f;                         \
        csrw sepc, t5;                          \
        sd zero, REC_RESUME(t6);                \
        li t5, MSTATUS_SPP;                     \
        csrs sstatus, t5;                       \
        j priv_s_ret;                           \
8811:   csrr t5, sepc;                          \
        addi t5, t5, 4;                         \
        csrw sepc, t5;                          \
        j priv_s_ret;                           \
8812:   ld t5, REC_HOOK(t6);                    \
        beqz t5, 8813f;                         \
        jr t5;                                  \
8813:   csrw sie, zero;                         \
        .globl priv_s_ret;                      \
priv_s_ret:                                     \
        ld t5, REC_T5(t6);                      \
        csrrw t6, sscratch, t6;                 \
        sret;                                   \
                                                \
        .bss;                                   \
        .balign 8;                              \
        .globl priv_mrec;                       \
priv_mrec: .space REC_SIZE;                     \
        .globl priv_srec;                       \
priv_srec: .space REC_SIZE;                     \
        .text

#endif /* __ASSEMBLER__ */
#endif /* PRIV_H */
