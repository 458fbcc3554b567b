"""Bibliography files → CSL-JSON items keyed by citation key (the only pybtex import).

BibTeX (``.bib``) is read with pybtex, which reports syntax errors with a line and rejects
duplicate keys; CSL-JSON (``.json``) and CSL-YAML (``.yaml``/``.yml``), as Zotero exports them,
are read with the standard library and PyYAML. Every entry remembers the file and line it came
from, so a clash between two files can name both.
"""

from __future__ import annotations

import datetime
import itertools
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pybtex.errors
import yaml
from pybtex.database import BibliographyDataError, Entry, Person
from pybtex.database.input.bibtex import Parser
from pybtex.plugin import find_plugin
from pybtex.richtext import Text
from pybtex.scanner import PybtexError, PybtexSyntaxError

from publisher.errors import NotesError, PublisherError, raise_all

# BibTeX's "and others" is not a name; it travels to citeproc as this literal name and is
# turned into the style's "et al." after rendering (see citations.py). Plain ASCII letters so
# that no formatter escapes or re-cases it.
ET_AL_SENTINEL = "Zq9EtAlSentinelQz"

CslItem = Mapping[str, Any]

_BIBTEX_TYPES = {
    "article": "article-journal",
    "book": "book",
    "booklet": "pamphlet",
    "inbook": "chapter",
    "incollection": "chapter",
    "inproceedings": "paper-conference",
    "conference": "paper-conference",
    "manual": "book",
    "mastersthesis": "thesis",
    "phdthesis": "thesis",
    "techreport": "report",
    "report": "report",
    "online": "webpage",
    "webpage": "webpage",
    "electronic": "webpage",
    "www": "webpage",
    "unpublished": "manuscript",
}

_BIBTEX_FIELDS = {
    "title": "title",
    "booktitle": "container-title",
    "journal": "container-title",
    "journaltitle": "container-title",
    "publisher": "publisher",
    "institution": "publisher",
    "organization": "publisher",
    "school": "publisher",
    "address": "publisher-place",
    "location": "publisher-place",
    "volume": "volume",
    "edition": "edition",
    "chapter": "chapter-number",
    "series": "collection-title",
    "doi": "DOI",
    "url": "URL",
    "isbn": "ISBN",
    "issn": "ISSN",
    "pmid": "PMID",
    "pmcid": "PMCID",
    "shortjournal": "container-title-short",  # BibLaTeX (Better BibTeX): AMA prints this one
    "note": "note",
    "type": "genre",
    "abstract": "abstract",
}

_NAME_FIELDS = ("author", "editor", "translator", "container-author")
_DATE_FIELDS = ("issued", "accessed", "original-date", "event-date", "submitted")
_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}


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

    @classmethod
    def empty(cls) -> Bibliography:
        return cls(MappingProxyType({}), MappingProxyType({}))

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(self.items)

    def merge(self, other: Bibliography, *, source: Path, line: int | None) -> Bibliography:
        """This bibliography plus ``other``; ``source``/``line`` name where ``other`` was given.

        Raises NotesError (or Problems) for every key defined in both.
        """
        problems: list[PublisherError] = []
        for key in sorted(self.keys & other.keys):
            a, b = self.origins[key], other.origins[key]
            problems.append(
                NotesError(
                    f"duplicate citation key '{key}': defined in {_where(a)} and in {_where(b)}",
                    source,
                    line,
                )
            )
        raise_all(problems)
        return Bibliography(
            MappingProxyType({**self.items, **other.items}),
            MappingProxyType({**self.origins, **other.origins}),
        )


def _where(origin: Origin) -> str:
    err = NotesError("", origin.path, origin.line)
    return str(err).removesuffix(": ")


def load_bibliography(
    paths: Sequence[Path], *, source: Path | None = None, line: int | None = None
) -> Bibliography:
    """Read and merge bibliography files (.bib, .json, .yaml/.yml).

    ``source``/``line`` say where the paths were named, for "not found" errors. Raises
    NotesError, or Problems carrying every problem found in all the files.
    """
    problems: list[PublisherError] = []
    result = Bibliography.empty()
    for path in paths:
        if not path.is_file():
            problems.append(
                NotesError(f"bibliography file not found: {path}", source or path, line)
            )
            continue
        try:
            loaded = _load_one(path)
            result = result.merge(loaded, source=source or path, line=line)
        except PublisherError as e:
            problems.append(e)
    raise_all(problems)
    return result


def _load_one(path: Path) -> Bibliography:
    suffix = path.suffix.lower()
    text = path.read_text(encoding="utf-8")
    if suffix == ".bib":
        items = _read_bibtex(path, text)
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
    )


# --- BibTeX -----------------------------------------------------------------------------

_BIB_ENTRY = re.compile(r"^[ \t]*@[ \t]*(\w+)[ \t]*[{(][ \t]*([^,\s]*)", re.MULTILINE)


def _entry_starts(text: str) -> list[tuple[int, str, str]]:
    """(line, type, key) of every entry, from the text (pybtex keeps no entry lines)."""
    return [
        (text.count("\n", 0, m.start()) + 1, m.group(1).lower(), m.group(2))
        for m in _BIB_ENTRY.finditer(text)
    ]


def _culprit_line(text: str, error_line: int) -> int:
    """The entry a syntax error belongs to.

    pybtex notices an unclosed brace only where it gives up (often the next entry or the end
    of the file), so the first entry whose braces do not balance is blamed; otherwise the
    entry that contains the error line.
    """
    starts = [s for s in _entry_starts(text) if s[1] not in ("comment", "preamble", "string")]
    lines = text.split("\n")
    bounds = [s[0] for s in starts] + [len(lines) + 1]
    for begin, end in zip(bounds, bounds[1:], strict=False):
        chunk = "\n".join(lines[begin - 1 : end - 1])
        chunk = chunk.replace("\\{", "").replace("\\}", "")
        if chunk.count("{") != chunk.count("}"):
            return begin
    before = [b for b in bounds[:-1] if b <= error_line]
    return before[-1] if before else error_line


def _read_bibtex(path: Path, text: str) -> dict[str, tuple[CslItem, int | None]]:
    lines: dict[str, int] = {}
    seen: dict[str, tuple[str, int]] = {}  # BibTeX keys are case-insensitive (pybtex too)
    for ln, kind, key in _entry_starts(text):
        if kind in ("comment", "preamble", "string"):
            continue
        if key.lower() in seen:
            first, first_ln = seen[key.lower()]
            as_written = "" if first == key else f" as '{first}'"
            raise NotesError(
                f"duplicate citation key '{key}' (first defined at line {first_ln}{as_written})",
                path,
                ln,
            )
        seen[key.lower()] = (key, ln)
        lines[key] = ln
    # pybtex only warns on stderr unless strict; the library never prints, so errors raise.
    pybtex.errors.set_strict_mode(True)
    try:
        data = Parser().parse_string(text)
    except PybtexSyntaxError as e:
        n = _culprit_line(text, e.lineno)
        raise NotesError(
            f"malformed BibTeX in the entry starting near line {n}: {_bibtex_reason(e)}", path, n
        ) from e
    except BibliographyDataError as e:
        raise NotesError(f"malformed BibTeX: {e}", path) from e
    except PybtexError as e:
        raise NotesError(f"malformed BibTeX: {e}", path) from e
    items: dict[str, tuple[CslItem, int | None]] = {}
    for key, entry in data.entries.items():
        items[key] = (_bibtex_to_csl(key, entry), lines.get(key))
    return items


# render_as("text") looks the backend plugin up through entry points on every call (~20 ms
# each, seconds per bibliography); one backend instance renders them all.
_TEXT_BACKEND = find_plugin("pybtex.backends", "text")()


def _latex(value: str) -> str:
    return str(Text.from_latex(value).render(_TEXT_BACKEND)).strip()


def _person(p: Person) -> dict[str, str]:
    given = " ".join(_latex(n) for n in (*p.first_names, *p.middle_names))
    name: dict[str, str] = {"family": " ".join(_latex(n) for n in p.last_names)}
    if given:
        name["given"] = given
    if p.prelast_names:
        name["non-dropping-particle"] = " ".join(_latex(n) for n in p.prelast_names)
    if p.lineage_names:
        name["suffix"] = " ".join(_latex(n) for n in p.lineage_names)
    return name


def _names(persons: Sequence[Person]) -> list[dict[str, str]]:
    names: list[dict[str, str]] = []
    for p in persons:
        if not p.first_names and not p.prelast_names and p.last_names == ["others"]:
            names.append({"literal": ET_AL_SENTINEL})
        else:
            names.append(_person(p))
    return names


def _bibtex_to_csl(key: str, entry: Entry) -> dict[str, Any]:
    kind = entry.type.lower()
    fields = {k.lower(): v for k, v in entry.fields.items()}
    csl_type = _BIBTEX_TYPES.get(kind, "webpage" if "url" in fields else "document")
    item: dict[str, Any] = {"id": key, "type": csl_type}
    for bib, csl in _BIBTEX_FIELDS.items():
        if bib in fields and csl not in item:
            value = fields[bib] if bib in ("url", "doi") else _latex(fields[bib])
            item[csl] = value
    if "number" in fields:
        item["issue" if csl_type == "article-journal" else "number"] = _latex(fields["number"])
    if "pages" in fields:
        item["page"] = re.sub(r"-+", "-", _latex(fields["pages"]).replace("–", "-"))
    if kind == "inbook" and "title" in fields and "booktitle" not in fields:
        item["container-title"] = item["title"]
    if "doi" in fields:
        item["DOI"] = normalise_doi(fields["doi"])
    if "url" not in fields and "howpublished" in fields:
        # Zotero's plain BibTeX export puts a web page's address here, as \url{...}.
        m = re.fullmatch(r"\s*(?:\\url\{)?\s*(https?://[^\s{}]+)\s*\}?\s*", fields["howpublished"])
        if m:
            item["URL"] = m.group(1)
    eprint_type = fields.get("eprinttype", "").strip().lower()
    if "eprint" in fields and eprint_type in _EPRINT_TYPES:
        item.setdefault(_EPRINT_TYPES[eprint_type], fields["eprint"].strip())
        if item.get("DOI"):
            item["DOI"] = normalise_doi(item["DOI"])
    year = fields.get("year", "").strip()
    date = _biblatex_date(fields.get("date", "")) if not year else None
    if date is not None:
        item["issued"] = date
    elif year.isdigit():
        parts: list[int] = [int(year)]
        month = fields.get("month", "").strip().lower()[:3]
        if month in _MONTHS or month.isdigit():
            parts.append(_MONTHS.get(month) or int(month))
        item["issued"] = {"date-parts": [parts]}
    elif year or fields.get("date"):
        item["issued"] = {"literal": _latex(year or fields["date"])}
    accessed = _biblatex_date(fields.get("urldate", ""))
    if accessed is not None:
        item["accessed"] = accessed
    for role, persons in entry.persons.items():
        if role.lower() in ("author", "editor", "translator"):
            item[role.lower()] = _names(persons)
    return item


_EPRINT_TYPES = {"pubmed": "PMID", "pmid": "PMID", "pmc": "PMCID", "pmcid": "PMCID", "doi": "DOI"}
_ISO_DATE = r"(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?"


def _biblatex_date(text: str) -> dict[str, Any] | None:
    """BibLaTeX's ``date``/``urldate`` (``2020``, ``2020-03``, ``2020-03-15``, a ``/`` range)."""
    m = re.fullmatch(rf"\s*{_ISO_DATE}(?:\s*/\s*(?:{_ISO_DATE})?)?\s*", text)
    if m is None:
        return None
    groups = m.groups()
    parts = [[int(g) for g in groups[:3] if g]]
    if groups[3]:
        parts.append([int(g) for g in groups[3:] if g])
    return {"date-parts": parts}


_DOI_PREFIX = re.compile(r"^\s*(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.I)


def normalise_doi(doi: str) -> str:
    """The bare DOI: exports often carry ``https://doi.org/`` or ``doi:`` already, and the
    style prints its own prefix ("doi:https://doi.org/10…" otherwise)."""
    return _DOI_PREFIX.sub("", doi.strip()).strip()


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
    lines = {m.group(1): text.count("\n", 0, m.start()) + 1
             for m in re.finditer(r'"id"\s*:\s*"?([^",}\s]+)', text)}  # fmt: skip
    return _csl_items(path, data, lines, "CSL-JSON")


def _read_csl_yaml(path: Path, text: str) -> dict[str, tuple[CslItem, int | None]]:
    try:
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        err_line = mark.line + 1 if mark is not None else 1
        n = _entry_line_before(text, err_line, r"\s*-\s")
        raise NotesError(
            f"malformed CSL-YAML in the entry starting near line {n}: {e.problem}", path, n
        ) from e
    except yaml.YAMLError as e:
        raise NotesError(f"malformed CSL-YAML: {e}", path) from e
    if isinstance(data, dict) and "references" in data:
        data = data["references"]  # pandoc's and Zotero's "references:" wrapper
    lines = {m.group(1).strip("'\""): text.count("\n", 0, m.start()) + 1
             for m in re.finditer(r"\bid\s*:\s*(\S+)", text)}  # fmt: skip
    return _csl_items(path, data, lines, "CSL-YAML")


def _csl_items(
    path: Path, data: object, lines: Mapping[str, int], fmt: str
) -> dict[str, tuple[CslItem, int | None]]:
    if not isinstance(data, list):
        raise NotesError(f"malformed {fmt}: expected a list of entries", path, 1)
    items: dict[str, tuple[CslItem, int | None]] = {}
    problems: list[PublisherError] = []
    for index, raw in enumerate(data, 1):
        try:
            key, item = _check_csl_item(raw, index, fmt)
        except NotesError as e:
            key = str(raw.get("id")) if isinstance(raw, dict) else ""
            problems.append(NotesError(e.message, path, lines.get(key)))
            continue
        line = lines.get(key)
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
    item: dict[str, Any] = {"id": key, "type": str(raw.get("type") or "document")}
    for name, value in raw.items():
        if name in ("id", "type"):
            continue
        if name in _NAME_FIELDS:
            if not (isinstance(value, list) and all(_is_name(v) for v in value)):
                raise NotesError(f"malformed {fmt}: entry '{key}': '{name}' is not a name list")
            names = [{k: str(v) for k, v in n.items() if v is not None} for n in value]
            item[name] = [n for n in names if n]
        elif name in _DATE_FIELDS:
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


def iter_items(bibliography: Bibliography, keys: Sequence[str]) -> Iterator[CslItem]:
    """The items of ``keys``, in that order."""
    for key in keys:
        yield bibliography.items[key]


def _bibtex_reason(e: PybtexSyntaxError) -> str:
    """pybtex's message without its own "file, line" prefix (ours says where)."""
    return str(getattr(e, "message", None) or e.args[0] if e.args else e).split(": ", 1)[-1]
