"""A compile worker process: reads (job id, tier, [(function name, region key, region)...])
requests from stdin and writes (job id, [object bytes, or None for a region whose IR could not
be made...] or None, error text or None, seconds) replies to stdout, as length-prefixed marshal
data.  A job is a batch of regions compiled as one LLVM module (codegen per function costs less
in a module of many), split into one object per region so that each has its own cache entry.

Regions travel as their blocks' bytes (region_source.py): the worker translates them again and
lowers them to LLVM IR text itself, and, given a code cache directory, writes each object to the
cache under its region key (in a thread, before it replies), so the emulator pays for neither.

Run as `python -m rvjit.backend.compile_worker [cache directory]`; the emulator talks to it
through WorkerPool.
It is a plain subprocess rather than a multiprocessing pool so that the parent's main module
is never imported again in the worker."""
from __future__ import annotations

import collections
import gc
import marshal
import os
import queue
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

from rvjit.backend.region_source import decode_members
from rvjit.frontend.translate import BlockIR

_LEN = struct.Struct("<Q")


def _send(stream, obj) -> None:
    data = marshal.dumps(obj)
    stream.write(_LEN.pack(len(data)) + data)
    stream.flush()


def _recv(stream):
    head = stream.read(_LEN.size)
    if len(head) < _LEN.size:
        return None
    (n,) = _LEN.unpack(head)
    return marshal.loads(stream.read(n))


def compile_regions(regions: list[tuple[str, list[BlockIR] | None]], tier: str,
                    verify: bool = True) -> list[bytes | None]:
    """Lower and compile regions (name, blocks), one module and one object each (so that each
    region has its own cache entry and is loaded alone when it hits); None for a region
    without blocks (its IR could not be made)."""
    from rvjit.backend.llvm_lower import lower_region, module_prelude
    from rvjit.backend.objcompile import compile_to_object, runs_passes
    prelude = module_prelude()
    inline = runs_passes(tier)
    return [None if blocks is None else
            compile_to_object(prelude + lower_region(name, blocks, inline), tier, verify)
            for name, blocks in regions]


def serve(cache_dir: str | None = None) -> None:
    inp, out = sys.stdin.buffer, sys.stdout.buffer
    # The verifier is for tests (they compile in-process); RVJIT_LLVM_VERIFY=1 turns it on here.
    verify = os.environ.get("RVJIT_LLVM_VERIFY", "") not in ("", "0")
    # Given a cache, a thread writes each job's objects and only then replies: every region
    # the parent has is in the cache (the pack it links when it closes takes them from
    # there), and the next job compiles meanwhile (the writes are mostly system calls).
    replies: queue.Queue | None = None
    if cache_dir:
        replies = queue.Queue()
        writer = threading.Thread(target=_write_and_reply, args=(Path(cache_dir), replies, out))
        writer.start()
    # The cyclic collector cost ~5% of the worker in a cold boot: it runs every 256 jobs only
    # (whatever cycles lowering leaves are few).
    gc.disable()
    while (req := _recv(inp)) is not None:
        job, tier, batch = req
        if job % 256 == 255:
            gc.collect()
        t0 = time.thread_time()       # CPU seconds: the worker shares the cores
        try:
            objs = compile_regions([(n, decode_members(e)) for n, _, e in batch], tier, verify)
            err = None
        except Exception as e:      # reported to the parent, which then compiles nothing
            objs, err = None, f"{type(e).__name__}: {e}"
        reply = (job, objs, err, time.thread_time() - t0)
        if replies is None:
            _send(out, reply)
        else:
            replies.put(([key for _, key, _ in batch], reply))
    if replies is not None:
        replies.put(None)
        writer.join()


def _write_and_reply(cache_dir: Path, replies: queue.Queue, out) -> None:
    from rvjit.backend.code_cache import CodeCache
    cache = CodeCache(cache_dir)
    while (item := replies.get()) is not None:
        keys, reply = item
        for key, obj in zip(keys, reply[1] or (), strict=False):
            if obj is not None:
                cache.put(key, obj)
        _send(out, reply)


class WorkerPool:
    """Compile jobs in worker processes; finished jobs are collected by done()."""

    def __init__(self, n: int, cache_dir: Path | None = None) -> None:
        """`n` workers; given `cache_dir` they write what they compile to that code cache."""
        # Replies (appended by the reader threads; a deque: done() is called at every exit
        # of the run loop, and a Queue's locking cost it ~2 us even when empty).
        self.results: collections.deque = collections.deque()
        self.procs: list[subprocess.Popen] = []
        self.inboxes: list[queue.Queue] = []
        self.next_job = 0
        for _ in range(n):
            p = subprocess.Popen([sys.executable, "-m", "rvjit.backend.compile_worker"]
                                 + ([str(cache_dir)] if cache_dir is not None else []),
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE)
            inbox: queue.Queue = queue.Queue()
            self.procs.append(p)
            self.inboxes.append(inbox)
            # Writing to a busy worker's pipe would block the emulator: threads do the IO.
            threading.Thread(target=self._writer, args=(p, inbox), daemon=True).start()
            threading.Thread(target=self._reader, args=(p,), daemon=True).start()

    def _writer(self, p: subprocess.Popen, inbox: queue.Queue) -> None:
        while (req := inbox.get()) is not None:
            try:
                _send(p.stdin, req)
            except (OSError, ValueError):
                return
        try:
            p.stdin.close()
        except OSError:
            pass

    def _reader(self, p: subprocess.Popen) -> None:
        while (rep := _recv(p.stdout)) is not None:
            self.results.append(rep)

    def idle(self) -> bool:
        """True if some worker has nothing queued (a new batch would start at once)."""
        return any(q.empty() for q in self.inboxes)

    def submit(self, batch: list[tuple[str, str, tuple]], tier: str) -> int:
        """Queue one job: a batch of (function name, region key, encode_members(...)) compiled
        together."""
        job = self.next_job
        self.next_job += 1
        self.inboxes[job % len(self.inboxes)].put((job, tier, batch))
        return job

    def done(self) -> list[tuple[int, list[bytes | None] | None, str | None, float]]:
        out = []
        results = self.results
        while results:
            out.append(results.popleft())
        return out

    def close(self) -> None:
        for inbox in self.inboxes:
            inbox.put(None)
        for p in self.procs:
            # Queued jobs are abandoned: the worker is killed rather than waited for.
            p.kill()
            p.wait()
        self.procs.clear()
        self.inboxes.clear()


if __name__ == "__main__":
    serve(sys.argv[1] if len(sys.argv) > 1 else None)
