"""The on-disk code cache: a second run of the same program loads its regions instead of
compiling them, and behaves the same."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROG = ROOT / "build" / "guest" / "muldiv.elf"


def _run(tmp_path: Path, cache: Path, n: int,
         extra: dict | None = None) -> tuple[subprocess.CompletedProcess, dict]:
    stats = tmp_path / f"stats{n}.json"
    env = dict(os.environ, PYTHONPATH=str(ROOT), RVJIT_HOT="1", RVJIT_STATS=str(stats),
               RVJIT_CACHE_DIR=str(cache), **(extra or {}))
    p = subprocess.run([sys.executable, "-m", "rvjit", "-machine", "virt", "-bios", "none",
                        "-nographic", "-kernel", str(PROG)], capture_output=True, text=True,
                       env=env, timeout=120)
    return p, json.loads(stats.read_text())


def _entry(directory: Path, name: str, obj: bytes) -> Path:
    """A code cache entry holding `obj` (as CodeCache.put writes it)."""
    from rvjit.backend.code_cache import CodeCache
    cache = CodeCache(directory)
    cache.put(name, obj)
    return cache.path(name)


def test_second_run_loads_compiled_code_from_disk(tmp_path):
    if not PROG.exists():
        pytest.skip("guest programs not built (make guest)")
    cache = tmp_path / "cache"
    p1, s1 = _run(tmp_path, cache, 1)
    p2, s2 = _run(tmp_path, cache, 2)
    assert p1.returncode == p2.returncode == 0
    assert p1.stdout == p2.stdout
    assert s1["code_cache_hits"] == 0 and s1["regions_compiled"] > 0
    # (the second run may need fewer regions: the translation cache gives it each entry's
    # region at the entry's first execution, so fewer blocks are entered one by one)
    assert s2["code_cache_hits"] == s2["regions_compiled"] > 0
    assert s2["compile_batches"] == 0
    assert s1["guest_insns"] == s2["guest_insns"]


def test_a_large_run_packs_its_regions_for_the_next(tmp_path):
    """A run that used at least RVJIT_PACK_MIN regions links them into one pack; the next run
    loads them from it (one object) instead of from one file each, and behaves the same."""
    import shutil
    if not PROG.exists():
        pytest.skip("guest programs not built (make guest)")
    if shutil.which("ld") is None:
        pytest.skip("no ld: rvjit makes no code packs")
    cache = tmp_path / "cache"
    env = {"RVJIT_PACK_MIN": "1"}
    p1, s1 = _run(tmp_path, cache, 1, env)
    from rvjit.backend.code_pack import INDEX_SUFFIX, CodePack
    packs = list((cache / "code").glob(f"*/packs/*{INDEX_SUFFIX}"))
    assert len(packs) == 1
    pack = CodePack(packs[0].parent.parent, packs[0].name[:-len(INDEX_SUFFIX)])
    assert len(pack.keys()) == s1["regions_compiled"] > 0
    p2, s2 = _run(tmp_path, cache, 2, env)
    assert p1.stdout == p2.stdout and p2.returncode == 0
    assert s2["code_pack_hits"] == s2["regions_compiled"] > 0
    assert s2["code_cache_hits"] == 0 and s2["compile_batches"] == 0
    assert s1["guest_insns"] == s2["guest_insns"]


def test_rewriting_a_pack_keeps_what_it_held(tmp_path):
    import shutil

    import llvmlite.binding as llvm
    if shutil.which("ld") is None:
        pytest.skip("no ld: rvjit makes no code packs")

    from rvjit.backend.code_pack import CodePack
    llvm.initialize_native_target()
    llvm.initialize_native_asmprinter()
    tm = llvm.Target.from_default_triple().create_target_machine(reloc="pic")

    def obj(name: str, v: int) -> Path:
        return _entry(tmp_path, name, tm.emit_object(llvm.parse_assembly(
            f"define i64 @{name}() {{ ret i64 {v} }}")))
    pack = CodePack(tmp_path, "salt")
    assert pack.rewrite([obj("r_a", 1)], ["ka"])
    assert CodePack(tmp_path, "salt").keys() == {"ka"}
    assert pack.rewrite([obj("r_b", 2)], ["kb"])
    fresh = CodePack(tmp_path, "salt")
    data = fresh.read()
    assert fresh.keys() == {"ka", "kb"}
    engine = llvm.create_mcjit_compiler(llvm.parse_assembly(""),
                                        llvm.Target.from_default_triple()
                                        .create_target_machine(jit=True))
    engine.add_object_file(llvm.ObjectFileRef.from_data(data))
    engine.finalize_object()
    import ctypes
    for name, v in (("r_a", 1), ("r_b", 2)):
        addr = engine.get_function_address(name)
        assert addr and ctypes.CFUNCTYPE(ctypes.c_int64)(addr)() == v


def test_a_pack_grows_with_regions_it_did_not_hold(tmp_path):
    """A run that loads some regions from the pack's own files (before loading the pack) and
    compiles new ones relinks the pack with only the new ones (a region twice would be a
    duplicate symbol for ld)."""
    import shutil

    import llvmlite.binding as llvm

    from rvjit.backend.code_pack import CodePack
    if shutil.which("ld") is None:
        pytest.skip("no ld: rvjit makes no code packs")
    llvm.initialize_native_target()
    llvm.initialize_native_asmprinter()
    tm = llvm.Target.from_default_triple().create_target_machine(reloc="pic")

    def obj(name: str) -> Path:
        return _entry(tmp_path, name, tm.emit_object(llvm.parse_assembly(
            f"define i64 @{name}() {{ ret i64 1 }}")))
    pack = CodePack(tmp_path, "salt")
    a, b = obj("r_a"), obj("r_b")
    assert pack.rewrite([a], ["ka"])
    assert pack.rewrite([a, b], ["ka", "kb"])
    assert CodePack(tmp_path, "salt").keys() == {"ka", "kb"}
    assert not pack.rewrite([a, b], ["ka", "kb"])      # nothing new: the pack stays


def test_optimised_code_an_earlier_run_cached_is_taken_without_new_entries(tmp_path,
                                                                          monkeypatch):
    """Tier-up: a first-tier region entered TIER_UP_ENTRIES times is compiled again by the
    optimising tier, whose object is cached; a later Codegen that loads the first-tier region
    takes the optimised code at its next scan although the region has not been entered."""
    from rvjit.backend import jit
    from rvjit.backend.region_source import ir_from_bytes
    from rvjit.native.build import load

    monkeypatch.setenv("RVJIT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(jit, "SCAN_SECONDS", 0.0)
    ffi, lib = load()
    pc, flags = 0x8000_0100, 3
    # addi a0, a0, 1; addi a0, a0, 2; bne a0, a1, -8
    block = ir_from_bytes(pc, flags, bytes.fromhex("13051500" "13052500" "e31cb5fe"))

    def run(tier_up_entries: int) -> tuple[jit.Codegen, list[int]]:
        monkeypatch.setenv("RVJIT_TIER_UP", str(tier_up_entries))
        cg = jit.Codegen(ffi, lib, workers=1)
        addrs: list[int] = []
        assert cg.request([block], addrs.append)
        deadline = time.monotonic() + 60
        while (len(addrs) < 2 or (cg.tier2_compiled == 0 and tier_up_entries == 0)) and \
                time.monotonic() < deadline:
            cg.poll()
            time.sleep(0.01)
        cg.close()
        return cg, addrs

    # First run: every region tiers up at once (0 entries needed); both tiers compile.
    cg1, addrs1 = run(0)
    assert cg1.tier2_compiled == 1 and len(addrs1) == 2
    # Second run: tier-up would need 10^9 entries, which never come; the cached optimised
    # object is loaded anyway, compiling nothing.
    cg2, addrs2 = run(10**9)
    assert len(addrs2) == 2 and cg2.compiled == 0 and cg2.tiered_up == 1
    assert any(name.startswith("o_") for name in cg2.loaded)
