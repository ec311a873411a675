"""FENCE.I code-page tracking (native/codepages.c) and TLB write grants (native/mem.c), driven
on a real machine in both tiers: code changed by device DMA is seen after FENCE.I; a FENCE.I
that finds nothing changed stays in native code; data sharing a page with code is stored
through the TLB fast path between FENCE.Is; a load's TLB fill grants stores only when the
PTE is writable and already dirty (privileged spec 4.3.1: a store must set D)."""
from __future__ import annotations

import dataclasses
import struct

import pytest
from test_virtio import Driver, _req

from rvjit.hw.virtio_blk import SECTOR, T_IN, VirtioBlk
from rvjit.machine.virt import VIRT_DRAM, MachineConfig, VirtMachine

FN = VIRT_DRAM + 0x21000      # the function; also the data buffer of the virtio request (_req)
RESULT = VIRT_DRAM + 0x40004
RET = 0x00008067              # jalr x0, 0(ra)
FENCE_I = 0x0000100F


def addi(rd: int, rs1: int, imm: int) -> int:
    return ((imm & 0xFFF) << 20) | (rs1 << 15) | (rd << 7) | 0x13


def sw(rs2: int, rs1: int, imm: int) -> int:
    return (((imm >> 5) & 0x7F) << 25) | (rs2 << 20) | (rs1 << 15) | (2 << 12) | \
        ((imm & 0x1F) << 7) | 0x23


def lw(rd: int, rs1: int, imm: int) -> int:
    return ((imm & 0xFFF) << 20) | (rs1 << 15) | (2 << 12) | (rd << 7) | 0x03


def bne(rs1: int, rs2: int, off: int) -> int:
    o = off & 0x1FFF
    return (((o >> 12) & 1) << 31) | (((o >> 5) & 0x3F) << 25) | (rs2 << 20) | (rs1 << 15) | \
        (1 << 12) | (((o >> 1) & 0xF) << 8) | (((o >> 11) & 1) << 7) | 0x63


def jal(rd: int, off: int) -> int:
    o = off & 0x1FFFFF
    return (((o >> 20) & 1) << 31) | (((o >> 1) & 0x3FF) << 21) | (((o >> 11) & 1) << 20) | \
        (((o >> 12) & 0xFF) << 12) | (rd << 7) | 0x6F


def words(*ws: int) -> bytes:
    return b"".join(struct.pack("<I", w) for w in ws)


# At VIRT_DRAM: t0 = FN, t1 = RESULT; forever { a0 = FN(); *t1 = a0; `body`; fence.i }.
def main_loop(body: tuple[int, ...] = ()) -> bytes:
    prologue = (0x00021297, 0x00040317)          # auipc t0, 0x21; auipc t1, 0x40
    loop = (0x000280E7, sw(10, 6, 0)) + body + (FENCE_I,)   # jalr ra, 0(t0); sw a0, 0(t1)
    return words(*prologue, *loop, jal(0, -4 * len(loop)))


def machine(hot: int) -> VirtMachine:
    return VirtMachine(MachineConfig(ram_size=1 << 20, hot_threshold=hot, max_insns=0))


def run_more(m: VirtMachine, insns: int) -> None:
    m.cfg = dataclasses.replace(m.cfg, max_insns=m.guest_insns() + insns)
    m.run()


def start(m: VirtMachine, code: bytes, fn: bytes) -> None:
    m.memory.write_bytes(VIRT_DRAM, code)
    m.memory.write_bytes(FN, fn)
    m.lib.rt_reset_cpu(m.harts[0].cpu, 0, VIRT_DRAM)


def fence_count(m: VirtMachine) -> int:
    out = m.ffi.new("uint64_t[8]")
    m.lib.rt_code_pages_stats(m.rt, out)
    return out[0]


def result(m: VirtMachine) -> int:
    return struct.unpack("<I", m.memory.read_bytes(RESULT, 4))[0]


class GuestRam:
    """The virtio test driver's addresses, offset into guest RAM."""

    def __init__(self, m: VirtMachine) -> None:
        self.m = m

    def read_bytes(self, addr: int, n: int) -> bytes:
        return self.m.memory.read_bytes(VIRT_DRAM + addr, n)

    def write_bytes(self, addr: int, data: bytes) -> None:
        self.m.memory.write_bytes(VIRT_DRAM + addr, data)


@pytest.mark.parametrize("hot", [0, 1], ids=["interp", "llvm"])
def test_fence_i_sees_code_written_by_virtio_blk_dma(tmp_path, hot):
    m = machine(hot)
    start(m, main_loop(), words(addi(10, 0, 1), RET))
    run_more(m, 20000)
    assert result(m) == 1
    # Thousands of FENCE.Is found nothing written: none left native code.
    assert m.engine.stats.flushes == 0
    img = tmp_path / "disk.img"
    img.write_bytes(words(addi(10, 0, 2), RET).ljust(SECTOR * 2, b"\0"))
    ram = GuestRam(m)
    blk = VirtioBlk(ram, str(img))
    status, _ = _req(ram, Driver(blk, ram), T_IN, 0, SECTOR)
    assert status == 0
    run_more(m, 20000)
    assert result(m) == 2
    assert m.engine.stats.flushes == 1


@pytest.mark.parametrize("hot", [0, 1], ids=["interp", "llvm"])
def test_fence_i_sees_code_written_by_the_host(hot):
    m = machine(hot)
    start(m, main_loop(), words(addi(10, 0, 1), RET))
    run_more(m, 5000)
    assert result(m) == 1
    m.memory.write_bytes(FN, words(addi(10, 0, 3)))
    run_more(m, 5000)
    assert result(m) == 3


@pytest.mark.parametrize("hot", [0, 1], ids=["interp", "llvm"])
def test_data_in_a_code_page_is_stored_at_full_speed(hot):
    # Between FENCE.Is the loop stores 100 times into the function's page (the same value, so
    # every FENCE.I finds the page unchanged and arms it again).
    body = (addi(7, 0, 100), sw(0, 5, 0x7F0), addi(7, 7, -1), bne(7, 0, -8))
    m = machine(hot)
    start(m, main_loop(body), words(addi(10, 0, 1), RET))
    cpu = m.harts[0].cpu
    run_more(m, 2000)
    slow0, fences0 = cpu.stat_slow_access, fence_count(m)
    run_more(m, 60000)
    assert result(m) == 1
    assert m.engine.stats.flushes == 0
    rounds = fence_count(m) - fences0
    assert rounds >= 100
    # One slow store per round (the first after FENCE.I armed the page), not one per store.
    assert cpu.stat_slow_access - slow0 <= rounds + 2
    m.memory.write_bytes(FN, words(addi(10, 0, 4)))
    run_more(m, 2000)
    assert result(m) == 4


# Sv39 in S-mode: VA 0x40000000 is a 1 GiB page onto RAM with W = 1 and the given D bit.
ROOT = VIRT_DRAM + 0x10000
DATA_VA = 0x4000_0000
PTE_V, PTE_R, PTE_W, PTE_X, PTE_A, PTE_D = 1, 2, 4, 8, 0x40, 0x80


@pytest.mark.parametrize("hot", [0, 1], ids=["interp", "llvm"])
@pytest.mark.parametrize("dirty", [False, True], ids=["clean", "dirty"])
def test_load_fill_grants_stores_only_for_dirty_writable_pages(hot, dirty):
    m = machine(hot)
    mem, lib, cpu = m.memory, m.lib, m.harts[0].cpu
    mem.write_bytes(ROOT, bytes(4096))
    leaf = PTE_V | PTE_R | PTE_W | PTE_A | (PTE_D if dirty else 0)
    ppn = VIRT_DRAM >> 12
    mem.write_bytes(ROOT + 8 * 1, struct.pack("<Q", (ppn << 10) | leaf))         # the data
    mem.write_bytes(ROOT + 8 * 2, struct.pack("<Q", (ppn << 10) | 0xCF))         # code: RWXAD
    # a2 = DATA_VA + 0x30000; lw a1, 0(a2); sw a1, 4(a2); j .
    code = words(0x40000637, addi(12, 12, 0), 0x000306B7, 0x00D60633,  # lui a2; lui a3; add
                 lw(11, 12, 0), sw(11, 12, 4), jal(0, 0))
    mem.write_bytes(VIRT_DRAM + 0x1000, code)
    lib.rt_reset_cpu(cpu, 0, VIRT_DRAM + 0x1000)
    cpu.pmpaddr[0] = (1 << 54) - 1
    cpu.pmpcfg0 = 0x1F
    cpu.satp = (8 << 60) | (ROOT >> 12)
    cpu.priv = 1
    lib.rt_tlb_flush(cpu)
    lib.rt_update_flags(cpu)
    miss0 = cpu.stat_tlb_miss
    run_more(m, 200)
    pte = struct.unpack("<Q", mem.read_bytes(ROOT + 8, 8))[0]
    assert pte & PTE_D          # the store set D (a clean page's load fill did not grant it)
    # The load's fill: a dirty page also takes the store; a clean one misses again.
    assert cpu.stat_tlb_miss - miss0 == (1 if dirty else 2)
