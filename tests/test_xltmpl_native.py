"""native/xltmpl.c: a block's IROp[] assembled in C from per-instruction templates, laid out
as interp_encode._finish lays out a block (header, body, guard, slot area) and walked as
translate.run_translators walks a page.  Templates here are made by hand with struct."""
from __future__ import annotations

import struct

import pytest

from rvjit.ir.ops import Op
from rvjit.native.build import load

ffi, lib = load()

XL_OK, XL_NEED_WORD, XL_NEED_TMPL, XL_PYTHON = range(4)
LIT, TEMP, CONST, LABEL = range(4)
PC, ICOUNT, WORD, RD, RS1, RS2, RS3, IMM = range(8)
EXIT = int(Op.EXIT) << 6
HEADER, GUARD = 0xFFFF, 0xFFFE
M64 = (1 << 64) - 1
FIELDS = ("opc", "d", "a", "b", "c", "r", "icount", "aux", "k")
BASE = 0x8020_0000


def field(kind: int = LIT, c0: int = 0, **coefs: int) -> bytes:
    """A FIELD; a coefficient c stands for sign(c) * 2 ** (|c| - 1)."""
    coef = [0] * 8
    for name, v in coefs.items():
        coef[("pc", "icount", "word", "rd", "rs1", "rs2", "rs3", "imm").index(name)] = v
    return struct.pack("<B8b7xQ", kind, *coef, c0 & M64)


def rec(**fields: bytes) -> bytes:
    return b"".join(fields.get(n, field()) for n in FIELDS)


def blob(recs: list[bytes], consts: list[bytes] = (), ntemps: int = 0, nops: int | None = None,
         ends: int = 0, chain_ok: int = 1, exits: tuple[int, ...] = ()) -> bytes:
    head = struct.pack("<HHHHBBBB", len(recs), ntemps, len(consts),
                       len(recs) if nops is None else nops, ends, chain_ok, len(exits), 0)
    return head + b"".join(recs) + b"".join(consts) + struct.pack(f"<{len(exits)}H", *exits)


# An ADDI-like template: r = rd, a = rs1 (AX form), b = the constant imm; k = pc.
ADDI = blob([rec(opc=field(c0=0x0105), a=field(rs1=1), b=field(CONST, 0), r=field(rd=1),
                 icount=field(icount=1), k=field(pc=1))],
            consts=[field(imm=1)])
# A branch-like template: compare (jump to its second EXIT), fall-through EXIT, taken EXIT.
BRANCH = blob([rec(opc=field(c0=0x0208), a=field(rs1=1), b=field(rs2=1), k=field(LABEL, 2)),
               rec(opc=field(c0=EXIT), a=field(CONST, 1), icount=field(icount=1, c0=1)),
               rec(opc=field(c0=EXIT), a=field(CONST, 0), icount=field(icount=1, c0=1))],
              consts=[field(pc=1, imm=1), field(pc=1, c0=4)], nops=4, ends=1, chain_ok=1,
              exits=(0, 1))
# Two temporaries: d = t0 (a = 4*rs1 + 3), d = t1 (a = t0), and a LABEL to its own first record.
TEMPS = blob([rec(opc=field(c0=0x0300), d=field(TEMP, 0), a=field(rs1=3, c0=3)),   # 4 * rs1 + 3
              rec(opc=field(c0=0x0301), d=field(TEMP, 1), a=field(TEMP, 0), r=field(rd=1),
                  k=field(LABEL, 0))],
             ntemps=2, chain_ok=0)
# An instruction with a side exit to pc + 0x1000 that does not end the block.
SIDE = blob([rec(opc=field(c0=EXIT), a=field(CONST, 0))], consts=[field(pc=1, c0=0x1000)],
            exits=(0,))

W_ADDI1, W_ADDI2 = 0x0051_0093, 0xFFF1_8193      # addi x1,x2,5; addi x3,x3,-1
W_BR = 0x0020_8863                                 # beq x1,x2,+16
W_BRBACK = 0xFE20_8CE3                             # beq x1,x2,-8
W_TEMPS = 0x0000_4501                              # a 16-bit parcel
W_SIDE = 0x0000_0001                               # c.nop (16-bit)
C_ADDI, C_BR, C_TEMPS, C_SIDE = 11, 12, 13, 14
FLAGS = 0x13


@pytest.fixture
def table():
    t = lib.rt_xl_new()
    assert t != ffi.NULL
    for word, cls, rd, rs1, rs2, imm in (
            (W_ADDI1, C_ADDI, 1, 2, 0, 5), (W_ADDI2, C_ADDI, 3, 3, 0, -1),
            (W_BR, C_BR, 0, 1, 2, 16), (W_BRBACK, C_BR, 0, 1, 2, -8),
            (W_TEMPS, C_TEMPS, 10, 7, 0, 0), (W_SIDE, C_SIDE, 0, 0, 0, 0)):
        assert lib.rt_xl_set_word(t, word, cls, rd, rs1, rs2, 0, imm) == 0
    for cls, b in ((C_ADDI, ADDI), (C_BR, BRANCH), (C_TEMPS, TEMPS), (C_SIDE, SIDE)):
        assert lib.rt_xl_set_tmpl(t, cls, FLAGS, b, len(b)) == 0
    yield t
    lib.rt_xl_free(t)


def page_with(off: int, words: list[int]) -> bytearray:
    page = bytearray(4096)
    for w in words:
        n = 4 if w & 3 == 3 else 2
        page[off:off + n] = w.to_bytes(n, "little")
        off += n
    return page


def assemble(t, page: bytes, pc: int, flags: int = FLAGS, max_insns: int = 128,
             cap: int = 1024):
    buf = ffi.new("IROp[]", cap)
    out = ffi.new("XlOut *")
    st = lib.rt_xl_block(t, bytes(page), pc, flags, max_insns, buf, cap, out)
    assert st == out.status
    if st != XL_OK:
        return out, None, None
    raw = bytes(ffi.buffer(buf, out.nrecords * 32))
    recs = [struct.unpack_from("<QHHHHHHHHQ", raw, 32 * i) for i in range(out.nrecords)]
    nrec = recs[0][9]
    slots = struct.unpack_from(f"<{(out.nrecords - nrec) * 4}Q", raw, 32 * nrec)
    return out, recs[:nrec], slots


def r9(opc=0, d=0, a=0, b=0, c=0, r=0, icount=0, aux=0, k=0) -> tuple:
    return (0, opc, d, a, b, c, r, icount, aux, k)


def test_straight_line_block_ends_at_max_insns(table):
    page = page_with(0x100, [W_ADDI1, W_ADDI2, W_ADDI1])
    out, recs, slots = assemble(table, page, BASE + 0x100, max_insns=2)
    assert out.status == XL_OK
    assert recs == [r9(HEADER, k=5),
                    r9(0x0105, a=2, b=0, r=1, icount=0, k=BASE + 0x100),
                    r9(0x0105, a=3, b=1, r=3, icount=1, k=BASE + 0x104),
                    r9(EXIT, a=2, icount=2),
                    r9(GUARD)]
    # No temporaries: the constants start at slot 0, the loop EXIT's last; padded to a record.
    assert slots == (5, M64, BASE + 0x108, 0)
    assert (out.nrecords, out.nops, out.ntemps, out.ninsns, out.code_len, out.chain_ok) == \
        (6, 3, 0, 2, 8, 1)
    assert list(out.succ[0:out.nsucc]) == [BASE + 0x108]


def test_branch_ends_block_with_label_and_both_successors(table):
    page = page_with(0x200, [W_ADDI1, W_BR, W_ADDI1])
    out, recs, slots = assemble(table, page, BASE + 0x200)
    assert recs == [r9(HEADER, k=6),
                    r9(0x0105, a=2, b=0, r=1, icount=0, k=BASE + 0x200),
                    r9(0x0208, a=1, b=2, k=4),           # LABEL 2 of the 2nd insn: 1 + 1 + 2
                    r9(EXIT, a=2, icount=2),             # pc + 4
                    r9(EXIT, a=1, icount=2),             # pc + imm
                    r9(GUARD)]
    assert slots == (5, BASE + 0x204 + 16, BASE + 0x208, 0)
    assert (out.nops, out.ninsns, out.code_len) == (1 + 4, 2, 8)
    assert list(out.succ[0:out.nsucc]) == [BASE + 0x208, BASE + 0x214]


def test_successors_sorted_and_deduplicated(table):
    out, _, slots = assemble(table, page_with(0x40, [W_BRBACK]), BASE + 0x40)
    assert slots == (BASE + 0x38, BASE + 0x44, 0, 0)
    assert list(out.succ[0:out.nsucc]) == [BASE + 0x38, BASE + 0x44]
    lib.rt_xl_set_word(table, W_BR, C_BR, 0, 1, 2, 0, 4)     # taken == fall-through
    out, _, slots = assemble(table, page_with(0x40, [W_BR]), BASE + 0x40)
    assert slots == (BASE + 0x44, BASE + 0x44, 0, 0)         # constants are not merged
    assert list(out.succ[0:out.nsucc]) == [BASE + 0x44]


def test_temporaries_numbered_across_instructions_and_consts_after_them(table):
    page = page_with(0x10, [W_TEMPS, W_TEMPS, W_ADDI1])
    out, recs, slots = assemble(table, page, BASE + 0x10, max_insns=3)
    assert recs == [r9(HEADER, k=8),
                    r9(0x0300, d=0, a=31),
                    r9(0x0301, d=1, a=0, r=10, k=1),
                    r9(0x0300, d=2, a=31),
                    r9(0x0301, d=3, a=2, r=10, k=3),
                    r9(0x0105, a=2, b=4, r=1, icount=2, k=BASE + 0x14),
                    r9(EXIT, a=5, icount=3),
                    r9(GUARD)]
    assert slots == (0, 0, 0, 0, 5, BASE + 0x18, 0, 0)
    assert (out.ntemps, out.nops, out.chain_ok, out.code_len) == (4, 6, 0, 8)


def test_lit_fields_truncated_to_16_bits_k_kept_whole(table):
    pc = 0xFFFF_8000_1234_5678
    tm = blob([rec(opc=field(c0=0x0400), d=field(pc=1), a=field(imm=1), b=field(imm=-2, c0=1),
                   c=field(word=1), k=field(pc=1, imm=1))], consts=[field(pc=2)])
    assert lib.rt_xl_set_tmpl(table, 20, FLAGS, tm, len(tm)) == 0
    lib.rt_xl_set_word(table, 0x0000_0013, 20, 0, 0, 0, 0, -3)
    out, recs, slots = assemble(table, page_with(0x678, [0x13]), pc, max_insns=1)
    assert recs[1] == r9(0x0400, d=0x5678, a=0xFFFD, b=7, c=0x13, k=(pc - 3) & M64)
    assert slots[:2] == ((2 * pc) & M64, pc + 4)


def test_shifted_coefficients(table):
    """A source shifted into a field (a CSR access's instruction count << 16), or negated."""
    tm = blob([rec(opc=field(c0=0x0400), a=field(rd=-3), k=field(icount=17, c0=0x99))],
              consts=[field(icount=17, rs1=33)])
    assert lib.rt_xl_set_tmpl(table, 21, FLAGS, tm, len(tm)) == 0
    lib.rt_xl_set_word(table, 0x0000_0093, 21, 5, 7, 0, 0, 0)
    page = page_with(0x20, [0x13, 0x93])
    out, recs, slots = assemble(table, page, BASE + 0x24, max_insns=1)
    assert recs[1] == r9(0x0400, a=(-4 * 5) & 0xFFFF, k=0x99)
    assert slots[0] == 7 << 32
    lib.rt_xl_set_word(table, 0x0000_0013, 21, 1, 1, 0, 0, 0)
    out, recs, slots = assemble(table, page, BASE + 0x20, max_insns=2)
    assert recs[2] == r9(0x0400, a=(-4 * 5) & 0xFFFF, k=0x99 + (1 << 16))
    assert slots[1] == (7 << 32) + (1 << 16)
    bad = blob([rec(opc=field(c0=0x0400), a=field(rd=65))])
    assert lib.rt_xl_set_tmpl(table, 22, FLAGS, bad, len(bad)) == -1


def test_page_end_and_straddle(table):
    # A 16-bit instruction in the page's last parcel: the loop EXIT goes to the next page.
    out, recs, slots = assemble(table, page_with(4094, [W_TEMPS]), BASE + 4094)
    assert recs[3] == r9(EXIT, a=2, icount=1)
    assert slots[2] == BASE + 4096
    assert (out.code_len, out.ninsns) == (2, 1)
    # A later 32-bit instruction straddling the page end: the block stops before it.
    page = page_with(4092, [W_TEMPS])
    page[4094:4096] = (W_ADDI1 & 0xFFFF).to_bytes(2, "little")
    out, recs, slots = assemble(table, page, BASE + 4092)
    assert recs[3] == r9(EXIT, a=2, icount=1)
    assert slots[2] == BASE + 4094
    assert (out.code_len, out.ninsns, out.nops) == (2, 1, 3)
    assert list(out.succ[0:out.nsucc]) == [BASE + 4094]
    # ... and as the first instruction, Python's.
    out, _, _ = assemble(table, page, BASE + 4094)
    assert out.status == XL_PYTHON


def test_need_word_need_tmpl_python_only(table):
    out, _, _ = assemble(table, page_with(0, [W_ADDI1, 0x1234_5677]), BASE)
    assert (out.status, out.word) == (XL_NEED_WORD, 0x1234_5677)
    out, _, _ = assemble(table, page_with(0, [W_ADDI1, W_BR]), BASE, flags=FLAGS + 1)
    assert (out.status, out.word, out.wclass) == (XL_NEED_TMPL, W_ADDI1, C_ADDI)
    assert lib.rt_xl_set_tmpl(table, C_BR, FLAGS, b"", 0) == 0
    out, _, _ = assemble(table, page_with(0, [W_ADDI1, W_BR]), BASE)
    assert out.status == XL_PYTHON
    assert lib.rt_xl_set_tmpl(table, C_BR, FLAGS, BRANCH, len(BRANCH)) == 0   # replaced
    out, _, _ = assemble(table, page_with(0, [W_ADDI1, W_BR]), BASE)
    assert out.status == XL_OK


def test_sixteen_successors_at_most(table):
    out, _, _ = assemble(table, page_with(0, [W_SIDE] * 20), BASE, max_insns=15)
    assert out.status == XL_OK and out.nsucc == 16
    assert list(out.succ[0:16]) == [BASE + 30] + [BASE + 2 * i + 0x1000 for i in range(15)]
    out, _, _ = assemble(table, page_with(0, [W_SIDE] * 20), BASE, max_insns=16)
    assert out.status == XL_PYTHON


def test_capacity_and_slot_limits(table):
    page = page_with(0, [W_ADDI1, W_ADDI2])
    assert assemble(table, page, BASE, max_insns=2, cap=5)[0].status == XL_PYTHON
    assert assemble(table, page, BASE, max_insns=2, cap=6)[0].status == XL_OK
    big = blob([rec(opc=field(c0=0x0500))], ntemps=65535)
    assert lib.rt_xl_set_tmpl(table, 21, FLAGS, big, len(big)) == 0
    lib.rt_xl_set_word(table, 0x0000_0017, 21, 0, 0, 0, 0, 0)
    assert assemble(table, page_with(0, [0x17]), BASE, max_insns=1, cap=9000)[0].status \
        == XL_PYTHON                                      # 65535 temps + the EXIT's constant


@pytest.mark.parametrize("bad", [
    ADDI[:-1],                                                    # short
    ADDI + b"\0",                                                 # long
    blob([rec(opc=field(4))]),                                    # kind 4
    blob([rec(d=field(TEMP, 1))], ntemps=1),                      # temp out of range
    blob([rec(b=field(CONST, 1))], consts=[field()]),             # const out of range
    blob([rec(k=field(LABEL, 1))]),                               # label out of range
    blob([rec()], consts=[field()], exits=(1,)),                  # exit index out of range
    blob([rec()], consts=[field(TEMP, 0)], ntemps=1),             # a constant must be LIT
    b"\0" * 11,                                                   # no header
])
def test_bad_blobs_refused(table, bad):
    assert lib.rt_xl_set_tmpl(table, 30, FLAGS, bad, len(bad)) == -1
    lib.rt_xl_set_word(table, 0x0000_001B, 30, 0, 0, 0, 0, 0)
    out, _, _ = assemble(table, page_with(0, [0x1B]), BASE)
    assert (out.status, out.wclass) == (XL_NEED_TMPL, 30)


def test_tables_grow(table):
    for w in range(0x1_0003, 0x1_0003 + 4 * 20000, 4):
        assert lib.rt_xl_set_word(table, w, C_ADDI, 5, 6, 0, 0, w) == 0
    for f in range(3000):
        assert lib.rt_xl_set_tmpl(table, C_ADDI, 0x1000 + f, ADDI, len(ADDI)) == 0
    out, recs, slots = assemble(table, page_with(0, [0x1_0003 + 4 * 777]), BASE, 0x1000 + 2999,
                                max_insns=1)
    assert recs[1] == r9(0x0105, a=6, b=0, r=5, k=BASE)
    assert slots[0] == 0x1_0003 + 4 * 777
