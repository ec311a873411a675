"""IR -> the interpreter tier's IROp records (native/interp.c runs them).

A block becomes one buffer: a header record, one record per op that does work, then the slot
area (its temporaries, then its constants, stored once here so that every operand is a slot or
a guest register).  The encoder picks each record's form (native/runtime.h, INTERP_*):
  - a GETX whose value is still in the guest register at a use (no SETX of that register in
    between, in program order: branches only go forward, so no path between them has one
    either) is read from the register there (AX/BX); a GETX left with no slot reader is dropped;
  - an op whose result the next op SETXes writes the register itself (DX);
  - a comparison whose result the next op BRCONDs on jumps itself (BRANCH);
  - labels are dropped (a branch targets the record after its label).
All records are packed with one struct call and copied into a cffi IROp[] at once."""
from __future__ import annotations

import struct

from rvjit.ir.helpers import HELPER_IDS
from rvjit.ir.ops import BINARY_OPS, Insn, Op

MASK64 = 0xFFFF_FFFF_FFFF_FFFF

# native/runtime.h
INTERP_AX = 1
INTERP_BX = 2
INTERP_DX = 4
INTERP_BRANCH = 8
INTERP_SIZE_SHIFT = 3
INTERP_SIGNED = 32
INTERP_FORM_BITS = 6
INTERP_HEADER = 0xFFFF
INTERP_MAX_SLOTS = 65535
_BAD = 0xFFFE                   # no handler: stops the machine (ends every block, as a guard)

# struct IROp { const void *h; u16 opc, d, a, b, c, r, icount, aux; u64 k; }
_REC = "QHHHHHHHHQ"
_REC_SIZE = struct.calcsize("<" + _REC)
_structs: dict[int, struct.Struct] = {}

# What each op is, for the encoder's one dispatch: kind and INTERP_OPC(op, 0).
# (the kinds up to _ST may take guest-register operands).
_GETX, _BIN, _SETX, _UN, _LD, _ST, _CALL, _LABEL, _BR, _BRCOND, _EXIT, _SEL, _GETF, _SETF = \
    range(14)
_KIND = {op: _BIN for op in BINARY_OPS}
_KIND.update({Op.MOV: _UN, Op.SEXT32: _UN, Op.ZEXT32: _UN, Op.GETX: _GETX, Op.SETX: _SETX,
              Op.LD: _LD, Op.ST: _ST, Op.CALL: _CALL, Op.LABEL: _LABEL, Op.BR: _BR,
              Op.BRCOND: _BRCOND, Op.EXIT: _EXIT, Op.SELECT: _SEL, Op.GETF: _GETF,
              Op.SETF: _SETF})
_BASE = {op: int(op) << INTERP_FORM_BITS for op in Op}
(_BASE_GETX, _BASE_SETX, _BASE_LD, _BASE_ST, _BASE_EXIT, _BASE_BRCOND, _BASE_BR, _BASE_CALL,
 _BASE_SELECT, _BASE_GETF, _BASE_SETF) = (_BASE[op] for op in (
    Op.GETX, Op.SETX, Op.LD, Op.ST, Op.EXIT, Op.BRCOND, Op.BR, Op.CALL, Op.SELECT, Op.GETF,
    Op.SETF))
_COMPARES = frozenset(int(op) << INTERP_FORM_BITS
                      for op in (Op.EQ, Op.NE, Op.LT, Op.LTU, Op.GE, Op.GEU))
_SIZE_FORM = {1: 0, 2: 1 << INTERP_SIZE_SHIFT, 4: 2 << INTERP_SIZE_SHIFT,
              8: 3 << INTERP_SIZE_SHIFT}
# LD forms by (size, signed); an 8-byte load has nothing to extend.
_LD_FORM = {(size, sgn): f | (INTERP_SIGNED if sgn and size < 8 else 0)
            for size, f in _SIZE_FORM.items() for sgn in (False, True)}
_DX_OK = frozenset(_BASE[op] for op in Op if _KIND[op] in (_BIN, _UN, _LD, _CALL, _SEL))


def _struct(n: int) -> struct.Struct:
    s = _structs.get(n)
    if s is None:
        s = _structs[n] = struct.Struct("<" + _REC * n)
    return s


def encode(ffi, insns: list[Insn], ntemps: int):
    """A cffi IROp[] for `insns` (see the module doc)."""
    consts: dict[int, int] = {}         # value -> slot (slots from ntemps up)
    recs: list = []                     # records ([opc, d, a, b, c, r, icount, aux, k]),
    #                                     label numbers (int) and dropped GETXs (None)
    getx: dict[int, tuple[int, int, int]] = {}   # GETX temp -> (register, position, rec index)
    kept: set[int] = set()              # GETX temps some op reads from their slot
    written: dict[int, int] = {}        # register -> position of its last SETX
    branches: list[list] = []
    last = None                         # the previous record, while fusable with this op
    for pos, i in enumerate(insns):
        kind = _KIND[i.op]
        args = i.args
        if kind <= _ST:
            # Operands that may be guest registers: (slot or register, 1 if a register).
            ops_ = []
            for x in args:
                if x.__class__ is int:
                    x &= MASK64
                    s = consts.get(x)
                    if s is None:
                        s = consts[x] = ntemps + len(consts)
                    ops_.append((s, 0))
                else:
                    n = x.n
                    g = getx.get(n)
                    if g is None:
                        ops_.append((n, 0))
                    elif written.get(g[0], -1) < g[1]:
                        ops_.append((g[0], 1))
                    else:
                        kept.add(n)
                        ops_.append((n, 0))
            if kind == _GETX:
                n = i.dst.n
                getx[n] = (i.reg, pos, len(recs))
                recs.append([_BASE_GETX, n, i.reg, 0, 0, 0, 0, 0, 0])
                last = None
                continue
            if kind == _BIN:
                (a, ax), (b, bx) = ops_
                rec = [_BASE[i.op] | ax | (bx << 1), i.dst.n, a, b, 0, 0, 0, 0, 0]
            elif kind == _SETX:
                (a, ax), = ops_
                r = i.reg
                written[r] = pos
                if (last is not None and not ax and last[1] == a and a < ntemps
                        and last[0] & ~0x3F in _DX_OK):
                    last[0] |= INTERP_DX
                    last[5] = r
                    last = None
                    continue
                rec = [_BASE_SETX | ax, 0, a, 0, 0, r, 0, 0, 0]
            elif kind == _UN:
                (a, ax), = ops_
                rec = [_BASE[i.op] | ax, i.dst.n, a, 0, 0, 0, 0, 0, 0]
            elif kind == _LD:
                (a, ax), = ops_
                rec = [_BASE_LD | ax | _LD_FORM[i.size, i.signed], i.dst.n, a, 0, 0, 0,
                       i.icount, 0, i.pc & MASK64]
            else:
                (a, ax), (b, bx) = ops_
                rec = [_BASE_ST | ax | (bx << 1) | _SIZE_FORM[i.size], 0, a, b, 0, 0, i.icount,
                       0, i.pc & MASK64]
            recs.append(rec)
            last = rec
            continue
        if kind == _LABEL:
            recs.append(i.label)
            last = None
            continue
        # The other ops read their operands from slots only.
        sl = []
        for x in args:
            if x.__class__ is int:
                x &= MASK64
                s = consts.get(x)
                if s is None:
                    s = consts[x] = ntemps + len(consts)
                sl.append(s)
            else:
                n = x.n
                if n in getx:
                    kept.add(n)
                sl.append(n)
        if kind == _EXIT:
            rec = [_BASE_EXIT, 0, sl[0], 0, 0, 0, i.icount, 0, 0]
        elif kind == _BRCOND:
            a = sl[0]
            if last is not None and last[1] == a and a < ntemps and last[0] & ~0x3F in _COMPARES:
                last[0] |= INTERP_BRANCH
                last[8] = i.label
                branches.append(last)
                last = None
                continue
            rec = [_BASE_BRCOND, 0, a, 0, 0, 0, 0, 0, i.label]
            branches.append(rec)
        elif kind == _BR:
            rec = [_BASE_BR, 0, 0, 0, 0, 0, 0, 0, i.label]
            branches.append(rec)
        elif kind == _CALL:
            sl += (0, 0, 0)
            rec = [_BASE_CALL | (len(args) << INTERP_SIZE_SHIFT), i.dst.n, sl[0], sl[1], sl[2],
                   0, i.icount, HELPER_IDS[i.helper], i.pc & MASK64]
        elif kind == _SEL:
            rec = [_BASE_SELECT, i.dst.n, sl[0], sl[1], sl[2], 0, 0, 0, 0]
        elif kind == _GETF:
            rec = [_BASE_GETF, i.dst.n, i.reg, 0, 0, 0, 0, 0, 0]
        else:
            rec = [_BASE_SETF, 0, sl[0], 0, 0, i.reg, 0, 0, 0]
        recs.append(rec)
        last = rec
    for n, (_, _, k) in getx.items():
        if n not in kept:
            recs[k] = None
    out: list = [[INTERP_HEADER, 0, 0, 0, 0, 0, 0, 0, 0]]
    at: dict[int, int] = {}
    for r in recs:
        if r is None:
            continue
        if r.__class__ is int:
            at[r] = len(out)
        else:
            out.append(r)
    out.append([_BAD, 0, 0, 0, 0, 0, 0, 0, 0])
    for r in branches:
        r[8] = at[r[8]]
    nrec = len(out)
    out[0][8] = nrec
    nslots = ntemps + len(consts)
    if nslots > INTERP_MAX_SLOTS:
        raise ValueError(f"block needs {nslots} slots (limit {INTERP_MAX_SLOTS})")
    flat = []
    for r in out:
        flat.append(0)
        flat += r
    data = _struct(nrec).pack(*flat) + bytes(8 * ntemps) + struct.pack(
        f"<{len(consts)}Q", *consts)
    arr = ffi.new("IROp[]", nrec + (8 * nslots + _REC_SIZE - 1) // _REC_SIZE)
    ffi.memmove(arr, data, len(data))
    return arr
