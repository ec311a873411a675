"""A cpio "newc" archive writer (the format Linux unpacks as an initramfs;
Documentation/driver-api/early-userspace/buffer-format.rst)."""
from __future__ import annotations

import stat
from dataclasses import dataclass

NEWC_MAGIC = b"070701"
TRAILER = "TRAILER!!!"


@dataclass(frozen=True, slots=True)
class Entry:
    path: str            # without a leading slash
    mode: int            # full st_mode (type and permissions)
    data: bytes = b""    # file contents or symlink target
    rdev: tuple[int, int] = (0, 0)


def _pad4(n: int) -> bytes:
    return b"\0" * (-n & 3)


def _header(ino: int, mode: int, nlink: int, size: int, rdev: tuple[int, int],
            namesize: int) -> bytes:
    fields = (ino, mode, 0, 0, nlink, 0, size, 0, 0, rdev[0], rdev[1], namesize, 0)
    return NEWC_MAGIC + b"".join(b"%08X" % f for f in fields)


def write_newc(entries: list[Entry]) -> bytes:
    """The archive: each header, the NUL-terminated name and the data padded to 4 bytes."""
    out = bytearray()
    for ino, e in enumerate([*entries, Entry(TRAILER, 0)], start=1):
        name = e.path.encode() + b"\0"
        nlink = 2 if stat.S_ISDIR(e.mode) else 1
        if e.path == TRAILER:
            ino, nlink = 0, 1
        out += _header(ino, e.mode, nlink, len(e.data), e.rdev, len(name))
        out += name + _pad4(110 + len(name))
        out += e.data + _pad4(len(e.data))
    return bytes(out)


def read_newc(data: bytes) -> list[Entry]:
    """The entries of a newc archive (for tests and for checking what we wrote)."""
    out, pos = [], 0
    while True:
        if data[pos:pos + 6] != NEWC_MAGIC:
            raise ValueError(f"bad cpio magic at offset {pos}")
        f = [int(data[pos + 6 + 8 * i:pos + 14 + 8 * i], 16) for i in range(13)]
        mode, size, rmaj, rmin, namesize = f[1], f[6], f[9], f[10], f[11]
        pos += 110
        name = data[pos:pos + namesize - 1].decode()
        pos += namesize + (-(110 + namesize) & 3)
        body = data[pos:pos + size]
        pos += size + (-size & 3)
        if name == TRAILER:
            return out
        out.append(Entry(name, mode, body, (rmaj, rmin)))


def directory(path: str, perm: int = 0o755) -> Entry:
    return Entry(path, stat.S_IFDIR | perm)


def regular(path: str, data: bytes, perm: int = 0o644) -> Entry:
    return Entry(path, stat.S_IFREG | perm, data)


def symlink(path: str, target: str) -> Entry:
    return Entry(path, stat.S_IFLNK | 0o777, target.encode())


def chardev(path: str, major: int, minor: int, perm: int = 0o600) -> Entry:
    return Entry(path, stat.S_IFCHR | perm, b"", (major, minor))
