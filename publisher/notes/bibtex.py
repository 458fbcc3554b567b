"""BibTeX text → CSL-JSON items with their lines (the only pybtex import).

pybtex parses the file, reporting syntax errors with a line and rejecting duplicate keys; the
entry lines it does not keep are found in the text. Each entry becomes a CSL-JSON item:
BibTeX and BibLaTeX types and fields mapped to CSL's, LaTeX markup turned into text, names
split into CSL's parts, dates from ``year``/``month`` or BibLaTeX's ``date``.

Process-wide side effect: :func:`read_bibtex` switches pybtex into strict mode
(``pybtex.errors.set_strict_mode(True)``), a global of pybtex's, not a setting of one parser.
Without it pybtex reports problems such as a duplicate key as warnings printed on stderr and
carries on, and the library never prints; in strict mode they are raised and reported here
with file and line. It stays on for every other user of pybtex in the same process.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pybtex.errors
from pybtex.database import BibliographyDataError, Entry, Person
from pybtex.database.input.bibtex import Parser
from pybtex.plugin import find_plugin
from pybtex.richtext import Text
from pybtex.scanner import PybtexError, PybtexSyntaxError

from publisher.errors import NotesError, PublisherError, raise_all
from publisher.notes.bibtitles import font_commands, sentence_case
from publisher.notes.csl import ET_AL_SENTINEL, CslItem, normalise_doi

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

_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}


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


_FIELD_START = re.compile(r"^\s*[A-Za-z][\w:.+-]*\s*=")
_FIELD_AFTER_VALUE = re.compile(r"[}\"\w]\s+[A-Za-z][\w:.+-]*\s*=")


def _missing_comma(text: str, e: PybtexSyntaxError) -> int | None:
    """The line that lacks the ',' after a field, when that is why pybtex gave up.

    pybtex reports "'}' expected" at the next field's name; the comma belongs at the end of
    the value before it: on the same line ("journal = {J} year = …") or the last non-blank
    line above.
    """
    if _bibtex_reason(e) not in ("'}' expected", "')' expected"):
        return None
    lines = text.split("\n")
    n = int(e.lineno)
    if not 1 <= n <= len(lines):
        return None
    if _FIELD_AFTER_VALUE.search(lines[n - 1]):
        return n
    if not _FIELD_START.match(lines[n - 1]):
        return None
    above = [i for i in range(n - 1, 0, -1) if lines[i - 1].strip()]
    return above[0] if above else None


def _later_missing_commas(path: Path, text: str, after: int) -> list[PublisherError]:
    """A missing comma in each entry after line ``after``, where pybtex stopped reading.

    Each later entry is parsed alone (blank lines before it keep its line numbers), so
    that one run names every missing comma, not only the first.
    """
    lines = text.split("\n")
    starts = [s[0] for s in _entry_starts(text) if s[0] > after] + [len(lines) + 1]
    problems: list[PublisherError] = []
    for begin, end in zip(starts, starts[1:], strict=False):
        chunk = "\n" * (begin - 1) + "\n".join(lines[begin - 1 : end - 1])
        try:
            Parser().parse_string(chunk)
        except PybtexSyntaxError as e:
            line = _missing_comma(chunk, e)
            if line is not None:
                problems.append(_parse_error(path, chunk, e))
        except PybtexError:
            pass  # e.g. a macro defined earlier in the file: not this check's business
    return problems


def _parse_error(path: Path, text: str, e: PybtexError) -> NotesError:
    if isinstance(e, PybtexSyntaxError) and (line := _missing_comma(text, e)) is not None:
        return NotesError(
            "malformed BibTeX: missing ',' at the end of this line, before the next field",
            path,
            line,
            hint="fields of an entry are separated by commas: title = {…},",
        )
    if isinstance(e, PybtexSyntaxError):
        n = _culprit_line(text, e.lineno)
        return NotesError(
            f"malformed BibTeX in the entry starting near line {n}: {_bibtex_reason(e)}", path, n
        )
    return NotesError(f"malformed BibTeX: {e}", path)


def read_bibtex(path: Path, text: str) -> dict[str, tuple[CslItem, int | None]]:
    """Every entry of the BibTeX ``text`` as a CSL item, with the line it starts on.

    Raises NotesError (with ``path``, and a line where one is known), or Problems: every
    duplicate key, and malformed BibTeX.
    """
    lines: dict[str, int] = {}
    seen: dict[str, tuple[str, int]] = {}  # BibTeX keys are case-insensitive (pybtex too)
    problems: list[PublisherError] = []
    for ln, kind, key in _entry_starts(text):
        if kind in ("comment", "preamble", "string"):
            continue
        if key.lower() in seen:
            first, first_ln = seen[key.lower()]
            as_written = "" if first == key else f" as '{first}'"
            problems.append(
                NotesError(
                    f"duplicate citation key '{key}' (first defined at line "
                    f"{first_ln}{as_written})",
                    path,
                    ln,
                )
            )
            continue
        seen[key.lower()] = (key, ln)
        lines[key] = ln
    # pybtex only warns on stderr unless strict; the library never prints, so errors raise.
    # Process-wide (see the module docstring).
    pybtex.errors.set_strict_mode(True)
    try:
        data = Parser().parse_string(text)
    except PybtexError as e:
        # pybtex's own duplicate check (BibliographyDataError) repeats what the loop above
        # found with lines; a syntax error is reported with the duplicates.
        if not (problems and isinstance(e, BibliographyDataError)):
            problems.append(_parse_error(path, text, e))
        if isinstance(e, PybtexSyntaxError):
            problems.extend(_later_missing_commas(path, text, int(e.lineno)))
        raise_all(problems)
        raise  # not reached: problems is not empty here
    raise_all(problems)
    items: dict[str, tuple[CslItem, int | None]] = {}
    for key, entry in data.entries.items():
        try:
            items[key] = (_bibtex_to_csl(key, entry), lines.get(key))
        except PybtexError as e:  # a field's LaTeX (names, titles) that cannot be read
            problems.append(
                NotesError(
                    f"entry '{key}': a field's LaTeX cannot be read: {_bibtex_reason(e)}",
                    path,
                    lines.get(key),
                    "balance the braces; a '%' starts a LaTeX comment, "
                    "write '\\%' for a percent sign",
                )
            )
    raise_all(problems)
    return items


# render_as("text") looks the backend plugin up through entry points on every call (~20 ms
# each, seconds per bibliography); one backend instance renders them all.
_TEXT_BACKEND = find_plugin("pybtex.backends", "text")()


def _latex(value: str) -> str:
    return str(Text.from_latex(font_commands(value)).render(_TEXT_BACKEND)).strip()


_ENGLISH = ("", "en", "eng", "english", "american", "british", "usenglish", "ukenglish")


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
    english = fields.get("langid", fields.get("language", "")).strip().lower() in _ENGLISH
    for bib, csl in _BIBTEX_FIELDS.items():
        if bib in fields and csl not in item:
            value = fields[bib]
            if bib in ("title", "booktitle") and english:
                value = sentence_case(value)
            item[csl] = value if bib in ("url", "doi") else _latex(value)
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
        number = _MONTHS.get(month) or (int(month) if month.isdigit() else 0)
        if 1 <= number <= 12:  # "month = {0}" or {13} is no month: the year alone
            parts.append(number)
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


def _bibtex_reason(e: PybtexSyntaxError) -> str:
    """pybtex's message without its own "file, line" prefix (ours says where)."""
    return str(getattr(e, "message", None) or e.args[0] if e.args else e).split(": ", 1)[-1]
