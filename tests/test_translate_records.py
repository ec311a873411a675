"""Blocks translated straight to interpreter records (interp_encode.translate_records, the
engine's path for a new block) are what encoding the block's IR gives: the same record bytes,
op and temporary counts, guest bytes and successors, for every block of the guest programs
under several TB flag sets, and for the page-edge cases of translate_block."""
from __future__ import annotations

from pathlib import Path

import pytest

from rvjit.backend.interp_encode import encode, translate_records
from rvjit.backend.llvm_lower import chainable
from rvjit.cpu.causes import Exc
from rvjit.cpu.state import PAGE_SIZE, TBFLAG_FS_SHIFT, TBFLAG_MMU_SHIFT, TBFLAG_VIRT
from rvjit.frontend.translate import BlockIR, FetchFault, translate_block
from rvjit.native.build import load

ROOT = Path(__file__).resolve().parents[1]
GUEST = ROOT / "build" / "guest"
FS_DIRTY = 3 << TBFLAG_FS_SHIFT
FLAG_SETS = (3 | (3 << TBFLAG_MMU_SHIFT) | FS_DIRTY,          # M-mode, FP on
             1 | (1 << TBFLAG_MMU_SHIFT),                       # S-mode, FP off
             1 | TBFLAG_VIRT | (2 << TBFLAG_MMU_SHIFT) | FS_DIRTY,  # VS-mode
             0)                                                 # U-mode


class Image:
    """Code at `base`, fetched a page at a time; outside it fetches fault."""

    def __init__(self, base: int, data: bytes) -> None:
        self.base = base
        self.data = data + bytes(-len(data) % PAGE_SIZE)

    def __call__(self, vaddr: int) -> bytes:
        off = (vaddr & ~(PAGE_SIZE - 1)) - self.base
        if not 0 <= off < len(self.data):
            raise FetchFault(Exc.INSN_ACCESS_FAULT, vaddr)
        return self.data[off:off + PAGE_SIZE]


def same(ffi, fetch, pc: int, flags: int) -> int:
    """Assert both paths agree on the block at pc; its size."""
    try:
        ir = translate_block(fetch, pc, flags)
    except FetchFault as f:
        with pytest.raises(FetchFault) as e:
            translate_records(ffi, fetch, pc, flags)
        assert (e.value.cause, e.value.vaddr) == (f.cause, f.vaddr)
        return 0
    rec = translate_records(ffi, fetch, pc, flags)
    data = bytes(ffi.buffer(encode(ffi, ir.insns, ir.ntemps)))
    assert rec.data == data == bytes(ffi.buffer(rec.ops)), hex(pc)
    assert (rec.nops, rec.ntemps, rec.ninsns, rec.code, rec.successors) == \
        (len(ir.insns), ir.ntemps, ir.ninsns, ir.guest_bytes, ir.successors), hex(pc)
    assert rec.helpers == [i.helper for i in ir.insns if i.op.name == "CALL"]
    # what the engine decides chainability from
    assert chainable(BlockIR(pc, flags, rec.calls(), 0, 0, 0, b"", ())) == chainable(ir)
    return ir.size


def guest_images() -> list[Image]:
    elftools = pytest.importorskip("elftools.elf.elffile")
    paths = sorted(GUEST.glob("*.elf"))
    if not paths:
        pytest.skip("guest programs not built (make guest)")
    out = []
    for path in paths:
        with open(path, "rb") as f:
            for seg in elftools.ELFFile(f).iter_segments():
                if seg["p_type"] == "PT_LOAD" and seg["p_flags"] & 1 and seg["p_filesz"]:
                    out.append(Image(seg["p_paddr"], seg.data()))
    return out


def test_records_match_the_encoded_ir_of_every_guest_program_block():
    ffi = load()[0]
    blocks = 0
    for img in guest_images():
        for flags in FLAG_SETS:
            pc, end = img.base, img.base + len(img.data)
            while pc < end:
                pc += same(ffi, img, pc, flags) or 2
                blocks += 1
    assert blocks > 1000


@pytest.mark.parametrize("where", [PAGE_SIZE - 6, PAGE_SIZE - 4, PAGE_SIZE - 2, 0])
def test_records_match_at_page_edges(where):
    ffi = load()[0]
    addi = (0x00108093).to_bytes(4, "little")       # addi x1, x1, 1
    c_addi = (0x0085).to_bytes(2, "little")         # c.addi x1, 1
    base = 0x8000_0000
    code = bytearray(2 * PAGE_SIZE)
    seq = (addi + c_addi) * 2 + addi
    code[where:where + len(seq)] = seq
    img = Image(base, bytes(code))
    for off in range(where, where + len(seq), 2):
        same(ffi, img, base + off, FLAG_SETS[0])
    same(ffi, img, base + 2 * PAGE_SIZE - 2, FLAG_SETS[0])   # its second half faults
