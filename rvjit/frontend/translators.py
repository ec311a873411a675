"""Collects every `trans_` function of the translator modules."""
from __future__ import annotations

from collections.abc import Callable


def all_translators() -> dict[str, Callable]:
    from rvjit.frontend.trans import priv, rva, rvd, rvf, rvh, rvi, rvm, zicsr
    out: dict[str, Callable] = {}
    for mod in (rvi, rvm, rva, rvf, rvd, zicsr, priv, rvh):
        for name, fn in vars(mod).items():
            if name.startswith("trans_") and callable(fn):
                out[name] = fn
    return out
