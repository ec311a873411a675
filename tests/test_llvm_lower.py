"""The two shapes of a region's LLVM code (llvm_lower.py): both are valid IR, the first tier's
leaves no instruction to SelectionDAG outside the entry block, and guest programs that use
loads, stores, traps, helpers and paging pass with every block compiled in either shape."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import llvmlite.binding as llvm
import pytest

from rvjit.backend.compile_worker import compile_regions
from rvjit.backend.llvm_lower import lower_region, module_prelude
from rvjit.cachedir import cache_base
from rvjit.frontend.translate import BlockIR
from rvjit.ir.builder import IRBuilder
from rvjit.ir.ops import Op

ROOT = Path(__file__).resolve().parents[1]
PC = 0x8000_0000


def _region() -> list[BlockIR]:
    """Two blocks: a load, a store, a trapping helper call and a loop edge between them."""
    b = IRBuilder()
    a = b.getx(5)
    v = b.ld(a, 8, True, PC, 0)
    b.st(b.binop(Op.ADD, a, 8), v, 4, PC + 4, 1)
    t = b.call("fence_i", pc=PC + 8, icount=2)
    b.setx(6, t)
    b.exit(PC + 12, 3)
    first = BlockIR(PC, 3 << 3, b.insns, b.ntemps, 3, 12, b"\0" * 12, ())
    c = IRBuilder()
    x = c.getx(6)
    c.setx(7, x)
    c.exit(PC, 1)
    return [first, BlockIR(PC + 12, 3 << 3, c.insns, c.ntemps, 1, 4, b"\0" * 4, ())]


@pytest.mark.parametrize("local", [False, True])
def test_both_shapes_are_valid_ir(local):
    llvm.initialize_native_target()
    mod = llvm.parse_assembly(module_prelude() + lower_region("f", _region(), local))
    mod.verify()
    assert mod.get_function("f") is not None


@pytest.mark.parametrize("local", [False, True])
def test_every_op_lowers_to_valid_ir(local):
    """Unnamed values are numbered in text order whatever the op (LLVM rejects them out of
    order), and the module declares exactly the functions the region calls."""
    sys.path.insert(0, str(ROOT / "tests"))
    from test_ir_tiers import _every_op_block
    blk = _every_op_block(3 << 3)
    text = lower_region("f", [blk] + _region(), local)
    mod = llvm.parse_assembly(module_prelude() + text)
    mod.verify()
    called = {h for i in blk.insns if i.op is Op.CALL for h in ["helper_" + i.helper]}
    declared = {f.name for f in mod.functions if f.is_declaration}
    assert called <= declared
    assert declared <= called | {"rt_load_slow", "rt_store_slow", "helper_fence_i"}


def test_overwritten_register_is_stored_once():
    """Two writes of a register with nothing between them that can observe it: one store."""
    b = IRBuilder()
    a = b.getx(5)
    b.setx(6, b.binop(Op.ADD, a, 1))
    b.setx(6, b.binop(Op.ADD, a, 2))
    b.exit(PC + 8, 2)
    text = lower_region("f", [BlockIR(PC, 3 << 3, b.insns, b.ntemps, 2, 8, b"\0" * 8, ())])
    # The first tier addresses x6 afresh for each access, and x6 is only stored here.
    assert text.count("getelementptr i64, ptr %cpu, i64 6\n") == 1, text


def test_state_addressed_where_llvm_lays_it_out():
    """Generated code addresses CPUState's fields up to the TLB, and a TLB entry's fields, in
    i64 words from the state pointer: their word offsets are LLVM's byte offsets / 8."""
    from rvjit.backend import llvm_lower
    from rvjit.cpu.state import FIELD_INDEX, llvm_type_decls
    llvm.initialize_native_target()
    tm = llvm.Target.from_default_triple().create_target_machine()
    mod = llvm.parse_assembly(llvm_type_decls() + "@g = external global %CPUState\n"
                              "@e = external global %TLBEntry\n")
    td = tm.target_data
    cpu = mod.get_global_variable("g").global_value_type
    ent = mod.get_global_variable("e").global_value_type
    assert set(llvm_lower._SLOT) >= {"x", "f", "pc", "instret", "budget", "exc_taken",
                                     "mem_base", "tlb"}
    for name, k in llvm_lower._SLOT.items():
        assert td.get_element_offset(cpu, FIELD_INDEX[name]) == 8 * k, name
    assert td.get_abi_size(ent) == 8 * llvm_lower._TLB_ENTRY == 8 << llvm_lower._TLB_ENTRY_SHIFT
    for name, k in llvm_lower._TLB_FIELD.items():
        assert td.get_element_offset(ent, k) == 8 * k, name


@pytest.mark.parametrize("tier", ["none:0", "O2:2"])
def test_compile_regions_makes_objects(tier):
    (obj,) = compile_regions([("r_test", _region())], tier)
    assert obj[:4] == b"\x7fELF"


def test_first_tier_uses_fast_isel_outside_the_entry_block():
    """fast-isel cannot take a global's address in the large code model: such uses are kept
    to the top of the entry block, so SelectionDAG never selects a whole slow path."""
    code = (
        "import llvmlite.binding as llvm, sys\n"
        "sys.path.insert(0, 'tests')\n"
        "from test_llvm_lower import _region\n"
        "from rvjit.backend.compile_worker import compile_regions\n"
        "llvm.set_option('', '-pass-remarks-missed=sdagisel')\n"
        "compile_regions([('r_test', _region())], 'none:0')\n")
    p = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                       env=dict(os.environ, PYTHONPATH=str(ROOT)), timeout=60)
    assert p.returncode == 0, p.stderr
    missed = [ln for ln in p.stderr.splitlines() if "FastISel missed" in ln]
    assert missed, "expected the entry block's global references to be reported"
    for ln in missed:
        assert "bitcast ptr @" in ln or "@r_test_n" in ln, ln


PROGRAMS = ["loadstore", "vm_faults", "amo_faults", "priv_traps", "fp_arith_d", "vm_sv39"]


@pytest.mark.parametrize("tier", ["none:0", "O2:2"])
def test_guest_programs_pass_in_either_shape(tmp_path, tier):
    progs = [ROOT / "build" / "guest" / f"{n}.elf" for n in PROGRAMS]
    if not all(p.exists() for p in progs):
        pytest.skip("guest programs not built (make guest)")
    cache = tmp_path / "cache"
    native = cache_base() / "native"
    if native.is_dir():
        shutil.copytree(native, cache / "native")
    env = dict(os.environ, PYTHONPATH=str(ROOT), RVJIT_HOT="1", RVJIT_LLVM_TIER=tier,
               RVJIT_CACHE_DIR=str(cache))
    for prog in progs:
        p = subprocess.run([sys.executable, "-m", "rvjit", "-machine", "virt", "-bios", "none",
                            "-nographic", "-kernel", str(prog)], capture_output=True, text=True,
                           env=env, timeout=300)
        assert p.returncode == 0 and "PASS" in p.stdout, (prog.name, p.stdout, p.stderr)
