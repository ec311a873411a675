"""Random user-level RV64IMAC instruction sequences as machine code, built with hypothesis.

The encoder below is written from the unprivileged spec: base formats (2.2-2.3, "Base
Instruction Formats" / "Immediate Encoding Variants"), RV64I (4), M (13), A (14) and the
compressed formats and their immediate scrambles (26.2-26.5).

A program is a list of items:

* `Insn`       one instruction whose encoding does not depend on where it sits;
* `AddrSetup`  `auipc r, hi; addi r, r, lo`: materialises a 64-bit address into r.  The data
               region is at 0x8010_0000, which `lui` cannot produce on RV64 (it sign-extends),
               but `auipc` from code at 0x8000_0000 can;
* `Skip`       a forward control transfer (a branch, jal, jalr, c.j, c.beqz/bnez, c.jr/c.jalr)
               over a body of items; the head's offset is fixed up at layout time.

Register discipline: x31 is the address scratch and x2 (sp) the base of c.*sp accesses; neither
is ever a random destination (they are written only by address setups, and sp by c.addi16sp).
Both may be random sources.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from functools import lru_cache

from hypothesis import strategies as st

CODE_BASE = 0x8000_0000
DATA_BASE = 0x8010_0000
DATA_SIZE = 0x1_0000
PAGE = 0x1000
SCRATCH = 31                 # address scratch register: never a random destination
SP = 2
MASK64 = (1 << 64) - 1

DEST = [r for r in range(32) if r not in (SP, SCRATCH)]         # may be x0
CDEST = [r for r in range(1, 32) if r not in (SP, SCRATCH)]     # C forms with rd != 0
CREG = list(range(8, 16))                                      # x8..x15 (rd', rs1', rs2')
BASE = [SCRATCH] * 6 + [r for r in DEST if r != 0]             # address bases, x31 mostly


def sext(v: int, bits: int) -> int:
    v &= (1 << bits) - 1
    return v - (1 << bits) if v >> (bits - 1) else v


# ---- deterministic initial contents of the data region ------------------------------------------

@lru_cache(maxsize=1)
def initial_data() -> bytes:
    """Random bytes, with interesting 64-bit values sprinkled over every 8th doubleword."""
    rng = random.Random(0x5EED)
    buf = bytearray(rng.getrandbits(8) for _ in range(DATA_SIZE))
    specials = [0, MASK64, 1 << 63, (1 << 63) - 1, 0x8000_0000, 0x7FFF_FFFF, 0xFFFF_FFFF,
                0xFFFF_FFFF_8000_0000, 0x80, 0x8080_8080_8080_8080, 1]
    for off in range(0, DATA_SIZE, 64):
        buf[off:off + 8] = rng.choice(specials).to_bytes(8, "little")
    return bytes(buf)


# ---- encoders (spec 2.3 and 26.2) ---------------------------------------------------------------

def _chk(v: int, lo: int, hi: int, what: str) -> int:
    if not lo <= v <= hi:
        raise ValueError(f"{what} {v} out of range [{lo}, {hi}]")
    return v


def enc_r(op: int, f3: int, f7: int, rd: int, rs1: int, rs2: int) -> int:
    return (f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op


def enc_i(op: int, f3: int, rd: int, rs1: int, imm: int) -> int:
    _chk(imm, -2048, 2047, "I-immediate")
    return ((imm & 0xFFF) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op


def enc_s(op: int, f3: int, rs1: int, rs2: int, imm: int) -> int:
    _chk(imm, -2048, 2047, "S-immediate")
    imm &= 0xFFF
    return ((imm >> 5) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | ((imm & 0x1F) << 7) | op


def enc_b(f3: int, rs1: int, rs2: int, off: int) -> int:
    _chk(off, -4096, 4094, "B-offset")
    assert off % 2 == 0
    o = off & 0x1FFF
    return (((o >> 12) & 1) << 31) | (((o >> 5) & 0x3F) << 25) | (rs2 << 20) | (rs1 << 15) \
        | (f3 << 12) | (((o >> 1) & 0xF) << 8) | (((o >> 11) & 1) << 7) | 0x63


def enc_u(op: int, rd: int, imm20: int) -> int:
    return ((imm20 & 0xFFFFF) << 12) | (rd << 7) | op


def enc_j(rd: int, off: int) -> int:
    _chk(off, -(1 << 20), (1 << 20) - 2, "J-offset")
    o = off & 0x1FFFFF
    return (((o >> 20) & 1) << 31) | (((o >> 1) & 0x3FF) << 21) | (((o >> 11) & 1) << 20) \
        | (((o >> 12) & 0xFF) << 12) | (rd << 7) | 0x6F


def enc_amo(f5: int, f3: int, aq: int, rl: int, rd: int, rs1: int, rs2: int) -> int:
    return (f5 << 27) | (aq << 26) | (rl << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) \
        | (rd << 7) | 0x2F


def _b(v: int, hi: int, lo: int) -> int:
    return (v >> lo) & ((1 << (hi - lo + 1)) - 1)


def _cr(r: int) -> int:
    assert 8 <= r <= 15, r
    return r - 8


def c_ci(f3: int, rd: int, imm6: int, q: int) -> int:
    """CI format with a plain 6-bit immediate: imm[5] at 12, imm[4:0] at 6:2."""
    return (f3 << 13) | (_b(imm6, 5, 5) << 12) | (rd << 7) | (_b(imm6, 4, 0) << 2) | q


def c_addi4spn(rd: int, nzuimm: int) -> int:
    # nzuimm[5:4|9:6|2|3] in bits 12:5
    assert nzuimm % 4 == 0 and 0 < nzuimm < 1024
    u = nzuimm
    return (_b(u, 5, 4) << 11) | (_b(u, 9, 6) << 7) | (_b(u, 2, 2) << 6) | (_b(u, 3, 3) << 5) \
        | (_cr(rd) << 2) | 0


def c_lsw(f3: int, r: int, rs1: int, uimm: int) -> int:
    """c.lw / c.sw: uimm[5:3] at 12:10, uimm[2|6] at 6:5."""
    assert uimm % 4 == 0 and 0 <= uimm < 128
    return (f3 << 13) | (_b(uimm, 5, 3) << 10) | (_cr(rs1) << 7) | (_b(uimm, 2, 2) << 6) \
        | (_b(uimm, 6, 6) << 5) | (_cr(r) << 2) | 0


def c_lsd(f3: int, r: int, rs1: int, uimm: int) -> int:
    """c.ld / c.sd: uimm[5:3] at 12:10, uimm[7:6] at 6:5."""
    assert uimm % 8 == 0 and 0 <= uimm < 256
    return (f3 << 13) | (_b(uimm, 5, 3) << 10) | (_cr(rs1) << 7) | (_b(uimm, 7, 6) << 5) \
        | (_cr(r) << 2) | 0


def c_addi16sp(nzimm: int) -> int:
    # nzimm[9] at 12, nzimm[4|6|8:7|5] at 6:2
    assert nzimm % 16 == 0 and nzimm != 0 and -512 <= nzimm <= 496
    v = nzimm & 0x3FF
    return (3 << 13) | (_b(v, 9, 9) << 12) | (SP << 7) | (_b(v, 4, 4) << 6) | (_b(v, 6, 6) << 5) \
        | (_b(v, 8, 7) << 3) | (_b(v, 5, 5) << 2) | 1


def c_lui(rd: int, nzimm6: int) -> int:
    """nzimm6 is the signed value of nzimm[17:12]."""
    assert rd not in (0, SP) and nzimm6 != 0 and -32 <= nzimm6 <= 31
    return c_ci(3, rd, nzimm6, 1)


def c_shift_rp(f2: int, rd: int, shamt: int) -> int:
    """c.srli (f2=0) / c.srai (f2=1) / c.andi (f2=2, shamt = imm)."""
    return (4 << 13) | (_b(shamt, 5, 5) << 12) | (f2 << 10) | (_cr(rd) << 7) \
        | (_b(shamt, 4, 0) << 2) | 1


def c_ca(f6_bit12: int, f2: int, rd: int, rs2: int) -> int:
    return (4 << 13) | (f6_bit12 << 12) | (3 << 10) | (_cr(rd) << 7) | (f2 << 5) \
        | (_cr(rs2) << 2) | 1


def c_j(off: int) -> int:
    # imm[11|4|9:8|10|6|7|3:1|5] in bits 12:2
    _chk(off, -2048, 2046, "CJ-offset")
    o = off & 0xFFF
    return (5 << 13) | (_b(o, 11, 11) << 12) | (_b(o, 4, 4) << 11) | (_b(o, 9, 8) << 9) \
        | (_b(o, 10, 10) << 8) | (_b(o, 6, 6) << 7) | (_b(o, 7, 7) << 6) | (_b(o, 3, 1) << 3) \
        | (_b(o, 5, 5) << 2) | 1


def c_bz(f3: int, rs1: int, off: int) -> int:
    # imm[8|4:3] at 12:10, imm[7:6|2:1|5] at 6:2
    _chk(off, -256, 254, "CB-offset")
    o = off & 0x1FF
    return (f3 << 13) | (_b(o, 8, 8) << 12) | (_b(o, 4, 3) << 10) | (_cr(rs1) << 7) \
        | (_b(o, 7, 6) << 5) | (_b(o, 2, 1) << 3) | (_b(o, 5, 5) << 2) | 1


def c_cr(bit12: int, r1: int, r2: int) -> int:
    return (4 << 13) | (bit12 << 12) | (r1 << 7) | (r2 << 2) | 2


def c_lwsp(rd: int, uimm: int) -> int:
    # uimm[5] at 12, uimm[4:2|7:6] at 6:2
    assert uimm % 4 == 0 and 0 <= uimm < 256 and rd != 0
    return (2 << 13) | (_b(uimm, 5, 5) << 12) | (rd << 7) | (_b(uimm, 4, 2) << 4) \
        | (_b(uimm, 7, 6) << 2) | 2


def c_ldsp(rd: int, uimm: int) -> int:
    # uimm[5] at 12, uimm[4:3|8:6] at 6:2
    assert uimm % 8 == 0 and 0 <= uimm < 512 and rd != 0
    return (3 << 13) | (_b(uimm, 5, 5) << 12) | (rd << 7) | (_b(uimm, 4, 3) << 5) \
        | (_b(uimm, 8, 6) << 2) | 2


def c_swsp(rs2: int, uimm: int) -> int:
    # uimm[5:2|7:6] at 12:7
    assert uimm % 4 == 0 and 0 <= uimm < 256
    return (6 << 13) | (_b(uimm, 5, 2) << 9) | (_b(uimm, 7, 6) << 7) | (rs2 << 2) | 2


def c_sdsp(rs2: int, uimm: int) -> int:
    # uimm[5:3|8:6] at 12:7
    assert uimm % 8 == 0 and 0 <= uimm < 512
    return (7 << 13) | (_b(uimm, 5, 3) << 10) | (_b(uimm, 8, 6) << 7) | (rs2 << 2) | 2


# ---- instruction tables -------------------------------------------------------------------------

OP_IMM, OP_IMM32, OP, OP32, LOAD, STORE = 0x13, 0x1B, 0x33, 0x3B, 0x03, 0x23

# name: (opcode, funct3)
IMM_OPS = {"addi": (OP_IMM, 0), "slti": (OP_IMM, 2), "sltiu": (OP_IMM, 3), "xori": (OP_IMM, 4),
           "ori": (OP_IMM, 6), "andi": (OP_IMM, 7), "addiw": (OP_IMM32, 0)}
# name: (opcode, funct3, funct6-or-7 high bits, shamt bits)
SHIFT_IMM_OPS = {"slli": (OP_IMM, 1, 0x00, 6), "srli": (OP_IMM, 5, 0x00, 6),
                 "srai": (OP_IMM, 5, 0x10, 6), "slliw": (OP_IMM32, 1, 0x00, 5),
                 "srliw": (OP_IMM32, 5, 0x00, 5), "sraiw": (OP_IMM32, 5, 0x20, 5)}
# name: (opcode, funct3, funct7)
REG_OPS = {"add": (OP, 0, 0), "sub": (OP, 0, 0x20), "sll": (OP, 1, 0), "slt": (OP, 2, 0),
           "sltu": (OP, 3, 0), "xor": (OP, 4, 0), "srl": (OP, 5, 0), "sra": (OP, 5, 0x20),
           "or": (OP, 6, 0), "and": (OP, 7, 0), "addw": (OP32, 0, 0), "subw": (OP32, 0, 0x20),
           "sllw": (OP32, 1, 0), "srlw": (OP32, 5, 0), "sraw": (OP32, 5, 0x20)}
MULDIV_OPS = {"mul": (OP, 0), "mulh": (OP, 1), "mulhsu": (OP, 2), "mulhu": (OP, 3),
              "div": (OP, 4), "divu": (OP, 5), "rem": (OP, 6), "remu": (OP, 7),
              "mulw": (OP32, 0), "divw": (OP32, 4), "divuw": (OP32, 5), "remw": (OP32, 6),
              "remuw": (OP32, 7)}
# name: (funct3, size)
LOAD_OPS = {"lb": (0, 1), "lh": (1, 2), "lw": (2, 4), "ld": (3, 8), "lbu": (4, 1), "lhu": (5, 2),
            "lwu": (6, 4)}
STORE_OPS = {"sb": (0, 1), "sh": (1, 2), "sw": (2, 4), "sd": (3, 8)}
BRANCH_OPS = {"beq": 0, "bne": 1, "blt": 4, "bge": 5, "bltu": 6, "bgeu": 7}
AMO_OPS = {"amoadd": 0x00, "amoswap": 0x01, "amoxor": 0x04, "amoor": 0x08, "amoand": 0x0C,
           "amomin": 0x10, "amomax": 0x14, "amominu": 0x18, "amomaxu": 0x1C}
LR, SC = 0x02, 0x03
WIDTH_F3 = {"w": 2, "d": 3}


def xn(r: int) -> str:
    return f"x{r}"


# ---- program items ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Insn:
    word: int
    size: int
    text: str

    @property
    def count(self) -> int:
        return 1

    @property
    def nbytes(self) -> int:
        return self.size


@dataclass(frozen=True)
class AddrSetup:
    reg: int
    value: int

    count = 2
    nbytes = 8


@dataclass(frozen=True)
class Skip:
    """A forward transfer over `body`.  kind: 'b' (branch), 'jal', 'cj', 'cb' (c.beqz/c.bnez),
    'jalr' (auipc rs; jalr rd, off(rs)), 'cjr' (auipc rs; addi rs, rs, off; c.jr/c.jalr rs)."""
    kind: str
    name: str
    args: tuple
    body: tuple
    odd: int = 0          # jalr / c.jr: add 1 to the offset (the target's bit 0 is cleared)

    @property
    def head_bytes(self) -> int:
        return {"b": 4, "jal": 4, "cj": 2, "cb": 2, "jalr": 8, "cjr": 10}[self.kind]

    @property
    def nbytes(self) -> int:
        return self.head_bytes + sum(i.nbytes for i in self.body)

    @property
    def count(self) -> int:
        return {"jalr": 2, "cjr": 3}.get(self.kind, 1) + sum(i.count for i in self.body)


@dataclass(frozen=True)
class Line:
    pc: int
    size: int
    word: int
    text: str

    def __str__(self) -> str:
        hexw = f"{self.word:08x}" if self.size == 4 else f"    {self.word:04x}"
        return f"{self.pc:#010x}: {hexw}  {self.text}"


def _auipc_addi(reg: int, value: int, pc: int) -> list[Line]:
    delta = value - pc
    hi = (delta + 0x800) >> 12
    lo = delta - (hi << 12)
    assert -(1 << 19) <= hi < (1 << 19) and -2048 <= lo <= 2047
    return [Line(pc, 4, enc_u(0x17, reg, hi), f"auipc {xn(reg)}, {hi & 0xFFFFF:#x}"),
            Line(pc + 4, 4, enc_i(OP_IMM, 0, reg, reg, lo),
                 f"addi {xn(reg)}, {xn(reg)}, {lo}    # = {value:#x}")]


def _layout(items, pc: int, out: list[Line]) -> int:
    for it in items:
        if isinstance(it, Insn):
            out.append(Line(pc, it.size, it.word, it.text))
            pc += it.size
        elif isinstance(it, AddrSetup):
            out.extend(_auipc_addi(it.reg, it.value, pc))
            pc += 8
        else:
            target = pc + it.nbytes
            pc = _layout_head(it, pc, target, out)
            pc = _layout(it.body, pc, out)
            assert pc == target
    return pc


def _layout_head(s: Skip, pc: int, target: int, out: list[Line]) -> int:
    off = target - pc
    arrow = f"    -> {target:#x}"
    if s.kind == "b":
        rs1, rs2 = s.args
        out.append(Line(pc, 4, enc_b(BRANCH_OPS[s.name], rs1, rs2, off),
                        f"{s.name} {xn(rs1)}, {xn(rs2)}, {off:+d}{arrow}"))
        return pc + 4
    if s.kind == "jal":
        (rd,) = s.args
        out.append(Line(pc, 4, enc_j(rd, off), f"jal {xn(rd)}, {off:+d}{arrow}"))
        return pc + 4
    if s.kind == "cj":
        out.append(Line(pc, 2, c_j(off), f"c.j {off:+d}{arrow}"))
        return pc + 2
    if s.kind == "cb":
        (rs1,) = s.args
        out.append(Line(pc, 2, c_bz(6 if s.name == "c.beqz" else 7, rs1, off),
                        f"{s.name} {xn(rs1)}, {off:+d}{arrow}"))
        return pc + 2
    if s.kind == "jalr":
        rd, rs = s.args
        imm = off + s.odd
        out.append(Line(pc, 4, enc_u(0x17, rs, 0), f"auipc {xn(rs)}, 0x0"))
        out.append(Line(pc + 4, 4, enc_i(0x67, 0, rd, rs, imm),
                        f"jalr {xn(rd)}, {imm}({xn(rs)}){arrow}"))
        return pc + 8
    if s.kind == "cjr":
        (rs,) = s.args
        imm = off + s.odd
        out.append(Line(pc, 4, enc_u(0x17, rs, 0), f"auipc {xn(rs)}, 0x0"))
        out.append(Line(pc + 4, 4, enc_i(OP_IMM, 0, rs, rs, imm),
                        f"addi {xn(rs)}, {xn(rs)}, {imm}"))
        out.append(Line(pc + 8, 2, c_cr(1 if s.name == "c.jalr" else 0, rs, 0),
                        f"{s.name} {xn(rs)}{arrow}"))
        return pc + 10
    raise AssertionError(s.kind)


@dataclass
class Program:
    items: tuple
    base: int = CODE_BASE
    lines: list[Line] = field(init=False)
    code: bytes = field(init=False)
    end: int = field(init=False)

    def __post_init__(self) -> None:
        self.lines = []
        self.end = _layout(self.items, self.base, self.lines)
        buf = bytearray()
        for ln in self.lines:
            buf += ln.word.to_bytes(ln.size, "little")
        self.code = bytes(buf)
        assert len(self.code) == self.end - self.base

    @property
    def count(self) -> int:
        return len(self.lines)

    def listing(self) -> str:
        return "\n".join(str(ln) for ln in self.lines)


def format_regs(regs) -> str:
    """regs[i] is x(i+1)."""
    cells = [f"x{i + 1:<2}={v & MASK64:#018x}" for i, v in enumerate(regs)]
    return "\n".join("  ".join(cells[i:i + 4]) for i in range(0, len(cells), 4))


# ---- instruction constructors -------------------------------------------------------------------

def i_imm(name: str, rd: int, rs1: int, imm: int) -> Insn:
    op, f3 = IMM_OPS[name]
    return Insn(enc_i(op, f3, rd, rs1, imm), 4, f"{name} {xn(rd)}, {xn(rs1)}, {imm}")


def i_shift(name: str, rd: int, rs1: int, sh: int) -> Insn:
    op, f3, hi, nbits = SHIFT_IMM_OPS[name]
    assert 0 <= sh < (1 << nbits)
    word = (hi << 26 if nbits == 6 else hi << 25) | (sh << 20) | (rs1 << 15) | (f3 << 12) \
        | (rd << 7) | op
    return Insn(word, 4, f"{name} {xn(rd)}, {xn(rs1)}, {sh}")


def i_reg(name: str, rd: int, rs1: int, rs2: int) -> Insn:
    if name in REG_OPS:
        op, f3, f7 = REG_OPS[name]
    else:
        (op, f3), f7 = MULDIV_OPS[name], 1
    return Insn(enc_r(op, f3, f7, rd, rs1, rs2), 4, f"{name} {xn(rd)}, {xn(rs1)}, {xn(rs2)}")


def i_lui(rd: int, imm20: int) -> Insn:
    return Insn(enc_u(0x37, rd, imm20), 4, f"lui {xn(rd)}, {imm20:#x}")


def i_auipc(rd: int, imm20: int) -> Insn:
    return Insn(enc_u(0x17, rd, imm20), 4, f"auipc {xn(rd)}, {imm20:#x}")


def i_load(name: str, rd: int, rs1: int, off: int) -> Insn:
    f3, _ = LOAD_OPS[name]
    return Insn(enc_i(LOAD, f3, rd, rs1, off), 4, f"{name} {xn(rd)}, {off}({xn(rs1)})")


def i_store(name: str, rs2: int, rs1: int, off: int) -> Insn:
    f3, _ = STORE_OPS[name]
    return Insn(enc_s(STORE, f3, rs1, rs2, off), 4, f"{name} {xn(rs2)}, {off}({xn(rs1)})")


def _aqrl(aq: int, rl: int) -> str:
    return [".", ".rl", ".aq", ".aqrl"][aq * 2 + rl].rstrip(".")


def i_amo(name: str, w: str, rd: int, rs1: int, rs2: int, aq: int, rl: int) -> Insn:
    word = enc_amo(AMO_OPS[name], WIDTH_F3[w], aq, rl, rd, rs1, rs2)
    return Insn(word, 4, f"{name}.{w}{_aqrl(aq, rl)} {xn(rd)}, {xn(rs2)}, ({xn(rs1)})")


def i_lr(w: str, rd: int, rs1: int, aq: int, rl: int) -> Insn:
    return Insn(enc_amo(LR, WIDTH_F3[w], aq, rl, rd, rs1, 0), 4,
                f"lr.{w}{_aqrl(aq, rl)} {xn(rd)}, ({xn(rs1)})")


def i_sc(w: str, rd: int, rs1: int, rs2: int, aq: int, rl: int) -> Insn:
    return Insn(enc_amo(SC, WIDTH_F3[w], aq, rl, rd, rs1, rs2), 4,
                f"sc.{w}{_aqrl(aq, rl)} {xn(rd)}, {xn(rs2)}, ({xn(rs1)})")


def cins(word: int, text: str) -> Insn:
    return Insn(word, 2, text)


def c_li(rd: int, imm: int) -> Insn:
    return cins(c_ci(2, rd, imm, 1), f"c.li {xn(rd)}, {imm}")


# ---- value strategies ---------------------------------------------------------------------------

SPECIAL64 = [0, 1, MASK64, 2, MASK64 - 1, (1 << 63) - 1, 1 << 63, (1 << 63) + 1, 0x7FFF_FFFF,
             0x8000_0000, 0xFFFF_FFFF, 0xFFFF_FFFF_8000_0000, 0xFFFF_FFFF_7FFF_FFFF,
             0x1_0000_0000, 0x1_8000_0000, 0x8000_0000_8000_0000, 0xFFF, 0x800, 0x7FF,
             0x8000, 0xFFFF, 63, 64, 31, 32, DATA_BASE, 0x5555_5555_5555_5555,
             0xAAAA_AAAA_AAAA_AAAA]


def _reg_transforms() -> tuple:
    """Ways to turn a register's raw random value into an interesting one."""
    out = [lambda raw, v=v: v for v in SPECIAL64]
    out += [lambda raw, v=v: v & MASK64 for v in range(-16, 17)]
    out += [lambda raw: sext(raw, 32) & MASK64,                   # a sign-extended word
            lambda raw: raw & 0xFFFF_FFFF,                         # a zero-extended word
            lambda raw: (raw & 0xFFFF_FFFF) | (0xDEAD_BEEF << 32),  # upper-half junk
            lambda raw: raw & 0xFF]
    return tuple(out)


REG_TRANSFORMS = _reg_transforms()
_raw64 = st.integers(0, MASK64)
_override = st.tuples(st.integers(0, 30), st.integers(0, len(REG_TRANSFORMS) - 1))


@st.composite
def initial_regs(draw) -> list[int]:
    """x1..x31 (index 0 is x1): raw random values, some of them replaced by interesting ones
    (0, -1, MIN, MAX, word boundaries, small values, ...).  Fewer draws than a one_of per
    register, which matters: drawing dominates the cost of an example."""
    regs = [draw(_raw64) for _ in range(31)]
    for idx, t in draw(st.lists(_override, max_size=20)):
        regs[idx] = REG_TRANSFORMS[t](regs[idx])
    return regs


imm12 = st.one_of(st.sampled_from((0, 1, -1, 2047, -2048, 0x555, -0x556, 31, 32, 63)),
                  st.integers(-2048, 2047))
imm6 = st.one_of(st.sampled_from((0, 1, -1, 31, -32)), st.integers(-32, 31))
nz_imm6 = imm6.filter(lambda v: v != 0)
imm20 = st.one_of(st.sampled_from((0, 1, 0x80000, 0x7FFFF, 0xFFFFF, 0x80001)),
                  st.integers(0, 0xFFFFF))
shamt6 = st.one_of(st.sampled_from((0, 1, 31, 32, 63)), st.integers(0, 63))
shamt5 = st.one_of(st.sampled_from((0, 1, 16, 31)), st.integers(0, 31))
any_reg = st.integers(0, 31)
dest = st.sampled_from(tuple(DEST))
cdest = st.sampled_from(tuple(CDEST))
creg = st.sampled_from(tuple(CREG))
base_reg = st.sampled_from(tuple(BASE))
aqrl = st.tuples(st.integers(0, 1), st.integers(0, 1))
bit = st.integers(0, 1)
nz_shamt6 = shamt6.filter(bool)
reg_or_cdest = st.one_of(any_reg, cdest)
nz_dest = st.sampled_from(tuple(r for r in DEST if r != 0))
width = st.sampled_from(("w", "d"))
ADDR_KIND = st.sampled_from(("aligned", "aligned", "any", "page_cross"))
PAGE_NO = st.integers(1, DATA_SIZE // PAGE - 1)
SMALL = st.integers(-16, 16)
TINY = st.integers(-2, 2)          # branch operands: equal / less / greater all likely


def data_addr(draw, size: int, aligned_only: bool = False) -> int:
    """Draws an address of `size` bytes inside the data region: aligned, any, or crossing a
    page boundary.  (A plain function taking `draw`: building strategies per draw is slow.)"""
    kind = "aligned" if aligned_only or size == 1 else draw(ADDR_KIND)
    if kind == "aligned":
        return DATA_BASE + draw(st.integers(0, DATA_SIZE // size - 1)) * size
    if kind == "any":
        return DATA_BASE + draw(st.integers(0, DATA_SIZE - size))
    return DATA_BASE + draw(PAGE_NO) * PAGE - draw(st.integers(1, size - 1))


# Constants that `special_li` can build in a couple of instructions (for divisors and dividends).
LI_KINDS = st.sampled_from(("zero", "m1", "one", "min64", "min32", "max64", "max32", "u32max",
                            "u32min", "small"))


def special_li(draw, reg: int) -> list:
    kind = draw(LI_KINDS)
    r = reg
    if kind == "zero":
        return [i_imm("addi", r, 0, 0)]
    if kind == "m1":
        return [i_imm("addi", r, 0, -1)]
    if kind == "one":
        return [i_imm("addi", r, 0, 1)]
    if kind == "min64":
        return [i_imm("addi", r, 0, 1), i_shift("slli", r, r, 63)]
    if kind == "min32":
        return [i_lui(r, 0x80000)]
    if kind == "max64":
        return [i_imm("addi", r, 0, -1), i_shift("srli", r, r, 1)]
    if kind == "max32":
        return [i_lui(r, 0x80000), i_imm("addiw", r, r, -1)]
    if kind == "u32max":
        return [i_imm("addi", r, 0, -1), i_shift("srli", r, r, 32)]
    if kind == "u32min":
        return [i_lui(r, 0x80000), i_shift("slli", r, r, 32), i_shift("srli", r, r, 32)]
    return [i_imm("addi", r, 0, draw(SMALL))]


# ---- groups -------------------------------------------------------------------------------------

@st.composite
def g_alu_imm(draw) -> list:
    name = draw(st.sampled_from(tuple(IMM_OPS) + tuple(SHIFT_IMM_OPS)))
    rd, rs1 = draw(dest), draw(any_reg)
    if name in IMM_OPS:
        return [i_imm(name, rd, rs1, draw(imm12))]
    return [i_shift(name, rd, rs1, draw(shamt6 if SHIFT_IMM_OPS[name][3] == 6 else shamt5))]


@st.composite
def g_alu_reg(draw) -> list:
    name = draw(st.sampled_from(tuple(REG_OPS)))
    rd, rs1 = draw(dest), draw(any_reg)
    rs2 = rs1 if draw(bit) and draw(bit) else draw(any_reg)
    return [i_reg(name, rd, rs1, rs2)]


@st.composite
def g_upper(draw) -> list:
    rd, imm = draw(dest), draw(imm20)
    return [draw(st.sampled_from((i_lui, i_auipc)))(rd, imm)]


@st.composite
def g_muldiv(draw) -> list:
    name = draw(st.sampled_from(tuple(MULDIV_OPS)))
    rd = draw(dest)
    out = []
    # Operands: often freshly set to a special value (divisors 0, -1, ...; dividends MIN ...).
    rs1, rs2 = draw(reg_or_cdest), draw(reg_or_cdest)
    if rs1 in CDEST and draw(bit):
        out += special_li(draw, rs1)
    if rs2 in CDEST and rs2 != rs1 and draw(bit):
        out += special_li(draw, rs2)
    return [*out, i_reg(name, rd, rs1, rs2)]


@st.composite
def g_load(draw) -> list:
    name = draw(st.sampled_from(tuple(LOAD_OPS)))
    size = LOAD_OPS[name][1]
    addr, off, base = data_addr(draw, size), draw(imm12), draw(base_reg)
    return [AddrSetup(base, addr - off), i_load(name, draw(dest), base, off)]


@st.composite
def g_store(draw) -> list:
    name = draw(st.sampled_from(tuple(STORE_OPS)))
    size = STORE_OPS[name][1]
    addr, off, base = data_addr(draw, size), draw(imm12), draw(base_reg)
    return [AddrSetup(base, addr - off), i_store(name, draw(any_reg), base, off)]


C_ALU = ["c.addi", "c.li", "c.lui", "c.addiw", "c.slli", "c.srli", "c.srai", "c.andi", "c.mv",
         "c.add", "c.sub", "c.xor", "c.or", "c.and", "c.subw", "c.addw", "c.addi4spn",
         "c.addi16sp"]
C_CA = {"c.sub": (0, 0), "c.xor": (0, 1), "c.or": (0, 2), "c.and": (0, 3), "c.subw": (1, 0),
        "c.addw": (1, 1)}


@st.composite
def g_c_alu(draw) -> list:
    name = draw(st.sampled_from(tuple(C_ALU)))
    if name in ("c.addi", "c.li", "c.addiw"):
        rd = draw(cdest)
        imm = draw(nz_imm6 if name == "c.addi" else imm6)
        f3 = {"c.addi": 0, "c.addiw": 1, "c.li": 2}[name]
        return [cins(c_ci(f3, rd, imm, 1), f"{name} {xn(rd)}, {imm}")]
    if name == "c.lui":
        rd, imm = draw(cdest), draw(nz_imm6)
        return [cins(c_lui(rd, imm), f"c.lui {xn(rd)}, {imm & 0xFFFFF:#x}")]
    if name == "c.slli":
        rd, sh = draw(cdest), draw(nz_shamt6)
        return [cins(c_ci(0, rd, sh, 2), f"c.slli {xn(rd)}, {sh}")]
    if name in ("c.srli", "c.srai"):
        rd, sh = draw(creg), draw(nz_shamt6)
        return [cins(c_shift_rp(0 if name == "c.srli" else 1, rd, sh), f"{name} {xn(rd)}, {sh}")]
    if name == "c.andi":
        rd, imm = draw(creg), draw(imm6)
        return [cins(c_shift_rp(2, rd, imm & 0x3F), f"c.andi {xn(rd)}, {imm}")]
    if name in ("c.mv", "c.add"):
        rd, rs2 = draw(cdest), draw(st.integers(1, 31))
        return [cins(c_cr(0 if name == "c.mv" else 1, rd, rs2), f"{name} {xn(rd)}, {xn(rs2)}")]
    if name in C_CA:
        rd, rs2 = draw(creg), draw(creg)
        return [cins(c_ca(*C_CA[name], rd, rs2), f"{name} {xn(rd)}, {xn(rs2)}")]
    if name == "c.addi4spn":
        rd, u = draw(creg), draw(st.integers(1, 255)) * 4
        return [cins(c_addi4spn(rd, u), f"c.addi4spn {xn(rd)}, sp, {u}")]
    imm = draw(nz_imm6) * 16
    return [cins(c_addi16sp(imm), f"c.addi16sp sp, {imm}")]


@st.composite
def g_c_mem(draw) -> list:
    name = draw(st.sampled_from(("c.lw", "c.ld", "c.sw", "c.sd")))
    size = 4 if name in ("c.lw", "c.sw") else 8
    uimm = draw(st.integers(0, 31)) * size
    addr, base, r = data_addr(draw, size), draw(creg), draw(creg)
    f3 = {"c.lw": 2, "c.ld": 3, "c.sw": 6, "c.sd": 7}[name]
    word = (c_lsw if size == 4 else c_lsd)(f3, r, base, uimm)
    return [AddrSetup(base, addr - uimm), cins(word, f"{name} {xn(r)}, {uimm}({xn(base)})")]


@st.composite
def g_c_sp(draw) -> list:
    """c.lwsp/ldsp/swsp/sdsp with sp pointing into the data region."""
    name = draw(st.sampled_from(("c.lwsp", "c.ldsp", "c.swsp", "c.sdsp")))
    size = 4 if name in ("c.lwsp", "c.swsp") else 8
    uimm = draw(st.integers(0, 63)) * size
    addr = data_addr(draw, size)
    if name == "c.lwsp":
        r = draw(cdest)
        word = c_lwsp(r, uimm)
    elif name == "c.ldsp":
        r = draw(cdest)
        word = c_ldsp(r, uimm)
    elif name == "c.swsp":
        r = draw(any_reg)
        word = c_swsp(r, uimm)
    else:
        r = draw(any_reg)
        word = c_sdsp(r, uimm)
    return [AddrSetup(SP, addr - uimm), cins(word, f"{name} {xn(r)}, {uimm}(sp)")]


@st.composite
def g_amo(draw) -> list:
    name, w = draw(st.sampled_from(tuple(AMO_OPS))), draw(width)
    size = 4 if w == "w" else 8
    addr, base = data_addr(draw, size, aligned_only=True), draw(base_reg)
    rd, rs2 = draw(dest), draw(any_reg)
    aq, rl = draw(aqrl)
    return [AddrSetup(base, addr), i_amo(name, w, rd, base, rs2, aq, rl)]


@st.composite
def g_lrsc(draw) -> list:
    """lr; 0-3 register-only instructions; sc to the same address (or another one, or a lone
    sc, both of which must fail)."""
    w = draw(width)
    size = 4 if w == "w" else 8
    addr = data_addr(draw, size, aligned_only=True)
    mode = draw(st.sampled_from(("pair", "pair", "pair", "other", "lone")))
    out: list = [AddrSetup(SCRATCH, addr)]
    if mode != "lone":
        out.append(i_lr(w, draw(dest), SCRATCH, *draw(aqrl)))
        for _ in range(draw(st.integers(0, 3))):
            out += draw(REG_ONLY)
    sc_base = SCRATCH
    if mode == "other":
        # Reservation sets are implementation-defined supersets of the bytes (14.2): stay at
        # least 256 bytes away so that the SC must fail on any reasonable implementation.
        other = data_addr(draw, size, aligned_only=True)
        if abs(other - addr) < 256:
            other = DATA_BASE + (other - DATA_BASE + DATA_SIZE // 2) % DATA_SIZE
        sc_base = draw(nz_dest)
        out.append(AddrSetup(sc_base, other))
    aq, rl = draw(aqrl)
    out.append(i_sc(w, draw(dest), sc_base, draw(any_reg), aq, rl))
    return out


@st.composite
def body(draw) -> tuple:
    items: list = []
    for _ in range(draw(st.integers(1, 3))):
        items += draw(SIMPLE)
    return tuple(items)


@st.composite
def g_branch(draw) -> list:
    name = draw(st.sampled_from(tuple(BRANCH_OPS)))
    pre: list = []
    how = draw(st.sampled_from(("regs", "same", "small", "x0", "0x")))
    rs1 = draw(any_reg)
    if how == "same":
        rs2 = rs1
    elif how == "x0":
        rs2 = 0
    elif how == "0x":
        rs1, rs2 = 0, rs1
    elif how == "small":          # fresh small operands: equal / less / greater all likely
        rs1, rs2 = draw(cdest), draw(cdest)
        pre = [c_li(rs1, draw(TINY))]
        if rs2 != rs1:
            pre.append(c_li(rs2, draw(TINY)))
    else:
        rs2 = draw(any_reg)
    return [*pre, Skip("b", name, (rs1, rs2), draw(body()))]


@st.composite
def g_jump(draw) -> list:
    kind = draw(st.sampled_from(("jal", "cj", "cb", "jalr", "cjr")))
    b = draw(body())
    if kind == "jal":
        return [Skip("jal", "jal", (draw(dest),), b)]
    if kind == "cj":
        return [Skip("cj", "c.j", (), b)]
    if kind == "cb":
        rs1 = draw(creg)
        pre = [c_li(rs1, draw(TINY))] if draw(bit) else []       # often 0: both outcomes
        return [*pre, Skip("cb", draw(st.sampled_from(("c.beqz", "c.bnez"))), (rs1,), b)]
    odd = draw(st.integers(0, 1))
    if kind == "jalr":
        rs = draw(base_reg)
        return [Skip("jalr", "jalr", (draw(dest), rs), b, odd)]
    rs = draw(st.sampled_from((SCRATCH, *CDEST)))
    return [Skip("cjr", draw(st.sampled_from(("c.jr", "c.jalr"))), (rs,), b, odd)]


# Group mixes (one_of picks its branches uniformly: repeats weight them).
REG_ONLY = st.one_of(g_alu_imm(), g_alu_reg(), g_c_alu())
SIMPLE = st.one_of(g_alu_imm(), g_alu_reg(), g_alu_imm(), g_alu_reg(), g_upper(), g_muldiv(),
                   g_muldiv(), g_load(), g_store(), g_c_alu(), g_c_alu(), g_c_mem(), g_c_sp(),
                   g_amo(), g_lrsc())
ANY = st.one_of(SIMPLE, SIMPLE, SIMPLE, SIMPLE, g_branch(), g_jump())


@st.composite
def programs(draw, min_insns: int = 1, max_insns: int = 40) -> Program:
    """A program of about n instructions, n in [min_insns, max_insns] (a group that starts
    below n is kept whole, so the end may overshoot by a few)."""
    n = draw(st.integers(min_insns, max_insns))
    items: list = []
    count = 0
    while count < n:
        g = draw(ANY)
        items += g
        count += sum(i.count for i in g)
    return Program(tuple(items))
