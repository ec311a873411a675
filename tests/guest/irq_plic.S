/*
 * irq_plic.S - the UART's THRE interrupt through the PLIC (QEMU virt: PLIC at 0xc000000,
 * UART0 on source 10; context 0 = hart 0 M-mode, context 1 = hart 0 S-mode; RISC-V PLIC
 * spec: priorities, pending bits, enables, threshold, claim/complete).
 */
#include "priv.h"

#define PLIC          0xc000000
#define PLIC_PRIO10   (PLIC + 4 * 10)
#define PLIC_PENDING  (PLIC + 0x1000)
#define PLIC_ENABLE0  (PLIC + 0x2000)
#define PLIC_ENABLE1  (PLIC + 0x2080)
#define PLIC_THRESH0  (PLIC + 0x200000)
#define PLIC_CLAIM0   (PLIC + 0x200004)
#define PLIC_THRESH1  (PLIC + 0x201000)
#define UART_IER      (RVTEST_UART_BASE + 1)
#define UART_IIR      (RVTEST_UART_BASE + 2)

RVTEST_CODE_BEGIN
        PRIV_INIT
        li a1, -1
        li a2, CLINT_MTIMECMP
        sd a1, 0(a2)

        /* THRE interrupt enabled in the UART: source 10 becomes pending */
        li TESTNUM, 1
        li a2, UART_IER
        li a1, 2
        sb a1, 0(a2)
        li a2, PLIC_PENDING
        lw a3, 0(a2)
        andi a3, a3, 1 << 10
        RVTEST_CHECK(a3, 1 << 10)

        /* not enabled for context 0: no MEIP, claim returns 0 */
        li TESTNUM, 2
        li a2, PLIC_PRIO10
        li a1, 1
        sw a1, 0(a2)
        csrr a3, mip
        srli a3, a3, 11
        andi a3, a3, 1
        RVTEST_CHECK(a3, 0)
        li a2, PLIC_CLAIM0
        lw a3, 0(a2)
        RVTEST_CHECK(a3, 0)

        /* enabled, priority 1 <= threshold 1: still no MEIP */
        li TESTNUM, 3
        li a2, PLIC_THRESH0
        li a1, 1
        sw a1, 0(a2)
        li a2, PLIC_ENABLE0
        li a1, 1 << 10
        sw a1, 0(a2)
        csrr a3, mip
        srli a3, a3, 11
        andi a3, a3, 1
        RVTEST_CHECK(a3, 0)

        /* threshold 0: MEIP; take the interrupt, claim 10 in the handler, quiet the UART by
         * reading IIR, complete */
        li TESTNUM, 4
        CLEAR_REC(priv_mrec)
        SET_HOOK(priv_mrec, plic_hook)
        li a2, PLIC_THRESH0
        sw zero, 0(a2)
        csrr a3, mip
        srli a3, a3, 11
        andi a3, a3, 1
        RVTEST_CHECK(a3, 1)
        li a1, MIP_MEIP
        csrw mie, a1
        csrsi mstatus, MSTATUS_MIE
        nop
        nop
        csrci mstatus, MSTATUS_MIE
        CHECK_REC(priv_mrec, REC_COUNT, 1)
        CHECK_REC(priv_mrec, REC_CAUSE, IRQ_BIT | 11)
        CHECK_REC(priv_mrec, REC_DATA, 10)
        la t6, priv_mrec        /* IIR: THRE interrupt identified (id 2) */
        ld a4, REC_DATA2(t6)
        andi a4, a4, 0xf
        RVTEST_CHECK(a4, 2)
        csrr a3, mip
        srli a3, a3, 11
        andi a3, a3, 1
        RVTEST_CHECK(a3, 0)

        /* the S context drives SEIP */
        li TESTNUM, 5
        li a2, PLIC_ENABLE0
        sw zero, 0(a2)
        li a2, PLIC_ENABLE1
        li a1, 1 << 10
        sw a1, 0(a2)
        li a2, UART_IER
        sb zero, 0(a2)
        li a1, 2
        sb a1, 0(a2)            /* THRE again */
        csrr a3, mip
        andi a3, a3, MIP_SEIP
        RVTEST_CHECK(a3, MIP_SEIP)
        li a2, UART_IER
        sb zero, 0(a2)          /* line low: the request stays pending until claimed */
        csrr a3, mip
        andi a3, a3, MIP_SEIP
        RVTEST_CHECK(a3, MIP_SEIP)
        li a2, PLIC_CLAIM0 + 0x1000
        lw a3, 0(a2)
        RVTEST_CHECK(a3, 10)
        sw a3, 0(a2)            /* complete: the line is low, nothing pends again */
        csrr a3, mip
        andi a3, a3, MIP_SEIP
        RVTEST_CHECK(a3, 0)
        li a2, PLIC_ENABLE1
        sw zero, 0(a2)
        csrw mie, zero

        la t5, rvtest_trap_entry
        csrw mtvec, t5
        RVTEST_PASS

/* M external interrupt: t6 = record, t5 free */
plic_hook:
        sd t4, REC_SAVE1(t6)
        li t4, PLIC_CLAIM0
        lw t5, 0(t4)
        sd t5, REC_DATA(t6)
        li t4, UART_IIR
        lbu t4, 0(t4)
        sd t4, REC_DATA2(t6)
        li t4, PLIC_CLAIM0
        sw t5, 0(t4)
        ld t4, REC_SAVE1(t6)
        j priv_m_ret

PRIV_HANDLERS
