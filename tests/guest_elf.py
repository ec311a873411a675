"""One bare-metal guest program of tests/guest, built on demand (make, riscv64-unknown-elf-gcc)
into build/guest; the test that needs it is skipped when the cross compiler is missing."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GUEST_DIR = ROOT / "tests" / "guest"
BUILD_DIR = ROOT / "build" / "guest"


def guest_elf(name: str) -> Path:
    if shutil.which("riscv64-unknown-elf-gcc") is None or shutil.which("make") is None:
        pytest.skip("riscv64-unknown-elf-gcc or make missing: cannot build guest programs")
    elf = BUILD_DIR / f"{name}.elf"
    p = subprocess.run(["make", "-s", "-C", str(GUEST_DIR), f"OUT={BUILD_DIR}", str(elf)],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0 and elf.is_file(), p.stdout + p.stderr
    return elf
