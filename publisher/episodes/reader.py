"""Read every episode: pair the files, read each note's front matter and its audio (or the old
host's file its ``enclosure:`` names), mint GUIDs, and build frozen Episodes.

Every problem of every episode is collected, so one bad episode never hides the others.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from publisher.config.imported import RemoteEnclosure
from publisher.episodes.frontmatter import (
    FrontMatter,
    KeptParses,
    body_beyond,
    read_front_matter,
)
from publisher.episodes.guids import GuidMode, assign_guid, case_twins, duplicate_guids
from publisher.episodes.pairing import (
    EPISODES_DIR,
    NOTES_DIR,
    AudioReader,
    EpisodeFiles,
    find_audio,
    find_notes,
)
from publisher.errors import EpisodeError, Notice, Problems, PublisherError, raise_all
from publisher.model import AudioInfo, Episode, Show


@dataclass(frozen=True)
class Pending:
    """A note not yet due (a draft, or dated in the future) that is not an Episode yet: its
    audio is missing or something in it is wrong (warnings until it is due)."""

    slug: str
    source: Path
    title: str
    date: dt.datetime | None
    guid: str
    draft: bool


@dataclass(frozen=True)
class Unread:
    """A note that gave no Episode (its front matter, a field or its audio has a problem)
    but whose body was found: it can still be checked for citation keys the bibliography
    lacks, so that one problem does not hide the next. ``held``: not yet due (a ``draft``,
    or scheduled); ``bibliography``: the files of its own its front matter names (checked
    with the show's), or None when it may name some that cannot be known (not checked)."""

    source: Path
    body_sha256: str
    body_line: int
    held: bool
    draft: bool
    bibliography: tuple[Path, ...] | None = ()
    bibliography_line: int | None = None  # where the front matter names them


@dataclass(frozen=True)
class ReadResult:
    """Every readable episode (drafts and future ones included), notices for the producer,
    the problems of the due episodes that could not be read, the notes not yet due that
    could not be read (their problems are notices), and the notes that gave no Episode
    though their front matter was read."""

    episodes: tuple[Episode, ...]
    notices: tuple[Notice, ...]
    problems: tuple[PublisherError, ...] = ()
    pending: tuple[Pending, ...] = ()
    unread: tuple[Unread, ...] = ()


def not_due_notice(e: PublisherError, draft: bool = False) -> Notice:
    """A problem of an episode not yet due (a ``draft``, or scheduled), as a warning: an
    error once it is due."""
    until = "a draft: an error once 'draft: true' is removed" if draft else "not yet due"
    hint = (e.hint + "; " if e.hint else "") + (until if draft else until + ": an error once it is")
    return Notice(e.message, e.path, e.line, hint)


def read_episodes(
    show: Show,
    read_audio: AudioReader,
    *,
    guid_mode: GuidMode,
    raise_problems: bool = True,
    now: dt.datetime | None = None,
    kept: KeptParses | None = None,
) -> ReadResult:
    """Pair and read all episodes. Raises EpisodeError/AudioError, or Problems for several;
    with ``raise_problems=False`` returns them instead, beside the episodes that were read.

    Given ``now``, a note not yet due (``draft: true``, or dated after ``now``) needs no
    audio, and its problems are notices (warnings), never errors: they block nothing.
    ``kept`` (the build cache) keeps each note's parse for the version of the file it was
    read from (:func:`publisher.episodes.frontmatter.parse`).
    """
    problems: list[PublisherError] = []
    audio_dir = show.root / EPISODES_DIR
    notes = find_notes(show.root / NOTES_DIR, problems)
    audio_problems: list[PublisherError] = []
    audio, _ = find_audio(audio_dir, set(notes), read_audio, audio_problems)
    episodes: list[Episode] = []
    notices: list[Notice] = []
    pending: list[Pending] = []
    zone = ZoneInfo(show.timezone)
    fronts = {slug: _front(note, zone, kept) for slug, note in notes.items()}  # once per note
    peeks = {slug: _peek(front) for slug, front in fronts.items()}
    held = {s for s, p in peeks.items() if now is not None and not p.due(now)}
    drafts = {s for s in held if peeks[s].draft}
    _route(audio_problems, held, drafts, audio_dir, set(notes), problems, notices)
    for slug, note in sorted(notes.items()):
        own: list[PublisherError] = []
        if slug in audio:  # else its audio file has a problem of its own
            try:
                episode, notice = _episode(
                    show, slug, note, fronts[slug], audio[slug], read_audio, guid_mode
                )
                episodes.append(episode)
                notices.extend(episode.audio.notices)  # e.g. a VBR MP3 without a Xing header
                if notice:
                    notices.append(notice)
            except PublisherError as e:
                own.append(e)
        if slug in held:
            notices.extend(not_due_notice(e, slug in drafts) for e in _flat(own))
            if slug not in {ep.slug for ep in episodes}:
                pending.append(peeks[slug].pending(slug, note))
        else:
            problems.extend(own)
    problems.extend(duplicate_guids(episodes))
    notices.extend(case_twins(episodes))
    if raise_problems:
        raise_all(problems)
    unread = _unread(notes, fronts, {ep.slug for ep in episodes}, held, drafts)
    return ReadResult(tuple(episodes), tuple(notices), tuple(problems), tuple(pending), unread)


def _unread(
    notes: Mapping[str, Path],
    fronts: Mapping[str, FrontMatter | PublisherError | OSError],
    made: set[str],
    held: set[str],
    drafts: set[str],
) -> tuple[Unread, ...]:
    """The notes that gave no Episode (not in ``made``) whose body can be found: their front
    matter was read, or could be split from the body but not read (then whether the note is
    due is unknown: its problems are errors)."""
    found: list[Unread] = []
    for s, note in sorted(notes.items()):
        f = fronts[s]
        if s in made:
            continue
        if isinstance(f, FrontMatter):
            named = tuple(f.values["bibliography"])
            # written but not read (a bad value): which files it meant is unknown
            own = None if f.line("bibliography") is not None and not named else named
            at = f.line("bibliography")
            found.append(Unread(note, f.body_sha256, f.body_line, s in held, s in drafts, own, at))
        elif isinstance(f, PublisherError) and (split := body_beyond(note)) is not None:
            found.append(Unread(note, split[0], split[1], False, False, None if split[2] else ()))
    return tuple(found)


def _route(
    found: Sequence[PublisherError],
    held: set[str],
    drafts: set[str],
    audio_dir: Path,
    slugs: set[str],
    problems: list[PublisherError],
    notices: list[Notice],
) -> None:
    """An audio file's own problem belongs to its episode: a warning while it is held."""
    for e in found:
        stem = e.path.name.partition(".")[0] if e.path is not None else ""
        if stem in held or (e.path == audio_dir and held == slugs):
            notices.append(not_due_notice(e, stem in drafts))
        else:
            problems.append(e)


def _flat(problems: Sequence[PublisherError]) -> list[PublisherError]:
    out: list[PublisherError] = []
    for p in problems:
        out.extend(p.problems if isinstance(p, Problems) else (p,))
    return out


@dataclass(frozen=True)
class _Peek:
    """What a note's front matter says about when it is due, read leniently."""

    title: str
    date: dt.datetime | None
    guid: str
    draft: bool

    def due(self, now: dt.datetime) -> bool:
        return not self.draft and (self.date is None or self.date <= now)

    def pending(self, slug: str, note: Path) -> Pending:
        return Pending(slug, note, self.title or slug, self.date, self.guid, self.draft)


def _front(
    note: Path, zone: ZoneInfo, kept: KeptParses | None
) -> FrontMatter | PublisherError | OSError:
    """The note's front matter, or why it cannot be read (raised when the episode is)."""
    try:
        return read_front_matter(note, zone, kept)
    except (PublisherError, OSError) as e:
        return e


def _peek(front: FrontMatter | Exception) -> _Peek:
    """The title, date, guid and draft flag of a note; what cannot be read is empty (the
    full read reports it). A note whose date cannot be read counts as due."""
    if isinstance(front, Exception):
        return _Peek("", None, "", False)
    v = front.values
    return _Peek(v["title"] or "", v["date"], v["guid"] or "", v["draft"] is True)


def _episode(
    show: Show,
    slug: str,
    note: Path,
    front: FrontMatter | Exception,
    files: EpisodeFiles,
    read_audio: AudioReader,
    guid_mode: GuidMode,
) -> tuple[Episode, Notice | None]:
    if isinstance(front, Exception):
        raise front
    problems = list(front.problems)
    v = front.values

    def fail(message: str, hint: str | None = None) -> None:
        problems.append(EpisodeError(message, note, front.first_line, hint))

    audio, remote_url = _audio(slug, note, files, front, read_audio, problems)
    title = v["title"] or (audio.title if audio else None)
    if not title and audio is not None:
        fail(
            "no title: the front matter has none, and the audio has no title tag either",
            "add e.g. 'title: Sleep and back pain' to the front matter",
        )
    guid, notice = assign_guid(v["guid"], note, guid_mode, fail)
    if show.type == "serial" and v["episode"] is None:
        fail(
            "a serial show needs 'episode:' on every episode [C-10]",
            "add its number in the series to the front matter, e.g. 'episode: 2'",
        )
    raise_all(problems)
    assert audio is not None and title and v["date"] is not None  # problems raised otherwise
    return (
        Episode(
            slug=slug,
            source=note,
            audio=audio,
            title=title,
            date=v["date"],
            guid=guid,
            body_sha256=front.body_sha256,
            body_line=front.body_line,
            season=v["season"],
            episode=v["episode"],
            episode_type=v["episode_type"],
            explicit=v["explicit"],
            summary=v["summary"] or (audio.comment if audio else None),
            image=v["image"] or files.image,
            keywords=v["keywords"],
            draft=v["draft"],
            bibliography=v["bibliography"],
            persons=v["persons"],
            guid_is_new=guid_mode in ("write", "preview") and not v["guid"] and bool(guid),
            lines=front.lines,
            transcript=files.transcript,
            chapters_file=files.chapters,
            remote_url=remote_url,
        ),
        notice,
    )


def _audio(
    slug: str,
    note: Path,
    files: EpisodeFiles,
    front: FrontMatter,
    read_audio: AudioReader,
    problems: list[PublisherError],
) -> tuple[AudioInfo | None, str | None]:
    """The episode's audio facts, and the old host's URL when they are its ``enclosure:``
    (no file in episodes/; written by ``publisher import --keep-remote-media``: the length
    and ``duration:`` are the old feed's, not measured). A dropped-in file replaces it."""
    if files.audio is not None:
        try:
            return read_audio(files.audio), None
        except PublisherError as e:
            problems.append(e)
            return None, None
    remote: RemoteEnclosure | None = front.values["enclosure"]
    if remote is not None:
        duration = front.values["duration"]
        return AudioInfo(note, remote.length, remote.type, remote.extension, duration), remote.url
    if front.line("enclosure") is None or not problems:  # else its problem is reported
        problems.append(
            EpisodeError(
                f"no audio for this note; expected {EPISODES_DIR}/{slug}.mp3 or .m4a",
                note,
                None,
                "put the audio there, or add 'draft: true' to the note until it is ready",
            )
        )
    return None, None
