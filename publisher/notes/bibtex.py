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


def _parse_error(path: Path, text: str, e: PybtexError) -> NotesError:
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
        raise_all(problems)
        raise  # not reached: problems is not empty here
    raise_all(problems)
    items: dict[str, tuple[CslItem, int | None]] = {}
    for key, entry in data.entries.items():
        items[key] = (_bibtex_to_csl(key, entry), lines.get(key))
    return items


# render_as("text") looks the backend plugin up through entry points on every call (~20 ms
# each, seconds per bibliography); one backend instance renders them all.
_TEXT_BACKEND = find_plugin("pybtex.backends", "text")()


def _latex(value: str) -> str:
    return str(Text.from_latex(_font_commands(value)).render(_TEXT_BACKEND)).strip()


# LaTeX's font commands, which pybtex's text backend prints as "\emph Two": as the rich-text
# tags CSL-JSON uses (kept by entries.escape_item), or as plain text.
_FONT_TAGS = {"emph": "i", "textit": "i", "textsl": "i", "em": "i", "it": "i", "sl": "i",
              "textbf": "b", "bf": "b", "textsuperscript": "sup", "textsubscript": "sub",
              "textsc": "", "textrm": "", "textup": "", "textnormal": "", "texttt": "",
              "textsf": "", "sc": "", "rm": "", "tt": "", "sf": ""}  # fmt: skip
_FONT_COMMAND = re.compile(r"\\([a-z]+)\s*\{|\{\\([a-z]+)\s+", re.IGNORECASE)


def _font_commands(latex: str) -> str:
    r"""``\emph{x}`` and ``{\em x}`` → ``<i>x</i>`` (and the like); other text untouched."""
    out: list[str] = []
    i = 0
    while (m := _FONT_COMMAND.search(latex, i)) is not None:
        name = (m.group(1) or m.group(2)).lower()
        if name not in _FONT_TAGS or (m.group(1) and name in ("em", "it", "sl", "bf")):
            out.append(latex[i : m.end()])
            i = m.end()
            continue
        end, depth = m.end(), 1  # the brace that closes the argument (or the group)
        while end < len(latex) and depth:
            depth += {"{": 1, "}": -1}.get(latex[end], 0) if latex[end - 1] != "\\" else 0
            end += 1
        inner = _font_commands(latex[m.end() : end - 1 if depth == 0 else end])
        tag = _FONT_TAGS[name]
        out.append(latex[i : m.start()] + (f"<{tag}>{inner}</{tag}>" if tag else inner))
        i = end
    return "".join(out) + latex[i:]


_SENTENCE_END = ":?!."
_ENGLISH = ("", "en", "eng", "english", "american", "british", "usenglish", "ukenglish")


def sentence_case(latex: str) -> str:
    r"""A BibTeX title in Title Case or sentence case -> sentence case, as pandoc 3 reads it.

    BibTeX titles are conventionally stored in Title Case and protected with braces where the
    case matters; CSL styles (AMA among them) expect sentence case and capitalise themselves
    where they want title case. Outside protecting braces (a command's argument, as in
    ``\emph{Acute}``, is not protected): a capitalised, otherwise lower-case word is lowered
    ("Disease", "Parkinson's"), except the first word and the first after ":", "?", "!" or
    "." and a space, which is capitalised when it is all lower case ("subjects: A seven-year
    follow-up study"; AMA Manual of Style 11th ed., 3.9.2 capitalises a subtitle too). Kept:
    braced text, acronyms and mixed case ("MRI", "McDonald", "iPhone").
    Source: pandoc 3 with --citeproc, checked in tests/notes/test_world.py. Pandoc leaves a
    one-word subtitle at the very end lower case ("Pain: why?"); AMA's rule wins there.
    """
    out: list[str] = []
    protected: list[bool] = []  # per open brace: does it protect its text's case?
    i, start, after_command = 0, True, False
    while i < len(latex):
        ch = latex[i]
        free = not any(protected)
        if ch == "{":
            protected.append(not after_command)
        elif ch == "}":
            if protected:
                protected.pop()
        elif ch == "\\" and free:  # a command: copy its name untouched
            j = i + 1
            while j < len(latex) and latex[j].isalpha():
                j += 1
            j = max(j, i + 2)
            out.append(latex[i:j])
            i, after_command = j, latex[i + 1 : i + 2].isalpha()
            continue
        elif ch.isalpha() and free:
            j = i
            while j < len(latex) and (latex[j].isalpha() or latex[j] in "'’"):
                j += 1
            out.append(_recase(latex[i:j], start))
            i, start, after_command = j, False, False
            continue
        elif ch in _SENTENCE_END and not any(protected):
            start = i + 1 < len(latex) and latex[i + 1].isspace()
        elif ch.isalnum():
            start = False
        after_command = False
        out.append(ch)
        i += 1
    return "".join(out)


def _recase(word: str, start: bool) -> str:
    """One word outside braces: capitalised at a sentence start, else Title-case lowered."""
    rest = word[1:].replace("'", "").replace("’", "")
    if start:
        return word[0].upper() + word[1:] if word.islower() else word
    if word[0].isupper() and (not rest or rest.islower()):
        return word[0].lower() + word[1:]
    return word


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
