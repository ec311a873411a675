"""A corpus of bad inputs: malformed ELF files, Images, device trees, initrds, disk images and
command lines.  Each must give its expected error: one line on stderr, starting "rvjit: ",
with a non-zero exit status.  There must be no traceback, no hang, and no guest run.  All data
is made here.  The cases extend tests/test_cli.py, tests/test_cli_options.py and
tests/test_boot_protocol.py.  They do not repeat them.  The seeded mutation runs at the end
damage valid images at random.  Loading one must either succeed or raise a one-line
LoadError."""
from __future__ import annotations

import os
import random
import struct
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from rvjit import cli
from rvjit.machine import boot, fdt
from rvjit.machine.loader import LoadError

ROOT = Path(__file__).resolve().parents[1]
DRAM = 0x80000000
MiB = 1 << 20
BASE = ["-machine", "virt", "-nographic"]


# -- images, made here ---------------------------------------------------------------------------
def elf(*segments: bytes, machine: int = 243, cls: int = 2, order: str = "<", phoff: int = 64,
        phentsize: int = 56, phnum: int | None = None, entry: int = DRAM) -> bytes:
    """An ELF header (ELF spec, "ELF Header") followed by program headers `segments`."""
    ident = b"\x7fELF" + bytes([cls, 1 if order == "<" else 2, 1]) + bytes(9)
    n = len(segments) if phnum is None else phnum
    return ident + struct.pack(order + "HHIQQQIHHHHHH", 2, machine, 1, entry, phoff, 0, 0, 64,
                               phentsize, n, 64, 0, 0) + b"".join(segments)


def segment(offset: int, filesz: int, memsz: int, paddr: int = DRAM) -> bytes:
    """A PT_LOAD program header (ELF spec, "Program Header")."""
    return struct.pack("<IIQQQQQQ", 1, 5, offset, paddr, paddr, filesz, memsz, 0x1000)


LOOP = b"\x6f\x00\x00\x00" * 4          # j . (a guest that ran would never stop)


def loadable(*segments: bytes) -> bytes:
    """An ELF whose segments' data (LOOP) follows its program headers."""
    return elf(*segments) + LOOP


def riscv_image(image_size: int) -> bytes:
    """A flat RISC-V Image (Documentation/arch/riscv/boot-image-header.rst)."""
    return struct.pack("<IIQQQIIQ8s4sI", 0x6F, 0, 0x200000, image_size, 0, 2, 0, 0,
                       b"RISCV\0\0\0", b"RSC\x05", 0) + LOOP


def dtb_header(totalsize: int, version: int, size: int) -> bytes:
    """A flattened device tree header (devicetree spec 5.2) followed by zeros."""
    hdr = struct.pack(">10I", 0xD00DFEED, totalsize, 56, 56, 40, version, 16, 0, 0, 0)
    return hdr + bytes(size - len(hdr))


class Files:
    """Files for one case, in the test's temporary directory."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp

    def __call__(self, name: str, data: bytes) -> str:
        p = self.tmp / name
        p.write_bytes(data)
        return str(p)

    def sparse(self, name: str, size: int) -> str:
        p = self.tmp / name
        with open(p, "wb") as f:
            f.truncate(size)
        return str(p)

    def kernel(self) -> str:
        return self("kernel.elf", loadable(segment(120, len(LOOP), 0x1000)))

    def drive(self, path: str, *extra: str) -> list[str]:
        return ["-drive", f"file={path},if=none,id=d0", "-device", "virtio-blk-device,drive=d0",
                *extra]


# -- the corpus: case -> (its command line, made in a directory; the words its error has) --------
Case = tuple[Callable[[Files], list[str]], tuple[str, ...]]
CORPUS: dict[str, Case] = {
    # ELF kernels and firmware
    "elf: only the magic": (
        lambda f: ["-bios", "none", "-kernel", f("k", b"\x7fELF")], ("malformed ELF",)),
    "elf: 32-bit RISC-V": (
        lambda f: ["-bios", "none", "-kernel", f("k", elf(cls=1))], ("32-bit", "not 64-bit")),
    "elf: big-endian RISC-V": (
        lambda f: ["-bios", "none", "-kernel", f("k", elf(order=">"))], ("big-endian",)),
    "elf: firmware for x86-64": (
        lambda f: ["-bios", f("fw", elf(machine=62))], ("firmware", "not 64-bit RISC-V")),
    "elf: program headers past the end": (
        lambda f: ["-bios", "none", "-kernel", f("k", elf(phoff=1 << 40, phnum=1))],
        ("malformed ELF",)),
    "elf: e_phentsize 0": (
        lambda f: ["-bios", "none", "-kernel",
                   f("k", elf(segment(120, 16, 16), phentsize=0) + LOOP)], ("malformed ELF",)),
    "elf: 1000 program headers in a file of one": (
        lambda f: ["-bios", "none", "-kernel",
                   f("k", elf(segment(120, 16, 16), phnum=1000) + LOOP)], ("malformed ELF",)),
    "elf: e_phnum PN_XNUM without section 0": (     # (the count is in section 0: ELF spec)
        lambda f: ["-bios", "none", "-kernel",
                   f("k", elf(segment(120, 16, 16), phnum=0xFFFF) + LOOP)],
        ("no loadable segments",)),
    "elf: segment data past the end of the file": (
        lambda f: ["-bios", "none", "-kernel", f("k", loadable(segment(1 << 40, 16, 16)))],
        ("past the end of the file",)),
    "elf: segment file size past the end of the file": (
        lambda f: ["-bios", "none", "-kernel", f("k", loadable(segment(120, 1 << 30, 1 << 30)))],
        ("past the end of the file",)),
    "elf: file size over memory size": (
        lambda f: ["-bios", "none", "-kernel", f("k", loadable(segment(120, 16, 8)))],
        ("file size exceeds its memory size",)),
    "elf: 2^63 bytes of memory": (
        lambda f: ["-bios", "none", "-kernel", f("k", loadable(segment(120, 16, 1 << 63)))],
        ("outside guest RAM",)),
    "elf: segment wraps the address space": (
        lambda f: ["-bios", "none", "-kernel",
                   f("k", loadable(segment(120, 16, 0x2000, paddr=(1 << 64) - 0x1000)))],
        ("outside guest RAM",)),
    "elf: kernel over the firmware": (
        lambda f: ["-bios", f.kernel(), "-kernel", f.kernel()], ("overlaps the firmware",)),
    "elf: firmware segment outside RAM": (
        lambda f: ["-bios", f("fw", loadable(segment(120, 16, 16, paddr=0x4000_0000)))],
        ("firmware", "outside guest RAM")),
    # flat Images
    "image: image_size 2^64-1": (
        lambda f: ["-bios", "none", "-kernel", f("Image", riscv_image((1 << 64) - 1))],
        ("does not fit",)),
    "image: after a firmware that fills RAM": (
        lambda f: ["-m", "4M", "-bios", f("fw.bin", LOOP * (7 << 15)),     # 3.5 MiB
                   "-kernel", f("Image", riscv_image(0))], ("does not fit",)),
    # kernels, firmware, device trees and initrds that are not regular files, or too large
    "kernel: /dev/null": (
        lambda f: ["-bios", "none", "-kernel", "/dev/null"], ("not a regular file",)),
    "kernel: /dev/zero": (
        lambda f: ["-bios", "none", "-kernel", "/dev/zero"], ("not a regular file",)),
    "kernel: 1 TiB (sparse)": (
        lambda f: ["-bios", "none", "-kernel", f.sparse("k", 1 << 40)],
        ("larger than any guest RAM",)),
    "kernel: an empty path": (
        lambda f: ["-bios", "none", "-kernel", ""], ("does not exist",)),
    "firmware: a directory": (
        lambda f: ["-bios", str(f.tmp)], ("firmware", "is a directory")),
    "firmware: empty": (
        lambda f: ["-bios", f("fw.bin", b"")], ("firmware", "is empty")),
    "firmware: /dev/zero": (
        lambda f: ["-bios", "/dev/zero"], ("firmware", "not a regular file")),
    "dtb: empty": (
        lambda f: ["-bios", "none", "-kernel", f.kernel(), "-dtb", f("t.dtb", b"")],
        ("device tree", "too short")),
    "dtb: totalsize past the end": (
        lambda f: ["-bios", "none", "-kernel", f.kernel(),
                   "-dtb", f("t.dtb", dtb_header(1 << 31, 17, 100))], ("device tree", "corrupt")),
    "dtb: version 1": (
        lambda f: ["-bios", "none", "-kernel", f.kernel(),
                   "-dtb", f("t.dtb", dtb_header(96, 1, 96))], ("device tree", "corrupt")),
    "dtb: a directory": (
        lambda f: ["-bios", "none", "-kernel", f.kernel(), "-dtb", str(f.tmp)],
        ("device tree", "is a directory")),
    "dtb: /dev/zero": (
        lambda f: ["-bios", "none", "-kernel", f.kernel(), "-dtb", "/dev/zero"],
        ("device tree", "not a regular file")),
    "initrd: a directory": (
        lambda f: ["-bios", "none", "-kernel", f.kernel(), "-initrd", str(f.tmp)],
        ("initrd", "is a directory")),
    "initrd: /dev/zero": (
        lambda f: ["-bios", "none", "-kernel", f.kernel(), "-initrd", "/dev/zero"],
        ("initrd", "not a regular file")),
    "initrd: 65 GiB (sparse)": (
        lambda f: ["-bios", "none", "-kernel", f.kernel(), "-initrd", f.sparse("i", 65 << 30)],
        ("initrd", "larger than any guest RAM")),
    # disk images
    "drive: missing": (
        lambda f: ["-bios", "none", "-kernel", f.kernel(), *f.drive(str(f.tmp / "nope.img"))],
        ("cannot open drive", "No such file")),
    "drive: a directory": (
        lambda f: ["-bios", "none", "-kernel", f.kernel(), *f.drive(str(f.tmp))],
        ("cannot open drive",)),
    "drive: /dev/zero": (
        lambda f: ["-bios", "none", "-kernel", f.kernel(), *f.drive("/dev/zero")],
        ("cannot open drive", "not a regular file")),
    "drive: missing, with -snapshot": (
        lambda f: ["-bios", "none", "-kernel", f.kernel(), "-snapshot",
                   *f.drive(str(f.tmp / "nope.img"))], ("cannot open drive",)),
    "drive: missing, read-only": (
        lambda f: ["-bios", "none", "-kernel", f.kernel(), "-drive",
                   f"file={f.tmp / 'nope.img'},if=virtio,readonly=on"], ("cannot open drive",)),
    # command lines
    "-append without -kernel": (
        lambda f: ["-bios", f.kernel(), "-append", "console=ttyS0"], ("-append needs -kernel",)),
    "-m with 40 digits": (
        lambda f: ["-bios", "none", "-kernel", f.kernel(), "-m", "9" * 40], ("out of range",)),
    "-smp with 30 digits": (
        lambda f: ["-bios", "none", "-kernel", f.kernel(), "-smp", "9" * 30], ("invalid -smp",)),
    "-icount shift=11": (
        lambda f: ["-bios", "none", "-kernel", f.kernel(), "-icount", "shift=11"],
        ("invalid -icount",)),
    "-icount shift=-1": (
        lambda f: ["-bios", "none", "-kernel", f.kernel(), "-icount", "shift=-1"],
        ("invalid -icount",)),
    "dumpdtb= a directory": (
        lambda f: ["-machine", f"virt,dumpdtb={f.tmp}", "-bios", "none", "-kernel", f.kernel()],
        ("cannot write the device tree",)),
    "dumpdtb= in a missing directory": (
        lambda f: ["-machine", f"virt,dumpdtb={f.tmp / 'no' / 't.dtb'}", "-bios", "none",
                   "-kernel", f.kernel()], ("cannot write the device tree",)),
    "an empty argument": (
        lambda f: ["-bios", "none", "-kernel", f.kernel(), ""], ("unknown option ''",)),
    "a value without its option": (
        lambda f: ["-bios", "none", "-kernel", f.kernel(), "Image"], ("unknown option 'Image'",)),
}


@pytest.fixture
def no_guest_runs(monkeypatch):
    """A case that got as far as running the guest failed (and must not hang)."""
    from rvjit.exec.engine import Engine
    from rvjit.machine.virt import VirtMachine

    def ran(self):
        pytest.fail("the machine was started: the input was accepted")
    monkeypatch.setattr(VirtMachine, "run", ran)
    monkeypatch.setattr(Engine, "start_compiler", lambda self: None)
    monkeypatch.setenv("RVJIT_IMAGES_DIR", "/nonexistent")


@pytest.mark.parametrize("case", CORPUS)
def test_bad_input_is_one_error_line(case, tmp_path, capsys, no_guest_runs):
    make_args, words = CORPUS[case]
    rc = cli.main(BASE + make_args(Files(tmp_path)))
    err = capsys.readouterr().err
    assert rc != 0, case
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("rvjit: "), err
    for w in words:
        assert w in lines[0], (w, lines[0])


# -- the same through `python -m rvjit`, for inputs that hung or crashed the process -------------
def _named_pipe(f: Files) -> str:
    path = f.tmp / "fifo"
    os.mkfifo(path)             # (opening it to read would wait for a writer forever)
    return str(path)


END_TO_END: dict[str, Case] = {
    "kernel: a path that is not UTF-8": (     # (printed with the stderr's backslashreplace)
        lambda f: ["-bios", "none", "-kernel", os.fsdecode(b"/nonexistent/\xff\xfe.elf")],
        ("does not exist",)),
    "initrd: a named pipe": (
        lambda f: ["-bios", "none", "-kernel", f.kernel(), "-initrd", _named_pipe(f)],
        ("initrd", "not a regular file")),
    "kernel: /dev/zero": CORPUS["kernel: /dev/zero"],
    "kernel: 1 TiB (sparse)": CORPUS["kernel: 1 TiB (sparse)"],
    "drive: /dev/zero": CORPUS["drive: /dev/zero"],
    "-append without -kernel": CORPUS["-append without -kernel"],
}


@pytest.mark.parametrize("case", END_TO_END)
def test_bad_input_ends_the_process_with_one_error_line(case, tmp_path):
    make_args, words = END_TO_END[case]
    env = dict(os.environ, PYTHONPATH=str(ROOT), RVJIT_IMAGES_DIR="/nonexistent")
    p = subprocess.run([sys.executable, "-m", "rvjit", *BASE, *make_args(Files(tmp_path))],
                       capture_output=True, text=True, timeout=60, env=env,
                       stdin=subprocess.DEVNULL)
    assert p.returncode == 1, p.stderr
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("rvjit: "), p.stderr
    for w in words:
        assert w in lines[0], (w, lines[0])


# -- seeded mutations of valid images --------------------------------------------------------
class Memory:
    """The guest memory calls the loaders make: RAM at DRAM."""

    def __init__(self, size: int) -> None:
        self.size = size

    def find_ram(self, addr: int, size: int):
        return DRAM if DRAM <= addr and addr + size <= DRAM + self.size else None

    def write_bytes(self, addr: int, data: bytes) -> None:
        assert self.find_ram(addr, len(data)) is not None


class Cfg:
    ram_size = 64 * MiB
    bios = kernel = initrd = append = dtb = None

    def __init__(self, **kw) -> None:
        self.__dict__.update(kw)


def _load_or_one_line_error(cfg: Cfg) -> bool:
    """Load the images; True if they loaded, False for a one-line LoadError."""
    try:
        boot.load(Memory(cfg.ram_size), cfg, DRAM, fdt.FdtParams(ram_size=cfg.ram_size))
    except LoadError as e:
        assert "\n" not in str(e) and str(e), repr(e)
        return False
    return True


def _mutated(data: bytes, rng: random.Random, span: int) -> bytes:
    """`data` with 1-7 random bytes changed, mostly in its first `span` bytes."""
    out = bytearray(data)
    for _ in range(rng.randrange(1, 8)):
        limit = span if rng.random() < 0.8 else len(out)
        out[rng.randrange(min(limit, len(out)))] = rng.randrange(256)
    return bytes(out)


MUTATIONS = 200


def test_mutated_elf_files_load_or_fail_in_one_line(tmp_path):
    rng = random.Random(18)
    good = loadable(segment(176, len(LOOP), 0x1000), segment(176, len(LOOP), 0x100,
                                                             paddr=DRAM + 0x1000))
    path = tmp_path / "k.elf"
    outcomes = set()
    for _ in range(MUTATIONS):
        path.write_bytes(_mutated(good, rng, 64 + 2 * 56))
        outcomes.add(_load_or_one_line_error(Cfg(kernel=str(path))))
        outcomes.add(_load_or_one_line_error(Cfg(bios=str(path))))
    assert outcomes == {True, False}        # (the mutations both break and spare the file)


def test_mutated_device_trees_load_or_fail_in_one_line(tmp_path):
    """A user's tree that passes the checks still gets /chosen (bootargs and the initrd)."""
    rng = random.Random(18)
    good = fdt.build_fdt(fdt.FdtParams(ram_size=64 * MiB, smp=2))
    kernel = Files(tmp_path).kernel()
    initrd = Files(tmp_path)("initrd", b"raw initrd")
    path = tmp_path / "t.dtb"
    outcomes = set()
    for _ in range(MUTATIONS):
        path.write_bytes(_mutated(good, rng, len(good)))
        outcomes.add(_load_or_one_line_error(Cfg(kernel=kernel, initrd=initrd, dtb=str(path),
                                                 append="console=ttyS0")))
    assert outcomes == {True, False}


def test_mutated_image_headers_and_initrds_load_or_fail_in_one_line(tmp_path):
    import gzip
    import lzma
    rng = random.Random(18)
    f = Files(tmp_path)
    streams = [gzip.compress(b"initramfs" * 100), lzma.compress(b"initramfs" * 100)]
    outcomes = set()
    for _ in range(MUTATIONS):
        size = rng.choice([0, MiB, 1 << 63, (1 << 64) - 1, rng.randrange(1 << 64)])
        kernel = f("Image", _mutated(riscv_image(size), rng, 64))
        initrd = f("initrd", _mutated(rng.choice(streams), rng, 32))
        outcomes.add(_load_or_one_line_error(Cfg(kernel=kernel, initrd=initrd)))
    assert outcomes == {True, False}
