"""A compile worker process: reads (job id, IR text, opt level) requests from stdin and writes
(job id, object bytes or None, error text or None, seconds) replies to stdout, as
length-prefixed pickles.

Run as `python -m rvjit.backend.compile_worker`; the emulator talks to it through WorkerPool.
It is a plain subprocess rather than a multiprocessing pool so that the parent's main module
is never imported again in the worker."""
from __future__ import annotations

import pickle
import queue
import struct
import subprocess
import sys
import threading
import time

_LEN = struct.Struct("<Q")


def _send(stream, obj) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_LEN.pack(len(data)) + data)
    stream.flush()


def _recv(stream):
    head = stream.read(_LEN.size)
    if len(head) < _LEN.size:
        return None
    (n,) = _LEN.unpack(head)
    return pickle.loads(stream.read(n))


def compile_region(name: str, blocks: list, opt: int) -> bytes:
    """Lower a region (a list of BlockIR) to LLVM IR and compile it to an object file."""
    from rvjit.backend.llvm_lower import lower_region, module_prelude
    from rvjit.backend.objcompile import compile_to_object
    return compile_to_object(module_prelude() + lower_region(name, blocks), opt)


def serve() -> None:
    inp, out = sys.stdin.buffer, sys.stdout.buffer
    while (req := _recv(inp)) is not None:
        job, name, blocks, opt = req
        t0 = time.perf_counter()
        try:
            obj, err = compile_region(name, blocks, opt), None
        except Exception as e:      # reported to the parent, which then compiles nothing
            obj, err = None, f"{type(e).__name__}: {e}"
        _send(out, (job, obj, err, time.perf_counter() - t0))


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

    def submit(self, name: str, blocks: list, opt: int) -> int:
        job = self.next_job
        self.next_job += 1
        self.inboxes[job % len(self.inboxes)].put((job, name, blocks, opt))
        return job

    def done(self) -> list[tuple[int, bytes | None, str | None, float]]:
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
