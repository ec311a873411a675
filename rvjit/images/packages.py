"""What a set of Debian packages needs: the closure of their Depends and Pre-Depends over a
Packages index, as apt would install it (Debian Policy 7.1: relations, alternatives `a | b`,
version constraints; 7.5: virtual packages through Provides; 5.6.12: version ordering).

The choice within an alternative group is apt's usual one for a fresh system: a group that a
package already in the closure satisfies needs nothing more; otherwise the first alternative
that some package in the index satisfies wins, a real package before the providers of a
virtual one, the newest version first, providers in name order."""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from rvjit.images.debian import Package

_OPS = ("<<", "<=", "=", ">=", ">>")


class ResolveError(Exception):
    """A relation no package in the index satisfies."""


@dataclass(frozen=True, slots=True)
class Relation:
    """One alternative of a relation: `name (op version)`; op and version are "" if absent."""
    name: str
    op: str = ""
    version: str = ""

    def __str__(self) -> str:
        return f"{self.name} ({self.op} {self.version})" if self.op else self.name


_REL = re.compile(r"^\s*([a-z0-9][a-z0-9+.-]*)(?::[a-z0-9-]+)?\s*"
                  r"(?:\(\s*(<<|<=|=|>=|>>|<|>)\s*([^)\s]+)\s*\))?\s*"
                  r"(?:\[[^\]]*\])?\s*(?:<[^>]*>\s*)*$")


def parse_relations(text: str) -> list[list[Relation]]:
    """`a (>= 1), b | c:any, d [riscv64]` -> [[a>=1], [b, c], [d]].  Architecture
    qualifiers and restriction lists are dropped (the index is for one architecture)."""
    groups = []
    for group in text.split(","):
        if not group.strip():
            continue
        alts = []
        for alt in group.split("|"):
            m = _REL.match(alt)
            if not m:
                raise ResolveError(f"cannot parse relation {alt.strip()!r}")
            op = {"<": "<=", ">": ">="}.get(m.group(2) or "", m.group(2) or "")
            alts.append(Relation(m.group(1), op, m.group(3) or ""))
        groups.append(alts)
    return groups


def _order(c: str) -> int:
    """Policy 5.6.12's character order: ~ before the end of a part, letters before others."""
    if c == "~":
        return -1
    if c.isalpha():
        return ord(c)
    return ord(c) + 256


def _compare_part(a: str, b: str) -> int:
    """Compare upstream versions or revisions: alternate non-digit and digit runs."""
    while a or b:
        na = re.match(r"[^0-9]*", a).group()
        nb = re.match(r"[^0-9]*", b).group()
        for i in range(max(len(na), len(nb))):
            ca = _order(na[i]) if i < len(na) else 0
            cb = _order(nb[i]) if i < len(nb) else 0
            if ca != cb:
                return -1 if ca < cb else 1
        a, b = a[len(na):], b[len(nb):]
        da = re.match(r"[0-9]*", a).group()
        db = re.match(r"[0-9]*", b).group()
        if int(da or 0) != int(db or 0):
            return -1 if int(da or 0) < int(db or 0) else 1
        a, b = a[len(da):], b[len(db):]
    return 0


def _split_version(v: str) -> tuple[int, str, str]:
    epoch, _, rest = v.rpartition(":") if ":" in v else ("0", "", v)
    upstream, _, revision = rest.rpartition("-") if "-" in rest else (rest, "", "0")
    return int(epoch or 0), upstream, revision


def compare_versions(a: str, b: str) -> int:
    """-1, 0 or 1 as Debian version `a` sorts before, equal to or after `b`."""
    ea, ua, ra = _split_version(a)
    eb, ub, rb = _split_version(b)
    if ea != eb:
        return -1 if ea < eb else 1
    return _compare_part(ua, ub) or _compare_part(ra, rb)


def version_satisfies(version: str, op: str, wanted: str) -> bool:
    if not op:
        return True
    if not version:
        return False            # an unversioned Provides satisfies no versioned relation
    c = compare_versions(version, wanted)
    return {"<<": c < 0, "<=": c <= 0, "=": c == 0, ">=": c >= 0, ">>": c > 0}[op]


class PackageIndex:
    """A Packages index with its virtual packages: `providers[name]` lists (package, provided
    version or "") for every package whose Provides names `name`."""

    def __init__(self, packages: dict[str, list[Package]]) -> None:
        self.packages = packages
        self.providers: dict[str, list[tuple[Package, str]]] = {}
        for stanzas in packages.values():
            for p in stanzas:
                for alts in parse_relations(p.provides):
                    for r in alts:
                        self.providers.setdefault(r.name, []).append((p, r.version))

    def candidates(self, rel: Relation) -> list[Package]:
        """Packages that satisfy `rel`: real ones (newest first), then providers (by name)."""
        real = [p for p in self.packages.get(rel.name, [])
                if version_satisfies(p.version, rel.op, rel.version)]
        real.sort(key=_VersionKey, reverse=True)
        virtual = sorted({p.name: p for p, v in self.providers.get(rel.name, [])
                          if version_satisfies(v, rel.op, rel.version)}.values(),
                         key=lambda p: p.name)
        return real + [p for p in virtual if p not in real]

    def satisfied_by(self, rel: Relation, chosen: dict[str, Package]) -> bool:
        p = chosen.get(rel.name)
        if p is not None and version_satisfies(p.version, rel.op, rel.version):
            return True
        return any(q.name in chosen and chosen[q.name] is q
                   and version_satisfies(v, rel.op, rel.version)
                   for q, v in self.providers.get(rel.name, []))


class _VersionKey:
    """Sort packages by Debian version order."""
    __slots__ = ("version",)

    def __init__(self, p: Package) -> None:
        self.version = p.version

    def __lt__(self, other: _VersionKey) -> bool:
        return compare_versions(self.version, other.version) < 0


def closure(index: PackageIndex, roots: Iterable[str]) -> list[Package]:
    """Every package `roots` need (themselves first, then breadth first), each named once.
    Raises ResolveError for a relation nothing in the index satisfies."""
    chosen: dict[str, Package] = {}
    order: list[Package] = []
    queue: list[tuple[Package, str]] = []

    def take(p: Package, why: str) -> None:
        if p.name not in chosen:
            chosen[p.name] = p
            order.append(p)
            queue.append((p, why))

    for name in roots:
        found = index.candidates(Relation(name))
        if not found:
            raise ResolveError(f"no package {name} in the index")
        take(found[0], name)
    while queue:
        p, why = queue.pop(0)
        for alts in parse_relations(p.pre_depends) + parse_relations(p.depends):
            if any(index.satisfied_by(r, chosen) for r in alts):
                continue
            for r in alts:
                found = index.candidates(r)
                if found:
                    take(found[0], f"{why} -> {p.name}")
                    break
            else:
                raise ResolveError(f"{why} -> {p.name}: nothing in the index satisfies "
                                   + " | ".join(map(str, alts)))
    return order
