"""Differential tests: random user-level RV64IMAC sequences on rvjit vs unicorn.

Each example is a random program (tests/difftest/gen.py: ALU, LUI/AUIPC, M, loads/stores of
every width incl. misaligned and page-crossing ones, RV64C, forward branches and jumps, AMOs and
LR/SC) and random x1..x31.  unicorn runs it from 0x8000_0000 to its end; rvjit runs it on a fresh
VirtMachine up to an ebreak placed at the end.  Registers x1..x31, the stop address and the 64 KiB
data region must agree.

Default run: 8,400 examples on the interpreter tier and 1,600 on the LLVM tier (1,000 with
single-block regions, 600 with multi-block regions; see difftest/rvjit_ref.py), derandomized so
CI is reproducible.  `pytest -m slow` runs many more with a fixed (overridable: DIFFTEST_SEED)
seed.
"""
from __future__ import annotations

import os

import pytest
from difftest.gen import DATA_BASE, Program, format_regs, initial_regs, programs
from difftest.rvjit_ref import run_rvjit
from difftest.unicorn_ref import Outcome, run_unicorn
from hypothesis import HealthCheck, given, seed, settings

INTERP_EXAMPLES = 8_400
LLVM_EXAMPLES = 1_000
LLVM_REGION_EXAMPLES = 600
SLOW_INTERP_EXAMPLES = 200_000
SLOW_LLVM_EXAMPLES = 20_000
SLOW_SEED = int(os.environ.get("DIFFTEST_SEED", "20240521"))

_SUPPRESS = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
             HealthCheck.large_base_example]
DEFAULT = dict(deadline=None, derandomize=True, database=None, suppress_health_check=_SUPPRESS,
               print_blob=False)
SLOW = dict(deadline=None, database=None, suppress_health_check=_SUPPRESS)


def _data_diffs(ref: bytes, got: bytes, limit: int = 8) -> list[str]:
    """Runs of differing bytes, as 'addr: unicorn=.. rvjit=..' lines."""
    out, i, n = [], 0, len(ref)
    while i < n and len(out) < limit:
        if ref[i] == got[i]:
            i += 1
            continue
        j = i
        while j < n and j - i < 16 and ref[j] != got[j]:
            j += 1
        out.append(f"  [{DATA_BASE + i:#x}, +{j - i}): unicorn={ref[i:j].hex()} "
                   f"rvjit={got[i:j].hex()}")
        i = j
    return out


def compare(prog: Program, regs: list[int], ref: Outcome, got: Outcome, tier: str) -> str | None:
    """None if rvjit agrees with unicorn, else a report of the program and the differences."""
    problems = []
    if ref.error:
        problems.append(f"reference failed: {ref.error}")
    if got.error:
        problems.append(got.error)
    if got.pc != ref.pc and not (ref.error or got.error):
        problems.append(f"stop pc: unicorn={ref.pc:#x} rvjit={got.pc:#x}")
    for i, (a, b) in enumerate(zip(ref.regs, got.regs, strict=True), start=1):
        if a != b:
            problems.append(f"x{i}: unicorn={a:#018x} rvjit={b:#018x}")
    if ref.data != got.data:
        ndiff = sum(1 for a, b in zip(ref.data, got.data, strict=True) if a != b)
        problems.append(f"data region: {ndiff} bytes differ")
        problems += _data_diffs(ref.data, got.data)
    if not problems:
        return None
    return "\n".join([f"rvjit ({tier}) disagrees with unicorn on:", prog.listing(),
                      f"{prog.end:#010x}: (end)", "initial registers:", format_regs(regs),
                      "differences:", *problems])


def check(prog: Program, regs: list[int], hot_threshold: int) -> None:
    ref = run_unicorn(prog.code, prog.end, regs)
    got = run_rvjit(prog.code, prog.end, regs, hot_threshold)
    tier = {0: "interpreter", 1: "LLVM, single-block regions"}.get(
        hot_threshold, "LLVM, multi-block regions")
    report = compare(prog, regs, ref, got, tier)
    if report:
        pytest.fail(report, pytrace=False)
    if hot_threshold and not got.error:
        # The reported run must have executed compiled code only.
        assert got.interp_blocks == 0 and got.native_blocks > 0, (got.interp_blocks,
                                                                  got.native_blocks)


# ---- default run --------------------------------------------------------------------------------

@settings(max_examples=INTERP_EXAMPLES, **DEFAULT)
@given(prog=programs(), regs=initial_regs())
def test_diff_interpreter(prog, regs):
    check(prog, regs, hot_threshold=0)


@settings(max_examples=LLVM_EXAMPLES, **DEFAULT)
@given(prog=programs(), regs=initial_regs())
def test_diff_llvm(prog, regs):
    check(prog, regs, hot_threshold=1)


@settings(max_examples=LLVM_REGION_EXAMPLES, **DEFAULT)
@given(prog=programs(), regs=initial_regs())
def test_diff_llvm_regions(prog, regs):
    check(prog, regs, hot_threshold=2)


# ---- long runs ----------------------------------------------------------------------------------

@pytest.mark.slow
@seed(SLOW_SEED)
@settings(max_examples=SLOW_INTERP_EXAMPLES, **SLOW)
@given(prog=programs(), regs=initial_regs())
def test_diff_interpreter_long(prog, regs):
    check(prog, regs, hot_threshold=0)


@pytest.mark.slow
@seed(SLOW_SEED)
@settings(max_examples=SLOW_LLVM_EXAMPLES, **SLOW)
@given(prog=programs(), regs=initial_regs())
def test_diff_llvm_long(prog, regs):
    check(prog, regs, hot_threshold=1)


@pytest.mark.slow
@seed(SLOW_SEED)
@settings(max_examples=SLOW_LLVM_EXAMPLES, **SLOW)
@given(prog=programs(), regs=initial_regs())
def test_diff_llvm_regions_long(prog, regs):
    check(prog, regs, hot_threshold=2)


# ---- the harness itself -------------------------------------------------------------------------

def test_harness_reports_differences():
    """A wrong register or byte must produce a report naming it."""
    from difftest.gen import AddrSetup, i_imm, i_store
    prog = Program((i_imm("addi", 5, 0, 7), AddrSetup(31, DATA_BASE + 16),
                    i_store("sd", 5, 31, 0)))
    regs = [0] * 31
    ref = run_unicorn(prog.code, prog.end, regs)
    got = run_rvjit(prog.code, prog.end, regs, 0)
    assert ref.error is None and compare(prog, regs, ref, got, "interpreter") is None
    assert ref.regs[4] == 7 and ref.data[16:24] == (7).to_bytes(8, "little")
    got.regs[4] ^= 1
    got.data = got.data[:16] + b"\xff" + got.data[17:]
    report = compare(prog, regs, ref, got, "interpreter")
    assert "x5: unicorn=0x0000000000000007 rvjit=0x0000000000000006" in report
    assert f"[{DATA_BASE + 16:#x}, +1): unicorn=07 rvjit=ff" in report
    assert "sd x5, 0(x31)" in report


def test_encoder_matches_gnu_objdump(tmp_path):
    """The generator's own encoder and listing agree with GNU objdump (where installed)."""
    import re
    import shutil
    import subprocess

    objdump = shutil.which("riscv64-unknown-elf-objdump")
    if objdump is None:
        pytest.skip("riscv64-unknown-elf-objdump not installed")
    progs: list[Program] = []

    @settings(max_examples=150, **DEFAULT)
    @given(prog=programs())
    def collect(prog):
        progs.append(prog)

    collect()
    rel = {"beq", "bne", "blt", "bge", "bltu", "bgeu", "jal", "c.j", "c.beqz", "c.bnez"}
    num = re.compile(r"-?(?:0x[0-9a-f]+|\d+)")
    seen = set()
    for k, prog in enumerate(progs):
        path = tmp_path / f"p{k}.bin"
        path.write_bytes(prog.code)
        out = subprocess.run([objdump, "-D", "-b", "binary", "-m", "riscv:rv64", "-M",
                              "no-aliases,numeric", f"--adjust-vma={prog.base:#x}", str(path)],
                             capture_output=True, text=True, check=True).stdout
        dis = {}
        for line in out.splitlines():
            m = re.match(r"\s*([0-9a-f]+):\s+[0-9a-f]+\s+(\S+)\s*(.*)", line)
            if m:
                dis[int(m.group(1), 16)] = (m.group(2), m.group(3).split("#")[0].split("<")[0])
        for ln in prog.lines:
            mine = ln.text.split("#")[0].split("->")[0].strip()
            name = mine.split()[0]
            seen.add(name.split(".")[0] if not name.startswith("c.") else name)
            assert ln.pc in dis, f"objdump does not decode {ln}"
            dname, dops = dis[ln.pc]
            assert dname == name, f"{ln} decodes as {dname} {dops}"
            a = [int(x, 0) for x in num.findall(mine[len(name):].replace("sp", "x2"))]
            b = [int(x, 0) for x in num.findall(dops)]
            if name in rel:
                a[-1] += ln.pc
            if name in ("lui", "auipc", "c.lui"):
                a, b = [x & 0xFFFFF for x in a], [x & 0xFFFFF for x in b]
            assert a == b, f"{ln}: objdump has {dname} {dops}"
    assert len(seen) > 60, sorted(seen)
