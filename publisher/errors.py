"""The one error type users see, and its few subclasses.

Every problem a producer can fix is a :class:`PublisherError` carrying the file and line it
concerns. It prints as ``path:line: problem (hint)``. Anything else that escapes is a bug and
keeps its traceback.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path


def display_path(path: Path | str) -> str:
    """``path`` relative to the working directory when it lies below it, else as given."""
    p = Path(path)
    try:
        rel = os.path.relpath(p)
    except ValueError:  # another drive on Windows
        return str(p)
    return str(p) if rel.startswith("..") else rel


class PublisherError(Exception):
    """A problem the producer can fix: what went wrong, where, and what to do."""

    def __init__(
        self,
        message: str,
        path: Path | str | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line
        self.hint = hint

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = display_path(self.path)
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        text = where + self.message
        if self.hint:
            text += f" ({self.hint})"
        return text


class ConfigError(PublisherError):
    """feed_config.yaml is missing, malformed or invalid."""


class EpisodeError(PublisherError):
    """An episode's files do not pair up, or its front matter is invalid."""


class AudioError(PublisherError):
    """An audio file cannot be read, is of a refused type, or is damaged."""


class NotesError(PublisherError):
    """Show notes, citations, bibliography or citation style are invalid."""


class FeedError(PublisherError):
    """The feed cannot be built from the show as it is."""


class StoreError(PublisherError):
    """A publish target cannot be read or written."""


class GuidChangedError(StoreError):
    """An episode already in the published feed would be sent under another GUID (I-04)."""


class VerifyError(PublisherError):
    """The published show is not reachable the way a podcast app would reach it."""


class Problems(PublisherError):
    """Several problems found in one run, reported together."""

    def __init__(self, problems: Iterable[PublisherError]) -> None:
        self.problems: tuple[PublisherError, ...] = tuple(_flatten(problems))
        count = len(self.problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} found")

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


def _flatten(problems: Iterable[PublisherError]) -> Iterable[PublisherError]:
    for p in problems:
        if isinstance(p, Problems):
            yield from p.problems
        else:
            yield p


def raise_all(problems: list[PublisherError]) -> None:
    """Raise the collected problems: the one itself, or :class:`Problems` for several."""
    flat = tuple(_flatten(problems))
    if len(flat) == 1:
        raise flat[0]
    if flat:
        raise Problems(flat)
