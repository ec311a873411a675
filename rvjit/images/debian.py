"""The Debian archive from Python alone: the Packages index, verified downloads, and .deb
unpacking (ar members, then data.tar.{xz,zst,gz})."""
from __future__ import annotations

import hashlib
import io
import lzma
import os
import re
import tarfile
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass

SUITE = "trixie"
ARCH = "riscv64"


class FetchError(Exception):
    """A download or archive problem, reported as one line."""


@dataclass(frozen=True, slots=True)
class Package:
    name: str
    version: str
    filename: str        # pool/... path relative to the archive root
    sha256: str
    size: int
    depends: str
    pre_depends: str = ""
    provides: str = ""


def parse_packages(text: str) -> dict[str, list[Package]]:
    """A Packages index -> every stanza by package name (a name can appear more than once)."""
    out: dict[str, list[Package]] = {}
    for stanza in text.split("\n\n"):
        fields: dict[str, str] = {}
        for line in stanza.splitlines():
            if line and not line[0].isspace():
                k, _, v = line.partition(":")
                fields[k] = v.strip()
        if "Package" not in fields or "Filename" not in fields:
            continue
        p = Package(fields["Package"], fields.get("Version", ""), fields["Filename"],
                    fields.get("SHA256", ""), int(fields.get("Size", "0") or 0),
                    fields.get("Depends", ""), fields.get("Pre-Depends", ""),
                    fields.get("Provides", ""))
        out.setdefault(p.name, []).append(p)
    return out


def inrelease_sha256(text: str, path: str) -> tuple[str, int] | None:
    """The SHA256 and size InRelease lists for `path` (e.g. main/binary-riscv64/Packages.xz).
    The signature is not checked: this guards against truncated or stale downloads."""
    in_sha = False
    for line in text.splitlines():
        if not line.startswith(" "):
            in_sha = line.startswith("SHA256:")
            continue
        if in_sha:
            words = line.split()
            if len(words) == 3 and words[2] == path:
                return words[0], int(words[1])
    return None


def sha256_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def download(url: str, dest: str, sha256: str | None = None,
             log: Callable[[str], None] = print) -> bool:
    """Fetch `url` into `dest` (atomically) unless a file with the right hash is already there.
    Returns True if something was downloaded."""
    if os.path.exists(dest) and (sha256 is None or sha256_file(dest) == sha256):
        return False
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    tmp = dest + ".part"
    log(f"downloading {url}")
    h = hashlib.sha256()
    try:
        req = urllib.request.Request(url, headers={"User-Agent": "rvjit-images"})
        with urllib.request.urlopen(req, timeout=60) as r, open(tmp, "wb") as f:
            for chunk in iter(lambda: r.read(1 << 20), b""):
                h.update(chunk)
                f.write(chunk)
    except urllib.error.HTTPError as e:
        _unlink(tmp)
        raise FetchError(f"cannot download {url}: HTTP {e.code} {e.reason}") from None
    except (urllib.error.URLError, OSError, TimeoutError) as e:
        _unlink(tmp)
        reason = getattr(e, "reason", None) or e
        raise FetchError(f"cannot download {url}: {reason}") from None
    if sha256 is not None and h.hexdigest() != sha256:
        _unlink(tmp)
        raise FetchError(f"{url}: sha256 {h.hexdigest()} does not match the index's {sha256} "
                         "(the mirror may be mid-sync; try again later)")
    os.replace(tmp, dest)
    return True


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def ar_members(data: bytes) -> dict[str, bytes]:
    """The members of a Unix `ar` archive (the .deb container)."""
    if data[:8] != b"!<arch>\n":
        raise FetchError("not a .deb (ar) archive")
    out, pos = {}, 8
    while pos + 60 <= len(data):
        hdr = data[pos:pos + 60]
        name = hdr[:16].decode("ascii").strip().rstrip("/")
        size = int(hdr[48:58].decode("ascii").strip())
        out[name] = data[pos + 60:pos + 60 + size]
        pos += 60 + size + (size & 1)
    return out


def _data_tar(deb: bytes) -> tarfile.TarFile:
    members = ar_members(deb)
    for name, body in members.items():
        if not name.startswith("data.tar"):
            continue
        if name.endswith(".zst"):
            import zstandard
            stream = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(body))
            return tarfile.open(fileobj=stream, mode="r|")
        if name.endswith(".xz"):
            return tarfile.open(fileobj=lzma.LZMAFile(io.BytesIO(body)), mode="r|")
        return tarfile.open(fileobj=io.BytesIO(body), mode="r|*")
    raise FetchError("the .deb has no data.tar member")


def deb_contents(deb_path: str, want: Callable[[str], bool]
                 ) -> tuple[dict[str, bytes], dict[str, str]]:
    """The regular files and the symbolic links (path -> target) of a .deb's data archive
    whose path (without the leading ./) satisfies `want`."""
    with open(deb_path, "rb") as f:
        deb = f.read()
    files: dict[str, bytes] = {}
    links: dict[str, str] = {}
    try:
        with _data_tar(deb) as tar:
            for m in tar:
                path = re.sub(r"^\./", "", m.name)
                if not want(path):
                    continue
                if m.isfile():
                    fobj = tar.extractfile(m)
                    files[path] = fobj.read() if fobj else b""
                elif m.issym():
                    links[path] = m.linkname
    except (tarfile.TarError, lzma.LZMAError, EOFError, ValueError) as e:
        raise FetchError(f"{os.path.basename(deb_path)}: corrupt data archive ({e})") from None
    return files, links


def deb_extract(deb_path: str, want: Callable[[str], bool]) -> dict[str, bytes]:
    """The regular files of a .deb's data archive whose path satisfies `want`."""
    return deb_contents(deb_path, want)[0]


def deb_names(deb_path: str) -> Iterable[str]:
    with open(deb_path, "rb") as f, _data_tar(f.read()) as tar:
        return [re.sub(r"^\./", "", m.name) for m in tar]
