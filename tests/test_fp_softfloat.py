"""RV64F/RV64D arithmetic against Berkeley SoftFloat (softfloatpy), result bits and fflags.

Three layers:
  - every native helper (native/fpu.c) called directly through cffi with a CPUState from
    ffi.new, on the cross product of special values (signed zeros, subnormals, the extremes of
    each format, infinities, quiet and signalling NaNs, badly boxed singles, conversion
    boundaries, halfway cases) in every rounding mode, static and through frm;
  - hypothesis: batches of operands biased towards special values, boundaries and nearby
    exponents, per instruction and rounding mode;
  - a smaller number of cases through guest code (the decoder, the translators' NaN boxing,
    sign flips and FS handling), run in both tiers.

The reference semantics are in tests/fp_oracle.py.  Counting the default run: about 520,000
special-value checks (every rounding mode, and DYN through each frm), 122,880 hypothesis cases
and about 2,800 cases through guest code per tier, in well under a minute;
@pytest.mark.slow runs ten times more hypothesis cases.  Section 4 runs the guest programs
the generated fp_*.S programs (tests/guest/gen) in each tier.
"""
from __future__ import annotations

import itertools
import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from fp_oracle import RM_NAMES, box, oracle
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_guest_programs import all_program_names

from rvjit.ir.helpers import FP_RM_NAMES
from rvjit.native.build import load

MASK64 = (1 << 64) - 1
RM_DYN = 7

# -- instructions and how to call their helpers ---------------------------------------------------

ARITH = ("fadd", "fsub", "fmul", "fdiv")
FMA = ("fmadd", "fmsub", "fnmsub", "fnmadd")
INTS = ("w", "wu", "l", "lu")


def _rounding_insns() -> list[str]:
    out = []
    for f in ("s", "d"):
        out += [f"{op}.{f}" for op in ARITH]
        out += [f"fsqrt.{f}"]
        out += [f"{op}.{f}" for op in FMA]
        out += [f"fcvt.{i}.{f}" for i in INTS]
        out += [f"fcvt.{f}.{i}" for i in INTS]
    return [*out, "fcvt.s.d", "fcvt.d.s"]


ROUNDING = _rounding_insns()
NONROUNDING = [f"{op}.{f}" for f in ("s", "d") for op in ("fmin", "fmax", "feq", "flt", "fle",
                                                         "fclass")]

ffi, lib = load()
_cpu = ffi.new("CPUState *")


def _sign(f: str) -> int:
    return 1 << (31 if f == "s" else 63)


def native(name: str, rm: int, a: int, b: int = 0, c: int = 0, frm: int = 0) -> tuple[int, int]:
    """Run the helper(s) the translator emits for `name`; rm may be 7 (DYN, frm from fcsr)."""
    parts = name.split(".")
    op, f = parts[0], parts[-1]
    cpu = _cpu
    cpu.fcsr = frm << 5
    cpu.exc_taken = 0
    if op in FMA:
        x = a ^ _sign(f) if op in ("fnmsub", "fnmadd") else a
        z = c ^ _sign(f) if op in ("fmsub", "fnmadd") else c
        fn = getattr(lib, f"helper_fma_{f}_{FP_RM_NAMES[5 if rm == RM_DYN else rm]}")
        r = fn(cpu, x, b, z)
    elif op in ARITH:
        r = getattr(lib, f"helper_{op}_{f}")(cpu, a, b, rm)
    elif op in ("fsqrt",) or op == "fcvt":
        r = getattr(lib, "helper_" + name.replace(".", "_"))(cpu, a, rm)
    elif op == "fclass":
        r = getattr(lib, f"helper_fclass_{f}")(cpu, a)
    else:
        r = getattr(lib, f"helper_{op}_{f}")(cpu, a, b)
    assert not cpu.exc_taken
    assert cpu.fcsr >> 5 == frm
    return r, cpu.fcsr & 0x1F


def _operands(name: str) -> int:
    op = name.split(".")[0]
    return 3 if op in FMA else 1 if op in ("fsqrt", "fcvt", "fclass") else 2


def _is_int_source(name: str) -> bool:
    p = name.split(".")
    return p[0] == "fcvt" and p[2] in INTS


def _src_fmt(name: str) -> str:
    p = name.split(".")
    return p[2] if p[0] == "fcvt" else p[-1]


# -- special values ----------------------------------------------------------------------------

def _d(x: float) -> int:
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def _s(x: float) -> int:
    return box(struct.unpack("<I", struct.pack("<f", x))[0])


SPECIAL_D = sorted({
    0, 1 << 63, 1, (1 << 63) | 1, 0x000F_FFFF_FFFF_FFFF, 0x8008_0000_0000_0000,
    0x0010_0000_0000_0000, 0x8010_0000_0000_0000, 0x0010_0000_0000_0001,
    0x7FEF_FFFF_FFFF_FFFF, 0xFFEF_FFFF_FFFF_FFFF, 0x7FF0_0000_0000_0000, 0xFFF0_0000_0000_0000,
    0x7FF8_0000_0000_0000, 0xFFF8_0000_0000_0001, 0x7FF0_0000_0000_0001, 0xFFF4_0000_0000_0000,
    _d(1.0), _d(-1.0), _d(0.5), _d(1.5), _d(-2.5), _d(3.0), _d(0.1), _d(1 + 2**-52),
    _d(1 - 2**-53), _d(2**-53), _d(2**31), _d(2**31 - 1), _d(-(2**31)), _d(-(2**31) - 1),
    _d(2**31 - 0.5), _d(2**32), _d(2**32 - 1), _d(2**63), _d(-(2**63)), _d(2**64),
    _d(2**63 - 1024), _d(2**64 - 2048), _d(-0.5), _d(0.49999999999999994), _d(2**-1022 * 0.75),
})
SPECIAL_S = sorted({
    box(0), box(1 << 31), box(1), box((1 << 31) | 1), box(0x007F_FFFF), box(0x8040_0000),
    box(0x0080_0000), box(0x8080_0000), box(0x0080_0001), box(0x7F7F_FFFF), box(0xFF7F_FFFF),
    box(0x7F80_0000), box(0xFF80_0000), box(0x7FC0_0000), box(0xFFC0_0001), box(0x7F80_0001),
    box(0xFFA0_0000), _s(1.0), _s(-1.0), _s(0.5), _s(1.5), _s(-2.5), _s(3.0), _s(0.1),
    _s(1 + 2**-23), _s(1 - 2**-24), _s(2**-24), _s(2**31), _s(-(2**31)), _s(2**32),
    _s(2**31 - 128), _s(2**32 - 256), _s(2**63), _s(-(2**63)), _s(2**64), _s(-0.5),
    _s(2**-126 * 0.75),
    0x0000_0000_3F80_0000, 0x7FF8_0000_0000_0000, 0xFFFF_FFFE_3F80_0000,   # not NaN-boxed
})
SPECIAL_INT = sorted({
    0, 1, 2, 3, MASK64, MASK64 - 1, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0x1_0000_0000,
    0xFFFF_FFFF_8000_0000, 0x7FFF_FFFF_FFFF_FFFF, 1 << 63, (1 << 63) + 1, (1 << 24) + 1,
    (1 << 24) + 3, (1 << 53) + 1, (1 << 53) + 3, (1 << 25) - 1, 0x1234_5678_9ABC_DEF1,
    0xFFFF_FFFF_FF00_0001, (1 << 64) - (1 << 40) - 1, 0x0000_0001_0000_0001,
})


def _special(name: str) -> list[int]:
    if _is_int_source(name):
        return SPECIAL_INT
    return SPECIAL_S if _src_fmt(name) == "s" else SPECIAL_D


def _check(name: str, rm: int, ops: tuple[int, ...], frm: int = 0) -> None:
    want = oracle(name, frm if rm == RM_DYN else rm, *ops)
    got = native(name, rm, *ops, frm=frm)
    assert got == want, (
        f"{name} rm={rm} frm={frm} ops={[hex(o) for o in ops]}: "
        f"got {got[0]:#x}/{got[1]:#x}, want {want[0]:#x}/{want[1]:#x}")


# -- 1. the cross product of special values -----------------------------------------------------

def _special_cases(name: str):
    vals = _special(name)
    n = _operands(name)
    if n == 3:
        small = [*vals[::3], vals[-1]]
        return itertools.product(vals, small, small)
    return itertools.product(vals, repeat=n)


@pytest.mark.parametrize("name", ROUNDING)
def test_special_values_every_rounding_mode(name):
    for ops in _special_cases(name):
        for rm in range(5):
            _check(name, rm, ops)


@pytest.mark.parametrize("name", ROUNDING)
def test_dynamic_rounding_mode_reads_frm(name):
    vals = _special(name)
    for ops in itertools.islice(_special_cases(name), 0, None, 7):
        for frm in range(5):
            _check(name, RM_DYN, ops, frm=frm)
    assert vals


@pytest.mark.parametrize("name", NONROUNDING)
def test_special_values_nonrounding(name):
    for ops in _special_cases(name):
        _check(name, 0, ops)


def test_reserved_frm_is_illegal_at_run_time():
    """rm = DYN with frm = 5, 6 or 7 raises illegal instruction (20.2)."""
    from rvjit.machine.virt import MachineConfig, VirtMachine
    m = VirtMachine(MachineConfig(ram_size=1 << 20))
    cpu = m.harts[0].cpu
    for frm in (5, 6, 7):
        for call in (lambda: m.lib.helper_fadd_d(cpu, 0, 0, RM_DYN),
                     lambda: m.lib.helper_fma_s_dyn(cpu, 0, 0, 0),
                     lambda: m.lib.helper_fcvt_d_s(cpu, 0, RM_DYN)):
            cpu.exc_taken = 0
            cpu.fcsr = frm << 5
            cpu.mcause = 0
            call()
            assert cpu.exc_taken and cpu.mcause == 2
            assert cpu.fcsr == frm << 5


# -- 2. hypothesis ------------------------------------------------------------------------------

BATCH = 64
EXAMPLES = 10
_OPBYTES = 9


def _float_shape(f: str, k: int, r: int, prev: int | None) -> int:
    """Register bits of a float from a selector k (0-255) and 64 random bits r, biased towards
    what goes wrong: the special values, extreme exponents (subnormal, overflow, the integer
    conversion ranges), mantissas with few or all bits set, values near the previous operand
    (cancellation, halfway and tininess cases) and, for singles, bad NaN boxes."""
    ebits, mbits = (8, 23) if f == "s" else (11, 52)
    emax = (1 << ebits) - 1
    bias = emax >> 1
    sign = r >> 63
    r0, r1 = r & 0xFFFF, r >> 16
    if k < 48:
        vals = SPECIAL_S if f == "s" else SPECIAL_D
        return vals[r % len(vals)]
    if f == "s" and k >= 240:
        return r                                            # almost never a valid box
    if k >= 200:
        v = r & ((1 << (ebits + mbits + 1)) - 1)            # uniform over the encodings
        return box(v) if f == "s" else v
    if k < 100 and prev is not None:
        pv = (prev if f == "d" else prev & 0xFFFF_FFFF) & ((1 << (ebits + mbits + 1)) - 1)
        pe = (pv >> mbits) & emax
        e = min(max(pe + (r0 % (2 * mbits + 5)) - (mbits + 2), 0), emax)
    else:
        e = (0, 1, 2, emax - 1, emax, bias, bias - 1, bias + 1,
             bias - 3 + r0 % 70, r0 % (mbits + 4), emax - r0 % (mbits + 4),
             r0 % (emax + 1))[k % 12]
    m = (0, 1, (1 << mbits) - 1, 1 << (mbits - 1), (1 << (mbits - 1)) + 1,
         1 << (r1 % mbits), r1 & ((1 << mbits) - 1), r1 & ((1 << mbits) - 1),
         ((1 << mbits) - 1) ^ (1 << (r1 % mbits)))[(k >> 4) % 9]
    v = (sign << (ebits + mbits)) | (e << mbits) | m
    return box(v) if f == "s" else v


def _int_shape(k: int, r: int) -> int:
    if k < 64:
        return SPECIAL_INT[r % len(SPECIAL_INT)]
    if k < 112:
        return (1 << (r % 64)) + (r >> 8) % 7 - 3 & MASK64
    if k < 144:
        return -(1 << (r % 65)) & MASK64
    if k < 176:
        return r & 0xFFFF_FFFF | (MASK64 << 32 & MASK64 if r >> 63 else 0)
    return r


def _decode_batch(name: str, data: bytes) -> list[tuple[int, ...]]:
    n = _operands(name)
    f = _src_fmt(name)
    out = []
    for i in range(0, len(data), n * _OPBYTES):
        ops: list[int] = []
        for j in range(n):
            chunk = data[i + j * _OPBYTES: i + (j + 1) * _OPBYTES]
            k, r = chunk[0], int.from_bytes(chunk[1:], "little")
            if _is_int_source(name):
                ops.append(_int_shape(k, r))
            else:
                ops.append(_float_shape(f, k, r, ops[(r >> 20) % j] if j else None))
        out.append(tuple(ops))
    return out


def _batch_bytes(name: str):
    size = BATCH * _operands(name) * _OPBYTES
    return st.binary(min_size=size, max_size=size)


def _hypothesis_test(name: str, rm: int, data: bytes):
    for ops in _decode_batch(name, data):
        _check(name, rm, ops)


_CASES = [(n, rm) for n in ROUNDING for rm in range(5)] + [(n, 0) for n in NONROUNDING]


@pytest.mark.parametrize(("name", "rm"), _CASES)
def test_hypothesis_vs_softfloat(name, rm):
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(_batch_bytes(name))
    def run(data):
        _hypothesis_test(name, rm, data)
    run()


@pytest.mark.slow
@pytest.mark.parametrize(("name", "rm"), _CASES)
def test_hypothesis_vs_softfloat_long(name, rm):
    @settings(max_examples=EXAMPLES * 10, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(_batch_bytes(name))
    def run(data):
        _hypothesis_test(name, rm, data)
    run()


def test_default_run_has_enough_cases():
    special = sum(sum(1 for _ in _special_cases(n)) * 5 for n in ROUNDING)
    special += sum(sum(1 for _ in _special_cases(n)) for n in NONROUNDING)
    hyp = len(_CASES) * EXAMPLES * BATCH
    assert special + hyp >= 100_000, (special, hyp)


# rounding-mode names used by the guest-code layer
assert tuple(FP_RM_NAMES[:5]) == RM_NAMES


# -- 3. through guest code, in both tiers ---------------------------------------------------------

GUEST_CASES = 12            # per (instruction, rounding mode) group
DRAM = 0x8000_0000
X_DEST = ("feq", "flt", "fle", "fclass")


def _pattern(name: str):
    from rvjit.frontend.decode_table import TABLE
    return next(p for p in TABLE if p.name == name)


def _x_dest(name: str) -> bool:
    p = name.split(".")
    return p[0] in X_DEST or (p[0] == "fcvt" and p[1] in INTS) or name.startswith("fmv.x.")


def _x_source(name: str) -> bool:
    return _is_int_source(name) or name in ("fmv.w.x", "fmv.d.x")


def _encode_insn(name: str, rm: int) -> int:
    """The instruction under test: f4/a4 <- f1, f2, f3 or a1."""
    p = _pattern(name)
    rd = 14 if _x_dest(name) else 4
    rs1 = 11 if _x_source(name) else 1
    free = ~p.mask
    word = p.match | (rd << 7) | (rs1 << 15)
    word |= (2 << 20) & free | (3 << 27) & free | (rm << 12) & free
    return word


class _Asm:
    """Just enough of an assembler for the guest-code layer."""

    def __init__(self) -> None:
        self.words: list[int] = []

    def emit(self, w: int) -> None:
        self.words.append(w & 0xFFFF_FFFF)

    @property
    def pc(self) -> int:
        return DRAM + 4 * len(self.words)

    def i(self, opc, f3, rd, rs1, imm):
        self.emit((imm & 0xFFF) << 20 | rs1 << 15 | f3 << 12 | rd << 7 | opc)

    def s(self, opc, f3, rs1, rs2, imm):
        self.emit((imm >> 5 & 0x7F) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | (imm & 31) << 7
                  | opc)

    def li(self, rd, v):            # 0 <= v < 2^31
        hi = (v + 0x800) >> 12
        lo = v - (hi << 12)
        self.emit(hi << 12 | rd << 7 | 0x37)       # lui
        self.i(0x13, 0, rd, rd, lo)                 # addi

    def csrwi(self, csr, v):
        self.emit(csr << 20 | v << 15 | 5 << 12 | 0x73)

    def bne_back(self, rs1, target):
        off = target - self.pc
        self.emit((off >> 12 & 1) << 31 | (off >> 5 & 0x3F) << 25 | rs1 << 15 | 1 << 12
                  | (off >> 1 & 0xF) << 8 | (off >> 11 & 1) << 7 | 0x63)


def _guest_program(groups):
    """groups: (name, rm, frm, cases).  Returns the image and, per group, (table, out) offsets."""
    a = _Asm()
    a.emit(0x00000497)                                  # auipc s1, 0      (s1 = DRAM)
    a.li(5, 0x2000)
    a.emit(0x300 << 20 | 5 << 15 | 2 << 12 | 0x73)      # csrrs x0, mstatus, t0: FS = Initial
    code_words = 64 * len(groups) + 64
    data = bytearray()
    layout = []
    data_base = 4 * code_words
    for name, rm, frm, cases in groups:
        tab = data_base + len(data)
        for ops in cases:
            ops = tuple(ops) + (0,) * (3 - len(ops))
            data += struct.pack("<3Q", *ops)
        out = data_base + len(data)
        data += bytes(16 * len(cases))
        layout.append((tab, out))
        a.csrwi(0x002, frm)                             # frm
        a.li(6, tab)
        a.emit(6 << 20 | 9 << 15 | 18 << 7 | 0x33)      # add s2, s1, t1
        a.li(6, out)
        a.emit(6 << 20 | 9 << 15 | 20 << 7 | 0x33)      # add s4, s1, t1
        a.li(19, len(cases))
        loop = a.pc
        for k, reg in enumerate((1, 2, 3)):
            a.i(0x07, 3, reg, 18, 8 * k)                # fld fK, 8K(s2)
        a.i(0x03, 3, 11, 18, 0)                         # ld a1, 0(s2)
        a.csrwi(0x001, 0)                               # fflags = 0
        a.emit(_encode_insn(name, rm))
        if not _x_dest(name):
            a.emit(_pattern("fmv.x.d").match | 14 << 7 | 4 << 15)
        a.emit(0x001 << 20 | 2 << 12 | 15 << 7 | 0x73)  # csrrs a5, fflags, x0
        a.s(0x23, 3, 20, 14, 0)                         # sd a4, 0(s4)
        a.s(0x23, 3, 20, 15, 8)                         # sd a5, 8(s4)
        a.i(0x13, 0, 18, 18, 24)
        a.i(0x13, 0, 20, 20, 16)
        a.i(0x13, 0, 19, 19, -1)
        a.bne_back(19, loop)
    a.li(5, 0x100000)
    a.li(6, 0x5555)
    a.s(0x23, 2, 5, 6, 0)                               # sw t1, 0(t0): test finisher, pass
    a.emit(0x0000006F)                                  # j .
    assert len(a.words) <= code_words
    image = b"".join(w.to_bytes(4, "little") for w in a.words)
    image += bytes(data_base - len(image)) + bytes(data)
    return image, layout


def _guest_groups():
    import random
    rnd = random.Random(4)
    groups = []
    names = ROUNDING + NONROUNDING + [f"{op}.{f}" for f in ("s", "d")
                                      for op in ("fsgnj", "fsgnjn", "fsgnjx")]
    names += ["fmv.x.w", "fmv.w.x", "fmv.x.d", "fmv.d.x"]
    for name in names:
        pool = list(_special_cases(name)) if not name.startswith("fmv") else [
            (v,) for v in SPECIAL_S + SPECIAL_D + SPECIAL_INT]
        rms = [(rm, 0) for rm in range(5)] + [(RM_DYN, rnd.randrange(5))] \
            if name in ROUNDING else [(0, 0)]
        for rm, frm in rms:
            groups.append((name, rm, frm, rnd.sample(pool, min(GUEST_CASES, len(pool)))))
    return groups


@pytest.mark.parametrize("hot", [0, 1], ids=["interpreter", "llvm"])
def test_guest_code_both_tiers(tmp_path, hot):
    from rvjit.machine.virt import MachineConfig, VirtMachine
    groups = _guest_groups()
    image, layout = _guest_program(groups)
    kernel = tmp_path / "fp.bin"
    kernel.write_bytes(image)
    m = VirtMachine(MachineConfig(ram_size=8 << 20, kernel=str(kernel), hot_threshold=hot,
                                  output=lambda data: None))
    m.load_images()
    res = m.run()
    assert res.exit_code == 0, res
    if hot == 1:
        # Every block runs once in the interpreter, is compiled, then runs natively.
        assert res.stats["native_blocks"] > 3 * res.stats["interp_blocks"], res.stats
    else:
        assert res.stats["native_blocks"] == 0, res.stats
    bad = []
    for (name, rm, frm, cases), (_, out) in zip(groups, layout, strict=True):
        raw = m.memory.read_bytes(DRAM + out, 16 * len(cases))
        for k, ops in enumerate(cases):
            got = struct.unpack_from("<2Q", raw, 16 * k)
            want = oracle(name, frm if rm == RM_DYN else rm, *ops)
            if got != want:
                bad.append((name, rm, frm, [hex(o) for o in ops], hex(got[0]), hex(want[0]),
                            got[1], want[1]))
    assert not bad, bad[:10]
    assert sum(len(g[3]) for g in groups) > 2000


# -- 4. the generated guest programs fp_*.S, in each tier -------------------------------------

_FP_PROGRAMS = [n for n in all_program_names() if n.startswith("fp_")]


@pytest.mark.parametrize("hot", ["0", "1"], ids=["interpreter", "llvm"])
@pytest.mark.parametrize("prog", _FP_PROGRAMS)
def test_fp_guest_program_each_tier(prog, hot):
    """tests/test_guest_programs.py runs these in the default tier and under QEMU; here each
    runs with RVJIT_HOT=0 (interpreter only) and RVJIT_HOT=1 (every block through LLVM)."""
    root = Path(__file__).resolve().parent.parent
    elf = root / "build" / "guest" / f"{prog}.elf"
    if not elf.exists():
        if shutil.which("riscv64-unknown-elf-gcc") is None:
            pytest.skip("no RISC-V cross compiler to build the guest programs")
        subprocess.run(["make", "-s", "-C", str(root / "tests" / "guest"), str(elf)],
                       check=True, capture_output=True)
    env = dict(os.environ, RVJIT_HOT=hot)
    proc = subprocess.run([sys.executable, "-m", "rvjit", "-machine", "virt", "-bios", "none",
                           "-nographic", "-kernel", str(elf)], cwd=root, env=env,
                          capture_output=True, timeout=300)
    assert proc.returncode == 0 and proc.stdout == b"PASS\n", (proc.stdout, proc.stderr[-2000:])
