"""The LLVM code generator: regions of IR become native functions.

Compilation runs in a worker process (LLVM under the GIL in a thread ran 7-10x slower) or, on
request, synchronously; objects are cached on disk (code_cache.py) and loaded into one MCJIT
engine per machine, with the native helpers bound by name."""
from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from pathlib import Path

import llvmlite.binding as llvm

from rvjit import __version__
from rvjit.backend.code_cache import CodeCache, default_dir
from rvjit.backend.compile_worker import WorkerPool, compile_region
from rvjit.backend.objcompile import host_key
from rvjit.exec.xlate_cache import translator_hash
from rvjit.frontend.translate import BlockIR
from rvjit.ir.helpers import HELPERS

OPT_LEVEL = 2
IR_FORMAT = 1           # bump when the IR or its lowering changes meaning
MAX_BACKLOG = 64        # regions waiting for a compile worker

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
        self.cache = CodeCache(default_dir()) if cache else None
        self.salt = f"{__version__}|{IR_FORMAT}|{opt_level}|{host_key()}|" \
                    f"{translator_hash()}|{backend_source_hash()}".encode()
        self.workers = workers
        self.pool: WorkerPool | None = None
        self.pending: dict[int, tuple[str, str | None, Done]] = {}
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

    def region_key(self, members: list[tuple[int, int, bytes]]) -> str:
        """The identity of a region of blocks given as (pc, flags, guest bytes): a block's IR
        is a function of those (exec/xlate_cache.py), so with the sources of the translator
        and of this backend in the salt they determine the code.  Equal regions share one
        function and one cache entry."""
        h = hashlib.sha256(self.salt)
        for pc, flags, code in members:
            h.update(b"%x:%x:%x:" % (pc, flags, len(code)))
            h.update(code)
        return h.hexdigest()

    def cached(self, key: str, done: Done) -> bool:
        """If the region `key` is loaded or in the on-disk cache, load it and call done."""
        name = "r_" + key[:24]
        if name in self.loaded:
            done(self.loaded[name])
            return True
        obj = self.cache.get(key) if self.cache else None
        if obj is not None:
            done(self._load(name, obj))
            return True
        return False

    def request(self, blocks: list[BlockIR], done: Done, key: str | None = None) -> bool:
        """Compile a region; `done(address)` runs once its code is loaded (perhaps at once).
        False if the compile queue is full (the caller may ask again later)."""
        if key is None:
            key = self.region_key([(b.pc, b.flags, b.guest_bytes) for b in blocks])
        name = "r_" + key[:24]
        if self.cached(key, done):
            return True
        if self.workers:
            if len(self.pending) >= MAX_BACKLOG:
                return False
            if self.pool is None:
                self.pool = WorkerPool(self.workers)
            self.pending[self.pool.submit(name, blocks, self.opt_level)] = (name, key, done)
            return True
        t0 = time.perf_counter()
        obj = compile_region(name, blocks, self.opt_level)
        self._finish(name, key, obj, time.perf_counter() - t0, done)
        return True

    def poll(self) -> int:
        """Load the regions whose compilation has finished; returns how many."""
        if not self.pending:
            return 0
        n = 0
        for job, obj, err, secs in self.pool.done():
            name, key, done = self.pending.pop(job)
            if obj is None:
                # LLVM rejected the region: it keeps running in the interpreter tier.
                self.failures += 1
                self.last_failure = err
                continue
            self._finish(name, key, obj, secs, done)
            n += 1
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
            self.pool.close()
            self.pool = None
            self.pending.clear()


_backend_hash: str | None = None


def backend_source_hash() -> str:
    """A hash of the sources that turn IR into machine code."""
    global _backend_hash
    if _backend_hash is None:
        h = hashlib.sha256()
        here = Path(__file__).resolve().parent
        for name in ("llvm_lower.py", "objcompile.py", "compile_worker.py"):
            h.update((here / name).read_bytes())
        _backend_hash = h.hexdigest()[:24]
    return _backend_hash


def default_workers() -> int:
    return int(os.environ.get("RVJIT_COMPILE_WORKERS", "1"))
