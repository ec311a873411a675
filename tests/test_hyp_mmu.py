"""Two-stage translation faults (hypervisor spec "Guest-Page Faults", "Transformed Instruction
or Pseudoinstruction for mtinst or htinst"), driven directly on the native runtime in both
tiers: the GPA in mtval2, GVA, and the transformed instruction or implicit-access
pseudoinstruction in mtinst.  tests/guest/hext has the full guest programs; these pin the
values those programs accept either way (0 or the transformed instruction)."""
from __future__ import annotations

import pytest

from rvjit.cpu.causes import Exc
from rvjit.machine.virt import VIRT_DRAM, MachineConfig, VirtMachine

MSTATUS_GVA = 1 << 38
MSTATUS_MPV = 1 << 39
G_ROOT = VIRT_DRAM + 0x10000          # 16 KiB aligned Sv39x4 root
CODE = VIRT_DRAM + 0x1000
HANDLER = VIRT_DRAM + 0x800
J_SELF = 0x0000006F
HOLE = 0xC000_0000                    # root entry 3: invalid

_machines: dict[int, VirtMachine] = {}


def _machine(hot: int) -> VirtMachine:
    if hot not in _machines:
        _machines[hot] = VirtMachine(MachineConfig(ram_size=1 << 20, hot_threshold=hot,
                                                   max_seconds=0.05))
    m = _machines[hot]
    m.engine.flush_all()
    m.exit_code = None
    return m


def _run_vs(hot: int, code: list[tuple[int, int]], regs: dict[int, int], vsatp: int = 0):
    """Run `code` ((value, bytes) pairs) in VS-mode under an Sv39x4 G stage that maps GPA
    0x80000000 1:1 with a 1 GiB page; returns the CPU after the trap into M."""
    m = _machine(hot)
    mem, lib = m.memory, m.lib
    mem.write_bytes(G_ROOT, bytes(16384))
    # G-stage leaf V R W X U A D for GPA 0x80000000 (root index 2).
    mem.write_bytes(G_ROOT + 2 * 8, ((VIRT_DRAM >> 12 << 10) | 0xDF).to_bytes(8, "little"))
    blob = b"".join(v.to_bytes(n, "little") for v, n in code) + J_SELF.to_bytes(4, "little")
    mem.write_bytes(CODE, blob)
    mem.write_bytes(HANDLER, J_SELF.to_bytes(4, "little"))
    cpu = m.harts[0].cpu
    lib.rt_reset_cpu(cpu, 0, CODE)
    cpu.pmpaddr[0] = (1 << 54) - 1
    cpu.pmpcfg0 = 0x1F                 # NAPOT, R W X: S and U may access everything
    cpu.mtvec = HANDLER
    cpu.hgatp = (8 << 60) | (G_ROOT >> 12)
    cpu.vsatp = vsatp
    for r, v in regs.items():
        cpu.x[r] = v
    cpu.priv, cpu.virt = 1, 1
    lib.rt_tlb_flush(cpu)
    lib.rt_update_flags(cpu)
    m.run()
    assert cpu.priv == 3 and cpu.pc == HANDLER
    return cpu


LD_A0_8_A1 = 0x0085B503               # ld a0, 8(a1)
C_LD_A0_8_A1 = 0x6588                 # c.ld a0, 8(a1)
SD_A2_0_A1 = 0x00C5B023               # sd a2, 0(a1)


@pytest.mark.parametrize("hot", [0, 1])
def test_load_gpf_transformed_insn(hot):
    cpu = _run_vs(hot, [(LD_A0_8_A1, 4)], {11: HOLE + 0x100})
    assert cpu.mcause == Exc.LOAD_GUEST_PAGE_FAULT
    assert cpu.mtval == HOLE + 0x108 and cpu.mtval2 == (HOLE + 0x108) >> 2
    assert cpu.mstatus & (MSTATUS_GVA | MSTATUS_MPV) == MSTATUS_GVA | MSTATUS_MPV
    assert cpu.mtinst == 0x00003503   # imm 0, rs1 = address offset 0


@pytest.mark.parametrize("hot", [0, 1])
def test_compressed_load_gpf_writes_zero_tinst(hot):
    cpu = _run_vs(hot, [(C_LD_A0_8_A1, 2)], {11: HOLE})
    assert cpu.mcause == Exc.LOAD_GUEST_PAGE_FAULT
    assert cpu.mtval2 == (HOLE + 8) >> 2 and cpu.mtinst == 0


@pytest.mark.parametrize("hot", [0, 1])
def test_straddling_store_gpf_reports_first_faulting_byte(hot):
    cpu = _run_vs(hot, [(SD_A2_0_A1, 4)], {11: HOLE - 4, 12: 0x1122334455667788})
    assert cpu.mcause == Exc.STORE_GUEST_PAGE_FAULT
    assert cpu.mtval == HOLE and cpu.mtval2 == HOLE >> 2
    assert cpu.mtinst == 0x00C03023 | (4 << 15)   # rs1 field = address offset 4


@pytest.mark.parametrize("hot", [0, 1])
def test_fetch_through_unmapped_vs_root_is_implicit_gpf(hot):
    # vsatp Sv39 with its root table at an unmapped GPA: the PTE read faults at the G stage.
    cpu = _run_vs(hot, [], {}, vsatp=(8 << 60) | (HOLE >> 12))
    assert cpu.mcause == Exc.INSN_GUEST_PAGE_FAULT
    assert cpu.mepc == CODE and cpu.mtval == CODE
    assert cpu.mtval2 == (HOLE + ((CODE >> 30) & 0x1FF) * 8) >> 2
    assert cpu.mtinst == 0x3000       # implicit VS-stage PTE read, VSXLEN 64
    assert cpu.mstatus & MSTATUS_GVA
