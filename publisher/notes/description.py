"""The feed's ``description``: Apple's ``p ol ul li a``, at most 4000 bytes.

:class:`DescriptionRenderer` renders the tokens with headings as paragraphs and citations
and footnote markers in brackets; :func:`table_as_list` writes a table as a list, and
:func:`plain_text` a block's text for cutting at a sentence.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from publisher.model import Reference
from publisher.notes.markdown import footnote_label, parser, render, top_level_blocks
from publisher.notes.renderers import LetteredFootnotes, space_before
from publisher.notes.sanitise import sanitise_description

if TYPE_CHECKING:
    from markdown_it.token import Token
    from markdown_it.utils import OptionsDict


class DescriptionRenderer(LetteredFootnotes):
    """Feed ``description``: Apple's ``p ol ul li a``; headings become paragraphs."""

    absolute = True
    _KEEP = frozenset({"p", "ol", "ul", "li"})

    def renderToken(self, tokens: Sequence[Token], idx: int, options: OptionsDict,
                    env: Any) -> str:  # fmt: skip
        token = tokens[idx]
        tag = token.tag
        if token.type in ("heading_open", "heading_close", "dt_open", "dt_close"):
            tag = "p"
        elif token.type in ("paragraph_open", "paragraph_close"):
            if token.hidden and _in_list_item(tokens, idx):
                return ""
            tag = "p"
        if tag not in self._KEEP:
            return "\n" if token.block and token.nesting == -1 else ""
        out = f"</{tag}>" if token.nesting == -1 else f"<{tag}>"
        if token.type == "ordered_list_open" and token.attrGet("start"):
            out = "<ol>"  # Apple strips attributes; the numbers are not load-bearing here
        return out + ("\n" if token.block and token.nesting == -1 else "")

    def code_inline(self, tokens: Sequence[Token], idx: int, options: OptionsDict,
                    env: Any) -> str:  # fmt: skip
        return html.escape(tokens[idx].content)

    def code_block(self, tokens: Sequence[Token], idx: int, options: OptionsDict,
                   env: Any) -> str:  # fmt: skip
        return f"<p>{html.escape(tokens[idx].content.strip())}</p>\n"

    fence = code_block

    def hr(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: Any) -> str:
        return ""

    def hardbreak(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: Any) -> str:
        return "\n"

    def image(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: Any) -> str:
        return html.escape(self.renderInlineAsText(tokens[idx].children or [], options, env))

    def citation(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: Any) -> str:
        narrator = self.narrator(tokens[idx], env)
        number = f"[{self._plain_citation(tokens[idx], env)}]"
        if narrator:  # "As Hartvigsen et al [2] put it": the text already has its space
            return f"{narrator} {number}"
        return f"{space_before(tokens, idx)}{number}"

    def notes_heading(self, env: Any) -> str:
        return f"<p>{html.escape(env['notes_title'])}</p>\n"

    def footnote_ref(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: Any
    ) -> str:
        return f"{space_before(tokens, idx)}[{footnote_label(tokens[idx].meta['id'] + 1)}]"


def _in_list_item(tokens: Sequence[Token], idx: int) -> bool:
    level = tokens[idx].level
    for j in range(idx - 1, -1, -1):
        if tokens[j].level < level and tokens[j].nesting == 1:
            return tokens[j].type in ("list_item_open", "footnote_open")
    return False


def plain_text(tokens: Sequence[Token], env: Mapping[str, Any]) -> str:
    """A block's text, citations as [n], for cutting at a sentence."""
    renderer = DescriptionRenderer()
    parts: list[str] = []
    for token in tokens:
        if token.type == "inline" and token.children:
            for child in token.children:
                if child.type in ("text", "code_inline"):
                    parts.append(child.content)
                elif child.type in ("softbreak", "hardbreak"):
                    parts.append(" ")
                elif child.type == "citation":
                    parts.append(html.unescape(renderer.citation([child], 0, parser().options,
                                                                 env)))  # fmt: skip
            parts.append(" ")
    return re.sub(r"\s+", " ", "".join(parts)).strip()


def table_as_list(tokens: Sequence[Token], env: Mapping[str, Any]) -> str:
    """A table for the description: one list item per row, "Header: cell; …"."""
    renderer = DescriptionRenderer()
    head: list[str] = []
    rows: list[list[str]] = []
    in_head = False
    for token in tokens:
        if token.type == "thead_open":
            in_head = True
        elif token.type == "thead_close":
            in_head = False
        elif token.type == "tr_open" and not in_head:
            rows.append([])
        elif token.type == "inline":
            cell = renderer.renderInline(token.children or [], parser().options, dict(env))
            (head if in_head else rows[-1]).append(cell.strip())
    items = []
    for row in rows:
        cells = [f"{h}: {c}" if h else c for h, c in zip(head + [""] * len(row), row,
                                                         strict=False)]  # fmt: skip
        items.append("<li>" + "; ".join(c for c in cells if c) + "</li>")
    return "<ul>\n" + "\n".join(items) + "\n</ul>\n"


DESCRIPTION_LIMIT = 4000  # bytes of UTF-8: Apple's limit for <description>


# --- fitting the limit --------------------------------------------------------------------


def _fits(text: str, limit: int = DESCRIPTION_LIMIT) -> bool:
    return len(text.encode("utf-8")) <= limit


def description(
    tokens: Sequence[Token],
    env: Mapping[str, Any],
    references: Sequence[Reference],
    title: str,
    page_url: str,
    summary: str | None,
) -> str:
    renderer = DescriptionRenderer()
    blocks: list[tuple[str, str, list[Token]]] = []  # (kind, html, tokens)
    for group in top_level_blocks(tokens):
        kind = group[0].type
        text = table_as_list(group, env) if kind == "table_open" else render(renderer, group, env)
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
        text = _cut_paragraph(plain_text(first[2], env), budget) if first else ""
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
