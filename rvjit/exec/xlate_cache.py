"""The on-disk cache of translations: a later run reuses the blocks an earlier run translated
instead of translating them again in Python (a warm Linux boot translates ~70,000 blocks).

A translation is a function of the block's virtual pc, its TB flags and the guest bytes it was
made from (the translator sees nothing else: rules 3-4 of the house style; extension checks
happen at run time in helpers).  So an entry is filed under (pc, flags) and holds those bytes,
and it is used only when the bytes at the block's physical pc are equal to them.  Blocks whose
first instruction straddles two pages are not stored.

What is stored is what the engine needs to run the block without its IR: the interpreter
tier's encoded records, the instruction count, the constant successors and whether the block
may sit inside a compiled region.  The IR itself is made again from the stored bytes only if
the block is compiled and its region misses the code cache.

Files are sharded by virtual page (a small program touches a few shards, a Linux boot all of
them) and named by a hash of the sources the translation depends on, so any change to the
translator or the encoding is a miss.  One cache per directory serves every machine of a
process: shards are read on first use and written back when the process exits (merged with
whatever another process wrote meanwhile, then renamed into place).
"""
from __future__ import annotations

import atexit
import hashlib
import mmap
import os
import pickle
import struct
from pathlib import Path
from typing import ClassVar, NamedTuple

from rvjit.cachedir import cache_base
from rvjit.cpu.state import PAGE_BITS

SHARDS = 256
MAX_VARIANTS = 4            # entries kept per (pc, flags)
MAX_SHARD_ENTRIES = 20000   # a shard that grows past this is started afresh

MAGIC = b"RVXLATE2"
_LEN = struct.Struct("<Q")

# The sources the IR depends on (the translator), and the encoding of IR into records.
TRANSLATOR_SOURCES = ("frontend", "ir", "cpu/state.py", "cpu/causes.py")
ENCODING_SOURCES = ("backend/interp_encode.py",)


class CachedBlock(NamedTuple):     # a tuple: quick to pickle and unpickle
    code: bytes             # the guest bytes translated
    records: bytes          # the interpreter tier's IROp[] (backend/interp_encode.py)
    nops: int
    ntemps: int
    ninsns: int
    successors: tuple[int, ...]
    chainable: bool
    # The compiled region a run made with this block as its entry: (its code-cache key, the
    # (pc, length) of each member).  A later run that finds the members' bytes unchanged (the
    # key computed again from them is equal) runs the region from the block's first execution.
    region: tuple | None = None


_hashes: dict[tuple[str, ...], str] = {}


def sources_hash(sources: tuple[str, ...]) -> str:
    """A hash of rvjit's version and the given sources (paths under rvjit/)."""
    h = _hashes.get(sources)
    if h is None:
        from rvjit import __version__
        root = Path(__file__).resolve().parents[1]
        d = hashlib.sha256(__version__.encode())
        for rel in sources:
            p = root / rel
            for f in sorted(p.rglob("*.py")) if p.is_dir() else [p]:
                d.update(str(f.relative_to(root)).encode())
                d.update(f.read_bytes())
        h = _hashes[sources] = d.hexdigest()[:24]
    return h


def translator_hash() -> str:
    """What the IR of a block depends on besides its pc, flags and bytes."""
    return sources_hash(TRANSLATOR_SOURCES)


def default_dir() -> Path:
    return cache_base() / "xlate" / sources_hash(TRANSLATOR_SOURCES + ENCODING_SOURCES)


def shard_of(pc: int) -> int:
    return (pc >> PAGE_BITS) % SHARDS


class TranslationCache:
    _shared: ClassVar[dict[Path, TranslationCache]] = {}

    @classmethod
    def shared(cls) -> TranslationCache:
        """The process's cache for the default directory (saved at exit)."""
        d = default_dir()
        c = cls._shared.get(d)
        if c is None:
            c = cls._shared[d] = cls(d)
            atexit.register(c.save)
        return c

    @classmethod
    def save_all(cls) -> None:
        """Save every shared cache now (what atexit would do)."""
        for c in cls._shared.values():
            c.save()

    def __init__(self, directory: Path | None = None) -> None:
        self.dir = directory or default_dir()
        self.shards: dict[int, dict[tuple[int, int], list[CachedBlock]]] = {}
        self.dirty: set[int] = set()
        self.maps: dict[int, tuple[memoryview, int]] = {}   # shard -> (file bytes, blob start)

    def _shard(self, n: int) -> dict[tuple[int, int], list]:
        s = self.shards.get(n)
        if s is None:
            s = self.shards[n] = self._read(n)
        return s

    def _path(self, n: int) -> Path:
        return self.dir / f"{n:02x}.bin"

    def _read(self, n: int) -> dict:
        """A shard file: MAGIC, the index's length, the index (a pickled dict of (pc, flags) ->
        [(code offset, code length, records offset, records length, nops, ntemps, ninsns,
        successors, chainable, region)]) and the bytes it points into, which are mapped, not read: a
        Linux boot's shards hold ~70 MB of which a run touches what it runs."""
        try:
            with open(self._path(n), "rb") as f:
                data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError):
            return {}
        try:
            if data[:len(MAGIC)] != MAGIC:
                return {}
            (ilen,) = _LEN.unpack_from(data, len(MAGIC))
            start = len(MAGIC) + _LEN.size
            index = pickle.loads(data[start:start + ilen])
            if not isinstance(index, dict):
                return {}
        except (struct.error, EOFError, pickle.UnpicklingError, AttributeError, ValueError,
                TypeError, ImportError, IndexError):
            return {}
        self.maps[n] = (memoryview(data), start + ilen)
        return index

    def candidates(self, pc: int, flags: int) -> list[CachedBlock]:
        n = shard_of(pc)
        shard = self._shard(n)
        lst = shard.get((pc, flags))
        if not lst:
            return ()
        if type(lst[0]) is tuple:         # entries as read from the file: make them blocks
            view, base = self.maps[n]
            lst = shard[(pc, flags)] = [
                CachedBlock(view[base + co:base + co + cl], view[base + ro:base + ro + rl],
                            nops, ntemps, ninsns, succ, ch, reg)
                for co, cl, ro, rl, nops, ntemps, ninsns, succ, ch, reg in lst]
        return lst

    def put(self, pc: int, flags: int, block: CachedBlock) -> None:
        n = shard_of(pc)
        lst = [b for b in self.candidates(pc, flags) if b.code != block.code]
        self._shard(n)[(pc, flags)] = [block, *lst[:MAX_VARIANTS - 1]]
        self.dirty.add(n)

    def note_region(self, pc: int, flags: int, code: bytes, region: tuple) -> None:
        """Record the region made with the cached block (pc, flags, code) as its entry."""
        n = shard_of(pc)
        lst = self.candidates(pc, flags)
        for i, b in enumerate(lst):
            if b.code == code:
                if b.region != region:
                    lst[i] = b._replace(region=region)
                    self.dirty.add(n)
                return

    def save(self) -> None:
        """Write the shards this run added to (merged with what is on disk now)."""
        if not self.dirty:
            return
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
        except OSError:
            return
        for n in sorted(self.dirty):
            mine = {key: self.candidates(*key) for key in self.shards[n]}
            disk = TranslationCache(self.dir)
            merged = {key: disk.candidates(*key) for key in disk._shard(n)}
            if len(merged) + len(mine) > MAX_SHARD_ENTRIES:
                merged = {}
            for key, blocks in mine.items():
                old = [b for b in merged.get(key, ()) if all(b.code != m.code for m in blocks)]
                merged[key] = (list(blocks) + old)[:MAX_VARIANTS]
            self._write(n, merged)
        self.dirty.clear()

    def _write(self, n: int, shard: dict[tuple[int, int], list[CachedBlock]]) -> None:
        blob = bytearray()
        index = {}
        for key, blocks in shard.items():
            refs = []
            for b in blocks:
                co = len(blob)
                blob += b.code
                ro = len(blob)
                blob += b.records
                refs.append((co, len(b.code), ro, len(b.records), b.nops, b.ntemps, b.ninsns,
                             tuple(b.successors), bool(b.chainable), b.region))
            index[key] = refs
        head = pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL)
        path = self._path(n)
        tmp = path.with_name(f"{path.name}.tmp{os.getpid()}")
        try:
            with open(tmp, "wb") as f:
                f.write(MAGIC + _LEN.pack(len(head)))
                f.write(head)
                f.write(blob)
            os.replace(tmp, path)
        except OSError:
            try:
                tmp.unlink()
            except OSError:
                pass
