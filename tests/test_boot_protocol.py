"""The boot protocol (rvjit/machine/boot.py) as QEMU 7.2 implements it: where firmware, kernel,
initrd and device tree go, what the reset ROM passes, and one clear error line for each bad
input."""
from __future__ import annotations

import gzip
import os
import shutil
import struct
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import libfdt
import pytest
from guest_elf import guest_elf

from rvjit.images import cpio
from rvjit.machine import boot, fdt, reset_rom
from rvjit.machine.loader import LoadError

ROOT = Path(__file__).resolve().parents[1]
DRAM = 0x80000000
MiB = 1 << 20


class FakeMemory:
    """The GuestMemory calls the loaders use: a ROM and one RAM bank."""

    def __init__(self, ram_size: int) -> None:
        self.banks = {0x1000: bytearray(0xF000), DRAM: bytearray(ram_size)}

    def find_ram(self, addr: int, size: int):
        for base, b in self.banks.items():
            if base <= addr and addr + size <= base + len(b):
                return base
        return None

    def write_bytes(self, addr: int, data: bytes) -> None:
        base = self.find_ram(addr, len(data))
        assert base is not None, hex(addr)
        self.banks[base][addr - base:addr - base + len(data)] = data

    def read(self, addr: int, size: int) -> bytes:
        base = self.find_ram(addr, size)
        return bytes(self.banks[base][addr - base:addr - base + size])


@dataclass
class Cfg:
    ram_size: int = 1 << 30
    bios: str | None = None
    kernel: str | None = None
    initrd: str | None = None
    append: str | None = None
    dtb: str | None = None


def image(size: int = 4096, image_size: int = 0, text_offset: int = 0x200000) -> bytes:
    """A flat RISC-V Image with its header (boot-image-header.rst)."""
    hdr = struct.pack("<IIQQQIIQ8s4sI", 0x13, 0x13, text_offset, image_size, 0, 2, 0, 0,
                      b"RISCV\0\0\0", b"RSC\x05", 0)
    return hdr + bytes(size - len(hdr))


def initramfs() -> bytes:
    return gzip.compress(cpio.write_newc([cpio.regular("init", b"#!/bin/sh\n", 0o755)]))


def write(tmp_path: Path, name: str, data: bytes) -> str:
    p = tmp_path / name
    p.write_bytes(data)
    return str(p)


def params(cfg: Cfg) -> fdt.FdtParams:
    return fdt.FdtParams(ram_size=cfg.ram_size)


def run(cfg: Cfg) -> tuple[boot.BootInfo, FakeMemory]:
    mem = FakeMemory(cfg.ram_size)
    return boot.load(mem, cfg, DRAM, params(cfg)), mem


def test_image_header():
    h = boot.parse_image_header(image(image_size=0x1234000))
    assert h == boot.RiscvImage(0x200000, 0x1234000, 2)
    assert boot.parse_image_header(b"\x7fELF" + bytes(100)) is None
    assert boot.parse_image_header(b"short") is None


def test_fdt_address_like_qemu():
    # QEMU 7.2 with 1 GiB: OpenSBI reports Next Arg1 0xbfe00000; 256 MiB: 0x8fe00000.
    assert boot.fdt_address(DRAM, 1 << 30, 0x1000) == 0xBFE00000
    assert boot.fdt_address(DRAM, 256 * MiB, 0x1000) == 0x8FE00000
    # Above 3 GiB the tree stays below 3 GiB.
    assert boot.fdt_address(DRAM, 4 << 30, 0x1000) == 0xBFE00000


def test_firmware_kernel_initrd_layout_matches_qemu(tmp_path):
    fw = write(tmp_path, "fw.bin", b"\x6f\x00\x00\x00" * 1000)
    cfg = Cfg(bios=fw, kernel=write(tmp_path, "Image", image(image_size=0x100000)),
              initrd=write(tmp_path, "initrd", initramfs()), append="console=ttyS0")
    info, mem = run(cfg)
    assert info.start == DRAM
    assert info.kernel_entry == 0x80200000        # firmware end aligned up to 2 MiB
    assert info.initrd[0] == 0x88200000           # entry + 128 MiB (QEMU 7.2, 1 GiB)
    assert info.fdt_addr == 0xBFE00000
    assert mem.read(DRAM, 4) == b"\x6f\x00\x00\x00"
    assert mem.read(info.initrd[0], 2) == b"\x1f\x8b"
    f = libfdt.Fdt(mem.read(info.fdt_addr, len(info.fdt_blob)))
    chosen = f.path_offset("/chosen")
    assert f.getprop(chosen, "bootargs").as_str() == "console=ttyS0"
    assert f.getprop(chosen, "linux,initrd-start").as_uint32() == 0x88200000
    assert f.getprop(chosen, "linux,initrd-end").as_uint32() == info.initrd[1]


def test_small_ram_puts_initrd_halfway(tmp_path):
    cfg = Cfg(ram_size=64 * MiB, bios=None, kernel=write(tmp_path, "k", image()),
              initrd=write(tmp_path, "i", initramfs()))
    info, _ = run(cfg)
    assert info.kernel_entry == DRAM == info.start     # -bios none: the kernel at RAM base
    assert info.initrd[0] == DRAM + 32 * MiB


def test_reset_rom_passes_hartid_dtb_and_fw_dynamic_info():
    rom = reset_rom.reset_rom(0x80000000, 0xBFE00000, 0x80200000)
    words = struct.unpack_from("<6I", rom)
    assert words == (0x00000297, 0x02828613, 0xF1402573, 0x0202B583, 0x0182B283, 0x00028067)
    start, dtb = struct.unpack_from("<QQ", rom, 24)
    assert (start, dtb) == (0x80000000, 0xBFE00000)
    magic, version, next_addr, next_mode, options, boot_hart = struct.unpack_from("<6Q", rom, 40)
    assert magic == 0x4942534F and version == 2
    assert (next_addr, next_mode, options, boot_hart) == (0x80200000, 1, 0, 0)


def test_firmware_elf_loads_at_its_addresses(tmp_path):
    elf = ROOT / "build" / "guest" / "hello.elf"
    if not elf.exists():
        pytest.skip("guest programs not built (make guest)")
    info, _ = run(Cfg(ram_size=64 * MiB, bios=str(elf)))
    assert info.firmware[0] == DRAM and info.kernel_entry == 0 and info.kernel is None


@pytest.mark.parametrize("case, words", [
    ("kernel_too_big", ["does not fit", "RAM ends"]),
    ("missing_kernel", ["does not exist"]),
    ("missing_initrd", ["initrd", "does not exist"]),
    ("empty_initrd", ["initrd", "empty"]),
    ("initrd_overlaps_kernel", ["overlap the kernel"]),
    ("initrd_too_big", ["does not fit in RAM"]),
    ("initrd_without_kernel", ["-initrd needs -kernel"]),
    ("missing_dtb", ["device tree", "does not exist"]),
    ("corrupt_dtb", ["device tree", "corrupt"]),
    ("no_kernel_no_bios", ["no -kernel"]),
])
def test_bad_inputs_are_one_line(tmp_path, case, words):
    k = write(tmp_path, "Image", image())
    ird = write(tmp_path, "initrd", initramfs())
    cfg = {
        "kernel_too_big": Cfg(ram_size=16 * MiB, kernel=write(tmp_path, "big",
                                                              image(image_size=32 * MiB))),
        "missing_kernel": Cfg(kernel=str(tmp_path / "nope")),
        "missing_initrd": Cfg(kernel=k, initrd=str(tmp_path / "nope")),
        "empty_initrd": Cfg(kernel=k, initrd=write(tmp_path, "e", b"")),
        "initrd_overlaps_kernel": Cfg(kernel=write(tmp_path, "k2", image(image_size=200 * MiB)),
                                      initrd=ird),
        "initrd_too_big": Cfg(ram_size=8 * MiB, kernel=k,
                              initrd=write(tmp_path, "b", b"070701" + bytes(6 * MiB))),
        "initrd_without_kernel": Cfg(bios=k, initrd=ird),
        "missing_dtb": Cfg(kernel=k, dtb=str(tmp_path / "nope.dtb")),
        "corrupt_dtb": Cfg(kernel=k, dtb=write(tmp_path, "bad.dtb",
                                               b"\xd0\x0d\xfe\xed" + bytes(100))),
        "no_kernel_no_bios": Cfg(),
    }[case]
    with pytest.raises(LoadError) as e:
        run(cfg)
    msg = str(e.value)
    assert "\n" not in msg
    for w in words:
        assert w in msg, (w, msg)


def test_raw_initrd_loads_as_is_and_is_in_the_tree(tmp_path):
    """QEMU loads any -initrd file raw (a disk image, say) and describes it in /chosen."""
    data = b"not a cpio archive" * 100 + b"!"
    cfg = Cfg(kernel=write(tmp_path, "k", image()), initrd=write(tmp_path, "disk.img", data))
    info, mem = run(cfg)
    assert info.warnings == ()
    assert info.initrd == (info.kernel_entry + 128 * MiB, info.kernel_entry + 128 * MiB + len(data))
    assert mem.read(info.initrd[0], len(data)) == data
    f = libfdt.Fdt(info.fdt_blob)
    chosen = f.path_offset("/chosen")
    assert f.getprop(chosen, "linux,initrd-start").as_uint32() == info.initrd[0]
    assert f.getprop(chosen, "linux,initrd-end").as_uint32() == info.initrd[1]


def _corrupt(kind: str) -> bytes:
    import lzma

    import zstandard
    whole = {"gzip": initramfs(), "xz": lzma.compress(b"x" * 5000),
             "zstd": zstandard.ZstdCompressor().compress(b"x" * 5000)}[kind]
    return whole[:len(whole) // 2]


@pytest.mark.parametrize("kind", ["gzip", "xz", "zstd"])
def test_corrupt_compressed_initrd_warns_and_loads(tmp_path, kind):
    data = _corrupt(kind)
    cfg = Cfg(kernel=write(tmp_path, "k", image()), initrd=write(tmp_path, "i", data))
    info, mem = run(cfg)
    assert mem.read(info.initrd[0], len(data)) == data
    assert len(info.warnings) == 1 and "\n" not in info.warnings[0]
    assert f"looks like a {kind} file but does not decompress" in info.warnings[0]


def test_good_compressed_initrd_has_no_warning(tmp_path):
    info, _ = run(Cfg(kernel=write(tmp_path, "k", image()),
                      initrd=write(tmp_path, "i", initramfs())))
    assert info.warnings == ()


def test_user_dtb_gets_chosen(tmp_path):
    blob = fdt.build_fdt(fdt.FdtParams(ram_size=1 << 30))
    cfg = Cfg(kernel=write(tmp_path, "k", image()), dtb=write(tmp_path, "t.dtb", blob),
              append="quiet")
    info, _ = run(cfg)
    f = libfdt.Fdt(info.fdt_blob)
    assert f.getprop(f.path_offset("/chosen"), "bootargs").as_str() == "quiet"


def test_bios_default_without_images_says_run_make_images(tmp_path, monkeypatch):
    monkeypatch.setenv("RVJIT_IMAGES_DIR", str(tmp_path))
    with pytest.raises(LoadError, match="run make images"):
        run(Cfg(bios="default"))


# -- through the command line (one process each: QEMU's syntax end to end) -------------------
def rvjit(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT), RVJIT_IMAGES_DIR="/nonexistent")
    return subprocess.run([sys.executable, "-m", "rvjit", *args], capture_output=True,
                          text=True, timeout=120, env=env)


def test_cli_dumpdtb_writes_the_tree_and_exits_zero(tmp_path):
    out = tmp_path / "virt.dtb"
    k = write(tmp_path, "Image", image())
    p = rvjit("-machine", f"virt,dumpdtb={out}", "-m", "512M", "-smp", "2", "-bios", "none",
              "-kernel", k, "-append", "console=ttyS0")
    assert p.returncode == 0, p.stderr
    blob = out.read_bytes()
    fdt.validate(blob)
    f = libfdt.Fdt(blob)
    assert f.getprop(f.path_offset("/chosen"), "bootargs").as_str() == "console=ttyS0"
    assert f.path_offset("/cpus/cpu@1") > 0


@pytest.mark.parametrize("args, words", [
    (["-machine", "virt,aclint=on"], ["unsupported -machine option 'aclint=on'"]),
    (["-bios", "default"], ["run make images"]),
    (["-bios", "none", "-kernel", "/nonexistent/Image"], ["kernel", "does not exist"]),
    (["-bios", "none", "-kernel", "K", "-dtb", "/nonexistent.dtb"], ["device tree"]),
])
def test_cli_errors_are_one_line(tmp_path, args, words):
    args = [write(tmp_path, "K", image()) if a == "K" else a for a in args]
    p = rvjit("-nographic", *args)
    assert p.returncode != 0
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("rvjit: "), p.stderr
    for w in words:
        assert w in lines[0]


# -- a raw initrd seen by a guest (tests/guest/initrd_read.c) ----------------------------------
def fnv1a64(data: bytes) -> int:
    h = 0xCBF29CE484222325
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & (2**64 - 1)
    return h


def raw_initrd(tmp_path: Path, body: bytes, good: bool = True) -> tuple[str, int]:
    """`body` then its FNV-1a 64 hash (little-endian; wrong unless `good`): what
    initrd_read.c checks."""
    h = fnv1a64(body)
    return write(tmp_path, "disk.img", body + struct.pack("<Q", h if good else h ^ 1)), h


def run_guest(emulator: list[str], elf: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([*emulator, "-machine", "virt", "-bios", "none", "-nographic",
                           "-kernel", str(elf), *args], capture_output=True, text=True,
                          timeout=120, env=env)


QEMU = shutil.which("qemu-system-riscv64")
RVJIT = [sys.executable, "-m", "rvjit"]


def test_guest_reads_raw_initrd_through_the_device_tree(tmp_path):
    """A raw (non-cpio) file of odd size, with -m 256M: the guest finds it at entry + 128 MiB
    through /chosen and hashes every byte."""
    elf = guest_elf("initrd_read")
    body = bytes((i * 131 + (i >> 7)) & 0xFF for i in range(70001))
    path, h = raw_initrd(tmp_path, body)
    p = run_guest(RVJIT, elf, "-m", "256M", "-initrd", path)
    line = f"initrd 0x{DRAM + 128 * MiB:016x} {len(body) + 8} bytes fnv1a 0x{h:016x}"
    assert p.returncode == 0, p.stdout + p.stderr
    assert p.stdout.splitlines() == [line, "PASS"], p.stdout
    assert p.stderr == ""
    if QEMU:
        assert run_guest([QEMU], elf, "-m", "256M", "-initrd", path).stdout == p.stdout


def test_guest_sees_a_changed_initrd_byte(tmp_path):
    """The guest's check can fail: a wrong trailer is exit status 3."""
    path, _ = raw_initrd(tmp_path, b"\x1f\x8b" + bytes(range(256)) * 10, good=False)
    p = run_guest(RVJIT, guest_elf("initrd_read"), "-initrd", path)
    assert p.returncode == 3, p.stdout + p.stderr
    assert "FAIL 3" in p.stdout


def test_corrupt_gzip_initrd_is_one_warning_line_and_still_loads(tmp_path):
    """Starts with gzip's magic but is no gzip stream: a warning, then the guest gets it."""
    path, h = raw_initrd(tmp_path, b"\x1f\x8b" + bytes(range(256)) * 10)
    p = run_guest(RVJIT, guest_elf("initrd_read"), "-initrd", path)
    assert p.returncode == 0, p.stdout + p.stderr
    assert f"fnv1a 0x{h:016x}" in p.stdout
    lines = p.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("rvjit: warning: initrd "), p.stderr
    assert "does not decompress" in lines[0]


@pytest.mark.parametrize("case, words", [
    ("missing", ["initrd", "does not exist"]),
    ("empty", ["initrd", "is empty"]),
])
def test_cli_missing_or_empty_initrd_is_an_error(tmp_path, case, words):
    path = str(tmp_path / "nope") if case == "missing" else write(tmp_path, "e", b"")
    p = run_guest(RVJIT, guest_elf("initrd_read"), "-initrd", path)
    assert p.returncode != 0 and "Traceback" not in p.stderr
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("rvjit: "), p.stderr
    for w in words:
        assert w in lines[0]
