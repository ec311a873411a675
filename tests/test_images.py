"""`make images` pieces, offline: apt sources, the Packages index, .deb unpacking, the cpio
writer, module ordering, the cache directory, one line for a network error, and for the KVM
host: Debian version order, the dependency closure, QEMU's shared libraries, the initramfs and
its guest-starting script."""
from __future__ import annotations

import gzip
import io
import itertools
import lzma
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import zstandard

from rvjit.images import bootrun, cpio, debian, disk, fetch, initramfs, kvmhost, mirror, shlibs
from rvjit.images import modules as kmod
from rvjit.images import packages as debpkg

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


# --- Debian package relations: the dependency closure of QEMU for the KVM host initramfs ---

def stanza(name: str, version: str = "1.0", **fields: str) -> str:
    lines = [f"Package: {name}", f"Version: {version}", f"Filename: pool/{name}.deb",
             "SHA256: 00", "Size: 1"]
    lines += [f"{k.replace('_', '-').title()}: {v}" for k, v in fields.items()]
    return "\n".join(lines) + "\n"


def index_of(*stanzas: str) -> debpkg.PackageIndex:
    return debpkg.PackageIndex(debian.parse_packages("\n".join(stanzas)))


def names(pkgs) -> list[str]:
    return [p.name for p in pkgs]


def test_debian_version_order():
    ordered = ["1.0~rc1", "1.0", "1.0-1", "1.0-1+b1", "1.0a", "1.0+dfsg", "1.1", "1.10",
               "1:0.1", "2:0~"]
    for a, b in itertools.pairwise(ordered):
        assert debpkg.compare_versions(a, b) == -1, (a, b)
        assert debpkg.compare_versions(b, a) == 1, (b, a)
    assert debpkg.compare_versions("1.0", "1.0-0") == 0
    assert debpkg.compare_versions("0:2.3", "2.3") == 0
    assert debpkg.compare_versions("1:10.0.13+ds-0+deb13u1", "1:10.0.13+ds~") == 1
    assert debpkg.version_satisfies("2.41-12", ">=", "2.38")
    assert not debpkg.version_satisfies("2.37", ">=", "2.38")
    assert debpkg.version_satisfies("1.5", "<<", "1.5.1") and debpkg.version_satisfies("1", "", "")
    assert not debpkg.version_satisfies("", ">=", "1")      # unversioned Provides


def test_relation_parsing():
    rel = debpkg.parse_relations("libc6 (>= 2.38), debconf | debconf-2.0, libfoo:any, "
                                 "bar (<< 2) [riscv64] <!nocheck>, baz (> 1)")
    assert rel == [[debpkg.Relation("libc6", ">=", "2.38")],
                   [debpkg.Relation("debconf"), debpkg.Relation("debconf-2.0")],
                   [debpkg.Relation("libfoo")], [debpkg.Relation("bar", "<<", "2")],
                   [debpkg.Relation("baz", ">=", "1")]]
    assert debpkg.parse_relations("") == []
    with pytest.raises(debpkg.ResolveError, match="cannot parse"):
        debpkg.parse_relations("Bad Name (>= 1")


def test_closure_versions_alternatives_and_virtual_packages():
    idx = index_of(
        stanza("qemu", depends="libc6 (>= 2.38), libglib | libglib-old, mail-transport-agent",
               pre_depends="libzstd"),
        stanza("libc6", "2.41-12", depends="libgcc-s1"),
        stanza("libc6", "2.36-9"),             # an older stanza of the same package
        stanza("libgcc-s1", depends="gcc-base (= 14.2)"),
        stanza("gcc-base", "14.2"),
        stanza("libglib-old", "1.0"),          # the second alternative: not taken
        stanza("libglib", "2.84", depends="libc6"),
        stanza("postfix", provides="mail-transport-agent", depends="libssl"),
        stanza("exim4", provides="mail-transport-agent"),
        stanza("libssl", "3.5", depends="debconf | debconf-2.0"),
        stanza("cdebconf", provides="debconf-2.0"),
        stanza("libzstd"),
        stanza("unrelated", depends="nothing-provides-this"))
    got = debpkg.closure(idx, ["qemu"])
    assert names(got) == ["qemu", "libzstd", "libc6", "libglib", "exim4", "libgcc-s1",
                          "gcc-base"]
    assert next(p for p in got if p.name == "libc6").version == "2.41-12"
    # An alternative already in the closure satisfies a later group: no second pick.
    got = debpkg.closure(idx, ["postfix"])
    assert names(got) == ["postfix", "libssl", "cdebconf"]
    got = debpkg.closure(idx, ["cdebconf", "libssl"])
    assert names(got) == ["cdebconf", "libssl"]


def test_closure_versioned_provides_and_failures():
    idx = index_of(stanza("app", depends="libx (>= 2)"),
                   stanza("libx", "1.5"),
                   stanza("libx-new", "9", provides="libx (= 2.1)"),
                   stanza("libx-any", "9", provides="libx"),
                   stanza("broken", depends="libx (>= 3) | missing"))
    assert names(debpkg.closure(idx, ["app"])) == ["app", "libx-new"]
    with pytest.raises(debpkg.ResolveError, match=r"broken: nothing .* libx \(>= 3\) \| missing"):
        debpkg.closure(idx, ["broken"])
    with pytest.raises(debpkg.ResolveError, match="no package nope"):
        debpkg.closure(idx, ["nope"])


# --- QEMU's shared libraries and the KVM host initramfs (host ELF files stand in for riscv64) ---

def build_elf(tmp_path, name: str, source: str, *flags: str) -> bytes:
    src = tmp_path / f"{name}.c"
    src.write_text(source)
    out = tmp_path / name
    subprocess.run(["cc", "-o", str(out), str(src), f"-L{tmp_path}",
                    f"-Wl,-rpath-link,{tmp_path}", "-nostdlib", *flags], check=True,
                   capture_output=True)
    return out.read_bytes()


@pytest.fixture
def qemu_like_tree(tmp_path) -> shlibs.FileTree:
    """usr/bin/qemu-system-riscv64 -> libfoo.so.1 -> libbar.so.2, loader /lib/ld-test.so.1;
    libraries behind symbolic links, some under the unmerged /lib as older packages ship."""
    if not shutil.which("cc"):
        pytest.skip("no host C compiler")
    bar = build_elf(tmp_path, "libbar.so.2", "int bar(void) { return 2; }\n",
                    "-shared", "-fPIC", "-Wl,-soname,libbar.so.2")
    (tmp_path / "libbar.so").write_bytes(bar)
    foo = build_elf(tmp_path, "libfoo.so.1", "int bar(void);\nint foo(void) { return bar(); }\n",
                    "-shared", "-fPIC", "-Wl,-soname,libfoo.so.1", "-lbar")
    (tmp_path / "libfoo.so").write_bytes(foo)
    exe = build_elf(tmp_path, "qemu", "int foo(void);\nvoid _start(void) { foo(); for (;;) ; }\n",
                    "-Wl,--dynamic-linker=/lib/ld-test.so.1", "-lfoo")
    tree = shlibs.FileTree()
    ma = f"usr/lib/{shlibs.MULTIARCH}"
    tree.add({"usr/bin/qemu-system-riscv64": exe, f"{ma}/libfoo.so.1.2.3": foo,
              f"lib/{shlibs.MULTIARCH}/libbar.so.2.0": bar, f"{ma}/ld-test.so.1": b"LOADER",
              f"{ma}/libunused.so.1": b"x"},
             {f"{ma}/libfoo.so.1": "libfoo.so.1.2.3",
              f"lib/{shlibs.MULTIARCH}/libbar.so.2": "libbar.so.2.0",
              "usr/lib/ld-test.so.1": f"/lib/{shlibs.MULTIARCH}/ld-test.so.1"})
    return tree


def test_shared_library_closure(qemu_like_tree):
    tree = qemu_like_tree
    assert shlibs.usr_merged("/lib/x/../y.so") == "usr/lib/y.so"
    assert shlibs.usr_merged("etc/a") == "etc/a"
    deps = shlibs.elf_deps(tree.files["usr/bin/qemu-system-riscv64"])
    assert deps.interp == "/lib/ld-test.so.1" and "libfoo.so.1" in deps.needed
    got = shlibs.library_closure(tree, "usr/bin/qemu-system-riscv64")
    ma = f"usr/lib/{shlibs.MULTIARCH}"
    assert got.interp == "usr/lib/ld-test.so.1" and got.interp_file == f"{ma}/ld-test.so.1"
    assert got.libraries[f"{ma}/libfoo.so.1"] == f"{ma}/libfoo.so.1.2.3"
    assert got.libraries[f"{ma}/libbar.so.2"] == f"{ma}/libbar.so.2.0"
    assert not any("unused" in k for k in got.libraries)
    del tree.links[f"usr/lib/{shlibs.MULTIARCH}/libbar.so.2"]
    with pytest.raises(shlibs.MissingLibrary, match=r"libfoo\.so\.1\.2\.3 needs libbar\.so\.2"):
        shlibs.library_closure(tree, "usr/bin/qemu-system-riscv64")


def test_kvm_host_initramfs(qemu_like_tree):
    zst = kvmhost.build(b"BUSYBOX", "6.12.0", b"KVMKO", b"IMAGE", qemu_like_tree)
    assert zst[:4] == b"\x28\xb5\x2f\xfd"            # zstd frame magic (the kernel unpacks it)
    files = {e.path: e for e in cpio.read_newc(zstandard.ZstdDecompressor().decompressobj()
                                                .decompress(zst))}
    ma = f"usr/lib/{shlibs.MULTIARCH}"
    assert files["usr/lib/ld-test.so.1"].data == b"LOADER"
    assert files[f"{ma}/libfoo.so.1"].data[:4] == b"\x7fELF" and f"{ma}/libbar.so.2" in files
    assert f"{ma}/libunused.so.1" not in files and files["lib"].data == b"usr/lib"
    assert files["usr/lib/modules/6.12.0/kvm.ko"].data == b"KVMKO"
    assert files["guest/Image"].data == b"IMAGE"
    init = files["init"].data.decode()
    assert "insmod /lib/modules/6.12.0/kvm.ko" in init and "/sbin/run-guests" in init
    run = files["sbin/run-guests"].data.decode()
    for n in kvmhost.GUESTS:
        assert f"-serial file:/run/guest{n}.log" in run and kvmhost.guest_seen(n) in run
    assert run.count("-accel kvm -machine virt -cpu host -smp 1 -m 128M") == 2
    assert "-bios none -kernel /guest/Image -initrd /guest/initramfs.cpio.gz" in run
    assert 'pin2="taskset -c $((2 % cpus))"' in run and "rvjit.nopin" in run
    assert run.index(kvmhost.HOST_MARKER) < run.index(kvmhost.FINAL_LINE)
    guest = {e.path: e for e in cpio.read_newc(gzip.decompress(
        files["guest/initramfs.cpio.gz"].data))}
    assert kvmhost.GUEST_MARKER in guest["init"].data.decode()
    assert guest["bin/busybox"].data == b"BUSYBOX" and guest["dev/console"].rdev == (5, 1)


@pytest.mark.skipif(not shutil.which("sh"), reason="no sh")
def test_run_guests_script_waits_for_both_markers(tmp_path):
    """The host's script under the host's sh, with fake QEMUs: one guest writes its marker at
    once, the other after a while; then one QEMU that dies without a marker."""
    run = kvmhost.run_guests_script().replace("/run/", f"{tmp_path}/")
    run = run.replace("[ -e /dev/kvm ] ||", "true ||").replace(f"mkdir -p {tmp_path}", ":")
    fake = tmp_path / "fake-qemu"
    fake.write_text(f'#!/bin/sh\ncase "$*" in *guest2*) sleep 1;; esac\n'
                    f'for a; do case "$a" in file:*) f=${{a#file:}};; esac; done\n'
                    f'echo "boot" > "$f"; [ -n "$FAKE_DIE" ] && exit 1\n'
                    f'echo "{kvmhost.GUEST_MARKER}" >> "$f"; sleep 5\n')
    fake.chmod(0o755)
    script = tmp_path / "run-guests"
    script.write_text(run.replace(f"/{kvmhost.QEMU}", str(fake)))
    p = subprocess.run(["sh", str(script)], capture_output=True, text=True, timeout=60)
    lines = p.stdout.splitlines()
    assert p.returncode == 0, p.stdout + p.stderr
    assert lines[:4] == [kvmhost.HOST_MARKER, kvmhost.guest_seen(1), kvmhost.guest_seen(2),
                         kvmhost.FINAL_LINE]
    assert f"guest2| {kvmhost.GUEST_MARKER}" in lines
    p = subprocess.run(["sh", str(script)], capture_output=True, text=True, timeout=60,
                       env=dict(os.environ, FAKE_DIE="1"))
    assert p.returncode == 1
    assert f"{kvmhost.FAILED}: guest 1's QEMU exited before its marker" in p.stdout
    assert "guest1| boot" in p.stdout
