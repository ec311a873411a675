"""QEMU's `virt` board: memory map, devices, harts, boot, and the machine's run loop."""
from __future__ import annotations

import gc
import json
import os
import sys
import time
import weakref
from dataclasses import dataclass, field

from rvjit.cache_integrity import damaged_entries
from rvjit.cpu.state import EXIT_BUDGET, EXIT_HALT, EXIT_NAMES, EXIT_WFI
from rvjit.exec.engine import Engine
from rvjit.hw.clint import TIMEBASE_HZ, Clint
from rvjit.hw.goldfish_rtc import GoldfishRtc
from rvjit.hw.plic import Plic, plic_size
from rvjit.hw.sifive_test import SifiveTest
from rvjit.hw.uart16550 import Uart16550
from rvjit.hw.virtio_blk import VirtioBlk
from rvjit.hw.virtio_console import VirtioConsole
from rvjit.hw.virtio_mmio import EmptySlot
from rvjit.hw.virtio_rng import VirtioRng
from rvjit.machine import boot, fdt, loader
from rvjit.machine.console import HostConsole
from rvjit.machine.devices import DeviceConfig, DeviceError, validate
from rvjit.machine.reset_rom import ROM_BASE, ROM_SIZE, reset_rom
from rvjit.machine.system_reset import reset_machine
from rvjit.native.build import load as load_native
from rvjit.softmmu.physmem import GuestMemory

# QEMU virt's memory map (hw/riscv/virt.c facts).
VIRT_TEST = 0x100000
VIRT_CLINT = 0x2000000
VIRT_PLIC = 0xC000000
VIRT_UART0 = 0x10000000
VIRT_DRAM = 0x80000000
UART0_IRQ = 10



def misa_for(extensions: str) -> int:
    m = 2 << 62
    for c in extensions:
        m |= 1 << (ord(c) - ord("A"))
    return m


GC_SECONDS = 60.0       # run time between two passes of the cyclic garbage collector

@dataclass
class MachineConfig:
    ram_size: int = 128 << 20
    smp: int = 1
    bios: str | None = None          # None: -bios none
    kernel: str | None = None
    # misa letters.  H (the hypervisor extension) is on by default, as in QEMU 7.2's rv64 CPU;
    # `-cpu rv64,h=false` removes it.
    extensions: str = "IMAFDCHSU"
    icount_shift: int | None = None  # deterministic time: 2^shift ns per instruction
    hot_threshold: int | None = None
    max_insns: int | None = None     # stop after about this many guest instructions
    max_seconds: float | None = None # stop after about this much host time
    output: object = None            # callable(bytes); default stdout
    console_input: bool = False      # feed host stdin to the UART (-nographic)
    block_budget: int = 200_000      # blocks a hart runs before devices and limits are polled
    compile_workers: int | None = None   # LLVM worker processes; 0: compile synchronously
    disk_cache: bool | None = None  # on-disk translation and code caches (None: RVJIT_DISK_CACHE)
    # Boot (rvjit/machine/boot.py): -initrd, -append, -dtb, -machine dumpdtb=FILE.
    initrd: str | None = None
    append: str | None = None
    dtb: str | None = None
    dumpdtb: str | None = None
    mmu_type: str | None = "riscv,sv39"  # the device tree's mmu-type (what satp accepts)
    virtio: bool = True              # the 8 virtio-mmio slots (empty ones report device 0)
    devices: DeviceConfig = field(default_factory=DeviceConfig)   # -drive / -device
    no_reboot: bool = False          # -no-reboot: a guest's reset request stops the machine


@dataclass(eq=False)
class Hart:
    index: int
    cpu: object


@dataclass
class RunResult:
    exit_code: int
    reason: str
    guest_insns: int
    seconds: float
    stats: dict = field(default_factory=dict)


class VirtMachine:
    def __init__(self, cfg: MachineConfig) -> None:
        self.cfg = cfg
        self.ffi, self.lib = load_native()
        ffi, lib = self.ffi, self.lib
        self.rt = ffi.gc(lib.rt_machine_new(), lib.rt_machine_free)
        if self.rt == ffi.NULL:
            raise MemoryError("cannot allocate the native machine state")
        self.memory = GuestMemory(ffi, lib, self.rt)
        self.rom = self.memory.add_ram("mrom", ROM_BASE, ROM_SIZE)
        self.dram = self.memory.add_ram("dram", VIRT_DRAM, cfg.ram_size)
        lib.rt_set_misa(misa_for(cfg.extensions))
        self.start_time = time.monotonic()
        shift = -1 if cfg.icount_shift is None else cfg.icount_shift
        lib.rt_set_time_mode(shift, self._c_monotonic())
        self.harts = [Hart(i, ffi.new("CPUState *")) for i in range(cfg.smp)]
        for h in self.harts:
            h.cpu.hart_index = h.index
            h.cpu.rt = self.rt
            h.cpu.mem_base = lib.rt_mem_base(self.rt)
            lib.rt_reset_cpu(h.cpu, h.index, ROM_BASE)
        # Deterministic time also needs a deterministic choice of tier: compile synchronously.
        workers = 0 if cfg.icount_shift is not None else cfg.compile_workers
        self.engine = Engine(ffi, lib, self.rt, self.memory, cfg.hot_threshold, workers,
                             cfg.disk_cache)
        out = cfg.output or self._stdout
        self._out_buf = bytearray()
        self.clint = Clint(lib, self.harts)
        self.plic = Plic(lib, self.harts)
        self.uart = Uart16550(out, lambda level: self.plic.set_irq(UART0_IRQ, level))
        self.memory.add_mmio("test", VIRT_TEST, 0x1000, SifiveTest(self.stop, self.reset))
        self.memory.add_mmio("clint", VIRT_CLINT, 0x10000, self.clint)
        self.memory.add_mmio("plic", VIRT_PLIC, plic_size(cfg.smp), self.plic)
        self.memory.add_mmio("uart0", VIRT_UART0, 0x100, self.uart)
        self.rtc = GoldfishRtc(lambda level: self.plic.set_irq(fdt.RTC_IRQ, level))
        self.memory.add_mmio("rtc", fdt.VIRT_RTC[0], fdt.VIRT_RTC[1], self.rtc)
        self.virtio = self._make_virtio(cfg, out) if cfg.virtio else []
        self.exit_code: int | None = None
        self.reset_requested = False
        self.device_error: BaseException | None = None
        self.current: Hart | None = None
        _install_mmio_handler(self)

    def _make_virtio(self, cfg: MachineConfig, out) -> list:
        """Fill the virtio-mmio slots in command-line order; the rest stay empty."""
        try:
            validate(cfg.devices, fdt.VIRTIO_COUNT)
        except DeviceError as e:
            raise loader.LoadError(str(e)) from None
        devs = []
        for i in range(fdt.VIRTIO_COUNT):
            irq = fdt.VIRTIO_IRQ + i

            def set_irq(level: bool, irq: int = irq) -> None:
                self.plic.set_irq(irq, level)
            spec = cfg.devices.virtio[i] if i < len(cfg.devices.virtio) else None
            if spec is None:
                dev = EmptySlot()
            elif spec.kind == "blk":
                d = cfg.devices.drives[spec.drive]
                try:
                    dev = VirtioBlk(self.memory, d.file, d.read_only, set_irq,
                                    snapshot=d.snapshot, cache=d.cache)
                except OSError as e:
                    raise loader.LoadError(f"cannot open drive '{d.file}': {e.strerror}") \
                        from None
            elif spec.kind == "rng":
                dev = VirtioRng(self.memory, set_irq)
            else:
                dev = VirtioConsole(self.memory, out, set_irq)
            devs.append(dev)
            base = fdt.VIRT_VIRTIO[0] + i * fdt.VIRT_VIRTIO[1]
            self.memory.add_mmio(f"virtio{i}", base, fdt.VIRT_VIRTIO[1], dev)
        return devs

    def close(self) -> None:
        """Make every disk write durable and release the images."""
        for d in self.virtio:
            if isinstance(d, VirtioBlk):
                d.close()

    @staticmethod
    def _c_monotonic() -> float:
        return time.clock_gettime(time.CLOCK_MONOTONIC)

    def _stdout(self, data: bytes) -> None:
        sys.stdout.buffer.write(data)
        if b"\n" in data:
            sys.stdout.buffer.flush()

    # -- boot --------------------------------------------------------------------------------
    def load_images(self) -> boot.BootInfo:
        """Firmware, kernel, initrd and device tree into RAM, then the reset ROM (boot.py).
        With -machine dumpdtb=FILE the device tree is written there as well."""
        cfg = self.cfg
        params = fdt.FdtParams(ram_size=cfg.ram_size, smp=cfg.smp, extensions=cfg.extensions,
                               mmu_type=cfg.mmu_type, virtio=cfg.virtio)
        info = boot.load(self.memory, cfg, VIRT_DRAM, params)
        if cfg.dumpdtb is not None:
            boot.dump_dtb(cfg.dumpdtb, info.fdt_blob)
        self.memory.write_bytes(ROM_BASE, reset_rom(info.start, info.fdt_addr,
                                                    info.kernel_entry))
        self.boot_info = info
        return info

    # -- device callbacks --------------------------------------------------------------------
    def stop(self, code: int) -> None:
        self.exit_code = code
        for h in self.harts:
            h.cpu.exit_request = EXIT_HALT
            h.cpu.budget = 0

    def reset(self) -> None:
        """The guest asks for a system reset: the run loop restarts the machine
        (system_reset.py) once every hart has left its block; with -no-reboot the machine
        stops with status 0 instead, as QEMU does."""
        if self.cfg.no_reboot:
            self.stop(0)
            return
        self.reset_requested = True
        for h in self.harts:
            h.cpu.exit_request = EXIT_HALT
            h.cpu.budget = 0

    def system_reset(self) -> None:
        self.reset_requested = False
        reset_machine(self)

    def mmio(self, cpu, paddr: int, size: int, is_write: bool, val) -> int:
        m = self.memory.find_mmio(paddr)
        if m is None:
            return 1
        off = paddr - m.base
        if is_write:
            m.device.write(off, size, val[0])
        else:
            val[0] = m.device.read(off, size) & ((1 << (8 * size)) - 1)
        return 0

    # -- running -----------------------------------------------------------------------------
    def run(self) -> RunResult:
        self.console = HostConsole(self.uart.feed, lambda: self.stop(0),
                                   None if self.cfg.console_input else -1)
        with self.console:
            return self._run()

    def _run(self) -> RunResult:
        # The translation caches hold hundreds of thousands of long-lived objects, many made
        # during the run (cache shards are read as code is first seen): the cyclic collector's
        # passes over them cost ~10% of a boot.  It runs only every GC_SECONDS of the run
        # (reference counting frees everything but cycles at once, as always).
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return self._run_loop()
        finally:
            if was_enabled:
                gc.enable()

    def _run_loop(self) -> RunResult:
        t0 = time.perf_counter()
        next_gc = t0 + GC_SECONDS
        lib, engine = self.lib, self.engine
        reason = "halt"
        try:
            while self.exit_code is None:
                if self.reset_requested:
                    self.system_reset()
                all_wfi = True
                for h in self.harts:
                    cpu = h.cpu
                    self.current = h
                    if cpu.wfi:
                        lib.rt_timer_update(cpu)
                        if not (cpu.mip & cpu.mie):
                            continue
                        cpu.wfi = 0
                    all_wfi = False
                    cpu.budget = self.cfg.block_budget
                    while True:
                        r = lib.rt_run(cpu)
                        if self.device_error is not None:
                            raise self.device_error
                        if engine.handle_exit(cpu, r):
                            continue
                        break
                    if r == EXIT_HALT or self.exit_code is not None:
                        break
                    if r not in (EXIT_BUDGET, EXIT_WFI):
                        raise RuntimeError(f"unexpected run-loop exit {EXIT_NAMES.get(r, r)}")
                self.clint.update()
                self.rtc.poll()
                self.console.poll()
                if time.perf_counter() >= next_gc:
                    gc.collect()
                    next_gc = time.perf_counter() + GC_SECONDS
                if self.cfg.max_insns is not None and self.guest_insns() >= self.cfg.max_insns:
                    reason = "insn-limit"
                    break
                if self.cfg.max_seconds is not None and \
                        time.perf_counter() - t0 >= self.cfg.max_seconds:
                    reason = "time-limit"
                    break
                if all_wfi and self.exit_code is None:
                    self._idle()
        except KeyboardInterrupt:
            reason = "interrupted"
            self.exit_code = 130
        finally:
            self.engine.close()
            self.close()
        secs = time.perf_counter() - t0
        return RunResult(self.exit_code or 0, reason, self.guest_insns(), secs, self.stats(secs))

    def _idle(self) -> None:
        """Every hart waits for an interrupt: sleep until the next timer deadline."""
        ticks = self.clint.next_deadline()
        if ticks is None:
            if self.cfg.icount_shift is not None:
                raise RuntimeError("all harts wait for an interrupt that can never come")
            self.console.wait(0.01)
            return
        if self.cfg.icount_shift is not None:
            # Deterministic time advances only with instructions: jump to the deadline.
            self.lib.rt_time_advance(ticks)
            return
        self.console.wait(min(ticks / TIMEBASE_HZ, 0.01))

    def guest_insns(self) -> int:
        return sum(h.cpu.instret for h in self.harts)

    def stats(self, secs: float) -> dict:
        s = self.engine.stats
        insns = self.guest_insns()
        cg = self.engine.codegen
        xl = self.engine.xl
        tlb_miss = sum(h.cpu.stat_tlb_miss for h in self.harts)
        return {
            "guest_insns": insns,
            "run_seconds": secs,
            "mips": insns / secs / 1e6 if secs else 0.0,
            "blocks_translated": s.blocks_translated,
            "translate_seconds": s.translate_seconds,
            "regions_compiled": s.regions_compiled,
            "blocks_compiled": s.blocks_compiled,
            "compile_seconds": cg.compile_seconds if cg else 0.0,     # CPU, in the workers
            "regions_tiered_up": cg.tiered_up if cg else 0,
            "tier2_compiled": cg.tier2_compiled if cg else 0,
            "tier2_compile_seconds": cg.tier2_seconds if cg else 0.0,
            "compile_batches": cg.batches if cg else 0,
            "code_load_seconds": cg.load_seconds if cg else 0.0,
            "code_cache_hits": cg.cache.hits if cg and cg.cache else 0,
            "code_pack_hits": cg.pack_hits if cg else 0,
            "compile_failures": cg.failures if cg else 0,
            "regions_unmade": cg.unmade if cg else 0,    # a member's IR could not be made
            "interp_blocks": sum(h.cpu.stat_interp_blocks for h in self.harts),
            "native_blocks": sum(h.cpu.stat_native_blocks for h in self.harts),
            "python_exits": s.python_exits,
            "exits_per_minsn": s.python_exits / (insns / 1e6) if insns else 0.0,
            "tlb_misses": tlb_miss,
            "slow_accesses": sum(h.cpu.stat_slow_access for h in self.harts),
            "tb_flushes": s.flushes,
            "xlate_cache_hits": s.xlate_cache_hits,
            "blocks_assembled": s.blocks_assembled,
            "blocks_made_in_run_loop": s.made(),
            "templates": xl.derived if xl else 0,
            "classes_left_to_python": xl.refused if xl else 0,
            "region_hints": s.region_hints,
            "cache_entries_damaged": damaged_entries(),   # found and rebuilt (cache_integrity.py)
            "exits_by_reason": dict(s.exits),
        }

    def write_stats(self, result: RunResult, path: str) -> None:
        with open(path + ".tmp", "w") as f:
            json.dump(result.stats | {"exit_code": result.exit_code}, f, indent=1)
        os.replace(path + ".tmp", path)


# The machine each native RtMachine belongs to (several machines may live in one process).
_machines: weakref.WeakValueDictionary[int, VirtMachine] = weakref.WeakValueDictionary()
_installed = False


def _install_mmio_handler(machine: VirtMachine) -> None:
    global _installed
    ffi = machine.ffi
    _machines[int(ffi.cast("uintptr_t", machine.rt))] = machine
    if _installed:
        return

    @ffi.def_extern()
    def rvjit_mmio(cpu, paddr, size, is_write, val):
        m = _machines.get(int(ffi.cast("uintptr_t", cpu.rt)))
        if m is None:
            return 1
        try:
            return m.mmio(cpu, paddr, size, bool(is_write), val)
        except BaseException as e:  # a device bug must stop the machine, not vanish
            m.device_error = e
            cpu.exit_request = EXIT_HALT
            cpu.budget = 0
            return 0

    _installed = True
