"""A note's front matter and body: split at the ``---`` fences, fields read through the one
schema (``publisher.config.fields.FRONT_MATTER``), body checked for what XML forbids."""

from __future__ import annotations

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
from publisher.model import pack_text

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
    packed_body: bytes  # the body, packed as an Episode keeps it (model.pack_text): all
    # the notes are read before the first episode is made
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
    try:
        text = note.read_text(encoding="utf-8-sig")  # editors on Windows may add a BOM
    except UnicodeDecodeError as e:
        raise EpisodeError("not UTF-8 text", note, None, "save the note as UTF-8") from e
    front, body, body_line = split_front_matter(text, note)
    doc = yamldoc.load(front, note, first_line=2, error=EpisodeError)
    if doc.data is not None and not isinstance(doc.data, dict):
        raise EpisodeError("front matter must be a mapping of fields to values", note, 2)
    reader = FieldReader(doc, FRONT_MATTER, EpisodeError, base=note.parent, zone=zone)
    values = reader.read()
    problems = [*reader.problems, *_body_problems(note, body, body_line)]
    return FrontMatter(
        values=values,
        first_line=doc.first_line,
        packed_body=pack_text(body),
        body_line=body_line,
        lines=tuple((str(p[0]), line) for p, line in doc.lines.items() if len(p) == 1),
        problems=tuple(problems),
    )


def _body_problems(note: Path, body: str, body_line: int) -> list[PublisherError]:
    problems: list[PublisherError] = []
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
