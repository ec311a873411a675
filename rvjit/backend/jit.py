"""The LLVM code generator: regions of IR become native functions.

Compilation runs in a worker process (LLVM under the GIL in a thread ran 7-10x slower) or, on
request, synchronously; objects are cached on disk (code_cache.py) and loaded into one MCJIT
engine per machine, with the native helpers bound by name."""
from __future__ import annotations

import hashlib
import multiprocessing
import os
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor

import llvmlite.binding as llvm

from rvjit.backend.code_cache import CodeCache, default_dir
from rvjit.backend.llvm_lower import lower_region, module_prelude
from rvjit.backend.objcompile import compile_to_object, host_key
from rvjit.frontend.translate import BlockIR
from rvjit.ir.helpers import HELPERS

OPT_LEVEL = 2
_PLACEHOLDER = "@__region__"

Done = Callable[[int], None]


class Codegen:
    def __init__(self, ffi, lib, opt_level: int = OPT_LEVEL, workers: int = 0,
                 cache: bool = True) -> None:
        llvm.initialize_native_target()
        llvm.initialize_native_asmprinter()
        target = llvm.Target.from_default_triple()
        tm = target.create_target_machine(opt=opt_level, jit=True)
        # One MCJIT engine per machine; it owns its target machine.
        self.engine = llvm.create_mcjit_compiler(llvm.parse_assembly(""), tm)
        self.opt_level = opt_level
        self.prelude = module_prelude()
        self.cache = CodeCache(default_dir(), host_key(), opt_level) if cache else None
        self.workers = workers
        self.pool: ProcessPoolExecutor | None = None
        self.pending: list[tuple[Future, str, str, Done]] = []
        self.loaded: dict[str, int] = {}
        self.compile_seconds = 0.0      # time spent compiling (in whichever process)
        self.load_seconds = 0.0
        self.compiled = 0
        self.batches = 0
        for name in ["rt_load_slow", "rt_store_slow"] + [h.cname for h in HELPERS.values()]:
            addr = int(ffi.cast("uintptr_t", ffi.addressof(lib, name)))
            llvm.add_symbol(name, addr)

    def region_text(self, blocks: list[BlockIR]) -> tuple[str, str]:
        """(function name, module text); the name derives from the text, so equal regions
        share one object in the cache."""
        body = lower_region(_PLACEHOLDER[1:], blocks)
        name = "r_" + hashlib.sha256(body.encode()).hexdigest()[:24]
        return name, self.prelude + body.replace(_PLACEHOLDER, "@" + name)

    def request(self, blocks: list[BlockIR], done: Done) -> None:
        """Compile a region; `done(address)` runs once its code is loaded (perhaps at once)."""
        name, text = self.region_text(blocks)
        if name in self.loaded:
            done(self.loaded[name])
            return
        key = self.cache.key(text) if self.cache else None
        obj = self.cache.get(key) if self.cache else None
        if obj is not None:
            done(self._load(name, obj))
            return
        if self.workers:
            if self.pool is None:
                # Spawned, not forked: the parent holds LLVM state a fork would copy.
                self.pool = ProcessPoolExecutor(
                    self.workers, mp_context=multiprocessing.get_context("spawn"))
            fut = self.pool.submit(_timed_compile, text, self.opt_level)
            self.pending.append((fut, name, key, done))
            return
        obj, secs = _timed_compile(text, self.opt_level)
        self._finish(name, key, obj, secs, done)

    def poll(self, wait: bool = False) -> int:
        """Load the regions whose compilation has finished; returns how many."""
        if not self.pending:
            return 0
        still, n = [], 0
        for fut, name, key, done in self.pending:
            if wait or fut.done():
                obj, secs = fut.result()
                self._finish(name, key, obj, secs, done)
                n += 1
            else:
                still.append((fut, name, key, done))
        self.pending = still
        return n

    def _finish(self, name: str, key: str | None, obj: bytes, secs: float, done: Done) -> None:
        self.compile_seconds += secs
        self.compiled += 1
        self.batches += 1
        if self.cache and key:
            self.cache.put(key, obj)
        done(self._load(name, obj))

    def _load(self, name: str, obj: bytes) -> int:
        t0 = time.perf_counter()
        self.engine.add_object_file(llvm.ObjectFileRef.from_data(obj))
        self.engine.finalize_object()
        addr = self.engine.get_function_address(name)
        self.loaded[name] = addr
        self.load_seconds += time.perf_counter() - t0
        return addr

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = None


def _timed_compile(text: str, opt_level: int) -> tuple[bytes, float]:
    t0 = time.perf_counter()
    obj = compile_to_object(text, opt_level)
    return obj, time.perf_counter() - t0


def default_workers() -> int:
    return int(os.environ.get("RVJIT_COMPILE_WORKERS", "1"))
