"""virtio entropy device (virtio 1.x spec, 5.4): fills the driver's buffers from the host's
random source."""
from __future__ import annotations

import os

from rvjit.hw.virtio_mmio import VirtioDevice


class VirtioRng(VirtioDevice):
    device_id = 4
    num_queues = 1

    def process(self, qidx: int) -> None:
        q = self.queues[qidx]
        done = False
        while (chain := q.pop()) is not None:
            n = 0
            for b in chain.writable():
                self.mem.write_bytes(b.addr, os.urandom(b.length))
                n += b.length
            q.push(chain.head, n)
            done = True
        if done:
            self.notify_used()
