"""A compile worker process: reads (job id, tier, [(function name, encoded region)...]) requests
from stdin and writes (job id, [object bytes...] or None, error text or None, seconds) replies
to stdout, as length-prefixed marshal data.  A job is a batch of regions compiled as one LLVM
module (codegen per function costs less in a module of many), split into one object per region
so that each has its own cache entry.

Regions travel in a compact form (encode_region: tuples of ints, about 10x cheaper to make than
pickling the IR dataclasses); the worker lowers them to LLVM IR text itself, so the emulator
pays only for the encoding.

Run as `python -m rvjit.backend.compile_worker`; the emulator talks to it through WorkerPool.
It is a plain subprocess rather than a multiprocessing pool so that the parent's main module
is never imported again in the worker."""
from __future__ import annotations

import gc
import marshal
import os
import queue
import struct
import subprocess
import sys
import threading
import time

from rvjit.frontend.translate import BlockIR
from rvjit.ir.ops import Insn, Op, Tmp

_LEN = struct.Struct("<Q")
_OPS = list(Op)


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


# -- the compact region form ---------------------------------------------------------------
# A block is (pc, flags, insns); an insn is (op, dst or -1, args, size, signed, reg, label,
# helper, pc, icount) where a temporary argument n is written as the 1-tuple (n,).

def encode_region(blocks: list[BlockIR]) -> tuple:
    return tuple((b.pc, b.flags, tuple(
        (i.op.value, -1 if i.dst is None else i.dst.n,
         tuple(a if a.__class__ is int else (a.n,) for a in i.args),
         i.size, i.signed, i.reg, i.label, i.helper, i.pc, i.icount)
        for i in b.insns)) for b in blocks)


def decode_region(enc: tuple) -> list[BlockIR]:
    ops = _OPS
    out = []
    for pc, flags, insns in enc:
        body = [Insn(ops[op], None if dst < 0 else Tmp(dst),
                     tuple(a if a.__class__ is int else Tmp(a[0]) for a in args),
                     size, signed, reg, label, helper, ipc, icount)
                for op, dst, args, size, signed, reg, label, helper, ipc, icount in insns]
        out.append(BlockIR(pc, flags, body, 0, 0, 0, b"", ()))
    return out


def compile_regions(regions: list[tuple[str, list[BlockIR]]], tier: str,
                    verify: bool = True) -> list[bytes]:
    """Lower and compile regions (name, blocks), one module and one object each (so that each
    region has its own cache entry and is loaded alone when it hits)."""
    from rvjit.backend.llvm_lower import lower_region, module_prelude
    from rvjit.backend.objcompile import compile_to_object, runs_passes
    prelude = module_prelude()
    inline = runs_passes(tier)
    return [compile_to_object(prelude + lower_region(name, blocks, inline), tier, verify)
            for name, blocks in regions]


def serve() -> None:
    inp, out = sys.stdin.buffer, sys.stdout.buffer
    # The verifier is for tests (they compile in-process); RVJIT_LLVM_VERIFY=1 turns it on here.
    verify = os.environ.get("RVJIT_LLVM_VERIFY", "") not in ("", "0")
    # The cyclic collector cost ~5% of the worker in a cold boot: it runs every 256 jobs only
    # (whatever cycles lowering leaves are few).
    gc.disable()
    while (req := _recv(inp)) is not None:
        job, tier, batch = req
        if job % 256 == 255:
            gc.collect()
        t0 = time.process_time()      # CPU seconds: the worker shares the cores
        try:
            objs = compile_regions([(n, decode_region(e)) for n, e in batch], tier, verify)
            err = None
        except Exception as e:      # reported to the parent, which then compiles nothing
            objs, err = None, f"{type(e).__name__}: {e}"
        _send(out, (job, objs, err, time.process_time() - t0))


class WorkerPool:
    """Compile jobs in worker processes; finished jobs are collected by done()."""

    def __init__(self, n: int) -> None:
        self.results: queue.Queue = queue.Queue()
        self.procs: list[subprocess.Popen] = []
        self.inboxes: list[queue.Queue] = []
        self.next_job = 0
        for _ in range(n):
            p = subprocess.Popen([sys.executable, "-m", "rvjit.backend.compile_worker"],
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
            self.results.put(rep)

    def idle(self) -> bool:
        """True if some worker has nothing queued (a new batch would start at once)."""
        return any(q.empty() for q in self.inboxes)

    def submit(self, batch: list[tuple[str, tuple]], tier: str) -> int:
        """Queue one job: a batch of (function name, encode_region(...)) compiled together."""
        job = self.next_job
        self.next_job += 1
        self.inboxes[job % len(self.inboxes)].put((job, tier, batch))
        return job

    def done(self) -> list[tuple[int, list[bytes] | None, str | None, float]]:
        out = []
        while True:
            try:
                out.append(self.results.get_nowait())
            except queue.Empty:
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
    serve()
