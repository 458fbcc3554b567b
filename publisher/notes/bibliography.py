"""Bibliography files → CSL-JSON items keyed by citation key: the :class:`Bibliography` type.

BibTeX (``.bib``) is read by :mod:`.bibtex` (with pybtex); CSL-JSON (``.json``) and CSL-YAML
(``.yaml``/``.yml``), as Zotero exports them, are read here with the standard library and
:mod:`publisher.config.yamldoc`. A file may start with a UTF-8 byte order mark. Every entry
remembers
the file and line it came from, so a clash between two files can name both.
"""

from __future__ import annotations

import codecs
import datetime
import itertools
import json
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from publisher.config import yamldoc
from publisher.errors import NotesError, PublisherError, display_path, raise_all
from publisher.notes.csl import DATE_FIELDS, ITEM_TYPES, NAME_FIELDS, CslItem, normalise_doi


@dataclass(frozen=True)
class Origin:
    """Where an entry was defined."""

    path: Path
    line: int | None


@dataclass(frozen=True, eq=False)
class Bibliography:
    """CSL-JSON items by citation key, each with the file and line it came from."""

    items: Mapping[str, CslItem] = field(default_factory=dict)
    origins: Mapping[str, Origin] = field(default_factory=dict)
    files: tuple[Path, ...] = ()  # every file read, in order, entries or not

    @classmethod
    def empty(cls) -> Bibliography:
        return cls(MappingProxyType({}), MappingProxyType({}))

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(self.items)

    @property
    def files_without_entries(self) -> tuple[Path, ...]:
        """The files read that hold no entry (empty, or cut short before the first one)."""
        used = {origin.path for origin in self.origins.values()}
        return tuple(f for f in self.files if f not in used)

    def merge(self, other: Bibliography, *, source: Path, line: int | None) -> Bibliography:
        """This bibliography plus ``other``; ``source``/``line`` name where ``other`` was given.

        Raises NotesError (or Problems) for every key defined in both.
        """
        merged, problems = self._merged(other, source=source, line=line)
        raise_all(problems)
        return merged

    def _merged(
        self, other: Bibliography, *, source: Path, line: int | None
    ) -> tuple[Bibliography, list[PublisherError]]:
        """This plus ``other``'s new keys (a clash keeps the first), and a problem per clash."""
        problems: list[PublisherError] = []
        for key in sorted(self.keys & other.keys):
            a, b = self.origins[key], other.origins[key]
            if a.line == b.line and _same_file(a.path, b.path):
                continue  # one file named twice (a note naming the show's own): no clash
            problems.append(
                NotesError(
                    f"duplicate citation key '{key}': defined in {_where(a)} and in {_where(b)}",
                    source,
                    line,
                )
            )
        new = [key for key in other.items if key not in self.items]
        merged = Bibliography(
            MappingProxyType({**self.items, **{k: other.items[k] for k in new}}),
            MappingProxyType({**self.origins, **{k: other.origins[k] for k in new}}),
            tuple(dict.fromkeys((*self.files, *other.files))),
        )
        return merged, problems


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a == b or os.path.samefile(a, b)
    except OSError:
        return False


def _where(origin: Origin) -> str:
    err = NotesError("", origin.path, origin.line)
    return str(err).removesuffix(": ")


def load_bibliography(
    paths: Sequence[Path],
    *,
    source: Path | None = None,
    line: int | None = None,
    read_one: Callable[[Path, Callable[[Path], Bibliography]], Bibliography] | None = None,
) -> Bibliography:
    """Read and merge bibliography files (.bib, .json, .yaml/.yml).

    ``source``/``line`` say where the paths were named, for "not found" errors.
    ``read_one(path, parse)``, when given, reads one file, calling ``parse(path)`` unless it
    knows the result already (the build's cache of parsed files). Raises
    NotesError, or Problems carrying every problem found in all the files: missing and
    unreadable files, malformed entries, and keys defined twice, in one file or across files
    (a key clashing with an earlier file is still compared with the later ones).
    """
    problems: list[PublisherError] = []
    result = Bibliography.empty()
    for path in paths:
        if not path.is_file():
            shown = display_path(os.path.normpath(path))  # "a/../b.bib" as "b.bib"
            problems.append(
                NotesError(
                    f"bibliography file not found: {shown}",
                    source or path,
                    line,
                    "check the file's name; a note names it from the note's folder, "
                    "feed_config.yaml from the show's",
                )
            )
            continue
        try:
            loaded = read_one(path, _load_one) if read_one else _load_one(path)
        except PublisherError as e:
            problems.append(e)
            continue
        result, clashes = result._merged(loaded, source=source or path, line=line)
        problems.extend(clashes)
    raise_all(problems)
    return result


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as e:
        raise NotesError(f"cannot read bibliography file: {e.strerror or e}", path) from e
    # Windows editors and some exporters start UTF-8 files with a byte order mark; it is
    # dropped before decoding (not "utf-8-sig") so that an error's offset is still the file's.
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        n = data.count(b"\n", 0, e.start) + 1  # the BOM holds no newline
        raise NotesError(
            f"not UTF-8 text (byte 0x{data[e.start]:02x} at line {n})",
            path,
            n,
            hint="save the file as UTF-8; reference managers offer it on export",
        ) from e


def _load_one(path: Path) -> Bibliography:
    suffix = path.suffix.lower()
    text = _read_text(path)
    if not text.strip() and suffix in (".bib", ".json", ".yaml", ".yml"):
        items = {}  # an empty file is an empty bibliography: an error only once cited
    elif suffix == ".bib":
        from publisher.notes.bibtex import read_bibtex  # pybtex: only for a file not cached

        items = read_bibtex(path, text)
    elif suffix == ".json":
        items = _read_csl_json(path, text)
    elif suffix in (".yaml", ".yml"):
        items = _read_csl_yaml(path, text)
    else:
        raise NotesError(
            f"unknown bibliography format '{path.suffix}'",
            path,
            hint="use .bib (BibTeX), .json (CSL-JSON) or .yaml (CSL-YAML)",
        )
    origins = {key: Origin(path, ln) for key, (_, ln) in items.items()}
    return Bibliography(
        MappingProxyType({key: item for key, (item, _) in items.items()}),
        MappingProxyType(origins),
        (path,),
    )


# --- CSL-JSON and CSL-YAML ---------------------------------------------------------------


def _entry_line_before(text: str, line: int, pattern: str) -> int:
    found = [i for i, ln in enumerate(text.split("\n")[:line], 1) if re.match(pattern, ln)]
    return found[-1] if found else line


def _read_csl_json(path: Path, text: str) -> dict[str, tuple[CslItem, int | None]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        n = _entry_line_before(text, e.lineno, r"\s*(\[\s*)?\{")
        raise NotesError(
            f"malformed CSL-JSON in the entry starting near line {n}: {e.msg} (line {e.lineno})",
            path,
            n,
        ) from e
    lines = _id_lines(text, r'"id"\s*:\s*"?([^",}\s]+)')
    return _csl_items(path, data, lines, "CSL-JSON")


def _read_csl_yaml(path: Path, text: str) -> dict[str, tuple[CslItem, int | None]]:
    # yamldoc names the line of a syntax error and of a value YAML cannot build, such as
    # the impossible date "issued: 2020-02-30" (a ValueError inside PyYAML).
    data = yamldoc.load(text, path, error=NotesError).data
    if isinstance(data, dict) and "references" in data:
        data = data["references"]  # pandoc's and Zotero's "references:" wrapper
    if data is None:
        data = []  # only comments, or "references:" with nothing under it
    lines = _id_lines(text, r"\bid\s*:\s*(\S+)")
    return _csl_items(path, data, lines, "CSL-YAML")


def _id_lines(text: str, pattern: str) -> dict[str, list[int]]:
    """Every line an entry id stands on, in order (an id may stand twice: a duplicate)."""
    found: dict[str, list[int]] = {}
    for m in re.finditer(pattern, text):
        key = m.group(1).strip("'\"")
        found.setdefault(key, []).append(text.count("\n", 0, m.start()) + 1)
    return found


def _csl_items(
    path: Path, data: object, id_lines: Mapping[str, list[int]], fmt: str
) -> dict[str, tuple[CslItem, int | None]]:
    if not isinstance(data, list):
        raise NotesError(f"malformed {fmt}: expected a list of entries", path, 1)
    items: dict[str, tuple[CslItem, int | None]] = {}
    problems: list[PublisherError] = []
    seen: dict[str, int] = {}  # how often each id was met: its n-th occurrence has n-th line

    def line_of(key: str) -> int | None:
        n = seen.get(key, 0)
        seen[key] = n + 1
        found = id_lines.get(key, [])
        return found[min(n, len(found) - 1)] if found else None

    for index, raw in enumerate(data, 1):
        try:
            key, item = _check_csl_item(raw, index, fmt)
        except NotesError as e:
            key = str(raw.get("id")) if isinstance(raw, dict) else ""
            problems.append(NotesError(e.message, path, line_of(key)))
            continue
        line = line_of(key)
        if key in items:
            first = items[key][1]
            problems.append(
                NotesError(
                    f"duplicate citation key '{key}' (first defined at line {first})", path, line
                )
            )
            continue
        items[key] = (item, line)
    raise_all(problems)
    return items


def _check_csl_item(raw: object, index: int, fmt: str) -> tuple[str, dict[str, Any]]:
    """The entry's key and a clean copy; NotesError (no path) when its shape is wrong."""
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str | int):
        raise NotesError(f"malformed {fmt}: entry {index} has no 'id'")
    key = str(raw["id"])
    kind = str(raw.get("type") or "document")
    # A type CSL does not define (a typo, a reference manager's own) renders as a document.
    item: dict[str, Any] = {"id": key, "type": kind if kind in ITEM_TYPES else "document"}
    for name, value in raw.items():
        if name in ("id", "type"):
            continue
        if name in NAME_FIELDS:
            if not (isinstance(value, list) and all(_is_name(v) for v in value)):
                raise NotesError(f"malformed {fmt}: entry '{key}': '{name}' is not a name list")
            names = [{k: str(v) for k, v in n.items() if v is not None} for n in value]
            item[name] = [n for n in names if n]
        elif name in DATE_FIELDS:
            date = _check_date(value, key, name, fmt)
            if date is not None:
                item[name] = date
        elif isinstance(value, str | int | float) and not isinstance(value, bool):
            item[name] = str(value)
        # other shapes (custom objects, lists) are not CSL variables: ignored
    if "DOI" in item:
        item["DOI"] = normalise_doi(item["DOI"])
    if "journalAbbreviation" in item:  # Zotero's older name for the short journal title
        item.setdefault("container-title-short", item.pop("journalAbbreviation"))
    return key, item


def _is_name(value: object) -> bool:
    return isinstance(value, dict) and all(
        isinstance(k, str) and (v is None or isinstance(v, str | int)) for k, v in value.items()
    )


def _check_date(value: object, key: str, name: str, fmt: str) -> dict[str, Any] | None:
    if isinstance(value, datetime.date):  # YAML reads an unquoted 2020-03-15 as a date
        return {"date-parts": [[value.year, value.month, value.day]]}
    if (
        isinstance(value, list)
        and value
        and all(isinstance(v, dict) and _int_like(v.get("year")) for v in value)
    ):
        # Better BibTeX's CSL-YAML (and pandoc-citeproc's): "- year: 2015\n  month: 4",
        # one mapping per end of a range.
        value = {
            "date-parts": [[v.get(k) for k in ("year", "month", "day") if k in v] for v in value]
        }
    if isinstance(value, dict):
        parts = value.get("date-parts")
        if isinstance(parts, list) and all(
            isinstance(p, list) and all(x is None or _int_like(x) for x in p) for p in parts
        ):
            # Exporters write a missing month or day as null; a date stops at the first gap.
            clean = [[int(x) for x in itertools.takewhile(_int_like, p)] for p in parts]
            if any(clean):
                return {"date-parts": [p for p in clean if p]}
            if not any(k in value for k in ("literal", "raw")):
                return None  # "date-parts": [[]] or [[null]]: no date given
        if isinstance(value.get("literal"), str):
            return {"literal": value["literal"]}
        if isinstance(value.get("raw"), str):
            return _from_iso(value["raw"], key, name, fmt)
    if isinstance(value, str | int):
        return _from_iso(str(value), key, name, fmt)
    raise NotesError(f"malformed {fmt}: entry '{key}': '{name}' is not a date")


def _int_like(x: object) -> bool:
    return isinstance(x, int) or (isinstance(x, str) and x.isdigit())


def _from_iso(text: str, key: str, name: str, fmt: str) -> dict[str, Any]:
    m = re.fullmatch(r"(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?", text.strip())
    if m is None:
        return {"literal": text}
    return {"date-parts": [[int(g) for g in m.groups() if g]]}
