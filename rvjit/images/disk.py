"""Raw ext4 disk images for the guest's virtio-blk, made and read on the host with Debian's
e2fsprogs and no root: `mkfs.ext4` builds the file system in a plain file (optionally with
files in it, `-d`), `debugfs -R 'cat /path'` reads a file back without mounting."""
from __future__ import annotations

import os
import shutil
import subprocess

# e2fsprogs puts these in /sbin (/usr/sbin), which is not on a normal user's PATH.
_SBIN = ("/usr/sbin", "/sbin")


class DiskError(Exception):
    pass


def tool(name: str) -> str | None:
    """The path of an e2fsprogs program (mkfs.ext4, debugfs), or None."""
    found = shutil.which(name)
    if found:
        return found
    for d in _SBIN:
        p = os.path.join(d, name)
        if os.access(p, os.X_OK):
            return p
    return None


def _run(argv: list[str]) -> subprocess.CompletedProcess:
    exe = tool(argv[0])
    if exe is None:
        raise DiskError(f"{argv[0]} not found (apt-get install e2fsprogs)")
    p = subprocess.run([exe, *argv[1:]], capture_output=True, timeout=120,
                       env=dict(os.environ, E2FSPROGS_FAKE_TIME="0"))
    if p.returncode != 0:
        raise DiskError(f"{' '.join(argv)}: exit {p.returncode}: "
                        f"{p.stderr.decode(errors='replace').strip()}")
    return p


def make_ext4(path: str, size_mb: int = 64, label: str = "rvjit", root_dir: str | None = None
              ) -> str:
    """A fresh raw ext4 image of `size_mb` MiB at `path` (replacing any file there), its root
    populated from the host directory `root_dir` if given.  Returns `path`."""
    if os.path.exists(path):
        os.unlink(path)
    with open(path, "wb") as f:
        f.truncate(size_mb << 20)
    argv = ["mkfs.ext4", "-q", "-F", "-L", label, "-E", "root_owner=0:0"]
    if root_dir is not None:
        argv += ["-d", root_dir]
    _run([*argv, path])
    return path


def read_file(image: str, path: str) -> bytes:
    """The contents of `path` (absolute, inside the file system) in the ext4 image `image`.
    Raises DiskError if it is not there."""
    if not path.startswith("/"):
        path = "/" + path
    p = _run(["debugfs", "-R", f"cat {path}", image])
    # debugfs exits 0 even for a missing file; it says so on stderr.
    err = p.stderr.decode(errors="replace")
    if "File not found" in err or "not found by ext2_lookup" in err:
        raise DiskError(f"{path}: not in {image}")
    return p.stdout


def list_dir(image: str, path: str = "/") -> list[str]:
    """The names in a directory of the image (debugfs `ls -p`)."""
    p = _run(["debugfs", "-R", f"ls -p {path}", image])
    names = []
    for line in p.stdout.decode(errors="replace").splitlines():
        parts = line.split("/")
        if len(parts) >= 6 and parts[5] not in (".", ".."):
            names.append(parts[5])
    return names
