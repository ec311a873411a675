"""Boot the `make images` Linux on rvjit or qemu-system-riscv64 and watch its console: the
shared harness of tests/test_boot_linux.py and bench/boot_bench.py.  Each console line is
timestamped as it arrives; a script of (pattern, text) steps types into the guest's stdin once
the pattern has appeared on the console."""
from __future__ import annotations

import os
import re
import select
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field

from rvjit.images import fetch

AUTORUN_APPEND = "console=ttyS0 earlycon=sbi cryptomgr.notests rvjit.autorun"
# The KVM host (rvjit/images/kvmhost.py): its /init starts the two guests by itself.
KVM_HOST_APPEND = "console=ttyS0 earlycon=sbi cryptomgr.notests"
KVM_HOST_SMP = 4
KVM_HOST_MEMORY = "2G"


@dataclass(frozen=True, slots=True)
class Images:
    bios: str
    kernel: str
    initrd: str


def find_images(environ: dict | None = None, initrd: str = "initramfs") -> Images | str:
    """The images `make images` made (with the busybox initramfs, or initrd="kvm-initramfs":
    the KVM host's), or a one-line reason they cannot be used."""
    root = fetch.cache_dir(environ)
    m = fetch.load_manifest(root)
    if m is None:
        return f"no boot images in {root} (run `make images`)"
    imgs = m["images"]
    for key in ("fw_dynamic.bin", "kernel", initrd):
        if key not in imgs:
            return f"{root}/manifest.json lists no {key} (run `make images`)"
    return Images(imgs["fw_dynamic.bin"]["path"], imgs["kernel"]["path"], imgs[initrd]["path"])


def rvjit_cmd() -> list[str]:
    return [sys.executable, "-m", "rvjit"]


def qemu_cmd() -> list[str] | None:
    exe = shutil.which("qemu-system-riscv64")
    return [exe] if exe else None


def boot_argv(emulator: list[str], images: Images, *, smp: int = 1, mem: str = "1G",
              append: str = AUTORUN_APPEND, disk: str | None = None,
              cpu: str | None = None) -> list[str]:
    """A QEMU-style command line (rvjit and qemu-system-riscv64 both accept it)."""
    argv = [*emulator, "-machine", "virt", "-m", mem, "-smp", str(smp), "-nographic",
            "-bios", images.bios, "-kernel", images.kernel, "-initrd", images.initrd,
            "-append", append]
    if cpu:
        argv += ["-cpu", cpu]
    if disk:
        argv += ["-drive", f"file={disk},format=raw,if=none,id=hd0",
                 "-device", "virtio-blk-device,drive=hd0"]
    return argv


def kvm_host_argv(emulator: list[str], images: Images, *,
                  smp: int = KVM_HOST_SMP) -> list[str]:
    """The KVM host's command line: the H extension on (QEMU 7.2's spelling), 2 GiB."""
    return boot_argv(emulator, images, smp=smp, mem=KVM_HOST_MEMORY, append=KVM_HOST_APPEND,
                     cpu="rv64,h=true")


@dataclass
class Console:
    lines: list[tuple[float, str]] = field(default_factory=list)  # (seconds since start, line)
    exit_code: int | None = None      # None: killed at the timeout
    elapsed: float = 0.0
    timed_out: bool = False

    @property
    def text(self) -> str:
        return "\n".join(line for _, line in self.lines)

    def first(self, needle: str) -> float | None:
        """When the first line containing `needle` arrived."""
        for t, line in self.lines:
            if needle in line:
                return t
        return None

    def tail(self, n: int = 40) -> str:
        return "\n".join(line for _, line in self.lines[-n:])


_ANSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]|\x1bc")


def run_console(argv: list[str], timeout: float, *, env: dict | None = None,
                script: list[tuple[str, str]] | None = None, echo=None) -> Console:
    """Run `argv`, collecting its console (stdout and stderr together) line by line until it
    exits or `timeout` seconds pass (then it is killed).  `script`: (regex, text) steps; each
    step's text is written to stdin once its regex matches the output since the previous step
    (the unfinished last line too, for prompts).  `echo(line)` sees each line as it comes."""
    steps = list(script or [])
    con = Console()
    t0 = time.monotonic()
    p = subprocess.Popen(argv, stdin=subprocess.PIPE if steps else subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    fd = p.stdout.fileno()
    os.set_blocking(fd, False)
    buf = b""
    since = b""                       # output not yet matched by the current step
    eof = False

    def take_lines(final: bool) -> None:
        nonlocal buf
        now = time.monotonic() - t0
        parts = buf.split(b"\n")
        buf = b"" if final else parts.pop()
        for raw in parts:
            if final and not raw:
                continue
            line = _ANSI.sub(b"", raw).decode("utf-8", errors="replace").rstrip("\r")
            con.lines.append((now, line))
            if echo:
                echo(line)

    try:
        while not eof:
            left = timeout - (time.monotonic() - t0)
            if left <= 0:
                con.timed_out = True
                break
            ready, _, _ = select.select([fd], [], [], min(left, 1.0))
            if ready:
                try:
                    chunk = os.read(fd, 65536)
                except BlockingIOError:
                    chunk = b""
                if chunk == b"":
                    eof = True
                else:
                    buf += chunk
                    since += chunk
                    take_lines(False)
            while steps and re.search(steps[0][0].encode(), _ANSI.sub(b"", since)):
                since = b""
                try:
                    p.stdin.write(steps.pop(0)[1].encode())
                    p.stdin.flush()
                except (BrokenPipeError, OSError):
                    steps.clear()
            if eof:
                break
        take_lines(True)
        if con.timed_out:
            p.kill()
        try:
            con.exit_code = p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        if con.timed_out:
            con.exit_code = None
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        if p.stdin:
            try:
                p.stdin.close()
            except OSError:
                pass
    con.elapsed = time.monotonic() - t0
    return con
