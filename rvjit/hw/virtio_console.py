"""virtio console (virtio 1.x spec, 5.3), single port: transmitq output goes to the host,
host input is delivered into receiveq buffers."""
from __future__ import annotations

import struct
from collections import deque
from collections.abc import Callable

from rvjit.hw.virtio_mmio import VirtioDevice

RECEIVEQ, TRANSMITQ = 0, 1


class VirtioConsole(VirtioDevice):
    device_id = 3
    num_queues = 2

    def __init__(self, mem, output: Callable[[bytes], None], set_irq=None) -> None:
        self.output = output
        self.pending: deque[int] = deque()
        super().__init__(mem, set_irq)

    def config_bytes(self) -> bytes:
        # struct virtio_console_config: cols, rows, max_nr_ports, emerg_wr.
        return struct.pack("<HHII", 80, 25, 1, 0)

    def config_write(self, offset: int, size: int, value: int) -> None:
        if offset == 8:     # emerg_wr (VIRTIO_CONSOLE_F_EMERG_WRITE is not offered; harmless)
            self.output(bytes([value & 0xFF]))

    def feed(self, data: bytes) -> None:
        self.pending.extend(data)
        self.process(RECEIVEQ)

    def process(self, qidx: int) -> None:
        q = self.queues[qidx]
        done = False
        if qidx == TRANSMITQ:
            while (chain := q.pop()) is not None:
                for b in chain.readable():
                    self.output(self.mem.read_bytes(b.addr, b.length))
                q.push(chain.head, 0)
                done = True
        else:
            while self.pending and (chain := q.pop()) is not None:
                n = 0
                for b in chain.writable():
                    k = min(b.length, len(self.pending))
                    chunk = bytes(self.pending.popleft() for _ in range(k))
                    self.mem.write_bytes(b.addr, chunk)
                    n += k
                q.push(chain.head, n)
                done = True
        if done:
            self.notify_used()
