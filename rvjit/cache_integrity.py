"""Checks on what rvjit reads back from its caches.  The model is ccache 4, which stores a
checksum with every cache entry and treats a mismatch as a miss.

A sealed entry starts with a header: what kind of entry it is, its format version, and the
length and CRC-32 of the content after the header.  A reader that finds another kind or
version, another length or another CRC treats the entry as damaged. It drops the entry,
counts it, and goes on as after a miss, so the entry is built again.  CRC-32 (zlib) runs at
~3.8 GB/s on the development machine.  It detects every error burst of up to 32 bits, and
any other change with probability 1 - 2^-32.  A cryptographic hash is not needed: the
directory belongs to the user (cachedir.make_dir).

Damaged entries are counted once each per process (RVJIT_STATS: cache_entries_damaged).
Only the first one is reported on stderr, with one warning line.
"""
from __future__ import annotations

import struct
import sys
import zlib
from pathlib import Path

# kind (4 bytes), format version, 0, CRC-32 of the content, length of the content
HEADER = struct.Struct("<4sHHIQ")

_damaged: set[str] = set()


def checksum(data: bytes | bytearray | memoryview) -> int:
    return zlib.crc32(data)


def seal(kind: bytes, version: int, content: bytes | bytearray | memoryview) -> bytes:
    """The header for `content`, followed by the content itself."""
    return header(kind, version, content) + content


def header(kind: bytes, version: int, content: bytes | bytearray | memoryview) -> bytes:
    return HEADER.pack(kind, version, 0, checksum(content), len(content))


def unseal(kind: bytes, version: int, data: bytes | memoryview) -> memoryview | None:
    """The content of a sealed entry, or None if it is not an intact entry of this kind and
    version."""
    if len(data) < HEADER.size:
        return None
    k, v, zero, crc, length = HEADER.unpack_from(data)
    content = memoryview(data)[HEADER.size:]
    if k != kind or v != version or zero != 0 or length != len(content) or \
            checksum(content) != crc:
        return None
    return content


def note_damaged(what: str, where: Path | str) -> None:
    """Count the damaged entry `where` (a path, optionally followed by a part of the file), and
    report it on stderr if it is the first in this process."""
    where = str(where)
    if where in _damaged:
        return
    _damaged.add(where)
    if len(_damaged) == 1:
        sys.stderr.write(f"rvjit: warning: damaged cache entries are ignored and rebuilt "
                         f"(the first: {what} {where}; RVJIT_STATS counts them as "
                         f"cache_entries_damaged)\n")
        sys.stderr.flush()


def damaged_entries() -> int:
    """How many damaged cache entries this process has found."""
    return len(_damaged)


def drop(path: Path) -> None:
    """Remove a damaged entry (the next writer makes it again)."""
    try:
        path.unlink()
    except OSError:
        pass
