/*
 * fp_state.S - F/D state and encodings around the arithmetic: mstatus.FS
 * (Off makes FP instructions and the FP CSRs illegal; changing FP state
 * makes it Dirty and sets SD), fflags/frm/fcsr as views of one register,
 * flags accruing, reserved rounding modes (static 5/6, dynamic with frm
 * 5-7) raising illegal instruction even on exact operations, NaN boxing of
 * singles, FLW/FSW/FLD/FSD and FMV moving bits unchanged, and the
 * compressed C.FLD/C.FSD/C.FLDSP/C.FSDSP.
 * Spec: Unprivileged ISA, F chapter ("Floating-Point Control and Status
 * Register", "NaN Boxing of Narrower Values", "Single-Precision Load and
 * Store Instructions", "Floating-Point Conversion and Move"), D chapter,
 * C chapter ("Load and Store Instructions"); Privileged ISA, "Extension
 * Context Status in mstatus Register".
 */
#include "fptest.h"

#define ONE_D   0x3ff0000000000000
#define TWO_D   0x4000000000000000
#define ONE_S   0x3f800000

/* a4 <- mstatus.FS */
#define READ_FS  csrr a4, mstatus; srli a4, a4, 13; andi a4, a4, 3
/* mstatus.FS <- v (v in 0..3) */
#define SET_FS(v) li t3, MSTATUS_FS; csrc mstatus, t3; li t3, (v) << 13; csrs mstatus, t3

RVTEST_CODE_BEGIN

        /* ---- FS = Off at reset: FP instructions and CSRs are illegal ---- */
        TEST_CASE(1, a4, 0, READ_FS)
        TEST_TRAP_ILLEGAL(2, fadd.d f1, f2, f3)
        TEST_TRAP_ILLEGAL(3, fmv.x.d a0, f0)
        TEST_TRAP_ILLEGAL(4, fld f1, 0(sp))
        TEST_TRAP_ILLEGAL(5, fsw f1, 0(sp))
        TEST_TRAP_ILLEGAL(6, fcvt.s.w f1, a0)
        TEST_TRAP_ILLEGAL(7, csrr a0, fflags)
        TEST_TRAP_ILLEGAL(8, csrw frm, a0)
        TEST_TRAP_ILLEGAL(9, csrr a0, fcsr)
        TEST_TRAP_ILLEGAL(10, fmadd.s f1, f2, f3, f4)
        .option push
        .option rvc
        TEST_TRAP(11, CAUSE_ILLEGAL_INSTRUCTION, 0x2480, c.fld fs0, 8(s1))
        .option pop

        /* ---- FS = Initial: reads and stores leave it, writes make it Dirty ---- */
        li gp, 20
        SET_FS(1)
        csrwi fcsr, 0           /* a write: Dirty */
        READ_FS
        RVTEST_CHECK(a4, 3)
        SET_FS(1)
        csrr a0, fcsr
        fmv.x.d a0, f1
        fsd f1, 0(sp)
        fclass.d a0, f1
        READ_FS
        RVTEST_CHECK(a4, 1)
        csrr a4, mstatus        /* SD clear */
        srli a4, a4, MSTATUS_SD_BIT
        RVTEST_CHECK(a4, 0)
        li gp, 21
        li a0, ONE_D
        fmv.d.x f1, a0
        READ_FS
        RVTEST_CHECK(a4, 3)
        csrr a4, mstatus        /* SD (bit 63) set with FS Dirty */
        srli a4, a4, MSTATUS_SD_BIT
        RVTEST_CHECK(a4, 1)
        csrr a4, sstatus        /* the supervisor view shows FS and SD */
        srli a4, a4, 13
        li t3, (1 << 50) | 3
        and a4, a4, t3
        RVTEST_CHECK(a4, (1 << 50) | 3)
        li gp, 22
        SET_FS(2)
        fadd.d f2, f1, f1
        READ_FS
        RVTEST_CHECK(a4, 3)
        li gp, 23
        SET_FS(2)
        fld f3, 0(sp)
        READ_FS
        RVTEST_CHECK(a4, 3)
        li gp, 24
        SET_FS(2)
        flw f3, 0(sp)
        READ_FS
        RVTEST_CHECK(a4, 3)
        li gp, 25
        SET_FS(2)
        fsgnjn.d f4, f1, f1
        READ_FS
        RVTEST_CHECK(a4, 3)
        li gp, 26
        SET_FS(2)
        csrwi fflags, 1
        READ_FS
        RVTEST_CHECK(a4, 3)
        li gp, 27
        SET_FS(2)
        fmv.w.x f5, a0
        READ_FS
        RVTEST_CHECK(a4, 3)
        li gp, 28                /* the same block, now translated with FS Dirty */
        SET_FS(3)
        fadd.d f2, f1, f1
        READ_FS
        RVTEST_CHECK(a4, 3)

        /* ---- fflags, frm and fcsr ---- */
        TEST_CASE(30, a4, 0xff, csrwi fcsr, 0; li a0, 0xfff; csrw fcsr, a0; csrr a4, fcsr)
        TEST_CASE(31, a4, 0x1f, csrr a4, fflags)
        TEST_CASE(32, a4, 7, csrr a4, frm)
        TEST_CASE(33, a4, 0x5f, csrwi frm, 2; csrr a4, fcsr)
        TEST_CASE(34, a4, 0x43, csrwi fflags, 3; csrr a4, fcsr)
        TEST_CASE(35, a4, 0x43, li a0, 0xffffff03; csrrw a4, fflags, a0; csrr a4, fcsr)
        TEST_CASE(36, a4, 0x43, li a0, 0xfa; csrrw a4, frm, a0; csrr a4, fcsr)
        TEST_CASE(37, a4, 0x40, csrrci a4, fcsr, 0x1f; csrr a4, fcsr)
        /* flags accrue: DZ from 1/0, then NX from 1/3, never cleared by an op */
        li gp, 38
        csrwi fcsr, 0
        li a0, ONE_D
        fmv.d.x f1, a0
        fmv.d.x f2, x0
        fdiv.d f3, f1, f2
        li a0, 0x4008000000000000
        fmv.d.x f2, a0
        fdiv.d f3, f1, f2
        fadd.d f3, f1, f1
        csrr a4, fflags
        RVTEST_CHECK(a4, FF_DZ | FF_NX)
        /* dynamic rounding follows frm: 1/3 in RUP and RDN */
        TEST_CASE(39, a4, 0x3fd5555555555556, csrwi frm, 3; fdiv.d f3, f1, f2; fmv.x.d a4, f3)
        TEST_CASE(40, a4, 0x3fd5555555555555, csrwi frm, 2; fdiv.d f3, f1, f2; fmv.x.d a4, f3)
        TEST_CASE(41, a4, 0x3fd5555555555556, csrwi frm, 1; fdiv.d f3, f1, f2, rup; fmv.x.d a4, f3)

        /* ---- reserved rounding modes: illegal instruction ---- */
        csrwi frm, 0
        TEST_TRAP_ILLEGAL(50, .insn r 0x53, 5, 0x01, f4, f1, f2)        /* fadd.d rm=5 */
        TEST_TRAP_ILLEGAL(51, .insn r 0x53, 6, 0x00, f4, f1, f2)        /* fadd.s rm=6 */
        TEST_TRAP_ILLEGAL(52, .insn r 0x53, 5, 0x21, f4, f1, f0)        /* fcvt.d.s rm=5 */
        TEST_TRAP_ILLEGAL(53, .insn r 0x53, 6, 0x69, f4, a0, x0)        /* fcvt.d.w rm=6 */
        TEST_TRAP_ILLEGAL(54, .insn r4 0x43, 5, 1, f4, f1, f2, f3)      /* fmadd.d rm=5 */
        TEST_TRAP_ILLEGAL(55, .insn r 0x53, 5, 0x60, a4, f1, x0)        /* fcvt.w.s rm=5 */
        csrwi frm, 5
        TEST_TRAP_ILLEGAL(56, fadd.d f4, f1, f2)
        TEST_TRAP_ILLEGAL(57, fmadd.s f4, f1, f2, f3)
        TEST_TRAP_ILLEGAL(58, .insn r 0x53, 7, 0x21, f4, f1, f0)   /* fcvt.d.s dyn */
        csrwi frm, 6
        TEST_TRAP_ILLEGAL(59, fsqrt.d f4, f1)
        TEST_TRAP_ILLEGAL(60, .insn r 0x53, 7, 0x69, f4, a0, x0)   /* fcvt.d.w dyn */
        csrwi frm, 7
        TEST_TRAP_ILLEGAL(61, fcvt.l.d a4, f1)
        TEST_TRAP_ILLEGAL(62, fcvt.s.l f4, a0)
        /* no rounding mode field: fine whatever frm holds */
        TEST_CASE(63, a4, ONE_D, fsgnj.d f4, f1, f1; fmv.x.d a4, f4)
        TEST_CASE(64, a4, ONE_D, fmax.d f4, f1, f1; fmv.x.d a4, f4)
        TEST_CASE(65, a4, 1, feq.d a4, f1, f1)
        TEST_CASE(66, a4, 0x40, fclass.d a4, f1)
        TEST_CASE(67, a4, 7, csrr a4, frm)
        csrwi frm, 0
        /* the rm field is still decoded on exact operations: RMM and DYN are fine */
        TEST_CASE(68, a4, ONE_D, li a0, 1; .insn r 0x53, 4, 0x69, f4, a0, x0; fmv.x.d a4, f4)

        /* ---- NaN boxing ---- */
        la s2, buf
        TEST_CASE(70, a4, 0xffffffff3f800000, li a0, ONE_S; sw a0, 0(s2); flw f1, 0(s2); fmv.x.d a4, f1)
        TEST_CASE(71, a4, 0xffffffff80000000, li a0, 0x80000000; fmv.w.x f1, a0; fmv.x.d a4, f1)
        TEST_CASE(72, a4, 0xffffffff80000000, fmv.x.w a4, f1)
        TEST_CASE(73, a4, 0x7f800001, li a0, 0x123456787f800001; fmv.w.x f1, a0; fmv.x.w a4, f1)
        /* an unboxed register: stores and FMV.X.W move its low bits unchanged */
        li a0, 0x123456783f800000
        fmv.d.x f1, a0
        TEST_CASE(74, a4, 0x3f800000, fmv.x.w a4, f1)
        TEST_CASE(75, a4, 0x3f800000, sd x0, 0(s2); fsw f1, 0(s2); ld a4, 0(s2))
        /* ... but operations read it as the canonical NaN (quiet: no NV) */
        li a0, 0xffffffff3f800000
        fmv.d.x f2, a0
        TEST_CASE(76, a4, 0xffffffff7fc00000, csrwi fflags, 0; fadd.s f3, f1, f2; fmv.x.d a4, f3)
        TEST_CASE(77, a4, 0, csrr a4, fflags)
        TEST_CASE(78, a4, 0xffffffff7fc00000, fsgnj.s f3, f1, f2; fmv.x.d a4, f3)
        TEST_CASE(79, a4, 0xffffffffffc00000, fsgnjn.s f3, f1, f2; fmv.x.d a4, f3)
        TEST_CASE(80, a4, 0xffffffff3f800000, fsgnj.s f3, f2, f1; fmv.x.d a4, f3)
        TEST_CASE(81, a4, 0x200, fclass.s a4, f1)
        TEST_CASE(82, a4, 0x7ff8000000000000, fcvt.d.s f3, f1; fmv.x.d a4, f3)
        TEST_CASE(83, a4, 0xffffffff3f800000, fmin.s f3, f1, f2; fmv.x.d a4, f3)
        TEST_CASE(84, a4, 0, feq.s a4, f1, f1)
        TEST_CASE(85, a4, 0, csrr a4, fflags)
        /* doubles move bits unchanged, NaN payloads and signalling NaNs included */
        li a0, 0x7ff0000000000001
        TEST_CASE(86, a4, 0x7ff0000000000001, sd a0, 0(s2); fld f3, 0(s2); fmv.x.d a4, f3)
        TEST_CASE(87, a4, 0x7ff0000000000001, fsd f3, 8(s2); ld a4, 8(s2))
        TEST_CASE(88, a4, 0xfff0000000000001, fsgnjn.d f4, f3, f3; fmv.x.d a4, f4)
        TEST_CASE(89, a4, 0, csrr a4, fflags)
        TEST_CASE(90, a4, 0x7ff0000000000001, fmv.d.x f0, a0; fmv.x.d a4, f0)
        /* FLW boxes whatever it loads, NaNs included */
        li a0, 0x7f800001
        TEST_CASE(91, a4, 0xffffffff7f800001, sw a0, 0(s2); flw f5, 0(s2); fmv.x.d a4, f5)
        TEST_CASE(92, a4, 0x7f800001, sw x0, 4(s2); fsw f5, 4(s2); lwu a4, 4(s2))

        /* ---- C.FLD / C.FSD / C.FLDSP / C.FSDSP ---- */
        .option push
        .option rvc
        la s1, buf
        li a0, 0x0123456789abcdef
        sd a0, 248(s1)
        TEST_CASE(100, a4, 0x0123456789abcdef, c.fld fs0, 248(s1); fmv.x.d a4, fs0)
        TEST_CASE(101, a4, 0x0123456789abcdef, c.fsd fs0, 0(s1); ld a4, 0(s1))
        TEST_CASE(102, a4, 0x0123456789abcdef, c.fsd fs0, 8(s1); c.fld fa5, 8(s1); fmv.x.d a4, fa5)
        li gp, 103
        mv s3, sp
        addi sp, sp, -512
        li a0, 0x7ff4000000000000
        fmv.d.x f31, a0
        c.fsdsp f31, 504(sp)
        ld a4, 504(sp)
        li t2, 0x7ff4000000000000
        bne a4, t2, 1f
        c.fldsp f0, 504(sp)
        fmv.x.d a4, f0
        bne a4, t2, 1f
        c.fsdsp f31, 0(sp)
        c.fldsp f17, 0(sp)
        fmv.x.d a4, f17
        bne a4, t2, 1f
        mv sp, s3
        j 2f
1:      mv sp, s3
        j rvtest_fail
2:
        .option pop

        RVTEST_PASS

        .data
        .balign 8
buf:    .space 512
