"""`make images` pieces, offline: apt sources, the Packages index, .deb unpacking, the cpio
writer, module ordering, the cache directory, and one line for a network error."""
from __future__ import annotations

import gzip
import io
import lzma
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from rvjit.images import bootrun, cpio, debian, disk, fetch, initramfs, mirror
from rvjit.images import modules as kmod

ROOT = Path(__file__).resolve().parents[1]


def test_mirror_from_apt_sources_both_formats(tmp_path):
    (tmp_path / "sources.list.d").mkdir()
    (tmp_path / "sources.list").write_text(
        "# comment\ndeb [arch=amd64 signed-by=/k.gpg] http://one.example/debian bookworm main\n")
    (tmp_path / "sources.list.d" / "x.sources").write_text(
        "Types: deb\nURIs: http://two.example/debian\nSuites: trixie\nComponents: main\n")
    assert mirror.debian_mirror(str(tmp_path), {}) == "http://one.example/debian"
    (tmp_path / "sources.list").write_text("")
    assert mirror.debian_mirror(str(tmp_path), {}) == "http://two.example/debian"
    env = {mirror.ENV_VAR: "http://env.example/debian/"}
    assert mirror.debian_mirror(str(tmp_path), env) == "http://env.example/debian"


def test_mirror_skips_security_and_third_party(tmp_path):
    (tmp_path / "sources.list.d").mkdir()
    (tmp_path / "sources.list.d" / "a.sources").write_text(
        "Types: deb\nURIs: http://sec.example/debian-security\nSuites: bookworm-security\n"
        "Components: main\n\nTypes: deb\nURIs: https://node.example/node_20.x\n"
        "Suites: nodistro\nComponents: main\n")
    with pytest.raises(mirror.MirrorError, match=mirror.ENV_VAR):
        mirror.debian_mirror(str(tmp_path), {})


def test_packages_and_inrelease_parsing():
    text = ("Package: opensbi\nVersion: 1.6-1\nFilename: pool/main/o/opensbi/o.deb\n"
            "Size: 10\nSHA256: ab\nDescription: x\n more\n\n"
            "Package: linux-image-riscv64\nDepends: linux-image-6.12.1+deb13-riscv64 (= 1)\n"
            "Filename: pool/l.deb\n")
    pk = debian.parse_packages(text)
    assert pk["opensbi"][0].sha256 == "ab" and pk["opensbi"][0].size == 10
    assert fetch.kernel_package(pk) == "linux-image-6.12.1+deb13-riscv64"
    inrel = "Hash: SHA256\nSHA256:\n 0123 99 main/binary-riscv64/Packages.xz\n 4567 5 other\n"
    assert debian.inrelease_sha256(inrel, "main/binary-riscv64/Packages.xz") == ("0123", 99)


def make_deb(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, data in files.items():
            ti = tarfile.TarInfo("./" + name)
            ti.size = len(data)
            tar.addfile(ti, io.BytesIO(data))
    members = [("debian-binary", b"2.0\n"), ("control.tar.xz", lzma.compress(b"")),
               ("data.tar.xz", lzma.compress(buf.getvalue()))]
    out = b"!<arch>\n"
    for name, body in members:
        out += f"{name:<16}{0:<12}{0:<6}{0:<6}{'100644':<8}{len(body):<10}`\n".encode()
        out += body + (b"\n" if len(body) & 1 else b"")
    return out


def test_deb_extract(tmp_path):
    p = tmp_path / "x.deb"
    p.write_bytes(make_deb({"bin/busybox": b"BB", "usr/share/doc": b"d"}))
    assert debian.deb_extract(str(p), lambda n: n.startswith("bin/")) == {"bin/busybox": b"BB"}
    p.write_bytes(b"garbage")
    with pytest.raises(debian.FetchError):
        debian.deb_extract(str(p), lambda n: True)


def test_cpio_newc_round_trip_and_alignment():
    entries = [cpio.directory("dev"), cpio.chardev("dev/console", 5, 1),
               cpio.regular("init", b"#!/bin/sh\n", 0o755), cpio.symlink("bin/sh", "busybox"),
               cpio.regular("odd", b"abc")]
    data = cpio.write_newc(entries)
    assert data.startswith(b"070701") and len(data) % 4 == 0
    assert cpio.read_newc(data) == entries
    assert b"TRAILER!!!" in data


def test_module_load_order_and_modules_dep():
    deps = {"ext4": ["jbd2", "mbcache", "crc16"], "jbd2": [], "mbcache": [], "crc16": [],
            "kvm": [], "virtio_blk": [], "virtio_mmio": []}
    order = kmod.load_order(["kvm", "ext4"], deps)
    assert order.index("jbd2") < order.index("ext4") and order[0] == "kvm"
    rel = {m: f"kernel/{m}.ko" for m in deps}
    dep = kmod.modules_dep(order, deps, rel)
    assert "kernel/ext4.ko: kernel/crc16.ko kernel/mbcache.ko kernel/jbd2.ko\n" in dep
    with pytest.raises(ValueError, match="cycle"):
        kmod.load_order(["a"], {"a": ["b"], "b": ["a"]})
    assert kmod.module_name("kernel/fs/ext4/ext4.ko.xz") == "ext4"
    assert kmod.module_name("x/virtio-mmio.ko.zst") == "virtio_mmio"


def test_initramfs_contents():
    gz = initramfs.build(b"\x7fELF", "6.12.0", {"kvm": b"KO"}, ["kvm"],
                         {"kvm": "kernel/arch/riscv/kvm/kvm.ko"}, "kernel/arch/riscv/kvm/kvm.ko:\n")
    files = {e.path: e for e in cpio.read_newc(gzip.decompress(gz))}
    assert initramfs.MARKER.encode() in files["init"].data
    for word in (b"proc", b"sysfs", b"devtmpfs"):
        assert word in files["init"].data
    assert b"insmod kernel/arch/riscv/kvm/kvm.ko" in files["sbin/load-modules"].data
    assert b"poweroff -f" in files["sbin/off"].data
    assert files["lib/modules/6.12.0/kernel/arch/riscv/kvm/kvm.ko"].data == b"KO"
    assert files["dev/console"].rdev == (5, 1)


def test_cache_dir_respects_xdg():
    assert fetch.cache_dir({"XDG_CACHE_HOME": "/x"}) == "/x/rvjit/images"
    assert fetch.cache_dir({"RVJIT_IMAGES_DIR": "/y", "XDG_CACHE_HOME": "/x"}) == "/y"


def test_network_error_is_one_line(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT), RVJIT_IMAGES_DIR=str(tmp_path),
               RVJIT_DEBIAN_MIRROR="http://127.0.0.1:9/debian")
    p = subprocess.run([sys.executable, "-m", "rvjit.images"], capture_output=True, text=True,
                       timeout=120, env=env)
    assert p.returncode != 0
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("rvjit.images: cannot download"), p.stderr


def test_initramfs_disktest_and_failing_insmod():
    gz = initramfs.build(b"\x7fELF", "6.12.0", {"kvm": b"KO", "ext4": b"E"}, ["kvm", "ext4"],
                         {"kvm": "kvm.ko", "ext4": "ext4.ko"}, "")
    files = {e.path: e for e in cpio.read_newc(gzip.decompress(gz))}
    init = files["init"].data.decode()
    assert "rvjit.disktest" in init and "/sbin/disktest" in init and "rvjit.autorun" in init
    dt = files["sbin/disktest"].data.decode()
    assert "mount -t ext4 /dev/vda /mnt" in dt and initramfs.DISKTEST_FILE in dt
    assert "/proc/version" in dt and "umount" in dt and initramfs.DISKTEST_DONE in dt
    lm = files["sbin/load-modules"].data.decode()
    assert "set -e" not in lm and 'insmod kvm.ko || { echo "insmod kvm: failed"' in lm
    assert lm.index("kvm.ko") < lm.index("ext4.ko") < lm.index("/dev/kvm")
    assert "mnt" in files
    assert len(initramfs.recipe()) == 16 and initramfs.recipe() == initramfs.recipe()


@pytest.mark.skipif(disk.tool("mkfs.ext4") is None or disk.tool("debugfs") is None,
                    reason="e2fsprogs (mkfs.ext4, debugfs) not installed")
def test_ext4_disk_round_trip(tmp_path):
    (tmp_path / "root").mkdir()
    (tmp_path / "root" / "a.txt").write_text("hello\n")
    img = disk.make_ext4(str(tmp_path / "d.img"), 8, root_dir=str(tmp_path / "root"))
    assert os.path.getsize(img) == 8 << 20
    assert disk.read_file(img, "/a.txt") == b"hello\n"
    assert "a.txt" in disk.list_dir(img)
    with pytest.raises(disk.DiskError, match="not in"):
        disk.read_file(img, "/missing.txt")
    assert disk.list_dir(disk.make_ext4(img, 8)) == ["lost+found"]     # fresh again


def test_console_runner_types_after_prompt():
    con = bootrun.run_console(
        ["sh", "-c", 'echo start; printf "# "; read x; echo "got $x"; exit 3'], 30,
        script=[(r"# $", "hello\n")])
    assert con.exit_code == 3 and not con.timed_out
    assert con.lines[-1][1] == "# got hello" and con.first("start") is not None
    con = bootrun.run_console(["sleep", "30"], 0.5)
    assert con.timed_out and con.exit_code is None
