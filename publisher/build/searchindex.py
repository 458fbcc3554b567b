"""Write the search index of a build, part by part (:mod:`publisher.build.searchparts`), each
part indexed by Pagefind (:func:`publisher.site.search.start_pages`) only when its pages
changed, and started as soon as they are all written.

A part that changed is usually the newest one: adding an episode changes its page and
nothing else searched. Its pages are among the first :func:`publisher.build.write.write_site`
writes (the site's files come newest first), so Pagefind, a program of its own, indexes them
on another core while this process writes the rest of the site (~8,000 files in a
1,000-episode show): the add-one build no longer waits for it at the end (issue 11).
One Pagefind runs early at a time: in a cold build every part changes, and starting each as
its pages are written would run hundreds at once (memory grows with each). A part completed
while another is being indexed is left to the end, as before. Whatever was started, the
result is the one indexing every part at the end would give: a part is taken from what was
started only when it is made of the very pages :meth:`SearchIndex.finish` plans.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from publisher import layout
from publisher.build import searchparts
from publisher.build.write import place_bytes, site_file
from publisher.filecache import BuildCache
from publisher.model import SiteFile
from publisher.site import search


@dataclass(frozen=True)
class _Started:
    """A part whose pages were all written, being indexed into ``bundle`` (in ``scratch``)."""

    part: searchparts.Part
    scratch: str
    indexing: search.Indexing


class SearchIndex:
    """The search index of one build: :meth:`placed` hears of each file as it is written
    (``write_site``'s ``placed``), :meth:`finish` writes the index. Use it as a context
    manager: on the way out, a Pagefind still running is stopped and its scratch removed.

    ``slugs``: the episodes oldest first; ``transcripts``: those with a transcript (whose
    transcript page, if it has one, is in their part too); ``part_size``: episodes a part.
    """

    def __init__(
        self,
        out: Path,
        cache: BuildCache,
        *,
        slugs: Sequence[str],
        transcripts: Iterable[str] = (),
        part_size: int = searchparts.PART_EPISODES,
    ) -> None:
        self.out, self.cache, self.slugs, self.part_size = out, cache, slugs, part_size
        with_transcript = set(transcripts)
        # the pages each part may hold: it is complete once all of them are written (a
        # transcript page that is not built keeps its part from starting early; no harm)
        self._part_of: dict[str, int] = {}
        self._waiting: list[int] = []
        for n, start in enumerate(range(0, len(slugs), max(1, part_size))):
            keys = [
                key
                for slug in slugs[start : start + part_size]
                # its page, and its transcript page when it has a transcript
                for key in searchparts.pages_of(slug)[: 2 if slug in with_transcript else 1]
            ]
            self._part_of.update(dict.fromkeys(keys, n))
            self._waiting.append(len(keys))
        self._built: dict[str, str] = {}
        self._started: dict[str, _Started] = {}  # by the part's folder
        self.changed = 0  # files of the index written or removed (once finished)

    def __enter__(self) -> SearchIndex:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        for started in self._started.values():
            started.indexing.stop()
            shutil.rmtree(started.scratch, ignore_errors=True)
        self._started.clear()

    def placed(self, key: str, sha256: str) -> None:
        """``key`` is written and holds bytes of ``sha256``: start its part's index when it
        was the part's last page, the part is not what its bundle was made from, and no
        other part's index is running."""
        n = self._part_of.get(key)
        if n is None:
            return
        self._built[key] = sha256
        self._waiting[n] -= 1
        if self._waiting[n]:
            return
        start = n * self.part_size
        part = searchparts.part(n + 1, self.slugs[start : start + self.part_size], self._built)
        if self.cache.output(_part_record(self.out, part)) == {"pages": part.fingerprint}:
            return  # its bundle is from these pages: checked as it is in finish()
        if any(s.indexing.running() for s in self._started.values()):
            return  # one at a time: this part is indexed in finish()
        scratch = tempfile.mkdtemp(dir=self.out.parent, prefix=".search-")
        try:
            indexing = search.start_pages(
                self.out, [k for k, _ in part.pages], Path(scratch, "bundle")
            )
        except BaseException:
            shutil.rmtree(scratch, ignore_errors=True)
            raise
        self._started[part.folder] = _Started(part, scratch, indexing)

    def finish(self, files: Sequence[SiteFile]) -> tuple[SiteFile, ...]:
        """The search index of the pages in ``out`` (``files``: what ``write_site`` built,
        with their hashes). A part is indexed again only when its pages' keys or bytes
        changed or its bundle is not as the last build left it; each file of it is written
        only when its bytes change. Then ``pagefind/parts.json`` is written, and every
        other file under ``pagefind/`` (parts that no longer exist) removed. Raises
        SiteError or OSError."""
        out, cache = self.out, self.cache
        built = {f.key: f.sha256 for f in files}
        parts = searchparts.plan(self.slugs, built, size=self.part_size)
        folder = out / layout.SEARCH_DIR
        found: list[SiteFile] = []
        recorded = _records_by_folder(cache, str(folder) + os.sep)
        for part in parts:
            started = self._started.pop(part.folder, None)
            if started is not None and started.part != part:  # never, unless pages moved
                started.indexing.stop()
                shutil.rmtree(started.scratch, ignore_errors=True)
                started = None
            records = recorded.get(str(out / part.folder), set())
            made, changed = _search_part(out, part, cache, records, started)
            found += made
            self.changed += changed
        data = searchparts.parts_list(parts)
        digest = hashlib.sha256(data).hexdigest()
        self.changed += place_bytes(data, out / layout.SEARCH_PARTS_KEY, digest, cache)
        found.append(
            site_file(layout.SEARCH_PARTS_KEY, out / layout.SEARCH_PARTS_KEY, len(data), digest)
        )
        keep = {str(out / f.key) for f in found} | {_part_record(out, p) for p in parts}
        self.changed += _prune(folder, keep)
        prefix = str(folder)
        cache.forget_outputs({k for k in cache.outputs if not k.startswith(prefix) or k in keep})
        return tuple(found)


def _prune(folder: Path, keep: set[str]) -> int:
    """Remove every file under ``folder`` whose path is not in ``keep``, then the folders
    under it left empty; returns how many files it removed."""
    removed = 0
    for dirpath, _, names in os.walk(folder, topdown=False):
        for name in names:
            if (path := os.path.join(dirpath, name)) not in keep:
                os.unlink(path)
                removed += 1
        if dirpath != str(folder) and not os.listdir(dirpath):
            os.rmdir(dirpath)
    return removed


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
    out: Path,
    part: searchparts.Part,
    cache: BuildCache,
    records: set[str],
    started: _Started | None = None,
) -> tuple[list[SiteFile], int]:
    """One part's files: as the last build left them when made from the same pages and
    intact (``records``: the paths of the output records under its folder), else indexed
    again (by ``started``, when its index was started as its pages were written); and how
    many files it wrote or removed."""
    folder = out / part.folder
    record = _part_record(out, part)
    if started is None and cache.output(record) == {"pages": part.fingerprint}:
        kept = _intact(out, folder, records, cache)
        if kept is not None:
            return list(kept), 0
    files = []
    changed = 0
    scratch = started.scratch if started else tempfile.mkdtemp(dir=out.parent, prefix=".search-")
    try:
        bundle = Path(scratch, "bundle")
        keys = [key for key, _ in part.pages]
        indexing = started.indexing if started else search.start_pages(out, keys, bundle)
        for path in indexing.result():
            key = part.folder + path.relative_to(bundle).as_posix()
            data = path.read_bytes()
            digest = hashlib.sha256(data).hexdigest()
            changed += place_bytes(data, out / key, digest, cache)
            files.append(site_file(key, out / key, len(data), digest))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    keep = {f.key for f in files}
    changed += _prune(folder, {str(out / k) for k in keep})
    cache.forget_outputs(
        {k for k in cache.outputs if not k.startswith(str(folder) + os.sep)}
        | {str(out / k) for k in keep}
    )
    cache.remember_output(record, {"pages": part.fingerprint})
    return files, changed


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
        files.append(site_file(key, Path(path), st.st_size, digest))
    return tuple(files)
