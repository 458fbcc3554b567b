"""Write a rendered site into its build folder, one file at a time as they come.

The folder is not emptied first: a file is written only when its bytes change (atomically,
a temporary file renamed over the old one), and files no longer built are removed. An
unchanged rebuild therefore rewrites nothing, and a changed note rewrites only the pages
that show it, so tools that go by modification times see only what changed.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from publisher import config, layout
from publisher.build import parallel
from publisher.build.render import Output
from publisher.build.shortcut import BUILD_MARKER
from publisher.errors import ConfigError
from publisher.filecache import BuildCache
from publisher.model import SiteFile

# Outputs taken (and pages made, on every core) a window at a time, so that a build holds
# the descriptions of at most this many files, and forks its workers once per window.
WINDOW = 2048
_MARKER_TEXT = "built by publisher; files it no longer builds are removed on every build\n"
DRAFTS_MARKER = ".publisher-drafts"  # in a build with drafts: publish refuses it


def check_build_dir(out: Path, root: Path) -> None:
    """Refuse a build folder that is not ours or that holds the show (before anything is
    written, GUIDs included). Raises ConfigError."""
    if out == root or out in root.parents or (out / config.CONFIG_NAME).exists():
        raise ConfigError(
            f"refusing to build into {out}: it holds the show itself",
            None,
            None,
            "pick an empty folder, e.g. _site",
        )
    if out.exists() and any(out.iterdir()) and not (out / BUILD_MARKER).exists():
        raise ConfigError(
            f"refusing to empty {out}: it is not a folder this tool built",
            None,
            None,
            "pick an empty folder, e.g. _site",
        )


@dataclass(frozen=True)
class Written:
    """What :func:`write_site` left in the build folder."""

    files: tuple[SiteFile, ...]  # every built file, in the order built
    changed: tuple[str, ...]  # keys written or removed by this build
    made: int = 0  # website files rendered by this build (the others were kept)


# long: one pass over the outputs (kept, copied, made or written; recorded) and the removal
# of what was not built; its steps share the records it fills.
def write_site(
    out: Path,
    outputs: Iterable[Output],
    cache: BuildCache,
    *,
    processes: int | None = None,
    placed: Callable[[str, str], None] | None = None,
) -> Written:
    """Write each output into ``out`` (checked by :func:`check_build_dir`) as it comes, only
    when its bytes differ from the file there; then remove every file that was not built
    (the search index, :mod:`publisher.build.searchindex`, is left to its own step). A
    website file not yet made (``Output.make``) is made only when what it is made of
    (``made_of``) is not what the file in place was made of, as the last build recorded it
    (``cache.site``), or that file is not there as written; those to make are made on
    ``processes`` cores (None: all; :func:`publisher.build.parallel.stream`), in order, as
    they are written, a window of :data:`WINDOW` outputs at a time. ``placed(key, sha256)``
    is called as each file is in place (the search index starts on a part's pages as soon
    as they all are).

    Bytes are written, source files hard-linked (or copied). Returns every built file, with
    sizes, hashes (known ones from ``cache``) and the layout's kind and Content-Type, and
    the keys this build changed. Raises OSError when the folder cannot be written.
    """
    out.mkdir(parents=True, exist_ok=True)
    marker = out / BUILD_MARKER
    if not marker.exists():
        marker.write_text(_MARKER_TEXT)
    before = _made_before(cache)
    files: list[SiteFile] = []
    changed: list[str] = []
    # [key, sha256, what it is made of hashed or None] of the website's files (Output.site)
    site: list[list[str | None]] = []
    made = 0
    taking = iter(outputs)
    base = str(out) + os.sep
    while window := list(itertools.islice(taking, WINDOW)):  # a window at a time: memory
        todo = [(o, base + _native(o.key)) for o in window]  # text: a Path each costs
        kept_of = [_kept(dest, o.made_of, before.get(o.key), cache) for o, dest in todo]
        to_make = [
            o
            for (o, _), kept in zip(todo, kept_of, strict=True)
            if kept is None and o.data is None and o.source is None
        ]
        made += len(to_make)
        making = parallel.stream(_make, to_make, processes=processes)
        for (o, dest), kept in zip(todo, kept_of, strict=True):
            if kept is not None:  # in place as written, made of the same
                size, digest = kept
                wrote = False
            elif o.source is not None:
                size, digest = cache.digest(o.source)
                wrote = _place_file(o.source, Path(dest), digest, cache)
            else:
                data = o.data if o.data is not None else next(making)
                size, digest = len(data), hashlib.sha256(data).hexdigest()
                wrote = place_bytes(data, Path(dest), digest, cache)
            if wrote:
                changed.append(o.key)
            if o.site:
                site.append([o.key, digest, o.made_of])
            files.append(site_file(o.key, dest, size, digest))
            if placed is not None:
                placed(o.key, digest)
    keep = {f.key for f in files}
    changed += remove_stale(out, keep, cache, spare=layout.SEARCH_DIR)
    cache.remember_site({"made": site})
    return Written(tuple(files), tuple(changed), made)


def _make(o: Output) -> bytes:
    assert o.make is not None  # an Output is bytes, a file or made
    return o.make()


def _made_before(cache: BuildCache) -> dict[str, tuple[str, str]]:
    """What each website file the last build wrote was made of, and its SHA-256, by key."""
    record = cache.site if cache.use else None
    rows = record.get("made") if isinstance(record, dict) else None
    if not isinstance(rows, list):
        return {}
    return {
        r[0]: (r[2], r[1])
        for r in rows
        if isinstance(r, list) and len(r) == 3 and all(isinstance(x, str) for x in r)
    }


def _kept(
    dest: str, made_of: str | None, before: tuple[str, str] | None, cache: BuildCache
) -> tuple[int, str] | None:
    """``(size, sha256)`` of the file in place when it need not be made again: it was made of
    ``made_of`` too (``before``: what, and its hash) and is there as it was written."""
    if made_of is None or before is None or before[0] != made_of:
        return None
    try:
        st = os.stat(dest)
    except OSError:
        return None
    if cache.written(dest, st) != before[1]:
        return None
    return st.st_size, before[1]


def _native(key: str) -> str:
    """A key (a POSIX path) as a path of this system, relative to the build folder."""
    return key if os.sep == "/" else key.replace("/", os.sep)


def site_file(key: str, dest: Path | str, size: int, digest: str) -> SiteFile:
    kind = layout.kind(key)
    return SiteFile(key, dest, size, digest, layout.content_type(key), kind, layout.immutable(key))


def _unchanged(dest: Path, digest: str, size: int, cache: BuildCache) -> bool:
    """Whether ``dest`` already holds bytes with ``digest``: by the stat recorded when it was
    written (size, mtime, ctime, inode), else by reading it."""
    try:
        st = dest.stat()
    except OSError:
        return False
    known = cache.written(str(dest), st)
    if known is not None:
        return known == digest
    if st.st_size != size:
        return False
    h = hashlib.sha256()
    with dest.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest() == digest


def place_bytes(data: bytes, dest: Path, digest: str, cache: BuildCache) -> bool:
    """Write ``data`` to ``dest`` unless it holds them already; whether it wrote."""
    wrote = not _unchanged(dest, digest, len(data), cache)
    if wrote:
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = _tmp(dest)
        tmp.write_bytes(data)
        os.replace(tmp, dest)
    cache.remember_written(str(dest), dest.stat(), digest)
    return wrote


def _place_file(src: Path, dest: Path, digest: str, cache: BuildCache) -> bool:
    """Hard-link (else copy) ``src`` to ``dest`` unless ``dest`` is it or holds its bytes;
    whether it wrote."""
    s = src.stat()
    try:
        d = dest.stat()
        linked = (d.st_ino, d.st_dev) == (s.st_ino, s.st_dev)
    except OSError:
        linked = False
    wrote = not linked and not _unchanged(dest, digest, s.st_size, cache)
    if wrote:
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = _tmp(dest)
        hard = True
        try:
            os.link(src, tmp)
        except OSError:
            hard = False
            shutil.copyfile(src, tmp)
        os.replace(tmp, dest)
        if hard:  # linking and renaming the link changed src's ctime, nothing else
            cache.linked(src, s)
    cache.remember_written(str(dest), d if linked else dest.stat(), digest)  # d: as it is
    return wrote


def _tmp(dest: Path) -> Path:
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    return tmp


def remove_stale(out: Path, keep: set[str], cache: BuildCache, *, spare: str) -> list[str]:
    """Remove every file under ``out`` whose key is not in ``keep`` and does not start with
    ``spare`` (the marker stays), then the folders left empty; their records leave
    ``cache``. Returns the keys removed."""
    removed = []
    for dirpath, dirnames, filenames in os.walk(out, topdown=False):
        rel = os.path.relpath(dirpath, out).replace(os.sep, "/")
        base = "" if rel == "." else rel + "/"
        for name in filenames + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]:
            key = base + name
            if key != BUILD_MARKER and key not in keep and not key.startswith(spare):
                os.unlink(os.path.join(dirpath, name))
                removed.append(key)
        if base and not os.listdir(dirpath):
            os.rmdir(dirpath)
    prefix, spared = str(out) + os.sep, str(out / spare)
    cache.forget_outputs(  # the records' own keys: a path made for each of 84,000 is 20 MB
        {
            k
            for k in cache.outputs
            if not k.startswith(prefix)
            or k.startswith(spared)
            or k[len(prefix) :].replace(os.sep, "/") in keep
        }
    )
    return sorted(removed)
