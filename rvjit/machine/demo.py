"""The default demo: with no image on the command line, rvjit boots the two-guest bare-metal
hypervisor of demo/hvdemo (ours), on a virt machine with the H extension, the way
`qemu-system-riscv64 -machine virt -cpu rv64,h=true -m 256M -nographic -bios none -kernel
build/demo/hvdemo.elf` would."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from rvjit.machine.loader import LoadError

ROOT = Path(__file__).resolve().parents[2]
DEMO_ELF = ROOT / "build" / "demo" / "hvdemo.elf"
DEMO_SRC = ROOT / "demo" / "hvdemo"
DEMO_ARGS = ["-machine", "virt", "-cpu", "rv64,h=true", "-m", "256M", "-nographic",
             "-bios", "none"]


def demo_image() -> str:
    """The demo's ELF, built from demo/hvdemo on first use."""
    env = os.environ.get("RVJIT_DEMO_ELF")
    if env:
        return env
    if not DEMO_ELF.exists():
        if not DEMO_SRC.is_dir():
            raise LoadError("no image given and the demo sources are not here "
                            "(run from a source checkout, or give -kernel)")
        if shutil.which("riscv64-unknown-elf-gcc") is None or shutil.which("make") is None:
            raise LoadError("no image given and the demo is not built: run `make demo-image` "
                            "(needs riscv64-unknown-elf-gcc; `make setup` installs it)")
        p = subprocess.run(["make", "-s", "-C", str(DEMO_SRC)], capture_output=True, text=True)
        if p.returncode != 0 or not DEMO_ELF.exists():
            last = (p.stderr.strip().splitlines() or ["make failed"])[-1]
            raise LoadError(f"building the demo image failed: {last}")
    return str(DEMO_ELF)
