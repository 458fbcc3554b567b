"""Read a show: every file the build needs, checked, with every problem collected (all I/O).

What is read here is all that :mod:`publisher.build.render` needs: the config, every episode
with its audio facts, the bibliographies and the citation style, the episodes' artwork,
transcripts and chapters. Problems are collected, not raised, so that the render step can
report them together with the problems it finds itself.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from publisher import config, episodes, layout, notes
from publisher.audio import stored
from publisher.build import notecache
from publisher.build.art import Art, episode_art, show_art
from publisher.episodes import Pending
from publisher.episodes.chapters import chapters_json
from publisher.errors import ConfigError, EpisodeError, Notice, Problems, PublisherError
from publisher.filecache import BuildCache
from publisher.model import Chapter, Episode, RenderedNotes, Show, Target
from publisher.notes.bibliography import Origin


@dataclass(frozen=True, slots=True)  # one an episode: no __dict__ each (issue 11)
class EpisodeRead:
    """A published episode and what rendering it needs, or the problem that stops it."""

    episode: Episode
    bibliography: notes.Bibliography | None = None  # None: it, or the show's, did not load
    image: Art | None = None
    transcript: str | None = None  # the transcript's extension (layout.TRANSCRIPT_EXTENSIONS)
    transcript_html: str | None = None  # an HTML transcript's text, to be sanitised
    chapters: bytes | None = None  # JSON chapters 1.2.0
    marks: tuple[Chapter, ...] = ()  # chapters for the episode's page
    problem: PublisherError | None = None
    notes_key: str | None = None  # the cache key of its rendered notes (build.notecache)
    notes: RenderedNotes | None = None  # rendered before from the very same inputs
    audio_sha256: str = ""  # hex digest of the audio: its media key is named by it


@dataclass(frozen=True)
class ShowRead:
    """Everything a build read for one target."""

    show: Show
    target: Target
    guid_mode: episodes.GuidMode
    artwork: Art
    episodes: tuple[Episode, ...]  # every episode that could be read, held back ones too
    published: tuple[EpisodeRead, ...]  # due and not drafts, newest first
    held: tuple[Episode, ...]  # drafts and scheduled episodes, oldest first
    style: notes.CitationStyle | None  # None: it did not load (a problem says why)
    notices: tuple[Notice, ...]
    problems: tuple[PublisherError, ...]
    new_podcast_guid: bool = False  # show.podcast_guid was minted by this read
    # drafts and scheduled episodes read like published ones (newest first): rendered for
    # their warnings, and shown, marked, in a drafts preview
    previews: tuple[EpisodeRead, ...] = ()
    pending: tuple[Pending, ...] = ()  # notes not yet due that are no Episode yet
    drafts: bool = False  # a drafts preview: previews become items, marked


def label(e: Episode) -> str:
    """How a drafts preview marks an episode not yet due: "draft", "scheduled for …"."""
    return "draft" if e.draft else f"scheduled for {e.date.isoformat()}"


def read(
    root: Path,
    *,
    now: dt.datetime,
    target: Target | None,
    target_name: str | None,
    guid_mode: episodes.GuidMode,
    cache: BuildCache,
    drafts: bool = False,
) -> ShowRead:
    """Read the show at ``root`` for ``target`` (else the one named, else the default).

    ``cache`` supplies audio facts read before and learns new ones, and notes rendered
    before from the same inputs (not with ``cache.use`` false). Episodes not yet due
    (drafts, future dates) are read too, their problems kept as warnings; ``drafts`` marks
    the read for a drafts preview. Raises ConfigError when the config cannot be used at all;
    every other problem is returned in ``problems``.
    """
    show = config.load(root)
    notices: list[Notice] = list(config.identity_notices(show))
    new_podcast_guid = show.podcast_guid is None
    show = _ensure_podcast_guid(show, guid_mode, notices)
    target = target or config.find_target(show, target_name, ad_hoc_hint=True)
    found = _read_episodes(show, cache, guid_mode, now)
    notices.extend(found.notices)
    due = sorted(
        (e for e in found.episodes if not e.draft and e.date <= now),
        key=lambda e: (e.date, e.slug),
        reverse=True,
    )
    held = tuple(
        e for e in sorted(found.episodes, key=lambda e: (e.date, e.slug)) if e.draft or e.date > now
    )
    notices.extend(_held_notices(held, found.pending, drafts))
    notices.extend(_remote_notice(show, due))
    problems = list(found.problems)
    show_bib, style = _citations(show, problems, cache)
    _check_unread(found.unread, show_bib, problems, notices)
    art = show_art(show, cache)
    notices.extend(_placeholder_notice(show) if art.placeholder else ())
    reads = tuple(_episode(ep, show_bib, cache) for ep in (*due, *reversed(held)))
    reads = _cached_notes(reads, show, target, style, cache)
    published, previews = reads[: len(due)], reads[len(due) :]
    cache.prune_blobs()  # every file was read: the artwork of none other is needed
    return ShowRead(
        show=show,
        target=target,
        guid_mode=guid_mode,
        artwork=art,
        episodes=found.episodes,
        published=published,
        held=held,
        style=style,
        notices=tuple(notices),
        problems=tuple(problems),
        new_podcast_guid=new_podcast_guid and show.podcast_guid is not None,
        previews=previews,
        pending=found.pending,
        drafts=drafts,
    )


def _placeholder_notice(show: Show) -> tuple[Notice]:
    return (
        Notice(
            f"artwork {show.image.name!r} is the placeholder 'publisher init' made",
            show.source,
            show.line("artwork"),
            "replace it with the show's own square 1400-3000 px RGB JPEG or PNG [C-03]",
            rule="C-03",
        ),
    )


def _held_notices(
    held: tuple[Episode, ...], pending: tuple[episodes.Pending, ...], drafts: bool
) -> list[Notice]:
    """One line per episode not yet due: left out (in a drafts preview, those that are
    episodes are said when rendered: included, or left out for their problems)."""
    found: list[tuple[dt.datetime | None, str, Notice]] = [
        (e.date, e.slug, Notice(f"{label(e)}, left out", e.source, warning=False))
        for e in held
        if not drafts
    ]
    for p in pending:
        when = "draft" if p.draft else f"scheduled for {p.date.isoformat() if p.date else '?'}"
        found.append((p.date, p.slug, Notice(f"{when}, left out", p.source, warning=False)))
    epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
    return [n for _, _, n in sorted(found, key=lambda f: (f[0] or epoch, f[1]))]


def _cached_notes(
    published: tuple[EpisodeRead, ...],
    show: Show,
    target: Target,
    style: notes.CitationStyle | None,
    cache: BuildCache,
) -> tuple[EpisodeRead, ...]:
    """Each episode (published, or not yet due: rendered for its warnings) with its notes'
    cache key, and its notes when rendered before from the same inputs (build.notecache)."""
    if style is None:
        return published
    style_hash = notecache.style_hash(style)
    keys_hashes: dict[int, str] = {}
    entry_hashes: dict[int, dict[str, str]] = {}  # each bibliography's, as notes cite them
    out = []
    for r in published:
        if r.bibliography is None:
            out.append(r)
            continue
        bib = r.bibliography
        if id(bib) not in keys_hashes:
            keys_hashes[id(bib)] = notecache.keys_hash(bib)
        keys = keys_hashes[id(bib)]
        key = notecache.note_key(note_inputs(show, target, r.episode), style_hash, keys)
        hashes = entry_hashes.setdefault(id(bib), {})
        found = notecache.load(cache.notes_dir, key, bib, hashes) if cache.use else None
        out.append(dataclasses.replace(r, notes_key=key, notes=found))
    return tuple(out)


def note_inputs(show: Show, target: Target, ep: Episode) -> notecache.NoteInputs:
    """What ``notes.render_notes`` is given for ``ep``'s notes, but the bibliography/style."""
    page_url = layout.url(target.public_url, layout.page_key(ep.slug))
    return notecache.NoteInputs(
        ep.body_sha256, ep.source, ep.body_line, page_url, show.references_title, ep.summary
    )


def _remote_notice(show: Show, due: list[Episode]) -> list[Notice]:
    """One warning, for all the published episodes at once, when some publish the old host's
    file as their notes give it (``publisher import --keep-remote-media``): its length and
    duration were not measured."""
    remote = sum(1 for e in due if e.remote_url)
    if not remote:
        return []
    return [
        Notice(
            f"{remote} episode(s) publish the old host's file as given (their notes' "
            "'enclosure:'); its length and duration are the old feed's, not measured",
            show.source,
            hint="put the audio in episodes/, or run 'publisher import --update', to replace it",
        )
    ]


def _read_episodes(
    show: Show, cache: BuildCache, guid_mode: episodes.GuidMode, now: dt.datetime
) -> episodes.ReadResult:
    """Every episode, its audio read through the cache (audio.stored), read anew only where
    the file is not as it was read before."""
    found = episodes.read_episodes(
        show,
        lambda path: stored.read_cached(path, cache),
        guid_mode=guid_mode,
        raise_problems=False,
        now=now,
        kept=cache,  # the notes' front matter parsed before
    )
    return found


def _bibliography_reader(
    cache: BuildCache,
) -> Callable[[Path, Callable[[Path], notes.Bibliography]], notes.Bibliography]:
    """Parse a bibliography file unless it was parsed before as it is now (same stat): its
    entries are kept as JSON, and only when they come back from it unchanged."""

    def read_one(path: Path, parse: Callable[[Path], notes.Bibliography]) -> notes.Bibliography:
        kept, keep = cache.kept(path, "bibliography")  # the stat before the file is read
        if (
            cache.use
            and isinstance(kept, list)
            and all(isinstance(e, list) and len(e) == 3 for e in kept)
        ):
            return notes.Bibliography(
                MappingProxyType({k: item for k, item, _ in kept}),
                MappingProxyType({k: Origin(path, line) for k, _, line in kept}),
                (path,),
            )
        parsed = parse(path)
        rows = [[k, dict(item), parsed.origins[k].line] for k, item in parsed.items.items()]
        if json.loads(json.dumps(rows)) == rows:  # only what JSON gives back unchanged
            keep(rows)
        return parsed

    return read_one


def _ensure_podcast_guid(show: Show, mode: episodes.GuidMode, notices: list[Notice]) -> Show:
    """The show with the podcast:guid its feed carries (C-12): the stored one, else the
    recipe's value for the production feed URL; a show with no production target yet has
    none (its feeds are previews)."""
    if show.podcast_guid:
        return show
    guid = config.feed_guid(show)
    if guid is None:
        return show
    if mode == "refuse":
        raise ConfigError(
            "no 'podcast_guid' yet [C-12]",
            show.source,
            None,
            "run 'publisher build' locally to write it, then commit feed_config.yaml",
        )
    if mode == "preview":
        notices.append(
            Notice(f"a real publish writes 'podcast_guid: {guid}'", show.source, warning=False)
        )
    return dataclasses.replace(show, podcast_guid=guid)


def _citations(
    show: Show, problems: list[PublisherError], cache: BuildCache
) -> tuple[notes.Bibliography | None, notes.CitationStyle | None]:
    """The show's bibliography and citation style, or None for one that does not load.

    Notes that would use one that did not load are not rendered: each citation would
    otherwise be reported as an unknown key, burying the real problem.
    """
    show_bib: notes.Bibliography | None = None
    style = None
    try:
        show_bib = notes.load_bibliography(
            show.bibliography,
            source=show.source,
            line=show.line("bibliography"),
            read_one=_bibliography_reader(cache),
        )
    except PublisherError as e:
        problems.append(e)
    try:
        style = notes.load_style(
            show.citation_style,
            base_dir=show.root,
            source=show.source,
            line=show.line("citation_style"),
        )
    except PublisherError as e:
        problems.append(e)
    return show_bib, style


def _check_unread(
    unread: Sequence[episodes.Unread],
    show_bib: notes.Bibliography | None,
    problems: list[PublisherError],
    notices: list[Notice],
) -> None:
    """The unknown citation keys of the notes that gave no Episode: problems, or warnings
    for those not yet due (said with their other problems, in one run)."""
    for one in unread:
        unknown = _unknown_citations(one, show_bib)
        if one.held:
            notices.extend(episodes.not_due_notice(e, one.draft) for e in unknown)
        else:
            problems.extend(unknown)


def _unknown_citations(
    unread: episodes.Unread, show_bib: notes.Bibliography | None
) -> list[PublisherError]:
    """The citation keys of a note that gave no Episode which the show's bibliography and
    the note's own lack (none checked when its own cannot be known); or why its own cannot
    be read, said as an episode's would be."""
    if show_bib is None or unread.bibliography is None:
        return []
    try:
        bib = _with_own(show_bib, unread.bibliography, unread.source, unread.bibliography_line)
        assert bib is not None  # the show's is
        body = episodes.read_body(unread.source, unread.body_sha256)
    except Problems as e:
        return list(e.problems)
    except PublisherError as e:
        return [] if isinstance(e, EpisodeError) else [e]  # a note changed since: said later
    return notes.unknown_citations(body, unread.source, unread.body_line, bib)


def _with_own(
    show_bib: notes.Bibliography | None, own: Sequence[Path], source: Path, line: int | None
) -> notes.Bibliography | None:
    """``show_bib`` with a note's own bibliography (``own``, named on ``line`` of ``source``)
    merged in; None without the show's. Raises what loading or merging them raises."""
    if not own:
        return show_bib
    mine = notes.load_bibliography(own, source=source, line=line)
    return show_bib.merge(mine, source=source, line=line) if show_bib else None


def _episode(ep: Episode, show_bib: notes.Bibliography | None, cache: BuildCache) -> EpisodeRead:
    """The files one published episode needs, checked; the first problem stops it."""
    try:
        _, audio_sha256 = cache.digest(ep.audio.source)  # remote media: its note (never used)
        image = episode_art(ep, cache)
        transcript = html = None
        if ep.transcript is not None:
            transcript = ep.transcript.name.partition(".")[2].lower()
            text = _check_transcript(ep.transcript, transcript)
            html = text if transcript == "html" else None
        chapters, marks = chapters_json(ep)
        bib = _with_own(show_bib, ep.bibliography, ep.source, ep.line("bibliography"))
    except PublisherError as e:
        return EpisodeRead(ep, problem=e)
    return EpisodeRead(ep, bib, image, transcript, html, chapters, marks, audio_sha256=audio_sha256)


def _check_transcript(path: Path, ext: str) -> str:
    """The transcript's text; refuses one an app cannot read (I-14): not UTF-8, or not the
    format it is named."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as e:
        raise EpisodeError("transcript is not UTF-8 text", path, None, "save it as UTF-8") from e
    problem = None
    if ext == "vtt" and not text.startswith("WEBVTT"):
        problem = "a WebVTT transcript must start with a 'WEBVTT' line"
    elif ext == "srt" and "-->" not in text:
        problem = "an SRT transcript needs cues like '00:00:01,000 --> 00:00:04,000'"
    elif ext == "transcript.json":
        try:
            json.loads(text)
        except json.JSONDecodeError as e:
            raise EpisodeError(f"transcript is not valid JSON: {e.msg}", path, e.lineno) from e
    if problem:
        raise EpisodeError(problem + " [I-14]", path, 1)
    return text
