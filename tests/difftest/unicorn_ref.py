"""The reference: run a program on unicorn (QEMU's RISC-V TCG, as packaged by PyPI `unicorn`)."""
from __future__ import annotations

from dataclasses import dataclass

from unicorn import UC_ARCH_RISCV, UC_MODE_RISCV64, Uc, UcError
from unicorn import riscv_const as rc

from .gen import CODE_BASE, DATA_BASE, DATA_SIZE, initial_data

CODE_SIZE = 0x1_0000
MAX_INSNS = 10_000          # programs only branch forward: a safety net, never reached

X_REGS = [getattr(rc, f"UC_RISCV_REG_X{i}") for i in range(1, 32)]


@dataclass
class Outcome:
    regs: list[int]          # x1..x31
    pc: int                  # where execution stopped (the program's end on success)
    data: bytes              # the data region afterwards
    error: str | None = None  # an emulator error (a trap the program should not take)
    interp_blocks: int = 0   # rvjit only: blocks run by each tier (in the reported run)
    native_blocks: int = 0


def run_unicorn(code: bytes, end: int, regs: list[int]) -> Outcome:
    uc = Uc(UC_ARCH_RISCV, UC_MODE_RISCV64)
    uc.mem_map(CODE_BASE, CODE_SIZE)
    uc.mem_map(DATA_BASE, DATA_SIZE)
    uc.mem_write(CODE_BASE, code)
    uc.mem_write(DATA_BASE, initial_data())
    for r, v in zip(X_REGS, regs, strict=True):
        uc.reg_write(r, v)
    error = None
    try:
        uc.emu_start(CODE_BASE, end, count=MAX_INSNS)
    except UcError as e:
        error = f"unicorn: {e}"
    out = Outcome([uc.reg_read(r) for r in X_REGS], uc.reg_read(rc.UC_RISCV_REG_PC),
                  bytes(uc.mem_read(DATA_BASE, DATA_SIZE)), error)
    if error is None and out.pc != end:
        out.error = f"unicorn stopped at {out.pc:#x}, not at the end {end:#x}"
    return out
