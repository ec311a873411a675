#!/usr/bin/env bash
# One-time set-up of a fresh Debian machine for rvjit: the RISC-V cross compiler (to build the
# guest test programs and bench kernels), QEMU (the reference the tests and benchmarks compare
# against) and the Python packages.  Package sources come from the machine's own apt and pip
# configuration.
set -euo pipefail
SUDO=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null; then SUDO=sudo; fi
need=()
command -v riscv64-unknown-elf-gcc >/dev/null || need+=(gcc-riscv64-unknown-elf binutils-riscv64-unknown-elf)
command -v qemu-system-riscv64 >/dev/null || need+=(qemu-system-misc)
command -v cc >/dev/null || need+=(gcc)
if [ ${#need[@]} -gt 0 ]; then
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${need[@]}"
fi
python3 -m pip install -q -e '.[test]'
