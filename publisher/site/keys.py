"""The site's own published keys (pages, downloads, search bundle).

Every key the site writes is made here, so two kinds of file can never collide: episode slugs
are ASCII letters, digits, ``-`` and ``_`` (no dot), so ``episodes/<slug>.html`` and
``episodes/<slug>.transcript.html`` never meet.
"""

from __future__ import annotations

from pathlib import Path

STYLESHEET = "style.css"
SCRIPT = "site.js"
ARCHIVE_INDEX = "archive/index.html"
NOT_FOUND = "404.html"
SITEMAP = "sitemap.xml"
ROBOTS = "robots.txt"
SEARCH_DIR = "pagefind/"
SEARCH_BUNDLE = SEARCH_DIR + "pagefind.js"
FAVICON = "favicon.png"
TOUCH_ICON = "apple-touch-icon.png"


def transcript_page(slug: str) -> str:
    return f"episodes/{slug}.transcript.html"


def captions(slug: str) -> str:
    return f"captions/{slug}.vtt"


def references(slug: str, ext: str) -> str:
    """``references/<slug>.ris|bib|json``: the episode's reference list to take away."""
    return f"references/{slug}.{ext}"


def cite(slug: str, ext: str) -> str:
    """``cite/<slug>.ris|bib``: the episode itself as a reference."""
    return f"cite/{slug}.{ext}"


def is_html_transcript(path: Path) -> bool:
    return path.name.lower().endswith((".html", ".htm"))
