/*
 * fence.S - FENCE variants and FENCE.I with self-modifying code.
 * Spec: Unprivileged ISA, "RV32I Base Integer Instruction Set" ->
 * "Memory Ordering Instructions" (FENCE with any predecessor/successor
 * sets, FENCE.TSO; on a single hart they change no architectural state;
 * PAUSE from "Zihintpause" is a FENCE encoding and executes as a hint) and
 * "Zifencei Instruction-Fetch Fence": after a store to instruction memory
 * followed by FENCE.I, subsequent instruction fetches on the same hart see
 * the store.  Covered: patching a function called many times (so a JIT has
 * translated it), patching the block that is currently executing, patching
 * 16-bit instructions and replacing one 32-bit instruction with two 16-bit
 * ones, and running code copied into a data buffer that is then rewritten.
 */
#include "rvtest.h"

RVTEST_CODE_BEGIN
        /* ---- FENCE forms are harmless no-ops on one hart ---- */
        li TESTNUM, 1
        la a1, dbuf
        li a2, 0x1122334455667788
        sd a2, 0(a1)
        fence
        fence rw, rw
        fence r, r
        fence w, w
        fence rw, w
        fence iorw, iorw
        fence i, o
        fence.tso
        .word 0x0100000f        /* pause (fence w, 0) */
        fence.i
        ld a4, 0(a1)
        RVTEST_CHECK(a4, 0x1122334455667788)
        RVTEST_CHECK_EQ(a2, a4)

        /* ---- 2: patch a function that has already been executed ---- */
        li TESTNUM, 2
        call smc_func
        RVTEST_CHECK(a0, 1)
        li s0, 1                /* imm */
        li s1, 60
1:      la a1, tmpl_addi        /* addi a0, x0, 0 */
        lwu a2, 0(a1)
        slli a3, s0, 20
        or a2, a2, a3           /* addi a0, x0, s0 */
        la a1, smc_func
        sw a2, 0(a1)
        fence.i
        call smc_func
        RVTEST_CHECK_EQ(a0, s0)
        addi s0, s0, 31         /* stays below 2048 */
        addi s1, s1, -1
        bnez s1, 1b

        /* ---- 3: patch the straight-line block that is executing ---- */
        li TESTNUM, 3
        li s0, 100
        li s1, 10
1:      la a1, tmpl_addi
        lwu a2, 0(a1)
        slli a3, s0, 20
        or a2, a2, a3
        la a1, 2f
        sw a2, 0(a1)
        fence.i
2:      addi a0, x0, 1          /* replaced by addi a0, x0, s0 */
        RVTEST_CHECK_EQ(a0, s0)
        addi s0, s0, 1
        addi s1, s1, -1
        bnez s1, 1b

        /* ---- 4: patch 16-bit instructions ---- */
        li TESTNUM, 4
        call smc_c
        RVTEST_CHECK(a0, 5)
        la a1, tmpl_cli9        /* c.li a0, 9 */
        lhu a2, 0(a1)
        la a1, smc_c
        sh a2, 0(a1)
        fence.i
        call smc_c
        RVTEST_CHECK(a0, 9)

        /* ---- 5: one 32-bit instruction becomes two 16-bit ones ---- */
        li TESTNUM, 5
        call smc_mix
        RVTEST_CHECK(a0, 0x7ff)
        la a1, tmpl_pair        /* c.li a0, 3 ; c.addi a0, 4 */
        lwu a2, 0(a1)
        la a1, smc_mix
        sw a2, 0(a1)
        fence.i
        call smc_mix
        RVTEST_CHECK(a0, 7)

        /* ---- 6: code copied into a data buffer, run, rewritten, run ---- */
        li TESTNUM, 6
        la a0, tmpl_fn_a
        la a1, tmpl_fn_a_end
        call copy_to_codebuf
        fence.i
        la t0, codebuf
        li a0, 5
        jalr ra, 0(t0)
        RVTEST_CHECK(a0, 0x1005)  /* a0 + 0x1000 */
        li TESTNUM, 7
        la a0, tmpl_fn_b
        la a1, tmpl_fn_b_end
        call copy_to_codebuf
        fence.i
        la t0, codebuf
        li a0, 5
        jalr ra, 0(t0)
        RVTEST_CHECK(a0, 0x50)    /* a0 << 4 */

        /* ---- 8: patch a branch so that it goes elsewhere ---- */
        li TESTNUM, 8
        call smc_branch
        RVTEST_CHECK(a0, 1)
        la a1, tmpl_nop
        lwu a2, 0(a1)
        la a1, smc_branch_j
        sw a2, 0(a1)            /* the jump becomes a nop */
        fence.i
        call smc_branch
        RVTEST_CHECK(a0, 2)

        RVTEST_PASS

/* copy [a0, a1) to codebuf, one byte at a time */
copy_to_codebuf:
        la a2, codebuf
1:      lbu a3, 0(a0)
        sb a3, 0(a2)
        addi a0, a0, 1
        addi a2, a2, 1
        bltu a0, a1, 1b
        ret

        .balign 4
smc_func:
        addi a0, x0, 1
        ret

smc_branch:
        li a0, 1
smc_branch_j:
        j 1f
        li a0, 2
1:      ret

        .option push
        .option rvc
        .balign 4
smc_c:
        c.li a0, 5
        c.jr ra

        .balign 4
smc_mix:
        .option norvc
        addi a0, x0, 0x7ff
        .option rvc
        c.jr ra
        .option pop

/* templates: never executed in place */
        .balign 4
tmpl_addi:
        addi a0, x0, 0
tmpl_nop:
        addi x0, x0, 0
        .option push
        .option rvc
tmpl_cli9:
        c.li a0, 9
        .balign 4
tmpl_pair:
        c.li a0, 3
        c.addi a0, 4
        .option pop
        .balign 4
tmpl_fn_a:
        li t1, 0x1000
        add a0, a0, t1
        ret
tmpl_fn_a_end:
tmpl_fn_b:
        slli a0, a0, 4
        ret
tmpl_fn_b_end:

        .data
        .balign 8
dbuf:   .dword 0

        .bss
        .balign 64
codebuf: .space 64
