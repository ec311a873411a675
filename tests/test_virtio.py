"""virtio-mmio devices driven by a small driver written here from the virtio 1.x spec (split
virtqueues), over a fake guest memory."""
from __future__ import annotations

import fcntl
import os
import struct

import pytest

from rvjit.hw import virtio_mmio as vm
from rvjit.hw.virtio_blk import (
    S_OK,
    S_UNSUPP,
    SECTOR,
    T_FLUSH,
    T_GET_ID,
    T_IN,
    T_OUT,
    VIRTIO_BLK_F_RO,
    VirtioBlk,
)
from rvjit.hw.virtio_console import VirtioConsole
from rvjit.hw.virtio_rng import VirtioRng

MEM_SIZE = 1 << 20


class FakeMemory:
    def __init__(self) -> None:
        self.buf = bytearray(MEM_SIZE)

    def read_bytes(self, addr: int, n: int) -> bytes:
        if addr + n > MEM_SIZE:
            return b""
        return bytes(self.buf[addr:addr + n])

    def write_bytes(self, addr: int, data: bytes) -> None:
        self.buf[addr:addr + len(data)] = data


class Driver:
    """Enough of a virtio driver to set up one queue and submit descriptor chains."""

    DESC, AVAIL, USED, DATA = 0x1000, 0x2000, 0x3000, 0x10000
    QSIZE = 16

    def __init__(self, dev, mem: FakeMemory, qidx: int = 0) -> None:
        self.dev, self.mem, self.qidx = dev, mem, qidx
        self.next_desc = 0
        self.avail_idx = 0
        self.irqs: list[bool] = []
        dev.set_irq = self.irqs.append
        assert dev.read(vm.MAGIC_VALUE, 4) == vm.MAGIC
        assert dev.read(vm.VERSION_REG, 4) == 2
        dev.write(vm.STATUS, 4, 1 | 2)          # ACKNOWLEDGE | DRIVER
        dev.write(vm.DEVICE_FEATURES_SEL, 4, 1)
        hi = dev.read(vm.DEVICE_FEATURES, 4)
        assert hi & 1, "VIRTIO_F_VERSION_1 must be offered"
        dev.write(vm.DRIVER_FEATURES_SEL, 4, 1)
        dev.write(vm.DRIVER_FEATURES, 4, 1)
        dev.write(vm.STATUS, 4, 1 | 2 | vm.STATUS_FEATURES_OK)
        assert dev.read(vm.STATUS, 4) & vm.STATUS_FEATURES_OK
        base = 0x4000 * qidx
        self.DESC, self.AVAIL, self.USED = (a + base for a in (self.DESC, self.AVAIL, self.USED))
        dev.write(vm.QUEUE_SEL, 4, qidx)
        assert dev.read(vm.QUEUE_NUM_MAX, 4) >= self.QSIZE
        dev.write(vm.QUEUE_NUM, 4, self.QSIZE)
        for reg, addr in ((vm.QUEUE_DESC_LOW, self.DESC), (vm.QUEUE_DRIVER_LOW, self.AVAIL),
                          (vm.QUEUE_DEVICE_LOW, self.USED)):
            dev.write(reg, 4, addr)
            dev.write(reg + 4, 4, 0)
        dev.write(vm.QUEUE_READY, 4, 1)
        dev.write(vm.STATUS, 4, 1 | 2 | vm.STATUS_FEATURES_OK | vm.STATUS_DRIVER_OK)

    def submit(self, bufs: list[tuple[int, int, bool]], kick: bool = True) -> int:
        head = self.next_desc
        for i, (addr, length, writable) in enumerate(bufs):
            d = self.next_desc
            last = i == len(bufs) - 1
            flags = (0 if last else vm.VIRTQ_DESC_F_NEXT) | (
                vm.VIRTQ_DESC_F_WRITE if writable else 0)
            self.mem.write_bytes(self.DESC + 16 * d,
                                 struct.pack("<QIHH", addr, length, flags, (d + 1) % self.QSIZE))
            self.next_desc = (d + 1) % self.QSIZE
        slot = self.avail_idx % self.QSIZE
        self.mem.write_bytes(self.AVAIL + 4 + 2 * slot, struct.pack("<H", head))
        self.avail_idx += 1
        self.mem.write_bytes(self.AVAIL + 2, struct.pack("<H", self.avail_idx))
        if kick:
            self.dev.write(vm.QUEUE_NOTIFY, 4, self.qidx)
        return head

    def used(self) -> list[tuple[int, int]]:
        idx = struct.unpack("<H", self.mem.read_bytes(self.USED + 2, 2))[0]
        return [struct.unpack("<II", self.mem.read_bytes(self.USED + 4 + 8 * i, 8))
                for i in range(idx)]


def _blk(tmp_path, size=64 * SECTOR, read_only=False):
    img = tmp_path / "disk.img"
    img.write_bytes(bytes(range(256)) * (size // 256))
    mem = FakeMemory()
    dev = VirtioBlk(mem, str(img), read_only=read_only)
    return dev, mem, Driver(dev, mem), img


def _req(mem, drv, typ, sector, data_len, data=b"", writable_data=True):
    hdr, dat, st = 0x20000, 0x21000, 0x30000
    mem.write_bytes(hdr, struct.pack("<IIQ", typ, 0, sector))
    mem.write_bytes(st, b"\xff")
    if data:
        mem.write_bytes(dat, data)
    bufs = [(hdr, 16, False)]
    if data_len:
        bufs.append((dat, data_len, writable_data))
    bufs.append((st, 1, True))
    drv.submit(bufs)
    return mem.read_bytes(st, 1)[0], mem.read_bytes(dat, data_len)


def test_blk_reports_capacity_and_reads(tmp_path):
    dev, mem, drv, _ = _blk(tmp_path)
    assert dev.read(vm.DEVICE_ID, 4) == 2
    cap = dev.read(vm.CONFIG, 4) | (dev.read(vm.CONFIG + 4, 4) << 32)
    assert cap == 64
    status, data = _req(mem, drv, T_IN, 2, SECTOR)
    assert status == S_OK
    assert data == (bytes(range(256)) * 2)
    assert drv.used() == [(0, SECTOR + 1)]
    assert drv.irqs[-1] is True
    assert dev.read(vm.INTERRUPT_STATUS, 4) & vm.INT_USED_BUFFER
    dev.write(vm.INTERRUPT_ACK, 4, vm.INT_USED_BUFFER)
    assert drv.irqs[-1] is False


def test_blk_write_flush_persists(tmp_path):
    dev, mem, drv, img = _blk(tmp_path)
    payload = b"rvjit!" * 100 + b"\0" * (SECTOR * 2 - 600)
    status, _ = _req(mem, drv, T_OUT, 5, len(payload), payload, writable_data=False)
    assert status == S_OK
    status, _ = _req(mem, drv, T_FLUSH, 0, 0)
    assert status == S_OK
    dev.close()
    assert img.read_bytes()[5 * SECTOR:7 * SECTOR] == payload


def test_blk_out_of_range_and_unsupported(tmp_path):
    dev, mem, drv, _ = _blk(tmp_path)
    status, _ = _req(mem, drv, T_IN, 64, SECTOR)
    assert status != S_OK
    status, _ = _req(mem, drv, 0x77, 0, 0)
    assert status == S_UNSUPP
    status, ident = _req(mem, drv, T_GET_ID, 0, 20)
    assert status == S_OK and ident.startswith(b"rvjit")


def test_blk_read_only_rejects_writes(tmp_path):
    dev, mem, drv, img = _blk(tmp_path, read_only=True)
    before = img.read_bytes()
    status, _ = _req(mem, drv, T_OUT, 0, SECTOR, b"x" * SECTOR, writable_data=False)
    assert status != S_OK
    assert img.read_bytes() == before


def test_looping_chain_needs_reset(tmp_path):
    dev, mem, drv, _ = _blk(tmp_path)
    # A descriptor whose NEXT points to itself.
    mem.write_bytes(drv.DESC, struct.pack("<QIHH", 0x20000, 16, vm.VIRTQ_DESC_F_NEXT, 0))
    mem.write_bytes(drv.AVAIL + 4, struct.pack("<H", 0))
    mem.write_bytes(drv.AVAIL + 2, struct.pack("<H", 1))
    dev.write(vm.QUEUE_NOTIFY, 4, 0)
    assert dev.read(vm.STATUS, 4) & vm.STATUS_DEVICE_NEEDS_RESET
    dev.write(vm.STATUS, 4, 0)
    assert dev.read(vm.STATUS, 4) == 0


def test_unoffered_features_are_refused(tmp_path):
    dev, mem, drv, _ = _blk(tmp_path)
    dev.write(vm.STATUS, 4, 0)
    dev.write(vm.DRIVER_FEATURES_SEL, 4, 0)
    dev.write(vm.DRIVER_FEATURES, 4, 1 << 28)          # not offered
    dev.write(vm.STATUS, 4, 1 | 2 | vm.STATUS_FEATURES_OK)
    assert not dev.read(vm.STATUS, 4) & vm.STATUS_FEATURES_OK


def test_rng_fills_buffers():
    mem = FakeMemory()
    dev = VirtioRng(mem)
    drv = Driver(dev, mem)
    drv.submit([(0x20000, 64, True)])
    assert drv.used() == [(0, 64)]
    assert mem.read_bytes(0x20000, 64) != bytes(64)


def test_console_transmit_and_receive():
    mem = FakeMemory()
    out: list[bytes] = []
    dev = VirtioConsole(mem, out.append)
    tx = Driver(dev, mem, qidx=1)
    mem.write_bytes(0x20000, b"hello")
    tx.submit([(0x20000, 5, False)])
    assert b"".join(out) == b"hello"
    rx = Driver.__new__(Driver)
    rx.dev, rx.mem, rx.qidx, rx.next_desc, rx.avail_idx, rx.irqs = dev, mem, 0, 0, 0, []
    rx.DESC, rx.AVAIL, rx.USED = Driver.DESC, Driver.AVAIL, Driver.USED
    dev.write(vm.QUEUE_SEL, 4, 0)
    dev.write(vm.QUEUE_NUM, 4, Driver.QSIZE)
    for reg, addr in ((vm.QUEUE_DESC_LOW, rx.DESC), (vm.QUEUE_DRIVER_LOW, rx.AVAIL),
                      (vm.QUEUE_DEVICE_LOW, rx.USED)):
        dev.write(reg, 4, addr)
    dev.write(vm.QUEUE_READY, 4, 1)
    rx.submit([(0x28000, 16, True)])
    dev.feed(b"typed")
    assert rx.used() == [(0, 5)]
    assert mem.read_bytes(0x28000, 5) == b"typed"


@pytest.mark.parametrize("cls", [VirtioRng])
def test_notify_before_driver_ok_is_ignored(cls):
    mem = FakeMemory()
    dev = cls(mem)
    dev.write(vm.QUEUE_NOTIFY, 4, 0)
    assert dev.read(vm.INTERRUPT_STATUS, 4) == 0


# -- snapshot=on / -snapshot: writes go to a temporary overlay (rvjit/hw/block_backend.py) ----
SNAP_SIZE = 200 * 1024          # three 64 KiB overlay chunks and a partial one


def _writes_then_reads(tmp_path, snapshot: bool):
    """Writes that straddle an overlay chunk boundary and land in the partial last chunk, then
    one read across written and unwritten chunks; returns (what was read, what the guest
    should read, the image file's bytes before, after)."""
    img = tmp_path / "disk.img"
    img.write_bytes(bytes(range(256)) * (SNAP_SIZE // 256))
    before = img.read_bytes()
    mem = FakeMemory()
    dev = VirtioBlk(mem, str(img), snapshot=snapshot)
    drv = Driver(dev, mem)
    model = bytearray(before)
    for sector, n, fill in ((120, 16, b"A"), (395, 5, b"B"), (3, 1, b"C")):
        data = fill * (n * SECTOR)
        status, _ = _req(mem, drv, T_OUT, sector, len(data), data, writable_data=False)
        assert status == S_OK
        model[sector * SECTOR:(sector + n) * SECTOR] = data
    assert _req(mem, drv, T_FLUSH, 0, 0)[0] == S_OK
    status, got = _req(mem, drv, T_IN, 0, 48 * 1024)
    assert status == S_OK
    status, tail = _req(mem, drv, T_IN, 100, 300 * SECTOR)
    assert status == S_OK
    dev.close()
    return got + tail, bytes(model[:48 * 1024] + model[100 * SECTOR:400 * SECTOR]), before, \
        img.read_bytes()


def test_blk_snapshot_guest_sees_its_writes_and_the_image_is_unchanged(tmp_path):
    got, want, before, after = _writes_then_reads(tmp_path, snapshot=True)
    assert got == want
    assert after == before


def test_blk_without_snapshot_writes_land(tmp_path):
    got, want, before, after = _writes_then_reads(tmp_path, snapshot=False)
    assert got == want
    assert after != before and after[120 * SECTOR:136 * SECTOR] == b"A" * 16 * SECTOR


def test_blk_snapshot_opens_the_image_read_only(tmp_path):
    dev, _, _, _ = _blk(tmp_path)
    dev.close()
    img = tmp_path / "disk.img"
    snap = VirtioBlk(FakeMemory(), str(img), snapshot=True)
    assert not snap.read_only and snap.image.image.read_only
    flags = fcntl.fcntl(snap.image.image.fd, fcntl.F_GETFL)
    snap.close()
    assert flags & os.O_ACCMODE == os.O_RDONLY


def test_blk_read_only_stays_read_only_with_snapshot(tmp_path):
    img = tmp_path / "disk.img"
    img.write_bytes(bytes(64 * SECTOR))
    mem = FakeMemory()
    dev = VirtioBlk(mem, str(img), read_only=True, snapshot=True)
    drv = Driver(dev, mem)
    status, _ = _req(mem, drv, T_OUT, 0, SECTOR, b"x" * SECTOR, writable_data=False)
    assert status != S_OK
    dev.write(vm.DEVICE_FEATURES_SEL, 4, 0)
    assert dev.read(vm.DEVICE_FEATURES, 4) & VIRTIO_BLK_F_RO
    dev.close()
