/*
 * h_csr_warl.S - H-extension CSR presence, reset-independent WARL/RO
 * behaviour, read back after writes from M-mode.
 * Spec: privileged ISA, hypervisor.adoc ("Hypervisor Status Register",
 * "Hypervisor Trap Delegation Registers", "Hypervisor Interrupt Registers",
 * "Hypervisor Guest Address Translation and Protection Register (hgatp)",
 * "Machine-Level CSRs": misa.H, mideleg, medeleg), machine.adoc (medeleg).
 * Vectors: docs h-extension.md section 11, T1-T4, T6, T7; section 2.
 */
#include "htest.h"

RVTEST_CODE_BEGIN
        call    h_init

        /* T1: misa.H (bit 7) is set */
        HTEST(1)
        HCHECK_CSR_MASK(misa, 1 << 7, 1 << 7)

        /* T1: mideleg bits 2, 6, 10 are read-only one; with GEILEN = 0
         * (hgeie reads 0 after writing ~0) bit 12 is read-only zero */
        HTEST(2)
        csrw    mideleg, zero
        HCHECK_CSR_MASK(mideleg, 0x444, 0x444)
        li      t0, -1
        csrw    mideleg, t0
        HCHECK_CSR_MASK(mideleg, 0x444, 0x444)
        csrw    mideleg, zero

        /* hgeie: bit 0 read-only zero, bits above GEILEN read-only zero */
        HTEST(3)
        li      t0, -1
        csrw    hgeie, t0
        HCHECK_CSR_MASK(hgeie, 1, 0)
        csrr    a0, hgeie
        csrw    hgeie, zero
        HCHECK_CSR(hgeie, 0)
        /* hgeip is read-only: readable, and it never has bit 0 */
        HCHECK_CSR_MASK(hgeip, 1, 0)

        /* T2: medeleg = ~0: 10 (ECALL from VS), 20, 21, 22, 23 stick;
         * 16 (double trap, not implemented) reads 0 */
        HTEST(4)
        li      t0, -1
        csrw    medeleg, t0
        HCHECK_CSR_MASK(medeleg, (1 << 10)|(1 << 20)|(1 << 21)|(1 << 22)|(1 << 23), (1 << 10)|(1 << 20)|(1 << 21)|(1 << 22)|(1 << 23))
        HCHECK_CSR_MASK(medeleg, 1 << 16, 0)

        /* T3: hedeleg = ~0: bits 15:0 = 0xb1ff (9, 10, 11 read-only
         * zero: ECALLs from HS/VS/M); 16 and 20..23 read-only zero */
        HTEST(5)
        li      t0, -1
        csrw    hedeleg, t0
        HCHECK_CSR_MASK(hedeleg, 0xffff, 0xb1ff)
        HCHECK_CSR_MASK(hedeleg, 0xf10000, 0)
        csrw    hedeleg, zero
        HCHECK_CSR(hedeleg, 0)

        /* T4: hideleg = ~0 with mideleg = 0x444: bits 15:0 = 0x444 (1, 5,
         * 9, 12 read-only zero) */
        HTEST(6)
        li      t0, -1
        csrw    hideleg, t0
        HCHECK_CSR_MASK(hideleg, 0xffff, 0x444)
        li      t0, 0x222
        csrw    mideleg, t0                    /* S bits delegated too */
        li      t0, -1
        csrw    hideleg, t0
        HCHECK_CSR_MASK(hideleg, 0xffff, 0x444)
        csrw    hideleg, zero
        HCHECK_CSR(hideleg, 0)

        /* hvip: only VSSIP, VSTIP, VSEIP are writable */
        HTEST(7)
        li      t0, -1
        csrw    hvip, t0
        HCHECK_CSR(hvip, 0x444)
        csrw    hvip, zero
        HCHECK_CSR(hvip, 0)

        /* hie: VSSIE, VSTIE, VSEIE writable (SGEIE only with GEILEN > 0);
         * the S-level bits 1, 5, 9 are read-only zero in hie */
        HTEST(8)
        li      t0, -1
        csrw    hie, t0
        HCHECK_CSR_MASK(hie, 0x0fff, 0x444)
        HCHECK_CSR_MASK(mie, 0x444, 0x444)     /* hie bits alias mie */
        csrw    hie, zero
        HCHECK_CSR_MASK(mie, 0x444, 0)

        /* hcounteren: CY, TM, IR writable (QEMU and rvjit implement them);
         * htimedelta and vsscratch are plain read/write */
        HTEST(9)
        li      t0, 7
        csrw    hcounteren, t0
        HCHECK_CSR_MASK(hcounteren, 7, 7)
        csrw    hcounteren, zero
        HCHECK_CSR(hcounteren, 0)
        HCHECK_WARL(htimedelta, 0x123456789abcdef0, 0x123456789abcdef0)
        HCHECK_WARL(htimedelta, 0, 0)
        HCHECK_WARL(vsscratch, 0xfedcba9876543210, 0xfedcba9876543210)

        /* htval must be able to hold 0 */
        HTEST(10)
        HCHECK_WARL(htval, 0, 0)
        HCHECK_WARL(CSR_MTVAL2, 0, 0)

        /* hstatus: SPV, SPVP, HU, VTVM, VTW, VTSR, GVA writable and
         * clearable; VSXL reads 2 (VSXLEN = 64) */
        HTEST(11)
        li      t0, HSTATUS_GVA|HSTATUS_SPV|HSTATUS_SPVP|HSTATUS_HU|HSTATUS_VTVM|HSTATUS_VTW|HSTATUS_VTSR
        csrw    hstatus, t0
        HCHECK_CSR_MASK(hstatus, 0x7003c0, 0x7003c0)
        HCHECK_CSR_MASK(hstatus, 3 << 32, 2 << 32)
        csrw    hstatus, zero
        HCHECK_CSR_MASK(hstatus, 0x7003c0, 0)
        HCHECK_CSR_MASK(hstatus, 3 << 32, 2 << 32)

        /* vsstatus: UXL reads 2; SD summarises vsstatus.FS only */
        HTEST(12)
        HCHECK_CSR_MASK(vsstatus, 3 << 32, 2 << 32)
        li      t0, MSTATUS_SUM|MSTATUS_MXR|MSTATUS_SPP|MSTATUS_SPIE|MSTATUS_SIE
        csrw    vsstatus, t0
        HCHECK_CSR_MASK(vsstatus, MSTATUS_SUM|MSTATUS_MXR|MSTATUS_SPP|MSTATUS_SPIE|MSTATUS_SIE, MSTATUS_SUM|MSTATUS_MXR|MSTATUS_SPP|MSTATUS_SPIE|MSTATUS_SIE)
        /* vsstatus is not a view of mstatus: mstatus unchanged */
        HCHECK_CSR_MASK(mstatus, MSTATUS_SUM|MSTATUS_MXR|MSTATUS_SPP|MSTATUS_SPIE|MSTATUS_SIE, 0)
        csrw    vsstatus, zero

        /* mstatus.MPV (39) and GVA (38) are writable from M */
        HTEST(13)
        li      t0, MSTATUS_MPV|MSTATUS_GVA
        csrs    mstatus, t0
        HCHECK_CSR_MASK(mstatus, MSTATUS_MPV|MSTATUS_GVA, MSTATUS_MPV|MSTATUS_GVA)
        csrc    mstatus, t0
        HCHECK_CSR_MASK(mstatus, MSTATUS_MPV|MSTATUS_GVA, 0)

        /* T7: hgatp Sv39x4 with all VMID and PPN bits: MODE = 8 sticks and
         * VMID reads back a value with its low bits set (VMIDLEN >= 1) */
        HTEST(14)
        li      t0, (8 << 60) | (0x3fff << 44) | 0x0fffffffffff
        csrw    hgatp, t0
        HCHECK_CSR_MASK(hgatp, 0xf << 60, 8 << 60)
        HCHECK_CSR_MASK(hgatp, 1 << 44, 1 << 44)
        /* bits 59:58 are read-only zero */
        HCHECK_CSR_MASK(hgatp, 3 << 58, 0)
        csrw    hgatp, zero
        HCHECK_CSR(hgatp, 0)

        /* T7: VMID is writable while MODE = Bare (the probe Linux KVM and
         * Xvisor use); hypervisor.adoc leaves it UNSPECIFIED, rvjit
         * follows QEMU and Spike */
        HTEST(15)
        li      t0, 0x3fff << 44
        csrw    hgatp, t0
        csrr    a0, hgatp
        HCHECK_REG_MASK(a0, 0xf << 60, 0)
        HCHECK_REG_MASK(a0, 1 << 44, 1 << 44)
        csrw    hgatp, zero

        /* vsatp: Sv39 MODE sticks; writing Bare clears */
        HTEST(16)
        la      t0, h_vroot
        srli    t0, t0, 12
        li      t1, SATP_MODE_SV39
        or      t0, t0, t1
        csrw    vsatp, t0
        csrr    a0, vsatp
        HFAIL_UNLESS_EQ(a0, t0)
        csrw    vsatp, zero
        HCHECK_CSR(vsatp, 0)

        /* henvcfg: FIOM writable */
        HTEST(17)
        HCHECK_WARL(henvcfg, 1, 1)
        HCHECK_WARL(henvcfg, 0, 0)

/* ---- cases where QEMU 7.2 deviates from the spec (listed in
 *      tests/test_h_programs.py) ---------------------------------------- */

        /* T1: GEILEN = 0 (hgeie all zero) => mideleg[12] read-only zero.
         * QEMU 7.2 forces bit 12 (SGEI) even without guest external
         * interrupt files. */
        HTEST(30)
        li      t0, -1
        csrw    hgeie, t0
        csrr    a1, hgeie
        csrw    hgeie, zero
        csrw    mideleg, zero
        csrr    a0, mideleg
        bnez    a1, 1f
        HCHECK_REG_MASK(a0, 0x1444, 0x444)
        j       2f
1:      HCHECK_REG_MASK(a0, 0x1444, 0x1444)
2:

        /* T2: medeleg[11] (ECALL from M) is read-only zero
         * (machine.adoc, "Machine Trap Delegation Register") */
        HTEST(31)
        li      t0, -1
        csrw    medeleg, t0
        HCHECK_CSR_MASK(medeleg, 1 << 11, 0)

        /* T6: hstatus = ~0 reads 0x0000_0002_0070_03c0: VSBE RO0 (little
         * endian only), VGEIN RO0 (GEILEN = 0), WPRI bits zero */
        HTEST(32)
        li      t0, -1
        csrw    hstatus, t0
        HCHECK_CSR(hstatus, 0x00000002007003c0)

        /* T7: in Sv39x4 the root is 16 KiB aligned: PPN[1:0] read 0 */
        HTEST(33)
        li      t0, (8 << 60) | 0x0fffffffffff
        csrw    hgatp, t0
        HCHECK_CSR_MASK(hgatp, 3, 0)

        /* T7: an unsupported MODE (10 = Sv57x4, or reserved 15) is WARL:
         * the field is legalised to a supported value, never kept */
        HTEST(34)
        li      t0, (8 << 60)
        csrw    hgatp, t0
        li      t0, (15 << 60)
        csrw    hgatp, t0
        csrr    a0, hgatp
        srli    a0, a0, 60
        li      t1, 15
        bne     a0, t1, 1f
        jal     t6, h_fail
1:
        HDONE
