"""Markdown → tokens: the notes' parser (the only markdown-it import) and token facts.

The notes are parsed once (CommonMark with tables, footnotes and definition lists; raw HTML
off, so any markup in the notes is shown as text). Citation rules (see :mod:`.citesyntax`) turn
pandoc's ``[@key]``, ``[@a; @b]`` and ``[@key, p. 33]`` into ``citation`` tokens. Numbers follow
first use in token order (footnote text comes after the body, where it is read). The three
renderers live in :mod:`.renderers` (website, ``content:encoded``) and :mod:`.description`
(the feed's ``description``); they subclass :data:`RendererBase`, re-exported from here so
that markdown-it stays imported in this module alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin

from publisher.notes.anchors import assign_heading_ids
from publisher.notes.citesyntax import citation_rule, narrative_rule

RendererBase = RendererHTML  # the base of every renderer (see the module docstring)


@dataclass
class Numbering:
    """Per-render state: citation numbers by key, and where each was cited (web ids)."""

    numbers: dict[str, int] = field(default_factory=dict)
    backlinks: dict[int, list[str]] = field(default_factory=dict)
    links: dict[int, int] = field(default_factory=dict)  # visible links made per number


# --- parsing ----------------------------------------------------------------------------


@cache
def parser() -> MarkdownIt:
    """The notes' Markdown parser (built once; parsing keeps its state in ``env``)."""
    md = MarkdownIt("commonmark", {"html": False})
    md.enable("table")
    md.use(footnote_plugin)
    md.use(deflist_plugin)
    md.inline.ruler.before("link", "citation", citation_rule)
    md.inline.ruler.before("link", "narrative_citation", narrative_rule)
    return md


def parse(
    markdown: str,
    citation_keys: frozenset[str] = frozenset(),
    handles: list[tuple[str, int]] | None = None,
) -> list[Token]:
    """The notes' tokens; ``@key`` outside brackets is a citation only for these keys.

    Every ``heading_open`` carries its id in ``meta["anchor"]`` (:mod:`.anchors`). ``handles``,
    when given, receives every ``@name`` left as text for not being a key (a social-media
    handle, or a mistyped key), with its 0-based line in the Markdown, in reading order.
    """
    env: dict[str, Any] = {"citation_keys": citation_keys}
    if handles is not None:
        env["handles"] = []
    tokens = parser().parse(markdown, env)
    assign_heading_ids(tokens)
    if handles is not None:
        handles.extend(_handle_lines(tokens, env["handles"]))
    return tokens


def _handle_lines(
    tokens: Sequence[Token], found: Sequence[tuple[str, int, str]]
) -> list[tuple[str, int]]:
    """(name, line) for each handle the citation rule noted as (inline text, offset, name).
    The text is an inline block's content, or a part of it parsed on its own (an inline
    footnote ``^[…]``), found in the block that holds it."""
    blocks = [(b.content, b.map[0] if b.map else 0) for b in tokens if b.type == "inline"]
    by_id = {id(content): (content, line) for content, line in blocks}
    out: list[tuple[str, int]] = []
    for src, pos, name in found:
        content, first = by_id.get(id(src)) or next(
            ((c, n) for c, n in blocks if src in c), (src, 0)
        )
        out.append((name, first + content.count("\n", 0, content.find(src) + pos)))
    return out


def citations(tokens: Sequence[Token]) -> list[tuple[Token, int]]:
    """Every citation token in reading order, with its 0-based line in the Markdown."""
    found: list[tuple[Token, int]] = []
    for block in tokens:
        if block.type != "inline" or not block.children:
            continue
        first = block.map[0] if block.map else 0
        for child in block.children:
            if child.type == "citation":
                found.append((child, first + block.content.count("\n", 0, child.meta["pos"])))
    return found


def footnote_label(n: int) -> str:
    """The letter(s) of footnote ``n``: 1 → a, 26 → z, 27 → aa, as ``<ol type="a">`` counts."""
    label = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        label = chr(ord("a") + r) + label
    return label


def heading_shift(tokens: Sequence[Token]) -> int:
    """How far to move the notes' headings so that the highest one is an ``<h2>``."""
    levels = [int(t.tag[1:]) for t in tokens if t.type == "heading_open"]
    return 2 - min(levels) if levels else 0


def top_level_blocks(tokens: Sequence[Token]) -> list[list[Token]]:
    """The tokens grouped by top-level block (a paragraph, a list, a table …)."""
    blocks: list[list[Token]] = []
    depth = 0
    for token in tokens:
        if depth == 0:
            blocks.append([])
        blocks[-1].append(token)
        depth += token.nesting  # footnote tokens are not marked .block
    return blocks


def render(renderer: RendererHTML, tokens: Sequence[Token], env: Mapping[str, Any]) -> str:
    """``tokens`` rendered; ``env`` may set ``notes_title`` (the footnotes' heading, "Notes")."""
    full = {"notes_title": "Notes", "heading_shift": heading_shift(tokens), **env}
    return str(renderer.render(tokens, parser().options, full))
