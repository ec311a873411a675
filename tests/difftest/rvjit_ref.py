"""Run a program on rvjit in-process, on a fresh VirtMachine.

The program is followed by an `ebreak`; mtvec points at a stub that saves x30/x31 in
mscratch/sscratch (so that no program register is lost), then writes 0x5555 to the SiFive test
finisher, which stops `machine.run()`.  The hart starts at the program directly, in M-mode (the
reset ROM is skipped).

hot_threshold 0 runs the interpreter tier only.  With hot_threshold H > 0 a block is compiled
by LLVM right after its H-th (interpreted) execution, so a straight-line program would never run
compiled code: the program is therefore run H + 1 times on the same machine (same translations),
resetting the hart and the data region in between, and the last run, in which every block is
native, is reported (an earlier run that fails is reported instead).

* H = 1: every block is compiled alone (its successors are not translated yet when it becomes
  hot): single-block regions.
* H = 2: a block becomes hot in the second run, when the blocks it reaches are translated, so
  regions hold several blocks and the third run follows their internal (chained) edges.

Compilation is synchronous (compile_workers = 0), so which tier runs what is deterministic.
"""
from __future__ import annotations

from rvjit.machine.virt import VIRT_TEST, MachineConfig, VirtMachine

from .gen import CODE_BASE, DATA_BASE, DATA_SIZE, OP_IMM, enc_i, enc_j, enc_s, enc_u, initial_data
from .unicorn_ref import Outcome

EBREAK = 0x0010_0073
STUB = CODE_BASE + 0x8_0000
CSR_MSCRATCH, CSR_SSCRATCH = 0x340, 0x140
CAUSE_BREAKPOINT = 3
RUNAWAY = 0xDEAD          # finisher-less stop code of the runaway guard


def _csrw(csr: int, rs1: int) -> int:
    return enc_i(0x73, 1, 0, rs1, csr)         # csrrw x0, csr, rs1


def stub_code() -> bytes:
    words = [
        _csrw(CSR_MSCRATCH, 30),
        _csrw(CSR_SSCRATCH, 31),
        enc_u(0x37, 30, VIRT_TEST >> 12),      # lui x30, 0x100
        enc_u(0x37, 31, 0x5),                  # lui x31, 0x5
        enc_i(OP_IMM, 0, 31, 31, 0x555),       # addi x31, x31, 0x555
        enc_s(0x23, 2, 30, 31, 0),             # sw x31, 0(x30)
        enc_j(0, 0),                           # j .
    ]
    return b"".join(w.to_bytes(4, "little") for w in words)


_STUB = stub_code()


def _start(m: VirtMachine, regs: list[int]) -> None:
    cpu = m.harts[0].cpu
    m.lib.rt_reset_cpu(cpu, 0, CODE_BASE)      # M-mode, no reservation, TLB flushed
    m.memory.write_bytes(DATA_BASE, initial_data())
    for i, v in enumerate(regs, start=1):
        cpu.x[i] = v
    cpu.pc = CODE_BASE
    cpu.mtvec = STUB
    cpu.stat_interp_blocks = cpu.stat_native_blocks = 0
    m.exit_code = None
    m.difftest_polls = 0


def _guard(m: VirtMachine) -> None:
    """Stop a program that runs away: the run loop polls devices after every BLOCK_BUDGET
    blocks (and once at the end of a run); _start resets the count."""
    update = m.clint.update

    def guarded() -> None:
        m.difftest_polls += 1
        if m.difftest_polls > 3:
            m.stop(RUNAWAY)
        update()
    m.clint.update = guarded


def _finish(m: VirtMachine, end: int) -> Outcome:
    cpu = m.harts[0].cpu
    regs = [cpu.x[i] for i in range(1, 32)]
    regs[29], regs[30] = cpu.mscratch, cpu.sscratch          # x30, x31 saved by the stub
    out = Outcome(regs, cpu.mepc, m.memory.read_bytes(DATA_BASE, DATA_SIZE))
    if m.exit_code == RUNAWAY:
        out.error = f"rvjit: runaway program, pc={cpu.pc:#x}"
    elif m.exit_code != 0:
        out.error = f"rvjit: finisher exit code {m.exit_code}"
    elif cpu.mcause != CAUSE_BREAKPOINT or cpu.mepc != end:
        out.error = (f"rvjit: trapped with mcause={cpu.mcause} mepc={cpu.mepc:#x} "
                     f"mtval={cpu.mtval:#x} (expected the ebreak at {end:#x})")
    out.interp_blocks = cpu.stat_interp_blocks
    out.native_blocks = cpu.stat_native_blocks
    return out


def run_rvjit(code: bytes, end: int, regs: list[int], hot_threshold: int = 0) -> Outcome:
    # Compile synchronously, so which tier runs what is deterministic.
    m = VirtMachine(MachineConfig(ram_size=16 << 20, hot_threshold=hot_threshold, disk_cache=False,
                                  compile_workers=0))
    m.memory.write_bytes(CODE_BASE, code + EBREAK.to_bytes(4, "little"))
    m.memory.write_bytes(STUB, _STUB)
    _guard(m)
    runs = hot_threshold + 1 if hot_threshold > 0 else 1
    for _ in range(runs):
        _start(m, regs)
        m.run()
        out = _finish(m, end)
        if out.error:
            break
    return out
