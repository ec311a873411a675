"""Goldfish RTC: time reads with the TIME_HIGH latch, setting the time, the alarm interrupt."""
from __future__ import annotations

from rvjit.hw import goldfish_rtc as g


def test_time_latch_set_and_alarm():
    now = [5_000_000_000_123]
    irq: list[bool] = []
    rtc = g.GoldfishRtc(irq.append, clock=lambda: now[0])
    lo = rtc.read(g.TIME_LOW, 4)
    now[0] += 1 << 33                      # time moves on between the two reads
    hi = rtc.read(g.TIME_HIGH, 4)
    assert (hi << 32) | lo == 5_000_000_000_123
    rtc.write(g.TIME_HIGH, 4, 0)
    rtc.write(g.TIME_LOW, 4, 1000)         # set the clock to 1000 ns
    assert rtc.read(g.TIME_LOW, 4) == 1000
    rtc.write(g.IRQ_ENABLED, 4, 1)
    rtc.write(g.ALARM_HIGH, 4, 0)
    rtc.write(g.ALARM_LOW, 4, 3000)
    assert rtc.read(g.ALARM_STATUS, 4) == 1
    now[0] += 1000
    rtc.poll()
    assert not irq or irq[-1] is False
    now[0] += 5000
    rtc.poll()
    assert irq[-1] is True and rtc.read(g.ALARM_STATUS, 4) == 0
    rtc.write(g.CLEAR_INTERRUPT, 4, 1)
    assert irq[-1] is False
