"""virtio-mmio transport, version 2 (virtio 1.x spec, 4.2 "Virtio Over MMIO"), and the split
virtqueue (2.7 "Split Virtqueues").  A device model subclasses VirtioDevice and handles its
queues' available buffers."""
from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass

MAGIC = 0x74726976          # "virt"
VERSION = 2
VENDOR_ID = 0x554D4551      # "QEMU", as QEMU reports

# Register offsets (4.2.2).
MAGIC_VALUE = 0x000
VERSION_REG = 0x004
DEVICE_ID = 0x008
VENDOR = 0x00C
DEVICE_FEATURES = 0x010
DEVICE_FEATURES_SEL = 0x014
DRIVER_FEATURES = 0x020
DRIVER_FEATURES_SEL = 0x024
QUEUE_SEL = 0x030
QUEUE_NUM_MAX = 0x034
QUEUE_NUM = 0x038
QUEUE_READY = 0x044
QUEUE_NOTIFY = 0x050
INTERRUPT_STATUS = 0x060
INTERRUPT_ACK = 0x064
STATUS = 0x070
QUEUE_DESC_LOW = 0x080
QUEUE_DESC_HIGH = 0x084
QUEUE_DRIVER_LOW = 0x090
QUEUE_DRIVER_HIGH = 0x094
QUEUE_DEVICE_LOW = 0x0A0
QUEUE_DEVICE_HIGH = 0x0A4
CONFIG_GENERATION = 0x0FC
CONFIG = 0x100

VIRTIO_F_VERSION_1 = 1 << 32
INT_USED_BUFFER = 1
INT_CONFIG_CHANGE = 2

STATUS_DRIVER_OK = 4
STATUS_FEATURES_OK = 8
STATUS_DEVICE_NEEDS_RESET = 64

VIRTQ_DESC_F_NEXT = 1
VIRTQ_DESC_F_WRITE = 2
VIRTQ_DESC_F_INDIRECT = 4

QUEUE_SIZE_MAX = 256


class VirtioError(Exception):
    """The driver handed the device something malformed (the device then needs a reset)."""


@dataclass
class Buffer:
    """One descriptor's guest memory: `writable` buffers are for the device to fill."""
    addr: int
    length: int
    writable: bool


@dataclass
class Chain:
    head: int
    buffers: list[Buffer]

    def readable(self) -> list[Buffer]:
        return [b for b in self.buffers if not b.writable]

    def writable(self) -> list[Buffer]:
        return [b for b in self.buffers if b.writable]


class Virtqueue:
    def __init__(self, mem) -> None:
        self.mem = mem
        self.num = 0
        self.ready = False
        self.desc = self.driver = self.device = 0
        self.last_avail = 0

    def reset(self) -> None:
        self.__init__(self.mem)

    def _u16(self, addr: int) -> int:
        return struct.unpack("<H", self.mem.read_bytes(addr, 2))[0]

    def pop(self) -> Chain | None:
        """The next available descriptor chain, or None."""
        if not self.ready or not self.num:
            return None
        avail_idx = self._u16(self.driver + 2)
        if avail_idx == self.last_avail:
            return None
        slot = self.last_avail % self.num
        head = self._u16(self.driver + 4 + 2 * slot)
        self.last_avail = (self.last_avail + 1) & 0xFFFF
        return Chain(head, self._walk(head))

    def _walk(self, head: int) -> list[Buffer]:
        bufs: list[Buffer] = []
        table, size, i = self.desc, self.num, head
        seen = 0
        indirect_done = False
        while True:
            if i >= size:
                raise VirtioError(f"descriptor index {i} out of range")
            raw = self.mem.read_bytes(table + 16 * i, 16)
            if len(raw) != 16:
                raise VirtioError("descriptor table outside RAM")
            addr, length, flags, nxt = struct.unpack("<QIHH", raw)
            if flags & VIRTQ_DESC_F_INDIRECT:
                if indirect_done or length % 16 or not length:
                    raise VirtioError("bad indirect descriptor")
                indirect_done = True
                table, size, i = addr, length // 16, 0
                continue
            bufs.append(Buffer(addr, length, bool(flags & VIRTQ_DESC_F_WRITE)))
            seen += 1
            if seen > size:
                raise VirtioError("descriptor chain loops")
            if not flags & VIRTQ_DESC_F_NEXT:
                return bufs
            i = nxt

    def push(self, head: int, written: int) -> None:
        """Return a chain to the driver through the used ring."""
        used_idx = self._u16(self.device + 2)
        slot = used_idx % self.num
        self.mem.write_bytes(self.device + 4 + 8 * slot, struct.pack("<II", head, written))
        self.mem.write_bytes(self.device + 2, struct.pack("<H", (used_idx + 1) & 0xFFFF))


class VirtioDevice:
    """Base of virtio device models: feature negotiation, queues, status, interrupts."""

    device_id = 0
    num_queues = 1
    features = VIRTIO_F_VERSION_1

    def __init__(self, mem, set_irq: Callable[[bool], None] | None = None) -> None:
        self.mem = mem
        self.set_irq = set_irq or (lambda level: None)
        self.queues = [Virtqueue(mem) for _ in range(self.num_queues)]
        self.reset()

    def reset(self) -> None:
        self.status = 0
        self.dev_feat_sel = self.drv_feat_sel = 0
        self.driver_features = 0
        self.queue_sel = 0
        self.int_status = 0
        self.config_generation = 0
        for q in self.queues:
            q.reset()
        self.set_irq(False)

    # -- device-specific hooks ---------------------------------------------------------------
    def config_bytes(self) -> bytes:
        return b""

    def config_write(self, offset: int, size: int, value: int) -> None:
        pass

    def process(self, qidx: int) -> None:
        """Handle the available buffers of queue qidx."""

    # -- interrupts --------------------------------------------------------------------------
    def notify_used(self) -> None:
        self.int_status |= INT_USED_BUFFER
        self.set_irq(True)

    def _kick(self, qidx: int) -> None:
        if qidx >= len(self.queues) or not self.status & STATUS_DRIVER_OK:
            return
        try:
            self.process(qidx)
        except VirtioError:
            # 2.1.2: a device that hits an error it cannot recover from asks for a reset.
            self.status |= STATUS_DEVICE_NEEDS_RESET
            self.int_status |= INT_CONFIG_CHANGE
            self.set_irq(True)

    # -- MMIO --------------------------------------------------------------------------------
    @property
    def q(self) -> Virtqueue:
        return self.queues[self.queue_sel] if self.queue_sel < len(self.queues) else None

    def read(self, offset: int, size: int) -> int:
        if offset >= CONFIG:
            cfg = self.config_bytes()
            off = offset - CONFIG
            return int.from_bytes(cfg[off:off + size].ljust(size, b"\0"), "little")
        q = self.q
        if offset == MAGIC_VALUE:
            return MAGIC
        if offset == VERSION_REG:
            return VERSION
        if offset == DEVICE_ID:
            return self.device_id
        if offset == VENDOR:
            return VENDOR_ID
        if offset == DEVICE_FEATURES:
            return (self.features >> (32 * self.dev_feat_sel)) & 0xFFFF_FFFF \
                if self.dev_feat_sel < 2 else 0
        if offset == QUEUE_NUM_MAX:
            return QUEUE_SIZE_MAX if q else 0
        if offset == QUEUE_READY:
            return int(q.ready) if q else 0
        if offset == INTERRUPT_STATUS:
            return self.int_status
        if offset == STATUS:
            return self.status
        if offset == CONFIG_GENERATION:
            return self.config_generation
        return 0

    def write(self, offset: int, size: int, value: int) -> None:
        if offset >= CONFIG:
            self.config_write(offset - CONFIG, size, value)
            return
        q = self.q
        if offset == DEVICE_FEATURES_SEL:
            self.dev_feat_sel = value
        elif offset == DRIVER_FEATURES:
            if self.drv_feat_sel < 2:
                sh = 32 * self.drv_feat_sel
                self.driver_features = (self.driver_features & ~(0xFFFF_FFFF << sh)) | (
                    (value & 0xFFFF_FFFF) << sh)
        elif offset == DRIVER_FEATURES_SEL:
            self.drv_feat_sel = value
        elif offset == QUEUE_SEL:
            self.queue_sel = value
        elif q is not None and offset == QUEUE_NUM:
            q.num = min(value, QUEUE_SIZE_MAX)
        elif q is not None and offset == QUEUE_READY:
            q.ready = bool(value & 1)
        elif q is not None and offset in (QUEUE_DESC_LOW, QUEUE_DESC_HIGH, QUEUE_DRIVER_LOW,
                                          QUEUE_DRIVER_HIGH, QUEUE_DEVICE_LOW,
                                          QUEUE_DEVICE_HIGH):
            attr = {QUEUE_DESC_LOW: "desc", QUEUE_DESC_HIGH: "desc",
                    QUEUE_DRIVER_LOW: "driver", QUEUE_DRIVER_HIGH: "driver",
                    QUEUE_DEVICE_LOW: "device", QUEUE_DEVICE_HIGH: "device"}[offset]
            cur = getattr(q, attr)
            if offset & 4:
                cur = (cur & 0xFFFF_FFFF) | ((value & 0xFFFF_FFFF) << 32)
            else:
                cur = (cur & ~0xFFFF_FFFF) | (value & 0xFFFF_FFFF)
            setattr(q, attr, cur)
        elif offset == QUEUE_NOTIFY:
            self._kick(value)
        elif offset == INTERRUPT_ACK:
            self.int_status &= ~value
            self.set_irq(self.int_status != 0)
        elif offset == STATUS:
            if value == 0:
                self.reset()
                return
            if value & STATUS_FEATURES_OK and self.driver_features & ~self.features:
                value &= ~STATUS_FEATURES_OK     # 3.1.1: features the device did not offer
            self.status = value


class EmptySlot:
    """A virtio-mmio transport with no device behind it (device ID 0), as QEMU's virt machine
    shows for unused slots (4.2.3.1.1: the driver must ignore it)."""

    def read(self, offset: int, size: int) -> int:
        return {MAGIC_VALUE: MAGIC, VERSION_REG: VERSION, VENDOR: VENDOR_ID}.get(offset, 0)

    def write(self, offset: int, size: int, value: int) -> None:
        pass
