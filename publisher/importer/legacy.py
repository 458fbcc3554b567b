"""Values old hosts write that our rules refuse, and what each one becomes (pure).

Pre-2019 Apple categories, ``itunes:explicit`` words, ``itunes:duration`` forms, and the
measurement redirect prefixes (OP3, Podtrac, …) hosts put in front of enclosure URLs.
"""

from __future__ import annotations

import math
import re

from publisher import weburl
from publisher.config.categories import APPLE_CATEGORIES

Category = tuple[str, str | None]
MAX_DESCRIPTION_BYTES = 4000  # C-02, I-06
_EMAIL = re.compile(r"[^@\s<>\"'()]+@[^@\s<>\"'()]+\.[A-Za-z]{2,}")

# Apple's 2019 category change: old (parent, sub) -> current (parent, sub). A parent alone
# maps with sub None. Sources: Apple's "Podcast categories" (2019) migration notes.
LEGACY_CATEGORIES: dict[Category, Category] = {
    ("Games & Hobbies", None): ("Leisure", None),
    ("Games & Hobbies", "Automotive"): ("Leisure", "Automotive"),
    ("Games & Hobbies", "Aviation"): ("Leisure", "Aviation"),
    ("Games & Hobbies", "Hobbies"): ("Leisure", "Hobbies"),
    ("Games & Hobbies", "Other Games"): ("Leisure", "Games"),
    ("Games & Hobbies", "Video Games"): ("Leisure", "Video Games"),
    ("Science & Medicine", None): ("Science", None),
    ("Science & Medicine", "Medicine"): ("Health & Fitness", "Medicine"),
    ("Science & Medicine", "Natural Sciences"): ("Science", "Natural Sciences"),
    ("Science & Medicine", "Social Sciences"): ("Science", "Social Sciences"),
    ("Technology", "Podcasting"): ("Technology", None),
    ("Technology", "Gadgets"): ("Technology", None),
    ("Technology", "Software How-To"): ("Technology", None),
    ("Technology", "Tech News"): ("News", "Tech News"),
    ("Health", None): ("Health & Fitness", None),
    ("Health", "Alternative Health"): ("Health & Fitness", "Alternative Health"),
    ("Health", "Fitness & Nutrition"): ("Health & Fitness", "Fitness"),
    ("Health", "Self-Help"): ("Education", "Self-Improvement"),
    ("Health", "Sexuality"): ("Health & Fitness", "Sexuality"),
    ("Education", "Educational Technology"): ("Education", None),
    ("Education", "Higher Education"): ("Education", None),
    ("Education", "K-12"): ("Education", None),
    ("Education", "Training"): ("Education", None),
    ("Education", "Language Courses"): ("Education", "Language Learning"),
    ("Arts", "Literature"): ("Arts", "Books"),
    ("Business", "Business News"): ("News", "Business News"),
    ("Business", "Management & Marketing"): ("Business", "Management"),
    ("Business", "Shopping"): ("Business", None),
    ("Government & Organizations", None): ("Government", None),
    ("Government & Organizations", "Local"): ("Government", None),
    ("Government & Organizations", "National"): ("Government", None),
    ("Government & Organizations", "Regional"): ("Government", None),
    ("Government & Organizations", "Non-Profit"): ("Business", "Non-Profit"),
    ("News & Politics", None): ("News", "Politics"),
    ("Religion & Spirituality", "Other"): ("Religion & Spirituality", "Religion"),
    ("Society & Culture", "History"): ("History", None),
    ("Sports & Recreation", None): ("Sports", None),
    ("Sports & Recreation", "Amateur"): ("Sports", None),
    ("Sports & Recreation", "College & High School"): ("Sports", None),
    ("Sports & Recreation", "Outdoor"): ("Sports", "Wilderness"),
    ("Sports & Recreation", "Professional"): ("Sports", None),
    ("TV & Film", None): ("TV & Film", None),
}
_CURRENT = {name.lower(): name for name in APPLE_CATEGORIES}


def map_category(parent: str, sub: str | None) -> Category | None:
    """The current Apple category for ``parent`` / ``sub`` as a feed wrote it, or None."""
    key = (parent, sub)
    if key in LEGACY_CATEGORIES:
        return LEGACY_CATEGORIES[key]
    current = _CURRENT.get(parent.lower())
    if current is None:
        legacy = LEGACY_CATEGORIES.get((parent, None))
        if legacy is None:
            return None
        return legacy if sub is None else (map_category(legacy[0], sub) or legacy)
    if sub is None:
        return current, None
    subs = {s.lower(): s for s in APPLE_CATEGORIES[current]}
    if sub.lower() in subs:
        return current, subs[sub.lower()]
    return current, None  # an unknown subcategory: the parent still holds


_EXPLICIT = {
    "true": True,
    "yes": True,
    "explicit": True,
    "false": False,
    "no": False,
    "clean": False,
}


def explicit_value(raw: str | None) -> bool | None:
    """``itunes:explicit`` as true/false (legacy yes/no/clean included); None: absent or unknown."""
    return _EXPLICIT.get(raw.strip().lower()) if raw else None


_CLOCK = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:[.,]\d+)?)$")


def duration_seconds(raw: str | None) -> int | None:
    """Whole seconds from ``1834``, ``1834.6``, ``30:34``, ``0:30:34`` or ``00:30:34.5``."""
    if not raw:
        return None
    text = raw.strip()
    m = _CLOCK.match(text)
    try:
        if m:
            hours = int(m.group(1) or 0)
            seconds = hours * 3600 + int(m.group(2)) * 60 + float(m.group(3).replace(",", "."))
        else:
            seconds = float(text.replace(",", "."))
    except ValueError:
        return None
    if not math.isfinite(seconds) or seconds <= 0:
        return None
    return int(seconds + 0.5)


# Measurement redirect prefixes: host + path pattern, up to where the media URL begins.
_PREFIXES = (
    re.compile(r"^https?://op3\.dev/e/(?:[^/]*,[^/]*/)?"),
    re.compile(r"^https?://dts\.podtrac\.com/redirect\.[a-z0-9]+/"),
    re.compile(r"^https?://www\.podtrac\.com/pts/redirect\.[a-z0-9]+/"),
    re.compile(r"^https?://chrt\.fm/track/[A-Za-z0-9]+/"),
    re.compile(r"^https?://chtbl\.com/track/[A-Za-z0-9]+/"),
    re.compile(r"^https?://pdst\.fm/e/"),
    re.compile(r"^https?://pfx\.vpixl\.com/[A-Za-z0-9]+/"),
    re.compile(r"^https?://arttrk\.com/p/[A-Za-z0-9]+/"),
    re.compile(r"^https?://mgln\.ai/e/[A-Za-z0-9]+/"),
    re.compile(r"^https?://verifi\.podscribe\.com/rss/p/"),
    re.compile(r"^https?://pscrb\.fm/rss/p/"),
    re.compile(r"^https?://prfx\.byspotify\.com/e/"),
    re.compile(r"^https?://claritaspod\.com/measure/"),
    re.compile(r"^https?://tracking\.swap\.fm/track/[A-Za-z0-9]+/"),
)


def split_prefix(url: str) -> tuple[str, str]:
    """(measurement prefix chain, the media URL behind it) of an enclosure URL.

    ``https://dts.podtrac.com/redirect.mp3/op3.dev/e/host/a.mp3`` ->
    ``("https://dts.podtrac.com/redirect.mp3/op3.dev/e/", "https://host/a.mp3")``.
    The prefix is "" when the URL has none.
    """
    prefix, rest = "", url
    while True:
        scheme = re.match(r"^https?://", rest)
        probe = rest if scheme else "https://" + rest
        m = next((m for p in _PREFIXES if (m := p.match(probe))), None)
        if m is None:
            break
        taken = len(m.group(0)) - (0 if scheme else len("https://"))
        prefix, rest = prefix + rest[:taken], rest[taken:]
    if not prefix:
        return "", url
    media = rest if weburl.scheme(rest) in ("http", "https") else "https://" + rest
    return prefix, media


# --- small text checks the mapping shares ----------------------------------------


def cut(text: str, limit: int, *, chars: bool = False) -> str:
    """``text`` cut at a word to at most ``limit`` bytes (or characters), with an ellipsis."""

    def size(s: str) -> int:
        return len(s) if chars else len(s.encode())

    if size(text) <= limit:
        return text
    out = ""
    for word in text.split(" "):
        candidate = f"{out} {word}" if out else word
        if size(candidate + "…") > limit:
            break
        out = candidate
    return out.rstrip(" ,;:") + "…"


def to_int(text: str) -> int | None:
    try:
        return int(text.strip())
    except ValueError:
        return None


def email_in(text: str | None) -> str | None:
    found = _EMAIL.search(text or "")
    return found.group(0) if found else None


def is_https(url: str) -> bool:
    return weburl.is_https(url)


def fetchable(url: str | None) -> bool:
    if not url:
        return False
    return weburl.is_http(url)
