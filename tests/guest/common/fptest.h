/*
 * fptest.h - macros for rvjit's F and D extension guest programs (on top
 * of rvtest.h).  Written for rvjit from the RISC-V specifications.
 *
 * Programs built from tests/guest/fp_*.S get -march with F and D (see the
 * Makefile).  mstatus.FS is Off at reset, so a program enables the FPU
 * with FP_ENABLE first.
 *
 * Table-driven cases: FP_CASES runs `insn...` once per entry of a table of
 * 40-byte entries
 *      .dword a, b, c, expected, fflags
 * with f1/f2/f3 = a/b/c (raw 64-bit register bits, loaded with FLD, so a
 * single is given NaN-boxed or deliberately not) and a1 = a, fflags = 0.
 * `insn...` must leave the result in a4 (for an f result: FMV.X.D, so that
 * the NaN boxing of a single result is checked as well).  The fflags after
 * the instruction must equal the entry's.  gp counts the cases from
 * `first`, so "FAIL <n>" names the failing entry.
 */
#ifndef FPTEST_H
#define FPTEST_H

#include "rvtest.h"

#define MSTATUS_FS       0x6000
#define MSTATUS_FS_INIT  0x2000
#define MSTATUS_FS_CLEAN 0x4000
#define MSTATUS_SD_BIT   63

/* fflags bits (unprivileged spec, "Floating-Point Control and Status
 * Register") */
#define FF_NX 0x01
#define FF_UF 0x02
#define FF_OF 0x04
#define FF_DZ 0x08
#define FF_NV 0x10

#define FP_ENABLE                       \
        li t3, MSTATUS_FS_INIT;         \
        csrs mstatus, t3;               \
        csrwi fcsr, 0

#define FP_CASES(first, table, count, insn...)          \
        li gp, first;                                   \
        la s2, table;                                   \
        li s3, count;                                   \
7751:   fld f1, 0(s2);                                  \
        fld f2, 8(s2);                                  \
        fld f3, 16(s2);                                 \
        ld a1, 0(s2);                                   \
        csrwi fflags, 0;                                \
        insn;                                           \
        csrr a5, fflags;                                \
        ld t2, 24(s2);                                  \
        bne a4, t2, 7752f;                              \
        ld t2, 32(s2);                                  \
        bne a5, t2, 7752f;                              \
        addi s2, s2, 40;                                \
        addi gp, gp, 1;                                 \
        addi s3, s3, -1;                                \
        bnez s3, 7751b;                                 \
        j 7753f;                                        \
7752:   j rvtest_fail;                                  \
7753:

#endif
