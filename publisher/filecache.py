"""The build cache: what an earlier build learnt, under keys that cannot lie.

Hashing a two-hour episode, walking its MP3 frames to measure its true length, or formatting
ten citations per note would dominate a rebuild of a show with a long back catalogue. What
was found is kept in the show's git-ignored ``.publisher/`` folder, and is only ever a
shortcut:

- facts about a file (its SHA-256, its measured duration) hold for one stat of it: path,
  size, mtime, ctime and inode, all in nanoseconds. Copying another file of the same size
  over it with its mtime kept (``cp -p``, ``rsync -t``) still changes its ctime, and
  replacing it by a rename changes its inode, so neither is mistaken for the old file;
- a rendered note is stored under a hash of everything that went into it (see
  :mod:`publisher.build.notecache`), one file per note, so the cache never holds every note
  in memory;
- each built file is remembered with its stat and hash, so that an unchanged output is
  recognised without reading it back.

Every file is written atomically (a temporary file renamed over the old one). A cache that
cannot be read, has another format, or was written by another version of this package (a
hash of the package's own source, since the version string does not change between
commits) is discarded, never trusted. ``use=False`` (``--no-cache``) trusts nothing it
holds: everything is found afresh, and what is found replaces it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

CACHE_DIR = Path(".publisher")
CACHE_FILE = CACHE_DIR / "build-cache.json"
FORMAT = 3


@cache
def package_hash() -> str:
    """SHA-256 of every file of the ``publisher`` package (code, templates, static files),
    in path order: what says "the same code" where the version string does not."""
    root = resources.files("publisher")
    h = hashlib.sha256()
    for path in sorted(_package_files(Path(str(root)))):
        if "__pycache__" in path.parts:
            continue
        h.update(path.relative_to(Path(str(root))).as_posix().encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


@cache
def libraries() -> tuple[str, ...]:
    """The installed distributions on the import path, as their ``.dist-info`` folders name
    them (``segno-1.6.6.dist-info``), sorted: what says "the same libraries", read from the
    folders' names (``importlib.metadata`` alone takes ~40 ms to import)."""
    found = []
    for entry in sys.path:
        if entry.endswith("-packages"):
            try:
                found += [n for n in os.listdir(entry) if n.endswith(".dist-info")]
            except OSError:
                continue
    return tuple(sorted(found))


def _package_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and p.suffix not in (".pyc", ".pyo")]


def stat_key(st: os.stat_result) -> list[int]:
    """What identifies one version of a file: size, mtime, ctime (ns) and inode."""
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


def write_atomic(path: Path, data: bytes | Iterable[bytes]) -> None:
    """Write ``data`` (bytes, or bytes in parts) to ``path`` through a temporary file renamed
    over it (raises OSError)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("wb") as f:
            f.writelines([data] if isinstance(data, bytes) else data)
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise


class BuildCache:
    """File facts and built outputs of earlier builds of one show.

    ``sections``: ``files`` (resolved path -> stat key, sha256, duration, what a parse of it
    found) and ``outputs`` (a built file's path -> its stat key and sha256, one compact row
    each: a build of 10,000 episodes has 84,000; or a search part's folder -> what its
    bundle was made from).
    """

    def __init__(self, root: Path, *, use: bool = True, write: bool = True) -> None:
        """``use=False``: trust nothing kept; ``write=False``: keep nothing (``check`` and
        ``status`` write no file: blobs are not written or pruned, :meth:`save` does nothing)."""
        self.root = root
        self.path = root / CACHE_FILE
        self.use = use
        self.write = write
        self.files: dict[str, dict[str, Any]] = {}
        self.outputs: dict[str, Any] = {}  # a row, [*stat_key, sha256], or a dict
        self.site: dict[str, Any] | None = None  # what the last site's files were made of
        self.dirty = not use  # --no-cache: what this build finds replaces it
        self.blobs_used: set[str] = set()  # what blob/remember_blob named in this run
        if use:
            self._load()

    @property
    def blobs_dir(self) -> Path:
        """Where big values are kept (embedded artwork), each in a file named by its SHA-256."""
        return self.root / CACHE_DIR / "blobs"

    def blob(self, digest: str) -> bytes | None:
        """The bytes kept as :meth:`remember_blob` named them, if they still hash to
        ``digest``; else None (never kept, removed, or damaged)."""
        if len(digest) != 64 or not all(c in "0123456789abcdef" for c in digest):
            return None  # never a path: the name comes from the cache file
        self.blobs_used.add(digest)
        try:
            data = (self.blobs_dir / digest).read_bytes()
        except OSError:
            return None
        return data if hashlib.sha256(data).hexdigest() == digest else None

    def remember_blob(self, data: bytes) -> str:
        """Keep ``data`` in a file named by its SHA-256, which is returned (a file that
        cannot be written only makes :meth:`blob` miss later)."""
        digest = hashlib.sha256(data).hexdigest()
        if self.write and self.blob(digest) is None:  # none yet, or damaged: (re)written
            with contextlib.suppress(OSError):
                write_atomic(self.blobs_dir / digest, data)
        return digest

    def prune_blobs(self) -> None:
        """Remove the kept blobs this run did not ask for: call it once every file that may
        have one was read (a blob removed wrongly only costs a read of its file later)."""
        if not self.write:
            return
        try:
            stale = [p for p in self.blobs_dir.iterdir() if p.name not in self.blobs_used]
        except OSError:
            return
        for path in stale:
            with contextlib.suppress(OSError):
                path.unlink()

    @property
    def notes_dir(self) -> Path:
        """Where rendered notes are kept, one file per note (see build.notecache)."""
        return self.root / CACHE_DIR / "notes"

    def _load(self) -> None:
        try:
            loaded = json.loads(self.path.read_bytes())
        except (OSError, ValueError):
            return  # none yet, or corrupt: start afresh
        if (
            not isinstance(loaded, dict)
            or loaded.get("format") != FORMAT
            or loaded.get("package") != package_hash()
        ):
            self.dirty = True  # foreign: replaced by this build's
            return
        files, outputs, site = loaded.get("files"), loaded.get("outputs"), loaded.get("site")
        self.site = site if isinstance(site, dict) else None
        if isinstance(files, dict):
            self.files = {k: v for k, v in files.items() if isinstance(v, dict)}
        if isinstance(outputs, dict):
            self.outputs = {k: v for k, v in outputs.items() if isinstance(v, dict | list)}

    def _entry(self, src: Path) -> tuple[dict[str, Any], os.stat_result]:
        st = os.stat(src)
        key = os.path.abspath(src)  # not resolve(): the stat already follows links
        entry = self.files.get(key)
        if entry is None or entry.get("stat") != stat_key(st):
            entry = self.files[key] = {"stat": stat_key(st)}
        return entry, st

    def digest(self, src: Path) -> tuple[int, str]:
        """The size and SHA-256 of ``src``, from the cache when its stat is unchanged."""
        entry, st = self._entry(src)
        if isinstance(entry.get("sha256"), str):
            return st.st_size, str(entry["sha256"])
        h = hashlib.sha256()
        with src.open("rb") as f:
            while chunk := f.read(1 << 20):
                h.update(chunk)
        entry["sha256"] = h.hexdigest()
        self.dirty = True
        return st.st_size, h.hexdigest()

    def duration(self, src: Path) -> float | None:
        """The duration measured before for ``src`` as it is now, else None."""
        entry, _ = self._entry(src)
        value = entry.get("duration")
        return float(value) if isinstance(value, int | float) else None

    def remember_duration(self, src: Path, seconds: float) -> None:
        entry, _ = self._entry(src)
        if entry.get("duration") != seconds:
            entry["duration"] = seconds
            self.dirty = True

    def kept(self, src: Path, kind: str) -> tuple[Any, Callable[[Any], None]]:
        """What was kept as ``kind`` (JSON: dicts, lists, text, numbers) for ``src`` as it is
        now, else None; and a function that keeps a new value for ``src`` as it was at this
        call. Call this before reading ``src``: what is kept then never
        holds for a version of it that was not the one read. A file that cannot be statted
        has nothing kept, and keeps nothing (reading it says what is wrong)."""
        try:
            entry, _ = self._entry(src)
        except OSError:
            return None, lambda _: None

        def keep(value: Any) -> None:
            if entry.get(kind) != value:
                entry[kind] = value
                self.dirty = True

        return entry.get(kind), keep

    def linked(self, src: Path, before: os.stat_result) -> None:
        """``src`` was just hard-linked, which changes its ctime and nothing else: facts
        learnt about it as it was ``before`` stay valid for it as it is now."""
        entry = self.files.get(os.path.abspath(src))
        if entry is not None and entry.get("stat") == stat_key(before):
            entry["stat"] = stat_key(src.stat())
            self.dirty = True

    def written(self, path: str, st: os.stat_result) -> str | None:
        """The SHA-256 of the file at ``path`` as this cache saw it written, if its stat is
        ``st`` still; else None."""
        row = self.outputs.get(path)
        if not isinstance(row, list) or len(row) != 5 or row[:4] != stat_key(st):
            return None
        return row[4] if isinstance(row[4], str) else None

    def remember_written(self, path: str, st: os.stat_result, sha256: str) -> None:
        """The file at ``path`` has stat ``st`` and holds bytes of SHA-256 ``sha256``."""
        row = [*stat_key(st), sha256]
        if self.outputs.get(path) != row:
            self.outputs[path] = row
            self.dirty = True

    def output(self, key: str) -> dict[str, Any] | None:
        """What :meth:`remember_output` kept under ``key`` (not a written file's path)."""
        record = self.outputs.get(key)
        return record if isinstance(record, dict) else None

    def remember_output(self, key: str, record: dict[str, Any]) -> None:
        if self.outputs.get(key) != record:
            self.outputs[key] = record
            self.dirty = True

    def value(self, name: str, of: str) -> str | None:
        """The text kept as ``name`` (:meth:`remember_value`) when it was made of ``of``."""
        record = self.outputs.get(name) if self.use else None
        if isinstance(record, dict) and record.get("of") == of:
            found = record.get("value")
            return found if isinstance(found, str) else None
        return None

    def remember_value(self, name: str, of: str, value: str) -> None:
        """Keep the text ``value``, made of ``of``, as ``name`` (one of each name: the last).
        ``name`` is no path, so no build folder's pruning removes it."""
        self.remember_output(name, {"of": of, "value": value})

    def remember_site(self, record: dict[str, Any] | None) -> None:
        """Keep what each website file was made of and its hash (build.write), or None."""
        if self.site != record:
            self.site = record
            self.dirty = True

    def forget_outputs(self, keep: set[str]) -> None:
        """Drop the records of outputs no longer built."""
        for key in [k for k in self.outputs if k not in keep]:
            del self.outputs[key]
            self.dirty = True

    def save(self) -> None:
        """Write the cache back if anything was learnt (failures only cost time later)."""
        if not self.dirty or not self.write:
            return
        data = {
            "format": FORMAT,
            "package": package_hash(),
            "files": self.files,
            "outputs": self.outputs,
            "site": self.site,
        }
        with contextlib.suppress(OSError):  # a cache that cannot be written only costs time
            write_atomic(self.path, json_chunks(data))
        self.dirty = False


JSON_SLICE = 4096  # entries of a dict or list encoded at a time (json_chunks)


def json_chunks(value: Any) -> Iterator[bytes]:
    """The bytes of ``json.dumps(value, sort_keys=True)``, in parts: a dict or list of more
    than :data:`JSON_SLICE` entries is encoded a slice of them at a time, and a dict holding
    such a one key by key. The records of a 10,000-episode build are ~30 MB of text: encoded
    at once, they and their bytes were the build's peak of memory (issue 11); each slice is
    encoded by the C encoder (``iterencode`` is Python's, ten times slower)."""
    if isinstance(value, dict) and any(_large(v) for v in value.values()):
        for n, key in enumerate(sorted(value)):
            yield (", " if n else "{").encode() + json.dumps(key).encode() + b": "
            yield from json_chunks(value[key])
        yield b"}"
    elif _large(value):
        keys = sorted(value) if isinstance(value, dict) else None
        for start in range(0, len(value), JSON_SLICE):
            if keys is not None:
                some = {k: value[k] for k in keys[start : start + JSON_SLICE]}
                part = json.dumps(some, sort_keys=True)
            else:
                part = json.dumps(value[start : start + JSON_SLICE], sort_keys=True)
            yield (", " if start else part[0]).encode() + part[1:-1].encode()
        yield b"}" if keys is not None else b"]"
    else:
        yield json.dumps(value, sort_keys=True).encode()


def _large(value: Any) -> bool:
    return isinstance(value, dict | list) and len(value) > JSON_SLICE
