"""The reset ROM QEMU's virt machine places at 0x1000: every hart starts there and jumps to the
firmware (or the kernel with -bios none) with a0 = hartid, a1 = the device tree's address and
a2 = the address of a fw_dynamic_info record (OpenSBI's fw_dynamic protocol)."""
from __future__ import annotations

import struct

ROM_BASE = 0x1000
ROM_SIZE = 0xF000

FW_DYNAMIC_INFO_MAGIC = 0x4942534F      # "OSBI"
FW_DYNAMIC_INFO_VERSION = 2
FW_DYNAMIC_INFO_NEXT_MODE_S = 1


def _i(imm: int, rs1: int, f3: int, rd: int, opcode: int) -> int:
    return ((imm & 0xFFF) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | opcode


T0, A0, A1, A2 = 5, 10, 11, 12


def reset_rom(start: int, fdt_addr: int, next_addr: int, next_mode: int = 1,
              boot_hart: int = 0) -> bytes:
    """QEMU 7.2's riscv_setup_rom_reset_vec + riscv_rom_copy_firmware_info: the code, the
    start and fdt dwords, then fw_dynamic_info (version 2, boot_hart 0 as QEMU sets it)."""
    code = [
        (0 << 12) | (T0 << 7) | 0x17,           # auipc t0, 0
        _i(40, T0, 0, A2, 0x13),                # addi  a2, t0, 40   -> fw_dynamic_info
        _i(0xF14, 0, 2, A0, 0x73),              # csrr  a0, mhartid
        _i(32, T0, 3, A1, 0x03),                # ld    a1, 32(t0)   -> fdt address
        _i(24, T0, 3, T0, 0x03),                # ld    t0, 24(t0)   -> start address
        _i(0, T0, 0, 0, 0x67),                  # jr    t0
    ]
    rom = b"".join(struct.pack("<I", c) for c in code)
    rom += struct.pack("<QQ", start, fdt_addr)
    # struct fw_dynamic_info: magic, version, next_addr, next_mode, options, boot_hart.
    rom += struct.pack("<QQQQQQ", FW_DYNAMIC_INFO_MAGIC, FW_DYNAMIC_INFO_VERSION, next_addr,
                       next_mode, 0, boot_hart)
    return rom
