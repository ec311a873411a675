"""IR -> the interpreter tier's IROp records (native/interp.c runs them)."""
from __future__ import annotations

from rvjit.ir.helpers import HELPER_IDS, HELPERS
from rvjit.ir.ops import Insn, Op

MASK64 = 0xFFFF_FFFF_FFFF_FFFF
INTERP_MAX_TEMPS = 4096     # native/runtime.h


def encode(ffi, insns: list[Insn], ntemps: int):
    """A cffi IROp[] for `insns`.  Labels become op indices."""
    if ntemps > INTERP_MAX_TEMPS:
        raise ValueError(f"block uses {ntemps} temporaries (limit {INTERP_MAX_TEMPS})")
    label_at = {i.label: k for k, i in enumerate(insns) if i.op is Op.LABEL}
    arr = ffi.new("IROp[]", max(len(insns), 1))
    for k, i in enumerate(insns):
        o = arr[k]
        o.opc = int(i.op)
        o.dst = i.dst.n if i.dst is not None else 0
        kinds = 0
        for j, a in enumerate(i.args):
            if isinstance(a, int):
                kinds |= 1 << j
                o.a[j] = a & MASK64
            else:
                o.a[j] = a.n
        o.kinds = kinds
        o.pc = i.pc & MASK64
        o.icount = i.icount
        if i.op in (Op.LD, Op.ST):
            o.aux = i.size | (16 if i.signed else 0)
        elif i.op in (Op.GETX, Op.SETX, Op.GETF, Op.SETF):
            o.aux = i.reg
        elif i.op in (Op.BR, Op.BRCOND):
            o.aux = label_at[i.label]
        elif i.op is Op.CALL:
            assert i.helper in HELPERS
            o.aux = HELPER_IDS[i.helper]
    return arr
