"""The execution engine: the translation-block cache and its two tiers.

Blocks are translated to IR on first execution and run by the native interpreter tier; a block
that proves hot (the run loop counts) becomes the entry of a region compiled by LLVM.  The cache
is keyed on (virtual pc, physical pc, flags); the native lookup tables are a cache of it, and can
be cleared at any time (they are refilled from here on a miss).
"""
from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from rvjit.backend.interp_encode import encode, translate_records
from rvjit.backend.interp_templates import TemplateTranslator, same_records
from rvjit.backend.jit import Codegen, default_workers
from rvjit.backend.llvm_lower import chainable
from rvjit.backend.region_source import FromBytes, Member
from rvjit.cpu.state import EXIT_HOT, EXIT_NAMES, EXIT_NO_TB, EXIT_TB_FLUSH, PAGE_SIZE
from rvjit.exec.xlate_cache import (
    BLOCK_HINTED,
    PAGE_BLOCK,
    PAGE_BLOCK_ATTRS,
    BlockRef,
    CachedBlock,
    TranslationCache,
)
from rvjit.frontend.translate import MAX_BLOCK_INSNS, BlockIR, FetchFault, translate_block

MAX_REGION_BLOCKS = 8      # (16 compiled slower and ran no faster: boots 0.1-0.2 s slower)
DEFAULT_HOT_THRESHOLD = 2000
PAGE_MASK = ~(PAGE_SIZE - 1)
_PAGE_BLOCK_WORDS = PAGE_BLOCK.size // 4
_UNTRIED = object()


def disk_cache_enabled() -> bool:
    """RVJIT_DISK_CACHE=0 turns off both on-disk caches (translations and compiled code)."""
    return os.environ.get("RVJIT_DISK_CACHE", "1") not in ("0", "off", "no")


def page_key(key: tuple[int, int, int]) -> tuple[int, int, int]:
    """(virtual page, physical page, flags) of a block's key (virtual pc, physical pc, flags):
    what a PageBatch or a MadePage is filed under."""
    return (key[0] & PAGE_MASK, key[1] & PAGE_MASK, key[2])


def xl_enabled() -> bool:
    return os.environ.get("RVJIT_XL", "1") not in ("0", "off", "no")


@dataclass(eq=False)
class TBEntry:
    key: tuple[int, int, int]      # (virtual pc, physical pc, flags)
    tb: object                     # cffi TB *
    ops: object                    # cffi IROp[], or the PageBatch holding tb and ops (kept alive)
    code: bytes                    # the guest bytes translated
    ninsns: int
    successors: tuple[int, ...]    # constant exit targets
    chainable: bool                # may sit inside a compiled region
    ir: BlockIR | None = None      # None for a block from the translation cache (made on demand)
    regions: list = field(default_factory=list)   # regions that contain this block
    valid: bool = True             # False once dropped (guest code changed)
    pages: tuple[int, ...] = ()    # physical pages its code came from
    hot_retries: int = 0           # times its region found the compile queue full
    ops_index: int = 0             # its index in its PageBatch (if ops is one)


@dataclass(eq=False)
class PageBatch:
    """The blocks of a cached page image installed at once for one physical page (native
    rt_tb_install_page): they live in `buf` and `tbs`, and get a TBEntry only when the engine
    needs one (a hot block, a region member).  FENCE.I drops them together (by_page)."""
    key: tuple[int, int, int]      # (virtual page, physical page, flags)
    image: object                  # the cached page image (its blocks' guest bytes)
    refs: tuple                    # the image's BlockRefs (or tuples of their fields)
    buf: object                    # cffi copy of the image: the records the TBs run
    tbs: object                    # cffi TB[len(refs)]: the installed ones have ops set
    tbs_addr: int
    image_ptr: object              # buf as uint8_t *
    words: object                  # buf as uint32_t * (a header's attributes: PAGE_BLOCK_ATTRS)
    entries: dict[int, TBEntry] = field(default_factory=dict)   # by index, made on demand
    held: dict[int, list[int]] = field(default_factory=dict)    # pc -> indices held back
    tracked: bool = False          # some are installed: the page is tracked, in by_page
    valid: bool = True


@dataclass(eq=False)
class MadePage:
    """A page (virtual page, physical page, flags) in which the run loop makes missing blocks
    itself from templates (native/xlmake.c): they live in the native XlPage `ptr` and get a
    TBEntry only when the engine needs one.  FENCE.I drops them together (by_page)."""
    key: tuple[int, int, int]
    ptr: object                    # cffi XlPage *
    entries: dict[int, TBEntry] = field(default_factory=dict)   # by TB address
    valid: bool = True


@dataclass(eq=False)
class Region:
    entry: TBEntry
    members: list[TBEntry]


@dataclass
class Stats:
    translated_here: int = 0       # blocks translated by the engine (Python, or templates)
    translate_seconds: float = 0.0
    regions_compiled: int = 0
    blocks_compiled: int = 0
    python_exits: int = 0
    flushes: int = 0
    xlate_cache_hits: int = 0      # blocks installed from the translation cache (run or not)
    assembled_here: int = 0        # of translated_here: assembled natively from templates
    region_hints: int = 0          # regions run from their entry's first execution
    exits: dict = field(default_factory=dict)     # exit reason name -> count
    made: Callable[[], int] = lambda: 0           # blocks the run loop made (xlmake.c)

    @property
    def blocks_translated(self) -> int:
        return self.translated_here + self.made()

    @property
    def blocks_assembled(self) -> int:
        return self.assembled_here + self.made()


class Engine:
    def __init__(self, ffi, lib, rt, memory, hot_threshold: int | None = None,
                 compile_workers: int | None = None, disk_cache: bool | None = None) -> None:
        self.ffi, self.lib, self.rt, self.memory = ffi, lib, rt, memory
        if hot_threshold is None:
            hot_threshold = int(os.environ.get("RVJIT_HOT", DEFAULT_HOT_THRESHOLD))
        self.hot_threshold = hot_threshold
        # 0 means never compile: the run loop's counter never reaches 0 after incrementing.
        lib.rt_set_hot_threshold(rt, hot_threshold if hot_threshold > 0 else 0xFFFFFFFF)
        lib.rt_tb_clear(rt)
        # Compile synchronously when every block is compiled at once (hot threshold 1: tests
        # that exercise the LLVM tier) so that the tier used is deterministic.
        if compile_workers is None:
            compile_workers = 0 if hot_threshold == 1 else default_workers()
        self.compile_workers = compile_workers
        self.disk_cache = disk_cache_enabled() if disk_cache is None else disk_cache
        self.codegen: Codegen | None = None
        self.xcache = TranslationCache.shared() if self.disk_cache else None
        # Blocks are assembled natively from per-instruction templates (interp_templates.py)
        # unless RVJIT_XL=0; RVJIT_XL_CHECK=1 checks each against the Python translator.
        self.xl = TemplateTranslator.shared(ffi, lib) if xl_enabled() else None
        self.xl_check = os.environ.get("RVJIT_XL_CHECK", "0") not in ("0", "")
        # Pages whose missing blocks the run loop makes itself (not while checking: every
        # block then comes through _translate).
        self.made_pages: dict[tuple[int, int, int], MadePage] = {}
        self._made_to_free: list[MadePage] = []
        if self.xl is not None and not self.xl_check:
            lib.rt_xl_attach(rt, self.xl.table, MAX_BLOCK_INSNS)
        self.tbs: dict[tuple[int, int, int], TBEntry] = {}
        self.by_addr: dict[int, TBEntry] = {}
        self.by_page: dict[int, list[TBEntry | PageBatch]] = {}
        # Page images tried, by (virtual page, physical page, flags): None if nothing was
        # installed (not tried again: that page's blocks come one by one).
        self.batches: dict[tuple[int, int, int], PageBatch | None] = {}
        self._changed = ffi.new("uint64_t[]", 1024)
        self.untracked = False      # a translation came from a page that cannot be tracked
        self.stats = Stats()
        self.stats.made = lambda: lib.rt_xl_made_count(rt)
        self._paddr = ffi.new("uint64_t *")
        self._irop_size = ffi.sizeof("IROp")
        self._tb_size = ffi.sizeof("TB")

    # -- lookup and translation ----------------------------------------------------------------
    def fetch_paddr(self, cpu, vaddr: int) -> int:
        cause = self.lib.rt_fetch_translate(cpu, vaddr, self._paddr)
        if cause >= 0:
            raise FetchFault(cause, vaddr)
        return self._paddr[0]

    def _fetcher(self, cpu):
        """translate_block's fetch: the bytes of the page holding vaddr, read at once from the
        guest RAM buffer (a page outside RAM reads as zeros, parcel by parcel as before)."""
        memory = self.memory
        fetch_paddr = self.fetch_paddr

        def fetch(vaddr: int) -> bytes:
            ppage = fetch_paddr(cpu, vaddr) & ~(PAGE_SIZE - 1)
            r = memory.find_ram(ppage, PAGE_SIZE)
            if r is not None:
                off = ppage - r.base
                return r.buf[off:off + PAGE_SIZE]
            read16 = memory.read16
            return b"".join(read16(ppage + k).to_bytes(2, "little")
                            for k in range(0, PAGE_SIZE, 2))
        return fetch

    def handle_no_tb(self, cpu) -> None:
        """The run loop found no translation for cpu's (pc, flags): find or make one."""
        pc, flags = cpu.pc, cpu.tb_flags
        try:
            key = (pc, self.fetch_paddr(cpu, pc), flags)
            ent = self.tbs.get(key)
            if ent is not None and len(ent.pages) > 1 and ent.pages[1] != \
                    self.fetch_paddr(cpu, pc + 2) & PAGE_MASK:
                # Its first instruction straddles into a page that maps elsewhere now.
                self._drop(ent)
                ent = None
            if ent is not None:
                self.lib.rt_tb_insert(self.rt, ent.tb)
            elif page_key(key) in self.made_pages:
                self._make(cpu, key)
            elif self._page_from_cache(key) is None and self._from_cache(key) is None:
                self._allow_page(key)
                if page_key(key) in self.made_pages:
                    self._make(cpu, key)
                else:
                    self._translate(cpu, key)
        except FetchFault as f:
            # The first instruction (or its second half) cannot be fetched: take the trap now,
            # with its guest-page-fault facts; nothing is cached.
            self.lib.helper_fetch_fault(cpu, f.vaddr)
            cpu.exc_taken = 0
            cpu.budget -= 1     # it counts as a block, so a fault loop still yields

    def _make(self, cpu, key) -> None:
        """A block of a made page the run loop could not make: teach the templates its words
        and make it now, or translate it here if they cannot."""
        pc, _, flags = key
        if not self.xl.learn(self._fetcher(cpu)(pc), pc, flags) or \
                self.lib.rt_xl_make(cpu, self.rt, pc, flags) == self.ffi.NULL:
            self._translate(cpu, key)

    def _page_from_cache(self, key):
        """Install every cached block of key's page (its virtual page and flags) whose bytes
        are unchanged, once per physical page; key's TB (cffi TB *) if it is among them, or
        None."""
        pc, ppc, flags = key
        bkey = page_key(key)
        batch = self.batches.get(bkey, _UNTRIED)
        if batch is _UNTRIED:
            batch = self.batches[bkey] = self._install_page(bkey, pc, flags)
        if batch is None:
            return None
        if pc in batch.held:
            self._release(batch, key)
        tb = self.lib.rt_tb_find(self.rt, pc, ppc, flags)
        return tb if tb != self.ffi.NULL else None

    def _install_page(self, bkey: tuple[int, int, int], pc: int, flags: int) -> PageBatch | None:
        """A PageBatch of the cached page of (pc, flags) at `bkey`, its blocks installed, or
        None if it has nothing to install."""
        page = self.xcache.page(pc, flags) if self.xcache is not None else None
        if page is None or page.image is None or not page.refs:
            return None
        image, refs = page.image, page.refs
        ffi = self.ffi
        buf = ffi.new("uint64_t[]", (len(image) + 7) >> 3)
        ffi.memmove(buf, image, len(image))
        tbs = ffi.new("TB[]", len(refs))
        batch = PageBatch(bkey, image, refs, buf, tbs, int(ffi.cast("uintptr_t", tbs)),
                          ffi.cast("uint8_t *", buf), ffi.cast("uint32_t *", buf))
        # A block whose region hint names a region compiled already is held back until its
        # first execution (_release: the region is run from there); the others need not be.
        if self.hot_threshold > 0 and page.hints():
            has = self._codegen().has
            for i, region_key in page.hints():
                if has(region_key):
                    batch.held.setdefault(BlockRef._make(refs[i]).pc, []).append(i)
                else:
                    batch.words[i * _PAGE_BLOCK_WORDS + PAGE_BLOCK_ATTRS] &= ~BLOCK_HINTED
        if self._install(batch) < 0 or not (batch.tracked or batch.held):
            return None
        return batch

    def _install(self, batch: PageBatch) -> int:
        """Install the batch's blocks that match guest memory and are not held back."""
        vpage, ppage, flags = batch.key
        n = self.lib.rt_tb_install_page(self.rt, vpage, ppage, flags, batch.image_ptr,
                                        len(batch.refs), BLOCK_HINTED, batch.tbs)
        if n > 0:
            self.stats.xlate_cache_hits += n
            if not batch.tracked:
                batch.tracked = True
                if self.lib.rt_code_page_track(self.rt, ppage) != 0:
                    self.untracked = True
                self.by_page.setdefault(ppage, []).append(batch)
        return n

    def _release(self, batch: PageBatch, key) -> None:
        """Install the held-back blocks of key's pc and run the region its hint names."""
        for i in batch.held.pop(key[0]):
            batch.words[i * _PAGE_BLOCK_WORDS + PAGE_BLOCK_ATTRS] &= ~BLOCK_HINTED
        if self._install(batch) > 0:
            tb = self.lib.rt_tb_find(self.rt, *key)
            ent = self._batch_entry(tb) if tb != self.ffi.NULL else None
            if ent is not None:
                self._region_at_entry(ent, BlockRef._make(batch.refs[ent.ops_index]).region)

    def _batch_entry(self, tb) -> TBEntry | None:
        """The TBEntry of `tb` (cffi TB *) if a PageBatch installed it (made now if needed)."""
        key = (tb.pc, tb.ppc, tb.flags)
        batch = self.batches.get(page_key(key))
        if batch is None:
            return None
        addr = int(self.ffi.cast("uintptr_t", tb))
        i, rem = divmod(addr - batch.tbs_addr, self._tb_size)
        if rem or not 0 <= i < len(batch.refs):
            return None
        ent = batch.entries.get(i)
        if ent is None:
            r = BlockRef._make(batch.refs[i])
            ent = TBEntry(key, batch.tbs + i, batch,
                          bytes(batch.image[r.code_off:r.code_off + r.code_len]), r.ninsns,
                          r.successors, r.chainable, pages=(key[1] & PAGE_MASK,), ops_index=i)
            batch.entries[i] = ent
            self.tbs.setdefault(key, ent)
            self.by_addr[addr] = ent
        return ent if ent.valid else None

    # -- blocks the run loop makes (native/xlmake.c) --------------------------------------------
    def _allow_page(self, key) -> None:
        """Let the run loop make the missing blocks of key's page itself from now on: a page
        the translation cache has nothing for (its blocks there may name regions to run from
        their first execution: a page whose code changed and came back, a warm run), that
        FENCE.I can track."""
        if self.xl is None or self.xl_check:
            return
        pc, _, flags = key
        mkey = page_key(key)
        if mkey in self.made_pages or \
                (self.xcache is not None and self.xcache.page(pc, flags) is not None):
            return
        if self.lib.rt_code_page_track(self.rt, mkey[1]) != 0:
            self.untracked = True
            return
        ptr = self.lib.rt_xl_allow(self.rt, *mkey)
        if ptr == self.ffi.NULL:
            return
        mp = self.made_pages[mkey] = MadePage(mkey, ptr)
        self.by_page.setdefault(mkey[1], []).append(mp)

    def _made_at(self, key) -> TBEntry | None:
        if not self.made_pages:
            return None
        tb = self.lib.rt_tb_find(self.rt, *key)
        return self._made_entry(tb) if tb != self.ffi.NULL else None

    def _made_entry(self, tb) -> TBEntry | None:
        """The TBEntry of `tb` (cffi TB *) if the run loop made it (made now if needed; the
        block goes into the translation cache then, so that its region can be noted)."""
        if tb.owner == self.ffi.NULL:
            return None
        key = (tb.pc, tb.ppc, tb.flags)
        mp = self.made_pages.get(page_key(key))
        if mp is None or not mp.valid:
            return None
        addr = int(self.ffi.cast("uintptr_t", tb))
        ent = mp.entries.get(addr)
        if ent is None:
            mb = self.ffi.cast("MadeBlock *", tb)
            code = bytes(self.ffi.buffer(mb.code, mb.code_len))
            ent = TBEntry(key, tb, mp, code, tb.ninsns, tuple(mb.succ[0:mb.nsucc]),
                          bool(mb.chain_ok), pages=(key[1] & PAGE_MASK,))
            mp.entries[addr] = ent
            self.tbs.setdefault(key, ent)
            self.by_addr[addr] = ent
            self._cache_made(tb, code)
        return ent if ent.valid else None

    def _cache_made(self, tb, code: bytes | None = None) -> None:
        """Put a made block (its guest bytes `code`, if read already) in the translation
        cache."""
        if self.xcache is None:
            return
        mb = self.ffi.cast("MadeBlock *", tb)
        recs = self.ffi.new("IROp[]", mb.nrecords)
        self.lib.rt_xl_records(tb, recs)
        if code is None:
            code = bytes(self.ffi.buffer(mb.code, mb.code_len))
        self.xcache.put(tb.pc, tb.flags, CachedBlock(
            code, bytes(self.ffi.buffer(recs)),
            tb.nops, tb.ntemps, tb.ninsns, tuple(mb.succ[0:mb.nsucc]), bool(mb.chain_ok)))

    def _drop_made(self, mp: MadePage) -> None:
        """Drop a page's made blocks (their memory is freed at the end of the flush)."""
        if not mp.valid:
            return
        mp.valid = False
        for e in mp.entries.values():
            self._drop(e)
        if self.made_pages.get(mp.key) is mp:
            del self.made_pages[mp.key]
        self._made_to_free.append(mp)

    def _free_made(self) -> None:
        """Free the made blocks of dropped pages, those the translation cache does not hold
        yet put there first (the same code may come back, as a module's does)."""
        for mp in self._made_to_free:
            self._save_page(mp)
            self.lib.rt_xl_drop_page(self.rt, mp.ptr)
        self._made_to_free.clear()

    def save_made(self) -> None:
        """Put the made blocks the engine has no TBEntry for in the translation cache."""
        for mp in self.made_pages.values():
            self._save_page(mp)

    def _save_page(self, mp: MadePage) -> None:
        if self.xcache is None:
            return
        n = self.lib.rt_xl_page_blocks(mp.ptr, self.ffi.NULL, 0)
        out = self.ffi.new("TB *[]", n)
        self.lib.rt_xl_page_blocks(mp.ptr, out, n)
        for tb in out:
            if int(self.ffi.cast("uintptr_t", tb)) not in mp.entries:
                self._cache_made(tb)

    def _lookup(self, key) -> TBEntry | None:
        """The installed or cached translation for key, if there is one."""
        ent = self.tbs.get(key)
        if ent is None:
            tb = self._page_from_cache(key)
            ent = (self._batch_entry(tb) if tb is not None else None) or \
                self._made_at(key) or self._from_cache(key)
        return ent

    def _from_cache(self, key) -> TBEntry | None:
        """The translation an earlier run made of the same bytes, if there is one."""
        if self.xcache is None:
            return None
        pc, ppc, flags = key
        for c in self.xcache.candidates(pc, flags):
            n = len(c.code)
            if (ppc & (PAGE_SIZE - 1)) + n <= PAGE_SIZE and \
                    len(c.records) % self._irop_size == 0 and \
                    self.memory.read_bytes(ppc, n) == c.code:
                ops = self.ffi.new("IROp[]", len(c.records) // self._irop_size)
                self.ffi.memmove(ops, c.records, len(c.records))
                self.stats.xlate_cache_hits += 1
                ent = self._enter(key, ops, c.nops, c.ntemps, c.code, c.ninsns,
                                  c.successors, c.chainable, None,
                                  (ppc & ~(PAGE_SIZE - 1),))
                if c.region is not None and self.hot_threshold > 0:
                    self._region_at_entry(ent, c.region)
                return ent
        return None

    def _region_at_entry(self, ent: TBEntry, hint: tuple) -> None:
        """Run the region an earlier run compiled with this block as its entry from the block's
        first execution, if its members' bytes are unchanged (the region's key, computed again
        from them, is equal).  The members share the entry's page, whose FENCE.I tracking
        drops the entry, and with it the region, if any of them changes."""
        key, spec = hint
        pc, ppc, flags = ent.key
        members = []
        for mpc, n in spec:
            if (mpc ^ pc) & ~(PAGE_SIZE - 1):
                return
            code = bytes(self.memory.read_bytes(ppc - pc + mpc, n))
            if len(code) != n:
                return
            members.append((mpc, flags, code))
        codegen = self._codegen()
        # Only a region compiled already: one still to compile waits its turn when its entry
        # gets hot (hints for every region of earlier runs would flood the compile queue).
        if not codegen.has(key) or codegen.region_key(members) != key:
            return
        self.stats.region_hints += 1
        self._request_region(ent, [ent], key, [FromBytes(*m, -1) for m in members])

    def _translate(self, cpu, key) -> TBEntry:
        """Translate the block at key straight to the interpreter's records (its IR is made
        again from its bytes if it is ever compiled, as for a block from the translation
        cache), except a block whose IR could not be made that way (it straddles two pages, or
        its end depends on the page's next bytes): that one is translated to IR."""
        t0 = time.perf_counter()
        pc, ppc, flags = key
        fetch = self._fetcher(cpu)
        r = self.xl.records(fetch(pc), pc, flags) if self.xl is not None else None
        if r is None:
            r = translate_records(self.ffi, fetch, pc, flags)
        else:
            self.stats.assembled_here += 1
            if self.xl_check:
                check_assembled(r, translate_records(self.ffi, fetch, pc, flags))
        page = ppc & ~(PAGE_SIZE - 1)
        end = (pc & (PAGE_SIZE - 1)) + len(r.code)
        if end < PAGE_SIZE - 2 or end == PAGE_SIZE:
            # (chainable reads only a block's CALLs)
            ok = not r.helpers or chainable(BlockIR(pc, flags, r.calls(), 0, 0, 0, b"", ()))
            ent = self._enter(key, r.ops, r.nops, r.ntemps, r.code, r.ninsns, r.successors, ok,
                              None, (page,))
            if self.xcache is not None:
                self.xcache.put(pc, flags, CachedBlock(
                    r.code, r.data, r.nops, r.ntemps, r.ninsns, r.successors, ent.chainable))
        else:
            ir = translate_block(fetch, pc, flags)
            pages: tuple[int, ...] = (page,)
            if end > PAGE_SIZE:                     # a first instruction straddling two pages
                pages += (self.fetch_paddr(cpu, pc + len(r.code) - 1) & ~(PAGE_SIZE - 1),)
            ent = self.install(ir, key, pages=pages)
            if self.xcache is not None and len(pages) == 1:
                self.xcache.put(pc, flags, CachedBlock(
                    ir.guest_bytes, r.data, len(ir.insns), ir.ntemps, ir.ninsns,
                    ir.successors, ent.chainable))
        self.stats.translated_here += 1
        self.stats.translate_seconds += time.perf_counter() - t0
        return ent

    def install(self, ir: BlockIR, key: tuple[int, int, int] | None = None,
                native: bool = False, pages: tuple[int, ...] = ()) -> TBEntry:
        """Make `ir` the translation for (pc, physical pc, flags) `key`; `native` compiles it
        at once.  `pages` are tracked for FENCE.I."""
        key = key or (ir.pc, ir.pc, ir.flags)
        ops = encode(self.ffi, ir.insns, ir.ntemps)
        ent = self._enter(key, ops, len(ir.insns), ir.ntemps, ir.guest_bytes, ir.ninsns,
                          ir.successors, chainable(ir), ir, pages)
        if native:
            self._compile_region(ent, [ent])
        return ent

    def _enter(self, key, ops, nops: int, ntemps: int, code: bytes, ninsns: int,
               successors: tuple[int, ...], is_chainable: bool, ir: BlockIR | None,
               pages: tuple[int, ...]) -> TBEntry:
        tb = self.ffi.new("TB *")
        tb.pc, tb.ppc, tb.flags, tb.ops = key[0], key[1], key[2], ops
        tb.nops, tb.ntemps, tb.ninsns = nops, ntemps, ninsns
        if len(pages) > 1:
            tb.ppc2 = pages[1]
        ent = TBEntry(key, tb, ops, code, ninsns, successors, is_chainable, ir, pages=pages)
        old = self.tbs.get(key)
        if old is not None:
            self._drop(old)
        self.tbs[key] = ent
        self.by_addr[int(self.ffi.cast("uintptr_t", tb))] = ent
        for p in pages:
            if self.lib.rt_code_page_track(self.rt, p) != 0:
                self.untracked = True
            self.by_page.setdefault(p, []).append(ent)
        self.lib.rt_tb_insert(self.rt, tb)
        return ent

    # -- the compiled tier -------------------------------------------------------------------
    def handle_hot(self, cpu) -> None:
        tb = self.ffi.cast("TB *", cpu.hot_tb)
        ent = self.by_addr.get(int(self.ffi.cast("uintptr_t", tb))) or \
            self._batch_entry(tb) or self._made_entry(tb)
        if ent is None or self.tbs.get(ent.key) is not ent:
            return
        self._compile_region(ent, self._form_region(cpu, ent))

    def start_compiler(self) -> None:
        """Start the compile workers now, for a run that will compile: they start up on the
        other core while the machine boots, not when its first region is hot."""
        if self.hot_threshold > 1 and self.compile_workers:
            self._codegen().start()

    def _codegen(self) -> Codegen:
        if self.codegen is None:
            self.codegen = Codegen(self.ffi, self.lib, workers=self.compile_workers,
                                   cache=self.disk_cache)
        return self.codegen

    def _compile_region(self, ent: TBEntry, members: list[TBEntry]) -> None:
        # A block from the translation cache or translated straight to records travels as its
        # bytes (the compiler makes its IR again, and refuses it if that is not the same
        # block); one translated to IR (it straddles pages, or a test installed it) as its IR.
        blocks = [FromBytes(m.key[0], m.key[2], bytes(m.code), m.ninsns) if m.ir is None
                  else m.ir for m in members]
        key = self._codegen().region_key([(m.key[0], m.key[2], m.code) for m in members])
        if self.xcache is not None and len(ent.pages) == 1:
            self.xcache.note_region(ent.key[0], ent.key[2], ent.code,
                                    (key, tuple((m.key[0], len(m.code)) for m in members)))
        self._request_region(ent, members, key, blocks)

    def _request_region(self, ent: TBEntry, members: list[TBEntry], key: str,
                        blocks: list[Member]) -> None:
        """Ask for the region `key` with entry `ent`; its code replaces the entry's
        interpretation once loaded, for as long as every member stays valid."""
        installed = []

        def done(addr: int) -> None:
            """The region's code is loaded (again, faster, if it tiered up)."""
            # The guest code may have changed while the region was compiling.
            if not all(m.valid for m in members):
                return
            ent.tb.native = self.ffi.cast("void (*)(CPUState *)", addr)
            if installed:
                return
            region = Region(ent, members)
            installed.append(region)
            for m in members:
                m.regions.append(region)
            self.stats.regions_compiled += 1
            self.stats.blocks_compiled += len(members)

        if not self.codegen.request(blocks, done, key,
                                    lambda: ent.tb.hits if ent.valid else 0):
            # The compile queue is full: ask again after more executions, twice as many each
            # time (the run loop fires when the count reaches the threshold again).
            ent.hot_retries += 1
            wait = self.hot_threshold << min(ent.hot_retries, 16)
            ent.tb.hits = (self.hot_threshold - wait) & 0xFFFF_FFFF

    def _form_region(self, cpu, entry: TBEntry) -> list[TBEntry]:
        """The entry block and the blocks it reaches through constant exits, within its virtual
        page (so one page mapping covers every internal edge), breadth first, up to
        MAX_REGION_BLOCKS.  Successors not run yet are translated now: a region depends only on
        the code, not on what ran before, so it is the same in every run and its compiled code
        is found in the on-disk cache."""
        pc0, ppc0, flags = entry.key
        page = pc0 & ~(PAGE_SIZE - 1)
        members = [entry]
        seen = {pc0}
        i = 0
        while i < len(members) and len(members) < MAX_REGION_BLOCKS:
            m = members[i]
            i += 1
            if not m.chainable:
                continue
            for s in m.successors:
                if s in seen or s & ~(PAGE_SIZE - 1) != page:
                    continue
                skey = (s, ppc0 - pc0 + s, flags)
                cand = self._lookup(skey)
                if cand is None:
                    try:
                        cand = self._translate(cpu, skey)
                    except FetchFault:
                        continue
                if len(cand.pages) > 1:
                    continue        # it straddles into the next page: its own TB checks that
                seen.add(s)
                members.append(cand)
                if len(members) == MAX_REGION_BLOCKS:
                    break
        return members

    # -- invalidation ------------------------------------------------------------------------
    def flush_changed(self) -> None:
        """FENCE.I found code pages whose bytes changed since they were translated (a FENCE.I
        that finds none stays in native code, see native/codepages.c): drop their translations
        (and the compiled regions that contain them)."""
        self.stats.flushes += 1
        if self.untracked:
            self.flush_all()
            return
        while True:
            n = self.lib.rt_code_pages_changed(self.rt, self._changed, len(self._changed))
            for i in range(n):
                for e in self.by_page.pop(self._changed[i], ()):
                    if type(e) is PageBatch:
                        self._drop_batch(e)
                    elif type(e) is MadePage:
                        self._drop_made(e)
                    else:
                        self._drop(e)
            if n < len(self._changed):
                break
        self._free_made()

    def _drop(self, e: TBEntry) -> None:
        if not e.valid:
            return
        e.valid = False
        if self.tbs.get(e.key) is e:
            del self.tbs[e.key]
        self.lib.rt_tb_remove(self.rt, e.tb)
        self.by_addr.pop(int(self.ffi.cast("uintptr_t", e.tb)), None)
        for r in e.regions:
            r.entry.tb.native = self.ffi.NULL
            r.entry.tb.hits = 0

    def _drop_batch(self, b: PageBatch) -> None:
        if not b.valid:
            return
        b.valid = False
        self.lib.rt_tb_remove_page(self.rt, b.tbs, len(b.refs))
        for e in b.entries.values():
            self._drop(e)
        if self.batches.get(b.key) is b:
            del self.batches[b.key]

    def flush_all(self) -> None:
        """Drop every translation (compiled code stays loaded: equal regions reuse it)."""
        for e in self.tbs.values():
            e.valid = False
        self.tbs.clear()
        self.by_addr.clear()
        self.by_page.clear()
        for b in self.batches.values():
            if b is not None:
                b.valid = False
                for e in b.entries.values():
                    e.valid = False
        self.batches.clear()
        for mp in self.made_pages.values():
            mp.valid = False
            for e in mp.entries.values():
                e.valid = False
        self.made_pages.clear()
        self.untracked = False
        self.lib.rt_tb_clear(self.rt)
        self.lib.rt_xl_drop_all(self.rt)
        self.lib.rt_code_pages_reset(self.rt)

    def close(self) -> None:
        """Stop the compile workers and put the made blocks in the translation cache (new
        translations are written when the process exits)."""
        if self.codegen is not None:
            self.codegen.close()
        self.save_made()

    def handle_exit(self, cpu, reason: int) -> bool:
        """Deal with the engine's own exit reasons; False for the machine's."""
        self.stats.python_exits += 1
        name = EXIT_NAMES.get(reason, str(reason))
        self.stats.exits[name] = self.stats.exits.get(name, 0) + 1
        cg = self.codegen
        if cg is not None and cg.due(time.perf_counter()):
            cg.poll()
        if reason == EXIT_NO_TB:
            self.handle_no_tb(cpu)
        elif reason == EXIT_HOT:
            self.handle_hot(cpu)
        elif reason == EXIT_TB_FLUSH:
            self.flush_changed()
        else:
            return False
        return True


def check_assembled(r, py) -> None:
    """RVJIT_XL_CHECK: a block assembled from templates is the Python translator's."""
    py_ok = not py.helpers or chainable(BlockIR(0, 0, py.calls(), 0, 0, 0, b"", ()))
    if not (same_records(r.data, py.data, py.ntemps) and r.nops == py.nops and
            r.ntemps == py.ntemps and r.ninsns == py.ninsns and r.code == py.code and
            r.successors == py.successors and (not r.helpers) == py_ok):
        raise AssertionError(f"block assembled from templates differs from the translator's "
                             f"({r.ninsns} insns, {bytes(r.code).hex()})")
