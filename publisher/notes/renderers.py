"""The website and ``content:encoded`` renderers over the notes' tokens.

Each rendering has its own renderer over the same tokens: the website (superscript links to
``#ref-N``) and the feed's ``content:encoded`` (absolute links only); the feed's
``description`` has its own module, :mod:`.description`, over the shared :class:`BaseRules`.

The page's own ``<h1>`` is the episode title, so in the website and ``content:encoded`` the
notes' headings are shifted to start at ``<h2>`` (:func:`.markdown.heading_shift`). Footnotes
are lettered under a "Notes" heading, ``[a]``, ``[b]`` …: numbers already mean references (the
convention of Wikipedia's notes and of AMA's table footnotes), so a footnote marker cannot be
read as a citation number. The website lists them in ``<ol type="a">``; ``content:encoded``
starts each with its marker instead ("[a] …", no list attributes there); the description,
where Apple keeps no attributes at all, starts each list item with its marker too.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from publisher import weburl
from publisher.notes.citesyntax import Cite, collapse, locator_text
from publisher.notes.markdown import Numbering, RendererBase, footnote_label

if TYPE_CHECKING:
    from markdown_it.token import Token
    from markdown_it.utils import OptionsDict

    from publisher.notes.citations import CitationStyle

# --- links ------------------------------------------------------------------------------

_SAFE_SCHEMES = ("http", "https", "mailto")


def _safe_href(href: str) -> str | None:
    parsed = weburl.parse(href)
    if parsed is None or (parsed.scheme and parsed.scheme not in _SAFE_SCHEMES):
        return None  # unsafe, or a link no browser could follow: the text alone is shown
    return href


def _is_external(href: str, page_url: str) -> bool:
    target = weburl.parse(weburl.join(page_url, href) or "")  # "//other.example/" too
    if target is None or target.scheme not in ("http", "https"):
        return False
    return target.netloc.lower() != (weburl.parse(page_url) or target).netloc.lower()


def _link_open(href: str, page_url: str, *, absolute: bool, title: str | None = None) -> str:
    if absolute:
        href = weburl.join(page_url, href) or href
    attrs = f' href="{html.escape(href)}"'
    if title:
        attrs += f' title="{html.escape(title)}"'
    if _is_external(href, page_url):
        attrs += ' rel="nofollow noopener"'
    return f"<a{attrs}>"


# --- renderers --------------------------------------------------------------------------


class BaseRules(RendererBase):
    """Shared rules. ``env`` carries: style, numbering, page_url."""

    absolute = False

    def link_open(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: Any) -> str:
        token = tokens[idx]
        href = _safe_href(str(token.attrGet("href") or ""))
        if href is None:
            token.meta["dropped"] = True
            return ""
        title = token.attrGet("title")
        return _link_open(href, env["page_url"], absolute=self.absolute,
                          title=str(title) if title else None)  # fmt: skip

    def link_close(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: Any) -> str:
        opener = _per_render(env, "link_openers", tokens, link_openers).get(idx)
        return "" if opener is not None and opener.meta.get("dropped") else "</a>"

    def image(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: Any) -> str:
        token = tokens[idx]
        alt = self.renderInlineAsText(token.children or [], options, env)
        src = _safe_href(str(token.attrGet("src") or ""))
        if src is None or src.startswith("data:"):
            return html.escape(alt)
        if self.absolute:
            src = weburl.join(env["page_url"], src) or src
        return f'<img src="{html.escape(src)}" alt="{html.escape(alt)}">'

    def footnote_ref(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: Any
    ) -> str:
        return f"<sup>[{footnote_label(tokens[idx].meta['id'] + 1)}]</sup>"

    def footnote_block_open(self, tokens: Sequence[Token], idx: int, options: OptionsDict,
                            env: Any) -> str:  # fmt: skip
        return "<ol>\n"

    def footnote_block_close(self, tokens: Sequence[Token], idx: int, options: OptionsDict,
                             env: Any) -> str:  # fmt: skip
        return "</ol>\n"

    def footnote_open(self, tokens: Sequence[Token], idx: int, options: OptionsDict,
                      env: Any) -> str:  # fmt: skip
        return "<li>"

    def footnote_close(self, tokens: Sequence[Token], idx: int, options: OptionsDict,
                       env: Any) -> str:  # fmt: skip
        return "</li>\n"

    def footnote_anchor(self, tokens: Sequence[Token], idx: int, options: OptionsDict,
                        env: Any) -> str:  # fmt: skip
        return ""

    def _runs(self, token: Token, env: Any) -> list[tuple[int, int, Cite]]:
        numbering: Numbering = env["numbering"]
        pairs = [(numbering.numbers[c.key], c) for c in token.meta["cites"]
                 if c.key in numbering.numbers]  # fmt: skip
        return collapse(pairs, enabled=env["style"].collapse)

    def _plain_citation(self, token: Token, env: Any) -> str:
        style: CitationStyle = env["style"]
        parts = []
        for a, b, cite in self._runs(token, env):
            text = f"{a}{style.range_delimiter}{b}" if a != b else str(a)
            parts.append(_affixed(cite, text))
        return style.delimiter.join(parts)

    def narrator(self, token: Token, env: Any) -> str:
        """For a narrative citation (``As @key put it``) its authors' HTML, else ""."""
        if not token.meta.get("narrative"):
            return ""
        return html.escape(env["narrators"][token.meta["cites"][0].key], quote=False)

    def citation(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: Any) -> str:
        narrator = self.narrator(tokens[idx], env)
        return f"{narrator}<sup>{self._plain_citation(tokens[idx], env)}</sup>"


class _Rich(BaseRules):
    """The two full renderings: headings keep their tags, shifted to start at ``<h2>``."""

    def heading_open(self, tokens: Sequence[Token], idx: int, options: OptionsDict,
                     env: Any) -> str:  # fmt: skip
        return f"<h{_level(tokens[idx], env)}>"

    def heading_close(self, tokens: Sequence[Token], idx: int, options: OptionsDict,
                      env: Any) -> str:  # fmt: skip
        return f"</h{_level(tokens[idx], env)}>\n"


class WebRenderer(_Rich):
    """The website: headings with ids, superscript links to ``#ref-N``, which link back here."""

    def heading_open(self, tokens: Sequence[Token], idx: int, options: OptionsDict,
                     env: Any) -> str:  # fmt: skip
        anchor = tokens[idx].meta.get("anchor")
        ident = f' id="{html.escape(anchor)}"' if anchor else ""
        return f"<h{_level(tokens[idx], env)}{ident}>"

    def _cite_link(self, n: int, env: Any, also: Sequence[int] = ()) -> str:
        numbering: Numbering = env["numbering"]
        backlinks = numbering.backlinks
        numbering.links[n] = numbering.links.get(n, 0) + 1
        ident = f"cite-{n}-{numbering.links[n]}"
        backlinks.setdefault(n, []).append(ident)
        for m in also:  # numbers hidden inside a collapsed range link back to its start
            backlinks.setdefault(m, []).append(ident)
        return f'<a href="#ref-{n}" id="{ident}" aria-label="Reference {n}">{n}</a>'

    def citation(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: Any) -> str:
        style: CitationStyle = env["style"]
        parts = []
        for a, b, cite in self._runs(tokens[idx], env):
            text = self._cite_link(a, env, also=range(a + 1, b))
            if b != a:
                text += style.range_delimiter + self._cite_link(b, env)
            parts.append(_affixed(cite, text))
        narrator = self.narrator(tokens[idx], env)
        return f'{narrator}<sup class="cite">{style.delimiter.join(parts)}</sup>'

    def footnote_ref(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: Any
    ) -> str:
        token = tokens[idx]
        n = token.meta["id"] + 1
        sub = token.meta.get("subId", 0)
        ref_id = f"fnref-{n}" + (f"-{sub}" if sub else "")
        label = footnote_label(n)
        return (f'<sup class="footnote-ref"><a href="#fn-{n}" id="{ref_id}" '
                f'aria-label="Footnote {label}">[{label}]</a></sup>')  # fmt: skip

    def footnote_block_open(self, tokens: Sequence[Token], idx: int, options: OptionsDict,
                            env: Any) -> str:  # fmt: skip
        return ('<section class="footnotes" aria-labelledby="notes-title">\n'
                f'<h2 id="notes-title">{html.escape(env["notes_title"])}</h2>\n'
                '<ol type="a">\n')  # fmt: skip

    def footnote_block_close(self, tokens: Sequence[Token], idx: int, options: OptionsDict,
                             env: Any) -> str:  # fmt: skip
        return "</ol>\n</section>\n"

    def footnote_open(self, tokens: Sequence[Token], idx: int, options: OptionsDict,
                      env: Any) -> str:  # fmt: skip
        return f'<li id="fn-{tokens[idx].meta["id"] + 1}">'

    def footnote_anchor(self, tokens: Sequence[Token], idx: int, options: OptionsDict,
                        env: Any) -> str:  # fmt: skip
        token = tokens[idx]
        n = token.meta["id"] + 1
        sub = token.meta.get("subId", 0)
        ref_id = f"fnref-{n}" + (f"-{sub}" if sub else "")
        label = footnote_label(n)
        # A footnote marked in several places gets one back link per marker; like the
        # reference list's, they are told apart by number (the same name for two targets
        # would leave a screen-reader user guessing).
        markers = _per_render(env, "footnote_markers", tokens, footnote_markers)[n - 1]
        if markers == 1:
            return (f' <a href="#{ref_id}" class="backref" '
                    f'aria-label="Back to footnote {label} in the text">\u21a9</a>')  # fmt: skip
        return (f' <a href="#{ref_id}" class="backref" aria-label="Back to marker {sub + 1} of '
                f'footnote {label} in the text">\u21a9{sub + 1}</a>')  # fmt: skip


class LetteredFootnotes(BaseRules):
    """Footnotes as paragraphs that start with their marker, "[a] The text", under a heading.

    For the feed: validators refuse ``<ol type="a">`` in ``content:encoded`` and Apple keeps
    no attributes in the description, so a list would number the notes 1, 2 … and clash
    with the citation numbers; the markers in the text are ``[a]`` in every rendering.
    """

    def notes_heading(self, env: Any) -> str:
        return f"<h2>{html.escape(env['notes_title'])}</h2>\n"

    def footnote_ref(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: Any
    ) -> str:
        return f"<sup>[{footnote_label(tokens[idx].meta['id'] + 1)}]</sup>"

    def footnote_block_open(self, tokens: Sequence[Token], idx: int, options: OptionsDict,
                            env: Any) -> str:  # fmt: skip
        return self.notes_heading(env)

    def footnote_block_close(self, tokens: Sequence[Token], idx: int, options: OptionsDict,
                             env: Any) -> str:  # fmt: skip
        return ""

    def footnote_open(self, tokens: Sequence[Token], idx: int, options: OptionsDict,
                      env: Any) -> str:  # fmt: skip
        if idx + 1 < len(tokens) and tokens[idx + 1].type == "paragraph_open":
            return ""  # the marker starts that paragraph
        return f"<p>[{footnote_label(tokens[idx].meta['id'] + 1)}]</p>\n"

    def footnote_close(self, tokens: Sequence[Token], idx: int, options: OptionsDict,
                       env: Any) -> str:  # fmt: skip
        return ""

    def paragraph_open(self, tokens: Sequence[Token], idx: int, options: OptionsDict,
                       env: Any) -> str:  # fmt: skip
        if idx > 0 and tokens[idx - 1].type == "footnote_open":
            return f"<p>[{footnote_label(tokens[idx - 1].meta['id'] + 1)}] "
        return self.renderToken(tokens, idx, options, env)


class ContentRenderer(LetteredFootnotes, _Rich):
    """Feed ``content:encoded``: rich HTML, every link absolute, no in-page links."""

    absolute = True


_T = TypeVar("_T")


def _per_render(
    env: dict[str, Any],
    name: str,
    tokens: Sequence[Token],
    compute: Callable[[Sequence[Token]], _T],
) -> _T:
    """``compute(tokens)``, worked out once per render and token list, kept in ``env``.

    The rules that need a fact about the whole list (which link a link_close closes, how many
    markers a footnote has) are called once per token; scanning the list each time made a
    render quadratic in the length of the notes. ``env`` is a fresh dict per render, and the
    cached list is kept beside its result, so a list is never mistaken for another.
    """
    cache: dict[int, tuple[Sequence[Token], Any]] = env.setdefault(f"_{name}", {})
    hit = cache.get(id(tokens))
    if hit is None or hit[0] is not tokens:
        hit = cache[id(tokens)] = (tokens, compute(tokens))
    result: _T = hit[1]
    return result


def link_openers(tokens: Sequence[Token]) -> dict[int, Token]:
    """The index of every link_close with the link_open it closes (the nearest unclosed one)."""
    openers: dict[int, Token] = {}
    stack: list[Token] = []
    for i, token in enumerate(tokens):
        if token.type == "link_open":
            stack.append(token)
        elif token.type == "link_close" and stack:
            openers[i] = stack.pop()
    return openers


def footnote_markers(tokens: Sequence[Token]) -> Counter[int]:
    """How many back links (``footnote_anchor``) each footnote id has."""
    return Counter(t.meta["id"] for t in tokens if t.type == "footnote_anchor")


def _level(token: Token, env: Any) -> int:
    # Capped at h6; two levels that meet there stay in their order, only their depth merges.
    shift: int = env["heading_shift"]
    return max(1, min(6, int(token.tag[1:]) + shift))


def _affixed(cite: Cite, number_html: str) -> str:
    """The number with pandoc's prefix, the AMA locator and the suffix: "see 1(p3), fig. 2"."""
    prefix = html.escape(cite.prefix) + " " if cite.prefix else ""
    suffix = html.escape(cite.suffix)
    if suffix and suffix[0].isalnum():
        suffix = " " + suffix
    return prefix + number_html + html.escape(locator_text(cite.locator)) + suffix


def space_before(tokens: Sequence[Token], idx: int) -> str:
    """A space before a bracketed marker, unless the text already ends with one."""
    if idx == 0 or tokens[idx - 1].type in ("softbreak", "hardbreak"):
        return ""
    before = tokens[idx - 1]
    return "" if before.type == "text" and before.content[-1:].isspace() else " "
