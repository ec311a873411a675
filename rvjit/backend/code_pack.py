"""A pack of compiled regions: the regions that large runs (a Linux boot asks for ~15,000) used,
linked by `ld -r` into one relocatable object, so that a later run loads them all with one
add_object_file (~0.3 s for a boot's pack) instead of reading and loading one cache file per
region (~2.5 s).

A pack lives beside the code cache's files (code_cache.py) and is named by the code generator's
salt (rvjit, the translator's and backend's sources, LLVM and the host CPU), so every region in
it is valid for every run that can name it.  Its index (a text file of region keys) says what
it holds; a run reads the index when it first looks for a region and loads the object once it
has asked for PACK_LOAD_AFTER regions the pack holds (until then they come from their own
files), so small programs never pay for a big pack.  A run that used at least
PACK_MIN_REGIONS regions and compiled or loaded some from outside the pack rewrites it, as the
old pack plus the new regions' objects, when it closes.  The object is replaced before its
index, atomically, so a reader never finds a key whose code is missing; a function that is
still missing (a pack written by another version of ld, say) is only a miss.  Without `ld`
there are no packs.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

# Regions a run must use before it writes a pack (RVJIT_PACK_MIN overrides).
PACK_MIN_REGIONS = int(os.environ.get("RVJIT_PACK_MIN", "1000"))
# Requests for regions a pack holds before a run loads it (until then, from their own files).
PACK_LOAD_AFTER = min(256, PACK_MIN_REGIONS)
MAX_PACKS = 3               # packs kept (of different salts: rvjit versions, hosts)


class CodePack:
    def __init__(self, directory: Path, salt_id: str) -> None:
        self.dir = directory / "packs"
        self.obj_path = self.dir / f"{salt_id}.o"
        self.keys_path = self.dir / f"{salt_id}.keys"
        self._keys: set[str] | None = None

    def keys(self) -> set[str]:
        """The region keys the pack holds (read once)."""
        if self._keys is None:
            try:
                self._keys = set(self.keys_path.read_text().split())
            except OSError:
                self._keys = set()
        return self._keys

    def read(self) -> bytes | None:
        """The pack's object, and its index read again after it (never older than it)."""
        try:
            data = self.obj_path.read_bytes()
        except OSError:
            return None
        self._keys = None
        self.keys()
        return data

    def rewrite(self, objects: list[Path], keys: list[str]) -> bool:
        """Link the current pack and `objects` (the files of regions `keys`) into a new pack."""
        ld = shutil.which("ld")
        if ld is None or not objects:
            return False
        old_keys = self.keys() if self.obj_path.exists() else set()
        # (a region the pack holds already would be a second definition of its symbols)
        new = {k: p for p, k in zip(objects, keys, strict=True)
               if k not in old_keys and p.exists()}
        if not new:
            return False
        keys = list(new)
        inputs = ([self.obj_path] if old_keys else []) + list(new.values())
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryDirectory(dir=self.dir) as tmp:
                listing = Path(tmp) / "inputs"
                listing.write_text("\n".join(f'"{p}"' for p in inputs))
                out = Path(tmp) / "pack.o"
                r = subprocess.run([ld, "-r", "-o", str(out), f"@{listing}"],
                                   capture_output=True, timeout=300)
                if r.returncode != 0:
                    return False
                index = Path(tmp) / "pack.keys"
                index.write_text("\n".join(sorted(old_keys | set(keys))) + "\n")
                os.replace(out, self.obj_path)
                os.replace(index, self.keys_path)
        except (OSError, subprocess.SubprocessError):
            return False
        self._keys = None
        self._prune()
        return True

    def _prune(self) -> None:
        """Keep the MAX_PACKS most recently written packs."""
        try:
            packs = sorted(self.dir.glob("*.o"), key=lambda p: p.stat().st_mtime, reverse=True)
            for p in packs[MAX_PACKS:]:
                p.unlink(missing_ok=True)
                p.with_suffix(".keys").unlink(missing_ok=True)
        except OSError:
            pass
