"""The command line: QEMU's syntax, and one clear line plus a non-zero status for every bad
input (never a traceback)."""
from __future__ import annotations

import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HELLO = ROOT / "build" / "guest" / "hello.elf"


def rvjit(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "rvjit", *args], capture_output=True,
                          text=True, timeout=timeout, env=env)


BASE = ["-machine", "virt", "-bios", "none", "-nographic"]


def assert_one_line_error(p: subprocess.CompletedProcess, *words: str) -> None:
    assert p.returncode != 0
    assert "Traceback" not in p.stderr
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1, p.stderr
    assert lines[0].startswith("rvjit: ")
    for w in words:
        assert w in lines[0], (w, lines[0])


def test_hello_runs_and_exits_zero():
    if not HELLO.exists():
        pytest.skip("guest programs not built (make guest)")
    p = rvjit(*BASE, "-kernel", str(HELLO), "-m", "64M")
    assert p.returncode == 0, p.stderr
    assert "Hello from rvjit guest" in p.stdout


def test_missing_kernel_file(tmp_path):
    assert_one_line_error(rvjit(*BASE, "-kernel", str(tmp_path / "nope.elf")), "does not exist")


def test_directory_as_kernel(tmp_path):
    assert_one_line_error(rvjit(*BASE, "-kernel", str(tmp_path)), "directory")


def test_empty_kernel(tmp_path):
    f = tmp_path / "empty.bin"
    f.write_bytes(b"")
    assert_one_line_error(rvjit(*BASE, "-kernel", str(f)), "empty")


def test_truncated_elf(tmp_path):
    f = tmp_path / "bad.elf"
    f.write_bytes(b"\x7fELF\x02\x01\x01" + b"\0" * 20)
    assert_one_line_error(rvjit(*BASE, "-kernel", str(f)), "malformed ELF")


def _elf_header(machine: int, cls: int = 2) -> bytes:
    # A minimal ELF header with no program headers (ELF spec, "ELF Header").
    ident = b"\x7fELF" + bytes([cls, 1, 1]) + bytes(9)
    return ident + struct.pack("<HHIQQQIHHHHHH", 2, machine, 1, 0x80000000, 0, 0, 0, 64, 56,
                               0, 64, 0, 0)


def test_elf_for_another_machine(tmp_path):
    f = tmp_path / "x86.elf"
    f.write_bytes(_elf_header(62))       # EM_X86_64
    assert_one_line_error(rvjit(*BASE, "-kernel", str(f)), "not 64-bit RISC-V")


def test_elf_without_segments(tmp_path):
    f = tmp_path / "noseg.elf"
    f.write_bytes(_elf_header(243))
    assert_one_line_error(rvjit(*BASE, "-kernel", str(f)), "no loadable segments")


def test_segment_outside_ram(tmp_path):
    if not HELLO.exists():
        pytest.skip("guest programs not built (make guest)")
    data = bytearray(HELLO.read_bytes())
    # Move the first PT_LOAD program header's physical address far beyond RAM.
    phoff, phentsize, phnum = (struct.unpack_from("<Q", data, 32)[0],
                               *struct.unpack_from("<HH", data, 54))
    for i in range(phnum):
        if struct.unpack_from("<I", data, phoff + i * phentsize)[0] == 1:     # PT_LOAD
            struct.pack_into("<Q", data, phoff + i * phentsize + 24, 0x1_0000_0000_0000)
            break
    f = tmp_path / "far.elf"
    f.write_bytes(bytes(data))
    assert_one_line_error(rvjit(*BASE, "-kernel", str(f)), "outside guest RAM")


def test_raw_image_too_big_for_ram(tmp_path):
    f = tmp_path / "big.bin"
    f.write_bytes(b"\x13" * (3 << 20))
    assert_one_line_error(rvjit(*BASE, "-m", "2M", "-kernel", str(f)), "does not fit")


@pytest.mark.parametrize("args,words", [
    (["-machine", "sifive_u"], ["unsupported machine"]),
    (["-machine", "virt,bogus=1"], ["unsupported -machine option"]),
    (["-m", "lots"], ["invalid RAM size"]),
    (["-smp", "0"], ["invalid -smp"]),
    (["-cpu", "rv32"], ["unsupported -cpu"]),
    (["-frobnicate"], ["unknown option"]),
    (["-kernel"], ["needs an argument"]),
    (["-icount", "shift=zz"], ["invalid -icount"]),
])
def test_bad_command_lines(args, words):
    assert_one_line_error(rvjit("-bios", "none", *args), *words)


def test_no_kernel():
    assert_one_line_error(rvjit(*BASE), "no -kernel")


def test_help_and_version():
    assert rvjit("-help").returncode == 0
    p = rvjit("-version")
    assert p.returncode == 0 and "rvjit" in p.stdout


@pytest.mark.parametrize("cpu,has_h", [
    ("rv64", True),             # QEMU 7.2's rv64 default
    ("rv64,h=true", True),
    ("rv64,h=on", True),
    ("rv64,h=false", False),
    ("rv64,h=off", False),
])
def test_cpu_h_property(cpu, has_h):
    from rvjit.cli import build_config
    from rvjit.machine import fdt
    from rvjit.machine.virt import misa_for
    cfg = build_config({"cpu": cpu})
    assert ("H" in cfg.extensions) == has_h
    assert bool(misa_for(cfg.extensions) >> 7 & 1) == has_h
    assert ("h" in fdt.isa_string(cfg.extensions, ()).removeprefix("rv64")) == has_h


def test_cpu_bad_h_value():
    assert_one_line_error(rvjit(*BASE, "-cpu", "rv64,h=maybe", "-kernel", str(HELLO)),
                          "unsupported -cpu property")
