"""Blocks assembled natively from per-instruction templates (backend/interp_templates.py,
native/xltmpl.c) are the Python translator's blocks: the same records up to the numbering of
constant slots, the same op and temporary counts, guest bytes, successors and chainability;
for every block of the guest programs under several TB flag sets, and for random instruction
words of every decode-table entry.  Classes whose records are not a template's shape are left
to the Python translator."""
from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rvjit.backend.interp_encode import translate_records
from rvjit.backend.interp_templates import (
    K_CONST,
    K_LIT,
    K_TEMP,
    SRC_IMM,
    SRC_PC,
    SRC_RD,
    SRC_RS1,
    TemplateTranslator,
    derive,
    same_records,
)
from rvjit.cpu.state import PAGE_SIZE
from rvjit.exec.engine import check_assembled
from rvjit.frontend.decode_table import TABLE
from rvjit.frontend.fields import Args
from rvjit.frontend.translate import FetchFault
from rvjit.ir.ops import ADD, AND
from rvjit.native.build import load
from tests.test_translate_records import FLAG_SETS, GUEST, Image

ffi, lib = load()


def fresh() -> TemplateTranslator:
    return TemplateTranslator(ffi, lib)


def assemble_and_compare(xl: TemplateTranslator, fetch, pc: int, flags: int) -> tuple[int, bool]:
    """(the block's size, whether it was assembled natively); asserts it matches Python's."""
    try:
        py = translate_records(ffi, fetch, pc, flags)
    except FetchFault:
        return 0, False
    r = xl.records(fetch(pc), pc, flags)
    if r is None:
        return len(py.code), False
    check_assembled(r, py)
    assert r.data == bytes(ffi.buffer(r.ops))
    return len(r.code), True


def guest_images() -> list[Image]:
    from elftools.elf.elffile import ELFFile
    out = []
    for path in sorted(GUEST.glob("*.elf")):
        with open(path, "rb") as f:
            elf = ELFFile(f)
            for seg in elf.iter_segments():
                if seg["p_type"] == "PT_LOAD" and seg["p_flags"] & 1 and seg["p_filesz"]:
                    out.append(Image(seg["p_paddr"], seg.data()))
    return out


@pytest.mark.skipif(not GUEST.exists(), reason="make guest builds the guest programs")
def test_guest_program_blocks_match_the_translator():
    xl = fresh()
    total = native = 0
    for img in guest_images():
        for flags in FLAG_SETS:
            pc = img.base
            end = img.base + len(img.data)
            while pc < end:
                size, made = assemble_and_compare(xl, img, pc, flags)
                total += 1
                native += made
                pc += size or 2
    # (the sweep starts a block at every parcel, data included: many do not decode)
    assert native > 20000, (native, total)
    assert xl.derived > 100


def _word(pattern, rng: random.Random) -> int:
    free = ~pattern.mask & ((1 << pattern.width) - 1)
    return pattern.match | (rng.getrandbits(pattern.width) & free)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from(FLAG_SETS))
def test_random_words_of_every_entry_match_the_translator(seed, flags):
    rng = random.Random(seed)
    xl = fresh()
    page = bytearray()
    while len(page) < PAGE_SIZE - 4:
        p = rng.choice(TABLE)
        page += _word(p, rng).to_bytes(p.width // 8, "little")
    page = bytes(page + bytes(PAGE_SIZE - len(page)))
    base = 0x8000_0000
    img = Image(base, page)
    pc = base
    while pc < base + PAGE_SIZE - 4:
        size, _ = assemble_and_compare(xl, img, pc, flags)
        pc += size or 2


def test_a_word_that_does_not_decode_goes_to_python():
    xl = fresh()
    page = bytes(PAGE_SIZE)         # 0x0000 is a reserved compressed encoding
    assert xl.records(page, 0x1000, FLAG_SETS[1]) is None
    assert xl.python_words == 1


def test_page_end_and_straddle():
    xl = fresh()
    nop = (0x13).to_bytes(4, "little")          # addi x0, x0, 0
    # ... nops, c.nop at 4092, and the low half of a 32-bit addi at 4094
    page = nop * (PAGE_SIZE // 4 - 1) + b"\x01\x00" + b"\x13\x05"
    assert len(page) == PAGE_SIZE
    img = Image(0x4000, page + bytes(PAGE_SIZE))
    # a block running into the page's end stops before the straddling instruction
    r = xl.records(img(0x4000 + PAGE_SIZE - 16), 0x4000 + PAGE_SIZE - 16, FLAG_SETS[1])
    py = translate_records(ffi, img, 0x4000 + PAGE_SIZE - 16, FLAG_SETS[1])
    check_assembled(r, py)
    # a block whose first instruction straddles the page is the Python translator's
    pc = 0x4000 + PAGE_SIZE - 2
    assert xl.records(img(pc), pc, FLAG_SETS[1]) is None


def test_derive_finds_kinds_and_sources():
    from rvjit.frontend.trans.rvi import trans_addi
    t = derive(trans_addi, Args(rd=5, rs1=6, imm=-7), 0xFF930293, 4, FLAG_SETS[1])
    assert t is not None
    kinds = [f[0] for f in t.fields]
    assert K_CONST in kinds and K_LIT in kinds
    # the register fields follow rs1 and rd; the constant is the immediate
    coefs = [f[1] for f in t.fields]
    assert any(c[SRC_RS1] == 1 for c in coefs) and any(c[SRC_RD] == 1 for c in coefs)
    assert [c[1][SRC_IMM] for c in t.consts] == [1]


def test_derive_refuses_what_is_not_a_template():
    def trans_branchy(ctx, a):          # its records' structure depends on the immediate
        b = ctx.b
        v = b.getx(a.rs1)
        if a.imm & 4:
            v = b.binop(ADD, v, 1)
        b.setx(a.rd, v)
        return True

    def trans_masked(ctx, a):           # a constant that is not linear in the immediate
        b = ctx.b
        b.setx(a.rd, b.binop(AND, b.getx(a.rs1), (a.imm * a.imm) & 0xFF))
        return True

    def trans_linear(ctx, a):
        b = ctx.b
        b.setx(a.rd, b.binop(ADD, b.getx(a.rs1), ctx.pc + a.imm))
        return True

    a = Args(rd=5, rs1=6, imm=21)
    assert derive(trans_branchy, a, 0, 4, 1) is None
    assert derive(trans_masked, a, 0, 4, 1) is None
    t = derive(trans_linear, a, 0, 4, 1)
    assert t is not None
    (c,) = t.consts
    assert c[1][SRC_PC] == 1 and c[1][SRC_IMM] == 1
    assert K_TEMP in [f[0] for f in t.fields] or K_LIT in [f[0] for f in t.fields]


def test_same_records_tells_a_changed_field():
    xl = fresh()
    code = bytes.fromhex("93020500" "13830200" "b3836200" "6f000000") + bytes(PAGE_SIZE - 16)
    img = Image(0x1000, code)
    r = xl.records(img(0x1000), 0x1000, FLAG_SETS[1])
    py = translate_records(ffi, img, 0x1000, FLAG_SETS[1])
    assert r is not None and same_records(r.data, py.data, py.ntemps)
    bad = bytearray(r.data)
    bad[32 + 8 + 10] ^= 1           # the first body record's register field
    assert not same_records(bytes(bad), py.data, py.ntemps)


def test_run_loop_makes_blocks_and_fence_i_drops_them(tmp_path):
    """In a page the cache knows nothing of, blocks are made natively (the run loop makes
    those whose words the templates know without leaving it);
    when the guest's code there changes, FENCE.I drops them (their memory too) and the new
    code runs; the dropped blocks are kept in the translation cache, so the page is not
    made natively again (its cached blocks may name regions)."""
    from test_fencei_pages import FN, addi, main_loop, result, run_more, start
    from test_xlate_cache import _fn, _machine
    m = _machine(tmp_path / "xlate")
    start(m, main_loop(), _fn(2))
    run_more(m, 3000)
    assert result(m) == 3
    s = m.engine.stats
    made = s.made()
    assert made >= 4 and s.translated_here == 0      # every block was made natively
    assert FN in {k[1] for k in m.engine.made_pages}
    here = s.translated_here
    m.memory.write_bytes(FN + 12, addi(10, 10, 5).to_bytes(4, "little"))
    run_more(m, 3000)
    assert result(m) == 6
    assert s.flushes >= 1 and s.made() == made and s.translated_here > here
    assert FN not in {k[1] for k in m.engine.made_pages}
    # what the dropped page's blocks were is in the translation cache
    codes = {bytes(b.code) for b in m.engine.xcache.candidates(FN + 12, m.harts[0].cpu.tb_flags)}
    assert bytes.fromhex("13052500") + bytes.fromhex("67800000") in codes


def test_a_template_is_reused_under_other_flags_only_if_it_fits():
    from rvjit.backend.interp_templates import refits
    from rvjit.frontend.trans.rvd import trans_fadd_d
    from rvjit.frontend.trans.rvi import trans_addi
    m_fp_on, s_fp_off = FLAG_SETS[0], FLAG_SETS[1]
    a = Args(rd=5, rs1=6, imm=-7)
    t = derive(trans_addi, a, 0xFF930293, 4, m_fp_on)
    assert refits(t, trans_addi, a, 0xFF930293, 4, s_fp_off, 0xFFFFF000)
    f = Args(rd=1, rs1=2, rs2=3, rm=7)
    word = 0x023100D3 | (7 << 12)
    t = derive(trans_fadd_d, f, word, 4, m_fp_on)
    assert t is not None
    assert not refits(t, trans_fadd_d, f, word, 4, s_fp_off, 0x01FFFF80)  # FP off: illegal
    assert refits(t, trans_fadd_d, f, word, 4, m_fp_on, 0x01FFFF80)
