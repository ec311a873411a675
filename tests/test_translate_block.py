"""translate_block's fetch rules (page at a time, straddling instructions, faults) and the IR
value classes' behaviour (equality, hashing, pickling)."""
from __future__ import annotations

import pickle

import pytest

from rvjit.cpu.causes import Exc
from rvjit.cpu.state import PAGE_SIZE
from rvjit.frontend.translate import BlockIR, FetchFault, translate_block
from rvjit.ir.builder import IRBuilder
from rvjit.ir.ops import Insn, Op, Tmp

BASE = 0x8000_0000
ADDI_X1 = (0x00108093).to_bytes(4, "little")     # addi x1, x1, 1
C_ADDI_X1 = (0x0085).to_bytes(2, "little")       # c.addi x1, 1
EBREAK = (0x00100073).to_bytes(4, "little")


class Pages:
    """Guest pages by virtual address; a missing page faults.  Records every fetch."""

    def __init__(self, code: dict[int, bytes]) -> None:
        self.pages: dict[int, bytearray] = {}
        self.fetches: list[int] = []
        for addr, data in code.items():
            for k, byte in enumerate(data):
                a = addr + k
                self.pages.setdefault(a & ~(PAGE_SIZE - 1), bytearray(PAGE_SIZE))[
                    a & (PAGE_SIZE - 1)] = byte

    def __call__(self, vaddr: int) -> bytes:
        self.fetches.append(vaddr)
        page = self.pages.get(vaddr & ~(PAGE_SIZE - 1))
        if page is None:
            raise FetchFault(Exc.INSN_PAGE_FAULT, vaddr)
        return bytes(page)


def exits(ir: BlockIR) -> list[tuple]:
    return [(i.args[0], i.icount) for i in ir.insns if i.op is Op.EXIT]


def test_block_runs_to_the_page_end_without_fetching_the_next_page():
    start = BASE + PAGE_SIZE - 6
    fetch = Pages({start: ADDI_X1 + C_ADDI_X1})
    ir = translate_block(fetch, start, 3)
    assert (ir.ninsns, ir.size, ir.guest_bytes) == (2, 6, ADDI_X1 + C_ADDI_X1)
    assert exits(ir) == [(BASE + PAGE_SIZE, 2)]
    assert ir.successors == (BASE + PAGE_SIZE,)
    assert fetch.fetches == [start]


def test_first_instruction_straddling_a_page_continues_in_the_next_page():
    start = BASE + PAGE_SIZE - 2
    fetch = Pages({start: ADDI_X1 + C_ADDI_X1 + EBREAK})
    ir = translate_block(fetch, start, 3)
    assert fetch.fetches == [start, BASE + PAGE_SIZE]
    assert (ir.ninsns, ir.size, ir.guest_bytes) == (3, 10, ADDI_X1 + C_ADDI_X1 + EBREAK)
    setx = [i for i in ir.insns if i.op is Op.SETX]
    assert [i.reg for i in setx] == [1, 1]
    assert [i.pc for i in ir.insns if i.op is Op.CALL] == [start + 6]     # ebreak


def test_straddling_first_instruction_faults_on_its_second_half():
    start = BASE + PAGE_SIZE - 2
    fetch = Pages({start: ADDI_X1[:2]})
    with pytest.raises(FetchFault) as e:
        translate_block(fetch, start, 3)
    assert e.value.vaddr == BASE + PAGE_SIZE


def test_first_instruction_fault_is_raised():
    with pytest.raises(FetchFault) as e:
        translate_block(Pages({}), BASE, 3)
    assert e.value.vaddr == BASE


def test_later_straddling_instruction_ends_the_block_before_it():
    start = BASE + PAGE_SIZE - 4
    fetch = Pages({start: C_ADDI_X1 + ADDI_X1})      # the addi straddles; its page is missing
    ir = translate_block(fetch, start, 3)
    assert (ir.ninsns, ir.size, ir.guest_bytes) == (1, 2, C_ADDI_X1)
    assert exits(ir) == [(start + 2, 1)]
    assert fetch.fetches == [start]


def test_max_insns_and_illegal_instruction():
    fetch = Pages({BASE: ADDI_X1 * 3 + b"\0\0"})
    ir = translate_block(fetch, BASE, 3, max_insns=2)
    assert (ir.ninsns, exits(ir)) == (2, [(BASE + 8, 2)])
    ir = translate_block(fetch, BASE + 12, 3)          # the all-zero parcel is illegal
    call = [i for i in ir.insns if i.op is Op.CALL]
    assert [(i.helper, i.args) for i in call] == [("raise", (int(Exc.ILLEGAL_INSN), 0))]
    assert (ir.ninsns, exits(ir)) == (1, [(BASE + 12, 0)])


def test_ir_values_compare_hash_and_pickle_like_values():
    assert Tmp(3) == Tmp(3) and Tmp(3) != Tmp(4) and hash(Tmp(3)) == hash(Tmp(3))
    assert Tmp(3) != 3 and not isinstance(Tmp(3), int)
    b = IRBuilder()
    t = b.binop(Op.ADD, b.getx(5), 7)
    b.setx(6, t)
    b.exit(0x1000, 1)
    ir = BlockIR(BASE, 3, b.insns, b.ntemps, 1, 4, ADDI_X1, (0x1000,))
    back = pickle.loads(pickle.dumps(ir, protocol=5))
    assert ir == BlockIR(*ir.__getstate__())       # by value (Insns by identity, as before)
    assert back != ir and back.__getstate__()[3:] == ir.__getstate__()[3:]
    assert (back.pc, back.flags, len(back.insns)) == (ir.pc, ir.flags, len(ir.insns))
    for i, j in zip(ir.insns, back.insns, strict=True):
        assert all(getattr(i, f) == getattr(j, f) for f in Insn.__slots__)
    assert b.exits == [0x1000]
