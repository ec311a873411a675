"""What every RV64F/RV64D instruction computes, from Berkeley SoftFloat (the softfloatpy package,
built with SoftFloat's RISC-V specialisation: canonical default NaN, saturating conversions,
tininess after rounding) plus the RISC-V rules SoftFloat leaves to the ISA: NaN boxing (21.2),
FMIN/FMAX as IEEE 754-2019 minimumNumber/maximumNumber (20.8), FCLASS (20.9), sign injection,
moves, and the sign extension of 32-bit integer results (20.7).

Operands and results are raw 64-bit register bits: f registers as held (a single NaN-boxed, or
not), x registers as 64-bit values.  `oracle(name, rm, a, b, c)` returns (result, fflags); the
fflags bit layout of SoftFloat and RISC-V agree (NX 1, UF 2, OF 4, DZ 8, NV 16).

Used by tests/test_fp_softfloat.py and by tests/guest/gen/gen_fp_tests.py.
"""
from __future__ import annotations

from collections.abc import Callable

import softfloatpy as sf

MASK64 = (1 << 64) - 1
BOX32 = 0xFFFF_FFFF_0000_0000
CANON_S = 0x7FC0_0000
CANON_D = 0x7FF8_0000_0000_0000
RM_NAMES = ("rne", "rtz", "rdn", "rup", "rmm")
_SF_RM = (sf.RoundingMode.NEAR_EVEN, sf.RoundingMode.MIN_MAG, sf.RoundingMode.MIN,
          sf.RoundingMode.MAX, sf.RoundingMode.NEAR_MAX_MAG)

NX, UF, OF, DZ, NV = 1, 2, 4, 8, 16


def unbox(v: int) -> int:
    return v & 0xFFFF_FFFF if v >> 32 == 0xFFFF_FFFF else CANON_S


def box(v: int) -> int:
    return BOX32 | (v & 0xFFFF_FFFF)


def sext32(v: int) -> int:
    v &= 0xFFFF_FFFF
    return (v | BOX32) if v >> 31 else v


# -- SoftFloat values -------------------------------------------------------------------------

def _f32(bits: int) -> sf.Float32:
    return sf.Float32.from_bytes(bits.to_bytes(4, "big"))


def _f64(bits: int) -> sf.Float64:
    return sf.Float64.from_bytes(bits.to_bytes(8, "big"))


def _bits(x) -> int:
    return int.from_bytes(x.to_bytes(), "big")


def _in(fmt: str, reg: int):
    return _f32(unbox(reg)) if fmt == "s" else _f64(reg & MASK64)


def _out(fmt: str, x) -> int:
    return box(_bits(x)) if fmt == "s" else _bits(x)


def _neg(fmt: str, reg: int) -> int:
    """Flip a float operand's sign (after unboxing: the value the instruction reads)."""
    if fmt == "s":
        return box(unbox(reg) ^ (1 << 31))
    return reg ^ (1 << 63)


# -- classification, done on the bits (20.9) --------------------------------------------------

def _fields(fmt: str, reg: int) -> tuple[int, int, int, int]:
    if fmt == "s":
        v = unbox(reg)
        return v >> 31, (v >> 23) & 0xFF, v & 0x7F_FFFF, 0xFF
    return reg >> 63, (reg >> 52) & 0x7FF, reg & ((1 << 52) - 1), 0x7FF


def is_nan(fmt: str, reg: int) -> bool:
    _, e, m, emax = _fields(fmt, reg)
    return e == emax and m != 0


def is_snan(fmt: str, reg: int) -> bool:
    _, _, m, _ = _fields(fmt, reg)
    quiet_bit = 1 << (22 if fmt == "s" else 51)
    return is_nan(fmt, reg) and not m & quiet_bit


def fclass(fmt: str, reg: int) -> int:
    s, e, m, emax = _fields(fmt, reg)
    if e == emax:
        if m == 0:
            return 1 << 0 if s else 1 << 7
        return 1 << 8 if is_snan(fmt, reg) else 1 << 9
    if e == 0:
        if m == 0:
            return 1 << 3 if s else 1 << 4
        return 1 << 2 if s else 1 << 5
    return 1 << 1 if s else 1 << 6


def _minmax(fmt: str, a: int, b: int, is_max: bool) -> tuple[int, int]:
    """IEEE 754-2019 minimumNumber/maximumNumber with -0 < +0 (20.8)."""
    flags = NV if is_snan(fmt, a) or is_snan(fmt, b) else 0
    an, bn = is_nan(fmt, a), is_nan(fmt, b)
    canon = box(CANON_S) if fmt == "s" else CANON_D
    if an and bn:
        return canon, flags
    va = box(unbox(a)) if fmt == "s" else a
    vb = box(unbox(b)) if fmt == "s" else b
    if an:
        return vb, flags
    if bn:
        return va, flags
    x, y = _in(fmt, a), _in(fmt, b)
    lt = bool((sf.f32_lt_quiet if fmt == "s" else sf.f64_lt_quiet)(x, y))
    eq = bool((sf.f32_eq if fmt == "s" else sf.f64_eq)(x, y))
    sbit = 1 << (31 if fmt == "s" else 63)
    if eq:
        lt = bool(va & sbit) and not vb & sbit
    if is_max:
        return (vb if lt else va), flags
    return (va if lt else vb), flags


def _sgnj(fmt: str, a: int, b: int, kind: str) -> int:
    if fmt == "s":
        x, y, sbit = unbox(a), unbox(b), 1 << 31
    else:
        x, y, sbit = a, b, 1 << 63
    if kind == "n":
        y ^= sbit
    elif kind == "x":
        y ^= x
    r = (x & ~sbit) | (y & sbit)
    return box(r) if fmt == "s" else r


# -- the instructions ----------------------------------------------------------------------------

def _sf(name: str) -> Callable:
    return getattr(sf, name)


def _int_in(kind: str, x: int):
    x &= MASK64
    if kind == "w":
        v = x & 0xFFFF_FFFF
        return sf.Int32.from_int(v - (1 << 32) if v >> 31 else v)
    if kind == "wu":
        return sf.UInt32.from_int(x & 0xFFFF_FFFF)
    if kind == "l":
        return sf.Int64.from_int(x - (1 << 64) if x >> 63 else x)
    return sf.UInt64.from_int(x)


_SFINT = {"w": "i32", "wu": "ui32", "l": "i64", "lu": "ui64"}
_SFFMT = {"s": "f32", "d": "f64"}


def oracle(name: str, rm: int, a: int, b: int = 0, c: int = 0) -> tuple[int, int]:
    """(result bits, fflags) of instruction `name` (e.g. "fadd.d", "fcvt.wu.s", "fnmadd.s")
    with static rounding mode rm (0-4) on register values a, b, c."""
    parts = name.split(".")
    op, fmt = parts[0], parts[-1]
    sf.set_rounding_mode(_SF_RM[rm] if rm <= 4 else _SF_RM[0])
    sf.set_exception_flags(0)
    if op == "fcvt":
        dst, src = parts[1], parts[2]
        if dst in _SFINT:          # float -> integer
            fn = _sf(f"{_SFFMT[src]}_to_{_SFINT[dst]}")
            r = _bits(fn(_in(src, a), _SF_RM[rm], True))
            r = sext32(r) if dst in ("w", "wu") else r
        elif src in _SFINT:        # integer -> float
            fn = _sf(f"{_SFINT[src]}_to_{_SFFMT[dst]}")
            r = _out(dst, fn(_int_in(src, a)))
        else:                      # between formats
            fn = _sf(f"{_SFFMT[src]}_to_{_SFFMT[dst]}")
            r = _out(dst, fn(_in(src, a)))
        return r, int(sf.get_exception_flags())
    if op == "fmv":
        dst = parts[1]
        if dst == "x":
            return (sext32(a) if fmt == "w" else a & MASK64), 0
        return (box(a) if dst == "w" else a & MASK64), 0
    p = _SFFMT[fmt]
    if op in ("fadd", "fsub", "fmul", "fdiv"):
        r = _sf(f"{p}_{op[1:]}")(_in(fmt, a), _in(fmt, b))
    elif op == "fsqrt":
        r = _sf(f"{p}_sqrt")(_in(fmt, a))
    elif op in ("fmadd", "fmsub", "fnmsub", "fnmadd"):
        x = _neg(fmt, a) if op in ("fnmsub", "fnmadd") else a
        z = _neg(fmt, c) if op in ("fmsub", "fnmadd") else c
        r = _sf(f"{p}_mul_add")(_in(fmt, x), _in(fmt, b), _in(fmt, z))
    elif op in ("feq", "flt", "fle"):
        fn = {"feq": "eq", "flt": "lt", "fle": "le"}[op]
        v = _sf(f"{p}_{fn}")(_in(fmt, a), _in(fmt, b))
        return int(bool(v)), int(sf.get_exception_flags())
    elif op == "fclass":
        return fclass(fmt, a), 0
    elif op in ("fmin", "fmax"):
        return _minmax(fmt, a, b, op == "fmax")
    elif op in ("fsgnj", "fsgnjn", "fsgnjx"):
        return _sgnj(fmt, a, b, {"fsgnj": "j", "fsgnjn": "n", "fsgnjx": "x"}[op]), 0
    else:
        raise KeyError(name)
    return _out(fmt, r), int(sf.get_exception_flags())
