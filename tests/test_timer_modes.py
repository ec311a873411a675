"""Timer interrupts in both time modes: host time (default) and QEMU's deterministic
`-icount shift=N`, where two runs of the same program must retire the same number of
instructions and print the same output, sleeping in WFI included (tests/guest/irq_timer.S)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_guest_programs import BOOT_ARGS, ROOT, guest_build  # noqa: F401  (fixture)

PROGRAM = "irq_timer"


def _run(elf: Path, tmp_path: Path, extra: list[str], hot: str, tag: str) -> tuple[bytes, dict]:
    stats = tmp_path / f"{tag}.json"
    env = dict(os.environ, RVJIT_STATS=str(stats), RVJIT_HOT=hot)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    proc = subprocess.run([sys.executable, "-m", "rvjit", *extra, *BOOT_ARGS, str(elf)],
                          cwd=ROOT, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                          timeout=120)
    assert proc.returncode == 0 and b"PASS" in proc.stdout, (proc.stdout, proc.stderr[-2000:])
    return proc.stdout, json.loads(stats.read_text())


@pytest.mark.parametrize("hot", ["0", "1"])
def test_timer_interrupts_with_host_time(guest_build, tmp_path, hot):  # noqa: F811
    out, _ = _run(guest_build / f"{PROGRAM}.elf", tmp_path, [], hot, "host")
    assert b"MTI taken\nSTI taken\nPASS\n" in out


@pytest.mark.parametrize("hot", ["0", "1"])
def test_icount_mode_is_deterministic(guest_build, tmp_path, hot):  # noqa: F811
    elf = guest_build / f"{PROGRAM}.elf"
    runs = [_run(elf, tmp_path, ["-icount", "shift=4"], hot, f"icount{i}") for i in range(2)]
    (out1, st1), (out2, st2) = runs
    assert out1 == out2
    assert b"MTI taken\nSTI taken\nPASS\n" in out1
    assert st1["guest_insns"] == st2["guest_insns"]
