"""The one error type users see, its few subclasses, and the typed warning.

Every problem a producer can fix is a :class:`PublisherError` carrying the file and line it
concerns. It prints as ``path:line: problem (hint)``. Anything else that escapes is a bug and
keeps its traceback. Things a producer should know but that do not stop a run are
:class:`Notice` values of the same shape (path, line, rule, message, hint).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_RULE = re.compile(r"\[([A-Z]-\d{2})\]")


def rule_of(message: str) -> str | None:
    """The first feed-rule ID (``C-03``, ``I-04`` …, docs/feed-rules.md) a message names."""
    found = _RULE.search(message)
    return found.group(1) if found else None


def _where(path: Path | None, line: int | None) -> str:
    if path is None:
        return ""
    where = display_path(path)
    if line is not None:
        where += f":{line}"
    return where + ": "


def display_path(path: Path | str) -> str:
    """``path`` relative to the working directory when it lies below it, else as given."""
    p = Path(path)
    try:
        rel = os.path.relpath(p)
    except ValueError:  # another drive on Windows
        return str(p)
    return str(p) if rel.startswith("..") else rel


class PublisherError(Exception):
    """A problem the producer can fix: what went wrong, where, and what to do.

    ``notices``: the warnings (and information) the run had found when it stopped, said
    with its problems (a stage that knows them attaches them)."""

    notices: tuple[Notice, ...] = ()

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

    @property
    def rule(self) -> str | None:
        """The feed-rule ID the message names, if any."""
        return rule_of(self.message)

    def __str__(self) -> str:
        text = _where(self.path, self.line) + self.message
        if self.hint:
            text += f" ({self.hint})"
        return text

    def as_json(self) -> dict[str, Any]:
        """``{"path", "line", "rule", "message", "hint"}``, null where absent."""
        return _json(self.path, self.line, self.rule, self.message, self.hint)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as its class, arguments and fields, whatever its ``__init__`` takes: a build
        in a child process sends its error back so (:mod:`publisher.build.apart`)."""
        return (_unpickle, (type(self), self.args, dict(vars(self))))


@dataclass(frozen=True)
class Notice:
    """A warning (or, with ``warning=False``, plain information) that does not stop a run.

    Prints as ``path:line: warning: message (hint)``; ``rule`` defaults to the feed-rule ID
    the message names.
    """

    message: str
    path: Path | None = None
    line: int | None = None
    hint: str | None = None
    rule: str | None = None
    warning: bool = True

    def __post_init__(self) -> None:
        if self.rule is None:
            object.__setattr__(self, "rule", rule_of(self.message))

    def __str__(self) -> str:
        text = _where(self.path, self.line) + ("warning: " if self.warning else "") + self.message
        if self.hint:
            text += f" ({self.hint})"
        return text

    def as_json(self) -> dict[str, Any]:
        """``{"path", "line", "rule", "message", "hint"}``, null where absent."""
        return _json(self.path, self.line, self.rule, self.message, self.hint)


def _json(
    path: Path | None, line: int | None, rule: str | None, message: str, hint: str | None
) -> dict[str, Any]:
    return {
        "path": display_path(path) if path is not None else None,
        "line": line,
        "rule": rule,
        "message": message,
        "hint": hint,
    }


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


class SiteError(PublisherError):
    """The website cannot be rendered (a broken template override)."""


class StoreError(PublisherError):
    """A publish target cannot be read or written."""


class GuidChangedError(StoreError):
    """An episode already in the published feed would be sent under another GUID (I-04)."""


class PublishStopped(PublisherError):
    """A publish stopped at a safe point because the producer asked (Ctrl-C): no file was
    started after that, every file that landed is recorded, a rerun finishes (exit 130)."""

    def __init__(self, location: str) -> None:
        super().__init__(
            f"{location}: stopped; every file that finished is recorded, the rest not started",
            hint="run the same command again to finish",
        )


class VerifyError(PublisherError):
    """The published show is not reachable the way a podcast app would reach it."""


class Problems(PublisherError):
    """Several problems found in one run, reported together."""

    def __init__(self, problems: Iterable[PublisherError]) -> None:
        self.problems: tuple[PublisherError, ...] = tuple(flatten(problems))
        count = len(self.problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} found")

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


def _unpickle(
    cls: type[PublisherError], args: tuple[Any, ...], fields: dict[str, Any]
) -> PublisherError:
    error = cls.__new__(cls, *args)
    error.args = args
    vars(error).update(fields)
    return error


def flatten(problems: Iterable[PublisherError]) -> Iterable[PublisherError]:
    """Each problem of ``problems``, those of a :class:`Problems` one by one."""
    for p in problems:
        if isinstance(p, Problems):
            yield from p.problems
        else:
            yield p


def raise_all(problems: list[PublisherError]) -> None:
    """Raise the collected problems: the one itself, or :class:`Problems` for several."""
    flat = tuple(flatten(problems))
    if len(flat) == 1:
        raise flat[0]
    if flat:
        raise Problems(flat)
