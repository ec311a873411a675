"""The Goldfish RTC of QEMU virt (at 0x101000): wall-clock time in nanoseconds, and an alarm
(TIME_LOW/HIGH, ALARM_LOW/HIGH, IRQ_ENABLED, CLEAR_ALARM, ALARM_STATUS, CLEAR_INTERRUPT)."""
from __future__ import annotations

import time
from collections.abc import Callable

TIME_LOW = 0x00
TIME_HIGH = 0x04
ALARM_LOW = 0x08
ALARM_HIGH = 0x0C
IRQ_ENABLED = 0x10
CLEAR_ALARM = 0x14
ALARM_STATUS = 0x18
CLEAR_INTERRUPT = 0x1C


class GoldfishRtc:
    def __init__(self, set_irq: Callable[[bool], None] | None = None,
                 clock: Callable[[], int] = time.time_ns) -> None:
        self.set_irq = set_irq or (lambda level: None)
        self.clock = clock
        self.offset = 0
        self.reset()

    def reset(self) -> None:
        """No alarm and no interrupt; the time the guest set stays (it is the host's wall
        clock plus an offset, which QEMU's reset keeps too)."""
        self.time_high_latch = 0
        self.alarm = 0
        self.alarm_running = False
        self.irq_enabled = False
        self.irq_pending = False

    def now(self) -> int:
        return self.clock() + self.offset

    def poll(self) -> None:
        """Fire the alarm if its time has come (called from the machine's periodic poll)."""
        if self.alarm_running and self.now() >= self.alarm:
            self.alarm_running = False
            self.irq_pending = True
            self._update()

    def _update(self) -> None:
        self.set_irq(self.irq_pending and self.irq_enabled)

    def read(self, offset: int, size: int) -> int:
        if offset == TIME_LOW:
            t = self.now()
            self.time_high_latch = t >> 32      # reading TIME_LOW latches TIME_HIGH
            return t & 0xFFFF_FFFF
        if offset == TIME_HIGH:
            return self.time_high_latch
        if offset == ALARM_LOW:
            return self.alarm & 0xFFFF_FFFF
        if offset == ALARM_HIGH:
            return self.alarm >> 32
        if offset == IRQ_ENABLED:
            return int(self.irq_enabled)
        if offset == ALARM_STATUS:
            return int(self.alarm_running)
        return 0

    def write(self, offset: int, size: int, value: int) -> None:
        value &= 0xFFFF_FFFF
        if offset == TIME_LOW:
            self.offset = ((self.time_high_latch << 32) | value) - self.clock()
        elif offset == TIME_HIGH:
            self.time_high_latch = value
        elif offset == ALARM_HIGH:
            self.alarm = (self.alarm & 0xFFFF_FFFF) | (value << 32)
        elif offset == ALARM_LOW:
            self.alarm = (self.alarm & ~0xFFFF_FFFF) | value
            self.alarm_running = True
            self.poll()
        elif offset == IRQ_ENABLED:
            self.irq_enabled = bool(value & 1)
            self._update()
        elif offset == CLEAR_ALARM:
            self.alarm_running = False
        elif offset == CLEAR_INTERRUPT:
            self.irq_pending = False
            self._update()
