"""In-page anchors of an episode page: heading ids, and the links that point at anchors.

Headings get ids by GitHub's rule as pandoc writes it (``gfm_auto_identifiers``): the
heading's text in lower case, each space a hyphen, every character that is not a letter,
a digit, ``_`` or ``-`` dropped; an empty id is ``section``; a repeated one gets ``-1``,
``-2`` … (pandoc's ``uniqueIdent``). An id the page already uses for its own anchors
(references, citations, footnotes, and the episode template's ``main`` and
``chapters-title``) counts as taken, so every id on a page stays unique. A link to ``#…``
must name one of the page's ids; :func:`anchor_links` finds them with their lines.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it.token import Token

# Ids the rendered page gives its own elements (renderers.py, render.py, the episode page).
_OWN_IDS = re.compile(
    r"(?:ref|fn)-\d+|cite-\d+-\d+|fnref-\d+(?:-\d+)?|notes-title|references-title|main"
    r"|chapters-title"
)
# HTML: "#" and "#top" go to the top of the page without any id (HTML Standard, "scroll to
# the fragment").
TOP = frozenset({"", "top"})


def slug(text: str) -> str:
    """GitHub's heading id for ``text`` (pandoc's ``gfm_auto_identifiers``), maybe ""."""
    dashed = "".join("-" if c.isspace() else c for c in text.lower())
    return "".join(c for c in dashed if c.isalnum() or c in "_-")


def heading_text(inline: Token) -> str:
    """A heading's plain text as pandoc reads it for its id: text, code, image text."""
    parts: list[str] = []
    for child in inline.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(heading_text(child))
    return "".join(parts)


def assign_heading_ids(tokens: Sequence[Token]) -> None:
    """Set ``meta["anchor"]`` on every ``heading_open``: unique, in reading order."""
    used: set[str] = set()
    for i, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        base = slug(heading_text(tokens[i + 1])) or "section"
        ident, n = base, 0
        while ident in used or _OWN_IDS.fullmatch(ident):
            n += 1
            ident = f"{base}-{n}"
        used.add(ident)
        token.meta["anchor"] = ident


def heading_ids(tokens: Sequence[Token]) -> list[str]:
    """The heading ids, in order (after :func:`assign_heading_ids`)."""
    return [t.meta["anchor"] for t in tokens if t.type == "heading_open" and "anchor" in t.meta]


def anchor_links(tokens: Sequence[Token]) -> list[tuple[str, int]]:
    """Every link to an in-page anchor (``#…``): its fragment as written, its 0-based line."""
    found: list[tuple[str, int]] = []
    for block in tokens:
        if block.type != "inline" or not block.children:
            continue
        first = block.map[0] if block.map else 0
        searched = 0
        for child in block.children:
            href = str(child.attrGet("href") or "") if child.type == "link_open" else ""
            if not href.startswith("#"):
                continue
            # Tokens carry no columns: the line is where this href is next written in the block.
            at = block.content.find(href, searched)
            searched = at + 1 if at >= 0 else searched
            found.append((href[1:], first + block.content.count("\n", 0, max(at, 0))))
    return found
