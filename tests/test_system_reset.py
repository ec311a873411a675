"""A guest's reset request (the sifive_test device's 0x7777, what OpenSBI writes for an SBI
SRST reboot) restarts the machine as QEMU does (rvjit/machine/system_reset.py), and with
-no-reboot stops it with status 0.  tests/guest/reset_reboot.c checks from inside: it runs
again from the reset vector with a0/a1 set, devices back at power-on, its image written
again, RAM outside it kept."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from guest_elf import guest_elf

ROOT = Path(__file__).resolve().parents[1]
BASE = ["-machine", "virt", "-bios", "none", "-nographic"]
QEMU = shutil.which("qemu-system-riscv64")
BOTH_BOOTS = "boot 1: reset\nboot 2\nPASS\n"


def run(emulator: list[str], *args: str, env: dict | None = None):
    env = dict(os.environ, PYTHONPATH=str(ROOT), **(env or {}))
    return subprocess.run([*emulator, *BASE, "-kernel", str(guest_elf("reset_reboot")), *args],
                          capture_output=True, text=True, timeout=120, env=env,
                          stdin=subprocess.DEVNULL)


RVJIT = [sys.executable, "-m", "rvjit"]


@pytest.mark.parametrize("hot", ["2000", "1", "0"])
def test_reset_restarts_the_machine(hot):
    """In every tier: interpreted only (0), everything compiled by LLVM (1), the default."""
    p = run(RVJIT, env={"RVJIT_HOT": hot})
    assert (p.returncode, p.stdout) == (0, BOTH_BOOTS), p.stdout + p.stderr


def test_no_reboot_stops_with_status_0():
    p = run(RVJIT, "-no-reboot")
    assert (p.returncode, p.stdout, p.stderr) == (0, "boot 1: reset\n", "")


@pytest.mark.skipif(QEMU is None, reason="qemu-system-riscv64 not installed")
@pytest.mark.parametrize("args", [[], ["-no-reboot"]])
def test_same_as_qemu(args):
    ours, ref = run(RVJIT, *args), run([QEMU], *args)
    assert (ours.returncode, ours.stdout) == (ref.returncode, ref.stdout)


def test_reset_hart_restores_power_on_state():
    from rvjit.machine.reset_rom import ROM_BASE
    from rvjit.machine.system_reset import reset_hart
    from rvjit.machine.virt import MachineConfig, VirtMachine
    m = VirtMachine(MachineConfig(smp=2))
    cpu = m.harts[1].cpu
    fresh = {f: getattr(cpu, f) for f in ("mstatus", "mideleg", "hstatus", "vsstatus",
                                          "mtimecmp", "stimecmp", "vstimecmp", "tb_flags")}
    cpu.pc, cpu.priv, cpu.satp, cpu.pmpcfg0 = 0x80001234, 1, 8 << 60, 0x9F
    cpu.mtvec, cpu.fcsr = 4, 1
    cpu.x[5], cpu.f[3], cpu.instret, cpu.mstatus = 77, 5, 1000, 0xA
    reset_hart(m.ffi, m.lib, cpu, 1)
    assert (cpu.pc, cpu.priv, cpu.mhartid, cpu.hart_index) == (ROM_BASE, 3, 1, 1)
    assert (cpu.satp, cpu.pmpcfg0, cpu.mtvec, cpu.fcsr, cpu.x[5], cpu.f[3]) == (0,) * 6
    assert {f: getattr(cpu, f) for f in fresh} == fresh
    assert cpu.instret == 1000          # the run's instruction count goes on
    assert cpu.rt == m.rt and cpu.mem_base == m.lib.rt_mem_base(m.rt)


# -- Linux: `reboot -f` goes through SBI SRST, OpenSBI and the sifive_test device -------------
SHELL_APPEND = "console=ttyS0 earlycon=sbi cryptomgr.notests"
BOOT_TIMEOUT = float(os.environ.get("RVJIT_BOOT_TIMEOUT", "600"))


def _boot_and_reboot(extra: list[str], script: list[tuple[str, str]]):
    from rvjit.images import bootrun
    images = bootrun.find_images()
    if isinstance(images, str):
        pytest.skip(images)
    argv = bootrun.boot_argv(bootrun.rvjit_cmd(), images, append=SHELL_APPEND) + extra
    con = bootrun.run_console(argv, BOOT_TIMEOUT, env=dict(os.environ, PYTHONPATH=str(ROOT)),
                              script=script)
    assert not con.timed_out, con.tail()
    return con


@pytest.mark.boot
def test_linux_reboot_restarts_and_boots_again():
    con = _boot_and_reboot([], [(r"\n# $", "reboot -f\n"),
                                (r"reboot: Restarting system[\s\S]*\n# $", "off\n")])
    assert con.text.count("Linux version 6.12") == 2, con.tail(80)
    assert "reboot: Restarting system" in con.text and "reboot: Power down" in con.text
    assert con.exit_code == 0, con.tail()


@pytest.mark.boot
def test_linux_reboot_with_no_reboot_exits():
    con = _boot_and_reboot(["-no-reboot"], [(r"\n# $", "reboot -f\n")])
    assert con.text.count("Linux version 6.12") == 1
    assert "reboot: Restarting system" in con.text
    assert con.exit_code == 0, con.tail()
