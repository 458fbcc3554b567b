"""Hand-built model objects (Show, Item, links) for tests of the renderers."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import lxml.html

from publisher.episodes import body_digest
from publisher.model import (
    AudioInfo,
    Category,
    Episode,
    Item,
    ItemLinks,
    Owner,
    RenderedNotes,
    Show,
    ShowLinks,
)
from publisher.site.render import render_site

BASE = "https://pod.example.org/show/"
NOTES_HTML = (
    "<p>Imaging finds degeneration in people without pain."
    '<sup><a href="#ref-1" id="cite-1-1">1</a></sup> More.</p>'
    '<h2>References</h2><ol class="references"><li id="ref-1">Brinjikji W, et al. '
    '<a href="https://doi.org/10.3174/ajnr.A4173">doi:10.3174/ajnr.A4173</a></li></ol>'
)
HOSTILE = '<script>window.pwned=1</script><img src=x onerror="window.pwned=1">\'"&'


def make_show(**changes: Any) -> Show:
    show = Show(
        source=Path("feed_config.yaml"),
        root=Path("."),
        title="Evidence Matters",
        description="Short, careful episodes.\n\nSecond paragraph & more.",
        author="Dr A. Author",
        owner=Owner("A. Author", "a@example.org"),
        language="en-GB",
        categories=(Category("Science"),),
        explicit=False,
        image=Path("cover.jpg"),
        timezone="Europe/London",
        targets=(),
        default_target="local",
        copyright="© 2024 A. Author",
    )
    return dataclasses.replace(show, **changes)


def make_links(base: str = BASE) -> ShowLinks:
    return ShowLinks(
        site_url=base,
        feed_url=base + "feed.xml",
        artwork_url=base + "artwork/cover-0123abcd.jpg",
        artwork_key="artwork/cover-0123abcd.jpg",
    )


def make_item(slug: str = "ep1", base: str = BASE, **changes: Any) -> Item:
    """An item; ``changes`` go to the Episode, except ``links``/``notes``/``audio`` keywords."""
    audio = AudioInfo(
        source=Path(f"episodes/{slug}.mp3"),
        size=12_345_678,
        mime_type="audio/mpeg",
        extension="mp3",
        duration=725.4,
    )
    audio = dataclasses.replace(audio, **changes.pop("audio", {}))
    episode = Episode(
        slug=slug,
        source=Path(f"show_notes/{slug}.md"),
        audio=audio,
        title=f"Episode {slug}",
        date=datetime(2024, 4, 7, 8, 30, tzinfo=UTC),
        guid=f"guid-{slug}",
        body_sha256=body_digest(""),
        body_line=3,
        summary=f"Summary of {slug}.",
    )
    links = ItemLinks(
        page_key=f"episodes/{slug}.html",
        page_url=f"{base}episodes/{slug}.html",
        media_key=f"media/{slug}.mp3",
        media_url=f"{base}media/{slug}.mp3",
    )
    links = dataclasses.replace(links, **changes.pop("links", {}))
    notes = RenderedNotes(
        source=episode.source,
        web_html=changes.pop("web_html", NOTES_HTML),
        content_html="",
        description_html="",
    )
    cited = changes.pop("cited", ())
    return Item(dataclasses.replace(episode, **changes), notes, links, cited=cited)


def render(
    show: Show | None = None, links: ShowLinks | None = None, items: list[Item] | None = None
) -> dict[str, bytes]:
    pairs = render_site(
        show or make_show(), links or make_links(), items if items is not None else [make_item()]
    )
    return dict(pairs)


def parse(content: bytes) -> Any:
    return lxml.html.document_fromstring(content.decode("utf-8"))


def one(doc: Any, xpath: str) -> Any:
    found = doc.xpath(xpath)
    assert len(found) == 1, f"{xpath}: {len(found)} matches"
    return found[0]
