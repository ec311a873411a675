"""Record templates: the interpreter tier's records for one instruction, as a function of the
instruction's operands, so that the native runtime can assemble a block's records without
running Python for every block (native/xltmpl.c).

A cold Linux boot translates ~71,000 blocks, and the Python translator (trans_ functions driving
interp_encode.RecordBuilder) costs ~35 us a block; but those blocks hold only ~90,000 distinct
instruction words, of a few thousand kinds.  So the translator is run per *kind*, not per
block: for a class of instruction words (one decode-table entry, with the same minor fields and
the same pattern of zero and equal register fields) under one set of TB flags, the records a
trans_ function makes are derived once, by running it on a representative and on copies with
one source changed at a time (pc, instruction count, the word, each register field, the
immediate):
  - a field that follows a source is that source times -1, 0 or 1 plus a constant;
  - a field that moves with a block's earlier temporaries is a temporary, one the builder
    listed as a constant's slot is a constant, a branch's target is a record of the fragment.
The derived template is checked against a run with every source changed at once; a class
whose records do not follow that shape (any other dependence on an operand, or an operand
that changes the records' structure) stays with the Python translator, as does a word that
does not decode.  Semantics stay in the trans_ functions: a template is what they made.

The records a template gives differ from the Python translator's only in the numbering of
constant slots (a block's constants are not shared between its instructions);
same_records() compares two blocks' records up to that, and RVJIT_XL_CHECK=1 makes the engine
check every block assembled natively against the Python translation.
"""
from __future__ import annotations

import struct
from typing import ClassVar

from rvjit.backend.interp_encode import (
    _BASE_EXIT,
    INTERP_HEADER,
    MASK64,
    BlockRecords,
    RecordBuilder,
)
from rvjit.backend.llvm_lower import CHAIN_SAFE_HELPERS
from rvjit.frontend.decoder import Decoder, default_decoder
from rvjit.frontend.fields import Args
from rvjit.frontend.translate import MAX_BLOCK_INSNS, DisasContext

# Sources of a template's fields (native/xltmpl.c numbers them so).
SRC_PC, SRC_ICOUNT, SRC_INSN, SRC_RD, SRC_RS1, SRC_RS2, SRC_RS3, SRC_IMM = range(8)
NSRC = 8
_REGS = ("rd", "rs1", "rs2", "rs3")
# Field kinds.
K_LIT, K_TEMP, K_CONST, K_LABEL = range(4)

_HEAD = struct.Struct("<HHHHBBBB")
_FIELD = struct.Struct("<B8b7xQ")
_U16 = struct.Struct("<H")
_REC = struct.Struct("<8xHHHHHHHHQ")
_WIDTH = (0xFFFF,) * 8 + (MASK64,)      # record fields opc..aux are 16-bit, k is 64-bit
_PRE_TEMPS = 1000       # temporaries before the instruction in the run that finds its temps
_BASE_PC = 0x0000_0012_3456_7000    # the sources of a derivation's first run (its others
_BASE_ICOUNT = 5                    # change them)

# rt_xl_block's statuses
XL_OK, XL_NEED_WORD, XL_NEED_TMPL, XL_PYTHON = range(4)
MAX_BLOCK_RECORDS = 1 << 14


class Fragment:
    """What one trans_ call made, its fields resolved to fragment-local terms."""

    __slots__ = ("recs", "cref", "label", "consts", "exits", "ntemps", "nops", "ends",
                 "chain_ok", "read_insn")

    def __init__(self, b: RecordBuilder, ends: bool) -> None:
        live = [r for r in b.recs if r is not None]
        pos = {id(r): i for i, r in enumerate(live)}
        # A label's target: the first record at or after it that is kept.
        first_kept = []
        k = 0
        for r in b.recs:
            first_kept.append(k)
            if r is not None:
                k += 1
        first_kept.append(k)
        self.label = {(pos[id(r)], 8) for r in b.branches}
        self.recs = [list(r) for r in live]
        for r in b.branches:
            self.recs[pos[id(r)]][8] = first_kept[b.labels[r[8]]]
        self.cref = {(pos[id(r)], k) for r, k in b.crefs}
        self.consts = list(b.consts)                    # values, in index order
        self.exits = [self.recs[i][2] for i in range(len(self.recs))
                      if self.recs[i][0] == _BASE_EXIT and (i, 2) in self.cref]
        self.ntemps = len(b.tinfo)
        self.nops = len(b.recs) + b.unlisted
        self.ends = ends
        self.chain_ok = all(h in CHAIN_SAFE_HELPERS for h in b.helpers)

    def shape(self) -> tuple:
        """What must be equal between two runs for one template to describe both."""
        return (len(self.recs), len(self.consts), tuple(sorted(self.cref)),
                tuple(sorted(self.label)), len(self.exits), self.ends, self.chain_ok, self.nops)


class _TracingContext(DisasContext):
    """A DisasContext that notes whether the trans_ function read the instruction word."""

    __slots__ = ("_insn", "read_insn")

    def __init__(self, b, flags: int) -> None:
        self.read_insn = False
        super().__init__(b, flags)

    @property
    def insn(self) -> int:      # type: ignore[override]
        self.read_insn = True
        return self._insn

    @insn.setter
    def insn(self, v: int) -> None:
        self._insn = v


def run_fragment(trans, args: Args, pc: int, icount: int, insn: int, ilen: int, flags: int,
                 pre_temps: int = 0) -> Fragment:
    """The records trans_ makes for one instruction at the start of an empty block (after
    `pre_temps` temporaries), as run_translators would make them."""
    b = RecordBuilder()
    if pre_temps:
        b.tinfo.extend([None] * pre_temps)
    ctx = _TracingContext(b, flags)
    ctx.pc = pc
    ctx.insn = insn
    ctx.icount = icount
    ctx.next_pc = (pc + ilen) & MASK64
    if not trans(ctx, args):
        ctx.illegal()
    f = Fragment(b, ctx.ended)
    f.ntemps -= pre_temps
    f.read_insn = ctx.read_insn
    return f


def _copy_args(a: Args, **changes: int) -> Args:
    n = Args(a.rd, a.rs1, a.rs2, a.imm, a.csr, a.rs3, a.aq, a.rl, a.rm)
    n.pred, n.succ, n.fm = a.pred, a.succ, a.fm
    for k, v in changes.items():
        setattr(n, k, v)
    return n


def _groups(a: Args) -> list[tuple[str, ...]]:
    """The register fields that are nonzero, grouped by equal value (each group is one
    source: its fields change together)."""
    by_val: dict[int, list[str]] = {}
    for r in _REGS:
        v = getattr(a, r)
        if v:
            by_val.setdefault(v, []).append(r)
    return [tuple(g) for g in by_val.values()]


def class_key(pattern, a: Args) -> tuple:
    """The class of an instruction word: its entry, its minor fields, which register fields
    are zero (-1) and which equal an earlier one (that one's index), and whether its
    immediate is zero.  (Run once per distinct word of a boot: written out, not looped.)"""
    rd, rs1, rs2, rs3 = a.rd, a.rs1, a.rs2, a.rs3
    return (id(pattern), a.csr, a.aq, a.rl, a.rm, a.pred, a.succ, a.fm,
            0 if rd else -1,
            (0 if rs1 == rd else 1) if rs1 else -1,
            (0 if rs2 == rd else 1 if rs2 == rs1 else 2) if rs2 else -1,
            (0 if rs3 == rd else 1 if rs3 == rs1 else 2 if rs3 == rs2 else 3) if rs3 else -1,
            a.imm == 0)


class Template:
    """A derived template: per record field and per constant, (kind, coefficients, c0)."""

    __slots__ = ("fields", "consts", "exits", "ntemps", "nops", "ends", "chain_ok", "read_insn")

    def blob(self) -> bytes:
        out = [_HEAD.pack(len(self.fields) // 9, self.ntemps, len(self.consts), self.nops,
                          self.ends, self.chain_ok, len(self.exits), 0)]
        out += [_FIELD.pack(k, *map(_coef_byte, coef), c0) for k, coef, c0 in self.fields]
        out += [_FIELD.pack(k, *map(_coef_byte, coef), c0) for k, coef, c0 in self.consts]
        out += [_U16.pack(e) for e in self.exits]
        return b"".join(out)


def _sources(pc: int, icount: int, insn: int, a: Args) -> list[int]:
    return [pc, icount, insn, a.rd, a.rs1, a.rs2, a.rs3, a.imm]


def _linear(vals: list[int], base_src: list[int], deltas: list[tuple[int, int]],
            mask: int) -> tuple[tuple[int, ...], int] | None:
    """(coefficients, c0) of a value seen as vals[0] with sources base_src and vals[1 + j]
    with source deltas[j] = (source, delta) changed; None if it is not linear that way, with
    each coefficient 0 or a power of two or its negation (a source shifted into a field, as
    a CSR access's instruction count is)."""
    coef = [0] * NSRC
    v0 = vals[0]
    for (s, d), v in zip(deltas, vals[1:], strict=True):
        diff = (v - v0) & mask
        if diff == 0:
            continue
        for sh in range(63):
            if diff == (d << sh) & mask:
                coef[s] = 1 << sh
                break
            if diff == (-d << sh) & mask:
                coef[s] = -(1 << sh)
                break
        else:
            return None
    c0 = (v0 - sum(c * x for c, x in zip(coef, base_src, strict=True))) & mask
    return tuple(coef), c0


def _coef_byte(m: int) -> int:
    """A coefficient as the blob holds it: 0, or +-(1 + log2 |m|)."""
    if m == 0:
        return 0
    e = abs(m).bit_length()
    return e if m > 0 else -e


def _predict(coef, c0: int, src: list[int], mask: int) -> int:
    return (c0 + sum(c * x for c, x in zip(coef, src, strict=True))) & mask


def derive(trans, a: Args, insn: int, ilen: int, flags: int, free_bits: int = 0
           ) -> Template | None:
    """The template of the class of (trans, a) under flags, or None if its records do not
    follow one (see the module doc).  `free_bits`: the bits of the word its decode-table
    entry leaves to operands (checked one by one if the trans_ function reads the word)."""
    pc, icount = _BASE_PC, _BASE_ICOUNT
    groups = _groups(a)
    src = _sources(pc, icount, insn, a)

    # One run per source changed: (the source changed, its delta, the run's args / pc ...).
    variants = [(SRC_PC, 0x2468_0000, pc + 0x2468_0000, icount, insn, a),
                (SRC_ICOUNT, 3, pc, icount + 3, insn, a),
                (SRC_INSN, 0x1000_0000, pc, icount, insn ^ 0x1000_0000, a)]
    if insn & 0x1000_0000:
        variants[2] = (SRC_INSN, -0x1000_0000, pc, icount, insn ^ 0x1000_0000, a)
    for g in groups:
        v = getattr(a, g[0])
        d = 1 if v < 31 else -1
        variants.append(((SRC_RD, SRC_RS1, SRC_RS2, SRC_RS3)[_REGS.index(g[0])], d, pc, icount,
                         insn, _copy_args(a, **{r: v + d for r in g})))
    if a.imm:
        d = -1 if a.imm > 1 else 1 if a.imm < -1 else a.imm     # 1 -> 2, -1 -> -2
        variants.append((SRC_IMM, d, pc, icount, insn, _copy_args(a, imm=a.imm + d)))
    try:
        base = run_fragment(trans, a, pc, icount, insn, ilen, flags)
        shifted = run_fragment(trans, a, pc, icount, insn, ilen, flags, _PRE_TEMPS)
        runs = [run_fragment(trans, va, vpc, vic, vinsn, ilen, flags)
                for _, _, vpc, vic, vinsn, va in variants]
    except Exception:       # a trans_ function that rejects a made-up operand: not templated
        return None
    shape = base.shape()
    if shifted.shape() != shape or any(r.shape() != shape for r in runs):
        return None
    # A register group changes all its fields' sources at once: credit the group's first field
    # (the others are set equal to it in every word of the class).
    deltas = [(s, d) for s, d, *_ in variants]
    fields = []
    for i, rec in enumerate(base.recs):
        for k in range(9):
            v0 = rec[k]
            if (i, k) in base.cref:
                if any(r.recs[i][k] != v0 for r in runs):
                    return None
                fields.append((K_CONST, (0,) * NSRC, v0))
            elif (i, k) in base.label:
                if any(r.recs[i][k] != v0 for r in runs) or shifted.recs[i][k] != v0:
                    return None
                fields.append((K_LABEL, (0,) * NSRC, v0))
            elif shifted.recs[i][k] == v0 + _PRE_TEMPS and k < 8:
                if any(r.recs[i][k] != v0 for r in runs):
                    return None
                fields.append((K_TEMP, (0,) * NSRC, v0))
            else:
                if shifted.recs[i][k] != v0:
                    return None
                lin = _linear([v0] + [r.recs[i][k] for r in runs], src, deltas, _WIDTH[k])
                if lin is None:
                    return None
                fields.append((K_LIT, *lin))
    consts = []
    for j, v0 in enumerate(base.consts):
        lin = _linear([v0] + [r.consts[j] for r in runs], src, deltas, MASK64)
        if lin is None or shifted.consts[j] != v0:
            return None
        consts.append((K_LIT, *lin))
    t = Template()
    t.fields, t.consts, t.exits = fields, consts, base.exits
    t.ntemps, t.nops, t.ends, t.chain_ok = base.ntemps, base.nops, base.ends, base.chain_ok
    t.read_insn = base.read_insn
    return t if _checks(t, trans, a, insn, ilen, flags, free_bits) else None


def refits(t: Template, trans, a: Args, insn: int, ilen: int, flags: int, free_bits: int
           ) -> bool:
    """Whether a template derived for the class under other flags gives its records under
    `flags` too (most classes' records do not depend on the flags): checked as a derivation
    checks its result, and at the derivation's first sources."""
    try:
        f = run_fragment(trans, a, _BASE_PC, _BASE_ICOUNT, insn, ilen, flags)
    except Exception:
        return False
    return f.read_insn == t.read_insn and \
        _predicts(t, trans, a, _BASE_PC, _BASE_ICOUNT, insn, ilen, flags) and \
        _checks(t, trans, a, insn, ilen, flags, free_bits)


def _checks(t: Template, trans, a: Args, insn: int, ilen: int, flags: int, free_bits: int
            ) -> bool:
    pc, icount = _BASE_PC, _BASE_ICOUNT
    if not _check(t, trans, a, _groups(a), pc, icount, insn, ilen, flags):
        return False
    if t.read_insn:
        # The word itself flows into the records: every operand bit must flow as the
        # coefficient says (a field extracted from the word would not).
        for bit in range(32):
            if free_bits >> bit & 1 and not _predicts(t, trans, a, pc, icount,
                                                      insn ^ (1 << bit), ilen, flags):
                return False
    return True


def _check(t: Template, trans, a: Args, groups, pc: int, icount: int, insn: int, ilen: int,
           flags: int) -> bool:
    """The template predicts a run with every source changed at once, and one with the
    immediate's sign changed."""
    changes = {}
    for g in groups:
        v = getattr(a, g[0])
        nv = v - 2 if v > 2 else v + 2
        changes.update({r: nv for r in g})
    if a.imm:
        changes["imm"] = a.imm - 3 if a.imm > 3 else a.imm + 3 if a.imm < -3 else a.imm * 3
    if not _predicts(t, trans, _copy_args(a, **changes), pc + 0x5_0000_0006, icount + 7,
                     insn ^ 0x4000_0000, ilen, flags):
        return False
    return not a.imm or _predicts(t, trans, _copy_args(a, imm=-a.imm), pc, icount, insn, ilen,
                                  flags)


def _predicts(t: Template, trans, a: Args, pc: int, icount: int, insn: int, ilen: int,
              flags: int) -> bool:
    """The template gives the records of a run with these sources."""
    try:
        f = run_fragment(trans, a, pc, icount, insn, ilen, flags)
    except Exception:
        return False
    if len(f.recs) != len(t.fields) // 9 or len(f.consts) != len(t.consts) or \
            f.ntemps != t.ntemps or f.ends != t.ends or f.nops != t.nops or \
            f.chain_ok != t.chain_ok or f.exits != t.exits:
        return False
    src = _sources(pc, icount, insn, a)
    for i, rec in enumerate(f.recs):
        for k in range(9):
            kind, coef, c0 = t.fields[9 * i + k]
            want = _predict(coef, c0, src, _WIDTH[k]) if kind == K_LIT else c0
            if rec[k] != want:
                return False
    return all(f.consts[j] == _predict(coef, c0, src, MASK64)
               for j, (_, coef, c0) in enumerate(t.consts))


class TemplateTranslator:
    """The engine's side of native block assembly: it answers the runtime's questions (which
    class is this word, what is this class's template under these flags) and hands back the
    block's records as translate_records does.  One per process (shared()): templates depend
    only on the translator."""

    _shared: ClassVar[dict[int, TemplateTranslator]] = {}

    @classmethod
    def shared(cls, ffi, lib) -> TemplateTranslator:
        t = cls._shared.get(id(lib))
        if t is None:
            t = cls._shared[id(lib)] = cls(ffi, lib)
        return t

    def __init__(self, ffi, lib, decoder: Decoder | None = None) -> None:
        self.ffi = ffi
        self.lib = lib
        self.dec = decoder or default_decoder()
        self.table = ffi.gc(lib.rt_xl_new(), lib.rt_xl_free)
        self.out = ffi.new("XlOut *")
        self.buf = ffi.new("IROp[]", MAX_BLOCK_RECORDS)
        self.classes: dict[tuple, int] = {}
        self.reps: list[tuple] = []         # per class id: (trans, args, insn, ilen, free bits)
        self.by_class: dict[int, Template] = {}     # a class's first template
        self.derived = 0                    # templates derived
        self.refused = 0                    # classes x flags left to Python
        self.python_words = 0               # words left to Python (they do not decode)

    def _word(self, insn: int) -> None:
        d = self.dec.decode(insn)
        if d is None:
            self.python_words += 1
            cid = 0xFFFF_FFFF       # a class with no template: the block goes to Python
            a = Args()
        else:
            p, a, trans = d
            key = class_key(p, a)
            cid = self.classes.get(key)
            if cid is None:
                cid = self.classes[key] = len(self.reps)
                self.reps.append((trans, a, insn, p.width // 8,
                                  ~p.mask & ((1 << p.width) - 1)))
        if self.lib.rt_xl_set_word(self.table, insn, cid, a.rd, a.rs1, a.rs2, a.rs3, a.imm):
            raise MemoryError("rt_xl_set_word")

    def _template(self, cid: int, flags: int) -> None:
        t = None
        if cid < len(self.reps):
            trans, a, insn, ilen, free = self.reps[cid]
            t = self.by_class.get(cid)
            if t is None or not refits(t, trans, a, insn, ilen, flags, free):
                t = derive(trans, a, insn, ilen, flags, free)
                if t is not None:
                    self.by_class.setdefault(cid, t)
        if t is None:
            self.refused += 1
            blob = b""
        else:
            self.derived += 1
            blob = t.blob()
        if self.lib.rt_xl_set_tmpl(self.table, cid, flags, blob, len(blob)):
            raise ValueError(f"rt_xl_set_tmpl refused the template of class {cid}")

    def learn(self, page: bytes, pc: int, flags: int) -> bool:
        """Fill the tables until the block at pc can be assembled natively; False if it
        cannot (the Python translator's)."""
        lib, table, out, buf = self.lib, self.table, self.out, self.buf
        src = self.ffi.from_buffer("uint8_t[]", page)
        while True:
            st = lib.rt_xl_block(table, src, pc, flags, MAX_BLOCK_INSNS, buf,
                                 MAX_BLOCK_RECORDS, out)
            if st == XL_OK:
                return True
            if st == XL_NEED_WORD:
                self._word(out.word)
            elif st == XL_NEED_TMPL:
                self._template(out.wclass, flags)
            else:
                return False

    def records(self, page: bytes, pc: int, flags: int) -> BlockRecords | None:
        """The block at pc (page: the bytes of its page) assembled natively, or None if it is
        the Python translator's (a straddling first instruction, a word or class without a
        template)."""
        if not self.learn(page, pc, flags):
            return None
        out, buf = self.out, self.buf
        n = out.nrecords
        data = self.ffi.buffer(buf, n * _REC.size)[:]
        ops = self.ffi.new("IROp[]", n)
        self.ffi.memmove(ops, data, len(data))
        off = pc & 0xFFF
        return BlockRecords(ops, data, out.nops, out.ntemps, out.ninsns,
                            page[off:off + out.code_len], tuple(out.succ[0:out.nsucc]),
                            [] if out.chain_ok else ["<not chain-safe>"])


def same_records(a: bytes, b: bytes, ntemps: int) -> bool:
    """Whether two encodings of one block (interp_encode's layout) are the same records up to
    the numbering of constant slots: every field that differs names, in both, a constant slot
    holding the same value."""
    if len(a) < _REC.size or len(b) < _REC.size:
        return False
    ha, hb = _REC.unpack_from(a, 0), _REC.unpack_from(b, 0)
    if ha[0] != INTERP_HEADER or hb[0] != INTERP_HEADER or ha[8] != hb[8]:
        return False
    nrec = ha[8]

    def slot(data: bytes, s: int) -> int | None:
        if s < ntemps:
            return None
        off = nrec * _REC.size + 8 * s
        return struct.unpack_from("<Q", data, off)[0] if off + 8 <= len(data) else None

    for i in range(1, nrec):
        ra, rb = _REC.unpack_from(a, i * _REC.size), _REC.unpack_from(b, i * _REC.size)
        for k in range(8):
            if ra[k] != rb[k]:
                va, vb = slot(a, ra[k]), slot(b, rb[k])
                if va is None or va != vb:
                    return False
        if ra[8] != rb[8]:
            return False
    return True
