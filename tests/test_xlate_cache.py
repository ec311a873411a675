"""The on-disk translation cache (rvjit/exec/xlate_cache.py): a second run of a program reuses
its translations instead of translating again and behaves the same; a cached translation is used
only for the same guest bytes; RVJIT_DISK_CACHE=0 turns the caches off."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rvjit.exec.xlate_cache import CachedBlock, TranslationCache, shard_of

ROOT = Path(__file__).resolve().parents[1]
GUEST = ROOT / "build" / "guest"


def _run(tmp_path: Path, prog: str, cache: Path, tag: str, **env) -> tuple[str, int, dict]:
    path = GUEST / prog
    if not path.exists():
        pytest.skip("guest programs not built (make guest)")
    stats = tmp_path / f"stats-{tag}.json"
    e = dict(os.environ, PYTHONPATH=str(ROOT), RVJIT_STATS=str(stats),
             RVJIT_CACHE_DIR=str(cache), **env)
    p = subprocess.run([sys.executable, "-m", "rvjit", "-machine", "virt", "-bios", "none",
                        "-nographic", "-kernel", str(path)], capture_output=True, text=True,
                       env=e, timeout=300)
    return p.stdout, p.returncode, json.loads(stats.read_text())


@pytest.mark.parametrize("hot", ["0", "1", "50"])
def test_second_run_reuses_translations(tmp_path, hot):
    cache = tmp_path / "cache"
    out1, rc1, s1 = _run(tmp_path, "priv_traps.elf", cache, "1", RVJIT_HOT=hot)
    out2, rc2, s2 = _run(tmp_path, "priv_traps.elf", cache, "2", RVJIT_HOT=hot)
    assert rc1 == rc2 == 0
    assert out1 == out2
    assert s1["guest_insns"] == s2["guest_insns"]
    assert s1["blocks_translated"] > 20 and s1["xlate_cache_hits"] == 0
    # Every block of the first run comes from the cache (none is translated again unless its
    # region misses the code cache, which a second run with the same code does not).
    assert s2["blocks_translated"] == 0
    if hot == "0":
        assert s2["xlate_cache_hits"] == s1["blocks_translated"]
    else:   # (blocks inside regions that now run from the start are not looked up)
        assert 0 < s2["xlate_cache_hits"] <= s1["blocks_translated"]
    if hot == "1":
        # Every region comes from the code cache (there may be fewer than in the first run:
        # entries found with their region run natively from the start, so blocks that were
        # entered one by one the first time now run inside regions).
        assert s2["code_cache_hits"] == s2["regions_compiled"] > 0
        assert s2["compile_batches"] == 0


def test_other_code_at_the_same_addresses_is_translated_afresh(tmp_path):
    """All guest programs are linked at the same address: running one after another with one
    cache must run the second program's code, not the first's translations."""
    cache = tmp_path / "cache"
    _run(tmp_path, "alu.elf", cache, "a")
    out_ref, rc_ref, _ = _run(tmp_path, "muldiv.elf", tmp_path / "empty", "ref")
    out, rc, s = _run(tmp_path, "muldiv.elf", cache, "b")
    assert (out, rc) == (out_ref, rc_ref)
    assert rc == 0
    assert s["blocks_translated"] > 0


def test_disk_cache_off_writes_and_reads_nothing(tmp_path):
    cache = tmp_path / "cache"
    _run(tmp_path, "hello.elf", cache, "1", RVJIT_DISK_CACHE="0", RVJIT_HOT="1")
    out, rc, s = _run(tmp_path, "hello.elf", cache, "2", RVJIT_DISK_CACHE="0", RVJIT_HOT="1")
    assert rc == 0 and "ello" in out
    assert s["xlate_cache_hits"] == 0 and s["code_cache_hits"] == 0
    assert not (cache / "xlate").exists() and not (cache / "code").exists()


def _block(code: bytes) -> CachedBlock:
    return CachedBlock(code, b"\0" * 48, 1, 0, 1, (), True)


def test_shards_merge_with_what_another_process_wrote(tmp_path):
    a, b = TranslationCache(tmp_path), TranslationCache(tmp_path)
    a.put(0x1000, 3, _block(b"\x13\x00\x00\x00"))
    b.put(0x1000, 3, _block(b"\x6f\x00\x00\x00"))
    b.put(0x1004, 3, _block(b"\x73\x00\x10\x00"))
    a.save()
    b.save()
    c = TranslationCache(tmp_path)
    assert {x.code for x in c.candidates(0x1000, 3)} == {b"\x13\x00\x00\x00",
                                                          b"\x6f\x00\x00\x00"}
    assert [x.code for x in c.candidates(0x1004, 3)] == [b"\x73\x00\x10\x00"]
    assert c.candidates(0x1000, 1) == ()


def test_an_unreadable_shard_is_a_miss(tmp_path):
    c = TranslationCache(tmp_path)
    (tmp_path / f"{shard_of(0x2000):02x}.bin").write_bytes(b"RVXLATE1 not an index")
    assert c.candidates(0x2000, 3) == ()
    c.put(0x2000, 3, _block(b"\x13\x00\x00\x00"))
    c.save()
    assert len(TranslationCache(tmp_path).candidates(0x2000, 3)) == 1


def test_cached_blocks_are_compiled_from_their_stored_bytes(tmp_path):
    """Translations cached by an interpreter-only run, then compiled by LLVM in the next run:
    the IR is made again from the stored bytes (no guest memory read) and runs the same."""
    cache = tmp_path / "cache"
    out1, rc1, s1 = _run(tmp_path, "vm_sv39.elf", cache, "1", RVJIT_HOT="0")
    out2, rc2, s2 = _run(tmp_path, "vm_sv39.elf", cache, "2", RVJIT_HOT="1")
    assert rc1 == rc2 == 0 and out1 == out2
    assert s1["regions_compiled"] == 0
    # (blocks translated in run 2 are successors compiled ahead into regions, never run before)
    assert s2["xlate_cache_hits"] == s1["blocks_translated"] > 20
    assert s2["blocks_compiled"] > s2["blocks_translated"] + 20
    assert s2["code_cache_hits"] == 0
    assert s1["guest_insns"] == s2["guest_insns"]


def test_regions_run_from_their_entrys_first_execution_in_later_runs(tmp_path):
    """A block that became a region's entry in one run has its region (checked against the
    members' bytes) from its first execution in the next: no hot-block exits, fewer blocks
    interpreted, the same behaviour."""
    cache = tmp_path / "cache"
    env = {"RVJIT_HOT": "50", "RVJIT_COMPILE_WORKERS": "0"}
    out1, rc1, s1 = _run(tmp_path, "cprog.elf", cache, "1", **env)
    out2, rc2, s2 = _run(tmp_path, "cprog.elf", cache, "2", **env)
    assert rc1 == rc2 == 0 and out1 == out2
    assert s1["guest_insns"] == s2["guest_insns"]
    assert s1["region_hints"] == 0 and s1["regions_compiled"] > 0
    assert 0 < s2["region_hints"] <= s1["regions_compiled"]
    assert s2["exits_by_reason"].get("EXIT_HOT", 0) < s1["exits_by_reason"]["EXIT_HOT"]
    assert s2["interp_blocks"] < s1["interp_blocks"]


# -- a page's cached blocks installed at once (engine PageBatch, native rt_tb_install_page) ----

def _machine(cache: Path):
    from test_fencei_pages import machine
    m = machine(0)
    m.engine.xcache = TranslationCache(cache)
    return m


def _fn(second: int) -> bytes:
    """A function of two blocks in FN's page: a0 = 1; (jump over a word) a0 += second."""
    from test_fencei_pages import RET, addi, jal, words
    return words(addi(10, 0, 1), jal(0, 8), 0, addi(10, 10, second), RET)


def _two_calls() -> bytes:
    """main_loop calling FN, then FN + 0x100 (result at RESULT + 4)."""
    from test_fencei_pages import main_loop, sw
    return main_loop((0x100280E7, sw(10, 6, 4)))       # jalr ra, 0x100(t0); sw a0, 4(t1)


def _result2(m) -> int:
    from test_fencei_pages import RESULT
    return int.from_bytes(m.memory.read_bytes(RESULT + 4, 4), "little")


def _first_run(tmp_path: Path, main: bytes) -> dict:
    from test_fencei_pages import FN, result, run_more, start
    cache = tmp_path / "xlate"
    m = _machine(cache)
    start(m, main, _fn(2))
    m.memory.write_bytes(FN + 0x100, _fn(4))
    run_more(m, 3000)
    assert result(m) == 3
    m.engine.save_made()
    m.engine.xcache.save()
    return {"translated": m.engine.stats.blocks_translated, "cache": cache}


def test_a_pages_cached_blocks_are_installed_at_once(tmp_path):
    from test_fencei_pages import FN, main_loop, result, run_more, start
    first = _first_run(tmp_path, main_loop())
    m = _machine(first["cache"])
    start(m, main_loop(), _fn(2))
    run_more(m, 3000)
    assert result(m) == 3
    s = m.engine.stats
    assert s.blocks_translated == 0
    assert s.xlate_cache_hits == first["translated"] > 4
    # One miss per page (the main loop's, the function's), not one per block.
    assert s.exits["EXIT_NO_TB"] == 2
    flags = m.harts[0].cpu.tb_flags
    for pc in (FN, FN + 12):
        assert m.lib.rt_tb_find(m.rt, pc, pc, flags) != m.ffi.NULL
    # After a full flush the pages are installed again from the cache.
    m.engine.flush_all()
    assert m.lib.rt_tb_find(m.rt, FN, FN, flags) == m.ffi.NULL
    m.memory.write_bytes(FN, _fn(3))
    run_more(m, 3000)
    assert result(m) == 4
    assert s.blocks_translated == 1 and s.xlate_cache_hits == 2 * first["translated"] - 1


def test_a_cached_block_whose_bytes_changed_is_not_installed(tmp_path):
    from test_fencei_pages import main_loop, result, run_more, start
    first = _first_run(tmp_path, main_loop())
    m = _machine(first["cache"])
    start(m, main_loop(), _fn(5))       # the second block's bytes differ
    run_more(m, 3000)
    assert result(m) == 6
    s = m.engine.stats
    assert s.blocks_translated == 1
    assert s.xlate_cache_hits == first["translated"] - 1


def test_fence_i_drops_blocks_installed_with_their_page_even_if_never_run(tmp_path):
    """The second run installs the function at FN + 0x100 with its page without running it;
    the host then changes it and makes the guest call it: the FENCE.I in the loop drops the
    page's blocks, and the guest runs the new code."""
    from test_fencei_pages import FN, main_loop, result, run_more, start
    first = _first_run(tmp_path, _two_calls())
    assert first["translated"] > 6
    m = _machine(first["cache"])
    start(m, main_loop(), _fn(2))
    m.memory.write_bytes(FN + 0x100, _fn(4))
    run_more(m, 3000)
    assert result(m) == 3 and _result2(m) == 0
    flags = m.harts[0].cpu.tb_flags
    assert m.lib.rt_tb_find(m.rt, FN + 0x10C, FN + 0x10C, flags) != m.ffi.NULL
    m.memory.write_bytes(FN + 0x100, _fn(8))
    m.memory.write_bytes(0x8000_0000, _two_calls())
    run_more(m, 3000)
    assert result(m) == 3 and _result2(m) == 9
    assert m.engine.stats.flushes >= 1
    # The function's page was installed again: its unchanged blocks from the cache.
    assert m.engine.stats.blocks_translated >= 1
