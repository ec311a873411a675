/*
 * rvtest.h - conventions and assembler macros for rvjit's self-checking
 * bare-metal guest programs (QEMU `virt` machine, M-mode, -bios none).
 *
 * Written for rvjit from the RISC-V specifications; not derived from any
 * other test suite.
 *
 * Register conventions (every program must respect them):
 *   gp (x3)   current test number.  On failure the harness prints
 *             "FAIL <gp>" on the UART and exits with code <gp>
 *             (1..254; 0 or >254 is reported as exit code 255).
 *   tp (x4)   pointer to the trap context (rvtest_trap_ctx), set up by
 *             crt0.S.  Programs must never modify tp.
 *   t3..t6    (x28..x31) scratch for the macros below: any macro may
 *             clobber them.  The macros also use a1, a2, a4 (operands and
 *             result) and t2 (expected value).
 *
 * Results:
 *   pass  -> "PASS\n" on the UART, sifive_test finisher write 0x5555
 *            (emulator exit status 0)
 *   fail  -> "FAIL <n>\n" on the UART, finisher write (n << 16) | 0x3333
 *            (emulator exit status n)
 *
 * Traps: crt0.S installs rvtest_trap_entry in mtvec.  It preserves every
 * general register.  An unexpected trap fails the current test (and prints a
 * second line with mcause/mepc/mtval).  A trap announced with one of the
 * TEST_TRAP* macros is checked (mcause, mepc and optionally mtval must equal
 * the expected values) and execution resumes at a given address.
 */
#ifndef RVTEST_H
#define RVTEST_H

/* ---- machine facts (QEMU virt) ---------------------------------------- */
#define RVTEST_UART_BASE     0x10000000   /* ns16550a */
#define RVTEST_UART_THR      0
#define RVTEST_UART_LSR      5
#define RVTEST_UART_LSR_THRE 0x20
#define RVTEST_FINISHER      0x100000     /* sifive_test */
#define RVTEST_FINISHER_PASS 0x5555
#define RVTEST_FINISHER_FAIL 0x3333
#define RVTEST_CLINT_MTIME   0x0200bff8

/* ---- mcause exception codes (privileged spec, "Machine Cause Register") */
#define CAUSE_MISALIGNED_FETCH   0
#define CAUSE_FETCH_ACCESS       1
#define CAUSE_ILLEGAL_INSTRUCTION 2
#define CAUSE_BREAKPOINT         3
#define CAUSE_MISALIGNED_LOAD    4
#define CAUSE_LOAD_ACCESS        5
#define CAUSE_MISALIGNED_STORE   6   /* store/AMO address misaligned */
#define CAUSE_STORE_ACCESS       7   /* store/AMO access fault */
#define CAUSE_ECALL_U            8
#define CAUSE_ECALL_S            9
#define CAUSE_ECALL_M            11

/* ---- mstatus fields (privileged spec, "Machine Status Registers") ----- */
#define MSTATUS_MIE   0x00000008
#define MSTATUS_MPIE  0x00000080
#define MSTATUS_MPP   0x00001800
#define MSTATUS_MPP_M 0x00001800

/* ---- trap context layout (offsets from tp) ---------------------------- */
#define TC_ARMED      0    /* nonzero while a trap is expected          */
#define TC_EXP_CAUSE  8
#define TC_EXP_TVAL   16
#define TC_EXP_EPC    24
#define TC_RESUME     32   /* where to continue after an expected trap  */
#define TC_CHECK_TVAL 40   /* nonzero: compare mtval with TC_EXP_TVAL    */
#define TC_COUNT      48   /* number of expected traps taken so far     */
#define TC_MCAUSE     56   /* CSR values observed at the last trap      */
#define TC_MEPC       64
#define TC_MTVAL      72
#define TC_MSTATUS    80   /* mstatus as seen on entry to the handler   */
#define TC_TVAL_ZERO  88   /* nonzero: mtval == 0 is also accepted      */
#define TC_SAVE       96   /* register save area used by the handler    */
#define TC_SIZE       256

#ifdef __ASSEMBLER__

#define TESTNUM gp

/* Start of a test program's code: crt0 calls `main` in M-mode with the
 * trap handler installed.  Code is assembled without compressed
 * instructions unless a program says `.option rvc` itself, so the 32-bit
 * encodings are the ones exercised. */
#define RVTEST_CODE_BEGIN  \
        .text;             \
        .option norvc;     \
        .balign 4;         \
        .globl main;       \
main:

#define RVTEST_PASS   j rvtest_pass
#define RVTEST_FAIL   j rvtest_fail

/* Fail the current test unless reg == expected (expected loaded with li). */
#define RVTEST_CHECK(reg, expected) \
        li t2, expected;            \
        beq reg, t2, 7701f;         \
        j rvtest_fail;              \
7701:

/* Fail the current test unless reg1 == reg2. */
#define RVTEST_CHECK_EQ(reg1, reg2) \
        beq reg1, reg2, 7702f;      \
        j rvtest_fail;              \
7702:

/* Generic: run `code`, then require testreg == correctval. */
#define TEST_CASE(testnum, testreg, correctval, code...) \
        li TESTNUM, testnum;                             \
        code;                                            \
        RVTEST_CHECK(testreg, correctval)

/* ---- register-register and register-immediate ALU ops ----------------- */
#define TEST_RR_OP(testnum, inst, result, val1, val2)   \
        TEST_CASE(testnum, a4, result,                  \
                  li a1, val1; li a2, val2; inst a4, a1, a2)

#define TEST_RR_SRC1_EQ_DEST(testnum, inst, result, val1, val2) \
        TEST_CASE(testnum, a1, result,                          \
                  li a1, val1; li a2, val2; inst a1, a1, a2)

#define TEST_RR_SRC2_EQ_DEST(testnum, inst, result, val1, val2) \
        TEST_CASE(testnum, a2, result,                          \
                  li a1, val1; li a2, val2; inst a2, a1, a2)

#define TEST_RR_SRC12_EQ_DEST(testnum, inst, result, val) \
        TEST_CASE(testnum, a1, result,                    \
                  li a1, val; inst a1, a1, a1)

/* rd = x0: the write is discarded and x0 still reads as zero. */
#define TEST_RR_ZERODEST(testnum, inst, val1, val2)     \
        TEST_CASE(testnum, x0, 0,                       \
                  li a1, val1; li a2, val2; inst x0, a1, a2)

#define TEST_IMM_OP(testnum, inst, result, val1, imm)   \
        TEST_CASE(testnum, a4, result,                  \
                  li a1, val1; inst a4, a1, imm)

#define TEST_IMM_SRC1_EQ_DEST(testnum, inst, result, val1, imm) \
        TEST_CASE(testnum, a1, result,                          \
                  li a1, val1; inst a1, a1, imm)

#define TEST_IMM_ZERODEST(testnum, inst, val1, imm)     \
        TEST_CASE(testnum, x0, 0,                       \
                  li a1, val1; inst x0, a1, imm)

/* ---- loads and stores -------------------------------------------------- */
/* Load from base+offset (base is a symbol) and compare. */
#define TEST_LD(testnum, inst, result, offset, base)    \
        TEST_CASE(testnum, a4, result,                  \
                  la a1, base; inst a4, offset(a1))

/* Store `val` with `stinst` at base+offset, read back with `ldinst`. */
#define TEST_ST(testnum, ldinst, stinst, val, result, offset, base) \
        TEST_CASE(testnum, a4, result,                              \
                  la a1, base; li a2, val;                          \
                  stinst a2, offset(a1); ldinst a4, offset(a1))

/* ---- branches ---------------------------------------------------------- */
/* The branch must be taken, both forwards and backwards. */
#define TEST_BR2_TAKEN(testnum, inst, val1, val2)       \
        li TESTNUM, testnum;                            \
        li a1, val1; li a2, val2;                       \
        inst a1, a2, 7712f;  /* forwards */             \
        j rvtest_fail;                                  \
7711:   j 7713f;                                        \
7712:   inst a1, a2, 7711b;  /* backwards */            \
        j rvtest_fail;                                  \
7713:

/* The branch must fall through, both for a forward and a backward target. */
#define TEST_BR2_NOTTAKEN(testnum, inst, val1, val2)    \
        li TESTNUM, testnum;                            \
        li a1, val1; li a2, val2;                       \
        j 7722f;                                        \
7721:   j rvtest_fail;                                  \
7722:   inst a1, a2, 7721b;  /* backwards */            \
        inst a1, a2, 7723f;  /* forwards */             \
        j 7724f;                                        \
7723:   j rvtest_fail;                                  \
7724:

/* ---- expected traps ---------------------------------------------------- */
/* Arm the trap handler.  The registers hold the expected mcause, mtval and
 * mepc and the resume address.  check_tval: 0 = ignore mtval, 1 = mtval
 * must equal tval_reg, 2 = mtval must equal tval_reg or be zero (for traps
 * where the privileged spec lets mtval be zero instead).  Clobbers nothing
 * but memory in the trap context. */
#define RVTEST_ARM_TRAP(cause_reg, tval_reg, epc_reg, resume_reg, check_tval) \
        sd cause_reg, TC_EXP_CAUSE(tp);                                       \
        sd tval_reg, TC_EXP_TVAL(tp);                                         \
        sd epc_reg, TC_EXP_EPC(tp);                                           \
        sd resume_reg, TC_RESUME(tp);                                         \
        sd x0, TC_CHECK_TVAL(tp);                                             \
        sd x0, TC_TVAL_ZERO(tp);                                              \
        .if (check_tval) != 0;                                                \
        sd tp, TC_CHECK_TVAL(tp);   /* tp is nonzero */                       \
        .endif;                                                               \
        .if (check_tval) == 2;                                                \
        sd tp, TC_TVAL_ZERO(tp);                                              \
        .endif;                                                               \
        sd tp, TC_ARMED(tp)

/* Fail unless the armed trap has been taken (the handler disarms). */
#define RVTEST_CHECK_TRAPPED                    \
        ld t6, TC_ARMED(tp);                    \
        beqz t6, 7731f;                         \
        sd x0, TC_ARMED(tp);                    \
        j rvtest_fail;                          \
7731:

/* `insn...` (first instruction at the expected mepc) must trap with
 * mcause == cause and mtval == tval; execution resumes right after the
 * whole `insn...` sequence. */
#define TEST_TRAP(testnum, cause, tval, insn...)        \
        li TESTNUM, testnum;                            \
        li t3, cause; li t4, tval;                      \
        la t5, 7741f; la t6, 7742f;                     \
        RVTEST_ARM_TRAP(t3, t4, t5, t6, 1);             \
7741:   insn;                                           \
7742:   RVTEST_CHECK_TRAPPED

/* As TEST_TRAP but mtval must equal the address of the trapping insn
 * (e.g. EBREAK). */
#define TEST_TRAP_TVAL_PC(testnum, cause, insn...)      \
        li TESTNUM, testnum;                            \
        li t3, cause;                                   \
        la t5, 7741f; la t6, 7742f;                     \
        RVTEST_ARM_TRAP(t3, t5, t5, t6, 1);             \
7741:   insn;                                           \
7742:   RVTEST_CHECK_TRAPPED

/* As TEST_TRAP_TVAL_PC, but mtval may also be zero.  Privileged spec,
 * "Machine Trap Value Register (mtval)": mtval is either zero or the
 * faulting address for a breakpoint; QEMU 7.2 writes 0 for EBREAK. */
#define TEST_TRAP_TVAL_PC_OR_ZERO(testnum, cause, insn...) \
        li TESTNUM, testnum;                            \
        li t3, cause;                                   \
        la t5, 7741f; la t6, 7742f;                     \
        RVTEST_ARM_TRAP(t3, t5, t5, t6, 2);             \
7741:   insn;                                           \
7742:   RVTEST_CHECK_TRAPPED

/* `insn` (one 32-bit instruction) must raise an illegal-instruction
 * exception with mtval = its own encoding (read back from memory).
 * Privileged spec, "Machine Trap Value Register (mtval)": on an illegal
 * instruction trap mtval may hold the faulting instruction bits; QEMU (and
 * so rvjit) always writes them. */
#define TEST_TRAP_ILLEGAL(testnum, insn...)             \
        li TESTNUM, testnum;                            \
        li t3, CAUSE_ILLEGAL_INSTRUCTION;               \
        la t5, 7741f; lwu t4, 0(t5); la t6, 7742f;      \
        RVTEST_ARM_TRAP(t3, t4, t5, t6, 1);             \
7741:   insn;                                           \
7742:   RVTEST_CHECK_TRAPPED

/* As TEST_TRAP but mtval is not checked. */
#define TEST_TRAP_ANY_TVAL(testnum, cause, insn...)     \
        li TESTNUM, testnum;                            \
        li t3, cause;                                   \
        la t5, 7741f; la t6, 7742f;                     \
        RVTEST_ARM_TRAP(t3, x0, t5, t6, 0);             \
7741:   insn;                                           \
7742:   RVTEST_CHECK_TRAPPED

/* A data access at address `addr` must trap: the access is `insn`, written
 * with base register a1 and offset 0, e.g. TEST_TRAP_ADDR(n, 5, 0, lw a4, 0(a1)).
 * mtval must be `addr`. */
#define TEST_TRAP_ADDR(testnum, cause, addr, insn...)   \
        li TESTNUM, testnum;                            \
        li a1, addr;                                    \
        li t3, cause;                                   \
        la t5, 7741f; la t6, 7742f;                     \
        RVTEST_ARM_TRAP(t3, a1, t5, t6, 1);             \
7741:   insn;                                           \
7742:   RVTEST_CHECK_TRAPPED

/* As TEST_TRAP_ADDR with a symbolic address: a1 = sym (loaded with la). */
#define TEST_TRAP_SYM(testnum, cause, sym, insn...)     \
        li TESTNUM, testnum;                            \
        la a1, sym;                                     \
        li t3, cause;                                   \
        la t5, 7741f; la t6, 7742f;                     \
        RVTEST_ARM_TRAP(t3, a1, t5, t6, 1);             \
7741:   insn;                                           \
7742:   RVTEST_CHECK_TRAPPED

/* Jumping (jalr ra) to `target` must raise an instruction-fetch trap with
 * mepc == mtval == target.  Afterwards ra holds the link address. */
#define TEST_TRAP_JUMP(testnum, cause, target)          \
        li TESTNUM, testnum;                            \
        li t3, cause;                                   \
        li t4, target;                                  \
        la t6, 7742f;                                   \
        RVTEST_ARM_TRAP(t3, t4, t4, t6, 1);             \
        li t5, target;                                  \
7741:   jalr ra, 0(t5);                                 \
7742:   RVTEST_CHECK_TRAPPED;                           \
        la t6, 7742b;                                   \
        RVTEST_CHECK_EQ(ra, t6)

#endif /* __ASSEMBLER__ */
#endif /* RVTEST_H */
