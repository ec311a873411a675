"""The on-disk cache of compiled regions (a warm boot loads instead of compiling).

Keyed like Numba's: the key is a hash of the region's blocks (pc, flags and the guest bytes, which
determine the IR) salted with rvjit's version, hashes of the translator's and the backend's
sources, the opt level and llvmlite/LLVM/host CPU (see Codegen.region_key).  Entries are
written atomically (temporary file, then rename); anything unreadable is a miss."""
from __future__ import annotations

import os
from pathlib import Path

from rvjit.cachedir import cache_base


def default_dir() -> Path:
    return cache_base() / "code"


class CodeCache:
    def __init__(self, directory: Path) -> None:
        self.dir = directory
        self.hits = self.misses = self.writes = 0
        self._present: set[str] | None = None     # keys on disk (listed once, on first use)
        self._made: set[str] = set()                # subdirectories this process has made

    def path(self, key: str) -> Path:
        return self.dir / key[:2] / (key + ".o")

    def _listing(self) -> set[str]:
        """The keys on disk: one directory listing instead of an open() per miss."""
        if self._present is None:
            self._present = set()
            try:
                for sub in os.scandir(self.dir):
                    if sub.is_dir():
                        self._present.update(e.name[:-2] for e in os.scandir(sub.path)
                                             if e.name.endswith(".o"))
            except OSError:
                pass
        return self._present

    def has(self, key: str) -> bool:
        return key in self._listing()

    def get(self, key: str) -> bytes | None:
        if key not in self._listing():
            self.misses += 1
            return None
        try:
            data = self.path(key).read_bytes()
        except OSError:
            self.misses += 1
            return None
        self.hits += 1
        return data

    def noted(self, key: str) -> None:
        """Another process (a compile worker) has written the entry `key`."""
        self.writes += 1
        self._listing().add(key)

    def put(self, key: str, obj: bytes) -> None:
        path = self.path(key)
        try:
            if key[:2] not in self._made:
                path.parent.mkdir(parents=True, exist_ok=True)
                self._made.add(key[:2])
            tmp = f"{path}.tmp{os.getpid()}"
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            try:
                view = memoryview(obj)
                while view:
                    view = view[os.write(fd, view):]
            finally:
                os.close(fd)
            os.replace(tmp, path)
            self.writes += 1
            if self._present is not None:   # (a writer that never reads never lists)
                self._present.add(key)
        except OSError:
            pass    # a read-only or full cache directory only costs speed
