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
