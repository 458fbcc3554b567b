"""An imported episode whose old feed gave no duration (its note has ``enclosure:`` and no
``duration:``): its page says nothing of a duration rather than "0 s", and the feed and the
page's structured data leave the duration out rather than claim 0 [I-08]."""

from __future__ import annotations

import json
from pathlib import Path

from lxml import etree, html

from publisher import build
from tests.support.show import FIXED_NOW, copy_show

ITUNES = {"itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd"}
SLUG = "2019-03-04-remote"
FRONT = (
    "title: Remote\ndate: 2019-03-04\nguid: old-1\n"
    "enclosure:\n  url: https://old.example/media/ep1.mp3\n  length: 123456\n  type: audio/mpeg\n"
)


def test_unknown_duration_is_left_out_of_the_page_and_the_feed(tmp_path: Path) -> None:
    show = copy_show(tmp_path / "show")
    (show / "show_notes" / f"{SLUG}.md").write_text(f"---\n{FRONT}---\nNotes.\n")
    site = build.build(show, now=FIXED_NOW, guid_mode="refuse").site_dir

    page = html.parse(str(site / "episodes" / f"{SLUG}.html"))
    (meta,) = page.xpath("//p[@class='meta']")
    assert [t.get("datetime") for t in meta.xpath(".//time")] == ["2019-03-04T00:00:00+00:00"]
    assert "0 s" not in meta.text_content()
    (ld,) = page.xpath("//script[@type='application/ld+json']/text()")
    media = json.loads(ld)["associatedMedia"]
    assert "duration" not in media and media["contentSize"] == "123456"

    feed = etree.parse(str(site / "feed.xml"))
    assert feed.xpath("//item[guid='old-1']/itunes:duration", namespaces=ITUNES) == []
    # an episode whose duration is known keeps it, on its page and in the feed
    known = html.parse(str(site / "episodes" / "2026-09-15-red-flags.html"))
    (time,) = known.xpath("//p[@class='meta']/time[starts-with(@datetime, 'PT')]")
    assert time.text and time.text.endswith(" s")
    assert len(feed.xpath("//item/itunes:duration", namespaces=ITUNES)) == 3
