"""A note's front matter and body: split at the ``---`` fences, fields read through the one
schema (``publisher.config.fields.FRONT_MATTER``), body checked for what XML forbids."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
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
        raise EpisodeError("front matter is not closed; add a '---' line after it", source, 1)
    return "\n".join(lines[1:end]) + "\n", "\n".join(lines[end + 1 :]), end + 2


def closing_fence(lines: Sequence[str]) -> int | None:
    """The index of the line that closes the front matter ("---" or "..."), if any."""
    return next((i for i in range(1, len(lines)) if _is_fence(lines[i], _ENDS)), None)


def _is_fence(line: str, marks: tuple[str, ...]) -> bool:
    return line.rstrip("\r").rstrip(" \t") in marks


def read_front_matter(note: Path, zone: ZoneInfo) -> FrontMatter:
    """Read ``note``: its fields (dates without an offset are in ``zone``) and its body.
    Raises EpisodeError when the note cannot be split or parsed at all; every other problem
    is in the result's ``problems``."""
    front, body, body_line = split_front_matter(_text(note), note)
    doc = yamldoc.load(front, note, first_line=2, error=EpisodeError)
    if doc.data is not None and not isinstance(doc.data, dict):
        raise EpisodeError("front matter must be a mapping of fields to values", note, 2)
    reader = FieldReader(doc, FRONT_MATTER, EpisodeError, base=note.parent, zone=zone)
    values = reader.read()
    problems = [*reader.problems, *_body_problems(note, body, body_line)]
    return FrontMatter(
        values=values,
        first_line=doc.first_line,
        body_sha256=body_digest(body),
        body_line=body_line,
        lines=tuple((str(p[0]), line) for p, line in doc.lines.items() if len(p) == 1),
        problems=tuple(problems),
    )


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
