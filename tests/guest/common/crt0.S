/*
 * crt0.S - start-up code, trap handler and result reporting for rvjit's
 * bare-metal guest programs.  Runs in M-mode from 0x80000000 on QEMU's
 * `virt` machine with -bios none (a0 = hartid, a1 = FDT are ignored).
 *
 * Provides:
 *   _start              entry point: stack, tp, mtvec, .bss, then `main`
 *   rvtest_pass         print "PASS", finisher pass (never returns)
 *   rvtest_fail         print "FAIL <gp>", finisher fail with code gp
 *   rvtest_trap_entry   trap handler (see rvtest.h)
 *   rvtest_putc/puts/putdec/puthex   UART output (clobber a0-a2, t0-t2)
 *
 * A C `main` returns 0 for pass or a failing test number.  An assembly
 * `main` (RVTEST_CODE_BEGIN) jumps to rvtest_pass / rvtest_fail itself.
 */
#include "rvtest.h"

        .section .text.init, "ax", @progbits
        .globl _start
_start:
        .option push
        .option norelax
        la      sp, __stack_top
        .option pop
        la      tp, rvtest_trap_ctx
        la      t0, rvtest_trap_entry
        csrw    mtvec, t0
        csrw    mie, zero
        csrw    mscratch, zero
        li      gp, 0
        /* zero .bss (8-byte aligned by the linker script) */
        la      t0, __bss_start
        la      t1, __bss_end
1:      bgeu    t0, t1, 2f
        sd      zero, 0(t0)
        addi    t0, t0, 8
        j       1b
2:      call    main
        /* only reached from a C main: a0 = 0 pass, else failing test number */
        mv      gp, a0
        beqz    a0, rvtest_pass
        j       rvtest_fail

        .text
/* ------------------------------------------------------------------ */
        .globl rvtest_pass
rvtest_pass:
        la      a0, msg_pass
        call    rvtest_puts
        li      t0, RVTEST_FINISHER
        li      t1, RVTEST_FINISHER_PASS
        sw      t1, 0(t0)
3:      j       3b

        .globl rvtest_fail
rvtest_fail:
        /* gp = failing test number */
        la      a0, msg_fail
        call    rvtest_puts
        mv      a0, gp
        call    rvtest_putdec
        li      a0, '\n'
        call    rvtest_putc
rvtest_exit_fail:
        /* exit code = gp if 1 <= gp <= 254, else 255 (a finisher code of 0
         * would look like success) */
        mv      t2, gp
        li      t1, 254
        beqz    t2, 4f
        bleu    t2, t1, 5f
4:      li      t2, 255
5:      slli    t2, t2, 16
        li      t1, RVTEST_FINISHER_FAIL
        or      t2, t2, t1
        li      t0, RVTEST_FINISHER
        sw      t2, 0(t0)
6:      j       6b

/* ------------------------------------------------------------------ */
/* UART output.  Polls LSR.THRE (bit 5) before writing THR. */
        .globl rvtest_putc
rvtest_putc:                    /* a0 = character */
        li      t0, RVTEST_UART_BASE
1:      lbu     t1, RVTEST_UART_LSR(t0)
        andi    t1, t1, RVTEST_UART_LSR_THRE
        beqz    t1, 1b
        sb      a0, RVTEST_UART_THR(t0)
        ret

        .globl rvtest_puts
rvtest_puts:                    /* a0 = NUL-terminated string */
        mv      t2, ra
        mv      a1, a0
1:      lbu     a0, 0(a1)
        beqz    a0, 2f
        call    rvtest_putc
        addi    a1, a1, 1
        j       1b
2:      mv      ra, t2
        ret

        .globl rvtest_putdec
rvtest_putdec:                  /* a0 = unsigned value, printed in decimal */
        addi    sp, sp, -48
        sd      ra, 40(sp)
        mv      a1, sp          /* digits are pushed at sp[0..] */
        li      t2, 10
1:      remu    a2, a0, t2
        addi    a2, a2, '0'
        sb      a2, 0(a1)
        addi    a1, a1, 1
        divu    a0, a0, t2
        bnez    a0, 1b
2:      addi    a1, a1, -1
        lbu     a0, 0(a1)
        call    rvtest_putc
        bne     a1, sp, 2b
        ld      ra, 40(sp)
        addi    sp, sp, 48
        ret

        .globl rvtest_puthex
rvtest_puthex:                  /* a0 = value, printed as 0x + 16 digits */
        addi    sp, sp, -16
        sd      ra, 8(sp)
        mv      a1, a0
        li      a0, '0'
        call    rvtest_putc
        li      a0, 'x'
        call    rvtest_putc
        li      a2, 60
1:      srl     a0, a1, a2
        andi    a0, a0, 15
        addi    a0, a0, '0'
        li      t1, '9'
        bleu    a0, t1, 2f
        addi    a0, a0, 'a' - '0' - 10
2:      call    rvtest_putc
        addi    a2, a2, -4
        bgez    a2, 1b
        ld      ra, 8(sp)
        addi    sp, sp, 16
        ret

/* ------------------------------------------------------------------ */
/* Trap handler (privileged spec, "Machine Trap Handling"): mtvec in
 * direct mode, so the base must be 4-byte aligned.  Saves the registers
 * it uses in the trap context, so every GPR survives an expected trap. */
        .balign 4
        .globl rvtest_trap_entry
rvtest_trap_entry:
        sd      t0, TC_SAVE+0(tp)
        sd      t1, TC_SAVE+8(tp)
        sd      t2, TC_SAVE+16(tp)
        csrr    t0, mcause
        sd      t0, TC_MCAUSE(tp)
        csrr    t0, mepc
        sd      t0, TC_MEPC(tp)
        csrr    t0, mtval
        sd      t0, TC_MTVAL(tp)
        csrr    t0, mstatus
        sd      t0, TC_MSTATUS(tp)

        ld      t0, TC_ARMED(tp)
        beqz    t0, rvtest_unexpected_trap
        ld      t1, TC_MCAUSE(tp)
        ld      t2, TC_EXP_CAUSE(tp)
        bne     t1, t2, rvtest_unexpected_trap
        ld      t1, TC_MEPC(tp)
        ld      t2, TC_EXP_EPC(tp)
        bne     t1, t2, rvtest_unexpected_trap
        ld      t0, TC_CHECK_TVAL(tp)
        beqz    t0, 1f
        ld      t1, TC_MTVAL(tp)
        ld      t2, TC_EXP_TVAL(tp)
        beq     t1, t2, 1f
        ld      t0, TC_TVAL_ZERO(tp)    /* mtval == 0 acceptable? */
        beqz    t0, rvtest_unexpected_trap
        bnez    t1, rvtest_unexpected_trap
1:      /* expected trap: disarm, count, resume */
        sd      zero, TC_ARMED(tp)
        ld      t0, TC_COUNT(tp)
        addi    t0, t0, 1
        sd      t0, TC_COUNT(tp)
        ld      t0, TC_RESUME(tp)
        csrw    mepc, t0
        ld      t0, TC_SAVE+0(tp)
        ld      t1, TC_SAVE+8(tp)
        ld      t2, TC_SAVE+16(tp)
        mret

rvtest_unexpected_trap:
        /* "FAIL <gp>" then a diagnostic line; the handler's own stack use is
         * fine because this path never returns. */
        la      sp, __stack_top
        la      a0, msg_fail
        call    rvtest_puts
        mv      a0, gp
        call    rvtest_putdec
        la      a0, msg_trap
        call    rvtest_puts
        ld      a0, TC_MCAUSE(tp)
        call    rvtest_puthex
        la      a0, msg_mepc
        call    rvtest_puts
        ld      a0, TC_MEPC(tp)
        call    rvtest_puthex
        la      a0, msg_mtval
        call    rvtest_puts
        ld      a0, TC_MTVAL(tp)
        call    rvtest_puthex
        li      a0, '\n'
        call    rvtest_putc
        j       rvtest_exit_fail

        .section .rodata
msg_pass:  .asciz "PASS\n"
msg_fail:  .asciz "FAIL "
msg_trap:  .asciz "\nunexpected trap: mcause="
msg_mepc:  .asciz " mepc="
msg_mtval: .asciz " mtval="

        .bss
        .balign 64
        .globl rvtest_trap_ctx
rvtest_trap_ctx:
        .space TC_SIZE
