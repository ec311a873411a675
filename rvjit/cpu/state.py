"""The one definition of a hart's state layout.

The C runtime (through cffi) and the generated code (through an LLVM struct type) both derive
their view of `CPUState` from FIELDS below, so the two cannot drift; tests/test_state_layout.py
checks the offsets agree.  Constants shared by Python, C and generated code live here too and are
emitted into the generated C header.
"""
from __future__ import annotations

from dataclasses import dataclass

# Software TLB geometry (see softmmu): entries per MMU index and the number of MMU indices.
TLB_BITS = 10
TLB_SIZE = 1 << TLB_BITS
NB_MMU_IDX = 8
PAGE_BITS = 12
PAGE_SIZE = 1 << PAGE_BITS
PAGE_MASK = ~(PAGE_SIZE - 1) & 0xFFFF_FFFF_FFFF_FFFF
TLB_INVALID = 0xFFFF_FFFF_FFFF_FFFF

# Why the native run loop handed control back to Python.
EXIT_NONE = 0
EXIT_NO_TB = 1        # no translation for (pc, flags): translate one
EXIT_HOT = 2          # cpu->hot_tb crossed the hotness threshold: compile it natively
EXIT_BUDGET = 3       # the block budget ran out: poll devices and timers
EXIT_HALT = 4         # the machine is stopping (test finisher, poweroff)
EXIT_TB_FLUSH = 5     # FENCE.I or similar: drop every translation
EXIT_WFI = 6          # the hart waits for an interrupt

# Layout of cpu->tb_flags: everything the translator may depend on (part of the TB key).
TBFLAG_PRIV_MASK = 0x3          # bits 0-1: privilege mode of instruction fetch
TBFLAG_VIRT = 1 << 2            # bit 2: V
TBFLAG_MMU_SHIFT = 3            # bits 3-5: MMU index of ordinary loads and stores
TBFLAG_MMU_MASK = 0x7 << TBFLAG_MMU_SHIFT
TBFLAG_FS_SHIFT = 6             # bits 6-7: effective mstatus.FS (0 = Off)

EXIT_NAMES = {v: k for k, v in globals().items() if k.startswith("EXIT_") and isinstance(v, int)}


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    ctype: str               # "u64", "i64", "u32", "ptr", or a struct name from STRUCTS
    dims: tuple[int, ...] = ()


# Struct types used inside CPUState, in declaration order.
STRUCTS: dict[str, tuple[Field, ...]] = {
    # One software-TLB entry.  A tag is the page address with the access-size low bits clear,
    # so (vaddr & (PAGE_MASK | (size - 1))) == tag also rejects misaligned accesses.
    # host pointer = mem_base + (vaddr + addend).
    "TLBEntry": (
        Field("tag_r", "u64"),
        Field("tag_w", "u64"),
        Field("tag_x", "u64"),
        Field("addend", "i64"),
    ),
}

# CSR storage that the C runtime reads and writes by name (the CSR table in native/csr.c).
CSR_FIELDS = (
    "mstatus", "misa", "medeleg", "mideleg", "mie", "mip", "mtvec", "mscratch", "mepc",
    "mcause", "mtval", "mtval2", "mtinst", "mhartid", "mcounteren", "mcountinhibit", "menvcfg",
    "stvec", "sscratch", "sepc", "scause", "stval", "satp", "scounteren",
    "senvcfg", "stimecmp", "fcsr",
    "minstret_off", "minstret_frozen", "mcycle_off", "mcycle_frozen",
    "pmpcfg0", "pmpcfg2",
    # Interrupt sources (native/trap.c): the CLINT's mtimecmp of this hart (compared with
    # mtime by the run loop), the levels of the device lines as mip bits, and the
    # software-written SEIP latch (mip.SEIP reads as latch | PLIC line, privileged spec 3.1.9).
    "mtimecmp", "irq_lines", "seip_sw",
    # Hypervisor extension (hypervisor spec "Hypervisor and Virtual Supervisor CSRs").  The vs*
    # registers are separate storage; with V=1 the s* numbers are redirected to them.
    "hstatus", "hedeleg", "hideleg", "hvip", "hcounteren", "htval", "htinst", "hgatp",
    "henvcfg", "htimedelta", "hgeie", "vsstatus", "vstvec", "vsscratch", "vsepc", "vscause",
    "vstval", "vsatp", "vstimecmp",
    # Extra facts about the exception being raised, set by whoever detects it (the MMU for
    # guest-page faults, the translator for transformed instructions) and consumed by trap
    # entry: the guest physical address (valid when exc_gpa_valid), whether tval is a guest
    # virtual address (GVA), and the value for htinst/mtinst.
    "exc_gpa", "exc_gpa_valid", "exc_gva", "exc_tinst",
)

FIELDS: tuple[Field, ...] = (
    # Touched by generated code: keep these first.
    Field("x", "u64", (32,)),
    Field("f", "u64", (32,)),
    Field("pc", "u64"),
    Field("instret", "u64"),
    Field("budget", "i64"),           # blocks left before a periodic return to Python
    Field("exc_taken", "u64"),        # a helper took a trap; the block must return at once
    Field("mem_base", "ptr"),         # host address that TLB addends are relative to
    Field("tlb", "TLBEntry", (NB_MMU_IDX, TLB_SIZE)),
    # Mode.
    Field("priv", "u64"),             # 0 U, 1 S, 3 M
    Field("virt", "u64"),             # the V bit of the hypervisor extension
    Field("tb_flags", "u64"),         # what the translator may depend on; part of the TB key
    # Run-loop communication.
    Field("exit_request", "u64"),
    Field("hot_tb", "ptr"),
    Field("hart_index", "u64"),
    Field("wfi", "u64"),
    # LR/SC reservation (physical address; valid flag).
    Field("res_addr", "u64"),
    Field("res_valid", "u64"),
    # Statistics.
    Field("stat_interp_blocks", "u64"),
    Field("stat_native_blocks", "u64"),
    Field("stat_tlb_miss", "u64"),
    Field("stat_slow_access", "u64"),
    # Private runtime data of the C side (jump cache, TB table).
    Field("rt", "ptr"),
    *(Field(n, "u64") for n in CSR_FIELDS),
    Field("pmpaddr", "u64", (16,)),
    # Set when the TLB holds a page of a superpage or NAPOT range: 1 when the hart's tables
    # record its range (native/mem.c: an SFENCE.VMA inside one flushes that MMU index), 2 when
    # they could not (a selective SFENCE.VMA then flushes everything); cleared by a full flush.
    Field("tlb_multi", "u64"),
)

FIELD_INDEX = {f.name: i for i, f in enumerate(FIELDS)}

_C_SCALAR = {"u64": "uint64_t", "i64": "int64_t", "u32": "uint32_t", "ptr": "void *"}
_LL_SCALAR = {"u64": "i64", "i64": "i64", "u32": "i32", "ptr": "ptr"}


def _c_decl(f: Field) -> str:
    base = _C_SCALAR.get(f.ctype, f.ctype)
    if f.ctype == "ptr" and f.name == "mem_base":
        base = "uint8_t *"
    dims = "".join(f"[{d}]" for d in f.dims)
    sep = "" if base.endswith("*") else " "
    return f"    {base}{sep}{f.name}{dims};"


def c_struct_decls() -> str:
    """C declarations of STRUCTS and CPUState (used by the cffi cdef and the C header)."""
    out = []
    for name, fields in STRUCTS.items():
        out.append("typedef struct " + name + " {")
        out.extend(_c_decl(f) for f in fields)
        out.append("} " + name + ";")
    out.append("typedef struct CPUState {")
    out.extend(_c_decl(f) for f in FIELDS)
    out.append("} CPUState;")
    return "\n".join(out) + "\n"


def c_constants() -> str:
    """#defines for the constants above, for the C header."""
    names = ["TLB_BITS", "TLB_SIZE", "NB_MMU_IDX", "PAGE_BITS", "PAGE_SIZE", "TBFLAG_PRIV_MASK",
             "TBFLAG_VIRT", "TBFLAG_MMU_SHIFT", "TBFLAG_MMU_MASK", "TBFLAG_FS_SHIFT"]
    names += sorted(EXIT_NAMES.values())
    out = "#define TLB_INVALID 0xFFFFFFFFFFFFFFFFull\n"
    g = globals()
    return out + "".join(f"#define {n} {g[n]}\n" for n in names)


def _ll_type(ctype: str, dims: tuple[int, ...]) -> str:
    t = _LL_SCALAR.get(ctype, f"%{ctype}")
    for d in reversed(dims):
        t = f"[{d} x {t}]"
    return t


def llvm_type_decls() -> str:
    """LLVM IR type definitions for STRUCTS and %CPUState."""
    out = []
    for name, fields in STRUCTS.items():
        body = ", ".join(_ll_type(f.ctype, f.dims) for f in fields)
        out.append(f"%{name} = type {{ {body} }}")
    body = ", ".join(_ll_type(f.ctype, f.dims) for f in FIELDS)
    out.append(f"%CPUState = type {{ {body} }}")
    return "\n".join(out) + "\n"


def struct_field_index(struct: str, name: str) -> int:
    return [f.name for f in STRUCTS[struct]].index(name)
