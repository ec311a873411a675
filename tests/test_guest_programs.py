"""Run the self-checking bare-metal guest programs in tests/guest.

Every program is built with ``make -C tests/guest`` into build/guest/<name>.elf
and then booted like QEMU would boot it::

    python -m rvjit -machine virt -bios none -nographic -kernel <elf>

A program prints "PASS" (or "FAIL <n>") on the UART and leaves through the
sifive_test finisher, so the emulator exits with 0 (or with the failing test
number <n>).  Where qemu-system-riscv64 is installed the same command line is
run under QEMU as the reference: exit code and stdout must be identical.

Programs that follow the RISC-V spec where QEMU 7.2 does not are listed in
QEMU_DIVERGENT; only their QEMU comparison is skipped.

tests/guest/selftest_fail.S deliberately fails test 7: both emulators must
exit with 7, which proves that the harness can see a failure.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GUEST_DIR = ROOT / "tests" / "guest"
BUILD_DIR = ROOT / "build" / "guest"

CROSS_GCC = "riscv64-unknown-elf-gcc"
QEMU = "qemu-system-riscv64"
TIMEOUT = 60  # seconds per emulator run

FAIL_PROGRAM = "selftest_fail"
FAIL_CODE = 7

# Spec-following programs whose result differs under QEMU 7.2 (details in the
# header comment of each program).
QEMU_DIVERGENT = {
    "amo_faults": "QEMU 7.2 raises load exceptions (4/5) for misaligned or "
                  "faulting AMOs and lets a misaligned SC fail silently; the "
                  "spec requires store/AMO exceptions (6/7)",
    "irq_priority": "QEMU 7.2 without AIA takes the lowest-numbered pending "
                    "interrupt (SSI before MSI, STI before SEI); the spec orders "
                    "MEI, MSI, MTI, SEI, SSI, STI",
    "csr_spec": "QEMU 7.2 does not trap CSRRS/CSRRC with rs1!=x0 holding 0 on "
                "read-only CSRs and does not clear mepc[0]",
    "vm_napot_pbmt": "QEMU 7.2's default CPU has no Svnapot/Svpbmt (any N or "
                     "PBMT bit faults); with svnapot=on,svpbmt=on it still "
                     "accepts the reserved PBMT=3 encoding (test 6)",
}

BOOT_ARGS = ["-machine", "virt", "-bios", "none", "-nographic", "-kernel"]


def all_program_names() -> list[str]:
    """Every program tests/guest/Makefile builds (its `list` target, which includes the
    generated fp_* tables); the sources in the tree if make is unavailable."""
    try:
        out = subprocess.run(["make", "-s", "-C", str(GUEST_DIR), "list"], capture_output=True,
                             text=True, timeout=60, check=True).stdout
        return sorted(out.split())
    except (OSError, subprocess.SubprocessError):
        return sorted({p.stem for p in GUEST_DIR.glob("*.S")} |
                      {p.stem for p in GUEST_DIR.glob("*.c")})


def _program_names():
    names = set(all_program_names())
    names.discard(FAIL_PROGRAM)
    return sorted(names)


PROGRAMS = _program_names()


@pytest.fixture(scope="session")
def guest_build():
    """Build all guest programs once; returns the output directory."""
    if shutil.which(CROSS_GCC) is None:
        pytest.skip(f"{CROSS_GCC} not installed (Debian/Ubuntu package "
                    "gcc-riscv64-unknown-elf): cannot build guest programs")
    make = shutil.which("make")
    if make is None:
        pytest.skip("make not installed: cannot build guest programs")
    BUILD_DIR.mkdir(parents=True, exist_ok=True)
    # Serialise concurrent builds (e.g. pytest-xdist workers).
    with open(BUILD_DIR / ".build.lock", "w") as lock:
        try:
            import fcntl
            fcntl.flock(lock, fcntl.LOCK_EX)
        except ImportError:  # pragma: no cover - non-POSIX
            pass
        proc = subprocess.run(
            [make, "-C", str(GUEST_DIR), f"OUT={BUILD_DIR}"],
            cwd=ROOT, stdin=subprocess.DEVNULL, capture_output=True,
            text=True, timeout=600)
    if proc.returncode != 0:
        pytest.fail("building the guest programs failed:\n"
                    + proc.stdout[-4000:] + proc.stderr[-4000:])
    return BUILD_DIR


def _elf(build_dir, name):
    elf = build_dir / f"{name}.elf"
    assert elf.is_file(), f"{elf} was not built"
    return elf


class Run:
    def __init__(self, argv, returncode, stdout, stderr):
        self.argv = argv
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr

    def describe(self):
        return (f"command: {' '.join(map(str, self.argv))}\n"
                f"exit status: {self.returncode}\n"
                f"stdout: {self.stdout[-2000:]!r}\n"
                f"stderr: {self.stderr[-2000:].decode('utf-8', 'replace')}")


def _run(argv):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    try:
        proc = subprocess.run(argv, cwd=ROOT, env=env,
                              stdin=subprocess.DEVNULL, capture_output=True,
                              timeout=TIMEOUT)
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout or b""
        pytest.fail(f"timed out after {TIMEOUT} s: {' '.join(map(str, argv))}"
                    f"\nstdout so far: {out[-2000:]!r}")
    return Run(argv, proc.returncode, proc.stdout, proc.stderr)


def run_rvjit(elf):
    return _run([sys.executable, "-m", "rvjit", *BOOT_ARGS, str(elf)])


_qemu_cache = {}


def run_qemu(elf):
    """Run under QEMU (cached per ELF for the session)."""
    qemu = shutil.which(QEMU)
    if qemu is None:
        return None
    key = str(elf)
    if key not in _qemu_cache:
        _qemu_cache[key] = _run([qemu, *BOOT_ARGS, str(elf)])
    return _qemu_cache[key]


def _assert_same_as_qemu(name, ours, elf):
    ref = run_qemu(elf)
    if ref is None:
        return
    assert ours.returncode == ref.returncode, (
        f"{name}: exit status differs from QEMU\n--- rvjit\n{ours.describe()}"
        f"\n--- QEMU\n{ref.describe()}")
    assert ours.stdout == ref.stdout, (
        f"{name}: stdout differs from QEMU\n--- rvjit\n{ours.describe()}"
        f"\n--- QEMU\n{ref.describe()}")


@pytest.mark.parametrize("name", PROGRAMS)
def test_guest_program_rvjit(guest_build, name):
    elf = _elf(guest_build, name)
    ours = run_rvjit(elf)
    assert ours.returncode == 0 and b"PASS" in ours.stdout, (
        f"{name} failed under rvjit\n{ours.describe()}")
    if name not in QEMU_DIVERGENT:
        _assert_same_as_qemu(name, ours, elf)


@pytest.mark.parametrize("name", PROGRAMS)
def test_guest_program_qemu_reference(guest_build, name):
    """The program itself is right: it passes on the reference emulator."""
    if shutil.which(QEMU) is None:
        pytest.skip(f"{QEMU} not installed")
    if name in QEMU_DIVERGENT:
        pytest.skip(f"known QEMU 7.2 divergence: {QEMU_DIVERGENT[name]}")
    ref = run_qemu(_elf(guest_build, name))
    assert ref.returncode == 0 and b"PASS" in ref.stdout, (
        f"{name} failed under QEMU\n{ref.describe()}")


def test_selftest_fail_rvjit(guest_build):
    elf = _elf(guest_build, FAIL_PROGRAM)
    ours = run_rvjit(elf)
    assert ours.returncode == FAIL_CODE, (
        f"expected exit status {FAIL_CODE}\n{ours.describe()}")
    assert f"FAIL {FAIL_CODE}".encode() in ours.stdout, ours.describe()
    assert b"PASS" not in ours.stdout, ours.describe()
    _assert_same_as_qemu(FAIL_PROGRAM, ours, elf)


def test_selftest_fail_qemu(guest_build):
    if shutil.which(QEMU) is None:
        pytest.skip(f"{QEMU} not installed")
    ref = run_qemu(_elf(guest_build, FAIL_PROGRAM))
    assert ref.returncode == FAIL_CODE, ref.describe()
    assert ref.stdout == f"FAIL {FAIL_CODE}\n".encode(), ref.describe()


def test_program_list_complete():
    """Every instruction group has its program (guards against lost files)."""
    expected = {"alu", "alu_w", "branch", "jump", "loadstore", "muldiv",
                "atomic", "amo_faults", "rvc", "csr", "csr_spec", "trap",
                "fence", "hello", "cprog",
                "fp_state", "fp_arith_s", "fp_arith_d", "fp_fma", "fp_cmp", "fp_cvt"}
    assert expected <= set(PROGRAMS), expected - set(PROGRAMS)
    assert (GUEST_DIR / f"{FAIL_PROGRAM}.S").is_file()
