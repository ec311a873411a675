"""virtio block device (virtio 1.x spec, 5.2) backed by a raw image file (block_backend.py).

Writes go to the file as they arrive and VIRTIO_BLK_T_FLUSH makes them durable (fsync), so
that a guest that syncs loses nothing; with snapshot=on they go to a temporary overlay
instead and the image is never modified."""
from __future__ import annotations

import struct

from rvjit.hw.block_backend import open_image
from rvjit.hw.virtio_mmio import VIRTIO_F_VERSION_1, VirtioDevice

SECTOR = 512
VIRTIO_BLK_F_SEG_MAX = 1 << 2
VIRTIO_BLK_F_RO = 1 << 5
VIRTIO_BLK_F_BLK_SIZE = 1 << 6
VIRTIO_BLK_F_FLUSH = 1 << 9

T_IN, T_OUT, T_FLUSH, T_GET_ID = 0, 1, 4, 8
S_OK, S_IOERR, S_UNSUPP = 0, 1, 2
SEG_MAX = 254


class VirtioBlk(VirtioDevice):
    device_id = 2
    num_queues = 1

    def __init__(self, mem, path: str, read_only: bool = False, set_irq=None,
                 serial: str = "rvjit", *, snapshot: bool = False,
                 cache: str = "writeback") -> None:
        self.image = open_image(path, read_only, snapshot, cache)
        self.path = path
        self.read_only = read_only
        self.size = self.image.size
        self.serial = serial.encode()[:20]
        self.features = VIRTIO_F_VERSION_1 | VIRTIO_BLK_F_SEG_MAX | VIRTIO_BLK_F_BLK_SIZE | \
            VIRTIO_BLK_F_FLUSH | (VIRTIO_BLK_F_RO if read_only else 0)
        super().__init__(mem, set_irq)

    def close(self) -> None:
        self.image.close()

    def config_bytes(self) -> bytes:
        # struct virtio_blk_config: capacity, size_max, seg_max, geometry, blk_size, ...
        return struct.pack("<QIIHBBI", self.size // SECTOR, 0, SEG_MAX, 0, 0, 0, SECTOR)

    def process(self, qidx: int) -> None:
        q = self.queues[qidx]
        done = False
        while (chain := q.pop()) is not None:
            written = self._request(chain)
            q.push(chain.head, written)
            done = True
        if done:
            self.notify_used()

    def _request(self, chain) -> int:
        bufs = chain.buffers
        if len(bufs) < 2 or bufs[0].writable or bufs[0].length < 16 or \
                not bufs[-1].writable or bufs[-1].length < 1:
            return 0
        typ, _, sector = struct.unpack("<IIQ", self.mem.read_bytes(bufs[0].addr, 16))
        data = bufs[1:-1]
        status_addr = bufs[-1].addr
        status, written = S_OK, 0
        offset = sector * SECTOR
        try:
            if typ == T_IN:
                for b in data:
                    if not b.writable or offset + b.length > self.size:
                        status = S_IOERR
                        break
                    self.mem.write_bytes(b.addr, self.image.read(b.length, offset))
                    offset += b.length
                    written += b.length
            elif typ == T_OUT:
                if self.read_only:
                    status = S_IOERR
                for b in data if status == S_OK else ():
                    if b.writable or offset + b.length > self.size:
                        status = S_IOERR
                        break
                    self.image.write(self.mem.read_bytes(b.addr, b.length), offset)
                    offset += b.length
            elif typ == T_FLUSH:
                self.image.flush()
            elif typ == T_GET_ID:
                if data and data[0].writable:
                    ident = self.serial.ljust(20, b"\0")[:data[0].length]
                    self.mem.write_bytes(data[0].addr, ident)
                    written += len(ident)
            else:
                status = S_UNSUPP
        except OSError:
            status = S_IOERR
        self.mem.write_bytes(status_addr, bytes([status]))
        return written + 1
