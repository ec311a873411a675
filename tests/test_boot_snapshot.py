"""-snapshot and -drive ...,snapshot=on on a real boot: Debian's Linux mounts an ext4 image
as /dev/vda, writes a file and syncs it (initramfs.py's rvjit.disktest).  With a snapshot the
guest's writes go to a temporary overlay and the image file stays byte-identical, as QEMU's
temporary snapshot; without one the file lands in the image."""
from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

import pytest

from rvjit.images import bootrun, disk, initramfs

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = float(os.environ.get("RVJIT_BOOT_TIMEOUT", "600"))
APPEND = "console=ttyS0 earlycon=sbi cryptomgr.notests rvjit.disktest"
pytestmark = pytest.mark.boot


def sha256(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


@pytest.mark.parametrize("how", ["-snapshot", "snapshot=on", "no snapshot"])
def test_disk_write_with_and_without_snapshot(tmp_path, how):
    images = bootrun.find_images()
    if isinstance(images, str):
        pytest.skip(images)
    img = disk.make_ext4(str(tmp_path / "disk.img"), 64)
    before = sha256(img)
    argv = bootrun.boot_argv(bootrun.rvjit_cmd(), images, append=APPEND, disk=img)
    if how == "-snapshot":
        argv.append("-snapshot")
    elif how == "snapshot=on":
        i = argv.index(f"file={img},format=raw,if=none,id=hd0")
        argv[i] += ",snapshot=on"
    con = bootrun.run_console(argv, TIMEOUT, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert not con.timed_out, con.tail()
    # The guest wrote and synced its file either way.
    assert re.search(re.escape(initramfs.DISKTEST_DONE), con.text), con.tail(60)
    assert initramfs.DISKTEST_FAIL not in con.text, con.tail()
    assert con.exit_code == 0, con.tail()
    if how == "no snapshot":
        assert sha256(img) != before
        text = disk.read_file(img, "/" + initramfs.DISKTEST_FILE).decode()
        assert text.splitlines()[0] == initramfs.DISKTEST_LINE
    else:
        assert sha256(img) == before
