"""One cache directory, shared: by concurrent rvjit processes (each keeps working and none finds
damage), and across rvjit versions and host CPUs (never using what another one cached).  The
directories rvjit makes are the user's own."""
from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import rvjit
from rvjit.exec import xlate_cache
from rvjit.exec.xlate_cache import CachedBlock, TranslationCache

ROOT = Path(__file__).resolve().parents[1]
GUEST = ROOT / "build" / "guest"
# One program three times: the processes write the same entries at once (other programs at
# the same addresses would make other regions in a later run: see test_xlate_cache.py).
PROGRAMS = ("muldiv.elf",) * 3


def _start(cache: Path, prog: str, stats: Path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT), RVJIT_STATS=str(stats),
               RVJIT_CACHE_DIR=str(cache), RVJIT_HOT="1", RVJIT_PACK_MIN="1")
    return subprocess.Popen([sys.executable, "-m", "rvjit", "-machine", "virt", "-bios", "none",
                             "-nographic", "-kernel", str(GUEST / prog)], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _round(cache: Path, tag: str) -> list[tuple[str, int, str, dict]]:
    """Each program run at once, all on `cache`: (stdout, exit code, stderr, stats) each."""
    procs = [(_start(cache, prog, cache.parent / f"{tag}-{i}.json"), i)
             for i, prog in enumerate(PROGRAMS)]
    out = []
    for p, i in procs:
        stdout, stderr = p.communicate(timeout=300)
        out.append((stdout, p.returncode, stderr,
                    json.loads((cache.parent / f"{tag}-{i}.json").read_text())))
    return out


def test_three_processes_at_once_on_one_cache(tmp_path):
    if not all((GUEST / p).exists() for p in PROGRAMS):
        pytest.skip("guest programs not built (make guest)")
    cache = tmp_path / "cache"
    cold = _round(cache, "cold")        # all build the runtime, translate, compile, pack
    warm = _round(cache, "warm")        # all read what the others wrote
    for (out1, rc1, err1, s1), (out2, rc2, err2, s2) in zip(cold, warm, strict=True):
        assert rc1 == rc2 == 0 and out1 == out2
        assert "Traceback" not in err1 + err2 and "warning" not in err1 + err2
        assert s1["guest_insns"] == s2["guest_insns"]
        assert s1["cache_entries_damaged"] == s2["cache_entries_damaged"] == 0
        # The warm run found every translation and region, whichever process wrote them.
        assert s2["blocks_translated"] == 0 and s2["compile_batches"] == 0
        assert s2["xlate_cache_hits"] > 0


def test_the_cache_directories_are_the_users_own(tmp_path, monkeypatch):
    from rvjit.backend.code_cache import CodeCache, default_dir
    monkeypatch.setenv("RVJIT_CACHE_DIR", str(tmp_path / "base" / "rvjit"))
    CodeCache(default_dir() / "salt").put("ab" * 32, b"object")
    c = TranslationCache(xlate_cache.default_dir())
    c.put(0x1000, 3, CachedBlock(b"\x13\0\0\0", b"\0" * 32, 1, 0, 1, (), True))
    c.save()
    base = tmp_path / "base" / "rvjit"
    made = [base, *(p for p in base.rglob("*") if p.is_dir())]
    assert len(made) >= 5      # the base, code/, code/salt/, code/salt/ab/, xlate/, xlate/<hash>/
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o700 for p in made), made


def test_translations_of_another_version_are_never_used(tmp_path, monkeypatch):
    monkeypatch.setenv("RVJIT_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(xlate_cache, "_hashes", {})
    mine = TranslationCache(xlate_cache.default_dir())
    mine.put(0x1000, 3, CachedBlock(b"\x13\0\0\0", b"\0" * 32, 1, 0, 1, (), True))
    mine.save()
    assert len(TranslationCache(xlate_cache.default_dir()).candidates(0x1000, 3)) == 1
    monkeypatch.setattr(rvjit, "__version__", "0.0.0-another")
    monkeypatch.setattr(xlate_cache, "_hashes", {})
    assert TranslationCache(xlate_cache.default_dir()).candidates(0x1000, 3) == ()


def test_code_of_another_version_or_host_cpu_is_never_used(tmp_path, monkeypatch):
    """A region compiled by one rvjit version for one host CPU is compiled again by another
    version, or for another CPU (its LLVM target, features), on the same cache."""
    from rvjit.backend import jit
    from rvjit.backend.region_source import ir_from_bytes
    from rvjit.native.build import load

    ffi, lib = load()
    monkeypatch.setenv("RVJIT_CACHE_DIR", str(tmp_path))
    # addi a0, a0, 1; addi a0, a0, 2; bne a0, a1, -8
    block = ir_from_bytes(0x8000_0100, 3, bytes.fromhex("13051500" "13052500" "e31cb5fe"))

    def compiled(**patches) -> int:
        """How many regions a run compiled (the others came from the cache)."""
        with monkeypatch.context() as m:
            for name, value in patches.items():
                m.setattr(jit, name, value)
            cg = jit.Codegen(ffi, lib, workers=0)
            addrs: list[int] = []
            assert cg.request([block], addrs.append)
            cg.close()
        assert addrs and addrs[0]
        return cg.compiled

    host = jit.host_key()
    assert compiled() == 1
    assert compiled() == 0                  # the same version and CPU: from the cache
    assert compiled(host_key=lambda: host.replace(jit.llvm.get_host_cpu_name(), "other")) == 1
    assert compiled(host_key=lambda: host + "|+another-feature") == 1
    assert compiled(__version__="0.0.0-another") == 1
    assert compiled() == 0
