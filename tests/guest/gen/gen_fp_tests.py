#!/usr/bin/env python3
"""Writes the table-driven F/D guest programs fp_{arith_s,arith_d,fma,cmp,cvt}.S.

    python tests/guest/gen/gen_fp_tests.py OUTDIR   # tests/guest/Makefile: OUTDIR = build/guest/gen

The cases are ours: the edge values of each format (signed zeros, subnormals, the extremes,
infinities, quiet and signalling NaNs, badly NaN-boxed singles), conversion boundaries, and
operands built to land on halfway points, overflow and the tininess-after-rounding boundary,
each in every rounding mode (static rm, and rm = DYN through frm).  The expected results and
fflags come from Berkeley SoftFloat (tests/fp_oracle.py); the programs then run on QEMU as an
independent check (tests/test_guest_programs.py).  The output is deterministic: rerunning this
script rewrites the same files.
"""
from __future__ import annotations

import itertools
import struct
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
GUEST = HERE.parent
sys.path.insert(0, str(GUEST.parent))
from fp_oracle import RM_NAMES, box, oracle  # noqa: E402

MASK64 = (1 << 64) - 1
INTS = ("w", "wu", "l", "lu")
X_DEST = ("feq", "flt", "fle", "fclass")


def d(x: float) -> int:
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def s(x: float) -> int:
    return box(struct.unpack("<I", struct.pack("<f", x))[0])


def sb(bits: int) -> int:
    return box(bits)


# -- values -------------------------------------------------------------------------------------

EDGE_S = [
    sb(0), sb(0x8000_0000),                     # +-0
    sb(1), sb(0x8000_0001), sb(0x007F_FFFF),     # smallest subnormals, largest subnormal
    sb(0x0080_0000), sb(0x8080_0000),           # smallest normals
    s(1.0), s(-1.0), s(1.5), s(-3.0), s(0.1),
    sb(0x7F7F_FFFF), sb(0xFF7F_FFFF),           # largest finite
    sb(0x7F80_0000), sb(0xFF80_0000),           # infinities
    sb(0x7FC0_0000), sb(0x7F80_0001),           # quiet, signalling NaN
    0x0000_0000_3F80_0000,                      # 1.0, not NaN-boxed: the canonical NaN
]
EDGE_D = [
    0, 1 << 63, 1, (1 << 63) | 1, 0x000F_FFFF_FFFF_FFFF, 0x0010_0000_0000_0000,
    0x8010_0000_0000_0000, d(1.0), d(-1.0), d(1.5), d(-3.0), d(0.1), 0x7FEF_FFFF_FFFF_FFFF,
    0xFFEF_FFFF_FFFF_FFFF, 0x7FF0_0000_0000_0000, 0xFFF0_0000_0000_0000,
    0x7FF8_0000_0000_0000, 0x7FF0_0000_0000_0001, 0xFFF4_0000_0000_0000,
]


def rounding_pairs(f: str) -> dict[str, list[tuple[int, ...]]]:
    """Operands whose exact results sit on or near a rounding boundary."""
    p = 24 if f == "s" else 53
    v = s if f == "s" else d
    b = sb if f == "s" else (lambda x: x)
    one, ulp, half = v(1.0), v(2.0 ** (1 - p)), v(2.0 ** -p)
    mx = b(0x7F7F_FFFF) if f == "s" else 0x7FEF_FFFF_FFFF_FFFF
    mn = b(0x0080_0000) if f == "s" else 0x0010_0000_0000_0000
    tiny = b(1) if f == "s" else 1
    below1 = v(1 - 2.0 ** -p)                   # 1 - ulp/2: largest below one
    k = p // 2
    add = [
        (one, half), (v(1 + 2.0 ** (1 - p)), half), (v(-1.0), v(-(2.0 ** -p))),
        (one, v(2.0 ** -p * 1.5)), (one, v(2.0 ** -p * 0.75)), (v(-1.0), v(2.0 ** -p * 0.75)),
        (one, v(-(2.0 ** (-p - 1)))), (mx, mx),
        (mx, v(2.0 ** (127 - p if f == "s" else 1023 - p))),
        (b(0x8000_0000) if f == "s" else 1 << 63, b(0) if f == "s" else 0), (one, v(-1.0)),
        (tiny, tiny), (v(3.0), v(2.0 ** -p * 3)), (v(0.1), v(0.2)), (v(-0.1), v(-0.2)),
    ]
    tie = (v(1 + 2.0 ** -k), v(1 + 2.0 ** -k)) if f == "s" else \
        (v(1 + 2.0 ** -26), v(1 + 2.0 ** -27))          # products exactly halfway
    mul = [
        tie,
        (v(-(1 + 2.0 ** -k)), v(1 + 2.0 ** -(p - k))), (mx, v(2.0)), (mx, v(-1.5)),
        (mn, v(0.5)), (mn, v(0.75)), (tiny, v(0.5)), (tiny, v(-0.5)), (tiny, v(1.5)),
        (below1, mn), (v(1 - 2.0 ** (1 - p)), mn), (v(1.5), v(1.5)), (v(0.1), v(0.1)),
        (v(1 + 2.0 ** (1 - p)), v(1 - 2.0 ** -p)), (mn, v(-(1 - 2.0 ** -p))),
    ]
    div = [
        (one, v(3.0)), (v(-1.0), v(3.0)), (v(2.0), v(3.0)), (one, v(10.0)), (mx, v(0.5)),
        (mn, v(3.0)), (tiny, v(2.0)), (tiny, v(-3.0)), (one, mx), (v(-1.0), v(0.0)),
        (v(0.0), v(0.0)), (v(7.0), v(-0.1)), (mn, v(1 + 2.0 ** (1 - p))),
    ]
    sqrt = [(v(2.0),), (v(3.0),), (v(0.5),), (mx,), (tiny,), (mn,), (v(-1.0),),
            (b(0x8000_0000) if f == "s" else 1 << 63,), (v(1 + 2.0 ** (1 - p)),),
            (v(1 - 2.0 ** -p),), (v(10.0),)]
    fma = [
        (one, one, half), (one, v(1 + 2.0 ** (1 - p)), half), (one, one, v(-(2.0 ** (-p - 1)))),
        (v(1 + 2.0 ** -k), v(1 - 2.0 ** -k), v(2.0 ** (-2 * k - 1))), (mx, v(2.0), v(-mx_val(f))),
        (mn, v(0.5), v(0.0)), (mn, v(-0.75), tiny), (tiny, v(0.5), v(0.0)), (one, one, v(-1.0)),
        (v(0.1), v(10.0), v(-1.0)), (v(3.0), v(1.0 / 3.0), v(-1.0)), (mx, mx, v(-1.0)),
        (below1, mn, v(0.0)), (v(1.5), v(1.5), ulp),
    ]
    return {"add": add, "sub": [(a, flip(f, b_)) for a, b_ in add], "mul": mul, "div": div,
            "sqrt": sqrt, "fma": fma}


def mx_val(f: str) -> float:
    return struct.unpack("<f", struct.pack("<I", 0x7F7F_FFFF))[0] if f == "s" else \
        struct.unpack("<d", struct.pack("<Q", 0x7FEF_FFFF_FFFF_FFFF))[0]


def flip(f: str, v: int) -> int:
    return v ^ (1 << (31 if f == "s" else 63))


CVT_FROM_D = [
    0, 1 << 63, 1, 0x0010_0000_0000_0000, d(0.5), d(1.5), d(2.5), d(-0.5), d(-1.5), d(-2.5),
    d(0.49999999999999994), d(0.5000000000000001), d(1.0), d(-1.0), d(2**31 - 1), d(2**31 - 0.5),
    d(2**31), d(-(2**31)), d(-(2**31) - 0.5), d(-(2**31) - 1), d(2**32 - 1), d(2**32 - 0.5),
    d(2**32), d(2**63 - 1024), d(2**63), d(-(2**63)), d(-(2**63) - 2048), d(2**64 - 2048),
    d(2**64), d(1e300), d(-1e300), 0x7FF0_0000_0000_0000, 0xFFF0_0000_0000_0000,
    0x7FF8_0000_0000_0000, 0xFFF8_0000_0000_0000, 0x7FF0_0000_0000_0001, d(-0.9), d(123.456),
]
CVT_FROM_S = [
    sb(0), sb(0x8000_0000), sb(1), sb(0x0080_0000), s(0.5), s(1.5), s(2.5), s(-0.5), s(-1.5),
    s(-2.5), s(0.49999997), s(1.0), s(-1.0), s(2**31 - 128), s(2**31), s(-(2**31)),
    s(-(2**31) - 256), s(2**32 - 256), s(2**32), s(2**63 - 2**39), s(2**63), s(-(2**63)),
    s(2**64 - 2**40), s(2**64), sb(0x7F7F_FFFF), sb(0xFF7F_FFFF), sb(0x7F80_0000),
    sb(0xFF80_0000), sb(0x7FC0_0000), sb(0xFFC0_0000), sb(0x7F80_0001), s(-0.9), s(123.456),
    0x0000_0000_3F80_0000,
]
CVT_INTS = [
    0, 1, MASK64, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0xFFFF_FFFF_8000_0000,
    0x1234_5678_0000_0001, (1 << 24) + 1, (1 << 24) + 3, (1 << 25) - 1, 0x7FFF_FFC0,
    0x7FFF_FFFF_FFFF_FFFF, 1 << 63, (1 << 63) + 1, (1 << 53) + 1, (1 << 53) + 3,
    (1 << 54) + 2, (1 << 64) - 1025, 0xFFFF_FFFF_FFFF_FC00, 0x8000_0000_0000_0400,
    0x0000_0001_0000_0000, 0x0020_0000_0000_0001,
]
NARROW = [
    d(1.0 / 3), d(-1.0 / 3), d(0.1), d(3.4028235677973366e38), d(3.4028235677973362e38),
    d(3.4028234663852886e38), d(1e39), d(-1e39), d(2.0**-126 - 2.0**-150), d(2.0**-126 - 2.0**-152),
    d(2.0**-126 - 2.0**-149), d(2.0**-149), d(2.0**-150), d(2.0**-150 * 1.5), d(-(2.0**-151)),
    d(1e-50), d(1 + 2.0**-24), d(1 + 3 * 2.0**-24), d(1 + 2.0**-24 + 2.0**-52), 0, 1 << 63, 1,
    0x7FF0_0000_0000_0000, 0xFFF0_0000_0000_0000, 0x7FF8_0000_0000_0000, 0x7FF0_0000_0000_0001,
    0xFFF8_0000_DEAD_BEEF,
]


# -- program text -------------------------------------------------------------------------------

class Program:
    def __init__(self, name: str, title: str) -> None:
        self.name = name
        self.title = title
        self.code: list[str] = []
        self.data: list[str] = []
        self.ncases = 0
        self.frm = 0

    def group(self, name: str, rm: int, cases, comment: str) -> None:
        cases = list(cases)
        label = f"t{len(self.code)}"
        first = self.ncases + 1
        rm_eff = rm
        if rm == 7:
            rm_eff = self.frm
        rows = []
        for ops in cases:
            res, flags = oracle(name, rm_eff, *ops)
            full = tuple(ops) + (0,) * (3 - len(ops))
            rows.append("        .dword " + ", ".join(f"{x:#018x}" for x in (*full, res))
                        + f", {flags:#x}")
        self.code.append(f"        /* {comment} */\n"
                         f"        FP_CASES({first}, {label}, {len(cases)}, {insn(name, rm)})")
        self.data.append(f"{label}:\n" + "\n".join(rows))
        self.ncases += len(cases)

    def set_frm(self, frm: int) -> None:
        self.frm = frm
        self.code.append(f"        csrwi frm, {frm}")

    def text(self) -> str:
        return (f"/*\n * {self.name}.S - {self.title}\n"
                " * Generated by tests/guest/gen/gen_fp_tests.py (edit that, not this file).\n"
                " * Each case: operands, expected result bits and fflags; see fptest.h.\n */\n"
                '#include "fptest.h"\n\nRVTEST_CODE_BEGIN\n        FP_ENABLE\n'
                + "\n".join(self.code)
                + "\n        RVTEST_PASS\n\n        .data\n        .balign 8\n"
                + "\n".join(self.data) + "\n")


# gas takes no rm operand on the exact conversions: encode them with .insn (funct7, rs2).
_INSN_EXACT = {"fcvt.d.s": (0x21, 0), "fcvt.d.w": (0x69, 0), "fcvt.d.wu": (0x69, 1)}


def insn(name: str, rm: int) -> str:
    parts = name.split(".")
    op = parts[0]
    x_dest = op in X_DEST or (op == "fcvt" and parts[1] in INTS) or name.startswith("fmv.x")
    x_src = (op == "fcvt" and parts[2] in INTS) or name in ("fmv.w.x", "fmv.d.x")
    rd = "a4" if x_dest else "f4"
    rs1 = "a1" if x_src else "f1"
    rmtxt = "dyn" if rm == 7 else RM_NAMES[rm]
    if name in _INSN_EXACT:
        f7, rs2 = _INSN_EXACT[name]
        text = f".insn r 0x53, {rm}, {f7:#x}, f4, {rs1}, x{rs2}"
    elif op in ("fmadd", "fmsub", "fnmsub", "fnmadd"):
        text = f"{name} f4, f1, f2, f3, {rmtxt}"
    elif op in ("fadd", "fsub", "fmul", "fdiv"):
        text = f"{name} f4, f1, f2, {rmtxt}"
    elif op in ("fsqrt", "fcvt"):
        text = f"{name} {rd}, {rs1}, {rmtxt}"
    elif op in ("fclass", "fmv"):
        text = f"{name} {rd}, {rs1}"
    else:
        text = f"{name} {rd}, f1, f2"
    return text if x_dest else text + "; fmv.x.d a4, f4"


def every_mode(prog: Program, name: str, cases, what: str) -> None:
    cases = list(cases)
    for rm in range(5):
        prog.group(name, rm, cases, f"{name}, {what}, {RM_NAMES[rm]}")
    for frm in range(5):
        prog.set_frm(frm)
        prog.group(name, 7, cases, f"{name}, {what}, dyn with frm={RM_NAMES[frm]}")
    prog.set_frm(0)


def arith(f: str) -> Program:
    full = {"s": "single", "d": "double"}[f]
    prog = Program(f"fp_arith_{f}", f"FADD/FSUB/FMUL/FDIV/FSQRT.{f.upper()}: edge values "
                   f"(every pair), halfway, overflow and underflow cases in every rounding mode "
                   f"({full} precision).")
    edge = EDGE_S if f == "s" else EDGE_D
    rp = rounding_pairs(f)
    for op in ("add", "sub", "mul", "div"):
        prog.group(f"f{op}.{f}", 0, itertools.product(edge, edge), f"f{op}.{f}, edge pairs, rne")
        every_mode(prog, f"f{op}.{f}", rp[op], "rounding cases")
    prog.group(f"fsqrt.{f}", 0, [(v,) for v in edge], f"fsqrt.{f}, edge values, rne")
    every_mode(prog, f"fsqrt.{f}", rp["sqrt"], "rounding cases")
    return prog


def fma() -> Program:
    prog = Program("fp_fma", "FMADD/FMSUB/FNMSUB/FNMADD.S/.D: edge-value triples (inf * 0 + qNaN "
                   "is invalid) and single-rounding cases in every rounding mode.")
    for f in ("s", "d"):
        edge = EDGE_S if f == "s" else EDGE_D
        # +0 -0 min-subnormal 1 -1.5 max +inf qNaN sNaN; addends -0 1 max -inf qNaN sNaN
        ab = [edge[i] for i in (0, 1, 2, 7, 9, 12, 14, 16, 17)]
        c = [edge[i] for i in (1, 7, 12, 15, 16, 17)]
        rp = rounding_pairs(f)["fma"]
        for op in ("fmadd", "fmsub", "fnmsub", "fnmadd"):
            prog.group(f"{op}.{f}", 0, itertools.product(ab, ab, c), f"{op}.{f}, edge, rne")
            every_mode(prog, f"{op}.{f}", rp, "rounding cases")
    return prog


def cmp() -> Program:
    prog = Program("fp_cmp", "FSGNJ/FSGNJN/FSGNJX, FMIN/FMAX (minimumNumber/maximumNumber), "
                   "FEQ (quiet), FLT/FLE (signalling), FCLASS for .S and .D on every pair of "
                   "edge values.")
    for f in ("s", "d"):
        edge = EDGE_S if f == "s" else [*EDGE_D, 0xFFF8_0000_0000_0000]
        pairs = list(itertools.product(edge, edge))
        for op in ("fsgnj", "fsgnjn", "fsgnjx", "fmin", "fmax", "feq", "flt", "fle"):
            prog.group(f"{op}.{f}", 0, pairs, f"{op}.{f}, edge pairs")
        prog.group(f"fclass.{f}", 0, [(v,) for v in edge + (CVT_FROM_S if f == "s" else [])],
                   f"fclass.{f}")
    return prog


def cvt() -> Program:
    prog = Program("fp_cvt", "FCVT between W/WU/L/LU and S/D (saturation, NV, NX at every "
                   "boundary), between S and D, and FMV.X.W/W.X/X.D/D.X, in every rounding mode.")
    for f, vals in (("s", CVT_FROM_S), ("d", CVT_FROM_D)):
        for i in INTS:
            every_mode(prog, f"fcvt.{i}.{f}", [(v,) for v in vals], "boundaries")
        for i in INTS:
            every_mode(prog, f"fcvt.{f}.{i}", [(v,) for v in CVT_INTS], "integers")
    every_mode(prog, "fcvt.s.d", [(v,) for v in NARROW], "narrowing")
    every_mode(prog, "fcvt.d.s", [(v,) for v in CVT_FROM_S], "widening (exact)")
    moves = [(v,) for v in EDGE_S + EDGE_D + CVT_INTS]
    for name in ("fmv.x.w", "fmv.w.x", "fmv.x.d", "fmv.d.x"):
        prog.group(name, 0, moves, f"{name}: bits unchanged (boxed / sign-extended)")
    return prog


def main(argv: list[str]) -> None:
    """Write the programs into argv[0] (tests/guest/Makefile passes its build directory)."""
    out = Path(argv[0]) if argv else GUEST
    out.mkdir(parents=True, exist_ok=True)
    for prog in (arith("s"), arith("d"), fma(), cmp(), cvt()):
        path = out / f"{prog.name}.S"
        tmp = path.with_suffix(".S.tmp")
        tmp.write_text(prog.text())
        tmp.replace(path)
        print(f"{path}: {prog.ncases} cases")


if __name__ == "__main__":
    main(sys.argv[1:])
