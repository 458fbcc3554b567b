"""The full build: read the show, render it, write the site; then write minted GUIDs back.

config -> episodes (+ audio) -> notes -> feed + site -> files on disk, in three steps:
:func:`~publisher.build.read.read` does the reading (all I/O),
:func:`~publisher.build.render.render` is a pure function of what was read, and
:func:`~publisher.build.write.write_site` writes the rendered files as they come. Writing GUIDs
and ``podcast_guid`` back into the show is its own step, :func:`writeback`, that ``build`` runs
only once everything else succeeded and ``check`` never runs. :func:`publisher.build.build`
skips all of it when nothing changed (:mod:`publisher.build.shortcut`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from publisher import config, episodes, layout
from publisher.build import heap, notecache
from publisher.build.read import ShowRead, read
from publisher.build.render import Rendered, outputs, render
from publisher.build.searchindex import SearchIndex
from publisher.build.searchparts import PART_EPISODES
from publisher.build.write import DRAFTS_MARKER, Written, check_build_dir, write_site
from publisher.errors import Notice
from publisher.filecache import CACHE_DIR, BuildCache, package_hash
from publisher.model import Build, Enclosure, Show, Target
from publisher.site.render import TEMPLATES_DIR


@dataclass(frozen=True)
class Built:
    """A full build, and what says how long it stays valid (:mod:`publisher.build.shortcut`)."""

    build: Build
    since: dt.datetime  # the newest published episode's date
    until: dt.datetime | None  # the first scheduled episode's date (None: none scheduled)
    named: tuple[Path, ...]  # every file the show and its episodes name


@dataclass(frozen=True)
class Checked:
    """What ``check`` found: the show as it would be published, and notices."""

    show: Show
    target: Target
    episodes: int  # episodes in the feed
    pages: int  # web pages
    notices: tuple[Notice, ...]


def check(
    root: Path,
    *,
    now: dt.datetime,
    target: Target | None = None,
    target_name: str | None = None,
    guid_mode: episodes.GuidMode = "ignore",
    use_cache: bool = True,
) -> Checked:
    """Read and render everything for a target, as ``build`` would; write nothing (the cache
    is only read: durations measured and notes rendered before). A show with no episode due
    yet passes, with a warning (I-16).

    Raises PublisherError, or Problems with every problem found.
    """
    root = root.resolve()
    cache = BuildCache(root, use=use_cache, write=False)
    shown = read(
        root, now=now, target=target, target_name=target_name, guid_mode=guid_mode, cache=cache
    )
    rendered = render(shown, allow_empty=True)
    pages = 0
    if rendered.items:
        pages = sum(1 for o in outputs(rendered) if layout.kind(o.key) == "page")
    return Checked(shown.show, shown.target, len(rendered.items), pages, rendered.notices)


# long: the build as one story (read, render, write the site and its search index, write
# GUIDs back, collect the enclosures); each step is a call.
def build(
    root: Path,
    *,
    now: dt.datetime,
    out_dir: Path | None = None,
    target: Target | None = None,
    target_name: str | None = None,
    guid_mode: episodes.GuidMode = "write",
    use_cache: bool = True,
    processes: int | None = None,
    drafts: bool = False,
    search_part: int = PART_EPISODES,
    built: Callable[[Build], None] | None = None,
) -> Built:
    """Build the show for a target into ``out_dir`` (default ``<root>/_site``); then, with
    ``guid_mode="write"``, write minted GUIDs back into the show (:func:`writeback`). With
    ``drafts``: a local preview that includes drafts and scheduled episodes, marked; its
    Build is refused by publish.

    Only what changed is rendered and written (:mod:`publisher.filecache`); ``use_cache=False``
    (``--no-cache``) trusts nothing an earlier build left. Notes and pages are rendered on
    ``processes`` cores (None: all; :mod:`publisher.build.parallel`). ``built`` is called
    with the Build as soon as it is complete, before the notes and the cache are kept.
    Raises PublisherError, or Problems with every problem found; nothing is written then.
    """
    root = root.resolve()
    out = (out_dir or root / "_site").resolve()
    check_build_dir(out, root)
    heap.return_freed_memory()  # ~27 MB of a 10,000-episode build's peak (issue 11)
    cache = BuildCache(root, use=use_cache)
    shown = read(
        root,
        now=now,
        target=target,
        target_name=target_name,
        guid_mode=guid_mode,
        cache=cache,
        drafts=drafts,
    )
    rendered = render(shown, processes=processes)
    slugs = tuple(i.episode.slug for i in reversed(rendered.items))  # oldest first
    transcripts = [i.episode.slug for i in rendered.items if i.episode.transcript is not None]
    with SearchIndex(
        out, cache, slugs=slugs, transcripts=transcripts, part_size=search_part
    ) as index:  # a part's index starts as soon as its pages are written
        written = _write(root, out, rendered, cache, processes, index.placed)
        if drafts:  # after write_site, which removes it from a build without drafts
            (out / DRAFTS_MARKER).write_text("a preview with drafts: never published\n")
        files = written.files + index.finish(written.files)
    changed = len(written.changed) + index.changed
    notices = rendered.notices
    if guid_mode == "write":
        notices += writeback(shown)  # only now, with nothing else wrong
    art = {r.episode.slug: r.image.key for r in shown.published if r.image is not None}
    enclosures = tuple(
        Enclosure(
            i.links.media_key,
            i.links.media_url,
            i.episode.audio.size,
            i.episode.audio.mime_type,
            i.episode.guid,
            i.episode.source,
            i.episode.slug,
            i.episode.title,
            cache.digest(i.episode.source)[1],  # after the writeback: by its stat now
            art.get(i.episode.slug),
        )
        for i in rendered.items
        if not i.episode.remote_url  # the old host serves it; nothing of ours to confirm
    )
    guids = tuple(i.episode.guid for i in rendered.items)
    result = Build(out, shown.target, files, enclosures, notices, drafts, guids, changed)
    if built is not None:
        built(result)
    keep_notes(cache, shown, rendered)
    cache.save()
    return Built(result, *_validity(shown), _named(shown))


def _validity(shown: ShowRead) -> tuple[dt.datetime, dt.datetime | None]:
    """From when to when the episodes due are these: from the newest published one's date
    until the first scheduled one's."""
    since = max((r.episode.date for r in shown.published), default=dt.datetime.min)
    scheduled = [e.date for e in shown.held if not e.draft]
    scheduled += [p.date for p in shown.pending if not p.draft and p.date is not None]
    return since.replace(tzinfo=since.tzinfo or dt.UTC), min(scheduled, default=None)


def _named(shown: ShowRead) -> tuple[Path, ...]:
    """The files the show and its episodes name (some may lie outside the show folder)."""
    show = shown.show
    found: list[Path] = [show.source, show.image, *show.bibliography]
    if show.citation_style and (show.root / show.citation_style).is_file():
        found.append(show.root / show.citation_style)
    for ep in shown.episodes:
        found += [ep.source, ep.audio.source, *ep.bibliography]
        found += [p for p in (ep.image, ep.transcript, ep.chapters_file) if p is not None]
    return tuple(found)


def _write(
    root: Path,
    out: Path,
    rendered: Rendered,
    cache: BuildCache,
    processes: int | None,
    placed: Callable[[str, str], None],
) -> Written:
    """Write the site, rendering only the website's files whose inputs changed (on
    ``processes`` cores); ``placed(key, sha256)`` as each file is in place."""

    def digest(path: Path) -> str:
        return cache.digest(path)[1]

    style = rendered.read.style
    inputs = hashlib.sha256(package_hash().encode())
    inputs.update((notecache.style_hash(style) if style is not None else "-").encode())
    inputs.update(folder_digest(root / TEMPLATES_DIR, digest).encode())
    compiled: Path | None = cache.root / CACHE_DIR / "templates"  # jinja's, compiled
    try:
        Path(cache.root / CACHE_DIR / "templates").mkdir(parents=True, exist_ok=True)
    except OSError:
        compiled = None  # compiled again each build
    made = outputs(
        rendered, inputs=inputs.hexdigest(), file_digest=digest, compiled=compiled, kept=cache
    )
    return write_site(out, made, cache, processes=processes, placed=placed)


def folder_digest(folder: Path, digest: Callable[[Path], str]) -> str:
    """A hash of every file under ``folder`` (names and contents); "" when there is none."""
    if not folder.is_dir():
        return ""
    h = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        h.update(path.relative_to(folder).as_posix().encode() + b"\0" + digest(path).encode())
    return h.hexdigest()


def keep_notes(cache: BuildCache, shown: ShowRead, rendered: Rendered) -> None:
    """Store the notes rendered now, and drop stored notes no episode (published, or not
    yet due) uses."""
    reads = (*shown.published, *shown.previews)
    bibliographies = {r.notes_key: r.bibliography for r in reads}
    for key, notes in rendered.fresh:
        bib = bibliographies[key]
        assert bib is not None  # its notes were rendered
        notecache.store(cache.notes_dir, key, notes, bib)
    notecache.prune(cache.notes_dir, {r.notes_key for r in reads if r.notes_key})


def writeback(shown: ShowRead) -> tuple[Notice, ...]:
    """Write what a ``guid_mode="write"`` read minted into the show's files: each new GUID into
    its note, a new ``podcast_guid`` into feed_config.yaml (one line each; every other byte
    stays). A read in another mode minted nothing to keep: then nothing is written."""
    if shown.guid_mode != "write":
        return ()
    notices: list[Notice] = []
    guid = shown.show.podcast_guid
    if shown.new_podcast_guid and guid:
        config.store_podcast_guid(shown.show, guid)
        notices.append(
            Notice(
                f"wrote 'podcast_guid: {guid}'; commit this file", shown.show.source, warning=False
            )
        )
    notices.extend(episodes.write_new_guids(shown.episodes))
    return tuple(notices)
