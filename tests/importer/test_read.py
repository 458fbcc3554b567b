"""Reading a host's feed: what feedparser would fold together is read from the elements."""

from __future__ import annotations

import pytest

from publisher.importer.read import read_feed

FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"
     xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Garden</title><link>https://garden.example/</link>
<description>A show.</description>
<item><title>Blight</title><guid isPermaLink="false">g-1</guid>
<pubDate>Mon, 29 Apr 2024 06:00:00 +0000</pubDate>
<enclosure url="https://cdn.example/1.mp3" length="100" type="audio/mpeg"/>
{content}
<description><![CDATA[<p>This week: <strong>blight</strong>.</p><ul><li>Spotting it</li></ul>]]></description>
<itunes:summary>Blight, and how to stop it.</itunes:summary>
</item></channel></rss>
"""
CONTENT = "<content:encoded><![CDATA[<p>Full notes with <em>more</em>.</p>]]></content:encoded>"


@pytest.mark.parametrize(
    ("content", "notes"),
    [("", "<strong>blight</strong>"), (CONTENT, "<em>more</em>")],
)
def test_notes_come_from_the_html_and_the_summary_stays_a_summary(content: str, notes: str) -> None:
    """Libsyn and Anchor write itunes:summary beside the HTML description: feedparser then
    reports the summary as the item's content, which lost the notes."""
    item = read_feed(FEED.format(content=content).encode(), "feed.xml").items[0]
    assert notes in item.html
    assert "Blight, and how to stop it." not in item.html
    assert item.summary == "Blight, and how to stop it."
    assert "<strong>blight</strong>" in item.description
