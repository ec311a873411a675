"""Damaged cache entries are misses (rvjit/cache_integrity.py; the model is ccache 4, which
stores a checksum with every entry).  The tests damage each kind of entry in each way: flipped
bits, truncation, an empty file, and an intact entry of another format version.  The next run
must still give the program's result.  It reports one warning line and counts the damaged
entries in RVJIT_STATS.  The run after it must find everything rebuilt."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rvjit import cache_integrity
from rvjit.backend.code_cache import OBJECT_KIND, OBJECT_VERSION, SUFFIX
from rvjit.backend.code_pack import INDEX_KIND, INDEX_SUFFIX, INDEX_VERSION, CodePack
from rvjit.cache_integrity import HEADER, seal, unseal
from rvjit.exec.xlate_cache import MAGIC, CachedBlock, TranslationCache, shard_of
from rvjit.native import build

ROOT = Path(__file__).resolve().parents[1]
PROG = ROOT / "build" / "guest" / "muldiv.elf"
WARNING = "damaged cache entries are ignored"
# Every region is compiled, and any run that uses one links a pack.
ENV = {"RVJIT_HOT": "1", "RVJIT_PACK_MIN": "1"}


@pytest.fixture(autouse=True)
def _fresh_count(monkeypatch):
    monkeypatch.setattr(cache_integrity, "_damaged", set())


def _run(cache: Path, tag: str) -> tuple[subprocess.CompletedProcess, dict]:
    stats = cache.parent / f"stats-{tag}.json"
    env = dict(os.environ, PYTHONPATH=str(ROOT), RVJIT_STATS=str(stats),
               RVJIT_CACHE_DIR=str(cache), **ENV)
    p = subprocess.run([sys.executable, "-m", "rvjit", "-machine", "virt", "-bios", "none",
                        "-nographic", "-kernel", str(PROG)], capture_output=True, text=True,
                       env=env, timeout=300)
    assert "Traceback" not in p.stderr, p.stderr
    return p, json.loads(stats.read_text())


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess, dict]:
    """A cache filled by one run: the native runtime, translations, code objects, a pack."""
    if not PROG.exists():
        pytest.skip("guest programs not built (make guest)")
    if shutil.which("ld") is None:
        pytest.skip("no ld: rvjit makes no code packs")
    cache = tmp_path_factory.mktemp("pristine") / "cache"
    p, s = _run(cache, "pristine")
    assert p.returncode == 0 and s["regions_compiled"] > 0
    return cache, p, s


# -- the entries of each kind in a cache --------------------------------------------------------
def _native(cache: Path) -> list[Path]:
    return [p for p in (cache / "native").glob("*/_rvjit_rt_*") if p.suffix == ".so"]


def _shards(cache: Path) -> list[Path]:
    return list((cache / "xlate").glob("*/*.bin"))


def _objects(cache: Path) -> list[Path]:
    return list((cache / "code").glob(f"*/*/*{SUFFIX}"))


def _pack_indexes(cache: Path) -> list[Path]:
    return list((cache / "code").glob(f"*/packs/*{INDEX_SUFFIX}"))


def _pack_objects(cache: Path) -> list[Path]:
    return list((cache / "code").glob("*/packs/*.o"))


KINDS = {"native runtime": _native, "translation shards": _shards, "code objects": _objects,
         "pack index": _pack_indexes, "pack object": _pack_objects}


# -- ways to damage them ------------------------------------------------------------------------
def flip_bits(path: Path) -> None:
    """One bit flipped in every 4 KiB (what a failing disk did to a user's cache)."""
    data = bytearray(path.read_bytes())
    for at in range(100, len(data), 4096):
        data[at] ^= 0x10
    path.write_bytes(data)


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:path.stat().st_size // 2])


def empty(path: Path) -> None:
    path.write_bytes(b"")


def other_version(path: Path) -> None:
    """An intact entry, as another format version of rvjit would have written it."""
    data = path.read_bytes()
    if path.suffix == ".so":          # another shared object than the one built
        import _ctypes
        shutil.copyfile(_ctypes.__file__, path)
    elif path.suffix == ".bin":       # the translation shard format before this one
        path.write_bytes(b"RVXLATE3" + data[len(MAGIC):])
    elif path.suffix == ".o":         # an intact object, of another pack
        obj = next(p for p in path.parents[1].glob(f"*/*{SUFFIX}"))
        path.write_bytes(unseal(OBJECT_KIND, OBJECT_VERSION, obj.read_bytes()).tobytes())
    else:                             # a sealed entry: its format version + 1
        kind, version, _, _, _ = HEADER.unpack_from(data)
        path.write_bytes(seal(kind, version + 1, data[HEADER.size:]))


DAMAGE = {"flipped bits": flip_bits, "truncated": truncate, "empty": empty,
          "other version": other_version}


def _intact_objects(cache: Path) -> int:
    return sum(unseal(OBJECT_KIND, OBJECT_VERSION, p.read_bytes()) is not None
               for p in _objects(cache))


def _intact_on_disk(cache: Path) -> None:
    """Every entry of every kind is there and intact (checked as rvjit checks it)."""
    assert all(build._intact(p) for p in _native(cache))
    for path in _shards(cache):
        shard = TranslationCache(path.parent)._read(int(path.stem, 16))
        assert shard and all(page.intact() for page in shard.values())
    (index,) = _pack_indexes(cache)
    assert CodePack(index.parents[1], index.name[:-len(INDEX_SUFFIX)]).read() is not None
    assert cache_integrity.damaged_entries() == 0


@pytest.mark.parametrize("damage", DAMAGE)
@pytest.mark.parametrize("kind", KINDS)
def test_a_damaged_entry_is_a_miss_counted_once_and_rebuilt(pristine, tmp_path, kind, damage):
    source, p0, s0 = pristine
    cache = tmp_path / "cache"
    shutil.copytree(source, cache)
    if kind == "code objects":
        for index in _pack_indexes(cache):
            index.unlink()              # (no pack: a miss, and the objects are read one by one)
    entries = KINDS[kind](cache)
    assert entries
    for path in entries:
        DAMAGE[damage](path)

    p1, s1 = _run(cache, "damaged")
    assert p1.returncode == 0 and p1.stdout == p0.stdout
    assert s1["guest_insns"] == s0["guest_insns"]
    assert len([ln for ln in p1.stderr.splitlines() if WARNING in ln]) == 1
    if kind == "code objects":          # each one the run asked for, compiled again
        assert s1["cache_entries_damaged"] == s1["regions_compiled"] > 0
        assert s1["code_cache_hits"] == 0
    else:                               # every shard is read (the same program runs)
        assert s1["cache_entries_damaged"] == len(entries)

    p2, s2 = _run(cache, "rebuilt")
    assert p2.returncode == 0 and p2.stdout == p0.stdout
    assert s2["guest_insns"] == s0["guest_insns"]
    assert WARNING not in p2.stderr and s2["cache_entries_damaged"] == 0
    # Everything came from the cache again: no translation and no compile.
    assert s2["blocks_translated"] == 0 and s2["compile_batches"] == 0
    assert s2["xlate_cache_hits"] > 0 and s2["code_cache_hits"] + s2["code_pack_hits"] > 0
    _intact_on_disk(cache)
    if kind == "code objects":      # those the runs asked for are rebuilt (the others are
        assert _intact_objects(cache) == s1["regions_compiled"]   # found when asked for)
    else:
        assert _intact_objects(cache) == len(_objects(cache)) > 0


# -- the same, in one process -------------------------------------------------------------------
def test_a_sealed_entry_with_any_change_is_rejected():
    content = bytes(range(64))
    entry = seal(b"TEST", 3, content)
    assert unseal(b"TEST", 3, entry).tobytes() == content
    for i in range(len(entry)):
        for bit in range(8):
            damaged = bytearray(entry)
            damaged[i] ^= 1 << bit
            assert unseal(b"TEST", 3, bytes(damaged)) is None, (i, bit)
    for n in range(len(entry)):
        assert unseal(b"TEST", 3, entry[:n]) is None
    assert unseal(b"TEST", 3, entry + b"\0") is None
    assert unseal(b"TEST", 4, seal(b"TEST", 4, content)) is not None
    assert unseal(b"TEST", 3, seal(b"TEST", 4, content)) is None
    assert unseal(b"OTHR", 3, entry) is None


def test_damage_is_counted_once_per_entry_and_reported_once(capsys):
    for where in ("a", "b", "a", "c"):
        cache_integrity.note_damaged("test entry", where)
    assert cache_integrity.damaged_entries() == 3
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and WARNING in lines[0] and "test entry a" in lines[0]


def _block(code: bytes) -> CachedBlock:
    return CachedBlock(code, b"\0" * 32, 1, 0, 1, (), True)


def test_a_damaged_translation_page_alone_is_dropped_and_rewritten(tmp_path):
    """A flipped bit in one page image: that page is a miss, its neighbours in the shard are
    used, and the shard is written again without it."""
    import pickle
    import struct
    c = TranslationCache(tmp_path)
    c.put(0x1000, 3, _block(b"\x13\x00\x00\x00"))
    c.put(0x1000 + (256 << 12), 3, _block(b"\x6f\x00\x00\x00"))    # the same shard
    c.save()
    path = tmp_path / f"{shard_of(0x1000):02x}.bin"
    data = bytearray(path.read_bytes())
    ilen, _, _ = struct.unpack_from("<QQI", data, len(MAGIC))
    start = len(MAGIC) + struct.calcsize("<QQI4x")
    off, length, _, _ = pickle.loads(data[start:start + ilen])[(0x1000, 3)]
    data[start + ilen + off + 4] ^= 1           # the block's records
    path.write_bytes(data)

    d = TranslationCache(tmp_path)
    assert d.candidates(0x1000, 3) == ()
    assert [b.code for b in d.candidates(0x1000 + (256 << 12), 3)] == [b"\x6f\x00\x00\x00"]
    assert cache_integrity.damaged_entries() == 1
    d.put(0x1004, 3, _block(b"\x73\x00\x10\x00"))
    d.save()
    e = TranslationCache(tmp_path)
    assert [b.code for b in e.candidates(0x1004, 3)] == [b"\x73\x00\x10\x00"]
    assert e.candidates(0x1000, 3) == ()
    assert len(e.candidates(0x1000 + (256 << 12), 3)) == 1
    assert all(page.intact() for page in e._read(shard_of(0x1000)).values())
    assert cache_integrity.damaged_entries() == 1


def test_a_page_merged_at_save_drops_a_damaged_older_image(tmp_path):
    """Blocks another process wrote for a page this run added to are merged in only if their
    image is intact (else the damage would be saved under a new, valid CRC)."""
    other = TranslationCache(tmp_path)
    other.put(0x1000, 3, _block(b"\x13\x00\x00\x00"))
    mine = TranslationCache(tmp_path)
    mine.put(0x1004, 3, _block(b"\x6f\x00\x00\x00"))     # (reads the shard: nothing there yet)
    other.save()
    path = tmp_path / f"{shard_of(0x1000):02x}.bin"
    data = bytearray(path.read_bytes())
    data[-8] ^= 1                                        # in the page image
    path.write_bytes(data)
    mine.save()
    fresh = TranslationCache(tmp_path)
    assert fresh.candidates(0x1000, 3) == ()
    assert len(fresh.candidates(0x1004, 3)) == 1
    assert all(page.intact() for page in fresh._read(shard_of(0x1000)).values())
    assert cache_integrity.damaged_entries() == 1


def test_a_code_pack_index_names_an_object_of_its_length_and_crc(tmp_path):
    """The index format: wrong lengths are damage found without reading the object."""
    pack = CodePack(tmp_path, "salt")
    pack.dir.mkdir()
    obj = pack.dir / "salt.00000000.o"
    obj.write_bytes(b"x" * 10)
    from rvjit.backend.code_pack import PackIndex
    index = PackIndex(obj.name, 11, 0, frozenset({"k1", "k2"}))
    pack.index_path.write_bytes(seal(INDEX_KIND, INDEX_VERSION, index.encode()))
    assert CodePack(tmp_path, "salt").keys() == frozenset()
    assert cache_integrity.damaged_entries() == 1
    assert not obj.exists() and not pack.index_path.exists()
