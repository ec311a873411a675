"""A hostile-guest fuzzer.  It runs seeded pages of random machine code at every privilege mode
(M, S, U, and VS and VU with V=1), in both tiers: the interpreter alone (hot threshold 0) and
LLVM compiling every block (1).  Traps are delegated at random and every trap vector points
either into the page, so traps run more random code, or to a stub that returns past the
trapping instruction (traps that do not retire would otherwise spin until the time limit).  A
page runs until an instruction limit.  The host must never crash and never raise; the hart must
stay in a real mode.

The pages run in a child process (`python tests/test_fuzz_guest.py SEED COUNT`), so a host
crash is reported with its seed instead of ending the test run.  The default run does a
bounded count; the `slow` mark runs 10^6 pages."""
from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGE = 4096
INSNS_PER_PAGE = 2000
# (priv, V): M, HS, U, VS, VU
MODES = ((3, 0), (1, 0), (0, 0), (1, 1), (0, 1))
TIERS = (0, 1)          # RVJIT_HOT: interpreter only; compile every block
# Major opcodes (RISC-V unprivileged spec, table "RISC-V base opcode map"), so that most
# random words decode to something.
OPCODES = (0x03, 0x07, 0x0F, 0x13, 0x17, 0x1B, 0x23, 0x27, 0x2F, 0x33, 0x37, 0x3B, 0x43, 0x47,
           0x4B, 0x4F, 0x53, 0x63, 0x67, 0x6F, 0x73)
# CSR numbers (privileged spec, tables "Currently allocated RISC-V ... CSR addresses").
CSR_MSTATUS, CSR_MEDELEG, CSR_MIDELEG, CSR_MIE, CSR_MTVEC = 0x300, 0x302, 0x303, 0x304, 0x305
CSR_STVEC, CSR_VSTVEC, CSR_HEDELEG, CSR_HIDELEG = 0x105, 0x205, 0x602, 0x603
CSR_PMPCFG0, CSR_PMPADDR0 = 0x3A0, 0x3B0
PMP_NAPOT_RWX = 0x1F                    # A=NAPOT, X, W, R: all of memory for S and U
MSTATUS_FS_VS = (3 << 13) | (3 << 9)    # FP and vector state on (dirty)
# Trap handlers that return to the instruction after the trapping one: t0 = xepc + 4.
M_STUB = (0x341022F3, 0x00428293, 0x34129073, 0x30200073)   # csrr mepc; addi; csrw; mret
S_STUB = (0x141022F3, 0x00428293, 0x14129073, 0x10200073)   # (sepc is vsepc with V=1); sret


def random_page(rng: random.Random) -> bytes:
    """Instructions of the base opcodes with random fields, compressed pairs and raw words."""
    words = []
    for _ in range(PAGE // 4):
        kind = rng.random()
        if kind < 0.6:
            words.append(rng.getrandbits(25) << 7 | rng.choice(OPCODES))
        elif kind < 0.8:
            words.append(rng.getrandbits(32) & ~0x0003_0003 | rng.randrange(3) << 16
                         | rng.randrange(3))
        else:
            words.append(rng.getrandbits(32))
    return b"".join(w.to_bytes(4, "little") for w in words)


class Fuzzer:
    """One machine per tier, reused from page to page."""

    def __init__(self, hot: int) -> None:
        from rvjit.machine.virt import VIRT_DRAM, MachineConfig, VirtMachine
        self.base = VIRT_DRAM + 0x10000
        self.m = VirtMachine(MachineConfig(
            ram_size=1 << 20, hot_threshold=hot, max_insns=INSNS_PER_PAGE, max_seconds=0.02,
            block_budget=64, compile_workers=0, disk_cache=False, output=lambda b: None))

    def _csr(self, cpu, csrno: int, value: int) -> None:
        out = self.m.ffi.new("uint64_t *")
        self.m.lib.rt_csr_access(cpu, csrno, 0, 1, value, out, 0)

    def run_page(self, rng: random.Random, priv: int, virt: int) -> tuple[int, int, int, str]:
        """Run one random page at (priv, virt); (priv, virt, mcause, stop reason) after it."""
        m, lib = self.m, self.m.lib
        page = random_page(rng)
        m.engine.flush_all()
        m.exit_code = None
        stubs = b"".join(w.to_bytes(4, "little") for w in M_STUB + S_STUB)
        m.memory.write_bytes(self.base, page + stubs)
        cpu = m.harts[0].cpu
        entry = self.base + rng.randrange(PAGE // 2) * 2
        lib.rt_reset_cpu(cpu, 0, entry)
        cpu.instret = 0
        for i in range(1, 32):
            cpu.x[i] = rng.choice((0, self.base + rng.randrange(PAGE), rng.getrandbits(64)))
        self._csr(cpu, CSR_PMPADDR0, (1 << 54) - 1)
        self._csr(cpu, CSR_PMPCFG0, PMP_NAPOT_RWX)
        self._csr(cpu, CSR_MSTATUS, MSTATUS_FS_VS if rng.random() < 0.5 else 0)
        for csr in (CSR_MEDELEG, CSR_MIDELEG, CSR_HEDELEG, CSR_HIDELEG):
            self._csr(cpu, csr, rng.getrandbits(64))
        # (the machine timer is pending from reset: enabled interrupts are a storm of traps)
        self._csr(cpu, CSR_MIE, rng.getrandbits(64) if rng.random() < 0.25 else 0)
        for csr, stub in ((CSR_MTVEC, PAGE), (CSR_STVEC, PAGE + 16), (CSR_VSTVEC, PAGE + 16)):
            at = stub if rng.random() < 0.75 else rng.randrange(PAGE // 4) * 4 | rng.randrange(2)
            self._csr(cpu, csr, self.base + at)
        cpu.priv, cpu.virt = priv, virt
        lib.rt_update_flags(cpu)
        lib.rt_tlb_flush(cpu)
        reason = m.run().reason
        return cpu.priv, cpu.virt, cpu.mcause, reason


def fuzz(seed: int, count: int) -> dict:
    """Run `count` pages from `seed`, spread over the modes and tiers; what they did."""
    fuzzers = {hot: Fuzzer(hot) for hot in TIERS}
    reasons: dict[str, int] = {}
    ended_in: dict[str, int] = {}
    for n in range(count):
        rng = random.Random(seed * 1_000_003 + n)
        priv, virt = MODES[n % len(MODES)]
        hot = TIERS[n // len(MODES) % len(TIERS)]
        p, v, mcause, reason = fuzzers[hot].run_page(rng, priv, virt)
        assert p in (0, 1, 3) and v in (0, 1) and not (p == 3 and v), (seed, n, p, v)
        assert mcause & ~(1 << 63) < 64, (seed, n, hex(mcause))
        reasons[reason] = reasons.get(reason, 0) + 1
        key = f"{p}{'v' if v else ''}"
        ended_in[key] = ended_in.get(key, 0) + 1
    return {"pages": count, "reasons": reasons, "ended_in": ended_in}


def run_child(seed: int, count: int, timeout: float) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT), RVJIT_DISK_CACHE="0")
    p = subprocess.run([sys.executable, __file__, str(seed), str(count)], capture_output=True,
                       text=True, timeout=timeout, env=env, stdin=subprocess.DEVNULL)
    assert p.returncode == 0, f"seed {seed}: exit {p.returncode}\n{p.stderr[-4000:]}"
    return json.loads(p.stdout.splitlines()[-1])


def test_random_pages_at_every_mode_and_tier():
    result = run_child(seed=18, count=120, timeout=300)
    assert result["pages"] == 120
    # The pages ran to their limit or stopped the machine; they ended in several modes.
    assert set(result["reasons"]) <= {"insn-limit", "time-limit", "halt"}
    assert len(result["ended_in"]) >= 2


@pytest.mark.slow
def test_a_million_random_pages():
    """10^6 pages in chunks of 5000, one child each (RVJIT_FUZZ_PAGES overrides the total)."""
    total = int(os.environ.get("RVJIT_FUZZ_PAGES", 10**6))
    chunk = 5000
    t0 = time.perf_counter()
    done = 0
    for seed in range(1000, 1000 + (total + chunk - 1) // chunk):
        done += run_child(seed, min(chunk, total - done), timeout=3600)["pages"]
    print(f"{done} pages in {time.perf_counter() - t0:.0f} s, 0 host crashes")
    assert done == total


if __name__ == "__main__":
    print(json.dumps(fuzz(int(sys.argv[1]), int(sys.argv[2]))))
