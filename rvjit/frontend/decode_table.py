"""The decode table: every encoding rvjit implements, as data.

Each entry names an instruction (as in the riscv-opcodes tables), its bit pattern (bit 31 or bit 15
first; '0'/'1' fixed, '-' operand), the format that extracts its operands (frontend/fields.py),
and the `trans_` function that translates it (the base instruction, for compressed ones: 26.x of
the unprivileged spec gives each expansion).  Spaces in patterns are for reading only.

Entries of one `group` overlap on purpose and are tried in table order (the first whose format
accepts the bits wins); tests/test_decode_table.py checks that no other entries overlap and that
every entry reaches its translator.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Pattern:
    name: str
    bits: str
    fmt: str
    trans: str = ""      # defaults to name
    group: str = ""

    @property
    def width(self) -> int:
        return len(self.bits.replace(" ", ""))

    @property
    def match(self) -> int:
        return int(self.bits.replace(" ", "").replace("-", "0"), 2)

    @property
    def mask(self) -> int:
        b = self.bits.replace(" ", "")
        return int("".join("0" if c == "-" else "1" for c in b), 2)

    @property
    def trans_name(self) -> str:
        return "trans_" + (self.trans or self.name).replace(".", "_")


P = Pattern

RV64I = (
    P("lui",    "-------------------- ----- 0110111", "u"),
    P("auipc",  "-------------------- ----- 0010111", "u"),
    P("jal",    "-------------------- ----- 1101111", "j"),
    P("jalr",   "------------ ----- 000 ----- 1100111", "i"),
    P("beq",    "------- ----- ----- 000 ----- 1100011", "b"),
    P("bne",    "------- ----- ----- 001 ----- 1100011", "b"),
    P("blt",    "------- ----- ----- 100 ----- 1100011", "b"),
    P("bge",    "------- ----- ----- 101 ----- 1100011", "b"),
    P("bltu",   "------- ----- ----- 110 ----- 1100011", "b"),
    P("bgeu",   "------- ----- ----- 111 ----- 1100011", "b"),
    P("lb",     "------------ ----- 000 ----- 0000011", "i"),
    P("lh",     "------------ ----- 001 ----- 0000011", "i"),
    P("lw",     "------------ ----- 010 ----- 0000011", "i"),
    P("ld",     "------------ ----- 011 ----- 0000011", "i"),
    P("lbu",    "------------ ----- 100 ----- 0000011", "i"),
    P("lhu",    "------------ ----- 101 ----- 0000011", "i"),
    P("lwu",    "------------ ----- 110 ----- 0000011", "i"),
    P("sb",     "------- ----- ----- 000 ----- 0100011", "s"),
    P("sh",     "------- ----- ----- 001 ----- 0100011", "s"),
    P("sw",     "------- ----- ----- 010 ----- 0100011", "s"),
    P("sd",     "------- ----- ----- 011 ----- 0100011", "s"),
    P("addi",   "------------ ----- 000 ----- 0010011", "i"),
    P("slti",   "------------ ----- 010 ----- 0010011", "i"),
    P("sltiu",  "------------ ----- 011 ----- 0010011", "i"),
    P("xori",   "------------ ----- 100 ----- 0010011", "i"),
    P("ori",    "------------ ----- 110 ----- 0010011", "i"),
    P("andi",   "------------ ----- 111 ----- 0010011", "i"),
    P("slli",   "000000 ------ ----- 001 ----- 0010011", "shift6"),
    P("srli",   "000000 ------ ----- 101 ----- 0010011", "shift6"),
    P("srai",   "010000 ------ ----- 101 ----- 0010011", "shift6"),
    P("add",    "0000000 ----- ----- 000 ----- 0110011", "r"),
    P("sub",    "0100000 ----- ----- 000 ----- 0110011", "r"),
    P("sll",    "0000000 ----- ----- 001 ----- 0110011", "r"),
    P("slt",    "0000000 ----- ----- 010 ----- 0110011", "r"),
    P("sltu",   "0000000 ----- ----- 011 ----- 0110011", "r"),
    P("xor",    "0000000 ----- ----- 100 ----- 0110011", "r"),
    P("srl",    "0000000 ----- ----- 101 ----- 0110011", "r"),
    P("sra",    "0100000 ----- ----- 101 ----- 0110011", "r"),
    P("or",     "0000000 ----- ----- 110 ----- 0110011", "r"),
    P("and",    "0000000 ----- ----- 111 ----- 0110011", "r"),
    P("addiw",  "------------ ----- 000 ----- 0011011", "i"),
    P("slliw",  "0000000 ----- ----- 001 ----- 0011011", "shift5"),
    P("srliw",  "0000000 ----- ----- 101 ----- 0011011", "shift5"),
    P("sraiw",  "0100000 ----- ----- 101 ----- 0011011", "shift5"),
    P("addw",   "0000000 ----- ----- 000 ----- 0111011", "r"),
    P("subw",   "0100000 ----- ----- 000 ----- 0111011", "r"),
    P("sllw",   "0000000 ----- ----- 001 ----- 0111011", "r"),
    P("srlw",   "0000000 ----- ----- 101 ----- 0111011", "r"),
    P("sraw",   "0100000 ----- ----- 101 ----- 0111011", "r"),
    # FENCE: fm/pred/succ/rs1/rd are all operands; every encoding executes as a fence (2.7).
    P("fence",  "---- ---- ---- ----- 000 ----- 0001111", "fence"),
    P("fence.i", "------------ ----- 001 ----- 0001111", "i"),
    P("ecall",  "000000000000 00000 000 00000 1110011", "none"),
    P("ebreak", "000000000001 00000 000 00000 1110011", "none"),
)

RV64M = (
    P("mul",    "0000001 ----- ----- 000 ----- 0110011", "r"),
    P("mulh",   "0000001 ----- ----- 001 ----- 0110011", "r"),
    P("mulhsu", "0000001 ----- ----- 010 ----- 0110011", "r"),
    P("mulhu",  "0000001 ----- ----- 011 ----- 0110011", "r"),
    P("div",    "0000001 ----- ----- 100 ----- 0110011", "r"),
    P("divu",   "0000001 ----- ----- 101 ----- 0110011", "r"),
    P("rem",    "0000001 ----- ----- 110 ----- 0110011", "r"),
    P("remu",   "0000001 ----- ----- 111 ----- 0110011", "r"),
    P("mulw",   "0000001 ----- ----- 000 ----- 0111011", "r"),
    P("divw",   "0000001 ----- ----- 100 ----- 0111011", "r"),
    P("divuw",  "0000001 ----- ----- 101 ----- 0111011", "r"),
    P("remw",   "0000001 ----- ----- 110 ----- 0111011", "r"),
    P("remuw",  "0000001 ----- ----- 111 ----- 0111011", "r"),
)


def _amo(name: str, funct5: str, width: str) -> Pattern:
    return P(name, f"{funct5} - - ----- ----- {width} ----- 0101111", "atomic")


RV64A = tuple(
    _amo(f"{op}.{w}", f5, "010" if w == "w" else "011")
    for w in ("w", "d")
    for op, f5 in (("amoadd", "00000"), ("amoswap", "00001"), ("amoxor", "00100"),
                   ("amoor", "01000"), ("amoand", "01100"), ("amomin", "10000"),
                   ("amomax", "10100"), ("amominu", "11000"), ("amomaxu", "11100"),
                   ("sc", "00011"))
) + (
    P("lr.w", "00010 - - 00000 ----- 010 ----- 0101111", "atomic"),
    P("lr.d", "00010 - - 00000 ----- 011 ----- 0101111", "atomic"),
)

ZICSR = (
    P("csrrw",  "------------ ----- 001 ----- 1110011", "csr"),
    P("csrrs",  "------------ ----- 010 ----- 1110011", "csr"),
    P("csrrc",  "------------ ----- 011 ----- 1110011", "csr"),
    P("csrrwi", "------------ ----- 101 ----- 1110011", "csr"),
    P("csrrsi", "------------ ----- 110 ----- 1110011", "csr"),
    P("csrrci", "------------ ----- 111 ----- 1110011", "csr"),
)

PRIV = (
    P("mret",       "0011000 00010 00000 000 00000 1110011", "none"),
    P("sret",       "0001000 00010 00000 000 00000 1110011", "none"),
    P("wfi",        "0001000 00101 00000 000 00000 1110011", "none"),
    P("sfence.vma", "0001001 ----- ----- 000 00000 1110011", "r"),
)

# RV64C (unprivileged spec, chapter 26).  Quadrant 0.
RV64C = (
    P("c.addi4spn", "000 -------- --- 00", "c_addi4spn", trans="addi"),
    P("c.lw",       "010 --- --- -- --- 00", "c_lw", trans="lw"),
    P("c.ld",       "011 --- --- -- --- 00", "c_ld", trans="ld"),
    P("c.sw",       "110 --- --- -- --- 00", "c_sw", trans="sw"),
    P("c.sd",       "111 --- --- -- --- 00", "c_sd", trans="sd"),
    # Quadrant 1.
    P("c.addi",     "000 - ----- ----- 01", "c_addi", trans="addi"),
    P("c.addiw",    "001 - ----- ----- 01", "c_addiw", trans="addiw"),
    P("c.li",       "010 - ----- ----- 01", "c_li", trans="addi"),
    P("c.addi16sp", "011 - 00010 ----- 01", "c_addi16sp", trans="addi", group="c_lui"),
    P("c.lui",      "011 - ----- ----- 01", "c_lui", trans="lui", group="c_lui"),
    P("c.srli",     "100 - 00 --- ----- 01", "c_shift_rp", trans="srli"),
    P("c.srai",     "100 - 01 --- ----- 01", "c_shift_rp", trans="srai"),
    P("c.andi",     "100 - 10 --- ----- 01", "c_andi", trans="andi"),
    P("c.sub",      "100 0 11 --- 00 --- 01", "c_alu_rp", trans="sub"),
    P("c.xor",      "100 0 11 --- 01 --- 01", "c_alu_rp", trans="xor"),
    P("c.or",       "100 0 11 --- 10 --- 01", "c_alu_rp", trans="or"),
    P("c.and",      "100 0 11 --- 11 --- 01", "c_alu_rp", trans="and"),
    P("c.subw",     "100 1 11 --- 00 --- 01", "c_alu_rp", trans="subw"),
    P("c.addw",     "100 1 11 --- 01 --- 01", "c_alu_rp", trans="addw"),
    P("c.j",        "101 ----------- 01", "c_j", trans="jal"),
    P("c.beqz",     "110 --- --- ----- 01", "c_branch", trans="beq"),
    P("c.bnez",     "111 --- --- ----- 01", "c_branch", trans="bne"),
    # Quadrant 2.
    P("c.slli",     "000 - ----- ----- 10", "c_slli", trans="slli"),
    P("c.lwsp",     "010 - ----- ----- 10", "c_lwsp", trans="lw"),
    P("c.ldsp",     "011 - ----- ----- 10", "c_ldsp", trans="ld"),
    P("c.ebreak",   "100 1 00000 00000 10", "none", trans="ebreak", group="c_cr"),
    P("c.jr",       "100 0 ----- 00000 10", "c_jr", trans="jalr", group="c_cr"),
    P("c.jalr",     "100 1 ----- 00000 10", "c_jalr", trans="jalr", group="c_cr"),
    P("c.mv",       "100 0 ----- ----- 10", "c_mv", trans="add", group="c_cr"),
    P("c.add",      "100 1 ----- ----- 10", "c_add", trans="add", group="c_cr"),
    P("c.swsp",     "110 ------ ----- 10", "c_swsp", trans="sw"),
    P("c.sdsp",     "111 ------ ----- 10", "c_sdsp", trans="sd"),
)


# RV64F and RV64D (unprivileged spec, chapters 20 and 21).  funct7's low two bits are the format
# (00 S, 01 D); rm sits in funct3 where the instruction rounds (or has an rm field anyway).
def _fp(fmt: str, s: str) -> tuple[Pattern, ...]:
    """The instructions F and D share, for format bits `fmt` and mnemonic suffix `s`."""
    d = fmt
    return (
        P(f"fmadd.{s}",  f"----- {d} ----- ----- --- ----- 1000011", "r4"),
        P(f"fmsub.{s}",  f"----- {d} ----- ----- --- ----- 1000111", "r4"),
        P(f"fnmsub.{s}", f"----- {d} ----- ----- --- ----- 1001011", "r4"),
        P(f"fnmadd.{s}", f"----- {d} ----- ----- --- ----- 1001111", "r4"),
        P(f"fadd.{s}",   f"00000{d} ----- ----- --- ----- 1010011", "r_rm"),
        P(f"fsub.{s}",   f"00001{d} ----- ----- --- ----- 1010011", "r_rm"),
        P(f"fmul.{s}",   f"00010{d} ----- ----- --- ----- 1010011", "r_rm"),
        P(f"fdiv.{s}",   f"00011{d} ----- ----- --- ----- 1010011", "r_rm"),
        P(f"fsqrt.{s}",  f"01011{d} 00000 ----- --- ----- 1010011", "r_rm"),
        P(f"fsgnj.{s}",  f"00100{d} ----- ----- 000 ----- 1010011", "r"),
        P(f"fsgnjn.{s}", f"00100{d} ----- ----- 001 ----- 1010011", "r"),
        P(f"fsgnjx.{s}", f"00100{d} ----- ----- 010 ----- 1010011", "r"),
        P(f"fmin.{s}",   f"00101{d} ----- ----- 000 ----- 1010011", "r"),
        P(f"fmax.{s}",   f"00101{d} ----- ----- 001 ----- 1010011", "r"),
        P(f"fle.{s}",    f"10100{d} ----- ----- 000 ----- 1010011", "r"),
        P(f"flt.{s}",    f"10100{d} ----- ----- 001 ----- 1010011", "r"),
        P(f"feq.{s}",    f"10100{d} ----- ----- 010 ----- 1010011", "r"),
        P(f"fclass.{s}", f"11100{d} 00000 ----- 001 ----- 1010011", "r"),
        P(f"fcvt.w.{s}",  f"11000{d} 00000 ----- --- ----- 1010011", "r_rm"),
        P(f"fcvt.wu.{s}", f"11000{d} 00001 ----- --- ----- 1010011", "r_rm"),
        P(f"fcvt.l.{s}",  f"11000{d} 00010 ----- --- ----- 1010011", "r_rm"),
        P(f"fcvt.lu.{s}", f"11000{d} 00011 ----- --- ----- 1010011", "r_rm"),
        P(f"fcvt.{s}.w",  f"11010{d} 00000 ----- --- ----- 1010011", "r_rm"),
        P(f"fcvt.{s}.wu", f"11010{d} 00001 ----- --- ----- 1010011", "r_rm"),
        P(f"fcvt.{s}.l",  f"11010{d} 00010 ----- --- ----- 1010011", "r_rm"),
        P(f"fcvt.{s}.lu", f"11010{d} 00011 ----- --- ----- 1010011", "r_rm"),
    )


RV64F = (
    *_fp("00", "s"),
    P("flw",     "------------ ----- 010 ----- 0000111", "i"),
    P("fsw",     "------- ----- ----- 010 ----- 0100111", "s"),
    P("fmv.x.w", "1110000 00000 ----- 000 ----- 1010011", "r"),
    P("fmv.w.x", "1111000 00000 ----- 000 ----- 1010011", "r"),
)

RV64D = (
    *_fp("01", "d"),
    P("fld",      "------------ ----- 011 ----- 0000111", "i"),
    P("fsd",      "------- ----- ----- 011 ----- 0100111", "s"),
    P("fcvt.s.d", "0100000 00001 ----- --- ----- 1010011", "r_rm"),
    P("fcvt.d.s", "0100001 00000 ----- --- ----- 1010011", "r_rm"),
    P("fmv.x.d",  "1110001 00000 ----- 000 ----- 1010011", "r"),
    P("fmv.d.x",  "1111001 00000 ----- 000 ----- 1010011", "r"),
)

# The compressed double loads and stores (26.3) expand to FLD/FSD; their operand layout is that
# of C.LD/C.SD/C.SDSP (C.FLDSP may name f0, which C.LDSP reserves for x0).
RV64C_FP = (
    P("c.fld",   "001 --- --- -- --- 00", "c_ld", trans="fld"),
    P("c.fsd",   "101 --- --- -- --- 00", "c_sd", trans="fsd"),
    P("c.fldsp", "001 - ----- ----- 10", "c_fldsp", trans="fld"),
    P("c.fsdsp", "101 ------ ----- 10", "c_sdsp", trans="fsd"),
)

# Hypervisor extension (hypervisor spec "Hypervisor Instructions"): SYSTEM, funct3 PRIVM (100)
# for the virtual-machine loads and stores, 000 for the fences.
RVH = (
    P("hlv.b",       "0110000 00000 ----- 100 ----- 1110011", "r"),
    P("hlv.bu",      "0110000 00001 ----- 100 ----- 1110011", "r"),
    P("hlv.h",       "0110010 00000 ----- 100 ----- 1110011", "r"),
    P("hlv.hu",      "0110010 00001 ----- 100 ----- 1110011", "r"),
    P("hlvx.hu",     "0110010 00011 ----- 100 ----- 1110011", "r"),
    P("hlv.w",       "0110100 00000 ----- 100 ----- 1110011", "r"),
    P("hlv.wu",      "0110100 00001 ----- 100 ----- 1110011", "r"),
    P("hlvx.wu",     "0110100 00011 ----- 100 ----- 1110011", "r"),
    P("hlv.d",       "0110110 00000 ----- 100 ----- 1110011", "r"),
    P("hsv.b",       "0110001 ----- ----- 100 00000 1110011", "r"),
    P("hsv.h",       "0110011 ----- ----- 100 00000 1110011", "r"),
    P("hsv.w",       "0110101 ----- ----- 100 00000 1110011", "r"),
    P("hsv.d",       "0110111 ----- ----- 100 00000 1110011", "r"),
    P("hfence.vvma", "0010001 ----- ----- 000 00000 1110011", "r"),
    P("hfence.gvma", "0110001 ----- ----- 000 00000 1110011", "r"),
)

TABLE: tuple[Pattern, ...] = (RV64I + RV64M + RV64A + ZICSR + PRIV + RV64C + RV64F + RV64D
                              + RV64C_FP + RVH)
