"""Where rvjit keeps what it builds and caches: $RVJIT_CACHE_DIR, else $XDG_CACHE_HOME/rvjit,
else ~/.cache/rvjit (native/ the C runtime, xlate/ translations, code/ compiled regions)."""
from __future__ import annotations

import os
from pathlib import Path


def cache_base() -> Path:
    base = os.environ.get("RVJIT_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "rvjit")
    return Path(base)
