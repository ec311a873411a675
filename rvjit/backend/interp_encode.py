"""IR -> the interpreter tier's IROp records (native/interp.c runs them).

Records are packed with struct into one buffer and copied into a cffi IROp[] at once (setting
cffi fields one by one cost about a third of a block's translation time)."""
from __future__ import annotations

import struct

from rvjit.ir.helpers import HELPER_IDS
from rvjit.ir.ops import Insn, Op

MASK64 = 0xFFFF_FFFF_FFFF_FFFF
INTERP_MAX_TEMPS = 4096     # native/runtime.h

# struct IROp { u16 opc, kinds, dst, aux; u32 icount, pad; u64 pc; u64 a[3]; }
_IROP = struct.Struct("<HHHHIIQQQQ")
_REG_OPS = frozenset({Op.GETX, Op.SETX, Op.GETF, Op.SETF})
_MEM_OPS = frozenset({Op.LD, Op.ST})
_BRANCHES = frozenset({Op.BR, Op.BRCOND})


def encode(ffi, insns: list[Insn], ntemps: int):
    """A cffi IROp[] for `insns`.  Labels become op indices."""
    if ntemps > INTERP_MAX_TEMPS:
        raise ValueError(f"block uses {ntemps} temporaries (limit {INTERP_MAX_TEMPS})")
    label_at = {i.label: k for k, i in enumerate(insns) if i.op is Op.LABEL}
    n = max(len(insns), 1)
    buf = bytearray(_IROP.size * n)
    pack = _IROP.pack_into
    for k, i in enumerate(insns):
        op = i.op
        kinds = 0
        a = [0, 0, 0]
        for j, x in enumerate(i.args):
            if isinstance(x, int):
                kinds |= 1 << j
                a[j] = x & MASK64
            else:
                a[j] = x.n
        if op in _MEM_OPS:
            aux = i.size | (16 if i.signed else 0)
        elif op in _REG_OPS:
            aux = i.reg
        elif op in _BRANCHES:
            aux = label_at[i.label]
        elif op is Op.CALL:
            aux = HELPER_IDS[i.helper]
        else:
            aux = 0
        pack(buf, k * _IROP.size, op, kinds, i.dst.n if i.dst is not None else 0, aux,
             i.icount, 0, i.pc & MASK64, a[0], a[1], a[2])
    arr = ffi.new("IROp[]", n)
    ffi.memmove(arr, buf, len(buf))
    return arr
