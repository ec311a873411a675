"""The execution engine: the translation-block cache and its two tiers.

Blocks are translated to IR on first execution and run by the native interpreter tier; a block
that proves hot (the run loop counts) becomes the entry of a region compiled by LLVM.  The cache
is keyed on (virtual pc, physical pc, flags); the native lookup tables are a cache of it, and can
be cleared at any time (they are refilled from here on a miss).
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

from rvjit.backend.interp_encode import encode
from rvjit.backend.jit import Codegen, default_workers
from rvjit.backend.llvm_lower import chainable
from rvjit.cpu.state import EXIT_HOT, EXIT_NO_TB, EXIT_TB_FLUSH, PAGE_SIZE
from rvjit.frontend.translate import BlockIR, FetchFault, translate_block

MAX_REGION_BLOCKS = 16
DEFAULT_HOT_THRESHOLD = 50


@dataclass(eq=False)
class TBEntry:
    key: tuple[int, int, int]
    ir: BlockIR
    tb: object                     # cffi TB *
    ops: object                    # cffi IROp[] (kept alive)
    regions: list = field(default_factory=list)   # regions that contain this block
    valid: bool = True             # False once dropped (guest code changed)
    pages: tuple[int, ...] = ()    # physical pages its code came from


@dataclass(eq=False)
class Region:
    entry: TBEntry
    members: list[TBEntry]


@dataclass
class Stats:
    blocks_translated: int = 0
    translate_seconds: float = 0.0
    regions_compiled: int = 0
    blocks_compiled: int = 0
    python_exits: int = 0
    flushes: int = 0


class Engine:
    def __init__(self, ffi, lib, rt, memory, hot_threshold: int | None = None,
                 compile_workers: int | None = None) -> None:
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
        self.codegen: Codegen | None = None
        self.tbs: dict[tuple[int, int, int], TBEntry] = {}
        self.by_addr: dict[int, TBEntry] = {}
        self.by_page: dict[int, list[TBEntry]] = {}
        self._changed = ffi.new("uint64_t[]", 1024)
        self.untracked = False      # a translation came from a page that cannot be tracked
        self.stats = Stats()
        self._paddr = ffi.new("uint64_t *")

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
            if ent is None:
                ent = self._translate(cpu, key)
            else:
                self.lib.rt_tb_insert(self.rt, ent.tb)
        except FetchFault as f:
            # The first instruction (or its second half) cannot be fetched: take the trap now,
            # with its guest-page-fault facts; nothing is cached.
            self.lib.helper_fetch_fault(cpu, f.vaddr)
            cpu.exc_taken = 0
            cpu.budget -= 1     # it counts as a block, so a fault loop still yields

    def _translate(self, cpu, key) -> TBEntry:
        t0 = time.perf_counter()
        ir = translate_block(self._fetcher(cpu), key[0], key[2])
        pages = {key[1] & ~(PAGE_SIZE - 1)}
        last = key[0] + ir.size - 1
        if (last ^ key[0]) & ~(PAGE_SIZE - 1):      # a first instruction straddling two pages
            pages.add(self.fetch_paddr(cpu, last) & ~(PAGE_SIZE - 1))
        ent = self.install(ir, key, pages=tuple(pages))
        self.stats.blocks_translated += 1
        self.stats.translate_seconds += time.perf_counter() - t0
        return ent

    def install(self, ir: BlockIR, key: tuple[int, int, int] | None = None,
                native: bool = False, pages: tuple[int, ...] = ()) -> TBEntry:
        """Make `ir` the translation for (pc, physical pc, flags) `key`; `native` compiles it
        at once.  `pages` are tracked for FENCE.I."""
        key = key or (ir.pc, ir.pc, ir.flags)
        ops = encode(self.ffi, ir.insns, ir.ntemps)
        tb = self.ffi.new("TB *")
        tb.pc, tb.ppc, tb.flags, tb.ops = key[0], key[1], key[2], ops
        tb.nops, tb.ntemps, tb.ninsns = len(ir.insns), ir.ntemps, ir.ninsns
        ent = TBEntry(key, ir, tb, ops, pages=pages)
        old = self.tbs.get(key)
        if old is not None:
            self._drop(old)
        self.tbs[key] = ent
        self.by_addr[int(self.ffi.cast("uintptr_t", tb))] = ent
        for p in pages:
            if self.lib.rt_code_page_track(self.rt, p) != 0:
                self.untracked = True
            self.by_page.setdefault(p, []).append(ent)
        if native:
            self._compile_region(ent, [ent])
        self.lib.rt_tb_insert(self.rt, tb)
        return ent

    # -- the compiled tier -------------------------------------------------------------------
    def handle_hot(self, cpu) -> None:
        ent = self.by_addr.get(int(self.ffi.cast("uintptr_t", cpu.hot_tb)))
        if ent is None or ent.key not in self.tbs:
            return
        self._compile_region(ent, self._form_region(ent))

    def _compile_region(self, ent: TBEntry, members: list[TBEntry]) -> None:
        if self.codegen is None:
            self.codegen = Codegen(self.ffi, self.lib, workers=self.compile_workers)

        def done(addr: int) -> None:
            # The guest code may have changed while the region was compiling.
            if not all(m.valid for m in members):
                return
            ent.tb.native = self.ffi.cast("void (*)(CPUState *)", addr)
            region = Region(ent, members)
            for m in members:
                m.regions.append(region)
            self.stats.regions_compiled += 1
            self.stats.blocks_compiled += len(members)

        if not self.codegen.request([m.ir for m in members], done):
            ent.tb.hits = 0     # the compile queue is full: ask again after more executions

    def _form_region(self, entry: TBEntry) -> list[TBEntry]:
        """The entry block and the translated blocks it reaches through constant exits, within
        its virtual page (so one page mapping covers every internal edge)."""
        pc0, ppc0, flags = entry.key
        page = pc0 & ~(PAGE_SIZE - 1)
        members = [entry]
        seen = {pc0}
        i = 0
        while i < len(members) and len(members) < MAX_REGION_BLOCKS:
            m = members[i]
            i += 1
            if not chainable(m.ir):
                continue
            for s in m.ir.successors:
                if s in seen or s & ~(PAGE_SIZE - 1) != page:
                    continue
                cand = self.tbs.get((s, ppc0 - pc0 + s, flags))
                if cand is not None:
                    seen.add(s)
                    members.append(cand)
        return members

    # -- invalidation ------------------------------------------------------------------------
    def flush_changed(self) -> None:
        """FENCE.I: drop the translations made from pages whose bytes changed since (and the
        compiled regions that contain them)."""
        self.stats.flushes += 1
        if self.untracked:
            self.flush_all()
            return
        while True:
            n = self.lib.rt_code_pages_changed(self.rt, self._changed, len(self._changed))
            for i in range(n):
                for e in self.by_page.pop(self._changed[i], ()):
                    self._drop(e)
            if n < len(self._changed):
                break

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

    def flush_all(self) -> None:
        """Drop every translation (compiled code stays loaded: equal regions reuse it)."""
        for e in self.tbs.values():
            e.valid = False
        self.tbs.clear()
        self.by_addr.clear()
        self.by_page.clear()
        self.untracked = False
        self.lib.rt_tb_clear(self.rt)
        self.lib.rt_code_pages_reset(self.rt)

    def handle_exit(self, cpu, reason: int) -> bool:
        """Deal with the engine's own exit reasons; False for the machine's."""
        self.stats.python_exits += 1
        if self.codegen is not None and self.codegen.pending:
            self.codegen.poll()
        if reason == EXIT_NO_TB:
            self.handle_no_tb(cpu)
        elif reason == EXIT_HOT:
            self.handle_hot(cpu)
        elif reason == EXIT_TB_FLUSH:
            self.flush_changed()
        else:
            return False
        return True
