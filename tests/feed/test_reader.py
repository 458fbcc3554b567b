"""Reading a published feed once, for the GUID guard and verify: facts, and no XML surprises."""

from __future__ import annotations

from pathlib import Path

import pytest

from publisher.feed.reader import FeedEnclosure, read_feed

FEED = b"""<?xml version='1.0' encoding='UTF-8'?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"
     xmlns:podcast="https://podcastindex.org/namespace/1.0">
<channel><title>Show</title><podcast:guid> 83592e4d-0000-5000-8000-000000000000 </podcast:guid>
<itunes:image href="https://cdn.example.org/artwork/a.jpg"/>
<item><title>One</title><guid isPermaLink="false">
  g-1 </guid>
  <enclosure url="https://cdn.example.org/media/one.mp3" length="1234" type="audio/mpeg"/>
  <podcast:chapters url="https://cdn.example.org/chapters/one.json" type="application/json+chapters"/>
  <podcast:transcript url="https://cdn.example.org/transcripts/one.vtt" type="text/vtt"/>
</item>
<item><title>Two</title><enclosure url="https://cdn.example.org/media/two.m4a" length="n/a"/></item>
<item><title>Three</title><guid>g-3</guid></item>
</channel></rss>
"""


def test_items_guids_enclosures_and_urls() -> None:
    feed = read_feed(FEED)
    assert (feed.title, feed.podcast_guid) == ("Show", "83592e4d-0000-5000-8000-000000000000")
    one, two, three = feed.items
    assert (one.title, one.guid) == ("One", "g-1")
    assert one.enclosure == FeedEnclosure(
        "https://cdn.example.org/media/one.mp3", 1234, "audio/mpeg"
    )
    assert two.guid is None and two.enclosure == FeedEnclosure(
        "https://cdn.example.org/media/two.m4a", None, ""
    )
    assert three.enclosure is None
    assert feed.urls == (
        "https://cdn.example.org/artwork/a.jpg",
        "https://cdn.example.org/chapters/one.json",
        "https://cdn.example.org/transcripts/one.vtt",
    )


@pytest.mark.parametrize("data", [b"", b"<rss><channel><item>", b"\xff\xfe not xml at all"])
def test_what_is_not_xml_is_a_value_error(data: bytes) -> None:
    with pytest.raises(ValueError, match="^not valid XML: "):
        read_feed(data)


def test_entities_are_not_expanded_and_files_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret")
    data = (
        '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY word "lol">'
        f'<!ENTITY file SYSTEM "{secret.as_uri()}">]>'
        "<rss><channel><title>&word;</title><item><title>a&file;b</title>"
        "<guid>g</guid></item></channel></rss>"
    ).encode()
    feed = read_feed(data)
    assert feed.title is None and feed.items[0].title == "a" and feed.items[0].guid == "g"


def test_an_entity_bomb_is_refused() -> None:
    laughs = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10 if i else "lol"}">' for i in range(9))
    data = f'<?xml version="1.0"?><!DOCTYPE rss [{laughs}]><rss><channel><title>&l8;</title>'
    with pytest.raises(ValueError, match="^not valid XML: "):
        read_feed((data + "</channel></rss>").encode())
