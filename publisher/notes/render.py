"""One episode's notes → its three renderings: ``render_notes``.

Parse once, number the citations in first-use order (checking every key, reporting all the
unknown ones together), render the reference list with the CSL style, then run each
rendering's own renderer over the same tokens and sanitise it with its own allow-list.
"""

from __future__ import annotations

import difflib
import html
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from publisher.errors import NotesError, Notice, PublisherError, display_path, raise_all
from publisher.model import Reference, RenderedNotes
from publisher.notes import markdown as md
from publisher.notes.anchors import TOP, anchor_links, heading_ids
from publisher.notes.bibliography import Bibliography
from publisher.notes.citations import CitationStyle
from publisher.notes.description import description
from publisher.notes.entries import identifier_links, running_text_author
from publisher.notes.renderers import ContentRenderer, WebRenderer
from publisher.notes.sanitise import sanitise_content, sanitise_web

if TYPE_CHECKING:
    from markdown_it.token import Token


def render_notes(
    markdown: str,
    *,
    source: Path,
    first_line: int,
    bibliography: Bibliography,
    style: CitationStyle,
    page_url: str,
    references_title: str = "References",
    notes_title: str = "Notes",
    summary: str | None = None,
) -> RenderedNotes:
    """Render one episode's notes for the website, the feed's content and its description.

    ``first_line`` is the file line of the body's first line; ``page_url`` the absolute URL of
    the episode's page (base for relative links and the "full notes" link); ``notes_title``
    heads the footnotes, ``references_title`` the reference list. Raises NotesError,
    or Problems with every unknown citation key, unrenderable entry and link to an in-page
    anchor (``#…``) that is not on the page. The notes carry a warning for every in-text
    ``@name`` that is no key (so it stays text, a handle) but close to one: likely a typo.
    """
    handles: list[tuple[str, int]] = []
    tokens = md.parse(markdown, bibliography.keys, handles)
    numbering, problems = _number(tokens, source, first_line, bibliography)
    keys = list(numbering.numbers)
    try:
        entries = style.render_entries([bibliography.items[k] for k in keys])
    except NotesError as e:
        raise NotesError(e.message, source, first_line, e.hint) from e
    references = tuple(
        Reference(key=k, number=n, html=e)
        for (k, n), e in zip(numbering.numbers.items(), entries, strict=True)
    )
    ids = {r.number: identifier_links(bibliography.items[r.key], r.html) for r in references}
    env: dict[str, Any] = {
        "style": style,
        "numbering": numbering,
        "page_url": page_url,
        "notes_title": notes_title,
        "narrators": {k: running_text_author(bibliography.items[k]) for k in keys},
    }

    web = md.render(WebRenderer(), tokens, env)
    web += _web_references(references, ids, numbering.backlinks, references_title)
    problems += _dead_anchors(tokens, web, source, first_line)
    raise_all(problems)
    content = md.render(ContentRenderer(), tokens, env)
    content += _content_references(references, ids, references_title)
    description_html = description(tokens, env, references, references_title, page_url, summary)
    return RenderedNotes(
        source=source,
        web_html=sanitise_web(web),
        content_html=sanitise_content(content),
        description_html=description_html,
        references=references,
        notices=_near_misses(handles, source, first_line, bibliography),
    )


def unknown_citations(
    markdown: str, source: Path, first_line: int, bibliography: Bibliography
) -> list[PublisherError]:
    """Every citation key in ``markdown`` (a note's body, whose first line is ``first_line``
    of ``source``) that ``bibliography`` lacks, each a NotesError as :func:`render_notes`
    reports it: for a note that cannot be rendered for another problem, said together."""
    tokens = md.parse(markdown, bibliography.keys)
    return _number(tokens, source, first_line, bibliography)[1]


def _number(
    tokens: Sequence[Token], source: Path, first_line: int, bibliography: Bibliography
) -> tuple[md.Numbering, list[PublisherError]]:
    """Citation numbers in first-use order, and a problem for every unknown key."""
    numbering = md.Numbering()
    problems: list[PublisherError] = []
    known = sorted(bibliography.keys)
    unknown: list[str] = []
    for token, line in md.citations(tokens):
        for cite in token.meta["cites"]:
            if cite.key in bibliography.keys:
                numbering.numbers.setdefault(cite.key, len(numbering.numbers) + 1)
                continue
            unknown.append(cite.key)
            close = _close_keys(cite.key, known)
            hint = (
                "did you mean " + " or ".join(f"'{c}'" for c in close) + "?"
                if close
                else _not_in(bibliography.files)
            )
            if not known:
                hint = "no bibliography is configured for this episode"
            problems.append(
                NotesError(f"unknown citation key '{cite.key}'", source, first_line + line, hint)
            )
    empty = bibliography.files_without_entries
    if problems and not known and empty:
        # One line per empty file, not one per citation: the file is the problem.
        keys = list(dict.fromkeys(unknown))
        problems = [
            NotesError(
                f"the bibliography has no entries, but {display_path(source)} cites {len(keys)} "
                f"key{'s' if len(keys) > 1 else ''} from it ('{keys[0]}'"
                f"{' …' if len(keys) > 1 else ''} at line {problems[0].line})",
                path,
                hint="the file is empty or was cut short; export it again",
            )
            for path in empty
        ]
    return numbering, problems


_ID = re.compile(r'\sid="([^"]*)"')


def _dead_anchors(
    tokens: Sequence[Token], web: str, source: Path, first_line: int
) -> list[PublisherError]:
    """A problem for every link to ``#…`` that names no id of the page's notes."""
    ids = {html.unescape(m) for m in _ID.findall(web)}
    problems: list[PublisherError] = []
    for fragment, line in anchor_links(tokens):
        name = unquote(fragment)
        if name in ids or name.lower() in TOP:
            continue
        close = difflib.get_close_matches(name, sorted(ids), n=1, cutoff=0.6)
        headings = heading_ids(tokens)
        if close:
            hint = f"did you mean '#{close[0]}'?"
        elif headings:
            hint = "the headings here are " + ", ".join(f"'#{h}'" for h in headings[:5])
        else:
            hint = "a heading's id is its text in lower case with hyphens: '## Why it matters'"
            hint += " is '#why-it-matters'"
        problems.append(
            NotesError(
                f"link to '#{fragment}', which is not an anchor on this page",
                source,
                first_line + line,
                hint,
            )
        )
    return problems


# A suggestion must be a likely typo (0.75: one swapped or missing character in a typical
# "name2015" key, not just the shared year); a second one only when it is about as likely.
_CLOSE_CUTOFF = 0.75
_CLOSE_MARGIN = 0.05


# An in-text @name that is no key is a handle (@nasa), unless it is this close to a key
# (brinjikji2051 for brinjikji2015 is 0.92; a handle sharing a name with a key, @downie for
# downie2013, is 0.75) or is a key with its letters or digits swapped.
_TYPO_CUTOFF = 0.85


def _near_misses(
    handles: Sequence[tuple[str, int]], source: Path, first_line: int, bibliography: Bibliography
) -> tuple[Notice, ...]:
    """A warning for each in-text ``@name`` (name, 0-based line) close to a citation key."""
    if not handles:  # most notes: no key sorted, no index made
        return ()
    known = sorted(bibliography.keys)
    swapped: dict[str, list[str]] = {}  # the keys by their sorted characters, made once
    for k in known:
        swapped.setdefault("".join(sorted(k)), []).append(k)
    found = []
    for name, line in handles:
        close = (
            difflib.get_close_matches(name, known, n=2, cutoff=_TYPO_CUTOFF)
            or swapped.get("".join(sorted(name)), [])[:2]
        )
        if not close:
            continue
        found.append(
            Notice(
                f"'@{name}' is not a citation key, so it is shown as text",
                source,
                first_line + line,
                f"did you mean {' or '.join('@' + k for k in close)}? "
                f"write [@{close[0]}] or @{close[0]} to cite it",
            )
        )
    return tuple(found)


def _not_in(files: Sequence[Path]) -> str:
    """The hint for a key no file of the bibliography has: where to add it (each file by its
    name, or by its path from the working folder when two share a name)."""
    paths = list(dict.fromkeys(Path(os.path.normpath(p)) for p in files))  # one file, once
    names = [p.name for p in paths]
    if len(set(names)) < len(names):
        names = [display_path(p) for p in paths]
    if not names:
        return "add the entry to the bibliography, or correct the key"
    if len(names) == 1:
        return f"it is not in {names[0]}: add the entry there, or correct the key"
    return f"it is in none of {', '.join(names)}: add the entry to one, or correct the key"


def _close_keys(key: str, known: Sequence[str]) -> list[str]:
    """At most two keys ``key`` may be a typo of, the closest first (ties alphabetical)."""
    scored = sorted(
        (-difflib.SequenceMatcher(None, key, k).ratio(), k)
        for k in difflib.get_close_matches(key, known, n=3, cutoff=_CLOSE_CUTOFF)
    )
    if not scored:
        return []
    best = -scored[0][0]
    return [k for score, k in scored[:2] if -score >= best - _CLOSE_MARGIN]


def _web_references(
    references: Sequence[Reference],
    id_links: Mapping[int, str],
    backlinks: Mapping[int, list[str]],
    title: str,
) -> str:
    if not references:
        return ""
    items = []
    for ref in references:
        ids = backlinks.get(ref.number, [])
        back = " ".join(
            f'<a href="#{i}" class="backref" aria-label="Back to citation {k} of reference '
            f'{ref.number}">\u21a9{k if len(ids) > 1 else ""}</a>'
            for k, i in enumerate(dict.fromkeys(ids), 1)
        )
        extra = id_links[ref.number]
        entry = f"{ref.html} {extra}" if extra else ref.html
        items.append(f'<li id="ref-{ref.number}">{entry} {back}</li>')
    return (
        '\n<section class="references" aria-labelledby="references-title">\n'
        f'<h2 id="references-title">{html.escape(title)}</h2>\n<ol>\n'
        + "\n".join(items)
        + "\n</ol>\n</section>\n"
    )


def _content_references(references: Sequence[Reference], ids: Mapping[int, str], title: str) -> str:
    if not references:
        return ""
    items = "\n".join(
        f"<li>{ref.html} {ids[ref.number]}</li>" if ids[ref.number] else f"<li>{ref.html}</li>"
        for ref in references
    )
    return f"\n<h2>{html.escape(title)}</h2>\n<ol>\n{items}\n</ol>\n"
