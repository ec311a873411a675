"""The registry of native helpers that IR `CALL` ops may name.

Each helper is a C function in rvjit/native/ with the signature
    uint64_t helper_<name>(CPUState *cpu, uint64_t a0, ...)
declared once here: its argument count and flags.  Code generation, the interpreter tier's table
(generated into the C header) and the docs all read this registry.

Flags:
  may_trap  the helper can take a trap (it records it in cpu->exc_taken and sets pc to the trap
            vector); the caller stores the instruction's pc to cpu->pc first and leaves the block
            if a trap was taken.
  pure      no side effects: may be removed or moved by the optimiser.
  chain_safe  cannot change the mode, the TB flags or interrupt state, nor ask the run loop to
            stop: a block calling it may still chain to its successors in an LLVM region.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Helper:
    name: str
    nargs: int
    may_trap: bool = False
    pure: bool = False
    doc: str = ""
    chain_safe: bool = False

    @property
    def cname(self) -> str:
        return "helper_" + self.name


# Packing of the memory-operation word passed to load/store/atomic helpers.
MEMOP_SIZE_MASK = 0xF          # bytes: 1, 2, 4, 8
MEMOP_SIGNED = 1 << 4
MEMOP_MMU_SHIFT = 8            # MMU index in bits 8..15
MEMOP_AMO_SHIFT = 16           # AMO function in bits 16..23 (AMO_* below)

# AMO functions (the funct5 field of the A extension, 2.3 "Atomic Memory Operations").
AMO_ADD = 0x00
AMO_SWAP = 0x01
AMO_XOR = 0x04
AMO_OR = 0x08
AMO_AND = 0x0C
AMO_MIN = 0x10
AMO_MAX = 0x14
AMO_MINU = 0x18
AMO_MAXU = 0x1C

# CSR access word: csr number | op << 12 | read << 14 | write << 15 | icount << 16.
CSR_OP_RW = 1
CSR_OP_RS = 2
CSR_OP_RC = 3


def memop(size: int, signed: bool = False, mmu_idx: int = 0, amo: int = 0) -> int:
    return size | (MEMOP_SIGNED if signed else 0) | (mmu_idx << MEMOP_MMU_SHIFT) | (
        amo << MEMOP_AMO_SHIFT)


def hlsv_word(size: int, signed: bool = False, hlvx: bool = False, insn: int = 0) -> int:
    """The word HLV/HLVX/HSV helpers take: size | signed << 4 | hlvx << 5 | insn << 32 (the
    instruction's bits, for tval of II/VI and for htinst)."""
    return size | (MEMOP_SIGNED if signed else 0) | (32 if hlvx else 0) | (insn << 32)


# -- RV64F/RV64D (native/fpu.c) --------------------------------------------------------------
# Operands and results are raw f-register bits (singles NaN-boxed); `rm` is the instruction's
# rounding-mode field (0-4, or 7 = frm: a reserved frm raises illegal instruction, hence may_trap).
# Every helper accrues its exception flags into fcsr.
FP_RM_NAMES = ("rne", "rtz", "rdn", "rup", "rmm", "dyn")   # FMA helpers' suffix, by rm (7 = dyn)


def _fp_helpers() -> tuple[Helper, ...]:
    out: list[Helper] = []
    for f in ("s", "d"):
        for op in ("fadd", "fsub", "fmul", "fdiv"):
            out.append(Helper(f"{op}_{f}", 3, may_trap=True, chain_safe=True,
                              doc=f"{op.upper()}.{f.upper()}: a0 op a1 rounded by rm a2"))
        out.append(Helper(f"fsqrt_{f}", 2, may_trap=True, chain_safe=True,
                          doc=f"FSQRT.{f.upper()}: a0 = value, a1 = rm"))
        for rm in FP_RM_NAMES:
            out.append(Helper(f"fma_{f}_{rm}", 3, may_trap=rm == "dyn", chain_safe=True,
                              doc=f"a0 * a1 + a2 rounded once in {rm.upper()}"))
        for op in ("fmin", "fmax", "feq", "flt", "fle"):
            out.append(Helper(f"{op}_{f}", 2, chain_safe=True, doc=f"{op.upper()}.{f.upper()}"))
        out.append(Helper(f"fclass_{f}", 1, pure=True, chain_safe=True,
                          doc=f"FCLASS.{f.upper()}"))
        for i in ("w", "wu", "l", "lu"):
            out.append(Helper(f"fcvt_{i}_{f}", 2, may_trap=True, chain_safe=True,
                              doc=f"FCVT.{i.upper()}.{f.upper()}: a0 = value, a1 = rm"))
            out.append(Helper(f"fcvt_{f}_{i}", 2, may_trap=True, chain_safe=True,
                              doc=f"FCVT.{f.upper()}.{i.upper()}: a0 = integer, a1 = rm"))
    out.append(Helper("fcvt_s_d", 2, may_trap=True, chain_safe=True, doc="FCVT.S.D"))
    out.append(Helper("fcvt_d_s", 2, may_trap=True, chain_safe=True, doc="FCVT.D.S"))
    out.append(Helper("fs_dirty", 0, doc="mstatus.FS = Dirty (changes the TB flags)"))
    return tuple(out)


HELPERS: dict[str, Helper] = {h.name: h for h in (
    Helper("raise", 2, may_trap=True, doc="take exception a0 with tval a1"),
    Helper("ecall", 0, may_trap=True, doc="environment call from the current mode"),
    Helper("csr", 2, may_trap=True, doc="Zicsr access: a0 = access word, a1 = source; -> old"),
    Helper("mret", 0, may_trap=True, doc="MRET; -> the new pc"),
    Helper("sret", 0, may_trap=True, doc="SRET; -> the new pc"),
    Helper("wfi", 0, may_trap=True, doc="WFI: wait for an interrupt"),
    Helper("fence_i", 0, doc="FENCE.I: drop translations"),
    Helper("sfence_vma", 2, may_trap=True, doc="SFENCE.VMA a0 = vaddr, a1 = asid"),
    Helper("lr", 2, may_trap=True, doc="LR: a0 = addr, a1 = memop; -> loaded value"),
    Helper("sc", 3, may_trap=True, doc="SC: a0 = addr, a1 = value, a2 = memop; -> 0 on success"),
    Helper("amo", 3, may_trap=True, doc="AMO: a0 = addr, a1 = operand, a2 = memop; -> old"),
    # Hypervisor extension (native/hyp.c).
    Helper("hlv", 2, may_trap=True,
           doc="HLV/HLVX: a0 = addr, a1 = hlsv_word(size, signed, hlvx, insn); -> value"),
    Helper("hsv", 3, may_trap=True, doc="HSV: a0 = addr, a1 = value, a2 = hlsv_word(size, insn)"),
    Helper("hfence_vvma", 3, may_trap=True, doc="HFENCE.VVMA a0 = vaddr, a1 = asid, a2 = insn"),
    Helper("hfence_gvma", 3, may_trap=True, doc="HFENCE.GVMA a0 = gaddr>>2, a1 = vmid, a2 = insn"),
    Helper("fetch_fault", 1, may_trap=True,
           doc="raise the fetch fault at a0 as it stands now (with its guest-page-fault GPA)"),
    *_fp_helpers(),
)}

HELPER_IDS = {name: i for i, name in enumerate(HELPERS)}
