"""Check a published feed against every machine-checkable rule of FEED_RULES.md, reading
the files it points to from the folder it was published to."""

from __future__ import annotations

import email.utils
import re
import uuid
from pathlib import Path

from lxml import etree

from publisher import artwork
from publisher.config.categories import APPLE_CATEGORIES
from tests.support.feedxml import NS, one, text

ENCLOSURE_TYPES = {".mp3": "audio/mpeg", ".m4a": "audio/x-m4a"}


def check_feed_rules(feed: Path, public_url: str) -> etree._Element:
    """Assert the rules for the feed at ``feed`` (published at ``public_url``, its files in
    ``feed``'s folder); returns the channel element."""
    data = feed.read_bytes()
    assert len(data) < 5_000_000  # D-09
    rss = etree.fromstring(data)
    assert rss.tag == "rss" and rss.get("version") == "2.0"  # D-01
    assert {k: v for k, v in rss.nsmap.items() if k} == NS  # D-01
    ch = one(rss, "channel")
    local = _local(feed.parent, public_url)
    assert text(ch, "title").strip() == text(ch, "title")  # C-01, D-02
    description = text(ch, "description")
    assert len(description.encode()) <= 4000 and "<" not in description  # C-02
    image = one(ch, "itunes:image").get("href") or ""
    assert artwork.problems(local(image).read_bytes(), image.rsplit(".", 1)[-1]) == []  # C-03
    assert re.fullmatch(r"[a-z]{2,3}(-[a-z0-9]{2,8})*", text(ch, "language"))  # C-04
    for cat in ch.xpath("itunes:category", namespaces=NS):  # C-05
        assert cat.get("text") in APPLE_CATEGORIES
        for sub in cat.xpath("itunes:category", namespaces=NS):
            assert sub.get("text") in APPLE_CATEGORIES[cat.get("text")]
    assert text(ch, "itunes:explicit") in ("true", "false")  # C-06
    assert text(ch, "link").startswith(public_url)  # C-07
    assert text(ch, "itunes:author")  # C-08
    assert "@" in text(ch, "itunes:owner/itunes:email") and text(ch, "itunes:owner/itunes:name")
    assert text(ch, "itunes:type") in ("episodic", "serial")  # C-10
    for g in ch.xpath("podcast:guid", namespaces=NS):  # C-12
        uuid.UUID(g.text)
    assert text(ch, "podcast:locked") in ("yes", "no")  # C-13
    self_link = one(ch, "atom:link[@rel='self']")  # D-06
    assert self_link.get("href") == public_url + "feed.xml"
    items = ch.xpath("item")
    assert items  # I-16
    guids, enclosures = set(), set()
    for item in items:
        guid = one(item, "guid")
        assert guid.get("isPermaLink") == "false" and guid.text not in guids  # I-04
        guids.add(guid.text)
        enc = one(item, "enclosure")  # I-02
        url = enc.get("url") or ""
        assert url not in enclosures  # I-03
        enclosures.add(url)
        assert int(enc.get("length") or -1) == local(url).stat().st_size
        assert enc.get("type") == ENCLOSURE_TYPES[Path(url).suffix]
        assert email.utils.parsedate_to_datetime(text(item, "pubDate")).tzinfo  # I-05
        assert len(text(item, "description").encode()) <= 4000  # I-06
        assert text(item, "itunes:duration").isdigit()  # I-08
        assert text(item, "link").startswith(public_url)  # I-09
        assert text(item, "itunes:explicit") in ("true", "false")  # I-11
    for url in rss.xpath("//@url | //@href"):  # D-04, D-05
        assert url.isascii() and url.startswith(("http://127.0.0.1", "https://")), url
    return ch


def _local(root: Path, public_url: str):  # type: ignore[no-untyped-def]
    def path(url: str) -> Path:
        assert url.startswith(public_url), url
        return root / url.removeprefix(public_url)

    return path
