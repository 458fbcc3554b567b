"""Show notes from an imported feed: HTML -> Markdown (the only markdownify import), and HTML
-> plain text.

Our notes show raw HTML as text, so an old host's HTML notes are converted, keeping lists,
links, emphasis and headings. The Markdown then goes through the notes renderer and its
sanitiser like any note: the feed's HTML never reaches a page or the feed directly.
lxml reads the fragment first to turn in-page links into plain text: the converted note
keeps no element ids, so such a link would point nowhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import lxml.html
from lxml import etree
from markdownify import MarkdownConverter

# Elements whose content is not text for a reader (scripts, embedded players, forms).
_DROPPED = "|".join(
    f"//{t}"
    for t in ("script", "style", "iframe", "object", "embed", "form", "noscript", "template")
)
_BLOCKS = ("p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr")


@dataclass(frozen=True)
class Converted:
    markdown: str
    dead_anchors: tuple[str, ...]  # in-page links whose target does not exist
    live_anchors: tuple[str, ...]  # in-page links whose target the conversion drops


class _Converter(MarkdownConverter):
    """markdownify with images as their alt text (a note has no place for remote images)."""

    def convert_img(self, el: object, text: str, parent_tags: object = None) -> str:
        alt = str(getattr(el, "attrs", {}).get("alt") or "").strip()
        return alt

    def convert_sup(self, el: object, text: str, parent_tags: object = None) -> str:
        """A superscript (a citation number, mostly) as ``[n]``: Markdown has none."""
        return f"[{text.strip()}]" if text.strip() else ""


def to_markdown(html: str) -> Converted:
    """``html`` (a feed item's notes) as Markdown, with the in-page links made plain text."""
    if not html.strip():
        return Converted("", (), ())
    if not re.search(r"<[A-Za-z!/]", html):  # plain text: keep its paragraphs
        text = _escape(html.strip())
        return Converted(re.sub(r"\n{3,}", "\n\n", text), (), ())
    root = _fragment(html)
    ids = {str(v) for v in root.xpath("//@id | //a/@name")}
    dead: list[str] = []
    live: list[str] = []
    for a in root.xpath("//a[starts-with(normalize-space(@href), '#')]"):
        target = str(a.get("href")).strip()[1:]
        (live if target in ids else dead).append("#" + target)
        a.drop_tag()
    for el in root.xpath(_DROPPED):
        el.drop_tree()
    for a in root.xpath("//a[@href]"):  # only links our notes keep (http, https, mailto)
        scheme = (
            str(a.get("href")).strip().split(":", 1)[0].lower() if ":" in str(a.get("href")) else ""
        )
        if scheme not in ("http", "https", "mailto"):
            a.drop_tag()
    body = etree.tostring(root, encoding="unicode", method="html")
    markdown = _Converter(
        heading_style="ATX",
        bullets="-",
        escape_misc=False,
    ).convert(body)
    markdown = re.sub(r"[ \t]+\n", "\n", markdown)
    markdown = re.sub(r"\n{3,}", "\n\n", markdown).strip()
    return Converted(_escape(markdown), tuple(dead), tuple(live))


def to_text(html: str) -> str:
    """``html`` as plain text: paragraphs kept, tags and entities gone."""
    if not html.strip():
        return ""
    if not re.search(r"<[A-Za-z!/]", html):
        return _paragraphs(html)
    root = _fragment(html)
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag in _BLOCKS:
            el.tail = "\n\n" + (el.tail or "")
    for el in root.xpath(_DROPPED):
        el.drop_tree()
    for a in root.xpath("//a[@href]"):  # only links our notes keep (http, https, mailto)
        scheme = (
            str(a.get("href")).strip().split(":", 1)[0].lower() if ":" in str(a.get("href")) else ""
        )
        if scheme not in ("http", "https", "mailto"):
            a.drop_tag()
    return _paragraphs(root.text_content())


def _fragment(html: str) -> lxml.html.HtmlElement:
    try:
        return lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return lxml.html.fragment_fromstring("", create_parent="div")


def _paragraphs(text: str) -> str:
    paras = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text)]
    return "\n\n".join(p for p in paras if p)


def _escape(markdown: str) -> str:
    """Escape what our notes would read as a citation (``[@key]``): a feed has no bibliography."""
    return re.sub(r"(?<!\\)\[(?=\s*-?@)", r"\\[", markdown)
