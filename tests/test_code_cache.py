"""The on-disk code cache: a second run of the same program loads its regions instead of
compiling them, and behaves the same."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROG = ROOT / "build" / "guest" / "muldiv.elf"


def _run(tmp_path: Path, cache: Path, n: int) -> tuple[subprocess.CompletedProcess, dict]:
    stats = tmp_path / f"stats{n}.json"
    env = dict(os.environ, PYTHONPATH=str(ROOT), RVJIT_HOT="1", RVJIT_STATS=str(stats),
               RVJIT_CACHE_DIR=str(cache))
    p = subprocess.run([sys.executable, "-m", "rvjit", "-machine", "virt", "-bios", "none",
                        "-nographic", "-kernel", str(PROG)], capture_output=True, text=True,
                       env=env, timeout=120)
    return p, json.loads(stats.read_text())


def test_second_run_loads_compiled_code_from_disk(tmp_path):
    if not PROG.exists():
        pytest.skip("guest programs not built (make guest)")
    cache = tmp_path / "cache"
    p1, s1 = _run(tmp_path, cache, 1)
    p2, s2 = _run(tmp_path, cache, 2)
    assert p1.returncode == p2.returncode == 0
    assert p1.stdout == p2.stdout
    assert s1["code_cache_hits"] == 0 and s1["regions_compiled"] > 0
    assert s2["code_cache_hits"] == s1["regions_compiled"]
    assert s2["compile_batches"] == 0
    assert s1["guest_insns"] == s2["guest_insns"]
