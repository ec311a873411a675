"""Linux as a KVM host on rvjit, from `make images` (rvjit/images/kvmhost.py): OpenSBI, Debian's
6.12 kernel with -smp 4 and 2 GiB, whose /init loads kvm.ko and starts two 1-vCPU guests with
Debian's own qemu-system-riscv64 (-accel kvm), each booting the same kernel to a busybox /init
that prints a marker.  Marked `boot` (minutes): `python -m pytest -q -m boot`."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from rvjit.images import bootrun, kvmhost

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = float(os.environ.get("RVJIT_KVM_BOOT_TIMEOUT", "1200"))   # seconds for the boot
pytestmark = pytest.mark.boot


@pytest.fixture(scope="module")
def images():
    found = bootrun.find_images(initrd="kvm-initramfs")
    if isinstance(found, str):
        pytest.skip(found)
    return found


def test_kvm_host_runs_two_guests(images):
    argv = bootrun.kvm_host_argv(bootrun.rvjit_cmd(), images)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    con = bootrun.run_console(argv, TIMEOUT, env=env)
    assert not con.timed_out, f"no power-off within {TIMEOUT:.0f} s:\n{con.tail(60)}"
    text = con.text
    assert kvmhost.FAILED not in text, con.tail(80)
    for pat in [r"smp: Brought up 1 node, 4 CPUs", r"kvm \[\d+\]: hypervisor extension available",
                re.escape(kvmhost.HOST_MARKER)]:
        assert re.search(pat, text, re.M), f"no line matching {pat!r}:\n{con.tail(60)}"
    for n in kvmhost.GUESTS:
        assert con.first(kvmhost.guest_seen(n)) is not None, con.tail(80)
        # The guest's own console (dumped by the host with a prefix) has its marker.
        assert f"guest{n}| {kvmhost.GUEST_MARKER}" in text, con.tail(80)
    final = con.first(kvmhost.FINAL_LINE)
    assert final is not None, con.tail(80)
    assert final >= max(con.first(kvmhost.guest_seen(n)) for n in kvmhost.GUESTS)
    assert re.search(r"reboot: Power down", text), con.tail()
    assert con.exit_code == 0, f"exit {con.exit_code}:\n{con.tail()}"
