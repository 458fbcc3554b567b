"""The website kept from the last build when nothing it is made of changed.

Rendering every page of a long back catalogue is most of what an unchanged rebuild would
cost. The pages are a function of what :func:`publisher.site.render_site` is given (the
show, its links, the items with their rendered notes), of the citation style, of the
show's template overrides and of this package's own code. :func:`fingerprint` hashes all
of that: every value by its type and content, every file a value names by its content hash
(a file's facts are kept by its stat, :mod:`publisher.filecache`), so a changed transcript,
note or template changes it. A value of a type it does not know makes no fingerprint, and
the site is rendered. When the fingerprint is the one recorded and every file it recorded is
still in the build folder as written, the site's files are taken as they are.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from publisher.filecache import BuildCache, package_hash, stat_key

_Digest = Callable[[Path], str]


class _Unknown(Exception):
    """A value of a type the fingerprint does not know how to hash."""


def fingerprint(parts: Iterable[object], digest: _Digest) -> str | None:
    """SHA-256 of ``parts`` and of this package's code, or None when a part holds a value of
    an unknown type. ``digest(path)`` is the content hash of a file a value names."""
    h = hashlib.sha256(package_hash().encode())
    memo: dict[int, bytes] = {}
    try:
        for part in parts:
            _feed(h, part, digest, memo)
    except _Unknown:
        return None
    return h.hexdigest()


def folder_digest(folder: Path, digest: _Digest) -> str:
    """A hash of every file under ``folder`` (names and contents); "" when there is none."""
    if not folder.is_dir():
        return ""
    h = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        h.update(path.relative_to(folder).as_posix().encode() + b"\0" + digest(path).encode())
    return h.hexdigest()


def _shared(value: object, digest: _Digest, memo: dict[int, bytes]) -> bytes:
    """The hash of a mapping or dataclass, computed once per object: bibliography entries are
    cited by many items, and one object is hashed once however often it appears. A mapping
    of JSON values is hashed as its JSON text (C speed)."""
    found = memo.get(id(value))
    if found is None:
        sub = hashlib.sha256()
        if isinstance(value, Mapping):
            try:
                text = json.dumps(value, ensure_ascii=False, allow_nan=True)
                sub.update(b"j" + text.encode("utf-8", "surrogatepass"))
            except (TypeError, ValueError):
                _walk_mapping(sub, value, digest, memo)
        else:
            _walk_dataclass(sub, value, digest, memo)
        found = memo[id(value)] = sub.digest()
    return found


def _walk_mapping(
    h: Any, value: Mapping[Any, Any], digest: _Digest, memo: dict[int, bytes]
) -> None:
    h.update(f"m{len(value)}{{".encode())
    for k, v in value.items():
        _feed(h, k, digest, memo)
        _feed(h, v, digest, memo)
    h.update(b"}")


def _walk_dataclass(h: Any, value: Any, digest: _Digest, memo: dict[int, bytes]) -> None:
    h.update(f"d:{type(value).__qualname__}{{".encode())
    for f in dataclasses.fields(value):
        h.update(f.name.encode() + b"=")
        _feed(h, getattr(value, f.name), digest, memo)
    h.update(b"}")


# One function: a type switch reads best as one list of cases.
def _feed(h: Any, value: object, digest: _Digest, memo: dict[int, bytes]) -> None:
    if value is None or isinstance(value, bool | int | float | complex):
        h.update(f"{type(value).__name__}:{value!r};".encode())
    elif isinstance(value, str):
        h.update(f"s{len(value)}:".encode() + value.encode("utf-8", "surrogatepass"))
    elif isinstance(value, bytes | bytearray):
        h.update(f"b{len(value)}:".encode() + bytes(value))
    elif isinstance(value, Path):
        h.update(f"p:{value}:".encode())
        if value.is_file():
            h.update(digest(value).encode())
    elif isinstance(value, dt.datetime | dt.date | dt.time | dt.timedelta | enum.Enum):
        h.update(f"{type(value).__name__}:{value!r};".encode())
    elif (dataclasses.is_dataclass(value) and not isinstance(value, type)) or isinstance(
        value, Mapping
    ):
        h.update(b"h" + _shared(value, digest, memo))
    elif isinstance(value, list | tuple | frozenset | set):
        items = sorted(value, key=repr) if isinstance(value, frozenset | set) else value
        h.update(f"{type(value).__name__}{len(value)}[".encode())
        for v in items:
            _feed(h, v, digest, memo)
        h.update(b"]")
    else:
        raise _Unknown(type(value).__qualname__)


def kept_files(out: Path, cache: BuildCache, digest: str | None) -> list[tuple[str, str]] | None:
    """The site's files as the last build wrote them, ``(key, sha256)`` in order, when it had
    the same fingerprint ``digest`` and every one of them is still there as written."""
    record = cache.site
    if digest is None or not isinstance(record, dict) or record.get("digest") != digest:
        return None
    files = record.get("files")
    if not isinstance(files, list):
        return None
    for entry in files:
        if not (isinstance(entry, list) and len(entry) == 2):
            return None
        written = cache.output(str(out / entry[0]))
        try:
            st = (out / entry[0]).stat()
        except OSError:
            return None
        if (
            written is None
            or written.get("stat") != stat_key(st)
            or written.get("sha256") != entry[1]
        ):
            return None
    return [(str(k), str(s)) for k, s in files]
