"""Booting the virt machine the way QEMU 7.2 does (hw/riscv/boot.c, hw/riscv/virt.c):

- the firmware (-bios: an ELF at its physical addresses, or a binary at RAM base) or, with
  -bios none, nothing: the kernel then starts at RAM base;
- the kernel 2 MiB-aligned after the firmware's end (0x80200000 for OpenSBI), or at RAM base
  with -bios none; an ELF loads at its physical addresses, a flat RISC-V Image
  (Documentation/arch/riscv/boot-image-header.rst) as is;
- the initrd, any file loaded as is, at kernel entry + min(RAM/2, 128 MiB), described in
  /chosen as linux,initrd-start/end;
- the device tree at the highest 2 MiB-aligned address where it fits below the end of RAM or
  3 GiB, whichever is lower (riscv_compute_fdt_addr);
- the reset ROM at 0x1000 enters the first stage with a0 = hartid, a1 = the DTB address and
  a2 = a struct fw_dynamic_info naming the kernel entry as the next stage, in S-mode.

Every problem is a LoadError with one line."""
from __future__ import annotations

import gzip
import lzma
import struct
from dataclasses import dataclass

from rvjit.machine import fdt, loader
from rvjit.machine.loader import LoadError

MiB = 1 << 20
KERNEL_ALIGN = 2 * MiB              # riscv_calc_kernel_start_addr, RV64
FDT_ALIGN = 2 * MiB
FDT_LIMIT = 3072 * MiB              # the DTB stays addressable by 32-bit code
INITRD_MAX_OFFSET = 128 * MiB

# Documentation/arch/riscv/boot-image-header.rst
IMAGE_MAGIC = b"RISCV\0\0\0"        # at offset 48 (deprecated, still written)
IMAGE_MAGIC2 = b"RSC\x05"           # at offset 56
IMAGE_HEADER = struct.Struct("<IIQQQIIQ8s4sI")

# The compressed initramfs formats whose integrity is checked (a warning only).
COMPRESSED_MAGICS = {b"\x1f\x8b": "gzip", b"\xfd7zXZ\0": "xz", b"\x28\xb5\x2f\xfd": "zstd"}


@dataclass(frozen=True, slots=True)
class RiscvImage:
    text_offset: int
    image_size: int          # bytes the kernel occupies once running (incl. bss); 0: unknown
    version: int


def parse_image_header(data: bytes) -> RiscvImage | None:
    """The flat Image header, or None if `data` is not a RISC-V Image."""
    if len(data) < IMAGE_HEADER.size:
        return None
    (_c0, _c1, text_offset, image_size, _flags, version, _r1, _r2, magic, magic2,
     _r3) = IMAGE_HEADER.unpack_from(data)
    if magic2 != IMAGE_MAGIC2 and magic != IMAGE_MAGIC:
        return None
    return RiscvImage(text_offset, image_size, version)


def align_up(v: int, a: int) -> int:
    return (v + a - 1) & -a


def fdt_address(dram_base: int, ram_size: int, fdt_size: int) -> int:
    """riscv_compute_fdt_addr: as high as possible, 2 MiB aligned, below min(RAM end, 3 GiB)."""
    dram_end = dram_base + ram_size
    top = min(dram_end, FDT_LIMIT) if dram_base < FDT_LIMIT else dram_end
    return (top - fdt_size) & -FDT_ALIGN


def _decompress_check(kind: str, data: bytes) -> None:
    """Decompress `data` (discarding the result); raise on a corrupt stream."""
    if kind == "gzip":
        gzip.decompress(data)
    elif kind == "xz":
        lzma.decompress(data)
    elif kind == "zstd":
        import zstandard  # a dependency of rvjit; imported here, where it is needed
        stream = zstandard.ZstdDecompressor().decompressobj()
        stream.decompress(data)
        if not stream.eof:
            raise EOFError("the zstd frame is truncated")


def initrd_warning(path: str, data: bytes) -> str | None:
    """QEMU loads any -initrd file as is (hw/riscv/boot.c, load_ramdisk then
    load_image_targphys): bare-metal hypervisors pass a disk image this way.  Only an empty file
    is refused; a gzip, xz or zstd file that does not decompress is loaded all the same, with
    this one-line warning (a truncated initramfs would otherwise fail late, inside Linux)."""
    if not data:
        raise LoadError(f"initrd '{path}' is empty")
    kind = next((k for m, k in COMPRESSED_MAGICS.items() if data.startswith(m)), None)
    if kind is None:
        return None
    try:
        _decompress_check(kind, data)
    except Exception as e:          # zlib.error, EOFError, LZMAError, ZstdError, OSError
        reason = str(e).splitlines()[0] if str(e) else type(e).__name__
        return (f"warning: initrd '{path}' looks like a {kind} file but does not decompress "
                f"({reason}); loaded as is")
    return None


@dataclass(frozen=True, slots=True)
class BootInfo:
    """Where everything went (for the reset ROM, -machine dumpdtb and tests)."""
    start: int                          # where the reset ROM jumps
    fdt_addr: int
    fdt_blob: bytes
    kernel_entry: int                   # fw_dynamic_info.next_addr (0: no kernel, as QEMU)
    firmware: tuple[int, int] | None    # [lo, hi)
    kernel: tuple[int, int] | None
    initrd: tuple[int, int] | None
    warnings: tuple[str, ...] = ()      # one line each, for the command line to print
    # Every (address, bytes) written into RAM, in order: a system reset writes them again
    # (system_reset.py), as QEMU's loader does with the images it registered.
    blobs: tuple[tuple[int, bytes], ...] = ()


class _RecordingMemory:
    """The guest memory as the loaders see it, keeping a reference to what they write."""

    def __init__(self, memory) -> None:
        self.memory = memory
        self.blobs: list[tuple[int, bytes]] = []

    def find_ram(self, addr: int, size: int):
        return self.memory.find_ram(addr, size)

    def write_bytes(self, addr: int, data: bytes) -> None:
        self.memory.write_bytes(addr, data)
        self.blobs.append((addr, bytes(data)))


def _ranges_overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def resolve_bios(bios: str | None) -> str | None:
    """-bios none -> None; -bios default -> the fw_dynamic.bin `make images` fetched."""
    if bios is None or bios == "none":
        return None
    if bios != "default":
        return bios
    from rvjit.images.fetch import cache_dir, image_path
    path = image_path("fw_dynamic.bin")
    if path is None:
        raise LoadError("-bios default needs OpenSBI's fw_dynamic.bin, which is not in "
                        f"{cache_dir()}: run make images (or pass -bios FILE / -bios none)")
    return path


def load(memory, cfg, dram_base: int, fdt_params: fdt.FdtParams) -> BootInfo:
    """Place firmware, kernel, initrd and device tree in guest RAM and return where they went.
    `cfg` is a MachineConfig (bios, kernel, initrd, append, dtb, ram_size)."""
    memory = _RecordingMemory(memory)
    ram_end = dram_base + cfg.ram_size
    bios = resolve_bios(cfg.bios)
    firmware = None
    start = dram_base
    if bios is not None:
        data = loader.read_file(bios, "firmware")
        if loader.is_elf(data):
            entry, lo, hi = loader.load_elf(memory, bios, data, "firmware")
            start, firmware = entry, (lo, hi)
        else:
            firmware = loader.load_raw(memory, bios, data, dram_base, "firmware")
    elif cfg.kernel is None:
        raise LoadError("no -kernel given (and -bios none)")

    kernel = None
    kernel_entry = 0
    if cfg.kernel is not None:
        kernel_start = align_up(firmware[1], KERNEL_ALIGN) if firmware else dram_base
        data = loader.read_file(cfg.kernel, "kernel")
        if loader.is_elf(data):
            kernel_entry, lo, hi = loader.load_elf(memory, cfg.kernel, data, "kernel")
            kernel = (lo, hi)
        else:
            hdr = parse_image_header(data)
            size = max(len(data), hdr.image_size if hdr else 0)
            if not data:
                raise LoadError(f"kernel '{cfg.kernel}' is empty")
            if kernel_start + size > ram_end:
                raise LoadError(f"kernel '{cfg.kernel}' ({size / MiB:.1f} MiB) does not fit "
                                f"in RAM at {kernel_start:#x} (RAM ends at {ram_end:#x}; "
                                "give more -m)")
            loader.load_raw(memory, cfg.kernel, data, kernel_start, "kernel")
            kernel_entry, kernel = kernel_start, (kernel_start, kernel_start + size)
        if firmware and _ranges_overlap(firmware, kernel):
            raise LoadError(f"kernel '{cfg.kernel}' [{kernel[0]:#x}, {kernel[1]:#x}) overlaps "
                            f"the firmware [{firmware[0]:#x}, {firmware[1]:#x})")
        if bios is None:
            start = kernel_entry

    if cfg.append is not None and cfg.kernel is None:
        raise LoadError("-append needs -kernel")    # (QEMU: vl.c, qemu_validate_options)
    initrd = None
    warnings: list[str] = []
    if cfg.initrd is not None:
        if cfg.kernel is None:
            raise LoadError("-initrd needs -kernel")
        data = loader.read_file(cfg.initrd, "initrd")
        warning = initrd_warning(cfg.initrd, data)
        if warning:
            warnings.append(warning)
        lo = kernel_entry + min(cfg.ram_size // 2, INITRD_MAX_OFFSET)
        initrd = (lo, lo + len(data))
        if _ranges_overlap(initrd, kernel):
            raise LoadError(f"initrd at [{lo:#x}, {initrd[1]:#x}) would overlap the kernel "
                            f"[{kernel[0]:#x}, {kernel[1]:#x}) (give more -m)")
        if initrd[1] > ram_end:
            raise LoadError(f"initrd '{cfg.initrd}' ({len(data)} bytes) does not fit in RAM "
                            f"at {lo:#x} (RAM ends at {ram_end:#x}; give more -m)")
        loader.load_raw(memory, cfg.initrd, data, lo, "initrd")

    bootargs = cfg.append
    if cfg.dtb is not None:
        blob = loader.read_file(cfg.dtb, "device tree")
        try:
            fdt.validate(blob, f"device tree '{cfg.dtb}'")
        except fdt.FdtError as e:
            raise LoadError(str(e)) from None
        blob = fdt.with_chosen(blob, bootargs, initrd)
    else:
        params = fdt_params
        if bootargs is not None or initrd is not None:
            from dataclasses import replace
            params = replace(params, bootargs=bootargs, initrd=initrd)
        try:
            blob = fdt.build_fdt(params)
        except fdt.FdtError as e:
            raise LoadError(f"device tree: {e}") from None
    fdt_addr = fdt_address(dram_base, cfg.ram_size, len(blob))
    span = (fdt_addr, fdt_addr + len(blob))
    if fdt_addr < dram_base:
        raise LoadError(f"the device tree ({len(blob)} bytes) does not fit in RAM")
    for name, r in (("firmware", firmware), ("kernel", kernel), ("initrd", initrd)):
        if r and _ranges_overlap(span, r):
            raise LoadError(f"no room for the device tree at {fdt_addr:#x} (it would overlap "
                            f"the {name}): give more -m")
    memory.write_bytes(fdt_addr, blob)
    return BootInfo(start, fdt_addr, blob, kernel_entry, firmware, kernel, initrd,
                    tuple(warnings), tuple(memory.blobs))


def describe(info: BootInfo) -> str:
    def r(x):
        return f"[{x[0]:#x}, {x[1]:#x})" if x else "-"
    return (f"start {info.start:#x} fdt {info.fdt_addr:#x} firmware {r(info.firmware)} "
            f"kernel {r(info.kernel)} initrd {r(info.initrd)}")


def dump_dtb(path: str, blob: bytes) -> None:
    try:
        with open(path, "wb") as f:
            f.write(blob)
    except OSError as e:
        raise LoadError(f"cannot write the device tree to '{path}': {e.strerror}") from None
