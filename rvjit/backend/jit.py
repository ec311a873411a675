"""The LLVM code generator: regions of IR become native functions.

Compilation runs in a worker process (LLVM under the GIL in a thread ran 7-10x slower) or, on
request, synchronously; objects are cached on disk (code_cache.py) and loaded into one MCJIT
engine per machine, with the native helpers bound by name.

Two tiers (bench/llvm_compile_bench.py and bench/run_bench.py measure them): a region is first
compiled cheaply (TIER: no IR passes, codegen at O0: ~2.4 ms of worker CPU per region with
lowering, against ~27 ms at O2; a boot's regions average ~6 blocks); its generated code counts
its entries, and a region entered TIER_UP_ENTRIES times is compiled again with optimisation
(TIER2) in the background, its new address handed to the same callback.  Synchronous
compilation (tests) uses the first tier only."""
from __future__ import annotations

import ctypes
import hashlib
import os
import time
from collections.abc import Callable
from pathlib import Path

import llvmlite.binding as llvm

from rvjit import __version__
from rvjit.backend.code_cache import CodeCache, default_dir
from rvjit.backend.code_pack import PACK_LOAD_AFTER, PACK_MIN_REGIONS, CodePack
from rvjit.backend.compile_worker import WorkerPool, compile_regions
from rvjit.backend.objcompile import host_key
from rvjit.backend.region_source import Member, encode_members, region_ir
from rvjit.cachedir import prune
from rvjit.exec.xlate_cache import translator_hash
from rvjit.ir.helpers import HELPERS

TIER = "none:0"         # objcompile.py: "IR passes:codegen level"
TIER2 = "O2:2"
TIER_UP_ENTRIES = 20000  # entries into a first-tier region before it is optimised
SCAN_SECONDS = 0.25     # how often the entry counters are read
POLL_SECONDS = 0.001    # how often an exit with nothing answered polls anyway
IR_FORMAT = 3           # bump when the IR or its lowering changes meaning
# Regions waiting for a compile worker.  A refused request costs the run loop a Python exit
# and the caller another region formation later, so the queue is long and served newest first.
MAX_BACKLOG = 4096
MAX_BATCH = 8           # regions per worker job (one IPC round trip, one finalize to load;
                        # smaller batches let the hottest regions through sooner)

Done = Callable[[int], None]
# A region's blocks, as its compiler receives them (region_source.py): mostly their bytes.
Blocks = list[Member]


class Codegen:
    def __init__(self, ffi, lib, tier: str | None = None, workers: int = 0,
                 cache: bool = True) -> None:
        llvm.initialize_native_target()
        llvm.initialize_native_asmprinter()
        target = llvm.Target.from_default_triple()
        tm = target.create_target_machine(jit=True)
        # One MCJIT engine per machine; it owns its target machine.
        self.engine = llvm.create_mcjit_compiler(llvm.parse_assembly(""), tm)
        self.tier = tier or os.environ.get("RVJIT_LLVM_TIER", TIER)
        tier2 = os.environ.get("RVJIT_LLVM_TIER2", TIER2)
        # Tiering up needs a worker: a synchronous O2 compile would stall the guest.
        self.tier2 = tier2 if workers and tier2 and tier2 != self.tier else None
        self.tier_up_entries = int(os.environ.get("RVJIT_TIER_UP", TIER_UP_ENTRIES))
        self.max_backlog = int(os.environ.get("RVJIT_MAX_BACKLOG", MAX_BACKLOG))
        self.salt = f"{__version__}|{IR_FORMAT}|{self.tier}|{host_key()}|" \
                    f"{translator_hash()}|{backend_source_hash()}".encode()
        self._salted = hashlib.sha256(self.salt)     # copied for each region_key
        salt_id = hashlib.sha256(self.salt).hexdigest()[:24]
        # One directory per salt: a run lists only the entries it could use.
        self.cache = CodeCache(default_dir() / salt_id) if cache else None
        if cache:
            self.cache.dir.mkdir(parents=True, exist_ok=True)
            prune(default_dir(), salt_id, legacy=True)
        self.pack = CodePack(self.cache.dir, salt_id) if self.cache else None
        self.pack_loaded = False
        self.pack_hits = 0
        self.pack_wanted = 0            # requests for regions the pack holds
        self.outside_pack: list[str] = []   # keys of regions loaded or compiled outside it
        self.workers = workers
        self.pool: WorkerPool | None = None
        # Regions by function name: waiting for a worker (queued, per tier), being compiled
        # (inflight), or loaded from the cache and waiting for the next poll (hits).
        self.queued: dict[str, dict[str, tuple[str, Blocks, list[Done]]]] = {
            self.tier: {}, self.tier2: {}}
        self.inflight: dict[str, tuple[str, Blocks, list[Done]]] = {}
        self.hits: list[tuple[str, bytes, Blocks, list[Done]]] = []
        self.heat: dict[str, Callable[[], int]] = {}    # region key -> its heat, while queued
        self.jobs: dict[int, tuple[str, list[str]]] = {}     # job id -> (tier, names)
        # First-tier regions: name -> (entry counter, blocks, callbacks).
        self.watch: dict[str, tuple[ctypes.c_uint64, Blocks, list[Done]]] = {}
        self.next_scan = 0.0
        self.next_poll = 0.0
        self.failures = 0
        self.unmade = 0                 # regions left uncompiled: a block's IR could not be made
        self.last_failure: str | None = None
        self.loaded: dict[str, int] = {}
        self.compile_seconds = 0.0      # CPU time spent compiling (in whichever process)
        self.load_seconds = 0.0
        self.compiled = 0
        self.tiered_up = 0
        self.tier2_compiled = 0         # regions compiled by the optimising tier
        self.tier2_seconds = 0.0
        self.batches = 0
        for name in ["rt_load_slow", "rt_store_slow"] + [h.cname for h in HELPERS.values()]:
            addr = int(ffi.cast("uintptr_t", ffi.addressof(lib, name)))
            llvm.add_symbol(name, addr)

    @property
    def pending(self) -> bool:
        """True while poll() has work: compiles, cache hits to load, counters to read."""
        return bool(self.watch or self.inflight or self.hits or any(self.queued.values()))

    def due(self, now: float) -> bool:
        """Whether the run loop's exit at `now` should poll(): a worker has answered or cache
        hits wait (at once), or POLL_SECONDS have passed with work pending (a cold boot exits
        ~50,000 times; most need no poll)."""
        if self.hits or (self.pool is not None and self.pool.results):
            return True
        if now < self.next_poll:
            return False
        self.next_poll = now + POLL_SECONDS
        return self.pending

    def region_key(self, members: list[tuple[int, int, bytes]]) -> str:
        """The identity of a region of blocks given as (pc, flags, guest bytes): a block's IR
        is a function of those (exec/xlate_cache.py), so with the sources of the translator
        and of this backend in the salt they determine the code.  Equal regions share one
        function and one cache entry."""
        h = self._salted.copy()
        for pc, flags, code in members:
            h.update(b"%x:%x:%x:" % (pc, flags, len(code)))
            h.update(code)
        return h.hexdigest()

    def request(self, blocks: Blocks, done: Done, key: str | None = None,
                heat: Callable[[], int] | None = None) -> bool:
        """Compile a region; `done(address)` runs once its code is loaded (perhaps at once, or
        at a later poll), and again with a faster address if the region tiers up.  `blocks`
        are the region's members (region_source.py: a block's IR or its bytes; the IR is made
        only if the region has to be compiled, and a region one of whose blocks' cannot be
        made stays uncompiled); `key` is its region_key; `heat()` how hot the region is now
        (the hottest waiting regions are compiled first).  False if the compile queue is full
        (the caller may ask again later)."""
        if self.workers and self._backlog() >= self.max_backlog:
            return False        # before hashing: the caller asks again after more executions
        if key is None:
            key = self.region_key([(b.pc, b.flags, b.code if isinstance(b, tuple)
                                    else b.guest_bytes) for b in blocks])
        name = "r_" + key[:24]
        if heat is not None:
            self.heat[key] = heat
        ok = self._request(key, name, blocks, self.tier, done)
        if heat is not None and name not in self.queued[self.tier]:
            self.heat.pop(key, None)        # loaded, cached or on its way already
        return ok

    def has(self, key: str) -> bool:
        """Whether the region `key` is loaded or compiled already (in the pack or the cache):
        a request for it would not wait for a compile."""
        name = "r_" + key[:24]
        return name in self.loaded or (self.pack is not None and key in self.pack.keys()) or \
            (self.cache is not None and self.cache.has(key))

    def _backlog(self) -> int:
        return len(self.queued[self.tier]) + len(self.inflight)

    def _request(self, key: str, name: str, blocks: Blocks, tier: str, done: Done) -> bool:
        if name in self.loaded:
            done(self.loaded[name])
            return True
        waiting = self.queued[tier].get(name) or self.inflight.get(name)
        if waiting is not None:
            waiting[-1].append(done)
            return True
        if self.pack is not None and key in self.pack.keys():
            # The pack is loaded (~0.3 s for a boot's) once a run has asked for enough of its
            # regions; until then they come from their own files.  A small program whose few
            # regions a boot also had (the reset ROM's) never loads it.
            self.pack_wanted += 1
            if self.pack_loaded or self.pack_wanted >= PACK_LOAD_AFTER:
                addr = self._from_pack(name, blocks, [done])
                if addr:
                    done(addr)
                    return True
        obj = self.cache.get(key) if self.cache else None
        if obj is not None:
            if self.pack is None or key not in self.pack.keys():
                self.outside_pack.append(key)
            if self.workers:
                self.hits.append((name, obj, blocks, [done]))     # loaded together at poll()
            else:
                self._load([(name, obj, blocks, [done])])
            return True
        if self.workers:
            self.queued[tier][name] = (key, blocks, [done])
            self._submit()
            return True
        irs = region_ir(blocks)
        if irs is None:
            self.unmade += 1
            return True
        t0 = time.process_time()
        (obj,) = compile_regions([(name, irs)], tier)
        self._finish([(name, key, obj, blocks, [done])], time.process_time() - t0)
        return True

    def start(self) -> None:
        """Start the compile workers (else the first request does)."""
        if self.workers and self.pool is None:
            # The workers write the objects they make to the cache themselves.
            self.pool = WorkerPool(self.workers, self.cache.dir if self.cache else None)

    def _submit(self) -> None:
        """Hand queued regions (first tier first) to an idle worker as one job; while every
        worker is busy they wait, so batches grow with the backlog."""
        self.start()
        while len(self.jobs) < self.workers:
            tier = next((t for t, q in self.queued.items() if q), None)
            if tier is None:
                return
            q = self.queued[tier]
            heat = self.heat
            names = next_batch(q, heat, MAX_BATCH)
            batch = []
            for n in names:
                key, blocks, dones = q.pop(n)
                heat.pop(key, None)
                self.inflight[n] = (key, blocks, dones)
                batch.append((n, key, encode_members(blocks)))
            self.jobs[self.pool.submit(batch, tier)] = (tier, names)

    def poll(self) -> int:
        """Load the regions whose compilation has finished and the cache hits, and queue the
        regions that have become hot for the second tier; returns how many were loaded."""
        n = 0
        if self.hits:
            hits, self.hits = self.hits, []
            self._load(hits)
            n += len(hits)
        for job, objs, err, secs in self.pool.done() if self.jobs and self.pool.results else ():
            tier, names = self.jobs.pop(job)
            entries = [(nm, *self.inflight.pop(nm)) for nm in names]
            if objs is None:
                # LLVM rejected the batch: its regions keep running where they ran.
                self.failures += len(names)
                self.last_failure = err
                continue
            made = [(nm, key, obj, blocks, dones) for (nm, key, blocks, dones), obj
                    in zip(entries, objs, strict=True) if obj is not None]
            self.unmade += len(names) - len(made)
            self._finish(made, secs, written=True)
            if tier != self.tier:
                self.tier2_compiled += len(names)
                self.tier2_seconds += secs
            n += len(names)
        if self.tier2 and self.watch and time.perf_counter() >= self.next_scan:
            self._tier_up()
        if self.pool and len(self.jobs) < self.workers and any(self.queued.values()):
            self._submit()
        return n

    def _tier2_key(self, name: str) -> str:
        return hashlib.sha256(f"{name}|{self.tier2}".encode()).hexdigest()

    def _tier_up(self) -> None:
        self.next_scan = time.perf_counter() + SCAN_SECONDS
        limit = self.tier_up_entries
        hot = [name for name, (count, _, _) in self.watch.items() if count.value >= limit]
        for name in hot:
            _, blocks, dones = self.watch.pop(name)
            key = self._tier2_key(name)
            self.tiered_up += 1
            for d in dones:
                self._request(key, "o_" + key[:24], blocks, self.tier2, d)

    def _finish(self, done: list[tuple[str, str, bytes, Blocks, list[Done]]],
                secs: float, written: bool = False) -> None:
        """Load compiled regions; `written`: their compiler has put them in the cache."""
        self.compile_seconds += secs
        self.compiled += len(done)
        self.batches += 1
        if self.cache:
            for _, key, obj, _, _ in done:
                if written:
                    self.cache.noted(key)
                else:
                    self.cache.put(key, obj)
                self.outside_pack.append(key)
        self._load([(name, obj, blocks, dones) for name, _, obj, blocks, dones in done])

    def _from_pack(self, name: str, blocks: Blocks, dones: list[Done]) -> int:
        """The region's address from the pack (loaded on first use); 0 if it is not there."""
        if not self.pack_loaded:
            self.pack_loaded = True
            t0 = time.perf_counter()
            data = self.pack.read()
            if data is None:
                self.pack = None
                return 0
            self.engine.add_object_file(llvm.ObjectFileRef.from_data(data))
            self.engine.finalize_object()
            self.load_seconds += time.perf_counter() - t0
        addr = self.engine.get_function_address(name)
        if addr:
            self.pack_hits += 1
            self._loaded(name, addr, blocks, dones)
        return addr

    def _loaded(self, name: str, addr: int, blocks: Blocks, dones: list[Done]) -> None:
        self.loaded[name] = addr
        if self.tier2 and name.startswith("r_"):
            key2 = self._tier2_key(name)
            if (self.pack is not None and key2 in self.pack.keys()) or \
                    (self.cache is not None and self.cache.has(key2)):
                # An earlier run optimised it: take that code at the next scan, not after
                # another TIER_UP_ENTRIES entries in this run.
                count = ctypes.c_uint64(self.tier_up_entries)
            else:
                count = ctypes.c_uint64.from_address(
                    self.engine.get_global_value_address(name + "_n"))
            self.watch[name] = (count, blocks, dones)

    def _load(self, objs: list[tuple[str, bytes, Blocks, list[Done]]]) -> None:
        """Add objects to the engine, link them with one finalize, and run their callbacks."""
        t0 = time.perf_counter()
        for _, obj, _, _ in objs:
            self.engine.add_object_file(llvm.ObjectFileRef.from_data(obj))
        self.engine.finalize_object()
        for name, _, blocks, dones in objs:
            self._loaded(name, self.engine.get_function_address(name), blocks, dones)
        self.load_seconds += time.perf_counter() - t0
        for name, _, _, dones in objs:
            for d in list(dones):
                d(self.loaded[name])

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool = None
        # A few regions outside the pack are loaded one by one next time; relinking the pack
        # (~0.5 s for a boot's) pays when there are more.
        held = len(self.pack.keys()) if self.pack is not None else 0
        if self.pack is not None and len(self.loaded) >= PACK_MIN_REGIONS and \
                self.outside_pack and (not held or len(self.outside_pack) >= max(64, held // 50)):
            keys, self.outside_pack = self.outside_pack, []
            self.pack.rewrite([self.cache.path(k) for k in keys], keys)
        for q in self.queued.values():
            q.clear()
        self.inflight.clear()
        self.jobs.clear()
        self.hits.clear()
        self.watch.clear()


def next_batch(queued: dict[str, tuple], heat: dict[str, Callable[[], int]], n: int
               ) -> list[str]:
    """The names of the next `n` queued regions to compile (queued: name -> (key, ...) in
    request order): the hottest (heat[key]() now, 0 for one without), ties and regions
    without heat the most recently requested first (oldest-first was slower)."""
    names = list(queued)
    if len(names) > n and heat:
        names.sort(key=lambda nm: h() if (h := heat.get(queued[nm][0])) else 0)   # stable
    return names[-n:]


_backend_hash: str | None = None


def backend_source_hash() -> str:
    """A hash of the sources that turn IR into machine code."""
    global _backend_hash
    if _backend_hash is None:
        h = hashlib.sha256()
        here = Path(__file__).resolve().parent
        for name in ("llvm_lower.py", "objcompile.py", "compile_worker.py", "region_source.py"):
            h.update((here / name).read_bytes())
        _backend_hash = h.hexdigest()[:24]
    return _backend_hash


def default_workers() -> int:
    return int(os.environ.get("RVJIT_COMPILE_WORKERS", "1"))
