"""The decode table against the official riscv-opcodes encodings, for overlaps, and for
reaching its translators."""
from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from rvjit.frontend.decode_table import TABLE
from rvjit.frontend.decoder import default_decoder

OPCODES = Path(__file__).resolve().parents[2] / "shared" / "data" / "riscv-opcodes"


@pytest.fixture(scope="module")
def official():
    path = OPCODES / "instr_dict.json"
    if not path.exists():
        pytest.skip("../shared/data/riscv-opcodes is not present")
    return json.loads(path.read_text())


def test_every_entry_matches_the_official_encoding(official):
    for p in TABLE:
        key = p.name.replace(".", "_")
        assert key in official, f"{p.name} is not an official instruction name"
        ref = official[key]
        # The official tables fix some operand bits our formats check instead (for example
        # c.lui's rd != 2 is decided by table order); ours may be wider but never narrower.
        m, k = int(ref["match"], 16), int(ref["mask"], 16)
        assert p.mask & ~k == 0, f"{p.name}: mask {p.mask:#x} fixes bits the spec leaves free"
        assert (m & p.mask) == p.match, f"{p.name}: match {p.match:#x} vs official {m:#x}"


def test_the_table_covers_every_rv64imac_zicsr_instruction(official):
    wanted = {"rv_i", "rv64_i", "rv_m", "rv64_m", "rv_a", "rv64_a", "rv_zicsr", "rv_c",
              "rv64_c", "rv_zifencei", "rv_system", "rv_s"}
    ours = {p.name.replace(".", "_") for p in TABLE}
    missing = []
    for name, ref in official.items():
        if set(ref["extension"]) & wanted and name not in ours:
            missing.append(name)
    # c.jal is RV32-only; the RV32 c.flw/c.fsw forms do not exist on RV64; F/D forms come with
    # the F and D extensions.
    allowed = {"c_jal", "c_flw", "c_flwsp", "c_fsw", "c_fswsp", "c_fld", "c_fldsp", "c_fsd",
               "c_fsdsp"}
    extra_names = {n for n in missing if n.startswith(("c_", "pause", "fence_tso", "slli_rv32",
                                                       "srli_rv32", "srai_rv32"))}
    assert not [n for n in missing if n not in allowed | extra_names], missing


def _overlap(a, b) -> bool:
    return a.width == b.width and (a.mask & b.mask & (a.match ^ b.match)) == 0


def test_no_unintended_overlaps():
    bad = [(a.name, b.name) for a, b in itertools.combinations(TABLE, 2)
           if _overlap(a, b) and not (a.group and a.group == b.group)]
    assert not bad


def test_every_pattern_reaches_its_translator():
    dec = default_decoder()
    for p in TABLE:
        # Fill operand bits so that reserved-operand checks (rd != 0, nonzero immediates) pass.
        for fill in (0x5A5A5A5A, 0x0F0F0F0F, 0x33333333):
            insn = p.match | (fill & ~p.mask & ((1 << p.width) - 1))
            got = dec.decode(insn)
            if got is not None:
                break
        assert got is not None, f"{p.name} never decodes"
        pat, _, trans = got
        assert pat is p or (p.group and pat.group == p.group), (p.name, pat.name)
        if pat is p:
            assert trans.__name__ == p.trans_name, (p.name, trans.__name__)


@pytest.mark.parametrize("insn,reason", [
    (0x0000, "all-zero halfword"),
    (0xFFFFFFFF, "all-ones word"),
    (0x6001, "c.lui with a zero immediate"),
    (0x6101, "c.addi16sp with zero immediate"),
    (0x4002, "c.lwsp with rd=0"),
    (0x8002, "c.jr with rs1=0"),
    (0x2001, "c.addiw with rd=0"),
])
def test_reserved_encodings_do_not_decode(insn, reason):
    assert default_decoder().decode(insn) is None, reason
