"""The native PMP check (native/mmu.c rt_pmp_perms: decoded entries and a remembered last
answer) against a direct reading of the privileged spec 3.7.1: entries in priority order,
OFF/TOR/NA4/NAPOT ranges, a partial match fails, M-mode is bound by locked entries only, and
with no match M succeeds while S and U fail."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from rvjit.native.build import load

ffi, lib = load()
R, W, X, L = 1, 2, 4, 0x80
PRV_U, PRV_S, PRV_M = 0, 1, 3


def entry_range(cfgs: list[int], addrs: list[int], i: int) -> tuple[int, int] | None:
    """[lo, hi) of entry i, or None if it matches nothing."""
    a, mode = addrs[i], (cfgs[i] >> 3) & 3
    if mode == 1:                                   # TOR
        lo = addrs[i - 1] << 2 if i else 0
        hi = a << 2
        return (lo, hi) if lo < hi else None
    if mode == 2:                                   # NA4
        return a << 2, (a << 2) + 4
    if mode == 3:                                   # NAPOT: t trailing ones -> 2^(t+3) bytes
        t = 0
        while (a >> t) & 1:
            t += 1
        size = 1 << (t + 3)
        lo = (a << 2) & ~(size - 1)
        return lo, lo + size
    return None


def spec_perms(cfgs: list[int], addrs: list[int], paddr: int, size: int, priv: int) -> int:
    last = paddr + size - 1
    for i in range(16):
        r = entry_range(cfgs, addrs, i)
        if r is None or last < r[0] or paddr >= r[1]:
            continue
        if paddr < r[0] or last >= r[1]:
            return 0
        if priv == PRV_M and not cfgs[i] & L:
            return R | W | X
        return cfgs[i] & (R | W | X)
    return R | W | X if priv == PRV_M else 0


# Addresses from a small window, so that entries overlap, abut and nest often.
ADDR = st.integers(0, 0x3F) | st.integers(0, (1 << 54) - 1)
CFG = st.sampled_from([0, 0x08, 0x10, 0x18]).flatmap(
    lambda a: st.integers(0, 7).map(lambda p: a | p)).flatmap(
    lambda c: st.sampled_from([c, c | L]))
ACCESS = st.tuples(st.integers(0, 0x140) | st.integers(0, 1 << 56),
                   st.sampled_from([1, 2, 4, 8, 4096]), st.sampled_from([PRV_U, PRV_S, PRV_M]))


@settings(max_examples=300, deadline=None)
@given(st.lists(CFG, min_size=16, max_size=16), st.lists(ADDR, min_size=16, max_size=16),
       st.lists(ACCESS, min_size=1, max_size=12))
def test_pmp_perms_match_the_spec(cfgs, addrs, accesses):
    cpu = ffi.new("CPUState *")         # no machine: the entries are decoded per call
    rt_cpu = _cpu_with_machine()
    for c in (cpu, rt_cpu):
        c.pmpcfg0 = sum(cfgs[i] << (8 * i) for i in range(8))
        c.pmpcfg2 = sum(cfgs[8 + i] << (8 * i) for i in range(8))
        for i in range(16):
            c.pmpaddr[i] = addrs[i]
        lib.rt_tlb_flush(c)
    # A sequence of accesses on one hart: later ones may be answered from the remembered one.
    for paddr, size, priv in accesses:
        want = spec_perms(cfgs, addrs, paddr, size, priv)
        assert lib.rt_pmp_perms(cpu, paddr, size, priv) == want
        assert lib.rt_pmp_perms(rt_cpu, paddr, size, priv) == want


_machine = None


def _cpu_with_machine():
    """Hart 0 of a long-lived native machine (its decoded entries persist across calls)."""
    global _machine
    if _machine is None:
        m = ffi.gc(lib.rt_machine_new(), lib.rt_machine_free)
        cpu = ffi.new("CPUState *")
        cpu.rt = m
        cpu.hart_index = 0
        _machine = (m, cpu)
    return _machine[1]
