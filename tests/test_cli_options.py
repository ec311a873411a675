"""Every option the command line accepts (rvjit.cli.accepted_options, read from the parser
itself) does what QEMU does or is refused with one line naming it; never accepted and
ignored.  Each option has a case here: a new option without one fails
test_every_option_has_a_case.  A case exercises the option's effect (on the device tree the
machine would boot with, the machine's devices, or a guest run) and checks that values or
sub-options rvjit does not implement are refused."""
from __future__ import annotations

import os
import struct
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import libfdt
import pytest
from guest_elf import guest_elf

from rvjit import cli
from rvjit.machine import fdt

ROOT = Path(__file__).resolve().parents[1]
BASE = ["-machine", "virt", "-bios", "none", "-nographic"]


class Ctx:
    def __init__(self, tmp_path: Path, capsys) -> None:
        self.tmp = tmp_path
        self.capsys = capsys

    def kernel(self) -> str:
        """A tiny flat kernel image: enough for -machine dumpdtb."""
        p = self.tmp / "Image"
        p.write_bytes(b"\x13\x00\x00\x00" * 64)
        return str(p)

    def tree(self, *args: str) -> libfdt.Fdt:
        """The device tree rvjit would boot with these options (-machine dumpdtb=FILE)."""
        out = self.tmp / "dumped.dtb"
        argv = ["-machine", f"virt,dumpdtb={out}", "-bios", "none", "-kernel", self.kernel(),
                *args]
        rc = cli.main(argv)
        err = self.capsys.readouterr().err
        assert rc == 0, err
        return libfdt.Fdt(out.read_bytes())

    def refused(self, args: list[str], *words: str) -> None:
        """One line on stderr, starting with "rvjit: " and naming what is refused."""
        rc = cli.main([*BASE, "-kernel", self.kernel(), *args])
        err = self.capsys.readouterr().err
        assert rc != 0, args
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("rvjit: "), err
        for w in words:
            assert w in lines[0], (w, lines[0])

    def config(self, *args: str):
        return cli.build_config(cli.parse_args(list(args)))

    def machine(self, *args: str):
        from rvjit.machine.virt import VirtMachine
        return VirtMachine(self.config(*args))


def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "rvjit", *args], capture_output=True,
                          text=True, timeout=timeout, env=env, stdin=subprocess.DEVNULL)


def hello_runs(*args: str, as_kernel: bool = True) -> None:
    """hello.elf runs to PASS with these options, its output on stdout (the UART on stdio)."""
    p = run(*args, *(["-kernel", str(guest_elf("hello"))] if as_kernel else []))
    assert p.returncode == 0, p.stderr
    assert "Hello from rvjit guest" in p.stdout and "PASS" in p.stdout
    assert p.stderr == ""


CASES: dict[str, Callable[[Ctx], None]] = {}


def case(*options: str):
    def register(fn):
        for o in options:
            CASES[o] = fn
        return fn
    return register


# -- implemented --------------------------------------------------------------------------------
@case("-machine", "-M")
def _machine(c: Ctx) -> None:
    for opt in ("-machine", "-M"):
        out = c.tmp / f"{opt}.dtb"
        assert cli.main([opt, f"virt,dumpdtb={out}", "-bios", "none", "-kernel", c.kernel()]) == 0
        fdt.validate(out.read_bytes())
    # Repeated -machine options add up, as in QEMU.
    out = c.tmp / "merged.dtb"
    assert cli.main(["-M", "virt", "-machine", f"dumpdtb={out}", "-bios", "none",
                     "-kernel", c.kernel()]) == 0 and out.exists()
    c.refused(["-machine", "virt,aclint=on"], "aclint=on")
    c.refused(["-machine", "sifive_u"], "sifive_u")


@case("-bios")
def _bios(c: Ctx) -> None:
    hello_runs("-machine", "virt", "-nographic", "-bios", str(guest_elf("hello")),
               as_kernel=False)
    c.refused(["-bios", str(c.tmp / "missing.bin")], "firmware", "does not exist")


@case("-kernel", "-nographic")
def _kernel(c: Ctx) -> None:
    hello_runs(*BASE)


@case("-initrd")
def _initrd(c: Ctx) -> None:
    # The guest's view is tests/test_boot_protocol.py's initrd_read tests.
    raw = c.tmp / "disk.img"
    raw.write_bytes(b"raw initrd" * 1000)
    t = c.tree("-initrd", str(raw))
    chosen = t.path_offset("/chosen")
    start = t.getprop(chosen, "linux,initrd-start").as_uint32()
    assert t.getprop(chosen, "linux,initrd-end").as_uint32() - start == 10000
    c.refused(["-initrd", str(c.tmp / "nope")], "initrd", "does not exist")


@case("-append")
def _append(c: Ctx) -> None:
    t = c.tree("-append", "console=ttyS0 quiet")
    assert t.getprop(t.path_offset("/chosen"), "bootargs").as_str() == "console=ttyS0 quiet"


@case("-dtb")
def _dtb(c: Ctx) -> None:
    mine = c.tmp / "mine.dtb"
    mine.write_bytes(fdt.build_fdt(fdt.FdtParams(ram_size=128 << 20, smp=3)))
    t = c.tree("-dtb", str(mine))
    assert t.path_offset("/cpus/cpu@2") > 0          # the user's tree, not rvjit's (1 hart)


@case("-m")
def _m(c: Ctx) -> None:
    for text in ("256M", "size=256M", "256"):
        t = c.tree("-m", text)
        reg = t.getprop(t.path_offset("/memory@80000000"), "reg")
        assert struct.unpack(">QQ", bytes(reg)) == (0x80000000, 256 << 20), text
    c.refused(["-m", "1G,slots=2,maxmem=4G"], "slots=2")


@case("-smp")
def _smp(c: Ctx) -> None:
    for text in ("2", "cpus=2", "2,sockets=1,cores=2,threads=1", "cores=2", "2,maxcpus=2"):
        t = c.tree("-smp", text)
        assert t.path_offset("/cpus/cpu@1") > 0, text
    c.refused(["-smp", "4,sockets=2"], "sockets=2")
    c.refused(["-smp", "2,threads=2"], "threads=2")
    c.refused(["-smp", "2,maxcpus=4"], "maxcpus")
    c.refused(["-smp", "2,books=1"], "books=1")


@case("-cpu")
def _cpu(c: Ctx) -> None:
    def isa(*args: str) -> str:
        t = c.tree(*args)
        return t.getprop(t.path_offset("/cpus/cpu@0"), "riscv,isa").as_str()
    assert "h" in isa("-cpu", "rv64").split("_")[0]
    assert "h" not in isa("-cpu", "rv64,h=off").split("_")[0]
    c.refused(["-cpu", "max"], "'max'")
    c.refused(["-cpu", "rv64,sv39=on"], "sv39=on")
    c.refused(["-cpu", "rv64,h"], "expected key=value")


@case("-icount")
def _icount(c: Ctx) -> None:
    assert c.config("-icount", "shift=4").icount_shift == 4
    assert c.config("-icount", "3,sleep=off").icount_shift == 3
    hello_runs(*BASE, "-icount", "shift=2")       # deterministic runs: tests/test_timer_modes.py
    c.refused(["-icount", "shift=4,align=on"], "align=on")
    c.refused(["-icount", "shift=auto"], "invalid -icount")


@case("-accel")
def _accel(c: Ctx) -> None:
    hello_runs(*BASE, "-accel", "tcg")
    c.refused(["-accel", "kvm"], "accelerator 'kvm'")
    c.refused(["-accel", "tcgx"], "accelerator 'tcgx'")


@case("-drive", "-device")
def _drive(c: Ctx) -> None:
    from rvjit.hw.block_backend import ImageFile, SnapshotOverlay
    from rvjit.hw.virtio_blk import VirtioBlk
    from rvjit.hw.virtio_rng import VirtioRng
    img = c.tmp / "disk.img"
    img.write_bytes(bytes(64 << 10))
    m = c.machine("-drive", f"file={img},format=raw,if=none,id=hd0,cache=writethrough",
                  "-device", "virtio-blk-device,drive=hd0", "-device", "virtio-rng-device")
    blk, rng = m.virtio[0], m.virtio[1]
    assert isinstance(blk, VirtioBlk) and isinstance(blk.image, ImageFile)
    assert blk.size == 64 << 10 and not blk.read_only
    assert isinstance(rng, VirtioRng)
    m.close()
    m = c.machine("-drive", f"file={img},if=virtio,readonly=on")
    assert m.virtio[0].read_only
    m.close()
    m = c.machine("-drive", f"file={img},if=virtio,snapshot=on")
    assert isinstance(m.virtio[0].image, SnapshotOverlay)
    m.close()
    c.refused(["-drive", f"file={img},if=virtio,aio=native"], "aio=native")
    c.refused(["-drive", f"file={img},if=virtio,werror=stop"], "werror")
    c.refused(["-drive", f"file={img},if=virtio,readonly=maybe"], "readonly=maybe")
    c.refused(["-drive", f"file={img},format=qcow2"], "format=raw")
    c.refused(["-drive", f"file={img},if=none,id=d", "-device",
               "virtio-blk-device,drive=d,serial=x"], "serial")
    c.refused(["-device", "e1000"], "e1000")


@case("-snapshot")
def _snapshot(c: Ctx) -> None:
    # The effect on a real boot: tests/test_boot_snapshot.py.
    from rvjit.hw.block_backend import SnapshotOverlay
    img = c.tmp / "disk.img"
    img.write_bytes(bytes(64 << 10))
    cfg = c.config("-drive", f"file={img},if=virtio,snapshot=off", "-snapshot")
    assert all(d.snapshot for d in cfg.devices.drives.values())   # -snapshot wins, as QEMU
    m = c.machine("-drive", f"file={img},if=virtio", "-snapshot")
    assert isinstance(m.virtio[0].image, SnapshotOverlay)
    m.close()


@case("-chardev")
def _chardev(c: Ctx) -> None:
    from rvjit.hw.virtio_console import VirtioConsole
    m = c.machine("-chardev", "stdio,id=con0,mux=on", "-device", "virtio-serial-device",
                  "-device", "virtconsole,chardev=con0")
    assert isinstance(m.virtio[0], VirtioConsole)
    c.refused(["-chardev", "socket,id=s,path=/tmp/x"], "stdio")
    c.refused(["-device", "virtio-serial-device", "-device", "virtconsole"], "chardev=ID")
    c.refused(["-chardev", "stdio,id=c", "-device", "virtconsole,chardev=c"],
              "virtio-serial-device")


@case("-object")
def _object(c: Ctx) -> None:
    from rvjit.hw.virtio_rng import VirtioRng
    m = c.machine("-object", "rng-random,filename=/dev/urandom,id=rng0",
                  "-device", "virtio-rng-device,rng=rng0")
    assert isinstance(m.virtio[0], VirtioRng)
    c.config("-object", "rng-builtin,id=r", "-device", "virtio-rng-device,rng=r")
    c.refused(["-object", "memory-backend-ram,id=m,size=1G"], "memory-backend-ram")
    c.refused(["-object", "rng-random,id=r,filename=/tmp/seed"], "filename=/tmp/seed")
    c.refused(["-device", "virtio-rng-device,rng=nope"], "id=nope")


@case("-global")
def _global(c: Ctx) -> None:
    from rvjit.hw import virtio_mmio
    m = c.machine("-global", "virtio-mmio.force-legacy=false", "-device", "virtio-rng-device")
    assert m.virtio[0].read(virtio_mmio.VERSION_REG, 4) == 2      # modern virtio-mmio
    c.refused(["-global", "virtio-mmio.force-legacy=true"], "force-legacy=true")
    c.refused(["-global", "cfi.pflash01.secure=on"], "cfi.pflash01")


@case("-name")
def _name(c: Ctx) -> None:
    c.config("-name", "guest0")
    c.config("-name", "guest=guest0,debug-threads=off")
    c.refused(["-name", "g,process=rvjit-g"], "process=rvjit-g")


@case("-serial", "-monitor", "-display")
def _host_io(c: Ctx) -> None:
    hello_runs(*BASE, "-serial", "mon:stdio", "-monitor", "none", "-display", "none")
    c.config("-serial", "stdio")
    c.refused(["-serial", "none"], "-serial 'none'")
    c.refused(["-serial", "stdio", "-serial", "stdio"], "one UART")
    c.refused(["-monitor", "stdio"], "-monitor 'stdio'", "not supported yet")
    c.refused(["-display", "gtk"], "-display 'gtk'")


@case("-no-reboot")
def _no_reboot(c: Ctx) -> None:
    # The machine reset itself: tests/test_system_reset.py.
    elf = str(guest_elf("reset_reboot"))
    p = run(*BASE, "-no-reboot", "-kernel", elf)
    assert (p.returncode, p.stdout) == (0, "boot 1: reset\n"), p.stdout + p.stderr
    p = run(*BASE, "-kernel", elf)
    assert (p.returncode, p.stdout) == (0, "boot 1: reset\nboot 2\nPASS\n"), p.stdout + p.stderr


@case("-help", "-h")
def _help(c: Ctx) -> None:
    for opt in ("-help", "-h", "--help"):
        assert cli.main([opt]) == 0
        assert c.capsys.readouterr().out.startswith("usage:")


@case("-version")
def _version(c: Ctx) -> None:
    for opt in ("-version", "--version"):
        assert cli.main([opt]) == 0
        assert "rvjit" in c.capsys.readouterr().out


# -- refused by name (issue 13: a GDB stub, tracing) ---------------------------------------------
def _refused_by_name(option: str, *words: str):
    def check(c: Ctx) -> None:
        args = [option] if option not in cli.VALUE_OPTS | {"-gdb", "-d", "-D", "-netdev"} \
            else [option, "x"]
        c.refused(args, f"option {option} ", *words)
    return check


for _opt in ("-s", "-S", "-gdb", "-d", "-D"):
    CASES[_opt] = _refused_by_name(_opt, "not supported yet")
CASES["-enable-kvm"] = _refused_by_name("-enable-kvm", "own accelerator")
CASES["-netdev"] = _refused_by_name("-netdev", "no network devices")


def test_every_option_has_a_case():
    assert set(CASES) == cli.accepted_options()


@pytest.mark.parametrize("option", sorted(cli.accepted_options()))
def test_option(option, tmp_path, capsys):
    CASES[option](Ctx(tmp_path, capsys))


def test_unknown_option_is_one_line(tmp_path, capsys):
    Ctx(tmp_path, capsys).refused(["-frobnicate"], "unknown option '-frobnicate'")
