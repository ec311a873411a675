"""A system reset of the virt machine, as QEMU performs one when the guest asks for it (the
sifive_test device's 0x7777, which OpenSBI writes for an SBI SRST cold or warm reboot):

- the images loaded at start (firmware, kernel, initrd, device tree) and the reset ROM are
  written again, as QEMU's loader writes back every image it registered at each reset
  (hw/core/loader.c, rom_reset); the rest of RAM keeps what the guest left there;
- every hart returns to its power-on state at the reset vector (0x1000), which passes a0 =
  hartid and a1 = the device tree again;
- the devices return to their power-on state; host-side state stays: the RTC's wall-clock
  time (QEMU's goldfish_rtc_reset keeps its offset), a drive's snapshot overlay, mtime (the
  ACLINT timer counts from the machine's clock, which a reset does not stop);
- the translations of the rewritten code are dropped.

With -no-reboot the machine stops instead (VirtMachine.reset)."""
from __future__ import annotations

from rvjit.machine.reset_rom import ROM_BASE, reset_rom

# CPUState fields a reset keeps: the hart's identity and runtime links, and the statistics
# (instret is also the run's instruction count; minstret after a reset is unspecified, 3.1.10).
KEPT_FIELDS = ("hart_index", "rt", "mem_base", "instret", "stat_interp_blocks",
               "stat_native_blocks", "stat_tlb_miss", "stat_slow_access")


def reset_hart(ffi, lib, cpu, hartid: int) -> None:
    """The hart as VirtMachine made it: a zeroed CPUState (what ffi.new gives) that
    rt_reset_cpu puts in its reset state (privileged spec 3.4: M-mode, pc = reset vector)."""
    kept = {name: getattr(cpu, name) for name in KEPT_FIELDS}
    size = ffi.sizeof("CPUState")
    ffi.memmove(cpu, bytes(size), size)
    for name, value in kept.items():
        setattr(cpu, name, value)
    lib.rt_reset_cpu(cpu, hartid, ROM_BASE)


def reset_devices(machine) -> None:
    for dev in (machine.uart, machine.rtc, *machine.virtio):
        reset = getattr(dev, "reset", None)     # an empty virtio slot has no state
        if reset is not None:
            reset()
    machine.plic.reset()            # last: the device lines it samples are low now


def reload_images(machine) -> None:
    info = machine.boot_info
    for addr, data in info.blobs:
        machine.memory.write_bytes(addr, data)
    machine.memory.write_bytes(ROM_BASE, reset_rom(info.start, info.fdt_addr,
                                                   info.kernel_entry))


def reset_machine(machine) -> None:
    reload_images(machine)
    machine.engine.flush_all()
    for h in machine.harts:
        reset_hart(machine.ffi, machine.lib, h.cpu, h.index)
    reset_devices(machine)
