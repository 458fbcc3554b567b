"""A note's front matter and body: split at the ``---`` fences, fields read through the one
schema (``publisher.config.fields.FRONT_MATTER``), body checked for what XML forbids."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from publisher.config import yamldoc
from publisher.config.fields import FRONT_MATTER
from publisher.config.schema import FieldReader
from publisher.config.text import XML_ILLEGAL
from publisher.episodes.scaffold import PLACEHOLDER
from publisher.errors import EpisodeError, PublisherError

FIELDS = FRONT_MATTER.names
_FENCE = "---"
_ENDS = ("---", "...")
NOT_CLOSED_HINT = "add a '---' line after its last field"


@dataclass(frozen=True)
class FrontMatter:
    """A note read: every front matter field's value by name (its default when absent or
    invalid), the lines the front matter and the body start on, the body, the line of every
    top-level key, and the problems found (each naming the note and a line)."""

    values: Mapping[str, Any]
    first_line: int
    body_sha256: str  # of the body (UTF-8): an Episode keeps no body (read_body)
    body_line: int
    lines: tuple[tuple[str, int], ...]
    problems: tuple[PublisherError, ...] = field(default=())

    def line(self, key: str) -> int | None:
        """The line of ``key`` in the note, if it was written."""
        return dict(self.lines).get(key)


def split_front_matter(text: str, source: Path) -> tuple[str, str, int]:
    """Split a note into (front matter YAML, body, line of the body's first line).
    Raises EpisodeError when the note does not open or close its front matter."""
    # Lines end at "\n" only, as editors and every line number here count them
    # (str.splitlines also splits at U+2028, U+0085, form feeds…, which may sit in a title).
    lines = text.split("\n")
    if not _is_fence(lines[0], (_FENCE,)):
        raise EpisodeError(
            "no front matter; the note must start with a '---' line",
            source,
            1,
            "see README: front matter",
        )
    end = closing_fence(lines)
    if end is None:
        raise EpisodeError("front matter is not closed", source, 1, NOT_CLOSED_HINT)
    return "\n".join(lines[1:end]) + "\n", "\n".join(lines[end + 1 :]), end + 2


def closing_fence(lines: Sequence[str]) -> int | None:
    """The index of the line that closes the front matter ("---" or "..."), if any."""
    return next((i for i in range(1, len(lines)) if _is_fence(lines[i], _ENDS)), None)


def _is_fence(line: str, marks: tuple[str, ...]) -> bool:
    return line.rstrip("\r").rstrip(" \t") in marks


def read_front_matter(note: Path, zone: ZoneInfo, kept: KeptParses | None = None) -> FrontMatter:
    """Read ``note``: its fields (dates without an offset are in ``zone``) and its body.
    Raises EpisodeError when the note cannot be split or parsed at all; every other problem
    is in the result's ``problems``.

    With ``kept`` (the build cache), a note whose stat is the one it had when it was last
    read is not read again: its YAML, its body's hash and line come from there (:func:`parse`).
    Its fields are read from them anew (they depend on the config and on other files)."""
    parsed = parse(note, kept)
    doc = parsed.doc
    if doc.data is not None and not isinstance(doc.data, dict):
        raise EpisodeError(
            "front matter must be a mapping of fields to values",
            note,
            2,
            "write one 'field: value' per line, e.g. 'title: Sleep and back pain' and "
            "'date: 2026-09-01'",
        )
    reader = FieldReader(doc, FRONT_MATTER, EpisodeError, base=note.parent, zone=zone)
    values = reader.read()
    return FrontMatter(
        values=values,
        first_line=doc.first_line,
        body_sha256=parsed.body_sha256,
        body_line=parsed.body_line,
        lines=tuple((str(p[0]), line) for p, line in doc.lines.items() if len(p) == 1),
        problems=(*reader.problems, *parsed.problems),
    )


class KeptParses(Protocol):
    """Where parsed notes are kept for the version of the file they were parsed from
    (:class:`publisher.filecache.BuildCache`)."""

    def kept(self, src: Path, kind: str) -> tuple[Any, Callable[[Any], None]]: ...


@dataclass(frozen=True)
class NoteParse:
    """What a note's text gives before its fields are read: its front matter's YAML (with
    the line of each key), its body's hash and first line, the problems found in its body."""

    doc: yamldoc.Doc
    body_sha256: str
    body_line: int
    problems: tuple[PublisherError, ...] = ()


KIND = "front matter"  # the name of the entry in the build cache's record of the note


def parse(note: Path, kept: KeptParses | None = None) -> NoteParse:
    """``note`` parsed; from ``kept`` when it holds the parse of the note as it is now (its
    stat), else read, parsed and kept there. A note is kept only without problems in its
    body, and only when what JSON gives back equals what was parsed (YAML's dates and times
    are tagged; a value JSON cannot hold, such as a binary or a set, is never kept).
    Raises EpisodeError (and OSError) as reading the note does."""
    if kept is None:
        return _parse(note)
    value, keep = kept.kept(note, KIND)  # the stat now, before the note is read
    found = _from_kept(value, note)
    if found is not None:
        return found
    parsed = _parse(note)
    value = _to_kept(parsed)
    if value is not None:
        back = _from_kept(value, note)
        if back is not None and _exactly(back) == _exactly(parsed):
            keep(value)
    return parsed


def _exactly(parsed: NoteParse) -> str:
    """``parsed`` as text that tells apart what ``==`` does not: a mapping's order, a date
    from a time, True from 1, 1.0 from 1."""
    return repr((parsed.doc.data, list(parsed.doc.lines.items()), parsed.body_sha256))


def _parse(note: Path) -> NoteParse:
    front, body, body_line = split_front_matter(_text(note), note)
    doc = yamldoc.load(front, note, first_line=2, error=EpisodeError)
    problems = tuple(_body_problems(note, body, body_line))
    return NoteParse(doc, body_digest(body), body_line, problems)


class _NotKept(Exception):
    """A value JSON cannot hold as it is."""


# Tags of what JSON has no type for. Every mapping of the note's is kept as {_MAP: pairs}, so
# none of them is ever taken for a tag, whatever its keys.
_DATETIME, _DATE, _MAP = "\0datetime", "\0date", "\0map"


def _to_kept(parsed: NoteParse) -> str | None:
    """The parse as one JSON text: 10,000 notes' parses as nested lists and dicts in the build
    cache took ~35 MB more of the build's memory, as text ~8 MB (issue 11)."""
    if parsed.problems:
        return None  # read again each time: its problems are reported each time
    try:
        data = _encode(parsed.doc.data)
    except _NotKept:
        return None
    lines = [[list(path), line] for path, line in parsed.doc.lines.items()]
    kept = {"data": data, "lines": lines, "body": parsed.body_sha256, "at": parsed.body_line}
    return json.dumps(kept, ensure_ascii=False, separators=(",", ":"))


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float):  # bool is an int
        return value
    if isinstance(value, dt.datetime):
        return {_DATETIME: value.isoformat()}
    if isinstance(value, dt.date):
        return {_DATE: value.isoformat()}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {_MAP: [[k, _encode(v)] for k, v in value.items()]}  # in order
    raise _NotKept


def _from_kept(value: Any, note: Path) -> NoteParse | None:
    """The parse :func:`_to_kept` kept; None for anything else (nothing kept, or a damaged
    or foreign entry)."""
    if not isinstance(value, str):
        return None
    try:
        value = json.loads(value)
        data, lines = _decode(value["data"]), {}
        for path, line in value["lines"]:
            if not all(isinstance(p, str | int) for p in path) or not isinstance(line, int):
                return None
            lines[tuple(path)] = line
        sha, at = value["body"], value["at"]
        if not isinstance(sha, str) or not isinstance(at, int):
            return None
    except (TypeError, KeyError, ValueError):
        return None
    return NoteParse(yamldoc.Doc(data, lines, note, 2), sha, at)


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if isinstance(value, dict):
        if len(value) == 1 and _DATETIME in value:
            return dt.datetime.fromisoformat(value[_DATETIME])
        if len(value) == 1 and _DATE in value:
            return dt.date.fromisoformat(value[_DATE])
        if len(value) == 1 and _MAP in value:
            return {str(k): _decode(v) for k, v in value[_MAP]}
        raise ValueError("not a value _encode writes")
    return value


def read_body(note: Path, sha256: str) -> str:
    """The body of ``note`` as it was when its front matter was read (``sha256``, from
    :func:`body_digest`). Raises EpisodeError when the note was changed since (or can no
    longer be read): the build that read it would otherwise mix two versions of it."""
    try:
        body = split_front_matter(_text(note), note)[1]
    except OSError as e:
        raise EpisodeError(f"cannot read the note: {e.strerror or e}", note) from e
    if body_digest(body) != sha256:
        raise EpisodeError(
            "the note changed while it was being built", note, None, "run the build again"
        )
    return body


def body_beyond(note: Path) -> tuple[str, int, bool] | None:
    """For a note whose front matter could not be read (not YAML, not a mapping, a value
    YAML cannot build): its body's SHA-256 and first line, and whether its front matter's
    text may name a bibliography (the word anywhere in it, in whatever shape: its citations
    may then be that file's, which is unknown, so none is said to be missing); None when the
    note cannot be read or split at its fences."""
    try:
        front, body, body_line = split_front_matter(_text(note), note)
    except (PublisherError, OSError):
        return None
    return body_digest(body), body_line, "bibliography" in front.lower()


def body_digest(body: str) -> str:
    """SHA-256 of a note's body, as an Episode keeps it (hex)."""
    return hashlib.sha256(body.encode("utf-8", "surrogatepass")).hexdigest()


def _text(note: Path) -> str:
    try:
        return note.read_text(encoding="utf-8-sig")  # editors on Windows may add a BOM
    except UnicodeDecodeError as e:
        raise EpisodeError("not UTF-8 text", note, None, "save the note as UTF-8") from e


# What XML_ILLEGAL finds in ASCII text: the C0 controls but tab, newline and carriage return
_ASCII_ILLEGAL = tuple(chr(c) for c in range(0x20) if chr(c) not in "\t\n\r")


def _may_hold_illegal(body: str) -> bool:
    """Whether ``body`` may hold a character XML 1.0 forbids: ASCII text is searched for
    each control character (~0.1 µs each, where the regex takes ~30 µs a note)."""
    if body.isascii():
        return any(c in body for c in _ASCII_ILLEGAL)
    return XML_ILLEGAL.search(body) is not None


def _body_problems(note: Path, body: str, body_line: int) -> list[PublisherError]:
    problems: list[PublisherError] = []
    lines = body.split("\n") if _may_hold_illegal(body) else []
    for offset, body_text in enumerate(lines):
        if m := XML_ILLEGAL.search(body_text):
            problems.append(
                EpisodeError(
                    f"the notes contain U+{ord(m.group()):04X}, which XML 1.0 forbids [D-01]",
                    note,
                    body_line + offset,
                    "delete it; such characters are often invisible in an editor",
                )
            )
    if PLACEHOLDER in body:
        at = body_line + body[: body.index(PLACEHOLDER)].count("\n")
        problems.append(
            EpisodeError(
                "the note still holds the placeholder text from 'publisher new'",
                note,
                at,
                "replace it with the episode's show notes",
            )
        )
    return problems
