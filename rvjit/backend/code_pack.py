"""A pack of compiled regions: the regions that large runs (a Linux boot asks for ~15,000) used,
linked by `ld -r` into one relocatable object, so that a later run loads them all with one
add_object_file (~0.3 s for a boot's pack) instead of reading and loading one cache file per
region (~2.5 s).

A pack lives beside the code cache's files (code_cache.py) and is named by the code generator's
salt (rvjit, the translator's and backend's sources, LLVM and the host CPU), so every region in
it is valid for every run that can name it.  Its index (a text file of region keys) says what
it holds and names the object with its length and CRC; a run reads the index when it first
looks for a region and loads the object once it
has asked for PACK_LOAD_AFTER regions the pack holds (until then they come from their own
files), so small programs never pay for a big pack.  A run that used at least
PACK_MIN_REGIONS regions and compiled or loaded some from outside the pack rewrites it, as the
old pack plus the new regions' objects, when it closes.

A pack's object is never changed once written: it is named by its CRC, and a new pack is a new
object, written before the index that names it replaces the old index (atomically), so a reader
never finds a key whose code is missing.  Both are checked (cache_integrity.py): a damaged
index or object is counted and removed, and the regions come from their own files, from which
the next large run links a new pack.  A function that is still missing (a pack written by
another version of ld, say) is only a miss.  Without `ld` there are no packs.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

from rvjit.backend.code_cache import read_object
from rvjit.cache_integrity import checksum, drop, note_damaged, seal, unseal
from rvjit.cachedir import make_dir

# Regions a run must use before it writes a pack (RVJIT_PACK_MIN overrides).
PACK_MIN_REGIONS = int(os.environ.get("RVJIT_PACK_MIN", "1000"))
# Requests for regions a pack holds before a run loads it (until then, from their own files).
PACK_LOAD_AFTER = min(256, PACK_MIN_REGIONS)
MAX_PACKS = 3               # packs kept (of different salts: rvjit versions, hosts)
ORPHAN_SECONDS = 600        # an object no index names is removed after this (its writer is
                            # done with it: it has written its index or failed)

INDEX_KIND = b"RVJP"
INDEX_VERSION = 1
INDEX_SUFFIX = f".index{INDEX_VERSION}"


class PackIndex(NamedTuple):
    """An index's content: its object's file name, length and CRC, and the region keys."""
    obj_name: str
    obj_len: int
    obj_crc: int
    keys: frozenset[str]

    def encode(self) -> bytes:
        return "\n".join([f"{self.obj_name} {self.obj_len} {self.obj_crc}",
                          *sorted(self.keys)]).encode() + b"\n"

    @staticmethod
    def decode(text: memoryview) -> PackIndex:
        """(raises ValueError if it is not an index)"""
        first, *keys = text.tobytes().decode("ascii").split("\n")
        name, length, crc = first.split(" ")
        if "/" in name or not name.endswith(".o"):
            raise ValueError(name)
        return PackIndex(name, int(length), int(crc), frozenset(k for k in keys if k))


class CodePack:
    def __init__(self, directory: Path, salt_id: str) -> None:
        self.dir = directory / "packs"
        self.salt_id = salt_id
        self.index_path = self.dir / f"{salt_id}{INDEX_SUFFIX}"
        self._keys: frozenset[str] | None = None

    def _index(self) -> PackIndex | None:
        """The pack's index, if there is an intact one (a damaged one is counted and
        removed)."""
        try:
            data = self.index_path.read_bytes()
        except OSError:
            return None
        content = unseal(INDEX_KIND, INDEX_VERSION, data)
        try:
            if content is None:
                raise ValueError
            return PackIndex.decode(content)
        except (ValueError, UnicodeDecodeError):
            note_damaged("code pack index", self.index_path)
            drop(self.index_path)
            return None

    def _damaged(self, index: PackIndex) -> None:
        note_damaged("code pack", self.dir / index.obj_name)
        drop(self.dir / index.obj_name)
        drop(self.index_path)
        self._keys = frozenset()

    def keys(self) -> frozenset[str]:
        """The region keys the pack holds (read once).  An object of another length than the
        index says is damaged (truncated, say): no keys."""
        if self._keys is None:
            index = self._index()
            self._keys = frozenset()
            if index is not None:
                try:
                    length = (self.dir / index.obj_name).stat().st_size
                except OSError:
                    return self._keys       # (replaced by a newer pack just now: a miss)
                if length != index.obj_len:
                    self._damaged(index)
                else:
                    self._keys = index.keys
        return self._keys

    def read(self) -> bytes | None:
        """The pack's object, checked, and its index read again with it (never older than
        it); None if there is no intact pack."""
        for _ in range(2):      # (a rewrite may remove the object the index just read names)
            index = self._index()
            if index is None:
                break
            data = self._object(index)
            if data is not None:
                self._keys = index.keys
                return data
        self._keys = frozenset()
        return None

    def _object(self, index: PackIndex) -> bytes | None:
        """The object `index` names, checked; None if it is gone (a newer pack replaced it) or
        damaged (then counted and removed, with the index)."""
        try:
            data = (self.dir / index.obj_name).read_bytes()
        except OSError:
            return None
        if len(data) != index.obj_len or checksum(data) != index.obj_crc:
            self._damaged(index)
            return None
        return data

    def rewrite(self, objects: list[Path], keys: list[str]) -> bool:
        """Link the current pack and `objects` (the code cache's entries of regions `keys`)
        into a new pack."""
        ld = shutil.which("ld")
        if ld is None or not objects:
            return False
        old = self._index()
        if old is not None and self._object(old) is None:
            old = None
        old_keys = old.keys if old is not None else frozenset()
        # (a region the pack holds already would be a second definition of its symbols)
        new = {k: p for p, k in zip(objects, keys, strict=True) if k not in old_keys}
        if not new:
            return False
        try:
            make_dir(self.dir)
            with tempfile.TemporaryDirectory(dir=self.dir) as tmp:
                inputs = [self.dir / old.obj_name] if old is not None else []
                held = set(old_keys)
                for i, (key, path) in enumerate(new.items()):
                    obj = read_object(path)     # (checked: a damaged one stays out)
                    if obj is not None:
                        inputs.append(Path(tmp) / f"{i}.o")
                        inputs[-1].write_bytes(obj)
                        held.add(key)
                if len(held) == len(old_keys):
                    return False
                listing = Path(tmp) / "inputs"
                listing.write_text("\n".join(f'"{p}"' for p in inputs))
                out = Path(tmp) / "pack.o"
                r = subprocess.run([ld, "-r", "-o", str(out), f"@{listing}"],
                                   capture_output=True, timeout=300)
                if r.returncode != 0:
                    return False
                data = out.read_bytes()
                crc = checksum(data)
                index = PackIndex(f"{self.salt_id}.{crc:08x}.o", len(data), crc,
                                  frozenset(held))
                tmp_index = Path(tmp) / "pack.index"
                tmp_index.write_bytes(seal(INDEX_KIND, INDEX_VERSION, index.encode()))
                os.replace(out, self.dir / index.obj_name)
                os.replace(tmp_index, self.index_path)
            if old is not None and old.obj_name != index.obj_name:
                drop(self.dir / old.obj_name)
        except (OSError, subprocess.SubprocessError):
            return False
        self._keys = None
        self._prune()
        return True

    def _prune(self) -> None:
        """Keep the MAX_PACKS most recently written packs; remove objects no index names once
        they are ORPHAN_SECONDS old, and files of older formats."""
        try:
            indexes = sorted(self.dir.glob(f"*{INDEX_SUFFIX}"), key=lambda p: p.stat().st_mtime,
                             reverse=True)
            for p in indexes[MAX_PACKS:]:
                p.unlink(missing_ok=True)
            named = set()
            for p in indexes[:MAX_PACKS]:
                index = CodePack(self.dir.parent, p.name[:-len(INDEX_SUFFIX)])._index()
                if index is not None:
                    named.add(index.obj_name)
            old = time.time() - ORPHAN_SECONDS
            for p in self.dir.iterdir():
                if p.is_file() and p.name not in named and \
                        not p.name.endswith(INDEX_SUFFIX) and p.stat().st_mtime < old:
                    p.unlink(missing_ok=True)
        except OSError:
            pass
