"""Pair ``episodes/`` with ``show_notes/``, read front matter and audio, and build Episodes.

Every problem of every episode is collected, so one bad episode never hides the others.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from publisher.config import yamldoc
from publisher.config.persons import parse_persons
from publisher.config.show import XML_ILLEGAL, xml_illegal_chars
from publisher.errors import (
    AudioError,
    EpisodeError,
    Notice,
    Problems,
    PublisherError,
    display_path,
    raise_all,
)
from publisher.model import AudioInfo, Episode, EpisodeType, Show

# write: mint missing GUIDs (build writes them into the notes once everything else is
# fine: write_new_guids); refuse: a missing GUID is an error (CI); preview: mint in memory
# only (dry runs); ignore: leave missing (check).
GuidMode = Literal["write", "refuse", "preview", "ignore"]
AudioReader = Callable[[Path], AudioInfo]

EPISODES_DIR = "episodes"
NOTES_DIR = "show_notes"
AUDIO_EXTENSIONS = ("mp3", "m4a")
# Files that look like media but are refused, so they are named rather than ignored.
REFUSED_EXTENSIONS = (
    "wav",
    "flac",
    "ogg",
    "oga",
    "opus",
    "aac",
    "aif",
    "aiff",
    "wma",
    "mp4",
    "m4v",
    "mov",
    "webm",
    "mkv",
    "avi",
    "pdf",
    "m4b",
)
IMAGE_EXTENSIONS = ("jpg", "jpeg", "png")
TRANSCRIPT_TYPES = {
    "vtt": "text/vtt",
    "srt": "application/x-subrip",
    "html": "text/html",
    "txt": "text/plain",
    "transcript.json": "application/json",
}
CHAPTERS_SUFFIX = "chapters.json"
FIELDS = (
    "title",
    "date",
    "guid",
    "season",
    "episode",
    "episode_type",
    "explicit",
    "summary",
    "image",
    "keywords",
    "draft",
    "bibliography",
    "persons",
)
# The body `publisher new` writes; a note that still holds it is not ready to publish.
SCAFFOLD_TEXT = (
    "Write the show notes here in Markdown. Cite a study with `[@key]`, several with\n"
    "`[@key1; @key2]`, where each key is in the bibliography (show_notes/references.bib).\n"
)
SLUG = re.compile(  # a safe episode name (D-05)
    r"^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$"
)
_FENCE = re.compile(r"^---[ \t]*\r?$")
_END = re.compile(r"^(---|\.\.\.)[ \t]*\r?$")


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
class ReadResult:
    """Every readable episode (drafts and future ones included), notices for the producer,
    the problems of the due episodes that could not be read, and the notes not yet due that
    could not be read (their problems are notices)."""

    episodes: tuple[Episode, ...]
    notices: tuple[str, ...]
    problems: tuple[PublisherError, ...] = ()
    pending: tuple[Pending, ...] = ()


def not_due_notice(e: PublisherError) -> str:
    """A problem of an episode not yet due, as a warning line (an error once it is due)."""
    hint = (e.hint + "; " if e.hint else "") + "not yet due: an error once it is"
    return str(Notice(e.message, e.path, e.line, hint))


def read_episodes(
    show: Show,
    read_audio: AudioReader,
    *,
    guid_mode: GuidMode,
    raise_problems: bool = True,
    now: dt.datetime | None = None,
) -> ReadResult:
    """Pair and read all episodes. Raises EpisodeError/AudioError, or Problems for several;
    with ``raise_problems=False`` returns them instead, beside the episodes that were read.

    Given ``now``, a note not yet due (``draft: true``, or dated after ``now``) needs no
    audio, and its problems are notices (warnings), never errors: they block nothing.
    """
    notes_dir, audio_dir = show.root / NOTES_DIR, show.root / EPISODES_DIR
    problems: list[PublisherError] = []
    notes = _notes(notes_dir, problems)
    audio_problems: list[PublisherError] = []
    audio, claimed = _audio_files(audio_dir, set(notes), read_audio, audio_problems)
    episodes: list[Episode] = []
    notices: list[str] = []
    pending: list[Pending] = []
    peeks = {slug: _peek(show, note) for slug, note in notes.items()}
    held = {s for s, p in peeks.items() if now is not None and not p.due(now)}
    for e in audio_problems:  # an audio file's own problem belongs to its episode
        stem = e.path.name.partition(".")[0] if e.path is not None else ""
        if stem in held or (e.path == audio_dir and held == set(notes)):
            notices.append(not_due_notice(e))
        else:
            problems.append(e)
    for slug, note in sorted(notes.items()):
        own: list[PublisherError] = []
        if slug not in audio:
            if slug not in claimed:  # else its audio file has a problem of its own
                own.append(
                    EpisodeError(
                        f"no audio for this note; expected {EPISODES_DIR}/{slug}.mp3 or .m4a",
                        note,
                        None,
                    )
                )
        else:
            try:
                episode, notice = _episode(show, slug, note, audio[slug], read_audio, guid_mode)
                episodes.append(episode)
                if notice:
                    notices.append(notice)
            except PublisherError as e:
                own.append(e)
        if slug in held:
            notices.extend(not_due_notice(e) for e in _flat(own))
            if slug not in {ep.slug for ep in episodes}:
                pending.append(peeks[slug].pending(slug, note))
        else:
            problems.extend(own)
    seen: dict[str, Episode] = {}
    for ep in episodes:
        if ep.guid and ep.guid in seen:
            problems.append(
                EpisodeError(
                    f"guid {ep.guid!r} is also used by {seen[ep.guid].source.name} [I-04]",
                    ep.source,
                    ep.line("guid"),
                    "each episode needs its own; delete this line to mint one",
                )
            )
        seen.setdefault(ep.guid, ep)
    if raise_problems:
        raise_all(problems)
    return ReadResult(tuple(episodes), tuple(notices), tuple(problems), tuple(pending))


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


def _peek(show: Show, note: Path) -> _Peek:
    """The title, date, guid and draft flag of a note; missing or unreadable parts are empty
    (the full read reports them). A note whose date cannot be read counts as due."""
    try:
        front, _, _ = split_front_matter(note.read_text(encoding="utf-8-sig"), note)
        meta = yamldoc.load(front, note, first_line=2, error=EpisodeError).data
    except (PublisherError, OSError, UnicodeDecodeError):
        return _Peek("", None, "", False)
    if not isinstance(meta, dict):
        return _Peek("", None, "", False)
    date = _date(meta.get("date"), ZoneInfo(show.timezone), lambda m: None)
    guid = meta.get("guid")
    return _Peek(
        str(meta.get("title") or "").strip(),
        date,
        guid.strip() if isinstance(guid, str) else "",
        meta.get("draft") is True,
    )


def _notes(notes_dir: Path, problems: list[PublisherError]) -> dict[str, Path]:
    if not notes_dir.is_dir():
        problems.append(EpisodeError("no show_notes/ folder", notes_dir, None))
        return {}
    found: dict[str, Path] = {}
    for path in sorted(notes_dir.glob("*.md")):
        if path.name.lower() == "readme.md":
            continue
        if SLUG.match(path.stem):
            found[path.stem] = path
        else:
            problems.append(
                EpisodeError(
                    f"{path.name!r} is not a safe episode name [D-05]",
                    path,
                    None,
                    "use ASCII letters, digits, '-' and '_' only, e.g. 2026-09-01-imaging",
                )
            )
    return found


@dataclass(frozen=True)
class _AudioFiles:
    audio: Path
    image: Path | None
    transcript: Path | None
    chapters: Path | None


def _audio_files(
    audio_dir: Path, slugs: set[str], read_audio: AudioReader, problems: list[PublisherError]
) -> tuple[dict[str, _AudioFiles], set[str]]:
    """Each slug's audio and extras, and every slug that has some audio file, usable or not
    (its note then needs no "no audio" problem of its own)."""
    claimed: set[str] = set()
    if not audio_dir.is_dir():
        if slugs:
            problems.append(EpisodeError("no episodes/ folder for the audio", audio_dir, None))
        return {}, claimed
    by_slug: dict[str, list[Path]] = {}
    extras: dict[str, dict[str, Path]] = {}
    for path in sorted(p for p in audio_dir.iterdir() if p.is_file()):
        if path.name.startswith("."):
            continue
        stem, _, ext = path.name.partition(".")
        ext = ext.lower()
        if ext in AUDIO_EXTENSIONS or ext in REFUSED_EXTENSIONS:
            claimed.add(stem)
            if not SLUG.match(stem):
                problems.append(
                    EpisodeError(
                        f"{path.name!r} is not a safe episode name [D-05]",
                        path,
                        None,
                        "rename it with ASCII letters, digits, '-' and '_' only, "
                        "e.g. 2026-09-01-imaging.mp3",
                    )
                )
                continue
            if ext in REFUSED_EXTENSIONS:
                # The reader names what the file really is (and a misnamed MP3 as such).
                try:
                    read_audio(path)
                    problems.append(AudioError(f"unsupported extension .{ext}", path))
                except PublisherError as e:
                    if any((audio_dir / f"{stem}.{a}").exists() for a in AUDIO_EXTENSIONS):
                        e.hint = (
                            "a master beside the episode's audio? keep masters outside episodes/"
                        )
                    problems.append(e)
                continue
            if stem not in slugs:
                problems.append(
                    EpisodeError(
                        f"audio without a note; expected {NOTES_DIR}/{stem}.md",
                        path,
                        None,
                        f'create it with: publisher new --slug {stem} "Title"',
                    )
                )
                continue
            by_slug.setdefault(stem, []).append(path)
        elif ext in IMAGE_EXTENSIONS or ext in TRANSCRIPT_TYPES or ext == CHAPTERS_SUFFIX:
            extras.setdefault(stem, {})[ext] = path
    result: dict[str, _AudioFiles] = {}
    for slug, paths in by_slug.items():
        if len(paths) > 1:
            names = " and ".join(p.name for p in paths)
            problems.append(
                EpisodeError(
                    f"two audio files for one episode: {names}", paths[0], None, "keep one"
                )
            )
            continue
        ex = extras.get(slug, {})
        image = next((ex[e] for e in IMAGE_EXTENSIONS if e in ex), None)
        transcript = next((ex[e] for e in TRANSCRIPT_TYPES if e in ex), None)
        result[slug] = _AudioFiles(paths[0], image, transcript, ex.get(CHAPTERS_SUFFIX))
    return result, claimed


def split_front_matter(text: str, source: Path) -> tuple[str, str, int]:
    """Split a note into (front matter YAML, body, line of the body's first line)."""
    # Lines end at "\n" only, as editors and every line number here count them
    # (str.splitlines also splits at U+2028, U+0085, form feeds…, which may sit in a title).
    lines = text.split("\n")
    if not _FENCE.match(lines[0]):
        raise EpisodeError(
            "no front matter; the note must start with a '---' line",
            source,
            1,
            "see README: front matter",
        )
    end = _closing_fence(lines)
    if end is None:
        raise EpisodeError("front matter is not closed; add a '---' line after it", source, 1)
    return "\n".join(lines[1:end]) + "\n", "\n".join(lines[end + 1 :]), end + 2


def _closing_fence(lines: Sequence[str]) -> int | None:
    """The index of the line that closes the front matter ("---" or "..."), if any."""
    return next((i for i in range(1, len(lines)) if _END.match(lines[i])), None)


def _episode(
    show: Show,
    slug: str,
    note: Path,
    files: _AudioFiles,
    read_audio: AudioReader,
    guid_mode: GuidMode,
) -> tuple[Episode, str | None]:
    problems: list[PublisherError] = []
    try:
        text = note.read_text(encoding="utf-8-sig")  # editors on Windows may add a BOM
    except UnicodeDecodeError as e:
        raise EpisodeError("not UTF-8 text", note, None, "save the note as UTF-8") from e
    front, body, body_line = split_front_matter(text, note)
    doc = yamldoc.load(front, note, first_line=2, error=EpisodeError)
    meta: dict[str, Any] = doc.data if doc.data is not None else {}
    if not isinstance(meta, dict):
        raise EpisodeError("front matter must be a mapping of fields to values", note, 2)

    def fail(message: str, field: str | None = None, hint: str | None = None) -> None:
        line = doc.line(field) if field else doc.first_line
        problems.append(EpisodeError(message, note, line, hint))

    for path, char in xml_illegal_chars(meta):
        fail(
            f"'{'.'.join(map(str, path))}' contains {char}, which XML 1.0 forbids [D-01]",
            str(path[0]),
            "delete it; such characters are often invisible in an editor",
        )
    for offset, body_text in enumerate(body.split("\n")):
        if m := XML_ILLEGAL.search(body_text):
            problems.append(
                EpisodeError(
                    f"the notes contain U+{ord(m.group()):04X}, which XML 1.0 forbids [D-01]",
                    note,
                    body_line + offset,
                    "delete it; such characters are often invisible in an editor",
                )
            )
    for key in meta:
        if key not in FIELDS:
            close = difflib.get_close_matches(str(key), FIELDS, n=1)
            fail(
                f"unknown front matter field '{key}'",
                str(key),
                f"did you mean '{close[0]}'?" if close else "allowed: " + ", ".join(FIELDS),
            )
    audio: AudioInfo | None = None
    try:
        audio = read_audio(files.audio)
    except PublisherError as e:
        problems.append(e)
    title = _text(meta, "title", fail) or (audio.title if audio else None)
    if not title and audio is not None:
        fail("no title: add 'title:' to the front matter (the audio has no title tag either)")
    date = _date(meta.get("date"), ZoneInfo(show.timezone), lambda m: fail(m, "date"))
    season = _positive(meta, "season", fail)
    number = _positive(meta, "episode", fail)
    episode_type: EpisodeType = "full"
    given = meta.get("episode_type")
    if given in ("full", "trailer", "bonus"):
        episode_type = given
    elif given is not None:
        fail(
            f"episode_type must be full, trailer or bonus, not {given!r} [I-13]",
            "episode_type",
        )
    explicit = _bool(meta, "explicit", fail)
    draft = bool(_bool(meta, "draft", fail))
    summary = _text(meta, "summary", fail) or (audio.comment if audio else None)
    keywords = _keywords(meta.get("keywords"), lambda m: fail(m, "keywords"))
    image = files.image
    if meta.get("image") is not None:
        rel = _text(meta, "image", fail)
        image = (note.parent / rel) if rel else image
        if rel and not (note.parent / rel).is_file():
            fail(f"image {rel!r} not found", "image", f"looked for {note.parent / rel}")
    bibliography = _bib_paths(meta.get("bibliography"), note, lambda m: fail(m, "bibliography"))
    if SCAFFOLD_TEXT.splitlines()[0] in body:
        at = body_line + body[: body.index(SCAFFOLD_TEXT.splitlines()[0])].count("\n")
        problems.append(
            EpisodeError(
                "the note still holds the placeholder text from 'publisher new'",
                note,
                at,
                "replace it with the episode's show notes",
            )
        )
    persons = parse_persons(
        meta.get("persons"),
        lambda m, i: problems.append(
            EpisodeError(m, note, doc.line("persons", *(() if i is None else (i,))))
        ),
    )
    guid, notice = _guid(meta, note, guid_mode, fail)
    guid_is_new = guid_mode in ("write", "preview") and meta.get("guid") is None and bool(guid)
    if show.type == "serial" and number is None:
        fail("a serial show needs 'episode:' on every episode [C-10]")
    raise_all(problems)
    assert audio is not None and date is not None and title  # problems raised otherwise
    return (
        Episode(
            slug=slug,
            source=note,
            audio=audio,
            title=title,
            date=date,
            guid=guid,
            body=body,
            body_line=body_line,
            season=season,
            episode=number,
            episode_type=episode_type,
            explicit=explicit,
            summary=summary,
            image=image,
            keywords=keywords,
            draft=draft,
            bibliography=bibliography,
            persons=persons,
            guid_is_new=guid_is_new,
            lines=tuple((str(path[0]), line) for path, line in doc.lines.items() if len(path) == 1),
            transcript=files.transcript,
            chapters_file=files.chapters,
        ),
        notice,
    )


Fail = Callable[..., None]


def _text(meta: dict[str, Any], key: str, fail: Fail) -> str | None:
    value = meta.get(key)
    if value is None:
        return None
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        fail(f"'{key}' must be text", key)
        return None
    return str(value).strip() or None


def _bool(meta: dict[str, Any], key: str, fail: Fail) -> bool | None:
    value = meta.get(key)
    if value is None or isinstance(value, bool):
        return value
    fail(f"'{key}' must be true or false, not {value!r}", key)
    return None


def _positive(meta: dict[str, Any], key: str, fail: Fail) -> int | None:
    value = meta.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        fail(f"'{key}' must be a whole number from 1 up, not {value!r} [I-12]", key)
        return None
    return value


def _date(value: Any, zone: ZoneInfo, fail: Callable[[str], None]) -> dt.datetime | None:
    if value is None:
        fail("'date' is required: the publication date, e.g. 2026-09-01 or 2026-09-01 08:30")
        return None
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            fail(f"'date' {value!r} is not a date like 2026-09-01 or 2026-09-01T08:30:00+01:00")
            return None
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=zone)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(0, 0), tzinfo=zone)
    fail(f"'date' must be a date, not {value!r}")
    return None


def _keywords(value: Any, fail: Callable[[str], None]) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(k, str | int) for k in items):
        fail("'keywords' must be a list of words or a comma-separated text")
        return ()
    return tuple(k for k in (str(i).strip() for i in items) if k)


def _bib_paths(value: Any, note: Path, fail: Callable[[str], None]) -> tuple[Path, ...]:
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(p, str) and p for p in items):
        fail("'bibliography' must be a path or a list of paths (relative to the note)")
        return ()
    return tuple(note.parent / p for p in items)


def _guid(meta: dict[str, Any], note: Path, mode: GuidMode, fail: Fail) -> tuple[str, str | None]:
    value = meta.get("guid")
    if value is not None:
        if not isinstance(value, str) or not value.strip():
            fail("'guid' must be text (it never changes once published) [I-04]", "guid")
            return "", None
        return value.strip(), None
    if mode == "ignore":
        return "", f"{display_path(note)}: has no guid yet; build or publish will write one"
    if mode == "refuse":
        fail(
            "no 'guid' in the front matter [I-04]",
            None,
            "run 'publisher build' locally to write one, then commit the note",
        )
        return "", None
    guid = str(uuid.uuid4())
    if mode == "preview":
        return guid, f"{display_path(note)}: has no guid yet; a real publish writes one"
    return guid, None


def write_new_guids(episodes: Sequence[Episode]) -> tuple[str, ...]:
    """Write each newly minted GUID into its note (one line; every other byte stays)."""
    notices = []
    for ep in episodes:
        if ep.guid_is_new:
            insert_front_matter_line(ep.source, f"guid: {ep.guid}")
            notices.append(
                f"{display_path(ep.source)}: wrote 'guid: {ep.guid}' into the front matter; "
                "commit this file"
            )
    return tuple(notices)


def insert_front_matter_line(note: Path, line: str) -> None:
    """Insert ``line`` just before the closing front matter fence; every other byte stays."""
    data = note.read_bytes()
    lines = data.split(b"\n")
    end = _closing_fence([x.decode("utf-8", "replace") for x in lines])
    if end is None:
        raise EpisodeError("front matter is not closed; add a '---' line after it", note, 1)
    cr = b"\r" if lines[end].endswith(b"\r") else b""  # keep the file's line endings
    lines.insert(end, line.encode() + cr)
    note.write_bytes(b"\n".join(lines))
