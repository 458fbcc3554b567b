"""The website: home page, one page per episode and a stylesheet (the only jinja2 import).

Pages work with no JavaScript and from ``file://``: links between pages, to the stylesheet and to
media published under the same base URL are relative; the canonical link, the feed link and the
Open Graph tags are absolute. Every string except the notes' already-sanitised ``web_html`` is
autoescaped. The same inputs give byte-identical pages.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator, Sequence
from datetime import datetime
from functools import cache
from html.parser import HTMLParser
from importlib import resources
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import jinja2
from markupsafe import Markup

from publisher import layout
from publisher.model import Item, Show, ShowLinks

__all__ = ["render_site"]

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
# Only these origins may be written into the Content-Security-Policy (a URL from the config
# must not be able to smuggle a ";" or another directive into it).
# The only inline styles allowed: markdown-it writes table column alignment as these exact
# style attributes. 'unsafe-hashes' with their hashes admits them and nothing else.
_ALLOWED_STYLE_ATTRIBUTES = ("text-align:left", "text-align:center", "text-align:right")
_ORIGIN_RE = re.compile(r"^https?://(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$")


def render_site(show: Show, links: ShowLinks, items: Sequence[Item]) -> Iterator[tuple[str, bytes]]:
    """Render the website, one page at a time as the pages are taken.

    Yields ``(key, content)`` pairs: the home page, each item's page (its ``links.page_key``)
    in the order given (newest first), and the stylesheet (keys: :mod:`publisher.layout`).
    Raises nothing a producer can fix: every input has been validated by earlier stages.
    """
    env = _environment()
    css = _stylesheet()
    css_version = hashlib.sha256(css).hexdigest()[:10]
    base = _base_url(links, items)
    csp = _content_security_policy(links, items)
    zone = _zone(show.timezone)
    views = [_ItemView(item, zone) for item in items]

    def page(template: str, key: str, **context: object) -> tuple[str, bytes]:
        def href(url: str) -> str:
            return _href(base, key, url)

        html = env.get_template(template).render(
            show=show,
            links=links,
            key=key,
            href=href,
            rel=lambda target_key: _relative(key, target_key),
            index_key=layout.INDEX_KEY,
            stylesheet=f"{_relative(key, layout.STYLESHEET_KEY)}?v={css_version}",
            csp=csp,
            **context,
        )
        return key, html.encode("utf-8")

    yield page("home.html", layout.INDEX_KEY, items=views)
    for i, view in enumerate(views):
        yield page(
            "episode.html",
            view.item.links.page_key,
            item=view.item,
            view=view,
            newer=views[i - 1] if i > 0 else None,
            older=views[i + 1] if i + 1 < len(views) else None,
        )
    yield layout.STYLESHEET_KEY, css


# --- what the templates are given ------------------------------------------------------------


class _ItemView:
    """One item with the display strings its pages need (computed once, used on two pages)."""

    def __init__(self, item: Item, zone: ZoneInfo | None) -> None:
        episode = item.episode
        date = episode.date.astimezone(zone) if zone is not None else episode.date
        self.item = item
        self.datetime = date.isoformat()
        self.date = _human_date(date)
        self.duration = human_duration(episode.audio.duration)
        self.duration_iso = iso_duration(episode.audio.duration)
        self.summary = episode.summary or _first_paragraph(item.notes.web_html)
        self.size = human_size(episode.audio.size)
        self.format = episode.audio.extension.upper()
        numbers = []
        if episode.season is not None:
            numbers.append(f"Season {episode.season}")
        if episode.episode is not None:
            numbers.append(f"Episode {episode.episode}")
        self.numbering = ", ".join(numbers)
        self.kind = "" if episode.episode_type == "full" else episode.episode_type.capitalize()


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("publisher.site", "templates"),
        autoescape=True,  # everything but the sanitised notes is untrusted
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["clock"] = clock
    env.filters["iso_duration"] = iso_duration
    env.filters["paragraphs"] = _paragraphs
    env.filters["http_url"] = _http_url
    env.filters["excerpt"] = _excerpt
    return env


@cache
def _stylesheet() -> bytes:
    return resources.files("publisher.site").joinpath("static", layout.STYLESHEET_KEY).read_bytes()


# --- formatting -------------------------------------------------------------------------------


def human_duration(seconds: float) -> str:
    """``17 s``, ``12 min 5 s``, ``12 min``, ``1 h 2 min``: how long an episode is, for people."""
    total = int(seconds + 0.5)
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    if h:
        return f"{h} h {m} min" if m else f"{h} h"
    if m:
        return f"{m} min {s} s" if s else f"{m} min"
    return f"{s} s"


def iso_duration(seconds: float) -> str:
    """An HTML/ISO 8601 duration for ``<time datetime>``: ``PT1H2M5S``."""
    total = int(seconds + 0.5)
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    text = "PT" + (f"{h}H" if h else "") + (f"{m}M" if m else "")
    return text + (f"{s}S" if s or text == "PT" else "")


def clock(seconds: float) -> str:
    """A chapter's start as on a player: ``0:17``, ``12:05``, ``1:02:05``."""
    total = int(seconds)  # a chapter starting at 4.9 s has not started at "0:05"
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def human_size(size: int) -> str:
    """``850 KB``, ``12.3 MB``: decimal units, as a download dialog shows them."""
    for unit, factor in (("GB", 10**9), ("MB", 10**6), ("KB", 10**3)):
        if size >= factor:
            value = size / factor
            return f"{value:.1f} {unit}" if value < 100 else f"{value:.0f} {unit}"
    return f"{size} bytes"


def _human_date(date: datetime) -> str:
    # Not strftime("%B"): its month names follow the process locale, and output must not.
    return f"{date.day} {_MONTHS[date.month - 1]} {date.year}"


def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None  # config validates the name; the episode's own offset is shown otherwise


def _paragraphs(text: str) -> list[str]:
    """Plain text split into paragraphs at blank lines."""
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def _http_url(url: str | None) -> str | None:
    """``url`` if it is an http(s) URL, else None: no ``javascript:`` from a chapter or config."""
    if url and urlsplit(url.strip()).scheme.lower() in ("http", "https"):
        return url.strip()
    return None


class _TextOfFirstParagraph(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.done = False
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.done:
            return
        if tag == "p":
            self.depth += 1
        elif tag == "sup" and self.depth:
            self.depth += 100  # citation numbers are noise in a summary

    def handle_endtag(self, tag: str) -> None:
        if self.done:
            return
        if tag == "sup" and self.depth > 100:
            self.depth -= 100
        elif tag == "p" and self.depth:
            self.depth -= 1
            self.done = self.depth == 0 and bool("".join(self.parts).strip())

    def handle_data(self, data: str) -> None:
        if self.depth and self.depth < 100 and not self.done:
            self.parts.append(data)


def _first_paragraph(html: str) -> str:
    """The text of the notes' first paragraph, cut at a word: the summary when none is given."""
    parser = _TextOfFirstParagraph()
    parser.feed(html)
    parser.close()
    return _excerpt("".join(parser.parts), 280)


def _excerpt(text: str, limit: int = 300) -> str:
    """``text`` on one line, cut at a word to at most ``limit`` characters."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


# --- URLs -------------------------------------------------------------------------------------


def _relative(from_key: str, to_key: str) -> str:
    """The relative URL from the page at ``from_key`` to ``to_key`` (both site keys)."""
    from_dir = from_key.split("/")[:-1]
    to = to_key.split("/")
    common = 0
    while common < len(from_dir) and common < len(to) - 1 and from_dir[common] == to[common]:
        common += 1
    return "../" * (len(from_dir) - common) + "/".join(to[common:])


def _base_url(links: ShowLinks, items: Sequence[Item]) -> str:
    """The URL that site keys are published under, learnt from a URL whose key is known."""
    pairs = [(links.artwork_url, links.artwork_key)]
    pairs += [(i.links.page_url, i.links.page_key) for i in items]
    for url, key in pairs:
        base = layout.public_url_of(url, key)
        if base is not None:
            return base
    site = links.site_url
    return site if site.endswith("/") else site.rsplit("/", 1)[0] + "/"


def _href(base: str, from_key: str, url: str) -> str:
    """A link from the page at ``from_key`` to ``url``: relative when it lies under ``base``."""
    if not url.startswith(base):
        return url  # another origin (a CDN, a transcript host): absolute
    parts = urlsplit(url[len(base) :])
    target = parts.path or layout.INDEX_KEY
    if target.endswith("/"):
        target += layout.INDEX_KEY  # a folder opened from file:// would list, not show the page
    rel = _relative(from_key, target)
    return (
        rel
        + (f"?{parts.query}" if parts.query else "")
        + (f"#{parts.fragment}" if parts.fragment else "")
    )


def _origin(url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url)
    origin = f"{parts.scheme.lower()}://{parts.netloc.lower()}"
    return origin if _ORIGIN_RE.match(origin) else None


def _content_security_policy(links: ShowLinks, items: Sequence[Item]) -> Markup:
    """No scripts at all; images and media from this site, https, and the show's own origins.

    Styles come from the site's stylesheet, plus the table-alignment attributes of the notes.

    ``https:`` already admits a CDN on https; an ``http://`` public URL (a local preview, a
    LAN server) is named explicitly so its artwork still loads.
    """
    image_urls = [links.artwork_url, links.site_url] + [i.links.image_url for i in items]
    # media-src admits every http: and https: origin already; only img-src needs naming them
    image_origins = sorted({o for o in map(_origin, image_urls) if o and o.startswith("http:")})
    img_src = " ".join(["'self'", "https:", "data:", *image_origins])
    style_hashes = [
        "'sha256-" + base64.b64encode(hashlib.sha256(style.encode()).digest()).decode() + "'"
        for style in _ALLOWED_STYLE_ATTRIBUTES
    ]
    style_src = " ".join(["'self'", "'unsafe-hashes'", *style_hashes])
    # Markup: the directives are fixed and the origins matched _ORIGIN_RE, so nothing to escape
    return Markup(
        "; ".join(
            [
                "default-src 'self'",
                "script-src 'none'",
                "object-src 'none'",
                "base-uri 'none'",
                "form-action 'none'",
                f"img-src {img_src}",
                "media-src 'self' https: http:",
                f"style-src {style_src}",
            ]
        )
    )
