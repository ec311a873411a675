"""Debian's Linux on rvjit, from `make images`: OpenSBI, the 6.12 kernel and the busybox
initramfs (rvjit/images/).  Each boot takes minutes, so every test here is marked `boot` (not in
the default run): `python -m pytest -q -m boot`, or `make test-boot`."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from rvjit.images import bootrun, disk, initramfs

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = float(os.environ.get("RVJIT_BOOT_TIMEOUT", "600"))   # seconds per boot
# Every boot is killed after TIMEOUT seconds (run_console; pytest-timeout is not a dependency).
pytestmark = pytest.mark.boot

KVM_LINES = [r"kvm \[\d+\]: hypervisor extension available",
             r"kvm \[\d+\]: using Sv\d+x4 G-stage page table format",
             r"kvm \[\d+\]: VMID \d+ bits available"]
DISKTEST_APPEND = "console=ttyS0 earlycon=sbi cryptomgr.notests rvjit.disktest"
SHELL_APPEND = "console=ttyS0 earlycon=sbi cryptomgr.notests"


@pytest.fixture(scope="module")
def images():
    found = bootrun.find_images()
    if isinstance(found, str):
        pytest.skip(found)
    return found


def boot(images, **kw) -> bootrun.Console:
    script = kw.pop("script", None)
    argv = bootrun.boot_argv(bootrun.rvjit_cmd(), images, **kw)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    con = bootrun.run_console(argv, TIMEOUT, env=env, script=script)
    assert not con.timed_out, f"no power-off within {TIMEOUT:.0f} s:\n{con.tail()}"
    return con


def assert_lines(con: bootrun.Console, patterns: list[str]) -> None:
    for pat in patterns:
        assert re.search(pat, con.text, re.M), f"no line matching {pat!r}:\n{con.tail(60)}"


def assert_autorun(con: bootrun.Console, cpus: int) -> None:
    noun = "CPU" if cpus == 1 else "CPUs"
    assert_lines(con, [re.escape(initramfs.MARKER), *KVM_LINES,
                       rf"smp: Brought up 1 node, {cpus} {noun}",
                       r"insmod ext4", r"load-modules: done$", r"^/dev/kvm: present$",
                       r"reboot: Power down"])
    assert con.exit_code == 0, f"exit {con.exit_code}:\n{con.tail()}"


def test_boot_autorun_smp1(images, tmp_path):
    """OpenSBI -> Linux -> /init: the marker, kvm.ko finds the H extension, power-off."""
    con = boot(images, smp=1, disk=disk.make_ext4(str(tmp_path / "disk.img"), 16))
    assert_autorun(con, 1)
    assert "Linux version 6.12" in con.text


@pytest.mark.parametrize("smp", [2, 4])
def test_boot_autorun_smp(images, tmp_path, smp):
    con = boot(images, smp=smp, disk=disk.make_ext4(str(tmp_path / "disk.img"), 16))
    assert_autorun(con, smp)


def test_boot_disk_ext4(images, tmp_path):
    """The guest mounts a fresh ext4 image as /dev/vda and writes a file; the host reads it."""
    img = disk.make_ext4(str(tmp_path / "disk.img"), 64)
    con = boot(images, smp=1, disk=img, append=DISKTEST_APPEND)
    assert_lines(con, [re.escape(initramfs.DISKTEST_DONE), r"EXT4-fs \(vda\): mounted"])
    assert initramfs.DISKTEST_FAIL not in con.text, con.tail()
    assert con.exit_code == 0, con.tail()
    text = disk.read_file(img, "/" + initramfs.DISKTEST_FILE).decode()
    lines = text.splitlines()
    assert lines[0] == initramfs.DISKTEST_LINE, text
    # The second line is the guest's /proc/version, which the kernel also printed at boot.
    assert lines[1].startswith("Linux version 6.12"), text
    assert lines[1].split(" (")[0] in con.text
    assert len(lines) == 2


def test_boot_without_h_extension(images, tmp_path):
    """-cpu rv64,h=false: kvm.ko refuses to load, the other modules still do, no /dev/kvm."""
    con = boot(images, smp=1, disk=disk.make_ext4(str(tmp_path / "disk.img"), 16),
               cpu="rv64,h=false")
    assert_lines(con, [re.escape(initramfs.MARKER),
                       r"kvm \[\d+\]: hypervisor extension not available",
                       r"insmod kvm: failed", r"insmod ext4$",
                       r"load-modules: done \(failed: kvm\)", r"^/dev/kvm: absent$",
                       r"reboot: Power down"])
    assert not re.search(KVM_LINES[0], con.text)
    assert con.exit_code == 0, con.tail()


def _stdin_input_exists() -> bool:
    """Whether the machine feeds host stdin to the UART (rvjit/machine/console.py)."""
    try:
        from rvjit.machine.console import HostConsole  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.mark.skipif(not _stdin_input_exists(), reason="no host stdin -> UART input yet")
def test_boot_shell_typing(images):
    """No autorun: the shell prompt, then `uname -a` and `off` typed on stdin."""
    script = [(r"\n# $", "uname -a\n"),
              (r"Linux \S+ 6\.12\.\S+ .*riscv64.*\n.*# $", "off\n")]
    con = boot(images, smp=1, append=SHELL_APPEND, script=script)
    assert_lines(con, [re.escape(initramfs.MARKER), r"Linux \S+ 6\.12\.\S+ .*riscv64",
                       r"reboot: Power down"])
    assert con.exit_code == 0, con.tail()
