"""The on-disk cache of translations: a later run reuses the blocks an earlier run translated
instead of translating them again in Python (a warm Linux boot translates ~70,000 blocks).

A translation is a function of the block's virtual pc, its TB flags and the guest bytes it was
made from (the translator sees nothing else: rules 3-4 of the house style; extension checks
happen at run time in helpers).  So an entry is filed under (pc, flags) and holds those bytes,
and it is used only when the bytes at the block's physical pc are equal to them.  Blocks whose
first instruction straddles two pages are not stored.  The entries of one virtual page and
flags are kept together in a page image that the engine hands to the native runtime whole, which
installs every block of the page whose bytes are unchanged (native/dispatch.c).

What is stored is what the engine needs to run the block without its IR: the interpreter
tier's encoded records, the instruction count, the constant successors and whether the block
may sit inside a compiled region.  The IR itself is made again from the stored bytes only if
the block is compiled and its region misses the code cache.

Files are sharded by virtual page (a small program touches a few shards, a Linux boot all of
them) and named by a hash of the sources the translation depends on, so any change to the
translator or the encoding is a miss.  One cache per directory serves every machine of a
process: shards are read on first use and written back when the process exits (merged with
whatever another process wrote meanwhile, then renamed into place).

A shard is checked (cache_integrity.py): its header holds the CRC of its index, and each page
image's entry in the index the image's CRC, checked when the page is first used (a run maps a
boot's shards but reads only the pages it runs).  A shard whose index or length is wrong is
dropped whole, a page whose image is wrong alone; either is counted and its blocks are
translated again.
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

from rvjit.cache_integrity import checksum, drop, note_damaged
from rvjit.cachedir import cache_base, make_dir, prune
from rvjit.cpu.state import PAGE_BITS

SHARDS = 256
MAX_VARIANTS = 4            # entries kept per (pc, flags)
MAX_SHARD_ENTRIES = 20000   # a shard that grows past this is started afresh

MAGIC = b"RVXLATE4"
_HEAD = struct.Struct("<QQI4x")    # the index's length, the images' length, the index's CRC
_PAGE_OFFSET = (1 << PAGE_BITS) - 1

# A page image starts with one header per block, in the layout native/dispatch.c reads
# (PageBlock): the pc's offset in the page, the code's length, where the code and the records
# are in the image, nops, ntemps, ninsns, attributes.  Blocks are ordered by pc, the variants of
# one pc newest first; code and records start at multiples of 8 (records hold pointers).
PAGE_BLOCK = struct.Struct("<8I")
PAGE_BLOCK_ATTRS = 7        # the attributes' index among a header's 32-bit words
BLOCK_HINTED = 1            # attribute: the block has a region hint (CachedBlock.region)
BLOCK_UNUSABLE = 2          # attribute: not a block to run (past the page's end, records not
                            # whole IROps): never installed
IROP_SIZE = 32              # sizeof(IROp), native/runtime.h

# The sources the IR depends on (the translator), and the encoding of IR into records.
TRANSLATOR_SOURCES = ("frontend", "ir", "cpu/state.py", "cpu/causes.py")
# (blocks are assembled from templates by native/xltmpl.c, or encoded by interp_encode.py;
# this file's format: a cache of another format is in another directory)
ENCODING_SOURCES = ("backend/interp_encode.py", "backend/interp_templates.py",
                    "native/xltmpl.c", "exec/xlate_cache.py")


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


class BlockRef(NamedTuple):
    """Where a block is in its page image, with the facts the engine keeps about it."""
    pc: int
    code_off: int
    code_len: int
    rec_off: int
    rec_len: int
    nops: int
    ntemps: int
    ninsns: int
    successors: tuple[int, ...]
    chainable: bool
    region: tuple | None


def page_image(blocks: dict[int, list[CachedBlock]]) -> tuple[bytes, tuple[BlockRef, ...]]:
    """The image of a page's blocks (see PAGE_BLOCK) and a BlockRef per header."""
    order = [(pc, b) for pc in sorted(blocks) for b in blocks[pc]]
    head = bytearray()
    data = bytearray(PAGE_BLOCK.size * len(order))
    refs = []
    for pc, b in order:
        attrs = BLOCK_HINTED if b.region is not None else 0
        if not b.code or (pc & _PAGE_OFFSET) + len(b.code) > _PAGE_OFFSET + 1 or \
                not b.records or len(b.records) % IROP_SIZE:
            attrs |= BLOCK_UNUSABLE
        co = len(data)
        data += b.code
        data += bytes(-len(data) % 8)
        ro = len(data)
        data += b.records
        data += bytes(-len(data) % 8)
        head += PAGE_BLOCK.pack(pc & _PAGE_OFFSET, len(b.code), co, ro, b.nops, b.ntemps,
                                b.ninsns, attrs)
        refs.append(BlockRef(pc, co, len(b.code), ro, len(b.records), b.nops, b.ntemps, b.ninsns,
                             tuple(b.successors), bool(b.chainable), b.region))
    data[:len(head)] = head
    return bytes(data), tuple(refs)


class CachedPage:
    """The cached blocks of one virtual page under one set of flags: by pc (the newest variant
    first), and the page's image as read from disk, which the engine installs in one go.  Blocks
    added in this run go into the image written at exit; until then the image read stays the
    one installed (its blocks are still translations of their bytes).  An image read from disk
    comes with the CRC it had when written; intact() checks it."""
    __slots__ = ("image", "refs", "crc", "changed", "_intact", "_blocks", "_hints")

    def __init__(self, image: bytes | memoryview | None = None, refs: tuple = (),
                 crc: int | None = None) -> None:
        self.image = image
        self.refs = refs
        self.crc = crc
        self.changed = image is None        # blocks added or changed since read from disk
        self._intact: bool | None = None
        self._blocks: dict[int, list[CachedBlock]] | None = None if image is not None else {}
        self._hints: tuple[tuple[int, str], ...] | None = None

    def intact(self) -> bool:
        """Whether the image is as written (checked once)."""
        if self._intact is None:
            self._intact = self.image is None or checksum(self.image) == self.crc
        return self._intact

    def blocks(self) -> dict[int, list[CachedBlock]]:
        if self._blocks is None:
            img = self.image
            self._blocks = {}
            for r in map(BlockRef._make, self.refs):
                self._blocks.setdefault(r.pc, []).append(CachedBlock(
                    img[r.code_off:r.code_off + r.code_len],
                    img[r.rec_off:r.rec_off + r.rec_len], r.nops, r.ntemps, r.ninsns,
                    r.successors, r.chainable, r.region))
        return self._blocks

    def to_write(self) -> tuple[bytes | memoryview, tuple, int]:
        """The page image, its refs (BlockRefs, or tuples of their fields) and its CRC to save
        (an image read and not checked keeps the CRC it was read with)."""
        if self.changed:
            image, refs = page_image(self.blocks())
            return image, refs, checksum(image)
        return self.image, self.refs, self.crc

    def hints(self) -> tuple[tuple[int, str], ...]:
        """(header index, region key) of the image's blocks with a region hint."""
        if self._hints is None:
            self._hints = tuple((i, r[10][0]) for i, r in enumerate(self.refs)
                                if r[10] is not None)
        return self._hints

    def put(self, pc: int, block: CachedBlock) -> None:
        blocks = self.blocks()
        lst = [b for b in blocks.get(pc, ()) if b.code != block.code]
        blocks[pc] = [block, *lst[:MAX_VARIANTS - 1]]
        self.changed = True

    def note_region(self, pc: int, code: bytes, region: tuple) -> bool:
        """Give the block (pc, code) its region; True if that changed anything."""
        if self._blocks is None:        # as read: the refs tell whether it is there already
            img = self.image
            for r in self.refs:
                if r[0] == pc and r[10] == region and img[r[1]:r[1] + r[2]] == code:
                    return False
        lst = self.blocks().get(pc, ())
        for i, b in enumerate(lst):
            if b.code == code:
                if b.region == region:
                    return False
                lst[i] = b._replace(region=region)
                self.changed = True
                return True
        return False

    def merged(self, older: CachedPage) -> CachedPage:
        """This page's blocks before `older`'s (if intact), variants of one pc with other bytes
        kept up to MAX_VARIANTS."""
        out = CachedPage()
        mine, theirs = self.blocks(), older.blocks() if older.intact() else {}
        for pc in mine.keys() | theirs.keys():
            new = mine.get(pc, [])
            old = [b for b in theirs.get(pc, ()) if all(b.code != m.code for m in new)]
            out._blocks[pc] = (list(new) + old)[:MAX_VARIANTS]
        return out


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
            prune(d.parent, d.name)
        return c

    @classmethod
    def save_all(cls) -> None:
        """Save every shared cache now (what atexit would do)."""
        for c in cls._shared.values():
            c.save()

    def __init__(self, directory: Path | None = None) -> None:
        self.dir = directory or default_dir()
        self.shards: dict[int, dict[tuple[int, int], CachedPage]] = {}
        self.dirty: set[int] = set()
        self.dropped: dict[int, set[tuple[int, int]]] = {}     # damaged pages, by shard

    def _shard(self, n: int) -> dict[tuple[int, int], CachedPage]:
        s = self.shards.get(n)
        if s is None:
            s = self.shards[n] = self._read(n)
        return s

    def _path(self, n: int) -> Path:
        return self.dir / f"{n:02x}.bin"

    def _read(self, n: int) -> dict[tuple[int, int], CachedPage]:
        """A shard file: MAGIC, _HEAD, the index (a pickled dict of (virtual page, flags) ->
        (image offset, image length, image CRC, (BlockRef fields, ...))) and the page images it
        points into, which are mapped, not read: a Linux boot's shards hold ~50 MB of which a
        run touches the pages it runs.  A damaged shard is counted, removed and read as
        empty."""
        path = self._path(n)
        try:
            with open(path, "rb") as f:
                data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError):        # (ValueError: an empty file)
            if path.exists():
                note_damaged("translation shard", path)
                drop(path)
            return {}
        try:
            start = len(MAGIC) + _HEAD.size
            ilen, blen, icrc = _HEAD.unpack_from(data, len(MAGIC))
            if data[:len(MAGIC)] != MAGIC or len(data) != start + ilen + blen or \
                    checksum(memoryview(data)[start:start + ilen]) != icrc:
                raise ValueError(path)
            # (the index is as written, so unpickling it runs no other code than ours did)
            index = pickle.loads(data[start:start + ilen])
            view = memoryview(data)
            base = start + ilen
            return {key: CachedPage(view[base + off:base + off + length], refs, crc)
                    for key, (off, length, crc, refs) in index.items()}
        except Exception:       # (anything a damaged shard may raise, pickle's included)
            note_damaged("translation shard", path)
            drop(path)
            return {}

    def _page(self, n: int, key: tuple[int, int]) -> CachedPage | None:
        """The shard's page `key`, if there is an intact one (a damaged one is counted and
        dropped: the shard is written again without it)."""
        shard = self._shard(n)
        page = shard.get(key)
        if page is not None and not page.intact():
            self._drop(n, key)
            del shard[key]
            return None
        return page

    def _drop(self, n: int, key: tuple[int, int]) -> None:
        note_damaged("translation page", f"{self._path(n)}:{key[0]:#x}:{key[1]:#x}")
        self.dropped.setdefault(n, set()).add(key)
        self.dirty.add(n)

    def page(self, pc: int, flags: int) -> CachedPage | None:
        """The cached blocks of pc's virtual page under `flags`."""
        return self._page(shard_of(pc), (pc & ~_PAGE_OFFSET, flags))

    def candidates(self, pc: int, flags: int) -> list[CachedBlock] | tuple:
        p = self.page(pc, flags)
        return p.blocks().get(pc, ()) if p is not None else ()

    def put(self, pc: int, flags: int, block: CachedBlock) -> None:
        n = shard_of(pc)
        key = (pc & ~_PAGE_OFFSET, flags)
        page = self._page(n, key)
        if page is None:
            page = self._shard(n)[key] = CachedPage()
        page.put(pc, block)
        self.dirty.add(n)

    def note_region(self, pc: int, flags: int, code: bytes, region: tuple) -> None:
        """Record the region made with the cached block (pc, flags, code) as its entry."""
        p = self.page(pc, flags)
        if p is not None and p.note_region(pc, code, region):
            self.dirty.add(shard_of(pc))

    def save(self) -> None:
        """Write the shards this run added to (merged with what is on disk now): a page this
        run changed goes before the disk's, any other page is taken from the disk if it is
        there (another process may have added to it); pages found damaged are left out."""
        if not self.dirty:
            return
        try:
            make_dir(self.dir)
        except OSError:
            return
        for n in sorted(self.dirty):
            disk = TranslationCache(self.dir)
            merged = dict(disk._shard(n))
            for key in self.dropped.get(n, ()):
                merged.pop(key, None)
            if sum(len(p.refs) for p in merged.values()) + len(self.shards[n]) > \
                    MAX_SHARD_ENTRIES:
                merged = {}
            for key, page in self.shards[n].items():
                old = merged.get(key)
                if old is None:
                    merged[key] = page
                elif page.changed:
                    if not old.intact():
                        self._drop(n, key)
                    merged[key] = page.merged(old)
            self._write(n, merged)
        self.dirty.clear()

    def _write(self, n: int, shard: dict[tuple[int, int], CachedPage]) -> None:
        blob = bytearray()
        index = {}
        for key, page in shard.items():
            image, refs, crc = page.to_write()
            if not refs:
                continue
            blob += bytes(-len(blob) % 8)
            index[key] = (len(blob), len(image), crc, tuple(tuple(r) for r in refs))
            blob += image
        head = pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL)
        path = self._path(n)
        tmp = path.with_name(f"{path.name}.tmp{os.getpid()}")
        try:
            with open(tmp, "wb") as f:
                f.write(MAGIC + _HEAD.pack(len(head), len(blob), checksum(head)))
                f.write(head)
                f.write(blob)
            os.replace(tmp, path)
        except OSError:
            try:
                tmp.unlink()
            except OSError:
                pass
