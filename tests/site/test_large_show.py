"""A 1,000-episode show's site: every page small enough for a phone and no broken internal
link (a crawl of every page's links against the rendered files)."""

from __future__ import annotations

import posixpath
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest

from publisher.model import Chapter
from tests.support.models import BASE, make_item, make_show, parse, render

PAGE_BUDGET = 50_000  # bytes of HTML plus its stylesheet (issue: 50 KB at any show size)
NOTES = "".join(
    f'<p>Paragraph {i} of notes with a claim.<sup><a href="#ref-1">1</a></sup></p>'
    for i in range(40)
)


@pytest.fixture(scope="module")
def site() -> dict[str, bytes]:
    start = datetime(2007, 1, 3, 9, tzinfo=UTC)
    items = [
        make_item(
            f"ep{i:04d}",
            date=start + timedelta(weeks=i),
            season=1 + i // 100,
            episode=i % 100 + 1,
            web_html=NOTES,
            audio={"chapters": (Chapter(0.0, "Intro"), Chapter(60.0, "Evidence"))},
        )
        for i in range(1000)
    ]
    return render(show=make_show(episodes_per_page=20), items=list(reversed(items)))


def test_every_page_with_its_stylesheet_fits_the_budget(site: dict[str, bytes]) -> None:
    css = len(site["style.css"])
    sizes = {k: len(v) + css for k, v in site.items() if k.endswith(".html")}
    assert len([k for k in sizes if k.startswith("all/")]) == 50
    assert len([k for k in sizes if k.startswith("archive/")]) == 1 + 230  # index + months
    too_big = {k: s for k, s in sizes.items() if s > PAGE_BUDGET}
    assert too_big == {}
    assert sizes["index.html"] < 30_000


BUILD_OUTPUTS = ("feed.xml", "media/", "artwork/", "pagefind/", "transcripts/", "chapters/")


def test_no_internal_link_is_broken(site: dict[str, bytes]) -> None:
    """Every link to this site resolves to a rendered file, or to a file the build writes
    beside the pages (feed, media, artwork, the search index)."""
    broken = []
    for key, content in site.items():
        if not key.endswith(".html"):
            continue
        doc = parse(content)
        for link in doc.xpath(
            "//a/@href | //link/@href | //img/@src | //script/@src | //track/@src"
        ):
            if link.startswith("#"):
                continue
            parts = urlsplit(link)
            if parts.scheme:
                if not link.startswith(BASE):
                    continue  # another site
                target = parts.path[len(urlsplit(BASE).path) :] or "index.html"
            else:
                target = posixpath.normpath(posixpath.join(posixpath.dirname(key), parts.path))
            if target not in site and not target.startswith(BUILD_OUTPUTS):
                broken.append((key, link))
    assert broken == []
