/*
 * trap.S - machine-mode exceptions and MRET.
 * Spec: Privileged ISA, "Machine-Level ISA":
 *  - "Machine Cause Register (mcause)": exception codes 1 (instruction
 *    access fault), 2 (illegal instruction), 3 (breakpoint), 5 (load
 *    access fault), 7 (store/AMO access fault), 11 (ECALL from M-mode);
 *    the Interrupt bit is 0 for exceptions.
 *  - "Machine Exception Program Counter (mepc)": mepc = address of the
 *    instruction that took the exception (for an instruction access fault,
 *    the target that could not be fetched); "Environment Call and
 *    Breakpoint": ECALL/EBREAK set mepc to their own address.
 *  - "Machine Trap Value Register (mtval)": the faulting address for
 *    access faults; 0 for ECALL; the faulting address or 0 for EBREAK
 *    (QEMU 7.2 writes 0); for illegal instructions the instruction bits
 *    (QEMU writes them, the spec also allows 0).
 *  - "Machine Status Registers (mstatus)" / "Privilege and Global Interrupt-
 *    Enable Stack": on a trap MPIE <- MIE, MIE <- 0, MPP <- previous mode
 *    (M = 3); "Trap-Return Instructions": MRET sets MIE <- MPIE, MPIE <- 1,
 *    MPP <- least-privileged supported mode (U if misa.U, else M) and
 *    jumps to mepc.
 *  - "Machine Trap-Vector Base-Address Register (mtvec)": in vectored mode
 *    synchronous exceptions still go to BASE.
 * Physical addresses with nothing behind them on QEMU virt (0x0, 0x200000,
 * 0x11000000) give access faults.  A faulting instruction writes no
 * register, and instructions after it in the same straight-line block do
 * not execute (precise exceptions).
 */
#include "rvtest.h"

#define UNMAPPED_A 0x0
#define UNMAPPED_B 0x200000     /* hole between the RTC and the CLINT */
#define UNMAPPED_C 0x11000000   /* hole after the virtio/fw_cfg devices */
#define MISA_U     (1 << 20)

RVTEST_CODE_BEGIN
        /* ---- ECALL: cause 11, mtval 0, mepc = the ecall ---- */
        TEST_TRAP(1, CAUSE_ECALL_M, 0, ecall)

        /* ---- all registers survive a trap ---- */
        li TESTNUM, 2
        li t0, 0x1000000000000005
        li t1, 0x1000000000000006
        li t2, 0x1000000000000007
        li s0, 0x1000000000000008
        li a0, 0x100000000000000a
        li a7, 0x1000000000000011
        li s11, 0x100000000000001b
        la t5, 1f
        la t6, 2f
        li t3, CAUSE_ECALL_M
        RVTEST_ARM_TRAP(t3, x0, t5, t6, 1)
1:      ecall
2:      RVTEST_CHECK_TRAPPED
        li t3, 0x1000000000000005
        RVTEST_CHECK_EQ(t0, t3)
        li t3, 0x1000000000000006
        RVTEST_CHECK_EQ(t1, t3)
        li t3, 0x100000000000000a
        RVTEST_CHECK_EQ(a0, t3)
        li t3, 0x1000000000000011
        RVTEST_CHECK_EQ(a7, t3)
        li t3, 0x100000000000001b
        RVTEST_CHECK_EQ(s11, t3)
        li t3, 0x1000000000000008
        RVTEST_CHECK_EQ(s0, t3)
        li t3, 0x1000000000000007
        RVTEST_CHECK_EQ(t2, t3)

        /* ---- EBREAK: cause 3, mtval = pc or 0 ---- */
        TEST_TRAP_TVAL_PC_OR_ZERO(3, CAUSE_BREAKPOINT, ebreak)

        /* ---- illegal instructions: cause 2, mtval = instruction bits ---- */
        TEST_TRAP_ILLEGAL(4, .word 0xfe000033)   /* OP with funct7 = 0x7f */
        TEST_TRAP_ILLEGAL(5, .word 0x0000006b)   /* reserved major opcode */
        TEST_TRAP_ILLEGAL(6, .word 0x0205151b)   /* SLLIW with shamt[5] = 1 */
        TEST_TRAP_ILLEGAL(7, .word 0x4205551b)   /* SRAIW with shamt[5] = 1 */
        TEST_TRAP_ILLEGAL(8, .word 0xc0001073)   /* CSRRW x0, cycle, x0 (unimp) */
        TEST_TRAP(9, CAUSE_ILLEGAL_INSTRUCTION, 0, .word 0)     /* 16-bit 0x0000 */

        /* ---- load access faults: cause 5, mtval = address, rd kept ---- */
        li a4, 0x1234
        TEST_TRAP_ADDR(10, CAUSE_LOAD_ACCESS, UNMAPPED_A, lw a4, 0(a1))
        TEST_TRAP_ADDR(11, CAUSE_LOAD_ACCESS, UNMAPPED_B, ld a4, 0(a1))
        TEST_TRAP_ADDR(12, CAUSE_LOAD_ACCESS, UNMAPPED_C, lbu a4, 0(a1))
        TEST_TRAP_ADDR(13, CAUSE_LOAD_ACCESS, UNMAPPED_B + 0x10, lh a4, 0(a1))
        RVTEST_CHECK(a4, 0x1234)
        /* with an offset: mtval is the effective address */
        li TESTNUM, 14
        li a1, UNMAPPED_B
        li t3, CAUSE_LOAD_ACCESS
        li t4, UNMAPPED_B + 0x7f8
        la t5, 1f
        la t6, 2f
        RVTEST_ARM_TRAP(t3, t4, t5, t6, 1)
1:      ld a4, 0x7f8(a1)
2:      RVTEST_CHECK_TRAPPED
        RVTEST_CHECK(a4, 0x1234)

        /* ---- store access faults: cause 7, mtval = address ---- */
        TEST_TRAP_ADDR(15, CAUSE_STORE_ACCESS, UNMAPPED_A, sw a4, 0(a1))
        TEST_TRAP_ADDR(16, CAUSE_STORE_ACCESS, UNMAPPED_B, sd a4, 0(a1))
        TEST_TRAP_ADDR(17, CAUSE_STORE_ACCESS, UNMAPPED_C, sb a4, 0(a1))

        /* ---- precise exceptions in the middle of a straight-line block ---- */
        li TESTNUM, 18
        li a0, 0
        li a1, UNMAPPED_B
        li t3, CAUSE_LOAD_ACCESS
        mv t4, a1
        la t5, 1f
        la t6, 2f
        RVTEST_ARM_TRAP(t3, t4, t5, t6, 1)
        addi a0, a0, 1          /* executes */
        addi a0, a0, 2          /* executes */
1:      ld a0, 0(a1)            /* faults: a0 not written */
        addi a0, a0, 100        /* must not execute */
        addi a0, a0, 200        /* must not execute */
2:      RVTEST_CHECK_TRAPPED
        RVTEST_CHECK(a0, 3)

        li TESTNUM, 19          /* a faulting store leaves memory alone */
        la a2, word_buf
        li a3, 0x600d
        sd a3, 0(a2)
        li a1, UNMAPPED_A
        li t3, CAUSE_STORE_ACCESS
        mv t4, a1
        la t5, 1f
        la t6, 2f
        RVTEST_ARM_TRAP(t3, t4, t5, t6, 1)
        li a3, 0xbad
1:      sd a3, 0(a1)
        sd a3, 0(a2)            /* must not execute */
2:      RVTEST_CHECK_TRAPPED
        ld a4, 0(a2)
        RVTEST_CHECK(a4, 0x600d)

        /* ---- instruction access fault: mepc = mtval = target ---- */
        TEST_TRAP_JUMP(20, CAUSE_FETCH_ACCESS, UNMAPPED_B)
        TEST_TRAP_JUMP(21, CAUSE_FETCH_ACCESS, UNMAPPED_C + 0x100)
        TEST_TRAP_JUMP(22, CAUSE_FETCH_ACCESS, UNMAPPED_A)

        /* ---- mstatus on trap entry: MPIE <- MIE, MIE <- 0, MPP <- M ---- */
        li TESTNUM, 23
        csrw mie, x0            /* no interrupt sources enabled */
        csrsi mstatus, MSTATUS_MIE
        TEST_TRAP(23, CAUSE_ECALL_M, 0, ecall)
        ld a1, TC_MSTATUS(tp)
        andi a2, a1, MSTATUS_MIE
        RVTEST_CHECK(a2, 0)
        andi a2, a1, MSTATUS_MPIE
        RVTEST_CHECK(a2, MSTATUS_MPIE)
        li a3, MSTATUS_MPP
        and a2, a1, a3
        RVTEST_CHECK(a2, MSTATUS_MPP_M)
        li TESTNUM, 24          /* the handler's MRET restored MIE = 1 */
        csrr a1, mstatus
        andi a2, a1, MSTATUS_MIE
        RVTEST_CHECK(a2, MSTATUS_MIE)
        csrci mstatus, MSTATUS_MIE
        TEST_TRAP(25, CAUSE_ECALL_M, 0, ecall)
        ld a1, TC_MSTATUS(tp)
        andi a2, a1, MSTATUS_MPIE | MSTATUS_MIE
        RVTEST_CHECK(a2, 0)     /* MPIE = old MIE = 0 */
        csrr a1, mstatus
        andi a2, a1, MSTATUS_MIE
        RVTEST_CHECK(a2, 0)

        /* ---- MRET by hand: MIE <- MPIE, MPIE <- 1, MPP <- U or M, pc <- mepc ---- */
        li TESTNUM, 26
        li a1, MSTATUS_MPP
        csrs mstatus, a1        /* MPP = M, so we stay in M-mode */
        li a1, MSTATUS_MPIE
        csrs mstatus, a1
        csrci mstatus, MSTATUS_MIE
        la a1, 1f
        csrw mepc, a1
        mret
        j rvtest_fail
1:      csrr a1, mstatus
        andi a2, a1, MSTATUS_MIE
        RVTEST_CHECK(a2, MSTATUS_MIE)
        andi a2, a1, MSTATUS_MPIE
        RVTEST_CHECK(a2, MSTATUS_MPIE)
        li TESTNUM, 27          /* MPP: U if U-mode exists, else M */
        li a3, MSTATUS_MPP
        and a2, a1, a3
        csrr a4, misa
        li a5, MISA_U
        and a4, a4, a5
        beqz a4, 2f
        RVTEST_CHECK(a2, 0)
        j 3f
2:      RVTEST_CHECK(a2, MSTATUS_MPP_M)
3:
        li TESTNUM, 28          /* MPIE = 0: MRET leaves MIE = 0, sets MPIE */
        li a1, MSTATUS_MPP
        csrs mstatus, a1
        li a1, MSTATUS_MPIE
        csrc mstatus, a1
        la a1, 1f
        csrw mepc, a1
        mret
        j rvtest_fail
1:      csrr a1, mstatus
        andi a2, a1, MSTATUS_MIE | MSTATUS_MPIE
        RVTEST_CHECK(a2, MSTATUS_MPIE)
        csrci mstatus, MSTATUS_MIE

        /* ---- MRET to a 2-byte aligned address (IALIGN = 16 with C) ---- */
        li TESTNUM, 29
        li a1, MSTATUS_MPP
        csrs mstatus, a1
        la a1, half_target
        csrw mepc, a1
        li a0, 0
        mret
        j rvtest_fail
half_ret:
        RVTEST_CHECK(a0, 0x29)
        csrci mstatus, MSTATUS_MIE

        /* ---- mcause has the Interrupt bit clear; mepc/mtval observed ---- */
        TEST_TRAP(30, CAUSE_ECALL_M, 0, ecall)
        ld a1, TC_MCAUSE(tp)
        RVTEST_CHECK(a1, CAUSE_ECALL_M)

        /* ---- many traps in a loop (trap path reused) ---- */
        li TESTNUM, 31
        ld s0, TC_COUNT(tp)
        li s1, 200
4:      la t5, 5f
        la t6, 6f
        li t3, CAUSE_ECALL_M
        RVTEST_ARM_TRAP(t3, x0, t5, t6, 1)
5:      ecall
6:      RVTEST_CHECK_TRAPPED
        addi s1, s1, -1
        bnez s1, 4b
        ld a1, TC_COUNT(tp)
        sub a1, a1, s0
        RVTEST_CHECK(a1, 200)

        /* ---- vectored mtvec: exceptions still go to BASE ---- */
        li TESTNUM, 32
        csrr s0, mtvec
        ori a1, s0, 1
        csrw mtvec, a1
        csrr a2, mtvec
        bne a1, a2, 7f          /* vectored mode not supported: skip */
        TEST_TRAP(32, CAUSE_ECALL_M, 0, ecall)
        TEST_TRAP_ADDR(33, CAUSE_LOAD_ACCESS, UNMAPPED_B, lw a4, 0(a1))
7:      csrw mtvec, s0

        /* ---- a trap handler of our own, installed by the program ---- */
        li TESTNUM, 34
        csrr s0, mtvec
        la a1, own_handler
        csrw mtvec, a1
        li a0, 0
        ecall
        ecall
        csrw mtvec, s0
        RVTEST_CHECK(a0, 2)

        RVTEST_PASS

        /* own_handler: count in a0, return past the ECALL (mepc + 4) */
        .balign 4
own_handler:
        csrr t0, mcause
        li t1, CAUSE_ECALL_M
        bne t0, t1, rvtest_fail
        addi a0, a0, 1
        csrr t0, mepc
        addi t0, t0, 4
        csrw mepc, t0
        mret

        /* half_target: 32-bit code at an address = 2 mod 4 */
        .balign 4
        .option push
        .option rvc
        c.nop
        .option pop
half_target:
        li a0, 0x29
        j half_ret

        .data
        .balign 8
word_buf: .dword 0
