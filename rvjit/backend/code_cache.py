"""The on-disk cache of compiled regions (a warm boot loads instead of compiling).

Keyed like Numba's: the key is a hash of the region's IR (which records the guest pcs, flags and
everything the translation read) salted with rvjit's version, the IR format version, the opt
level and llvmlite/LLVM/host CPU (see Codegen.region_key).  Entries are written atomically
(temporary file, then rename); anything unreadable is a miss."""
from __future__ import annotations

import os
from pathlib import Path


def default_dir() -> Path:
    base = os.environ.get("RVJIT_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "rvjit")
    return Path(base) / "code"


class CodeCache:
    def __init__(self, directory: Path) -> None:
        self.dir = directory
        self.hits = self.misses = self.writes = 0

    def _path(self, key: str) -> Path:
        return self.dir / key[:2] / (key + ".o")

    def get(self, key: str) -> bytes | None:
        try:
            data = self._path(key).read_bytes()
        except OSError:
            self.misses += 1
            return None
        self.hits += 1
        return data

    def put(self, key: str, obj: bytes) -> None:
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".tmp{os.getpid()}")
            tmp.write_bytes(obj)
            os.replace(tmp, path)
            self.writes += 1
        except OSError:
            pass    # a read-only or full cache directory only costs speed
