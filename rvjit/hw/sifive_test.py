"""The SiFive test finisher (QEMU virt at 0x100000): a 32-bit write of 0x5555 stops the machine
with status 0, (code << 16) | 0x3333 with status `code`, 0x7777 asks for a system reset
(rvjit/machine/system_reset.py; with -no-reboot the machine stops with status 0, as QEMU).
OpenSBI drives it through the device tree's syscon-poweroff and syscon-reboot nodes for SBI
SRST shutdown and reboot."""
from __future__ import annotations

from collections.abc import Callable

FINISHER_FAIL = 0x3333
FINISHER_PASS = 0x5555
FINISHER_RESET = 0x7777


class SifiveTest:
    def __init__(self, stop: Callable[[int], None], reset: Callable[[], None]) -> None:
        self.stop = stop
        self.reset = reset

    def read(self, offset: int, size: int) -> int:
        return 0

    def write(self, offset: int, size: int, value: int) -> None:
        if offset != 0:
            return
        status, code = value & 0xFFFF, (value >> 16) & 0xFFFF
        if status == FINISHER_PASS:
            self.stop(0)
        elif status == FINISHER_FAIL:
            self.stop(code)
        elif status == FINISHER_RESET:
            self.reset()
