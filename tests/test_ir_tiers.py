"""Every IR op has a lowering in both tiers, and the two tiers agree (hypothesis: random IR
programs over random register values, run by the interpreter tier and by LLVM)."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from rvjit.backend.llvm_lower import lower_region
from rvjit.frontend.translate import BlockIR
from rvjit.ir.builder import IRBuilder
from rvjit.ir.ops import BINARY_OPS, Op
from rvjit.machine.virt import MachineConfig, VirtMachine

MASK64 = (1 << 64) - 1
PC = 0x8000_0000


def _every_op_block(flags: int) -> BlockIR:
    b = IRBuilder()
    x = b.getx(5)
    y = b.getx(6)
    acc = x
    for op in sorted(BINARY_OPS):
        acc = b.binop(op, acc, y)
    acc = b.unop(Op.MOV, acc)
    acc = b.unop(Op.SEXT32, acc)
    acc = b.unop(Op.ZEXT32, acc)
    acc = b.select(acc, x, y)
    b.setx(7, acc)
    f = b.getf(1)
    b.setf(2, f)
    v = b.ld(PC + 0x1000, 8, False, PC, 0)
    b.st(PC + 0x1008, v, 4, PC, 0)
    t = b.call("fence_i", pc=PC, icount=0)
    lab = b.new_label()
    skip = b.new_label()
    b.brcond(t, lab)
    b.br(skip)
    b.label(skip)
    b.label(lab)
    b.exit(PC + 4, 1)
    return BlockIR(PC, flags, b.insns, b.ntemps, 1, 4, b"\0" * 4, ())


def test_interpreter_runs_every_op():
    """A block using every IR op runs to its exit in the interpreter tier (an op it had no
    handler for would stop the machine with EXIT_HALT)."""
    from rvjit.cpu.state import EXIT_HALT
    m = _machine_for_tests()
    cpu = m.harts[0].cpu
    m.lib.rt_tb_clear(m.rt)
    m.engine.tbs.clear()
    blk = _every_op_block(cpu.tb_flags)
    m.engine.install(blk)
    cpu.pc = PC
    cpu.budget = 1
    assert m.lib.rt_run(cpu) != EXIT_HALT
    assert cpu.pc == PC + 4 and cpu.exc_taken == 0


def test_llvm_lowers_every_op():
    blk = _every_op_block(3)
    used = {i.op for i in blk.insns} | {Op.MOV}
    assert used == set(Op)
    text = lower_region("f", [blk])
    assert "define void @f" in text


_OPERANDS = st.one_of(
    st.sampled_from([0, 1, 2, 31, 32, 63, 64, MASK64, 1 << 63, (1 << 63) - 1, 0xFFFF_FFFF,
                     0x8000_0000, 0x7FFF_FFFF]),
    st.integers(0, MASK64))
_PROGRAM = st.lists(
    st.tuples(st.sampled_from(sorted(BINARY_OPS | {Op.SEXT32, Op.ZEXT32, Op.SELECT})),
              st.integers(0, 7), st.integers(0, 7), st.integers(0, 7),
              st.one_of(st.none(), _OPERANDS)),
    min_size=1, max_size=24)


def _build(prog) -> BlockIR:
    b = IRBuilder()
    vals = [b.getx(r) for r in range(1, 9)]
    for op, i, j, k, const in prog:
        a0, a1, a2 = vals[i], (vals[j] if const is None else const), vals[k]
        if op in (Op.SEXT32, Op.ZEXT32):
            v = b.unop(op, a0)
        elif op is Op.SELECT:
            v = b.select(a0, a1, a2)
        else:
            v = b.binop(op, a0, a1)
        vals[i] = v
    for r in range(1, 9):
        b.setx(r, vals[r - 1])
    b.exit(PC + 4, 1)
    return BlockIR(PC, 3 | (3 << 3), b.insns, b.ntemps, 1, 4, b"\0" * 4, ())


_machine: VirtMachine | None = None


def _machine_for_tests() -> VirtMachine:
    global _machine
    if _machine is None:
        _machine = VirtMachine(MachineConfig(ram_size=1 << 20, hot_threshold=0))
    return _machine


def _run(ir: BlockIR, regs: list[int], native: bool) -> list[int]:
    m = _machine_for_tests()
    cpu = m.harts[0].cpu
    m.lib.rt_tb_clear(m.rt)
    m.engine.tbs.clear()
    ir = BlockIR(PC, cpu.tb_flags, ir.insns, ir.ntemps, 1, 4, b"\0" * 4, ())
    m.engine.install(ir, native=native)
    for r in range(1, 9):
        cpu.x[r] = regs[r - 1]
    cpu.pc = PC
    cpu.budget = 1
    m.lib.rt_run(cpu)
    assert cpu.pc == PC + 4
    return [cpu.x[r] for r in range(1, 9)]


@settings(max_examples=300, deadline=None, derandomize=True)
@given(_PROGRAM, st.lists(_OPERANDS, min_size=8, max_size=8))
def test_interpreter_and_llvm_agree(prog, regs):
    ir = _build(prog)
    assert _run(ir, regs, native=False) == _run(ir, regs, native=True)
