"""One field schema for feed_config.yaml and front matter: fields, kinds, and the one reader.

A :class:`Field` is one row of a table (``publisher.config.fields``): its name, its
:class:`Kind` (what YAML value it takes and what it becomes), default, whether it is required,
an extra check, the hint printed with its problems and the feed-rule ID (docs/feed-rules.md).
:class:`FieldReader` reads a :class:`~publisher.config.yamldoc.Doc` against a table, so
unknown keys ("did you mean …"), line numbers and messages are worded the same in both files.
Adding a field is adding a row.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from publisher.config import yamldoc
from publisher.config.text import xml_illegal_chars
from publisher.errors import PublisherError


class Mismatch(Exception):
    """Raised by a kind's ``convert`` when a value is not of the kind at all: the reader then
    says "'key' must be <kind.expects>, not <value>"."""


@dataclass(frozen=True)
class Context:
    """What a kind's ``convert`` may use: the field's name, where relative paths start, the
    show's time zone, and ``fail`` for problems below the field (``fail(message, *subpath)``)."""

    name: str
    source: Path
    base: Path
    zone: ZoneInfo | None
    report: Callable[..., None] = field(repr=False)
    line: Callable[..., int] = field(repr=False)

    def fail(self, message: str, *subpath: str | int, hint: str | None = None) -> None:
        """Report ``message`` at the line of ``name`` (or of ``name.subpath``)."""
        self.report(message, self.name, *subpath, hint=hint)


@dataclass(frozen=True)
class Kind:
    """What a field takes: ``expects`` completes "'key' must be …"; ``convert`` turns a
    non-null YAML value into the field's value, raises :class:`Mismatch` for the wrong type,
    or reports deeper problems through the context and returns None."""

    expects: str
    convert: Callable[[Any, Context], Any]


@dataclass(frozen=True)
class Field:
    """One row of a schema table."""

    name: str
    kind: Kind
    default: Any = None
    required: bool = False
    # A problem with a converted value, completing "'key' …" (e.g. "is 5000 bytes; at most
    # 4000"), with its own hint as (problem, hint), or None when the value is fine.
    check: Callable[[Any], str | tuple[str, str] | None] | None = None
    hint: str | None = None  # printed with a wrong or failed value of this field
    rule: str | None = None  # feed-rule ID appended to its messages, e.g. "C-04"
    # A line to write instead of a wrong value, e.g. "explicit: false": the hint of a field
    # without one of its own, so that every problem says what to write
    example: str | None = None

    @property
    def fix(self) -> str | None:
        """The hint printed with a wrong value: the field's own, else its example."""
        return self.hint or (f"write e.g. '{self.example}'" if self.example else None)


@dataclass(frozen=True)
class Schema:
    """The fields one file accepts, in README order; ``where`` names the file in hints."""

    where: str
    fields: tuple[Field, ...]

    @property
    def names(self) -> tuple[str, ...]:
        """Every accepted key."""
        return tuple(f.name for f in self.fields)


def unknown_key(key: str, allowed: Collection[str]) -> tuple[str, str]:
    """(message, hint) for a key not in ``allowed``: the closest name, or all of them."""
    close = difflib.get_close_matches(key, sorted(allowed), n=1)
    hint = f"did you mean '{close[0]}'?" if close else "allowed: " + ", ".join(allowed)
    return f"unknown key '{key}'", hint


def describe(value: Any) -> str:
    """A short description of a YAML value for "…, not <value>"."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dt.date):
        return value.isoformat()
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…'"


class FieldReader:
    """Reads one YAML mapping against a schema, collecting every problem with its line.

    ``read()`` returns every field's value (its default when absent or invalid);
    ``problems`` then holds what was wrong, as ``error`` instances naming ``doc.source``.
    ``skip(key)`` may claim unknown keys that the caller reports itself (e.g. secrets).
    """

    def __init__(
        self,
        doc: yamldoc.Doc,
        schema: Schema,
        error: type[PublisherError],
        *,
        base: Path,
        zone: ZoneInfo | None = None,
        skip: Callable[[str], bool] = lambda key: False,
    ) -> None:
        self.doc, self.schema, self.error = doc, schema, error
        self.base, self.zone, self.skip = base, zone, skip
        self.data: Mapping[str, Any] = doc.data if isinstance(doc.data, dict) else {}
        self.problems: list[PublisherError] = []

    def fail(self, message: str, *path: str | int, hint: str | None = None) -> None:
        """Report ``message`` at the line of ``path`` (the document start without one)."""
        self.problems.append(self.error(message, self.doc.source, self.doc.line(*path), hint))

    def read(self) -> dict[str, Any]:
        """Every field's value by name; problems are collected in ``self.problems``."""
        for path, char in xml_illegal_chars(dict(self.data)):
            self.fail(
                f"'{'.'.join(map(str, path))}' contains {char}, which XML 1.0 forbids [D-01]",
                *path,
                hint="delete it; such characters are often invisible in an editor",
            )
        for key in self.data:
            if key not in self.schema.names and not self.skip(key):
                message, hint = unknown_key(key, self.schema.names)
                self.fail(message, key, hint=hint)
        return {f.name: self._value(f) for f in self.schema.fields}

    def _value(self, f: Field) -> Any:
        raw = self.data.get(f.name)
        rule = f" [{f.rule}]" if f.rule else ""
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if f.required:
                empty = raw is not None or f.name in self.data
                hint = f"add '{f.name}:' to {self.schema.where}"
                self.fail(f"'{f.name}' is {'empty' if empty else 'required'}{rule}", hint=hint)
            return f.default
        context = Context(f.name, self.doc.source, self.base, self.zone, self.fail, self.doc.line)
        try:
            value = f.kind.convert(raw, context)
        except Mismatch:
            message = f"'{f.name}' must be {f.kind.expects}, not {describe(raw)}{rule}"
            self.fail(message, f.name, hint=f.fix)
            return f.default
        if value is None:
            return f.default
        problem = f.check(value) if f.check else None
        if problem:
            said, fix = problem if isinstance(problem, tuple) else (problem, f.fix)
            self.fail(f"'{f.name}' {said}{rule}", f.name, hint=fix)
            return f.default
        return value


def check_keys(
    spec: Mapping[str, Any], allowed: Iterable[str], fail: Callable[..., None], *where: str | int
) -> None:
    """Report every key of a nested mapping (a target, a person, ``owner``) not in
    ``allowed``, worded as for top-level keys, at ``where + (key,)``."""
    names = tuple(allowed)
    for key in spec:
        if str(key) not in names:
            message, hint = unknown_key(str(key), names)
            fail(message, *where, str(key), hint=hint)


# --- kinds shared by both files -----------------------------------------------------------


def _text(value: Any, _: Context) -> str | None:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise Mismatch
    return str(value).strip() or None


def _boolean(value: Any, _: Context) -> bool:
    if not isinstance(value, bool):
        raise Mismatch
    return value


def _positive(value: Any, _: Context) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise Mismatch
    return value


def _mapping(value: Any, _: Context) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Mismatch
    return value


def _paths(value: Any, context: Context) -> tuple[Path, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(p, str) and p.strip() for p in items):
        raise Mismatch
    return tuple(context.base / p.strip() for p in items)


def _existing_file(value: Any, context: Context) -> Path | None:
    rel = _text(value, context)
    if rel is None:
        return None
    path = context.base / rel
    if not path.is_file():
        context.fail(f"'{context.name}' {rel!r} not found", hint=f"looked for {path}")
        return None
    return path


def _words(value: Any, _: Context) -> tuple[str, ...]:
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list) or not all(
        isinstance(k, str | int) and not isinstance(k, bool) for k in items
    ):
        raise Mismatch
    return tuple(k for k in (str(i).strip() for i in items) if k)


def choice(*options: str) -> Kind:
    """One of ``options`` (text)."""

    def convert(value: Any, _: Context) -> str:
        if value not in options:
            raise Mismatch
        return str(value)

    return Kind(", ".join(options[:-1]) + " or " + options[-1], convert)


TEXT = Kind("text", _text)
BOOLEAN = Kind("true or false", _boolean)
POSITIVE = Kind("a whole number from 1 up", _positive)
MAPPING = Kind("a mapping", _mapping)
PATHS = Kind("a path or a list of paths", _paths)
EXISTING_FILE = Kind("the path of a file", _existing_file)
WORDS = Kind("a list of words or a comma-separated text", _words)
