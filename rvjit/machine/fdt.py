"""The virt machine's flattened device tree, built the way QEMU 7.2's hw/riscv/virt.c builds
it (create_fdt and friends) through libfdt's Python binding: the same node names, reg ranges,
interrupt numbers and phandle wiring.  Nodes for devices rvjit lacks (fw-cfg, flash, PCIe,
platform bus, PMU) are left out; the CPU nodes advertise exactly what rvjit implements."""
from __future__ import annotations

import struct
from dataclasses import dataclass

import libfdt

# QEMU virt's memory map (hw/riscv/virt.c virt_memmap[]).
VIRT_TEST = (0x100000, 0x1000)
VIRT_RTC = (0x101000, 0x1000)
VIRT_CLINT = (0x2000000, 0x10000)
VIRT_PLIC = (0xC000000, 0x600000)       # sized for VIRT_CPUS_MAX * 2 contexts, as QEMU
VIRT_UART0 = (0x10000000, 0x100)
VIRT_VIRTIO = (0x10001000, 0x1000)
VIRT_DRAM_BASE = 0x80000000

VIRTIO_COUNT = 8
VIRTIO_IRQ = 1              # slot n uses PLIC source 1 + n
UART0_IRQ = 10
RTC_IRQ = 11
PLIC_NDEV = 96              # VIRT_IRQCHIP_NUM_SOURCES
UART_CLOCK_HZ = 3686400
TIMEBASE_HZ = 10_000_000
TEST_FINISHER_PASS = 0x5555
TEST_FINISHER_RESET = 0x7777

# Local interrupt numbers (privileged spec 3.1.9, mip).
IRQ_M_SOFT, IRQ_S_TIMER, IRQ_M_TIMER, IRQ_S_EXT, IRQ_M_EXT = 3, 5, 7, 9, 11

# Canonical order of single-letter extensions in an ISA string (unprivileged spec 29.x).
_CANONICAL = "IEMAFDQLCBKJTPVH"
_NOT_IN_ISA_STRING = set("SU")          # privilege modes live in misa, not in riscv,isa

DEFAULT_MULTI_LETTER = ("zicntr", "zicsr", "zifencei")


class FdtError(Exception):
    pass


@dataclass(frozen=True, slots=True)
class FdtParams:
    ram_size: int
    smp: int = 1
    extensions: str = "IMACSU"                  # misa letters (MachineConfig.extensions)
    multi_letter: tuple[str, ...] = DEFAULT_MULTI_LETTER
    mmu_type: str | None = "riscv,sv39"         # None: no MMU (mmu-type omitted)
    bootargs: str | None = None
    initrd: tuple[int, int] | None = None       # [start, end)
    virtio: bool = False                        # the virtio-mmio slots exist
    rng_seed: bytes | None = None


def isa_letters(extensions: str) -> list[str]:
    """misa letters -> the single-letter extensions of riscv,isa, canonical order."""
    ext = set(extensions.upper()) - _NOT_IN_ISA_STRING
    unknown = ext - set(_CANONICAL)
    if unknown:
        raise FdtError(f"unknown extension letter(s) {''.join(sorted(unknown))}")
    if "I" not in ext:
        raise FdtError("the ISA needs the base I")
    return [c.lower() for c in _CANONICAL if c in ext]


def isa_string(extensions: str, multi_letter: tuple[str, ...] = DEFAULT_MULTI_LETTER) -> str:
    return "rv64" + "".join(isa_letters(extensions)) + "".join("_" + m for m in multi_letter)


def _cells(*values: int) -> bytes:
    return struct.pack(f">{len(values)}I", *values)


def _reg(base: int, size: int) -> bytes:
    return struct.pack(">QQ", base, size)


class _Tree:
    """A thin layer over libfdt.Fdt that grows the blob as nodes are added."""

    def __init__(self) -> None:
        self.fdt = libfdt.Fdt.create_empty_tree(4096)
        self.phandle = 1

    def _retry(self, fn, *args):
        while True:
            try:
                return fn(*args)
            except libfdt.FdtException as e:
                if e.err != -libfdt.NOSPACE:
                    raise
                self.fdt.resize(self.fdt.totalsize() + 4096)

    def node(self, path: str) -> int:
        parent, _, name = path.rpartition("/")
        return self._retry(self.fdt.add_subnode, self.fdt.path_offset(parent or "/"), name)

    def prop(self, path: str, name: str, value: bytes | str | int | list[str] | None) -> None:
        if value is None:
            data = b""
        elif isinstance(value, int):
            data = _cells(value)
        elif isinstance(value, str):
            data = value.encode() + b"\0"
        elif isinstance(value, list):
            data = b"".join(s.encode() + b"\0" for s in value)
        else:
            data = value
        self._retry(lambda: self.fdt.setprop(self.fdt.path_offset(path), name, data))

    def new_phandle(self) -> int:
        p = self.phandle
        self.phandle += 1
        return p


def build_fdt(p: FdtParams) -> bytes:
    if not 1 <= p.smp <= 512:
        raise FdtError(f"{p.smp} harts (1 to 512)")
    t = _Tree()
    t.prop("/", "#address-cells", 2)
    t.prop("/", "#size-cells", 2)
    t.prop("/", "compatible", "riscv-virtio")
    t.prop("/", "model", "riscv-virtio,qemu")

    t.node("/soc")
    t.prop("/soc", "ranges", None)
    t.prop("/soc", "compatible", "simple-bus")
    t.prop("/soc", "#size-cells", 2)
    t.prop("/soc", "#address-cells", 2)

    # create_fdt_socket: harts in reverse order, each with its local interrupt controller.
    t.node("/cpus")
    t.prop("/cpus", "timebase-frequency", TIMEBASE_HZ)
    t.prop("/cpus", "#size-cells", 0)
    t.prop("/cpus", "#address-cells", 1)
    t.node("/cpus/cpu-map")
    t.node("/cpus/cpu-map/cluster0")
    intc = [0] * p.smp
    isa = isa_string(p.extensions, p.multi_letter)
    for cpu in range(p.smp - 1, -1, -1):
        cpu_phandle = t.new_phandle()
        path = f"/cpus/cpu@{cpu}"
        t.node(path)
        if p.mmu_type:
            t.prop(path, "mmu-type", p.mmu_type)
        t.prop(path, "riscv,isa", isa)
        t.prop(path, "riscv,isa-base", "rv64i")
        t.prop(path, "riscv,isa-extensions", isa_letters(p.extensions) + list(p.multi_letter))
        t.prop(path, "compatible", "riscv")
        t.prop(path, "status", "okay")
        t.prop(path, "reg", cpu)
        t.prop(path, "device_type", "cpu")
        t.prop(path, "phandle", cpu_phandle)
        intc[cpu] = t.new_phandle()
        ic = path + "/interrupt-controller"
        t.node(ic)
        t.prop(ic, "phandle", intc[cpu])
        t.prop(ic, "compatible", "riscv,cpu-intc")
        t.prop(ic, "interrupt-controller", None)
        t.prop(ic, "#interrupt-cells", 1)
        core = f"/cpus/cpu-map/cluster0/core{cpu}"
        t.node(core)
        t.prop(core, "cpu", cpu_phandle)

    mem = f"/memory@{VIRT_DRAM_BASE:x}"
    t.node(mem)
    t.prop(mem, "reg", _reg(VIRT_DRAM_BASE, p.ram_size))
    t.prop(mem, "device_type", "memory")

    clint = f"/soc/clint@{VIRT_CLINT[0]:x}"
    t.node(clint)
    t.prop(clint, "compatible", ["sifive,clint0", "riscv,clint0"])
    t.prop(clint, "reg", _reg(*VIRT_CLINT))
    t.prop(clint, "interrupts-extended",
           b"".join(_cells(intc[c], IRQ_M_SOFT, intc[c], IRQ_M_TIMER) for c in range(p.smp)))

    plic_phandle = t.new_phandle()
    plic = f"/soc/plic@{VIRT_PLIC[0]:x}"
    t.node(plic)
    t.prop(plic, "#interrupt-cells", 1)
    t.prop(plic, "#address-cells", 0)
    t.prop(plic, "compatible", ["sifive,plic-1.0.0", "riscv,plic0"])
    t.prop(plic, "interrupt-controller", None)
    t.prop(plic, "interrupts-extended",
           b"".join(_cells(intc[c], IRQ_M_EXT, intc[c], IRQ_S_EXT) for c in range(p.smp)))
    t.prop(plic, "reg", _reg(*VIRT_PLIC))
    t.prop(plic, "riscv,ndev", PLIC_NDEV)
    t.prop(plic, "phandle", plic_phandle)

    if p.virtio:
        for i in range(VIRTIO_COUNT):
            base = VIRT_VIRTIO[0] + i * VIRT_VIRTIO[1]
            path = f"/soc/virtio_mmio@{base:x}"
            t.node(path)
            t.prop(path, "compatible", "virtio,mmio")
            t.prop(path, "reg", _reg(base, VIRT_VIRTIO[1]))
            t.prop(path, "interrupt-parent", plic_phandle)
            t.prop(path, "interrupts", VIRTIO_IRQ + i)

    test_phandle = t.new_phandle()
    test = f"/soc/test@{VIRT_TEST[0]:x}"
    t.node(test)
    t.prop(test, "compatible", ["sifive,test1", "sifive,test0", "syscon"])
    t.prop(test, "reg", _reg(*VIRT_TEST))
    t.prop(test, "phandle", test_phandle)
    for name, compat, value in (("reboot", "syscon-reboot", TEST_FINISHER_RESET),
                                ("poweroff", "syscon-poweroff", TEST_FINISHER_PASS)):
        t.node("/" + name)
        t.prop("/" + name, "compatible", compat)
        t.prop("/" + name, "regmap", test_phandle)
        t.prop("/" + name, "offset", 0)
        t.prop("/" + name, "value", value)

    uart = f"/soc/serial@{VIRT_UART0[0]:x}"
    t.node(uart)
    t.prop(uart, "compatible", "ns16550a")
    t.prop(uart, "reg", _reg(*VIRT_UART0))
    t.prop(uart, "clock-frequency", UART_CLOCK_HZ)
    t.prop(uart, "interrupt-parent", plic_phandle)
    t.prop(uart, "interrupts", UART0_IRQ)

    rtc = f"/soc/rtc@{VIRT_RTC[0]:x}"
    t.node(rtc)
    t.prop(rtc, "compatible", "google,goldfish-rtc")
    t.prop(rtc, "reg", _reg(*VIRT_RTC))
    t.prop(rtc, "interrupt-parent", plic_phandle)
    t.prop(rtc, "interrupts", RTC_IRQ)

    t.node("/chosen")
    t.prop("/chosen", "stdout-path", uart)
    if p.bootargs is not None:
        t.prop("/chosen", "bootargs", p.bootargs)
    if p.rng_seed:
        t.prop("/chosen", "rng-seed", p.rng_seed)
    if p.initrd is not None:
        set_initrd(t.fdt, *p.initrd)
    t.fdt.pack()
    return bytes(t.fdt.as_bytearray())


def set_initrd(fdt: libfdt.Fdt, start: int, end: int) -> None:
    """linux,initrd-start/end in /chosen: one cell when it fits, as QEMU 7.2, else two."""
    off = fdt.path_offset("/chosen")
    for name, v in (("linux,initrd-start", start), ("linux,initrd-end", end)):
        fdt.setprop(off, name, _cells(v) if v < 1 << 32 else struct.pack(">Q", v))


def validate(blob: bytes, what: str = "device tree") -> libfdt.Fdt:
    """A libfdt view of `blob`, or FdtError with one line saying what is wrong."""
    if len(blob) < 40:
        raise FdtError(f"{what} is too short to be a flattened device tree")
    buf = bytearray(blob)
    # fdt_check_full walks the whole structure block with bounds checks; the other libfdt
    # calls trust the blob and may read out of bounds on a corrupt one.
    err = libfdt.fdt_check_full(buf, len(buf))
    if err:
        raise FdtError(f"{what} is corrupt ({libfdt.fdt_strerror(err)})")
    try:
        fdt = libfdt.Fdt(buf)
        fdt.path_offset("/")
    except libfdt.FdtException as e:
        raise FdtError(f"{what} is corrupt ({libfdt.fdt_strerror(e.err)})") from None
    except Exception as e:  # the binding raises plain errors on some header damage
        raise FdtError(f"{what} is corrupt ({e})") from None
    return fdt


def with_chosen(blob: bytes, bootargs: str | None, initrd: tuple[int, int] | None) -> bytes:
    """A user's -dtb with /chosen updated for -append and -initrd (as QEMU does with -dtb)."""
    fdt = libfdt.Fdt(bytearray(blob) + bytearray(4096))
    fdt.resize(len(blob) + 4096)
    off = fdt.path_offset("/chosen", libfdt.QUIET_NOTFOUND)
    if off < 0:
        off = fdt.add_subnode(0, "chosen")
    if bootargs is not None:
        fdt.setprop_str(off, "bootargs", bootargs)
    if initrd is not None:
        set_initrd(fdt, *initrd)
    fdt.pack()
    return bytes(fdt.as_bytearray())
