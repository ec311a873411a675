"""The run loop's jump cache (native/dispatch.c) is per hart: two harts whose address spaces
(satp) map the same virtual address to different code each run their own code (privileged
spec 4.1.11: satp is a per-hart register; a translation cached for one hart says nothing about
another).  Also: fetches through the TLB (tag_x) give the same physical pc as a walk."""
from __future__ import annotations

import dataclasses
import struct

import pytest

from rvjit.machine.virt import VIRT_DRAM, MachineConfig, VirtMachine

CODE_VA = 0x4000_0000
PTE_V, PTE_LEAF = 0x1, 0xCF            # pointer; leaf with V R W X A D
SATP_SV39 = 8 << 60


def addi(rd: int, rs1: int, imm: int) -> int:
    return ((imm & 0xFFF) << 20) | (rs1 << 15) | (rd << 7) | 0x13


def jal_back(nbytes: int) -> int:
    """jal x0, -nbytes."""
    o = -nbytes & 0x1FFFFF
    return (((o >> 20) & 1) << 31) | (((o >> 1) & 0x3FF) << 21) | (((o >> 11) & 1) << 20) | \
        (((o >> 12) & 0xFF) << 12) | 0x6F


def pte(paddr: int, flags: int) -> bytes:
    return struct.pack("<Q", (paddr >> 12) << 10 | flags)


def address_space(m: VirtMachine, tables: int, code: int) -> int:
    """Sv39 tables at `tables` (three pages) mapping CODE_VA -> `code` (4 KiB page) and the
    DRAM gigapage to itself; returns satp."""
    root, l1, l0 = tables, tables + 0x1000, tables + 0x2000
    mem = m.memory
    for t in (root, l1, l0):
        mem.write_bytes(t, bytes(4096))
    mem.write_bytes(root + 8 * (CODE_VA >> 30), pte(l1, PTE_V))
    mem.write_bytes(root + 8 * (VIRT_DRAM >> 30), pte(VIRT_DRAM, PTE_LEAF))
    mem.write_bytes(l1 + 8 * ((CODE_VA >> 21) & 511), pte(l0, PTE_V))
    mem.write_bytes(l0 + 8 * ((CODE_VA >> 12) & 511), pte(code, PTE_LEAF))
    return SATP_SV39 | root >> 12


@pytest.mark.parametrize("hot", [0, 1], ids=["interp", "llvm"])
def test_harts_with_different_address_spaces_run_their_own_code(hot):
    m = VirtMachine(MachineConfig(ram_size=1 << 20, smp=2, hot_threshold=hot, max_insns=0))
    lib = m.lib
    for i, h in enumerate(m.harts):
        code = VIRT_DRAM + 0x20000 + 0x1000 * i
        # a0 = 100 + hart; a1 += 1 forever (the loop runs long enough to reach both tiers)
        m.memory.write_bytes(code, struct.pack("<III", addi(10, 0, 100 + i), addi(11, 11, 1),
                                               jal_back(4)))
        satp = address_space(m, VIRT_DRAM + 0x10000 + 0x3000 * i, code)
        cpu = h.cpu
        lib.rt_reset_cpu(cpu, i, CODE_VA)
        cpu.pmpaddr[0] = (1 << 54) - 1
        cpu.pmpcfg0 = 0x1F              # NAPOT over everything, R W X
        cpu.satp = satp
        cpu.priv = 1
        lib.rt_tlb_flush(cpu)
        lib.rt_update_flags(cpu)
    m.cfg = dataclasses.replace(m.cfg, max_insns=20_000)
    m.run()
    for i, h in enumerate(m.harts):
        assert h.cpu.x[11] > 0, f"hart {i} did not run"
        assert h.cpu.x[10] == 100 + i, f"hart {i} ran the other hart's code"
        # The fetch path's physical address is the page this hart maps, after a walk and from
        # the TLB entry that the walk filled.
        lib.rt_tlb_flush(h.cpu)
        for _ in range(2):
            assert m.engine.fetch_paddr(h.cpu, CODE_VA + 4) == VIRT_DRAM + 0x20000 + 0x1000 * i + 4

