#!/usr/bin/env bash
# One-time set-up of a fresh Debian machine for rvjit: the RISC-V cross compiler (to build the
# guest test programs and bench kernels), e2fsprogs (ext4 disk images), QEMU (the reference the tests and benchmarks compare
# against) and the Python packages.  Package sources come from the machine's own apt and pip
# configuration.
set -euo pipefail
SUDO=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null; then SUDO=sudo; fi
need=()
command -v riscv64-unknown-elf-gcc >/dev/null || need+=(gcc-riscv64-unknown-elf binutils-riscv64-unknown-elf)
command -v qemu-system-riscv64 >/dev/null || need+=(qemu-system-misc)
command -v cc >/dev/null || need+=(gcc)
# e2fsprogs (mkfs.ext4, debugfs: the boot tests' ext4 disk, rvjit/images/disk.py) lives in sbin.
[ -x /usr/sbin/mkfs.ext4 ] || [ -x /sbin/mkfs.ext4 ] || command -v mkfs.ext4 >/dev/null || need+=(e2fsprogs)
if [ ${#need[@]} -gt 0 ]; then
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${need[@]}"
fi
python3 -m pip install -q -e '.[test]'
