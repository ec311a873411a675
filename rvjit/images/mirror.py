"""Where the Debian archive is: the RVJIT_DEBIAN_MIRROR environment variable, else the first
Debian archive named in the host's apt sources (one-line `sources.list` and deb822 `.sources`
files).  No mirror's host name is written into rvjit: users sit behind mirrors and proxies."""
from __future__ import annotations

import glob
import os
import re

ENV_VAR = "RVJIT_DEBIAN_MIRROR"


class MirrorError(Exception):
    pass


def _one_line_entries(text: str) -> list[tuple[str, list[str], list[str]]]:
    """`deb [opts] URI suite component...` lines -> (uri, suites, components)."""
    out = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line.startswith("deb "):
            continue
        line = re.sub(r"\[[^\]]*\]", " ", line[4:])     # drop [arch=... signed-by=...]
        words = line.split()
        if len(words) >= 2:
            out.append((words[0], [words[1]], words[2:]))
    return out


def _deb822_entries(text: str) -> list[tuple[str, list[str], list[str]]]:
    """deb822 stanzas (Types/URIs/Suites/Components) -> (uri, suites, components)."""
    out = []
    for stanza in re.split(r"\n\s*\n", text):
        fields: dict[str, str] = {}
        key = None
        for line in stanza.splitlines():
            if line.startswith("#") or not line.strip():
                continue
            if line[0].isspace() and key:
                fields[key] += " " + line.strip()
                continue
            key, _, value = line.partition(":")
            key = key.strip().lower()
            fields[key] = value.strip()
        if "deb" not in fields.get("types", "").split():
            continue
        if fields.get("enabled", "yes").lower() == "no":
            continue
        for uri in fields.get("uris", "").split():
            out.append((uri, fields.get("suites", "").split(),
                        fields.get("components", "").split()))
    return out


def apt_entries(root: str = "/etc/apt") -> list[tuple[str, list[str], list[str]]]:
    entries = []
    paths = [os.path.join(root, "sources.list")]
    paths += sorted(glob.glob(os.path.join(root, "sources.list.d", "*.list")))
    paths += sorted(glob.glob(os.path.join(root, "sources.list.d", "*.sources")))
    for p in paths:
        try:
            with open(p, encoding="utf-8", errors="replace") as f:
                text = f.read()
        except OSError:
            continue
        entries += _deb822_entries(text) if p.endswith(".sources") else _one_line_entries(text)
    return entries


def is_debian_archive(suites: list[str], components: list[str]) -> bool:
    """The main archive carries plain codenames with `main` (not -security, -updates, or a
    third-party repository's own suite such as `nodistro`)."""
    codenames = {"buster", "bullseye", "bookworm", "trixie", "forky", "sid", "unstable",
                 "testing", "stable", "oldstable"}
    return "main" in components and any(s in codenames for s in suites)


def debian_mirror(root: str = "/etc/apt", environ: dict | None = None) -> str:
    environ = os.environ if environ is None else environ
    url = environ.get(ENV_VAR, "").strip()
    if url:
        return url.rstrip("/")
    for uri, suites, components in apt_entries(root):
        if uri.startswith(("http://", "https://")) and is_debian_archive(suites, components):
            return uri.rstrip("/")
    raise MirrorError(f"no Debian archive found in {root}/sources.list*: set {ENV_VAR} "
                      "to the archive's base URL (the directory holding dists/ and pool/)")
