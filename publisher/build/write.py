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
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from publisher import config, layout
from publisher.build import parallel, searchparts
from publisher.build.render import Output
from publisher.build.shortcut import BUILD_MARKER
from publisher.errors import ConfigError
from publisher.filecache import BuildCache
from publisher.model import SiteFile
from publisher.site import search

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
    out: Path, outputs: Iterable[Output], cache: BuildCache, *, processes: int | None = None
) -> Written:
    """Write each output into ``out`` (checked by :func:`check_build_dir`) as it comes, only
    when its bytes differ from the file there; then remove every file that was not built
    (the search index, :func:`search_files`, is left to its own step). A website file not
    yet made (``Output.make``) is made only when what it is made of (``made_of``) is not what
    the file in place was made of, as the last build recorded it (``cache.site``), or that
    file is not there as written; those to make are made on ``processes`` cores (None: all;
    :func:`publisher.build.parallel.stream`), in order, as they are written, a window of
    :data:`WINDOW` outputs at a time.

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
                wrote = _place_bytes(data, Path(dest), digest, cache)
            if wrote:
                changed.append(o.key)
            if o.site:
                site.append([o.key, digest, o.made_of])
            files.append(_site_file(o.key, dest, size, digest))
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


def _site_file(key: str, dest: Path | str, size: int, digest: str) -> SiteFile:
    kind = layout.kind(key)
    return SiteFile(key, dest, size, digest, layout.content_type(key), kind, layout.immutable(key))


def search_files(
    out: Path,
    cache: BuildCache,
    *,
    slugs: Sequence[str],
    files: Sequence[SiteFile],
    part_size: int = searchparts.PART_EPISODES,
) -> tuple[SiteFile, ...]:
    """The search index of the pages in ``out``, in parts (:mod:`publisher.build.searchparts`;
    ``slugs`` the episodes oldest first, ``files`` what :func:`write_site` built, with their
    hashes, ``part_size`` episodes a part). A part is indexed again
    (:func:`publisher.site.search.index_pages`) only when its pages' keys or bytes changed or
    its bundle is not as the last build left it; each file of it is written only when its
    bytes change. Then ``pagefind/parts.json`` is written, and every other file under
    ``pagefind/`` (parts that no longer exist) removed. Raises SiteError or OSError."""
    built = {f.key: f.sha256 for f in files}
    parts = searchparts.plan(slugs, built, size=part_size)
    folder = out / layout.SEARCH_DIR
    found: list[SiteFile] = []
    recorded = _records_by_folder(cache, str(folder) + os.sep)
    for part in parts:
        found += _search_part(out, part, cache, recorded.get(str(out / part.folder), set()))
    data = searchparts.parts_list(parts)
    digest = hashlib.sha256(data).hexdigest()
    _place_bytes(data, out / layout.SEARCH_PARTS_KEY, digest, cache)
    found.append(
        _site_file(layout.SEARCH_PARTS_KEY, out / layout.SEARCH_PARTS_KEY, len(data), digest)
    )
    keep = {str(out / f.key) for f in found} | {_part_record(out, p) for p in parts}
    _prune(folder, keep)
    prefix = str(folder)
    cache.forget_outputs({k for k in cache.outputs if not k.startswith(prefix) or k in keep})
    return tuple(found)


def _prune(folder: Path, keep: set[str]) -> None:
    """Remove every file under ``folder`` whose path is not in ``keep``, then the folders
    under it left empty."""
    for dirpath, _, names in os.walk(folder, topdown=False):
        for name in names:
            if (path := os.path.join(dirpath, name)) not in keep:
                os.unlink(path)
        if dirpath != str(folder) and not os.listdir(dirpath):
            os.rmdir(dirpath)


def _part_record(out: Path, part: searchparts.Part) -> str:
    """The build cache's key for what a part's bundle was made from (its folder's path,
    which no file's record has)."""
    return str(out / part.folder.rstrip("/"))


def _records_by_folder(cache: BuildCache, prefix: str) -> dict[str, set[str]]:
    """The paths of the output records under ``prefix`` (the search index's folder), by
    their part's folder (its first path segment under ``prefix``): one pass over every
    record."""
    found: dict[str, set[str]] = {}
    for key in cache.outputs:
        if key.startswith(prefix):
            part, sep, _ = key[len(prefix) :].partition(os.sep)
            if sep:
                found.setdefault(prefix + part, set()).add(key)
    return found


def _search_part(
    out: Path, part: searchparts.Part, cache: BuildCache, records: set[str]
) -> list[SiteFile]:
    """One part's files: as the last build left them when made from the same pages and
    intact (``records``: the paths of the output records under its folder), else indexed
    again."""
    folder = out / part.folder
    record = _part_record(out, part)
    if cache.output(record) == {"pages": part.fingerprint}:
        kept = _intact(out, folder, records, cache)
        if kept is not None:
            return list(kept)
    files = []
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".search-") as tmp:
        bundle = Path(tmp, "bundle")
        for path in search.index_pages(out, [key for key, _ in part.pages], bundle):
            key = part.folder + path.relative_to(bundle).as_posix()
            data = path.read_bytes()
            digest = hashlib.sha256(data).hexdigest()
            _place_bytes(data, out / key, digest, cache)
            files.append(_site_file(key, out / key, len(data), digest))
    keep = {f.key for f in files}
    _prune(folder, {str(out / k) for k in keep})
    cache.forget_outputs(
        {k for k in cache.outputs if not k.startswith(str(folder) + os.sep)}
        | {str(out / k) for k in keep}
    )
    cache.remember_output(record, {"pages": part.fingerprint})
    return files


def _intact(
    out: Path, folder: Path, records: set[str], cache: BuildCache
) -> tuple[SiteFile, ...] | None:
    """The index's files as recorded when written (``records``, their paths), if every one
    is there unchanged and no other file is; else None."""
    present = sorted(os.path.join(d, name) for d, _, names in os.walk(folder) for name in names)
    if not present or set(present) != records:
        return None
    files = []
    base = str(out) + os.sep
    for path in present:
        st = os.stat(path)
        digest = cache.written(path, st)
        if digest is None:
            return None
        key = path.removeprefix(base).replace(os.sep, "/")
        files.append(_site_file(key, Path(path), st.st_size, digest))
    return tuple(files)


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


def _place_bytes(data: bytes, dest: Path, digest: str, cache: BuildCache) -> bool:
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
    cache.remember_written(str(dest), dest.stat(), digest)
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
