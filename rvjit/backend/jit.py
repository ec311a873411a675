"""The LLVM code generator: regions of IR become native functions.

Compilation runs in a worker process (LLVM under the GIL in a thread ran 7-10x slower) or, on
request, synchronously; objects are cached on disk (code_cache.py) and loaded into one MCJIT
engine per machine, with the native helpers bound by name."""
from __future__ import annotations

import hashlib
import os
import pickle
import time
from collections.abc import Callable

import llvmlite.binding as llvm

from rvjit import __version__
from rvjit.backend.code_cache import CodeCache, default_dir
from rvjit.backend.compile_worker import WorkerPool, compile_regions, encode_region
from rvjit.backend.objcompile import host_key
from rvjit.frontend.translate import BlockIR
from rvjit.ir.helpers import HELPERS

# How hard LLVM works on a region (objcompile.py; bench/llvm_compile_bench.py measures them):
# "passes:codegen level".  No IR passes and codegen at O0 cost ~1.5-2 ms per region against
# ~27 ms for the O2 pipeline, and a boot compiles ~15k regions.
DEFAULT_TIER = "none:0"
IR_FORMAT = 2           # bump when the IR or its lowering changes meaning
MAX_BACKLOG = 256       # regions waiting for a compile worker
MAX_BATCH = 16          # regions per worker job (one IPC round trip, one finalize to load)

Done = Callable[[int], None]


class Codegen:
    def __init__(self, ffi, lib, tier: str | None = None, workers: int = 0,
                 cache: bool = True) -> None:
        llvm.initialize_native_target()
        llvm.initialize_native_asmprinter()
        target = llvm.Target.from_default_triple()
        tm = target.create_target_machine(jit=True)
        # One MCJIT engine per machine; it owns its target machine.
        self.engine = llvm.create_mcjit_compiler(llvm.parse_assembly(""), tm)
        self.tier = tier or os.environ.get("RVJIT_LLVM_TIER", DEFAULT_TIER)
        self.cache = CodeCache(default_dir()) if cache else None
        self.salt = f"{__version__}|{IR_FORMAT}|{self.tier}|{host_key()}".encode()
        self.workers = workers
        self.pool: WorkerPool | None = None
        # Regions by function name: waiting for a worker (queued) or being compiled (pending).
        self.queued: dict[str, tuple[str, tuple, list[Done]]] = {}
        self.inflight: dict[str, tuple[str, list[Done]]] = {}
        self.jobs: dict[int, list[str]] = {}     # job id -> function names
        self.failures = 0
        self.last_failure: str | None = None
        self.loaded: dict[str, int] = {}
        self.compile_seconds = 0.0      # time spent compiling (in whichever process)
        self.load_seconds = 0.0
        self.compiled = 0
        self.batches = 0
        for name in ["rt_load_slow", "rt_store_slow"] + [h.cname for h in HELPERS.values()]:
            addr = int(ffi.cast("uintptr_t", ffi.addressof(lib, name)))
            llvm.add_symbol(name, addr)

    @property
    def pending(self) -> int:
        return len(self.queued) + len(self.inflight)

    def region_key(self, blocks: list[BlockIR]) -> str:
        """The region's identity: a hash of its IR (which records the guest pcs, flags and
        everything the translation read), salted with what the code also depends on.  Equal
        regions share one function and one cache entry."""
        ir = pickle.dumps([(b.pc, b.flags, b.insns) for b in blocks], protocol=5)
        return hashlib.sha256(self.salt + ir).hexdigest()

    def request(self, blocks: list[BlockIR], done: Done) -> bool:
        """Compile a region; `done(address)` runs once its code is loaded (perhaps at once).
        False if the compile queue is full (the caller may ask again later)."""
        key = self.region_key(blocks)
        name = "r_" + key[:24]
        if name in self.loaded:
            done(self.loaded[name])
            return True
        waiting = self.queued.get(name) or self.inflight.get(name)
        if waiting is not None:
            waiting[-1].append(done)
            return True
        obj = self.cache.get(key) if self.cache else None
        if obj is not None:
            self._load([(name, obj, [done])])
            return True
        if self.workers:
            if self.pending >= MAX_BACKLOG:
                return False
            self.queued[name] = (key, encode_region(blocks), [done])
            self._submit()
            return True
        t0 = time.perf_counter()
        (obj,) = compile_regions([(name, blocks)], self.tier)
        self._finish([(name, key, obj, [done])], time.perf_counter() - t0)
        return True

    def _submit(self) -> None:
        """Hand the queued regions to an idle worker as one job; while every worker is busy
        they wait, so batches grow with the backlog."""
        if self.pool is None:
            self.pool = WorkerPool(self.workers)
        while self.queued and len(self.jobs) < self.workers:
            names = list(self.queued)[:MAX_BATCH]
            batch = []
            for n in names:
                key, enc, dones = self.queued.pop(n)
                self.inflight[n] = (key, dones)
                batch.append((n, enc))
            self.jobs[self.pool.submit(batch, self.tier)] = names

    def poll(self) -> int:
        """Load the regions whose compilation has finished; returns how many."""
        if not self.pending:
            return 0
        n = 0
        for job, objs, err, secs in self.pool.done():
            names = self.jobs.pop(job)
            entries = [(nm, *self.inflight.pop(nm)) for nm in names]
            if objs is None:
                # LLVM rejected the batch: its regions keep running in the interpreter tier.
                self.failures += len(names)
                self.last_failure = err
                continue
            self._finish([(nm, key, obj, dones) for (nm, key, dones), obj
                          in zip(entries, objs)], secs)
            n += len(names)
        if self.queued:
            self._submit()
        return n

    def _finish(self, done: list[tuple[str, str, bytes, list[Done]]], secs: float) -> None:
        self.compile_seconds += secs
        self.compiled += len(done)
        self.batches += 1
        if self.cache:
            for _, key, obj, _ in done:
                self.cache.put(key, obj)
        self._load([(name, obj, dones) for name, _, obj, dones in done])

    def _load(self, objs: list[tuple[str, bytes, list[Done]]]) -> None:
        """Add objects to the engine, link them with one finalize, and run their callbacks."""
        t0 = time.perf_counter()
        for _, obj, _ in objs:
            self.engine.add_object_file(llvm.ObjectFileRef.from_data(obj))
        self.engine.finalize_object()
        for name, _, _ in objs:
            self.loaded[name] = self.engine.get_function_address(name)
        self.load_seconds += time.perf_counter() - t0
        for name, _, dones in objs:
            for d in dones:
                d(self.loaded[name])

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool = None
        self.queued.clear()
        self.inflight.clear()
        self.jobs.clear()


def default_workers() -> int:
    return int(os.environ.get("RVJIT_COMPILE_WORKERS", "1"))
