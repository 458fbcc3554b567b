"""The whole build skipped when nothing it is made of changed since the last one.

An unchanged rebuild of a long back catalogue would otherwise read every note and audio
header, load every cached note and compare every page (seconds at 1,000 episodes). A build
is a function of

- the files of the show folder (every file under it but its hidden folders and build
  folders) and the files the show names that this walk does not see (artwork or a
  bibliography outside it or in a hidden folder);
- this package's code and the installed libraries (their distributions' names and versions);
- the options (build folder, target, GUID mode, drafts);
- the time, only through which episodes are due: a build stays valid from its newest
  published episode's date until its first scheduled one's.

Each file is identified by its stat (size, mtime, ctime, inode; :func:`stat_key`): an edit,
a copy over it with its mtime kept, or a replacement all change it. :func:`record` keeps, per
build folder, a hash of all of that, a hash of the stat of every file the build left in the
folder, and the :class:`~publisher.model.Build` it returned; :func:`probe` returns that Build
when both hashes are the same again, so nothing is read, rendered or written. Any change,
even a file touched, falls back to the full (incremental) build, which records afresh.

This module imports nothing heavy, so that a skipped build costs a walk of two folders.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from publisher.errors import Notice
from publisher.filecache import (
    CACHE_DIR,
    JSON_SLICE,
    libraries,
    package_hash,
    stat_key,
    write_atomic,
)
from publisher.model import Build, Enclosure, SiteFile, Target

FORMAT = 3
UNCHANGED = "nothing changed since the last build into this folder: nothing was read or written"
BUILD_MARKER = ".publisher-build"  # in every build folder (build.write)
_SKIPPED_DIRS = {"__pycache__", "node_modules"}

Stats = dict[str, tuple[int, ...]]  # path -> stat key


@dataclass(frozen=True)
class Inputs:
    """What a build of ``root`` into ``out`` is made of, as found before it started."""

    root: Path
    out: Path
    options: str  # the options and the code, as text
    stats: Stats  # every input file's stat (the show folder's files, and the named ones)
    named: tuple[str, ...] = ()  # the named files outside the show folder among them

    def digest(self) -> str:
        h = hashlib.sha256(self.options.encode())
        for path in sorted(self.stats):
            h.update(f"{path}\0{self.stats[path]}\n".encode("utf-8", "surrogateescape"))
        return h.hexdigest()


def inputs(
    root: Path, out: Path, options: Mapping[str, object], *, named: Iterable[str] = ()
) -> Inputs:
    """The inputs of a build of ``root`` into ``out`` now: the stat of every file under
    ``root`` (not in hidden folders, build folders or ``out``) and of each ``named`` file
    (files the show names outside its folder, as the last build recorded them)."""
    stats = dict(_walk(root, skip=out))
    named = tuple(named)
    for name in named:
        if name not in stats:
            stats[name] = _stat(Path(name))
    code = {"format": FORMAT, "package": package_hash(), "libraries": list(libraries())}
    text = json.dumps({**code, **options}, sort_keys=True, default=str)
    return Inputs(root, out, text, stats, named)


def last(root: Path, out: Path) -> dict[str, Any] | None:
    """The record of the last build of ``root`` into ``out``; None when there is none, or it
    cannot be read, or is not this format."""
    return _load(_record_path(root, out))


def probe(
    found: Inputs, record: dict[str, Any] | None, *, now: dt.datetime, target: Target | None
) -> Build | None:
    """The last build (``record``, :func:`last`) into ``found.out``, with an information
    notice (:data:`UNCHANGED`), when it was made of the same inputs, ``now`` is within the
    time it stays valid, and every file it left in the build folder is there as it left it
    (none changed, none added); else None."""
    if record is None or record.get("inputs") != found.digest():
        return None
    since, until = record.get("since"), record.get("until")
    if not isinstance(since, str) or (until is not None and not isinstance(until, str)):
        return None
    if now < dt.datetime.fromisoformat(since):
        return None
    if until is not None and now >= dt.datetime.fromisoformat(until):
        return None
    if record.get("outputs") != _folder(found.out)[0]:
        return None
    try:
        kept = _decode_build(record, target)
    except (KeyError, TypeError, ValueError):
        return None
    unchanged = Notice(UNCHANGED, kept.site_dir, warning=False)
    return dataclasses.replace(kept, notices=(*kept.notices, unchanged), written=0)


def record(
    found: Inputs,
    result: Build,
    *,
    since: dt.datetime,
    until: dt.datetime | None,
    named: Iterable[Path],
) -> None:
    """Keep ``result`` as the build of ``found``, valid from ``since`` (its newest published
    episode's date) until ``until`` (its first scheduled one's, None: no end). ``named`` are
    the files the show names; those the walk of its folder does not see (outside it, or in a
    hidden folder) join the inputs of the next probe.

    Nothing is kept when an input changed while the build ran (but for the ctime of the
    files the build hard-linked into its folder, which linking changes): then the build
    may have read some files as they were and others as they are. Failures to write only
    cost time later.
    """
    root, out = found.root, found.out
    options = {k: v for k, v in json.loads(found.options).items() if k in _OPTION_KEYS}
    walked = inputs(root, out, options)
    # named files the walk does not see: outside the show folder, or in a hidden folder
    outside = sorted({str(p) for p in named} - walked.stats.keys())
    stats = {**walked.stats, **{name: _stat(Path(name)) for name in outside}}
    after = Inputs(root, out, walked.options, stats, tuple(outside))
    outputs, linked = _folder(out, found.stats)
    if not _same(found.stats, after.stats, linked, set(found.named) ^ set(outside)):
        return
    data = {
        "format": FORMAT,
        "inputs": after.digest(),
        "named": outside,
        "since": since.isoformat(),
        "until": until.isoformat() if until is not None else None,
        "outputs": outputs,
        "build": _encode(result),
    }
    with contextlib.suppress(OSError):
        write_atomic(_record_path(root, out), _chunks(data, result))


_OPTION_KEYS = ("out", "target", "target_name", "guid_mode", "drafts", "search_part")


def named_outside(record: dict[str, Any] | None) -> list[str]:
    """The files outside the show folder that the show named when ``record`` was made."""
    named = record.get("named") if record else None
    return [n for n in named if isinstance(n, str)] if isinstance(named, list) else []


def _same(before: Stats, after: Stats, linked: set[int], ignored: set[str]) -> bool:
    """Whether the inputs after a build are those before it, but for the ctime of files
    hard-linked into the build folder (their inode among the built media's) and the
    ``ignored`` files (outside the show folder, named before or after but not both)."""
    if before.keys() - ignored != after.keys() - ignored:
        return False
    for path, old in before.items():
        if path in ignored:
            continue
        new = after[path]
        if new == old:
            continue
        if len(old) != 4 or len(new) != 4 or old[3] not in linked:
            return False
        if (old[0], old[1], old[3]) != (new[0], new[1], new[3]):
            return False
    return True


def _record_path(root: Path, out: Path) -> Path:
    name = hashlib.sha256(str(out).encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return root / CACHE_DIR / f"last-build-{name}.json"


def _load(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("format") == FORMAT else None


def _stat(path: Path) -> tuple[int, ...]:
    try:
        return tuple(stat_key(path.stat()))
    except OSError:
        return ()  # missing: a file that appears changes the digest


def _walk(folder: Path, *, skip: Path) -> Iterator[tuple[str, tuple[int, ...]]]:
    """``(path, stat key)`` of every file under ``folder``, following links to folders once,
    leaving out hidden folders, build folders (they hold the marker) and ``skip``."""
    seen: set[tuple[int, int]] = set()
    todo = [str(folder)]
    skipped = str(skip)
    while todo:
        here = todo.pop()
        try:
            st = os.stat(here)
            if (st.st_dev, st.st_ino) in seen:
                continue
            seen.add((st.st_dev, st.st_ino))
            entries = list(os.scandir(here))
        except OSError:
            continue
        if here != str(folder) and any(e.name == BUILD_MARKER for e in entries):
            continue
        for entry in entries:
            try:
                if entry.is_dir():
                    hidden = entry.name.startswith(".") or entry.name in _SKIPPED_DIRS
                    if not hidden and entry.path != skipped:
                        todo.append(entry.path)
                elif entry.is_file():
                    yield entry.path, tuple(stat_key(entry.stat()))
            except OSError:
                continue


def _folder(out: Path, among: Stats | None = None) -> tuple[str, set[int]]:
    """A hash of the path and stat of every file in the build folder, and those of their
    inodes that files of ``among`` have (the show's files hard-linked into it). A folder at
    a time, in name order: rows for all of them sorted at once were ~20 MB at 10,000
    episodes (issue 11)."""
    h = hashlib.sha256()
    candidates = {key[3] for key in among.values() if len(key) == 4} if among else set()
    inodes = set()
    for dirpath, dirnames, files in os.walk(out):
        dirnames.sort()  # walked in this order
        for name in sorted(files):
            path = os.path.join(dirpath, name)
            try:
                st = os.lstat(path)
            except OSError:
                return "", set()
            h.update(f"{path}\0{stat_key(st)}\n".encode("utf-8", "surrogateescape"))
            if st.st_ino in candidates:
                inodes.add(st.st_ino)
    return h.hexdigest(), inodes


_PATHS = {"site_dir", "path", "source"}  # the Path-valued fields of what a Build holds


def _plain(value: object) -> dict[str, Any]:
    return {
        f.name: str(v) if f.name in _PATHS and v is not None else v
        for f in fields(value)  # type: ignore[arg-type]
        if not isinstance(v := getattr(value, f.name), tuple | list) or f.name == "guids"
    }


def _encode(build: Build) -> dict[str, Any]:
    """The Build but its files and enclosures (:func:`_chunks` writes them beside it)."""
    return {**_plain(build), "target": _plain(build.target), "notices": _plain_all(build.notices)}


def _plain_all(values: Iterable[object]) -> list[dict[str, Any]]:
    return [_plain(v) for v in values]


def _file_rows(files: Sequence[SiteFile]) -> list[list[Any]]:
    """Compact rows, each file's path its key in site_dir: a long catalogue has 84,000."""
    return [[f.key, f.size, f.sha256, f.content_type, f.kind, f.immutable] for f in files]


def _chunks(data: dict[str, Any], build: Build) -> Iterator[bytes]:
    """The record ``data`` as JSON, with ``build``'s files and enclosures beside it, their
    rows made and encoded :data:`JSON_SLICE` at a time: all at once, they and their text
    were the peak of a 10,000-episode build (~40 MB, issue 11)."""
    files, enclosures = build.files, build.enclosures
    yield json.dumps(data)[:-1].encode()
    yield from _rows("files", len(files), lambda a, b: _file_rows(files[a:b]))
    yield from _rows("enclosures", len(enclosures), lambda a, b: _plain_all(enclosures[a:b]))
    yield b"}"


def _rows(name: str, count: int, rows: Callable[[int, int], list[Any]]) -> Iterator[bytes]:
    """``, "name": [...]`` of ``count`` rows, ``rows(start, stop)`` a slice at a time."""
    yield f', "{name}": ['.encode()
    for start in range(0, count, JSON_SLICE):
        part = json.dumps(rows(start, start + JSON_SLICE))
        yield (b", " if start else b"") + part[1:-1].encode()
    yield b"]"


def _paths(row: dict[str, Any]) -> dict[str, Any]:
    return {k: Path(v) if k in _PATHS and v is not None else v for k, v in row.items()}


def _decode_build(record: dict[str, Any], target: Target | None) -> Build:
    """The Build :func:`record` kept; with ``target`` (an ad hoc one, part of the inputs)
    in place of the kept one. Raises KeyError, TypeError or ValueError for a bad record."""
    data = record["build"]
    site_dir = Path(data["site_dir"])
    folder = os.path.join(site_dir, "")
    return Build(
        site_dir=site_dir,
        target=target or Target(**_paths(data["target"])),
        files=tuple(
            SiteFile(key, folder + key, size, sha256, content_type, kind, immutable)
            for key, size, sha256, content_type, kind, immutable in record["files"]
        ),
        enclosures=tuple(Enclosure(**_paths(e)) for e in record["enclosures"]),
        notices=tuple(Notice(**_paths(n)) for n in data["notices"]),
        drafts=bool(data["drafts"]),
        guids=tuple(data["guids"]),
    )
