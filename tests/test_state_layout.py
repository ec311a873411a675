"""The C view (cffi) and the LLVM view of CPUState come from one definition: their offsets and
sizes must agree."""
from __future__ import annotations

import llvmlite.binding as llvm
import pytest

from rvjit.cpu.state import FIELDS, STRUCTS, llvm_type_decls
from rvjit.native.build import load


@pytest.fixture(scope="module")
def layout():
    llvm.initialize_native_target()
    llvm.initialize_native_asmprinter()
    tm = llvm.Target.from_default_triple().create_target_machine()
    mod = llvm.parse_assembly(llvm_type_decls() + "@g = external global %CPUState\n"
                              "@e = external global %TLBEntry\n")
    mod.triple = tm.triple
    return mod, tm.target_data


def test_cpu_state_offsets_agree(layout):
    mod, td = layout
    ffi, _ = load()
    ty = mod.get_global_variable("g").global_value_type
    assert td.get_abi_size(ty) == ffi.sizeof("CPUState")
    for i, f in enumerate(FIELDS):
        assert td.get_element_offset(ty, i) == ffi.offsetof("CPUState", f.name), f.name


def test_tlb_entry_layout_agrees(layout):
    mod, td = layout
    ffi, _ = load()
    ty = mod.get_global_variable("e").global_value_type
    assert td.get_abi_size(ty) == ffi.sizeof("TLBEntry")
    for i, f in enumerate(STRUCTS["TLBEntry"]):
        assert td.get_element_offset(ty, i) == ffi.offsetof("TLBEntry", f.name), f.name
