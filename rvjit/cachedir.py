"""Where rvjit keeps what it builds and caches: $RVJIT_CACHE_DIR, else $XDG_CACHE_HOME/rvjit,
else ~/.cache/rvjit (native/ the C runtime, xlate/ translations, code/ compiled regions), each
holding one directory per build of the sources it depends on; prune() keeps the few most
recently used.  Directories rvjit makes there are the user's own (0700, make_dir)."""
from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path


def cache_base() -> Path:
    base = os.environ.get("RVJIT_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "rvjit")
    return Path(base)


def make_dir(path: Path) -> None:
    """Make `path` and any missing parents up to the cache base with mode 0700 (the caches
    hold code rvjit loads into its own process: only the user may write there); parents
    above the base and directories that exist already are left as they are."""
    base = cache_base()
    if not path.is_relative_to(base):
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        return
    base.parent.mkdir(parents=True, exist_ok=True)
    for d in reversed([path, *path.parents]):
        if d.is_relative_to(base):
            try:
                d.mkdir(mode=0o700)
            except FileExistsError:
                pass


KEEP_VERSIONS = 4       # builds of rvjit whose caches are kept (each: native/, xlate/, code/)


def is_version_dir(name: str) -> bool:
    """A cache directory of one build of rvjit's sources (named by a hash of them)."""
    return len(name) >= 16 and all(c in "0123456789abcdef" for c in name)


def prune(parent: Path, current: str, keep: int = KEEP_VERSIONS, legacy: bool = False,
          background: bool = True) -> None:
    """Mark parent/current used and remove all but the `keep` most recently used version
    directories beside it (caches of other builds: they are never read again once their
    sources changed); `legacy`: anything else there goes too (an older layout).  In a daemon
    thread unless told otherwise: a removal cut short at exit goes on next time."""
    try:
        os.utime(parent / current)
    except OSError:
        pass                    # not made yet

    def run() -> None:
        try:
            entries = list(os.scandir(parent))
        except OSError:
            return
        versions = sorted((e for e in entries if e.is_dir() and is_version_dir(e.name)),
                          key=lambda e: e.stat().st_mtime, reverse=True)
        doomed = [e.path for e in versions[keep:] if e.name != current]
        if legacy:
            doomed += [e.path for e in entries if not is_version_dir(e.name)]
        for path in doomed:
            shutil.rmtree(path, ignore_errors=True)

    if background:
        threading.Thread(target=run, daemon=True).start()
    else:
        run()
