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
from array import array
from itertools import chain

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
_REC = "8xHHHHHHHHQ"
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
    # Records are lists or tuples (opc, d, a, b, c, r, icount, aux, k) (h is left 0 by the
    # struct format: the interpreter fills it).  A GETX gets a None placeholder in `recs`,
    # made a record the first time some op needs its value in a slot; the placeholders left
    # at the end are dropped.
    consts: dict[int, int] = {}         # value -> slot (slots from ntemps up)
    recs: list = []
    # Positions are indices in recs (len(recs) when an op is reached): a GETX at p still
    # holds its register's value if the register's last SETX was at a position <= p.
    getx: list = [None] * ntemps        # GETX temp -> (register, position)
    written = [-1] * 32                 # register -> position of its last SETX
    labels: dict[int, int] = {}         # label -> index in recs of the record after it
    branches: list[list] = []
    last = None                         # the previous record, while fusable with this op

    def slot(x) -> int:
        """x's slot: a constant's (allocated on first use), or a temporary's (a GETX's
        placeholder then becomes a record)."""
        if x.__class__ is int:
            x &= MASK64
            s = consts.get(x)
            if s is None:
                s = consts[x] = ntemps + len(consts)
            return s
        n = x.n
        g = getx[n]
        if g is not None and recs[g[1]] is None:
            recs[g[1]] = (_BASE_GETX, n, g[0], 0, 0, 0, 0, 0, 0)
        return n

    def operand(x) -> tuple[int, int]:
        """(register, 1) if x is a GETX whose register still holds it, else (slot, 0)."""
        if x.__class__ is not int:
            g = getx[x.n]
            if g is not None and written[g[0]] <= g[1]:
                return g[0], 1
        return slot(x), 0

    for i in insns:
        kind = _KIND[i.op]
        if kind == _GETX:
            getx[i.dst.n] = (i.reg, len(recs))
            recs.append(None)
            last = None
            continue
        if kind == _BIN:
            x, y = i.args
            if x.__class__ is int:
                a, f = slot(x), 0
            else:
                g = getx[x.n]
                if g is not None and written[g[0]] <= g[1]:
                    a, f = g[0], INTERP_AX
                else:
                    a, f = slot(x), 0
            if y.__class__ is int:
                y &= MASK64
                b = consts.get(y)
                if b is None:
                    b = consts[y] = ntemps + len(consts)
            else:
                g = getx[y.n]
                if g is not None and written[g[0]] <= g[1]:
                    b = g[0]
                    f |= INTERP_BX
                else:
                    b = slot(y)
            last = [_BASE[i.op] | f, i.dst.n, a, b, 0, 0, 0, 0, 0]
            recs.append(last)
        elif kind == _SETX:
            x, = i.args
            r = i.reg
            if x.__class__ is int:
                x &= MASK64
                a = consts.get(x)
                if a is None:
                    a = consts[x] = ntemps + len(consts)
                f = 0
            else:
                n = x.n
                if last is not None and last[1] == n and last[0] & ~0x3F in _DX_OK:
                    # The op just before computed this value: it writes the register itself.
                    written[r] = len(recs)
                    last[0] |= INTERP_DX
                    last[5] = r
                    last = None
                    continue
                g = getx[n]
                if g is None:
                    a, f = n, 0
                elif written[g[0]] <= g[1]:
                    a, f = g[0], INTERP_AX
                else:
                    a, f = slot(x), 0
            written[r] = len(recs)
            last = None
            recs.append((_BASE_SETX | f, 0, a, 0, 0, r, 0, 0, 0))
        elif kind == _LD:
            x = i.args[0]
            if x.__class__ is not int and getx[x.n] is None:
                a, f = x.n, 0
            else:
                a, f = operand(x)
            last = [_BASE_LD | f | _LD_FORM[i.size, i.signed], i.dst.n, a, 0, 0, 0,
                    i.icount, 0, i.pc & MASK64]
            recs.append(last)
        elif kind == _EXIT:
            x = i.args[0]
            if x.__class__ is int:
                x &= MASK64
                a = consts.get(x)
                if a is None:
                    a = consts[x] = ntemps + len(consts)
            else:
                a = slot(x)
            recs.append((_BASE_EXIT, 0, a, 0, 0, 0, i.icount, 0, 0))
            last = None
        elif kind == _ST:
            x, y = i.args
            a, f = operand(x)
            b, fb = operand(y)
            recs.append((_BASE_ST | f | (fb << 1) | _SIZE_FORM[i.size], 0, a, b, 0, 0,
                         i.icount, 0, i.pc & MASK64))
            last = None
        elif kind == _LABEL:
            labels[i.label] = len(recs)
            last = None
        elif kind == _BRCOND:
            x, = i.args
            if (last is not None and x.__class__ is not int and last[1] == x.n
                    and last[0] & ~0x3F in _COMPARES):
                # The comparison just before jumps itself.
                last[0] |= INTERP_BRANCH
                last[8] = i.label
                branches.append(last)
            else:
                rec = [_BASE_BRCOND, 0, slot(x), 0, 0, 0, 0, 0, i.label]
                branches.append(rec)
                recs.append(rec)
            last = None
        elif kind == _UN:
            a, f = operand(i.args[0])
            last = [_BASE[i.op] | f, i.dst.n, a, 0, 0, 0, 0, 0, 0]
            recs.append(last)
        elif kind == _BR:
            rec = [_BASE_BR, 0, 0, 0, 0, 0, 0, 0, i.label]
            branches.append(rec)
            recs.append(rec)
            last = None
        elif kind == _CALL:
            args = i.args
            sl = [slot(x) for x in args] + [0, 0, 0]
            last = [_BASE_CALL | (len(args) << INTERP_SIZE_SHIFT), i.dst.n, sl[0], sl[1],
                    sl[2], 0, i.icount, HELPER_IDS[i.helper], i.pc & MASK64]
            recs.append(last)
        elif kind == _SEL:
            c, x, y = i.args
            last = [_BASE_SELECT, i.dst.n, slot(c), slot(x), slot(y), 0, 0, 0, 0]
            recs.append(last)
        elif kind == _GETF:
            recs.append((_BASE_GETF, i.dst.n, i.reg, 0, 0, 0, 0, 0, 0))
            last = None
        else:
            recs.append((_BASE_SETF, 0, slot(i.args[0]), 0, 0, i.reg, 0, 0, 0))
            last = None
    nslots = ntemps + len(consts)
    if nslots > INTERP_MAX_SLOTS:
        raise ValueError(f"block needs {nslots} slots (limit {INTERP_MAX_SLOTS})")
    # Record indices: 1 + the index in recs less the dropped GETXs before it.
    for r in branches:
        k = labels[r[8]]
        r[8] = 1 + k - recs[:k].count(None)
    out = [r for r in recs if r is not None]
    nrec = len(out) + 2
    data = _struct(nrec).pack(INTERP_HEADER, 0, 0, 0, 0, 0, 0, 0, nrec,
                              *chain.from_iterable(out), _BAD, 0, 0, 0, 0, 0, 0, 0, 0)
    arr = ffi.new("IROp[]", nrec + (8 * nslots + _REC_SIZE - 1) // _REC_SIZE)
    if consts:
        data += bytes(8 * ntemps) + array("Q", consts).tobytes()
    ffi.memmove(arr, data, len(data))
    return arr
