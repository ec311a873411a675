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
All records are packed by one C-level pass (starmap) and copied into a cffi IROp[] at once."""
from __future__ import annotations

import struct
from itertools import starmap

from rvjit.frontend.translate import Fetch, run_translators
from rvjit.ir.builder import _FOLD, _NPOOL, _TMPS, fold_unary
from rvjit.ir.helpers import HELPER_IDS, HELPERS
from rvjit.ir.ops import BINARY_OPS, CALL, UNARY_OPS, Insn, Op, Tmp

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
_pack1 = struct.Struct("<" + _REC).pack     # one record (packed one by one, from C: starmap)

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


_ZEROS = bytes(8 * 4096)
_QUADS: dict[int, struct.Struct] = {}


def _quads(n: int) -> struct.Struct:
    s = _QUADS.get(n)
    if s is None:
        s = _QUADS[n] = struct.Struct(f"<{n}Q")
    return s


_TAIL = (_BAD, 0, 0, 0, 0, 0, 0, 0, 0)     # the guard record ending every block
_TAIL_BYTES = _pack1(*_TAIL)
# Per op (indexed by its number): its kind, and INTERP_OPC(op, 0).
_KINDS = tuple(_KIND[op] for op in Op)
_BASES = tuple(_BASE[op] for op in Op)


def encode(ffi, insns: list[Insn], ntemps: int):
    """A cffi IROp[] for `insns` (see the module doc)."""
    return encode_bytes(ffi, insns, ntemps)[0]


def encode_bytes(ffi, insns: list[Insn], ntemps: int):
    """(the cffi IROp[] for `insns`, the bytes it holds)."""
    # Records are lists or tuples (opc, d, a, b, c, r, icount, aux, k) (h is left 0 by the
    # struct format: the interpreter fills it).  A GETX gets a None placeholder in `recs`,
    # made a record the first time some op needs its value in a slot; the placeholders left
    # at the end are dropped.
    consts: dict[int, int] = {}         # value -> slot (slots from ntemps up)
    recs: list = []
    append = recs.append
    # Positions are indices in recs (len(recs) when an op is reached): a GETX at p still
    # holds its register's value if the register's last SETX was at a position <= p.
    getx: list = [None] * ntemps        # GETX temp -> (register, position)
    written = [-1] * 32                 # register -> position of its last SETX
    labels: dict[int, int] = {}         # label -> index in recs of the record after it
    branches: list[list] = []
    last = None                         # the previous record, while fusable with this op
    kinds = _KINDS

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

    for i in insns:
        op = i.op
        kind = kinds[op]
        if kind == _GETX:
            getx[i.dst.n] = (i.reg, len(recs))
            append(None)
            last = None
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
            append((_BASE_SETX | f, 0, a, 0, 0, r, 0, 0, 0))
        elif kind == _BIN:
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
            last = [_BASES[op] | f, i.dst.n, a, b, 0, 0, 0, 0, 0]
            append(last)
        elif kind == _EXIT:
            x = i.args[0]
            if x.__class__ is int:
                x &= MASK64
                a = consts.get(x)
                if a is None:
                    a = consts[x] = ntemps + len(consts)
            else:
                a = slot(x)
            append((_BASE_EXIT, 0, a, 0, 0, 0, i.icount, 0, 0))
            last = None
        elif kind == _LD:
            x = i.args[0]
            f = 0
            if x.__class__ is int:
                a = slot(x)
            else:
                a = x.n
                g = getx[a]
                if g is not None:
                    if written[g[0]] <= g[1]:
                        a, f = g[0], INTERP_AX
                    else:
                        a = slot(x)
            last = [_BASE_LD | f | _LD_FORM[i.size, i.signed], i.dst.n, a, 0, 0, 0,
                    i.icount, 0, i.pc & MASK64]
            append(last)
        elif kind == _ST:
            x, y = i.args
            f = 0
            if x.__class__ is int:
                a = slot(x)
            else:
                g = getx[x.n]
                if g is not None and written[g[0]] <= g[1]:
                    a, f = g[0], INTERP_AX
                else:
                    a = slot(x)
            if y.__class__ is int:
                b = slot(y)
            else:
                g = getx[y.n]
                if g is not None and written[g[0]] <= g[1]:
                    b = g[0]
                    f |= INTERP_BX
                else:
                    b = slot(y)
            append((_BASE_ST | f | _SIZE_FORM[i.size], 0, a, b, 0, 0, i.icount, 0,
                    i.pc & MASK64))
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
                append(rec)
            last = None
        elif kind == _UN:
            x = i.args[0]
            f = 0
            if x.__class__ is int:
                a = slot(x)
            else:
                g = getx[x.n]
                if g is not None and written[g[0]] <= g[1]:
                    a, f = g[0], INTERP_AX
                else:
                    a = slot(x)
            last = [_BASES[op] | f, i.dst.n, a, 0, 0, 0, 0, 0, 0]
            append(last)
        elif kind == _BR:
            rec = [_BASE_BR, 0, 0, 0, 0, 0, 0, 0, i.label]
            branches.append(rec)
            append(rec)
            last = None
        elif kind == _CALL:
            args = i.args
            sl = [slot(x) for x in args] + [0, 0, 0]
            last = [_BASE_CALL | (len(args) << INTERP_SIZE_SHIFT), i.dst.n, sl[0], sl[1],
                    sl[2], 0, i.icount, HELPER_IDS[i.helper], i.pc & MASK64]
            append(last)
        elif kind == _SEL:
            c, x, y = i.args
            last = [_BASE_SELECT, i.dst.n, slot(c), slot(x), slot(y), 0, 0, 0, 0]
            append(last)
        elif kind == _GETF:
            append((_BASE_GETF, i.dst.n, i.reg, 0, 0, 0, 0, 0, 0))
            last = None
        else:
            append((_BASE_SETF, 0, slot(i.args[0]), 0, 0, i.reg, 0, 0, 0))
            last = None
    return _finish(ffi, recs, branches, labels, consts, ntemps)


def _finish(ffi, recs: list, branches: list, labels: dict, consts, ntemps: int):
    """The IROp[] and its bytes: header, `recs` (less None placeholders) with the branches'
    targets made record indices, the guard, the slot area (temporaries, then `consts`' keys in
    order)."""
    nconsts = len(consts)
    nslots = ntemps + nconsts
    if nslots > INTERP_MAX_SLOTS:
        raise ValueError(f"block needs {nslots} slots (limit {INTERP_MAX_SLOTS})")
    # Record indices: 1 + the index in recs less the dropped GETXs before it.
    if None in recs:
        for r in branches:
            k = labels[r[8]]
            r[8] = 1 + k - recs[:k].count(None)
    else:
        for r in branches:
            r[8] = 1 + labels[r[8]]
    # (filter(None, ...) drops the placeholders: a record is never empty)
    body = b"".join(starmap(_pack1, filter(None, recs)))
    nrec = len(body) // _REC_SIZE + 2
    size = nrec + (8 * nslots + _REC_SIZE - 1) // _REC_SIZE
    # The slot area: zeros for the temporaries, the constants, zeros to the record boundary.
    data = b"".join((_pack1(INTERP_HEADER, 0, 0, 0, 0, 0, 0, 0, nrec), body, _TAIL_BYTES,
                     _ZEROS[:8 * ntemps] if ntemps <= 4096 else bytes(8 * ntemps),
                     _quads(nconsts).pack(*consts) if nconsts else b"",
                     _ZEROS[:(size - nrec) * _REC_SIZE - 8 * nslots]))
    arr = ffi.new("IROp[]", size)
    ffi.memmove(arr, data, len(data))
    return arr, data


# -- records straight from the translator ------------------------------------------------------
# The engine's cold path: the translator drives a RecordBuilder instead of an IRBuilder, so a
# block's records are made without its IR (no Insn objects, no second pass over them); the IR
# is made again from the block's bytes if the block is ever compiled (as for a block from the
# translation cache).  The builder numbers temporaries, folds constants and counts ops as
# IRBuilder does, and picks each record's form by the rules of `encode`, applied as each op
# arrives: for any block, its records are byte-identical to encode(translate_block(...))'s
# (tests/test_translate_records.py checks that over the guest programs).


class RecordBuilder:
    """IRBuilder's methods (the ones `trans_` functions call), making records."""

    __slots__ = ("tinfo", "nlabels", "exits", "unlisted", "recs", "written", "labels", "branches",
                 "last", "consts", "crefs", "helpers")

    def __init__(self) -> None:
        # Per temporary: (register, position) for a GETX's, else None (so ntemps = its length).
        self.tinfo: list = []
        self.nlabels = 0
        self.exits: list[int] = []
        # Every op adds one entry to recs (a record, or a GETX's placeholder) but for these:
        # labels, SETXs fused into the op before, BRCONDs fused into the comparison before.
        self.unlisted = 0
        self.recs: list = []
        self.written = [-1] * 32
        self.labels: dict[int, int] = {}
        self.branches: list[list] = []
        self.last = None
        # Constants: value -> index; their slots (ntemps + index) are known at the end, so the
        # record fields naming them are listed in crefs, (record, field), and set then.
        self.consts: dict[int, int] = {}
        self.crefs: list = []
        self.helpers: list[str] = []    # helpers called

    @property
    def ntemps(self) -> int:
        return len(self.tinfo)

    def _slot(self, x, rec: list, k: int) -> None:
        """rec[k] = x's slot (see encode's slot())."""
        if x.__class__ is int:
            consts = self.consts
            x &= MASK64
            s = consts.get(x)
            if s is None:
                s = consts[x] = len(consts)
            rec[k] = s
            self.crefs.append((rec, k))
            return
        n = x.n
        g = self.tinfo[n]
        if g is not None and self.recs[g[1]] is None:
            self.recs[g[1]] = [_BASE_GETX, n, g[0], 0, 0, 0, 0, 0, 0]
        rec[k] = n

    def _const(self, x: int, rec: list, k: int) -> None:
        consts = self.consts
        x &= MASK64
        s = consts.get(x)
        if s is None:
            s = consts[x] = len(consts)
        rec[k] = s
        self.crefs.append((rec, k))

    def _operand(self, x, rec: list, k: int) -> int:
        """rec[k] = x's register if x is a GETX whose register still holds it (returns 1), else
        its slot (returns 0)."""
        if x.__class__ is not int:
            g = self.tinfo[x.n]
            if g is not None and self.written[g[0]] <= g[1]:
                rec[k] = g[0]
                return 1
        self._slot(x, rec, k)
        return 0

    def _tmp(self) -> Tmp:
        tinfo = self.tinfo
        n = len(tinfo)
        tinfo.append(None)
        return _TMPS[n] if n < _NPOOL else Tmp(n)

    # -- values ------------------------------------------------------------------------------
    def binop(self, op: Op, a, b):
        # (IRBuilder.binop's folding, then encode's _BIN inline: the translator's commonest op)
        tinfo = self.tinfo
        if a.__class__ is not Tmp:
            if isinstance(b, int):
                fold = _FOLD.get(op)
                if fold is not None:
                    return fold(a & MASK64, b & MASK64) & MASK64
            n = len(tinfo)
            rec = [_BASES[op], n, 0, 0, 0, 0, 0, 0, 0]
            self._const(a, rec, 2)
        else:
            n = len(tinfo)
            g = tinfo[a.n]
            if g is not None and self.written[g[0]] <= g[1]:
                rec = [_BASES[op] | INTERP_AX, n, g[0], 0, 0, 0, 0, 0, 0]
            else:
                rec = [_BASES[op], n, 0, 0, 0, 0, 0, 0, 0]
                self._slot(a, rec, 2)
        tinfo.append(None)
        if b.__class__ is int:
            consts = self.consts
            b &= MASK64
            s = consts.get(b)
            if s is None:
                s = consts[b] = len(consts)
            rec[3] = s
            self.crefs.append((rec, 3))
        else:
            g = tinfo[b.n]
            if g is not None and self.written[g[0]] <= g[1]:
                rec[0] |= INTERP_BX
                rec[3] = g[0]
            else:
                self._slot(b, rec, 3)
        self.recs.append(rec)
        self.last = rec
        return _TMPS[n] if n < _NPOOL else Tmp(n)

    def unop(self, op: Op, a):
        assert op in UNARY_OPS
        if isinstance(a, int):
            return fold_unary(op, a)
        d = self._tmp()
        rec = [_BASES[op], d.n, 0, 0, 0, 0, 0, 0, 0]
        rec[0] |= self._operand(a, rec, 2)
        self.recs.append(rec)
        self.last = rec
        return d

    def select(self, c, a, b) -> Tmp:
        d = self._tmp()
        rec = [_BASE_SELECT, d.n, 0, 0, 0, 0, 0, 0, 0]
        self._slot(c, rec, 2)
        self._slot(a, rec, 3)
        self._slot(b, rec, 4)
        self.recs.append(rec)
        self.last = rec
        return d

    # -- guest registers ---------------------------------------------------------------------
    def getx(self, r: int):
        if r == 0:
            return 0
        tinfo = self.tinfo
        n = len(tinfo)
        recs = self.recs
        tinfo.append((r, len(recs)))
        recs.append(None)
        self.last = None
        return _TMPS[n] if n < _NPOOL else Tmp(n)

    def setx(self, r: int, v) -> None:
        if r == 0:
            return
        recs = self.recs
        if v.__class__ is int:
            consts = self.consts
            v &= MASK64
            s = consts.get(v)
            if s is None:
                s = consts[v] = len(consts)
            rec = [_BASE_SETX, 0, s, 0, 0, r, 0, 0, 0]
            self.crefs.append((rec, 2))
        else:
            n = v.n
            last = self.last
            if last is not None and last[1] == n and last[0] & ~0x3F in _DX_OK:
                # The op just before computed this value: it writes the register itself.
                self.unlisted += 1
                self.written[r] = len(recs)
                last[0] |= INTERP_DX
                last[5] = r
                self.last = None
                return
            g = self.tinfo[n]
            if g is None:
                rec = [_BASE_SETX, 0, n, 0, 0, r, 0, 0, 0]
            elif self.written[g[0]] <= g[1]:
                rec = [_BASE_SETX | INTERP_AX, 0, g[0], 0, 0, r, 0, 0, 0]
            else:
                rec = [_BASE_SETX, 0, 0, 0, 0, r, 0, 0, 0]
                self._slot(v, rec, 2)
        self.written[r] = len(recs)
        self.last = None
        recs.append(rec)

    def getf(self, r: int) -> Tmp:
        d = self._tmp()
        self.recs.append([_BASE_GETF, d.n, r, 0, 0, 0, 0, 0, 0])
        self.last = None
        return d

    def setf(self, r: int, v) -> None:
        rec = [_BASE_SETF, 0, 0, 0, 0, r, 0, 0, 0]
        self._slot(v, rec, 2)
        self.recs.append(rec)
        self.last = None

    # -- memory ------------------------------------------------------------------------------
    def ld(self, addr, size: int, signed: bool, pc: int, icount: int) -> Tmp:
        tinfo = self.tinfo
        n = len(tinfo)
        tinfo.append(None)
        rec = [_BASE_LD | _LD_FORM[size, signed], n, 0, 0, 0, 0, icount, 0, pc & MASK64]
        if addr.__class__ is int:
            self._const(addr, rec, 2)
        else:
            g = tinfo[addr.n]
            if g is None:
                rec[2] = addr.n
            elif self.written[g[0]] <= g[1]:
                rec[0] |= INTERP_AX
                rec[2] = g[0]
            else:
                self._slot(addr, rec, 2)
        self.recs.append(rec)
        self.last = rec
        return _TMPS[n] if n < _NPOOL else Tmp(n)

    def st(self, addr, val, size: int, pc: int, icount: int) -> None:
        rec = [_BASE_ST | _SIZE_FORM[size], 0, 0, 0, 0, 0, icount, 0, pc & MASK64]
        f = self._operand(addr, rec, 2)
        if self._operand(val, rec, 3):
            f |= INTERP_BX
        rec[0] |= f
        self.recs.append(rec)
        self.last = None

    # -- helpers -----------------------------------------------------------------------------
    def call(self, helper: str, *args, pc: int, icount: int) -> Tmp:
        assert len(args) == HELPERS[helper].nargs, (helper, args)
        d = self._tmp()
        self.helpers.append(helper)
        rec = [_BASE_CALL | (len(args) << INTERP_SIZE_SHIFT), d.n, 0, 0, 0, 0, icount,
               HELPER_IDS[helper], pc & MASK64]
        for k, x in enumerate(args):
            self._slot(x, rec, 2 + k)
        self.recs.append(rec)
        self.last = rec
        return d

    # -- control -----------------------------------------------------------------------------
    def new_label(self) -> int:
        self.nlabels += 1
        return self.nlabels - 1

    def label(self, n: int) -> None:
        self.unlisted += 1
        self.labels[n] = len(self.recs)
        self.last = None

    def br(self, n: int) -> None:
        rec = [_BASE_BR, 0, 0, 0, 0, 0, 0, 0, n]
        self.branches.append(rec)
        self.recs.append(rec)
        self.last = None

    def brcond(self, c, n: int) -> None:
        last = self.last
        if (last is not None and c.__class__ is not int and last[1] == c.n
                and last[0] & ~0x3F in _COMPARES):
            # The comparison just before jumps itself.
            self.unlisted += 1
            last[0] |= INTERP_BRANCH
            last[8] = n
            self.branches.append(last)
        else:
            rec = [_BASE_BRCOND, 0, 0, 0, 0, 0, 0, 0, n]
            self._slot(c, rec, 2)
            self.branches.append(rec)
            self.recs.append(rec)
        self.last = None

    def exit(self, pc, icount: int) -> None:
        if pc.__class__ is int:
            self.exits.append(pc)
            consts = self.consts
            k = pc & MASK64
            s = consts.get(k)
            if s is None:
                s = consts[k] = len(consts)
            rec = [_BASE_EXIT, 0, s, 0, 0, 0, icount, 0, 0]
            self.crefs.append((rec, 2))
        else:
            rec = [_BASE_EXIT, 0, 0, 0, 0, 0, icount, 0, 0]
            self._slot(pc, rec, 2)
        self.recs.append(rec)
        self.last = None

    def finish(self, ffi):
        """(the IROp[], its bytes)."""
        ntemps = len(self.tinfo)
        for rec, k in self.crefs:
            rec[k] += ntemps
        return _finish(ffi, self.recs, self.branches, self.labels, self.consts, ntemps)


class BlockRecords:
    """A block translated straight to records (translate_records)."""

    __slots__ = ("ops", "data", "nops", "ntemps", "ninsns", "code", "successors", "helpers")

    def __init__(self, ops, data: bytes, nops: int, ntemps: int, ninsns: int, code: bytes,
                 successors: tuple[int, ...], helpers: list[str]) -> None:
        self.ops = ops                  # cffi IROp[]
        self.data = data                # its bytes
        self.nops = nops                # IR ops of the block
        self.ntemps = ntemps
        self.ninsns = ninsns
        self.code = code                # the guest bytes translated
        self.successors = successors    # as BlockIR's
        self.helpers = helpers          # the helpers its CALLs name

    def calls(self) -> list[Insn]:
        """The block's CALLs, as Insns naming their helper (without their operands)."""
        return [Insn(CALL, None, (), 0, False, 0, 0, h) for h in self.helpers]


def translate_records(ffi, fetch: Fetch, pc: int, flags: int) -> BlockRecords:
    """What encode(ffi, translate_block(fetch, pc, flags)...) makes, without the IR (see
    RecordBuilder).  Raises FetchFault as translate_block does."""
    b = RecordBuilder()
    ninsns, code = run_translators(b, fetch, pc, flags)
    ops, data = b.finish(ffi)
    exits = b.exits
    succ = tuple(exits) if len(exits) < 2 else tuple(sorted(set(exits)))
    return BlockRecords(ops, data, len(b.recs) + b.unlisted, len(b.tinfo), ninsns, code, succ,
                        b.helpers)
