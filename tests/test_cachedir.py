"""Cache directories keep the few most recently used builds' caches (cachedir.prune)."""
from __future__ import annotations

import os

from rvjit.cachedir import prune


def _version(parent, name: str, mtime: float) -> None:
    d = parent / name
    (d / "ab").mkdir(parents=True)
    (d / "ab" / "x.o").write_bytes(b"x")
    os.utime(d, (mtime, mtime))


def test_prune_keeps_the_most_recently_used_builds(tmp_path):
    names = [f"{i:024x}" for i in range(6)]
    for i, n in enumerate(names):
        _version(tmp_path, n, 1000 + i)             # names[5] used last
    (tmp_path / "7f").mkdir()                       # an older layout's directory
    current = names[0]                              # the oldest, but the one in use now
    prune(tmp_path, current, keep=4, background=False)
    left = sorted(p.name for p in tmp_path.iterdir())
    # the current one (marked used now) and the next three most recent
    assert left == sorted([current, names[5], names[4], names[3], "7f"])
    prune(tmp_path, current, keep=4, legacy=True, background=False)
    assert "7f" not in {p.name for p in tmp_path.iterdir()}
    assert (tmp_path / current / "ab" / "x.o").exists()


def test_prune_of_a_missing_directory_does_nothing(tmp_path):
    prune(tmp_path / "none", "0" * 24, background=False)
    assert not (tmp_path / "none").exists()
