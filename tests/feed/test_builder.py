"""The feed of the sample show, read as XML (XPath) and as podcast apps read it.

Rule IDs are those of docs/feed-rules.md.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
import subprocess
from pathlib import Path

import feedparser
import podcastparser
import pytest
from lxml import etree

from publisher import build, config
from publisher.model import Build
from tests.support.feedxml import NS, one, text
from tests.support.show import FIXED_NOW, copy_show

APPLE_DESCRIPTION_TAGS = {"p", "ol", "ul", "li", "a"}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Build:
    show = copy_show(tmp_path_factory.mktemp("feed") / "show")
    return build.build(show, now=FIXED_NOW, guid_mode="refuse")


@pytest.fixture(scope="module")
def xml(built: Build) -> bytes:
    return (built.site_dir / "feed.xml").read_bytes()


@pytest.fixture(scope="module")
def rss(xml: bytes) -> etree._Element:
    return etree.fromstring(xml)


def decoded_seconds(path: Path) -> float:
    """The decoded length by a real decoder (ffmpeg), the ground truth for I-08."""
    import imageio_ffmpeg

    run = subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(path), "-f", "null", "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    h, m, s = re.findall(r"time=(\d+):(\d+):([\d.]+)", run.stderr)[-1]
    return int(h) * 3600 + int(m) * 60 + float(s)


def test_d01_document_and_exact_namespaces(xml: bytes, rss: etree._Element) -> None:
    assert xml.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert rss.tag == "rss" and rss.get("version") == "2.0"
    assert dict(rss.nsmap) == NS


def test_channel_tags(rss: etree._Element, built: Build) -> None:
    ch = one(rss, "/rss/channel")
    show = config.load(built.site_dir.parent)
    assert text(ch, "title") == "Back to Evidence"  # C-01
    desc = text(ch, "description")
    assert len(desc.encode()) <= 4000 and "<" not in desc  # C-02
    assert text(ch, "language") == "en"  # C-04
    top = ch.xpath("itunes:category", namespaces=NS)
    assert [c.get("text") for c in top] == ["Health & Fitness", "Science"]  # C-05
    assert one(top[0], "itunes:category").get("text") == "Medicine"
    assert text(ch, "itunes:explicit") == "false"  # C-06
    assert text(ch, "link") == "http://127.0.0.1:8000/index.html"  # C-07
    assert text(ch, "itunes:author") == "Back to Evidence"  # C-08
    assert text(ch, "itunes:owner/itunes:email") == "producer@example.org"  # C-09
    assert text(ch, "itunes:type") == "episodic"  # C-10
    assert ch.xpath("itunes:block|itunes:complete", namespaces=NS) == []  # C-11
    assert text(ch, "podcast:guid") == show.podcast_guid  # C-12
    production = "https://back-to-evidence.example.org/feed.xml"  # not the preview's URL
    assert text(ch, "podcast:guid") == config.podcast_guid(production)
    assert one(ch, "podcast:locked").get("owner") == "producer@example.org"  # C-13
    self_link = one(ch, "atom:link")  # D-06
    assert (self_link.get("href"), self_link.get("rel"), self_link.get("type")) == (
        "http://127.0.0.1:8000/feed.xml",
        "self",
        "application/rss+xml",
    )


def test_c03_artwork_is_content_addressed_and_published(rss: etree._Element, built: Build) -> None:
    href = one(rss, "/rss/channel/itunes:image").get("href")
    assert href is not None
    m = re.fullmatch(r"http://127\.0\.0\.1:8000/(artwork/[0-9a-f]{16}\.jpg)", href)
    assert m, href
    assert (built.site_dir / m.group(1)).read_bytes() == (
        Path(built.site_dir.parent) / "artwork.jpg"
    ).read_bytes()


def test_items(rss: etree._Element, built: Build) -> None:
    items = rss.xpath("/rss/channel/item")
    assert len(items) >= 3  # I-16
    dates = [email.utils.parsedate_to_datetime(text(i, "pubDate")) for i in items]
    assert all(d.tzinfo is not None for d in dates)  # I-05
    assert dates == sorted(dates, reverse=True)  # newest first
    guids = [text(i, "guid") for i in items]
    assert len(set(guids)) == len(guids)  # I-04
    assert all(one(i, "guid").get("isPermaLink") == "false" for i in items)
    urls = [one(i, "enclosure").get("url") for i in items]
    assert len(set(urls)) == len(urls)  # I-03
    types = set()
    for item in items:
        enc = one(item, "enclosure")  # I-02: exactly one
        url = str(enc.get("url"))
        assert url.isascii() and url.startswith("http://127.0.0.1:8000/media/")  # D-04, D-05
        local = built.site_dir / url.removeprefix("http://127.0.0.1:8000/")
        assert int(str(enc.get("length"))) == local.stat().st_size
        ext = local.suffix
        assert enc.get("type") == {".mp3": "audio/mpeg", ".m4a": "audio/x-m4a"}[ext]
        types.add(enc.get("type"))
        duration = text(item, "itunes:duration")  # I-08: whole seconds, the real length
        assert duration.isdigit()
        truth = decoded_seconds(local)
        assert abs(int(duration) - truth) <= max(1.0, truth * 0.01)
        assert text(item, "link").startswith("http://127.0.0.1:8000/episodes/")  # I-09
        assert text(item, "itunes:explicit") in ("true", "false")  # I-11
        assert text(item, "itunes:episodeType") == "full"  # I-13
        assert int(text(item, "itunes:episode")) >= 1  # I-12
    assert types == {"audio/mpeg", "audio/x-m4a"}


def test_descriptions_are_cdata_small_and_apple_safe(xml: bytes, rss: etree._Element) -> None:
    assert xml.count(b"<description><![CDATA[") == len(rss.xpath("/rss/channel/item"))
    for item in rss.xpath("/rss/channel/item"):
        desc = text(item, "description")
        assert len(desc.encode()) <= 4000  # I-06
        tags = set(re.findall(r"</?([a-zA-Z0-9]+)", desc))
        assert tags <= APPLE_DESCRIPTION_TAGS, tags
        content = text(item, "content:encoded")  # I-07
        assert "<p>" in content
        assert 'href="#' not in content and "href='#" not in content


def test_d09_feed_is_small(xml: bytes) -> None:
    assert len(xml) < 1_000_000


def test_podcast_apps_read_every_episode(xml: bytes, built: Build, rss: etree._Element) -> None:
    import io

    parsed = podcastparser.parse("http://127.0.0.1:8000/feed.xml", io.BytesIO(xml))
    fp = feedparser.parse(xml)
    assert not fp.bozo, fp.bozo_exception
    items = rss.xpath("/rss/channel/item")
    assert len(parsed["episodes"]) == len(fp.entries) == len(items)
    assert parsed["title"] == fp.feed.title == "Back to Evidence"
    by_guid = {e["guid"]: e for e in parsed["episodes"]}
    for item, entry in zip(items, fp.entries, strict=True):
        guid = text(item, "guid")
        enc = one(item, "enclosure")
        ep = by_guid[guid]
        assert ep["title"] == entry.title == text(item, "title")
        assert ep["total_time"] == int(text(item, "itunes:duration"))
        assert entry.itunes_duration == text(item, "itunes:duration")
        (media,) = ep["enclosures"]
        assert media["file_size"] == int(str(enc.get("length")))
        assert media["mime_type"] == enc.get("type")
        assert entry.enclosures[0]["length"] == enc.get("length")
        assert entry.id == guid
        pub = email.utils.parsedate_to_datetime(text(item, "pubDate"))
        assert ep["published"] == int(pub.timestamp())
        assert dt.datetime(*entry.published_parsed[:6], tzinfo=dt.UTC) == pub


def test_drafts_and_future_episodes_are_left_out(tmp_path: Path) -> None:
    show = copy_show(tmp_path / "show")
    notes = sorted((show / "show_notes").glob("*.md"))
    first = notes[0].read_text(encoding="utf-8")
    notes[0].write_text(first.replace("\ntitle:", "\ndraft: true\ntitle:", 1), encoding="utf-8")
    early = dt.datetime(2026, 9, 20, tzinfo=dt.UTC)  # after episode 2, before episode 3
    result = build.build(show, now=early, guid_mode="refuse")
    feed = etree.parse(str(result.site_dir / "feed.xml"))
    titles = [t.text for t in feed.xpath("/rss/channel/item/title")]
    assert titles == ["Red flags: what they can and cannot tell you"]
    assert not (result.site_dir / "episodes" / f"{notes[0].stem}.html").exists()


def test_build_is_deterministic(tmp_path: Path) -> None:
    show = copy_show(tmp_path / "show")
    first = build.build(show, now=FIXED_NOW, out_dir=tmp_path / "a", guid_mode="refuse")
    second = build.build(
        show, now=FIXED_NOW + dt.timedelta(days=3), out_dir=tmp_path / "b", guid_mode="refuse"
    )
    assert [(f.key, f.sha256) for f in first.files] == [(f.key, f.sha256) for f in second.files]


def test_hostile_front_matter_stays_text_in_the_feed(tmp_path: Path) -> None:
    show = copy_show(tmp_path / "show")
    note = sorted((show / "show_notes").glob("*.md"))[-1]
    body = note.read_text(encoding="utf-8")
    evil = "Evil <script>alert(1)</script> & ]]> <b onmouseover=x>"
    body = re.sub(r"(?m)^title: .*$", f"title: '{evil}'", body, count=1)
    note.write_text(body, encoding="utf-8")
    result = build.build(show, now=FIXED_NOW, guid_mode="refuse")
    xml = (result.site_dir / "feed.xml").read_bytes()
    assert b"<script>" not in xml and b"<b onmouseover" not in xml
    titles = etree.fromstring(xml).xpath("/rss/channel/item/title/text()")
    assert evil in titles


# Elements and attributes that feed validators accept in item HTML without a SecurityRisk
# warning: our own allow-list for content:encoded, narrower than what validators accept.
FEED_HTML_ELEMENTS = {
    "a", "p", "ul", "ol", "li", "h2", "h3", "h4", "h5", "h6", "em", "strong", "sup", "sub",
    "table", "thead", "tbody", "tr", "th", "td", "blockquote", "code", "pre", "dl", "dt", "dd",
    "br", "hr", "section", "del", "s", "span", "abbr", "div", "img", "caption",
}  # fmt: skip
FEED_HTML_ATTRIBUTES = {"href", "rel", "title", "id", "class", "colspan", "rowspan", "alt",
                        "src", "start", "style", "lang", "dir", "width", "height"}  # fmt: skip


def test_item_html_has_no_security_risk_markup(rss: etree._Element) -> None:
    from html.parser import HTMLParser

    found: list[tuple[str, list[tuple[str, str | None]]]] = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found.append((tag, attrs))

    for item in rss.xpath("/rss/channel/item"):
        for path in ("description", "content:encoded"):
            Collect().feed(text(item, path))
    assert found
    for tag, attrs in found:
        assert tag in FEED_HTML_ELEMENTS, tag
        for name, value in attrs:
            assert name in FEED_HTML_ATTRIBUTES, (tag, name)
            if name == "style":  # validators accept only plain properties such as text-align
                assert re.fullmatch(r"text-align:\s*(left|right|center);?", value or ""), value
            if name in ("href", "src"):
                assert (value or "").startswith(("http://", "https://", "mailto:")), value
