"""How the site writes durations, sizes, dates and excerpts for people (pure, locale-free)."""

from __future__ import annotations

import re
from datetime import datetime
from html.parser import HTMLParser
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from publisher import weburl
from publisher.site.pages import MONTHS


def human_duration(seconds: float) -> str:
    """``17 s``, ``12 min 5 s``, ``12 min``, ``1 h 2 min``: how long an episode is, for people;
    ``""`` when unknown (0 seconds: an imported episode whose old feed gave no duration)."""
    total = int(seconds + 0.5)
    if total == 0:
        return ""
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


def human_date(date: datetime) -> str:
    # Not strftime("%B"): its month names follow the process locale, and output must not.
    return f"{date.day} {MONTHS[date.month - 1]} {date.year}"


def zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None  # config validates the name; the episode's own offset is shown otherwise


def paragraphs(text: str) -> list[str]:
    """Plain text split into paragraphs at blank lines."""
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def http_url(url: str | None) -> str | None:
    """``url`` if it is an http(s) URL, else None: no ``javascript:`` from a chapter or config."""
    if url and weburl.scheme(url) in ("http", "https"):
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
            self.parts.append(_CITED)  # where one was: no space left before punctuation

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


def first_paragraph(html: str) -> str:
    """The text of the notes' first paragraph, cut at a word: the summary when none is given."""
    parser = _TextOfFirstParagraph()
    parser.feed(html)
    parser.close()
    text = _AT_CITATION.sub("", "".join(parser.parts)).replace(_CITED, "")
    return excerpt(text, 280)


_CITED = "\x00"  # a citation taken out of the text
# a citation's place, and the spaces before it, when punctuation follows: "matters [1]." was
# "matters ." once the number was gone
_AT_CITATION = re.compile(r"\s*\x00+(?=[.,;:!?)\]])")


def excerpt(text: str, limit: int = 300) -> str:
    """``text`` on one line, cut at a word to at most ``limit`` characters."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"
