"""IR -> LLVM IR text for a region: one native function that runs a hot block and the blocks it
reaches directly, with the edges between them as branches (so loops become LLVM loops).

Two shapes of the same code:
  * for an optimising tier (`local`), guest registers live in allocas (promoted to SSA by
    LLVM), loaded at entry and stored back at every exit; the retired-instruction count and
    the block budget are locals too, written back before every out-of-line call (by small
    alwaysinline stubs, `<f>_ld`, `<f>_st`, `<f>_pre`) and at exits;
  * for the first tier (no IR passes, fast instruction selection; objcompile.py), where an
    alloca is a stack slot anyway, registers, instret and budget are used in place in CPUState:
    no copies in and out, nothing to spill around calls, about a third less text to parse.
Loads and stores hit the software TLB inline (privileged-spec semantics live in the slow-path
helpers).  Every callee is called through a pointer made once in the entry block: with the large
code model (objcompile.py) fast-isel cannot materialise a global's address, and each direct
call would be handed to SelectionDAG on its own (the optimiser folds the casts away); the entry
counter's update comes first in the entry block for the same reason.
"""
from __future__ import annotations

from dataclasses import dataclass

from rvjit.cpu.state import FIELDS, PAGE_BITS, PAGE_MASK, STRUCTS, TLB_SIZE, struct_field_index
from rvjit.frontend.translate import BlockIR
from rvjit.ir.helpers import HELPERS
from rvjit.ir.ops import BINARY_OPS, Insn, Op, Operand, Tmp

MASK64 = 0xFFFF_FFFF_FFFF_FFFF
MIN64 = 1 << 63

# Helpers whose calls let a block still chain to its successors inside a region: they cannot
# change the mode, unmask an interrupt or ask the run loop to stop.
CHAIN_SAFE_HELPERS = frozenset({"lr", "sc", "amo"}) | frozenset(
    h.name for h in HELPERS.values() if h.chain_safe)

_ICMP = {Op.EQ: "eq", Op.NE: "ne", Op.LT: "slt", Op.LTU: "ult", Op.GE: "sge", Op.GEU: "uge"}
_SIMPLE = {Op.ADD: "add", Op.SUB: "sub", Op.AND: "and", Op.OR: "or", Op.XOR: "xor",
           Op.MUL: "mul"}
_SHIFT = {Op.SHL: "shl", Op.SHR: "lshr", Op.SAR: "ashr"}
_SIZE_TY = {1: "i8", 2: "i16", 4: "i32", 8: "i64"}
_TLB_FIELD = {f: struct_field_index("TLBEntry", f) for f in ("tag_r", "tag_w", "addend")}


def _slots() -> dict[str, int]:
    """Where the fields up to cpu->tlb start, in i64 words: every field before the TLB is a
    64-bit scalar or an array of them (a 64-bit host's pointers included), so there is no
    padding.  Generated code addresses them as i64 words from the state pointer, which spares
    each module the %CPUState type (tests/test_llvm_lower.py checks LLVM lays it out so)."""
    out, k = {}, 0
    for f in FIELDS:
        out[f.name] = k
        if f.name == "tlb":
            return out
        assert f.ctype in ("u64", "i64", "ptr"), f
        k += f.dims[0] if f.dims else 1
    raise AssertionError("no tlb field")


_SLOT = _slots()
_TLB_SLOT = _SLOT["tlb"]
assert _SLOT["x"] == 0          # x[r] is word r (xptr)
_TLB_ENTRY = len(STRUCTS["TLBEntry"])            # i64 words per entry
assert all(f.ctype in ("u64", "i64") and not f.dims for f in STRUCTS["TLBEntry"])
assert _TLB_ENTRY == 4
_TLB_ENTRY_SHIFT = 2


def chainable(block: BlockIR) -> bool:
    return all(i.op is not Op.CALL or i.helper in CHAIN_SAFE_HELPERS for i in block.insns)


def _c(v: int) -> str:
    """An i64 constant as LLVM writes it (signed decimal)."""
    v &= MASK64
    return str(v - (1 << 64) if v >> 63 else v)


@dataclass
class _Region:
    blocks: list[BlockIR]
    index: dict[int, int]           # pc -> block number inside the region


def _dead_setx(insns: list[Insn]) -> set[int]:
    """Positions of SETX whose store a later SETX of the same register overwrites before
    anything can observe guest state (a memory access or call that may trap, a branch, a label
    or an exit): the value is still used, only the store to CPUState is dropped."""
    dead: set[int] = set()
    later: set[int] = set()
    for pos in range(len(insns) - 1, -1, -1):
        i = insns[pos]
        op = i.op
        if op is _SETX:
            if i.reg in later:
                dead.add(pos)
            else:
                later.add(i.reg)
        elif op in _BARRIERS:
            later.clear()
    return dead


_GETX, _SETX, _LD, _ST, _EXIT, _MOV, _LABEL = (Op.GETX, Op.SETX, Op.LD, Op.ST, Op.EXIT, Op.MOV,
                                               Op.LABEL)
_BARRIERS = frozenset({Op.LD, Op.ST, Op.CALL, Op.BR, Op.BRCOND, Op.LABEL, Op.EXIT})
# x OP 0 == x: the lowering passes x on instead of emitting the instruction.
_ZERO_IDENTITY = frozenset({Op.ADD, Op.SUB, Op.OR, Op.XOR, Op.SHL, Op.SHR, Op.SAR})


class _Emitter:
    """Values and most blocks of the body are unnamed (`%17`, `17:`), numbered in text order
    (LLVM accepts gaps): the parser's cost for a name is a symbol-table entry, and unnamed
    values took a third off parsing.  The entry block, which is written last, and the blocks
    that are branched to before they are written (`b<k>`, `L<k>_<label>`, `exit`, `trap`) keep
    short names."""

    def __init__(self, fname: str, region: _Region, local: bool) -> None:
        self.fname = fname
        self.local = local
        self.stub = f"{fname}_"                 # the slow-path stubs' names (local shape)
        self.region = region
        self.lines: list[str] = []
        self.n = 0
        self.exits: list[tuple[str, str, str]] = []      # (pc value, icount value, from label)
        self.traps: list[tuple[str, str]] = []            # (icount value, from label)
        self.cur_label = "entry"
        # The registers the region uses and writes (the local shape copies them in and out).
        self.xregs = sorted({i.reg for b in region.blocks for i in b.insns
                             if i.op is _GETX or i.op is _SETX}) if local else []
        self.dirty = sorted({i.reg for b in region.blocks for i in b.insns
                             if i.op is _SETX}) if local else []
        self.callees: dict[str, str] = {}     # symbol -> the entry block's pointer to it
        self.i1: dict[str, str] = {}          # a compare's i64 result -> its i1 value
        self.vals: dict[int, str] = {}        # the current block's temporaries -> their values
        # Branch weights (slow paths and region exits unlikely) matter only to an optimising
        # tier's block placement: fast instruction selection ignores them.
        self.prof = ", !prof !0" if local else ""

    # -- text helpers ------------------------------------------------------------------------
    def fresh(self) -> str:
        self.n += 1
        return f"%{self.n}"

    def emit(self, s: str) -> None:
        self.lines.append("  " + s)

    def label(self, name: str) -> None:
        self.lines.append(f"{name}:")
        self.cur_label = name

    def field_ptr(self, name: str, idx: int = 0) -> str:
        p = self.fresh()
        self.emit(f"{p} = {_field(name, idx)}")
        return p

    def load_field(self, name: str, ty: str = "i64") -> str:
        p = self.field_ptr(name)
        v = self.fresh()
        self.emit(f"{v} = load {ty}, ptr {p}")
        return v

    def store_field(self, name: str, val: str, ty: str = "i64") -> None:
        p = self.field_ptr(name)
        self.emit(f"store {ty} {val}, ptr {p}")

    # -- state spills around out-of-line code ------------------------------------------------
    def reload_budget(self) -> None:
        if not self.local:
            return
        b = self.load_field("budget")
        self.emit(f"store i64 {b}, ptr %budget")

    def check_trap(self, icount: int) -> None:
        n = self.n
        self.n = n + 3
        self.lines.append(f"  %{n + 1} = load i64, ptr %excp\n"
                          f"  %{n + 2} = icmp ne i64 %{n + 1}, 0\n"
                          f"  br i1 %{n + 2}, label %trap, label %{n + 3}\n{n + 3}:")
        self.traps.append((str(icount), self.cur_label))
        self.cur_label = str(n + 3)

    # -- lowering ----------------------------------------------------------------------------
    def operand(self, a: Operand) -> str:
        if a.__class__ is int:
            return _c(a)
        return self.vals[a.n]

    def xptr(self, r: int) -> str:
        """The pointer to register x`r` (an alloca in the local shape).  In the first tier's
        every access makes its own: fast-isel folds a pointer made in the same block into the
        access's address, where one made in the entry block is a value live across the whole
        function, which the fast register allocator spills and reloads (~5% of codegen)."""
        if self.local:
            return f"%x{r}"
        self.n += 1
        self.lines.append(f"  %{self.n} = getelementptr i64, ptr %cpu, i64 {r}")
        return f"%{self.n}"

    def define(self, t: Tmp) -> str:
        """A new value for temporary `t`, numbered now: call it just before writing the
        instruction that defines it."""
        self.n += 1
        v = self.vals[t.n] = f"%{self.n}"
        return v

    def callee(self, sym: str) -> str:
        """A pointer to function `sym`, made in the entry block (see the module docstring)."""
        p = self.callees.get(sym)
        if p is None:
            p = self.callees[sym] = f"%f{len(self.callees)}"
        return p

    def cond(self, a: Operand) -> str:
        """The i1 `a != 0`, reusing the compare that made `a` if there is one."""
        v = self.operand(a)
        c = self.i1.get(v)
        if c is None:
            c = self.fresh()
            self.emit(f"{c} = icmp ne i64 {v}, 0")
        return c

    def lower_binop(self, i: Insn) -> None:
        x, y = i.args
        vals = self.vals
        a = _c(x) if x.__class__ is int else vals[x.n]
        b = _c(y) if y.__class__ is int else vals[y.n]
        op = i.op
        if b == "0" and op in _ZERO_IDENTITY:
            vals[i.dst.n] = a
        elif op in _SIMPLE:
            self.n = n = self.n + 1
            d = vals[i.dst.n] = f"%{n}"
            self.lines.append(f"  {d} = {_SIMPLE[op]} i64 {a}, {b}")
        elif op in _SHIFT:
            sh = i.args[1]
            if sh.__class__ is int:
                self.emit(f"{self.define(i.dst)} = {_SHIFT[op]} i64 {a}, {sh & 63}")
            else:
                s = self.fresh()
                self.emit(f"{s} = and i64 {b}, 63")
                self.emit(f"{self.define(i.dst)} = {_SHIFT[op]} i64 {a}, {s}")
        elif op in _ICMP:
            c = self.fresh()
            self.emit(f"{c} = icmp {_ICMP[op]} i64 {a}, {b}")
            d = self.define(i.dst)
            self.emit(f"{d} = zext i1 {c} to i64")
            self.i1[d] = c
        elif op in (Op.MULH, Op.MULHU, Op.MULHSU):
            ea = "zext" if op is Op.MULHU else "sext"
            eb = "sext" if op is Op.MULH else "zext"
            wa, wb, p, h = self.fresh(), self.fresh(), self.fresh(), self.fresh()
            self.emit(f"{wa} = {ea} i64 {a} to i128")
            self.emit(f"{wb} = {eb} i64 {b} to i128")
            self.emit(f"{p} = mul i128 {wa}, {wb}")
            self.emit(f"{h} = lshr i128 {p}, 64")
            self.emit(f"{self.define(i.dst)} = trunc i128 {h} to i64")
        elif op in (Op.DIV, Op.REM):
            # Division by zero and MIN / -1 follow RISC-V (13.2), never the host's trap.
            bz, am, bm, ov, bad, bs, q, r1 = (self.fresh() for _ in range(8))
            self.emit(f"{bz} = icmp eq i64 {b}, 0")
            self.emit(f"{am} = icmp eq i64 {a}, {_c(MIN64)}")
            self.emit(f"{bm} = icmp eq i64 {b}, -1")
            self.emit(f"{ov} = and i1 {am}, {bm}")
            self.emit(f"{bad} = or i1 {bz}, {ov}")
            self.emit(f"{bs} = select i1 {bad}, i64 1, i64 {b}")
            if op is Op.DIV:
                self.emit(f"{q} = sdiv i64 {a}, {bs}")
                self.emit(f"{r1} = select i1 {ov}, i64 {_c(MIN64)}, i64 {q}")
                self.emit(f"{self.define(i.dst)} = select i1 {bz}, i64 -1, i64 {r1}")
            else:
                self.emit(f"{q} = srem i64 {a}, {bs}")
                self.emit(f"{r1} = select i1 {ov}, i64 0, i64 {q}")
                self.emit(f"{self.define(i.dst)} = select i1 {bz}, i64 {a}, i64 {r1}")
        elif op in (Op.DIVU, Op.REMU):
            bz, bs, q = self.fresh(), self.fresh(), self.fresh()
            self.emit(f"{bz} = icmp eq i64 {b}, 0")
            self.emit(f"{bs} = select i1 {bz}, i64 1, i64 {b}")
            if op is Op.DIVU:
                self.emit(f"{q} = udiv i64 {a}, {bs}")
                self.emit(f"{self.define(i.dst)} = select i1 {bz}, i64 -1, i64 {q}")
            else:
                self.emit(f"{q} = urem i64 {a}, {bs}")
                self.emit(f"{self.define(i.dst)} = select i1 {bz}, i64 {a}, i64 {q}")
        else:
            raise NotImplementedError(op)

    def lower_mem(self, i: Insn, mmu: int) -> None:
        """A TLB hit inline (an index, a compare, a load addressed from the entry); a miss
        calls the slow path, and leaves the region if it trapped.  The op's values and blocks
        are numbered from n: fast path n+11, slow path n+14, join n+18.
        The entry is addressed in i64 words from the state pointer, index and field offset in
        one address (fast-isel folds a scale of 8, not a TLBEntry's 32), and its addend is
        read before the tag compare (it is there whether or not the tag matches): nothing
        but the host address is live into the fast path."""
        n = self.n + 1
        self.n = n + 18
        addr = self.operand(i.args[0])
        size, ty = i.size, _SIZE_TY[i.size]
        is_ld = i.op is _LD
        base = _TLB_SLOT + mmu * TLB_SIZE * _TLB_ENTRY
        tag = base + _TLB_FIELD["tag_r" if is_ld else "tag_w"]
        f, s, d = n + 11, n + 14, n + 18
        lines = [f"  %{n} = lshr i64 {addr}, {PAGE_BITS - _TLB_ENTRY_SHIFT}\n"
                 f"  %{n + 1} = and i64 %{n}, {(TLB_SIZE - 1) * _TLB_ENTRY}\n"
                 f"  %{n + 2} = getelementptr i64, ptr %cpu, i64 %{n + 1}\n"
                 f"  %{n + 3} = getelementptr i64, ptr %{n + 2}, i64 {tag}\n"
                 f"  %{n + 4} = load i64, ptr %{n + 3}\n"
                 f"  %{n + 5} = getelementptr i64, ptr %{n + 2}, i64 "
                 f"{base + _TLB_FIELD['addend']}\n"
                 f"  %{n + 6} = load i64, ptr %{n + 5}\n  %{n + 7} = add i64 {addr}, %{n + 6}\n"
                 f"  %{n + 8} = getelementptr i8, ptr %mem, i64 %{n + 7}\n"
                 f"  %{n + 9} = and i64 {addr}, {_c(PAGE_MASK | (size - 1))}\n"
                 f"  %{n + 10} = icmp eq i64 %{n + 9}, %{n + 4}\n"
                 f"  br i1 %{n + 10}, label %{f}, label %{s}{self.prof}\n{f}:\n"]
        memop = size | (16 if i.signed else 0) | (mmu << 8)
        pc = _c(i.pc)
        if is_ld:
            if size == 8:
                lines.append(f"  %{n + 13} = load i64, ptr %{n + 8}, align 1\n")
            else:
                lines.append(f"  %{n + 12} = load {ty}, ptr %{n + 8}, align 1\n  %{n + 13} = "
                             f"{'sext' if i.signed else 'zext'} {ty} %{n + 12} to i64\n")
            if self.local:
                call = f"  %{n + 15} = call i64 {self.callee(self.stub + 'ld')}(ptr %cpu, " \
                       f"i64 {addr}, i64 {memop}, ptr %ic, ptr %budget)\n"
            else:
                call = f"  %{n + 15} = call i64 {self.callee('rt_load_slow')}(ptr %cpu, " \
                       f"i64 {addr}, i64 {memop})\n"
            lines.append(f"  br label %{d}\n{s}:\n  store i64 {pc}, ptr %pcp\n{call}"
                         f"  %{n + 16} = load i64, ptr %excp\n"
                         f"  %{n + 17} = icmp ne i64 %{n + 16}, 0\n")
        else:
            val = self.operand(i.args[1])
            if size == 8:
                lines.append(f"  store i64 {val}, ptr %{n + 8}, align 1\n")
            else:
                lines.append(f"  %{n + 12} = trunc i64 {val} to {ty}\n"
                             f"  store {ty} %{n + 12}, ptr %{n + 8}, align 1\n")
            lines.append(f"  br label %{d}\n{s}:\n  store i64 {pc}, ptr %pcp\n")
            if self.local:
                lines.append(f"  %{n + 17} = call i1 {self.callee(self.stub + 'st')}(ptr %cpu, "
                             f"i64 {addr}, i64 {val}, i64 {memop}, ptr %ic, ptr %budget)\n")
            else:
                lines.append(f"  call void {self.callee('rt_store_slow')}(ptr %cpu, i64 {addr},"
                             f" i64 {val}, i64 {memop})\n  %{n + 16} = load i64, ptr %excp\n"
                             f"  %{n + 17} = icmp ne i64 %{n + 16}, 0\n")
        lines.append(f"  br i1 %{n + 17}, label %trap, label %{d}\n{d}:")
        if is_ld:
            lines.append(f"\n  {self.define(i.dst)} = phi i64 [ %{n + 13}, %{f} ], "
                         f"[ %{n + 15}, %{s} ]")
        self.lines.append("".join(lines))
        self.traps.append((str(i.icount), str(s)))
        self.cur_label = str(d)

    def lower_call(self, i: Insn) -> None:
        h = HELPERS[i.helper]
        if self.local:
            self.emit(f"call void {self.callee(self.stub + 'pre')}(ptr %cpu, ptr %ic, "
                      "ptr %budget)")
        if h.may_trap:
            self.emit(f"store i64 {_c(i.pc)}, ptr %pcp")
        args = "".join(f", i64 {self.operand(a)}" for a in i.args)
        fn = self.callee(h.cname)
        self.emit(f"{self.define(i.dst)} = call i64 {fn}(ptr %cpu{args})")
        self.reload_budget()
        if h.may_trap:
            self.check_trap(i.icount)

    def lower_exit(self, i: Insn, chain: bool) -> None:
        target = i.args[0]
        if chain and target.__class__ is int and (target & MASK64) in self.region.index:
            # An edge inside the region: count the instructions, spend one unit of budget, and
            # branch straight to the successor while budget remains.
            dest = self.region.index[target & MASK64]
            n = self.n + 1
            self.n = n + 4
            self.lines.append(
                f"  %{n} = load i64, ptr %ic\n  %{n + 1} = add i64 %{n}, {i.icount}\n"
                f"  store i64 %{n + 1}, ptr %ic\n  %{n + 2} = load i64, ptr %budget\n"
                f"  %{n + 3} = sub i64 %{n + 2}, 1\n  store i64 %{n + 3}, ptr %budget\n"
                f"  %{n + 4} = icmp sgt i64 %{n + 3}, 0\n"
                f"  br i1 %{n + 4}, label %b{dest}, label %exit{self.prof}")
            self.exits.append((_c(target), "0", self.cur_label))
            return
        self.exits.append((self.operand(target), str(i.icount), self.cur_label))
        self.lines.append("  br label %exit")

    def lower_block(self, k: int, block: BlockIR) -> None:
        mmu = (block.flags >> 3) & 7
        chain = chainable(block)
        self.label(f"b{k}")
        self.vals = vals = {}
        lines = self.lines
        local = self.local
        terminated = False
        insns = block.insns
        dead = _dead_setx(insns)
        # Guest registers' values known since the last join (a label) or helper call: a read
        # after a write or a read of the same register uses the value, not memory.
        known: dict[int, str] = {}
        for pos, i in enumerate(insns):
            op = i.op
            if op is _LABEL:
                if not terminated:
                    lines.append(f"  br label %L{k}_{i.label}")
                self.label(f"L{k}_{i.label}")
                terminated = False
                known.clear()
                continue
            if terminated:
                continue        # unreachable code after an exit, before the next label
            if op is _GETX:
                r = i.reg
                v = known.get(r)
                if v is None:
                    n = self.n
                    if local:
                        self.n = n + 1
                        lines.append(f"  %{n + 1} = load i64, ptr %x{r}")
                    else:       # see xptr
                        self.n = n = n + 2
                        lines.append(f"  %{n - 1} = getelementptr i64, ptr %cpu, i64 {r}\n"
                                     f"  %{n} = load i64, ptr %{n - 1}")
                    v = known[r] = f"%{self.n}"
                vals[i.dst.n] = v
            elif op is _SETX:
                a = i.args[0]
                v = known[i.reg] = _c(a) if a.__class__ is int else vals[a.n]
                if pos not in dead:
                    lines.append(f"  store i64 {v}, ptr {self.xptr(i.reg)}")
            elif op in BINARY_OPS:
                self.lower_binop(i)
            elif op is _LD or op is _ST:
                self.lower_mem(i, mmu)
            elif op is _EXIT:
                self.lower_exit(i, chain)
                terminated = True
            elif op is _MOV:
                vals[i.dst.n] = self.operand(i.args[0])
            elif op is Op.SEXT32:
                t = self.fresh()
                self.emit(f"{t} = trunc i64 {self.operand(i.args[0])} to i32")
                self.emit(f"{self.define(i.dst)} = sext i32 {t} to i64")
            elif op is Op.ZEXT32:
                a = self.operand(i.args[0])
                self.emit(f"{self.define(i.dst)} = and i64 {a}, 4294967295")
            elif op is Op.SELECT:
                c = self.cond(i.args[0])
                a1, a2 = (self.operand(a) for a in i.args[1:])
                self.emit(f"{self.define(i.dst)} = select i1 {c}, i64 {a1}, i64 {a2}")
            elif op is Op.GETF:
                p = self.field_ptr("f", i.reg)
                self.emit(f"{self.define(i.dst)} = load i64, ptr {p}")
            elif op is Op.SETF:
                p = self.field_ptr("f", i.reg)
                self.emit(f"store i64 {self.operand(i.args[0])}, ptr {p}")
            elif op is Op.CALL:
                self.lower_call(i)
                known.clear()
            elif op is Op.BR:
                lines.append(f"  br label %L{k}_{i.label}")
                terminated = True
            elif op is Op.BRCOND:
                c = self.cond(i.args[0])
                nxt = self.fresh()[1:]
                lines.append(f"  br i1 {c}, label %L{k}_{i.label}, label %{nxt}")
                self.label(nxt)
            else:
                raise NotImplementedError(op)
        if not terminated:
            raise ValueError(f"block {block.pc:#x} does not end in an exit")

    def function(self) -> str:
        for k, blk in enumerate(self.region.blocks):
            self.lower_block(k, blk)
        # Common exits: normal (pc and instructions retired come from the edge) and trap (the
        # helper has set pc; the instructions before the faulting one retired).
        if self.exits:
            self.label("exit")
            pcs = ", ".join(f"[ {p}, %{lab} ]" for p, _, lab in self.exits)
            ics = ", ".join(f"[ {n}, %{lab} ]" for _, n, lab in self.exits)
            pc, n = self.fresh(), self.fresh()
            self.emit(f"{pc} = phi i64 {pcs}")
            self.emit(f"{n} = phi i64 {ics}")
            self.emit(f"store i64 {pc}, ptr %pcp")
            self.finish(n)
        if self.traps:
            self.label("trap")
            ics = ", ".join(f"[ {n}, %{lab} ]" for n, lab in self.traps)
            n = self.fresh()
            self.emit(f"{n} = phi i64 {ics}")
            self.finish(n)
        body, self.lines = self.lines, []
        L = self.lines
        # Entries into the region, read by the code generator to pick regions worth
        # recompiling with optimisation (jit.py).
        L.append(f"@{self.fname}_n = dso_local global i64 0")
        # nounwind: no unwind tables (nothing unwinds through guest code), so no .eh_frame and
        # its PC-relative references.
        L.append(f"define void @{self.fname}(ptr noalias nocapture %cpu) nounwind {{")
        L.append("entry:")
        self.emit(f"%en = load i64, ptr @{self.fname}_n")
        self.emit("%en1 = add i64 %en, 1")
        self.emit(f"store i64 %en1, ptr @{self.fname}_n")
        for sym, p in self.callees.items():
            self.emit(f"{p} = bitcast ptr @{sym} to ptr")
        if self.local:
            self.emit("%ic = alloca i64")
            self.emit("%budget = alloca i64")
            for r in self.xregs:
                self.emit(f"%x{r} = alloca i64")
            self.emit("store i64 0, ptr %ic")
            self.emit(f"%bp = {_field('budget')}")
            self.emit("%bv = load i64, ptr %bp")
            self.emit("store i64 %bv, ptr %budget")
            for r in self.xregs:
                self.emit(f"%xp{r} = {_field('x', r)}")
                self.emit(f"%xv{r} = load i64, ptr %xp{r}")
                self.emit(f"store i64 %xv{r}, ptr %x{r}")
        else:
            self.emit(f"%ic = {_field('instret')}")
            self.emit(f"%budget = {_field('budget')}")

        self.emit(f"%memp = {_field('mem_base')}")
        self.emit("%mem = load ptr, ptr %memp")
        self.emit(f"%excp = {_field('exc_taken')}")
        self.emit(f"%pcp = {_field('pc')}")
        self.emit("br label %b0")
        L.extend(body)
        L.append("}")
        decls = set()
        for sym in self.callees:
            if sym.startswith(self.stub):
                kind = sym[len(self.stub):]
                L.append(_STUBS[kind].replace("@STUB", f"@{sym}"))
                decls.update(_STUB_CALLS[kind])
            else:
                decls.add(sym)
        L.extend(_DECLS[s] for s in sorted(decls))
        return "\n".join(L) + "\n"

    def finish(self, n: str) -> None:
        if not self.local:
            ic, s1 = self.fresh(), self.fresh()
            self.emit(f"{ic} = load i64, ptr %ic")
            self.emit(f"{s1} = add i64 {ic}, {n}")
            self.emit(f"store i64 {s1}, ptr %ic")
            self.emit("ret void")
            return
        for r in self.dirty:
            v = self.fresh()
            self.emit(f"{v} = load i64, ptr %x{r}")
            self.store_field_idx("x", r, v)
        ic = self.fresh()
        self.emit(f"{ic} = load i64, ptr %ic")
        old = self.load_field("instret")
        s1, s2 = self.fresh(), self.fresh()
        self.emit(f"{s1} = add i64 {old}, {ic}")
        self.emit(f"{s2} = add i64 {s1}, {n}")
        self.store_field("instret", s2)
        bud = self.fresh()
        self.emit(f"{bud} = load i64, ptr %budget")
        self.store_field("budget", bud)
        self.emit("ret void")

    def store_field_idx(self, name: str, idx: int, val: str) -> None:
        p = self.field_ptr(name, idx)
        self.emit(f"store i64 {val}, ptr {p}")


def _field(name: str, idx: int = 0) -> str:
    """A pointer to cpu->`name`[`idx`] (see _slots)."""
    return f"getelementptr i64, ptr %cpu, i64 {_SLOT[name] + idx}"


# Before an out-of-line call: the instructions retired so far go to cpu->instret (the local
# count restarts at 0) and the local budget to cpu->budget.
_FLUSH = f"""  %i = load i64, ptr %ic
  %ip = {_field("instret")}
  %i0 = load i64, ptr %ip
  %i1 = add i64 %i0, %i
  store i64 %i1, ptr %ip
  store i64 0, ptr %ic
  %b = load i64, ptr %bud
  %bp = {_field("budget")}
  store i64 %b, ptr %bp
"""
# After it: the budget back (the helper may have cut it to stop the block).
_RELOAD = """  %b1 = load i64, ptr %bp
  store i64 %b1, ptr %bud
"""
# The slow paths of a region in the local shape, `<region>_<name>`: a TLB-missing load and
# store (the caller has stored the instruction's pc; it checks the exception flag, which the
# store's stub returns) and the spill before a helper call.
_STUBS = {
    "ld": "define internal i64 @STUB(ptr %cpu, i64 %a, i64 %op, ptr %ic, ptr %bud) "
          "alwaysinline nounwind {\n" + _FLUSH
          + "  %v = call i64 @rt_load_slow(ptr %cpu, i64 %a, i64 %op)\n" + _RELOAD
          + "  ret i64 %v\n}",
    "st": "define internal i1 @STUB(ptr %cpu, i64 %a, i64 %v, i64 %op, ptr %ic, ptr %bud) "
          "alwaysinline nounwind {\n" + _FLUSH
          + "  call void @rt_store_slow(ptr %cpu, i64 %a, i64 %v, i64 %op)\n"
          + _RELOAD + f"  %ep = {_field('exc_taken')}\n  %e = load i64, ptr %ep\n"
          "  %c = icmp ne i64 %e, 0\n  ret i1 %c\n}",
    "pre": "define internal void @STUB(ptr %cpu, ptr %ic, ptr %bud) alwaysinline nounwind {\n"
           + _FLUSH + "  ret void\n}",
}


# Each module declares only the functions its region calls (`_DECLS`): parsing ~80 unused
# declarations cost ~15% of a first-tier region's parse.
_DECLS = {"rt_load_slow": "declare i64 @rt_load_slow(ptr, i64, i64)",
          "rt_store_slow": "declare void @rt_store_slow(ptr, i64, i64, i64)"}
_DECLS.update((h.cname, f"declare i64 @{h.cname}({', '.join(['ptr'] + ['i64'] * h.nargs)})")
              for h in HELPERS.values())
_STUB_CALLS = {"ld": ("rt_load_slow",), "st": ("rt_store_slow",), "pre": ()}


def module_prelude() -> str:
    """What every region's module starts with: the branch weights (no types: see _slots)."""
    return "!0 = !{!\"branch_weights\", i32 1000, i32 1}\n"


def lower_region(fname: str, blocks: list[BlockIR], local: bool = False) -> str:
    """LLVM IR text of one function `fname` for the region whose entry is blocks[0], and of
    the i64 global `fname`_n that counts its calls, with declarations of the functions it calls
    (module_prelude() goes before it; regions in one module need their declarations merged,
    as bench/llvm_compile_bench.py does).  `local`: the shape for an optimising tier
    (registers and counters in locals), else the first tier's (see the module docstring)."""
    region = _Region(blocks, {b.pc: k for k, b in enumerate(blocks)})
    return _Emitter(fname, region, local).function()
