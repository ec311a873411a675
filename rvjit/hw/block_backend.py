"""The host side of a -drive: the raw image file itself, or, with snapshot=on or -snapshot, a
copy-on-write overlay over it that lives in a temporary file and is discarded when the machine
stops, so the image is never modified (QEMU's temporary snapshot; rvjit opens the image
read-only then).

The overlay works in chunks of SNAPSHOT_CHUNK bytes: the first guest write into a chunk
copies the image's chunk into the overlay (only a chunk the write does not cover whole needs
the copy), and reads take each chunk from the overlay once it is there, else from the image."""
from __future__ import annotations

import errno
import os
import stat
import tempfile

SNAPSHOT_CHUNK = 64 << 10          # QEMU's qcow2 overlays use 64 KiB clusters as well

# -drive cache= modes (QEMU's "cache" option): whether a guest flush reaches the disk and
# whether every write is durable at once.  rvjit goes through the host page cache in every
# mode, so none and directsync differ from writeback and writethrough only in host memory use.
CACHE_MODES = {
    # mode: (a guest flush fsyncs, every write is synchronous)
    "writeback": (True, False),
    "none": (True, False),
    "writethrough": (True, True),
    "directsync": (True, True),
    "unsafe": (False, False),
}


class ImageFile:
    """A raw image, read and written in place."""

    def __init__(self, path: str, read_only: bool, cache: str = "writeback") -> None:
        flush, sync = CACHE_MODES[cache]
        flags = os.O_RDONLY if read_only else os.O_RDWR | (os.O_DSYNC if sync else 0)
        self.fd = os.open(path, flags)
        st = os.fstat(self.fd)
        if not stat.S_ISREG(st.st_mode):    # (a device or a pipe has no size: fstat gives 0)
            os.close(self.fd)
            self.fd = -1
            raise OSError(errno.EINVAL, "not a regular file")
        self.size = st.st_size
        self.read_only = read_only
        self.flush_on_request = flush and not read_only

    def read(self, n: int, offset: int) -> bytes:
        return os.pread(self.fd, n, offset)

    def write(self, data: bytes, offset: int) -> None:
        os.pwrite(self.fd, data, offset)

    def flush(self) -> None:
        if self.flush_on_request:
            os.fsync(self.fd)

    def close(self) -> None:
        if self.fd >= 0:
            self.flush()
            os.close(self.fd)
            self.fd = -1


class SnapshotOverlay:
    """Guest writes kept in a temporary file over a read-only image."""

    read_only = False

    def __init__(self, image: ImageFile) -> None:
        self.image = image
        self.size = image.size
        self.overlay = tempfile.TemporaryFile(prefix="rvjit-snapshot-")
        self.fd = self.overlay.fileno()
        os.ftruncate(self.fd, self.size)            # sparse: costs nothing until written
        self.present = bytearray((self.size + SNAPSHOT_CHUNK - 1) // SNAPSHOT_CHUNK)

    def read(self, n: int, offset: int) -> bytes:
        parts = []
        pos, end = offset, offset + n
        while pos < end:
            here = self.present[pos // SNAPSHOT_CHUNK]
            run_end = min(end, (pos // SNAPSHOT_CHUNK + 1) * SNAPSHOT_CHUNK)
            while run_end < end and self.present[run_end // SNAPSHOT_CHUNK] == here:
                run_end = min(end, run_end + SNAPSHOT_CHUNK)
            parts.append(os.pread(self.fd if here else self.image.fd, run_end - pos, pos))
            pos = run_end
        return b"".join(parts)

    def write(self, data: bytes, offset: int) -> None:
        if not data:
            return
        end = offset + len(data)
        first, last = offset // SNAPSHOT_CHUNK, (end - 1) // SNAPSHOT_CHUNK
        for c in {first, last}:
            lo, hi = c * SNAPSHOT_CHUNK, min((c + 1) * SNAPSHOT_CHUNK, self.size)
            if not self.present[c] and (offset > lo or end < hi):
                os.pwrite(self.fd, self.image.read(hi - lo, lo), lo)
        self.present[first:last + 1] = b"\1" * (last + 1 - first)
        os.pwrite(self.fd, data, offset)

    def flush(self) -> None:
        """Nothing to make durable: the overlay is discarded (QEMU's -snapshot)."""

    def close(self) -> None:
        if self.fd >= 0:
            self.overlay.close()            # a TemporaryFile: unlinked already
            self.fd = -1
            self.image.close()


def open_image(path: str, read_only: bool = False, snapshot: bool = False,
               cache: str = "writeback") -> ImageFile | SnapshotOverlay:
    """The backend of one -drive.  A read-only drive stays read-only with snapshot=on too."""
    if snapshot and not read_only:
        return SnapshotOverlay(ImageFile(path, read_only=True))
    return ImageFile(path, read_only, cache)
