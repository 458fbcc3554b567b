"""One episode's notes → its three renderings: ``render_notes``.

Parse once, number the citations in first-use order (checking every key, reporting all the
unknown ones together), render the reference list with the CSL style, then run each
rendering's own renderer over the same tokens and sanitise it with its own allow-list.
"""

from __future__ import annotations

import difflib
import html
import re
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from publisher.errors import NotesError, PublisherError, raise_all
from publisher.model import Reference, RenderedNotes
from publisher.notes import markdown as md
from publisher.notes.bibliography import Bibliography
from publisher.notes.citations import CitationStyle
from publisher.notes.sanitise import sanitise_content, sanitise_description, sanitise_web

if TYPE_CHECKING:
    from markdown_it.token import Token

DESCRIPTION_LIMIT = 4000  # bytes of UTF-8: Apple's limit for <description>


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
    or Problems with every unknown citation key and unrenderable entry.
    """
    tokens = md.parse(markdown, bibliography.keys)
    numbering = _number(tokens, source, first_line, bibliography)
    keys = list(numbering.numbers)
    try:
        entries = style.render_entries([bibliography.items[k] for k in keys])
    except NotesError as e:
        raise NotesError(e.message, source, first_line, e.hint) from e
    references = tuple(
        Reference(key=k, number=n, html=e)
        for (k, n), e in zip(numbering.numbers.items(), entries, strict=True)
    )
    env: dict[str, Any] = {
        "style": style,
        "numbering": numbering,
        "page_url": page_url,
        "notes_title": notes_title,
    }

    web = md.render(md.WebRenderer(), tokens, env)
    web += _web_references(references, numbering.backlinks, references_title)
    content = md.render(md.ContentRenderer(), tokens, env)
    content += _content_references(references, references_title)
    description = _description(tokens, env, references, references_title, page_url, summary)
    return RenderedNotes(
        source=source,
        web_html=sanitise_web(web),
        content_html=sanitise_content(content),
        description_html=description,
        references=references,
    )


def _number(
    tokens: Sequence[Token], source: Path, first_line: int, bibliography: Bibliography
) -> md.Numbering:
    numbering = md.Numbering()
    problems: list[PublisherError] = []
    known = sorted(bibliography.keys)
    for token, line in md.citations(tokens):
        for cite in token.meta["cites"]:
            if cite.key in bibliography.keys:
                numbering.numbers.setdefault(cite.key, len(numbering.numbers) + 1)
                continue
            close = _close_keys(cite.key, known)
            hint = "did you mean " + " or ".join(f"'{c}'" for c in close) + "?" if close else None
            if not known:
                hint = "no bibliography is configured for this episode"
            problems.append(
                NotesError(f"unknown citation key '{cite.key}'", source, first_line + line, hint)
            )
    raise_all(problems)
    return numbering


# A suggestion must be a likely typo (0.75: one swapped or missing character in a typical
# "name2015" key, not just the shared year); a second one only when it is about as likely.
_CLOSE_CUTOFF = 0.75
_CLOSE_MARGIN = 0.05


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
    references: Sequence[Reference], backlinks: Mapping[int, list[str]], title: str
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
        items.append(f'<li id="ref-{ref.number}">{ref.html} {back}</li>')
    return (
        '\n<section class="references" aria-labelledby="references-title">\n'
        f'<h2 id="references-title">{html.escape(title)}</h2>\n<ol>\n'
        + "\n".join(items)
        + "\n</ol>\n</section>\n"
    )


def _content_references(references: Sequence[Reference], title: str) -> str:
    if not references:
        return ""
    items = "\n".join(f"<li>{ref.html}</li>" for ref in references)
    return f"\n<h2>{html.escape(title)}</h2>\n<ol>\n{items}\n</ol>\n"


# --- the description --------------------------------------------------------------------


def _fits(text: str, limit: int = DESCRIPTION_LIMIT) -> bool:
    return len(text.encode("utf-8")) <= limit


def _description(
    tokens: Sequence[Token],
    env: Mapping[str, Any],
    references: Sequence[Reference],
    title: str,
    page_url: str,
    summary: str | None,
) -> str:
    renderer = md.DescriptionRenderer()
    blocks: list[tuple[str, str, list[Token]]] = []  # (kind, html, tokens)
    for group in md.top_level_blocks(tokens):
        kind = group[0].type
        if kind == "table_open":
            text = md.table_as_list(group, env)
        else:
            text = md.render(renderer, group, env)
        if text.strip():
            blocks.append((kind, sanitise_description(text).strip(), group))
    if references:
        items = "".join(f"<li>{ref.html}</li>" for ref in references)
        blocks.append(("heading_open", f"<p>{html.escape(title)}</p>", []))
        blocks.append(("references", sanitise_description(f"<ol>{items}</ol>"), []))

    whole = "\n".join(b[1] for b in blocks)
    if _fits(whole):
        return whole
    link = sanitise_description(
        f'<p><a href="{html.escape(page_url)}">Read the full notes and references</a></p>'
    )
    budget = DESCRIPTION_LIMIT - len(link.encode("utf-8")) - 1
    if summary and summary.strip():
        text = _cut_paragraph(summary.strip(), budget)
        return (text + "\n" if text else "") + link
    kept: list[tuple[str, str, list[Token]]] = []
    for block in blocks:
        if not _fits("\n".join(b[1] for b in [*kept, block]), budget):
            break
        kept.append(block)
    while kept and kept[-1][0] == "heading_open":
        kept.pop()  # a heading whose text did not fit says nothing
    if not kept:
        first = next((b for b in blocks if b[0] not in ("heading_open", "references")), None)
        text = _cut_paragraph(md.plain_text(first[2], env), budget) if first else ""
        return (text + "\n" if text else "") + link
    return "\n".join(b[1] for b in kept) + "\n" + link


_SENTENCE_END = re.compile(
    r"[.!?][\"'\u201d\u2019)\]]*(?=\s)|[.!?][\"'\u201d\u2019)\]]*$"
    r"|[\u3002\uff01\uff1f][\u300d\u300f\u201d\u2019\uff09]*"  # 。！？ need no space after
)


def _cut_paragraph(text: str, budget: int) -> str:
    """``<p>text</p>`` cut at the last sentence (else word) end that fits ``budget`` bytes."""

    def para(t: str) -> str:
        return sanitise_description(f"<p>{html.escape(t)}</p>")

    if _fits(para(text), budget):
        return para(text)
    ends = [m.end() for m in _SENTENCE_END.finditer(text)]
    for end in reversed(ends):
        if _fits(para(text[:end]), budget):
            return para(text[:end])
    words = [m.start() for m in re.finditer(r"\s", text)]
    for end in reversed(words):
        if _fits(para(text[:end].rstrip() + "\u2026"), budget):
            return para(text[:end].rstrip() + "\u2026")
    # No space that fits (Chinese or Japanese prose, a long URL): cut between characters,
    # the longest prefix that fits (escaping makes the size grow with the length).
    low, high = 0, len(text)
    while low < high:
        mid = (low + high + 1) // 2
        if _fits(para(text[:mid] + "\u2026"), budget):
            low = mid
        else:
            high = mid - 1
    while 0 < low < len(text) and _joins(text[low - 1], text[low]):
        low -= 1  # never split a character from its accent, or an emoji sequence
    return para(text[:low].rstrip() + "\u2026") if low else ""


def _joins(before: str, after: str) -> bool:
    """Whether a cut between these two characters would split one visible character."""
    return (
        unicodedata.category(after) in ("Mn", "Me", "Mc", "Sk")
        or after in "\u200d\ufe0e\ufe0f"
        or before == "\u200d"
        or 0x1F3FB <= ord(after) <= 0x1F3FF  # skin tone
        or (0x1F1E6 <= ord(before) <= 0x1F1FF and 0x1F1E6 <= ord(after) <= 0x1F1FF)
    )
