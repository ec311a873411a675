"""Guests that execute garbage, jump anywhere or touch unmapped memory get architectural traps;
the host never crashes (hypothesis: random code, random registers, random trap vectors)."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from rvjit.machine.virt import VIRT_DRAM, MachineConfig, VirtMachine

_machines: dict[int, VirtMachine] = {}


def _machine(hot: int) -> VirtMachine:
    # One machine per tier, reset between examples (creating machines is the slow part).
    if hot not in _machines:
        _machines[hot] = VirtMachine(MachineConfig(ram_size=1 << 20, hot_threshold=hot,
                                                   max_seconds=0.05, block_budget=2000))
    m = _machines[hot]
    m.engine.flush_all()
    m.exit_code = None
    return m


@settings(max_examples=60, deadline=None, derandomize=True)
@given(code=st.binary(min_size=64, max_size=4096),
       regs=st.lists(st.integers(0, (1 << 64) - 1), min_size=31, max_size=31),
       mtvec=st.one_of(st.just(VIRT_DRAM), st.integers(0, (1 << 64) - 1)),
       hot=st.sampled_from([0, 1]))
def test_random_code_never_crashes_the_host(code, regs, mtvec, hot):
    m = _machine(hot)
    m.memory.write_bytes(VIRT_DRAM, code)
    cpu = m.harts[0].cpu
    m.lib.rt_reset_cpu(cpu, 0, VIRT_DRAM)
    for i, v in enumerate(regs, start=1):
        cpu.x[i] = v
    cpu.mtvec = mtvec & ~3
    res = m.run()
    # Either the guest stopped the machine through the finisher or time ran out; the state is
    # architecturally sane: the mode is a real one and a trap left a real cause.
    assert res.reason in ("time-limit", "halt")
    assert cpu.priv in (0, 1, 3)
    assert (cpu.mcause & ~(1 << 63)) < 64
