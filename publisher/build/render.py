"""Render what was read: notes, feed and site, a pure function of :class:`ShowRead`.

:func:`render` renders every episode's notes and the feed, and raises every problem of the
run (the reading's and its own) together. :func:`outputs` then yields the files of the site
one at a time, pages rendered as they are asked for, so that writing them never holds more
than one page in memory.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

from publisher import episodes, feed, layout, notes, site
from publisher.build import parallel
from publisher.build.art import Art
from publisher.build.read import EpisodeRead, ShowRead, label, note_inputs
from publisher.errors import FeedError, Notice, Problems, PublisherError, flatten, raise_all
from publisher.model import Item, ItemLinks, RenderedNotes, ShowLinks
from publisher.site.qr import Kept


@dataclass(frozen=True)
class Output:
    """One file of the site before it is written: bytes, or a file to copy. Its kind,
    Content-Type and Cache-Control follow from its key (the layout's)."""

    key: str
    data: bytes | None = None
    source: Path | None = None
    site: bool = False  # one of the website's files (site.render_site)
    # a website file not yet made: what it is made of, hashed (None: not known), and how to
    # make it (site.site_parts); the build writes it only when that hash is not the last one's
    made_of: str | None = None
    make: Callable[[], bytes] | None = None


@dataclass(frozen=True)
class Rendered:
    """A show rendered for its target: the items, the feed and what the producer should know."""

    read: ShowRead
    links: ShowLinks
    items: tuple[Item, ...]  # newest first
    feed: bytes
    archives: tuple[bytes, ...]  # RFC 5005 archive feeds, archives[0] the oldest (docs/feeds.md)
    notices: tuple[Notice, ...]  # the reading's, then the rendering's
    fresh: tuple[tuple[str, RenderedNotes], ...] = ()  # notes rendered now, by cache key
    # with keep_problems: every problem found; the items are then those without one, and
    # no feed is built
    problems: tuple[PublisherError, ...] = ()


# long: the rendering in order (notes, cached or pooled; previews; the feeds) reads best as one
# story; each step is a call.
def render(
    read: ShowRead,
    *,
    allow_empty: bool = False,
    processes: int | None = None,
    keep_problems: bool = False,
) -> Rendered:
    """Render the notes of every published episode and the feed; and those of the episodes
    not yet due, whose problems are warnings (in a drafts preview they are items, marked).
    Notes rendered before from the same inputs are not rendered again; published ones are
    rendered on ``processes`` cores (None: all; :mod:`publisher.build.parallel`).

    Raises :class:`~publisher.errors.Problems` (or the one problem) with every problem the
    reading and the rendering found, or FeedError when no episode is published yet (with
    ``allow_empty``, for ``check``, that is a warning and the result has no items or feed).
    With ``keep_problems`` (``publisher status``, which writes nothing) the problems are
    returned in ``problems`` instead, with the items that have none and no feed.
    """
    base = read.target.public_url
    links = ShowLinks(
        layout.url(base, layout.INDEX_KEY),
        read.target.feed_url,
        layout.url(base, read.artwork.key),
        read.artwork.key,
        _rendition_urls(base, read.artwork),
        tuple(zip(artwork_icon_sides(read.artwork), _ICON_KEYS, strict=False)),
    )
    problems = list(read.problems)
    todo = [r for r in read.published if _to_render(read, r)]
    done = parallel.render_each(lambda r: _notes(read, r), todo, processes=processes)
    fresh = {r.episode.slug: n for r, n in zip(todo, done, strict=True)}
    items = []
    for r in read.published:
        if r.problem is not None:
            problems.append(r.problem)
            continue
        rendered = r.notes or fresh.get(r.episode.slug)
        if isinstance(rendered, tuple):
            problems.extend(rendered)
        elif rendered is not None:
            items.append(_with_notes(read, r, rendered))
    # what rendering the notes found (kept with notes rendered before), newest first
    early: list[Notice] = [n for i in items for n in i.notes.notices]
    kept = [  # rendered now: stored for the next build
        (r.notes_key, n)
        for r in todo
        if r.notes_key is not None and isinstance(n := fresh[r.episode.slug], RenderedNotes)
    ]
    for episode_read in read.previews:
        ep = episode_read.episode
        try:
            item = _item(read, episode_read)
        except PublisherError as e:
            flat = e.problems if isinstance(e, Problems) else (e,)
            early.extend(episodes.not_due_notice(p, ep.draft) for p in flat)
            item = None
        if item is not None and episode_read.notes is None and episode_read.notes_key:
            kept.append((episode_read.notes_key, item.notes))
        early.extend(item.notes.notices if item is not None else ())
        if read.drafts:  # said here, once it is known whether it could be shown
            if item is not None:
                items.append(dataclasses.replace(item, preview_label=label(ep)))
            what = "included in this preview, marked" if item else "left out of this preview"
            hint = None if item else "its problems are the warnings above: fix them to see it"
            early.append(Notice(f"{label(ep)}, {what}", ep.source, hint=hint, warning=False))
    items.sort(key=lambda i: (i.episode.date, i.episode.slug), reverse=True)
    if problems and keep_problems:
        found = tuple(flatten(problems))
        return Rendered(read, links, tuple(items), b"", (), (*read.notices, *early), problems=found)
    try:
        raise_all(problems)
    except PublisherError as e:
        e.notices = (*read.notices, *early)  # the warnings found so far, said with them
        raise
    if not items and allow_empty:
        empty = Notice(
            "no published episodes yet: build and publish need at least one [I-16]",
            read.show.source,
            None,
            'publisher new "Episode title", then put its audio in episodes/',
        )
        return Rendered(read, links, (), b"", (), (*read.notices, *early, empty))
    if not items:
        raise _nothing_published(read)
    notices = [*read.notices, *early, *feed.title_warnings(read.show, items)]
    feeds = feed.build_feeds(
        read.show, links, items, lambda n: layout.url(base, layout.archive_key(n))
    )
    notices.extend(feeds.notices)
    return Rendered(
        read, links, tuple(items), feeds.main, feeds.archives, tuple(notices), tuple(kept)
    )


_ICON_KEYS = (layout.FAVICON_KEY, layout.TOUCH_ICON_KEY)


def artwork_icon_sides(art: Art) -> tuple[int, ...]:
    return tuple(side for side, _ in art.icons)


def _rendition_urls(base: str, art: Art) -> tuple[tuple[int, str], ...]:
    return tuple(
        (side, layout.url(base, layout.rendition_key(art.key, side))) for side, _ in art.renditions
    )


def _art_outputs(art: Art) -> Iterator[Output]:
    yield Output(art.key, art.data, art.source)
    for side, data in art.renditions:
        yield Output(layout.rendition_key(art.key, side), data)


def outputs(
    rendered: Rendered,
    *,
    inputs: str = "",
    file_digest: Callable[[Path], str] | None = None,
    compiled: Path | None = None,
    kept: Kept | None = None,
) -> Iterator[Output]:
    """The site's files in a fixed order: artwork (with its renditions and icons), each
    item's media and extras, the feed, then the website's files, each with the hash of what
    it is made of and rendered only when asked (:func:`publisher.site.site_parts`; its
    ``inputs``, ``file_digest``, ``compiled`` and ``kept``)."""
    art = rendered.read.artwork
    yield from _art_outputs(art)
    for (_, data), key in zip(art.icons, _ICON_KEYS, strict=False):
        yield Output(key, data)
    by_slug = {r.episode.slug: r for r in (*rendered.read.published, *rendered.read.previews)}
    for item in rendered.items:
        yield from _extras(item, by_slug[item.episode.slug])
    yield Output(layout.FEED_KEY, rendered.feed)
    for n, data in enumerate(rendered.archives, 1):
        yield Output(layout.archive_key(n), data)
    style = rendered.read.style
    cite = None
    if style is not None:

        def cite(item: Mapping[str, Any]) -> str:
            return style.render_entries([item])[0]

    show, links, items = rendered.read.show, rendered.links, rendered.items
    parts = site.site_parts(
        show,
        links,
        items,
        cite_episode=cite,
        inputs=inputs,
        file_digest=file_digest,
        compiled=compiled,
        kept=kept,
    )
    for part in parts:
        yield Output(part.key, site=True, made_of=part.digest, make=part.make)


def _item(read: ShowRead, r: EpisodeRead) -> Item | None:
    """The episode with its notes rendered; None when its citations cannot be resolved
    because the bibliography or the style did not load (a problem already says so)."""
    if r.problem is not None:
        raise r.problem
    if r.notes is not None:  # rendered before from the same inputs
        return _with_notes(read, r, r.notes)
    if not _to_render(read, r):
        return None
    return _with_notes(read, r, _notes(read, r))


def _with_notes(read: ShowRead, r: EpisodeRead, rendered: RenderedNotes) -> Item:
    """The item of ``r``: its episode, notes, links, chapters and the entries it cites."""
    bib = r.bibliography
    assert bib is not None  # its notes were rendered
    cited = tuple(
        (ref.key, bib.items[ref.key]) for ref in rendered.references if ref.key in bib.items
    )
    links = _links(read.target.public_url, r, read.show.enclosure_prefix)
    return Item(r.episode, rendered, links, r.marks, cited)


def _to_render(read: ShowRead, r: EpisodeRead) -> bool:
    """Whether ``r``'s notes are to be rendered now: it has no problem, was not rendered
    before, and its bibliography and the style loaded (else a problem already says why, and
    each citation would otherwise be reported as an unknown key, burying it)."""
    return (
        r.problem is None
        and r.notes is None
        and read.style is not None
        and r.bibliography is not None
    )


def _notes(read: ShowRead, r: EpisodeRead) -> RenderedNotes:
    """The episode's notes rendered (raises NotesError or Problems)."""
    assert read.style is not None and r.bibliography is not None  # _to_render
    given = note_inputs(read.show, read.target, r.episode)
    return notes.render_notes(
        episodes.read_body(given.source, given.body_sha256),
        source=given.source,
        first_line=given.first_line,
        bibliography=r.bibliography,
        style=read.style,
        page_url=given.page_url,
        references_title=given.references_title,
        summary=given.summary,
    )


def _links(base: str, r: EpisodeRead, prefix: str | None) -> ItemLinks:
    """The episode's keys and URLs. Its audio is ours at ``media_key``, or the old host's file
    its note names (``remote_url``, published as given: never behind ``prefix``, since the old
    feed's URL already carries whatever prefix it had)."""
    slug = r.episode.slug
    page_key = layout.page_key(slug)
    media_key = layout.media_key(slug, r.audio_sha256, r.episode.audio.extension)
    media_url = r.episode.remote_url or layout.url(base, media_key)
    enclosure_url = "" if r.episode.remote_url else layout.enclosure_url(media_url, prefix)
    ext = r.transcript
    return ItemLinks(
        page_key,
        layout.url(base, page_key),
        media_key,
        media_url,
        layout.url(base, r.image.key) if r.image else None,
        layout.url(base, layout.transcript_key(slug, ext)) if ext else None,
        layout.transcript_type(ext) if ext else None,
        layout.url(base, layout.chapters_key(slug)) if r.chapters is not None else None,
        _rendition_urls(base, r.image) if r.image else (),
        "" if enclosure_url == media_url else enclosure_url,
    )


def _extras(item: Item, r: EpisodeRead) -> Iterator[Output]:
    """The episode's media (unless the old host serves it: ``remote_url``), artwork,
    transcript and chapters."""
    ep = item.episode
    if ep.remote_url is None:
        yield Output(item.links.media_key, source=ep.audio.source)
    if r.image is not None:
        yield from _art_outputs(r.image)
    if r.transcript_html is not None:  # never verbatim: it would run script on our origin
        data = transcript_page(r.transcript_html, ep.title)
        yield Output(layout.transcript_key(ep.slug, "html"), data)
    elif r.transcript is not None and ep.transcript is not None:
        yield Output(layout.transcript_key(ep.slug, r.transcript), source=ep.transcript)
    if r.chapters is not None:
        yield Output(layout.chapters_key(ep.slug), r.chapters)


def transcript_page(html: str, title: str) -> bytes:
    """An HTML transcript as published: sanitised (notes' sanitiser), in a document that
    forbids every script and plugin even if one got through (a Content-Security-Policy)."""
    body = notes.sanitise_transcript(html)
    head = (
        '<!doctype html>\n<html><head><meta charset="utf-8">\n'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "img-src https: data:; style-src 'unsafe-inline'\">\n"
        f"<title>Transcript: {escape(title)}</title></head><body>\n"
    )
    return (head + body.strip() + "\n</body></html>\n").encode("utf-8")


def _nothing_published(read: ShowRead) -> FeedError:
    held = [(e.draft, e.date) for e in read.held] + [(p.draft, p.date) for p in read.pending]
    later = sorted(date for draft, date in held if not draft and date is not None)
    return FeedError(
        "no published episodes: a feed needs at least one [I-16]",
        read.show.source,
        None,
        f"{len(held) - len(later)} draft(s); {len(later)} scheduled"
        + (f", the first for {later[0].isoformat()}" if later else "")
        + "; publish again once one is due"
        if held
        else "add an episode: episodes/<slug>.mp3 and show_notes/<slug>.md",
    )
