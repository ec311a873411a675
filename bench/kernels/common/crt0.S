/* Minimal M-mode startup: one hart, stack, zeroed .bss, trap catcher,
 * then main(); its return value goes to the sifive_test finisher. */
    .section .text.init, "ax", @progbits
    .globl _start
_start:
    csrr    t0, mhartid
    bnez    t0, 3f

    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
    la      sp, __stack_top

    la      t0, trap_entry
    csrw    mtvec, t0

#ifdef __riscv_flen
    /* Kernels built with F/D: mstatus.FS is Off at reset; make it Initial, fcsr zero. */
    li      t0, 0x2000
    csrs    mstatus, t0
    csrwi   fcsr, 0
#endif

    /* zero .bss (both bounds are 16-byte aligned) */
    la      t0, __bss_start
    la      t1, __bss_end
1:  bgeu    t0, t1, 2f
    sd      zero, 0(t0)
    sd      zero, 8(t0)
    addi    t0, t0, 16
    j       1b
2:
    call    main
    call    rt_exit            /* a0 = main's return value; never returns */

3:  wfi                        /* secondary harts (if any): park */
    j       3b

    .text
    .align  2
trap_entry:
    csrr    a0, mcause
    csrr    a1, mepc
    csrr    a2, mtval
    la      sp, __stack_top
    call    rt_trap            /* never returns */
4:  j       4b
