/* hvdemo entry points: reset (M-mode), the M-mode trap vector and the HS-mode trap vector. */
#include "hvdemo.h"

    .section .text.start, "ax"
    .globl _start
_start:
    csrr    t0, mhartid
    bnez    t0, park                  /* one hart is enough */
    la      sp, hs_stack_top          /* setup runs on the HS stack; m_setup never returns */
    la      t0, __bss_start
    la      t1, __bss_end
1:  bgeu    t0, t1, 2f
    sd      zero, 0(t0)
    addi    t0, t0, 8
    j       1b
2:  call    m_setup
park:
    wfi
    j       park

/* ---------------------------------------------------------------------------------------------
 * M-mode trap vector (direct mode).  mscratch holds the M stack top.  The whole register file is
 * saved as a 32-slot frame so that m_trap() can read and write a0/a7 of an HS ecall. */
    .text
    .balign 4
    .globl m_trap_vector
m_trap_vector:
    csrrw   sp, mscratch, sp
    addi    sp, sp, -256
    sd      x1, 1*8(sp)
    sd      x3, 3*8(sp)
    sd      x4, 4*8(sp)
    sd      x5, 5*8(sp)
    sd      x6, 6*8(sp)
    sd      x7, 7*8(sp)
    sd      x8, 8*8(sp)
    sd      x9, 9*8(sp)
    sd      x10, 10*8(sp)
    sd      x11, 11*8(sp)
    sd      x12, 12*8(sp)
    sd      x13, 13*8(sp)
    sd      x14, 14*8(sp)
    sd      x15, 15*8(sp)
    sd      x16, 16*8(sp)
    sd      x17, 17*8(sp)
    sd      x18, 18*8(sp)
    sd      x19, 19*8(sp)
    sd      x20, 20*8(sp)
    sd      x21, 21*8(sp)
    sd      x22, 22*8(sp)
    sd      x23, 23*8(sp)
    sd      x24, 24*8(sp)
    sd      x25, 25*8(sp)
    sd      x26, 26*8(sp)
    sd      x27, 27*8(sp)
    sd      x28, 28*8(sp)
    sd      x29, 29*8(sp)
    sd      x30, 30*8(sp)
    sd      x31, 31*8(sp)
    csrr    t0, mscratch              /* the interrupted sp */
    sd      t0, 2*8(sp)
    mv      a0, sp
    call    m_trap
    ld      x1, 1*8(sp)
    ld      x3, 3*8(sp)
    ld      x4, 4*8(sp)
    ld      x5, 5*8(sp)
    ld      x6, 6*8(sp)
    ld      x7, 7*8(sp)
    ld      x8, 8*8(sp)
    ld      x9, 9*8(sp)
    ld      x10, 10*8(sp)
    ld      x11, 11*8(sp)
    ld      x12, 12*8(sp)
    ld      x13, 13*8(sp)
    ld      x14, 14*8(sp)
    ld      x15, 15*8(sp)
    ld      x16, 16*8(sp)
    ld      x17, 17*8(sp)
    ld      x18, 18*8(sp)
    ld      x19, 19*8(sp)
    ld      x20, 20*8(sp)
    ld      x21, 21*8(sp)
    ld      x22, 22*8(sp)
    ld      x23, 23*8(sp)
    ld      x24, 24*8(sp)
    ld      x25, 25*8(sp)
    ld      x26, 26*8(sp)
    ld      x27, 27*8(sp)
    ld      x28, 28*8(sp)
    ld      x29, 29*8(sp)
    ld      x30, 30*8(sp)
    ld      x31, 31*8(sp)
    addi    sp, sp, 256
    csrrw   sp, mscratch, sp
    mret

/* ---------------------------------------------------------------------------------------------
 * HS-mode trap vector (direct mode).  While a guest runs, sscratch = &vcpu; while the hypervisor
 * itself runs, sscratch = 0, so a trap taken from HS-mode is recognised and reported as fatal. */
    .balign 4
    .globl hs_trap_vector
hs_trap_vector:
    csrrw   sp, sscratch, sp          /* sp = vcpu, sscratch = guest sp */
    beqz    sp, hs_self_trap
    sd      x1, 1*8(sp)
    sd      x3, 3*8(sp)
    sd      x4, 4*8(sp)
    sd      x5, 5*8(sp)
    sd      x6, 6*8(sp)
    sd      x7, 7*8(sp)
    sd      x8, 8*8(sp)
    sd      x9, 9*8(sp)
    sd      x10, 10*8(sp)
    sd      x11, 11*8(sp)
    sd      x12, 12*8(sp)
    sd      x13, 13*8(sp)
    sd      x14, 14*8(sp)
    sd      x15, 15*8(sp)
    sd      x16, 16*8(sp)
    sd      x17, 17*8(sp)
    sd      x18, 18*8(sp)
    sd      x19, 19*8(sp)
    sd      x20, 20*8(sp)
    sd      x21, 21*8(sp)
    sd      x22, 22*8(sp)
    sd      x23, 23*8(sp)
    sd      x24, 24*8(sp)
    sd      x25, 25*8(sp)
    sd      x26, 26*8(sp)
    sd      x27, 27*8(sp)
    sd      x28, 28*8(sp)
    sd      x29, 29*8(sp)
    sd      x30, 30*8(sp)
    sd      x31, 31*8(sp)
    csrrw   t0, sscratch, zero        /* guest sp; hypervisor code now runs with sscratch = 0 */
    sd      t0, 2*8(sp)
    mv      a0, sp
    ld      sp, VCPU_HV_SP(a0)
    call    hs_trap                   /* returns the vcpu to resume (maybe the other guest) */
    .globl hs_enter_guest
hs_enter_guest:                       /* a0 = vcpu; its CSR state is already loaded */
    csrw    sscratch, a0
    mv      sp, a0
    ld      x1, 1*8(sp)
    ld      x3, 3*8(sp)
    ld      x4, 4*8(sp)
    ld      x5, 5*8(sp)
    ld      x6, 6*8(sp)
    ld      x7, 7*8(sp)
    ld      x8, 8*8(sp)
    ld      x9, 9*8(sp)
    ld      x10, 10*8(sp)
    ld      x11, 11*8(sp)
    ld      x12, 12*8(sp)
    ld      x13, 13*8(sp)
    ld      x14, 14*8(sp)
    ld      x15, 15*8(sp)
    ld      x16, 16*8(sp)
    ld      x17, 17*8(sp)
    ld      x18, 18*8(sp)
    ld      x19, 19*8(sp)
    ld      x20, 20*8(sp)
    ld      x21, 21*8(sp)
    ld      x22, 22*8(sp)
    ld      x23, 23*8(sp)
    ld      x24, 24*8(sp)
    ld      x25, 25*8(sp)
    ld      x26, 26*8(sp)
    ld      x27, 27*8(sp)
    ld      x28, 28*8(sp)
    ld      x29, 29*8(sp)
    ld      x30, 30*8(sp)
    ld      x31, 31*8(sp)
    ld      sp, 2*8(sp)
    sret

hs_self_trap:
    csrrw   sp, sscratch, sp          /* restore the hypervisor sp (sscratch = 0 again) */
    la      sp, hs_stack_top
    call    hs_self_trap_report       /* does not return */
1:  j       1b

/* ---------------------------------------------------------------------------------------------
 * The guest kernel, linked separately at GPA 0x80000000 and copied into each guest's RAM. */
    .section .rodata.guest, "a"
    .balign 16
    .globl guest_image_start, guest_image_end
guest_image_start:
    .incbin GUEST_BIN
guest_image_end:
