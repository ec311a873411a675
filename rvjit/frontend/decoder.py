"""A dispatch over the decode table: instruction bits -> (pattern, operands, translator)."""
from __future__ import annotations

from collections.abc import Callable, Iterable

from rvjit.frontend import fields
from rvjit.frontend.decode_table import TABLE, Pattern
from rvjit.frontend.fields import Args

Decoded = tuple[Pattern, Args, Callable]

# Instruction words whose decoding is kept: a cold Linux boot translates ~91,000 distinct words
# (~300 bytes each kept), and a word past the limit is decoded again every time it is met.
CACHE_WORDS = 1 << 17


def _bucket_key32(insn: int) -> int:
    return insn & 0x7F | ((insn >> 5) & 0x380)       # opcode and funct3


def _bucket_key16(insn: int) -> int:
    return (insn & 3) | ((insn >> 11) & 0x1C)        # quadrant and funct3


class Decoder:
    """Built once from the table and a set of translator modules."""

    def __init__(self, table: Iterable[Pattern], translators: dict[str, Callable]) -> None:
        self.buckets32: dict[int, list] = {}
        self.buckets16: dict[int, list] = {}
        for p in table:
            fmt = fields.FORMATS[p.fmt]
            trans = translators.get(p.trans_name)
            if trans is None:
                raise LookupError(f"decode table entry {p.name}: no {p.trans_name}")
            entry = (p.mask, p.match, p, fmt, trans)
            if p.width == 32:
                keys = self._keys(entry, 12, _bucket_key32)
                for k in keys:
                    self.buckets32.setdefault(k, []).append(entry)
            else:
                keys = self._keys(entry, 13, _bucket_key16)
                for k in keys:
                    self.buckets16.setdefault(k, []).append(entry)
        self.cache: dict[int, Decoded | None] = {}

    @staticmethod
    def _keys(entry: tuple, f3_lo: int, keyfn) -> list[int]:
        """Every bucket key an entry (mask, match, ...) can fall in (a '-' in funct3 spreads
        it over several)."""
        mask, match = entry[0], entry[1]
        keys = []
        for f3 in range(8):
            cand = (match & ~(7 << f3_lo)) | (f3 << f3_lo)
            if (cand & mask) == match:
                keys.append(keyfn(cand))
        return keys

    def decode(self, insn: int) -> Decoded | None:
        """None: no entry matches, or the matching entry's format calls the bits reserved."""
        hit = self.cache.get(insn, False)
        if hit is not False:
            return hit
        res = None
        if insn & 3 == 3:
            bucket = self.buckets32.get(_bucket_key32(insn), ())
        else:
            bucket = self.buckets16.get(_bucket_key16(insn), ())
        for mask, match, p, fmt, trans in bucket:
            if insn & mask == match:
                args = fmt(insn)
                res = None if args is None else (p, args, trans)
                break
        if len(self.cache) < CACHE_WORDS:
            self.cache[insn] = res
        return res


_default: Decoder | None = None


def default_decoder() -> Decoder:
    global _default
    if _default is None:
        from rvjit.frontend.translators import all_translators
        _default = Decoder(TABLE, all_translators())
    return _default
