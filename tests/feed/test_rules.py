"""Every rule of docs/feed-rules.md that the tool's data can express, one test (or more) per ID.

Real shows are built from a copy of the sample show, changed to reach each situation, and the
feed is read three ways: lxml XPath with namespaces, feedparser and podcastparser (gPodder).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import http.client
import io
import json
import re
import shutil
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import feedparser
import podcastparser
import pytest
import yaml
from lxml import etree
from PIL import Image

from publisher import build, config
from publisher.config.categories import APPLE_CATEGORIES
from publisher.errors import ConfigError, EpisodeError, FeedError, Problems, PublisherError
from publisher.feed.builder import MAX_FEED_BYTES
from publisher.model import Build
from publisher.serve import make_server
from tests.support.feedxml import NS, one, text
from tests.support.show import FIXED_NOW, copy_show

BASE = "https://podcast.example.org/show/"
SAMPLE_GUID = "27f3405e-fbf2-576a-9c8d-ec6c8409b6ae"  # from the production feed URL
AUDIO = "2026-10-01-what-guidelines-advise.mp3"
ENCLOSURE_TYPES = {
    ".mp3": "audio/mpeg",
    ".m4a": "audio/x-m4a",
    ".mp4": "video/mp4",
    ".mov": "video/quicktime",
    ".m4v": "video/x-m4v",
    ".pdf": "application/pdf",
}
TRANSCRIPT_TYPES = {"text/vtt", "application/x-subrip", "text/html", "text/plain"}
TRANSCRIPT_TYPES |= {"application/json"}
MEDIUMS = {"podcast", "music", "video", "film", "audiobook", "newsletter", "blog", "publisher"}
MEDIUMS |= {"course"}
HOSTILE = "Evil <script>alert(1)</script> & ]]> \"quoted\" 'single'"
UNICODE_TITLE = "Café naïve — 日本語 🎧 Größe"
# 1000 four-byte characters: exactly 4000 UTF-8 bytes, 1000 characters.
DESCRIPTION_4000 = "🎧" * 1000


# --- helpers: change a show, build it, read the feed ---------------------------------------


def edit_config(show: Path, **changes: Any) -> None:
    """Set (or, with None, delete) top-level keys of feed_config.yaml."""
    path = show / "feed_config.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def edit_note(note: Path, body: str | None = None, **changes: Any) -> None:
    """Set (or, with None, delete) front matter fields of a note; optionally replace its body."""
    text = note.read_text(encoding="utf-8")
    _, front, rest = text.split("---\n", 2)
    meta = yaml.safe_load(front)
    for key, value in changes.items():
        if value is None:
            meta.pop(key, None)
        else:
            meta[key] = value
    dumped = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=10_000)
    note.write_text(f"---\n{dumped}---\n{rest if body is None else body}", encoding="utf-8")


def add_episode(show: Path, slug: str, body: str = "Plain notes.\n", **fields: Any) -> Path:
    """A new episode: a copy of a sample MP3 and a note with ``fields`` as front matter."""
    shutil.copyfile(show / "episodes" / AUDIO, show / "episodes" / f"{slug}.mp3")
    meta = {"guid": str(uuid.uuid5(uuid.NAMESPACE_URL, slug)), **fields}
    dumped = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=10_000)
    note = show / "show_notes" / f"{slug}.md"
    note.write_text(f"---\n{dumped}---\n{body}", encoding="utf-8")
    return note


def jpeg(size: int = 1400, colour: str = "green") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (size, size), colour).save(buf, "JPEG")
    return buf.getvalue()


@dataclass(frozen=True)
class Feed:
    """A built show's feed, as XML and as two podcast apps' parsers read it."""

    result: Build
    xml: bytes
    rss: etree._Element
    fp: Any  # feedparser.FeedParserDict
    pp: dict[str, Any]  # podcastparser

    @property
    def channel(self) -> etree._Element:
        return one(self.rss, "/rss/channel")

    @property
    def items(self) -> list[etree._Element]:
        found = self.rss.xpath("/rss/channel/item")
        assert isinstance(found, list)
        return found  # type: ignore[return-value]

    def item(self, slug: str) -> etree._Element:
        (found,) = self.rss.xpath(f"/rss/channel/item[link='{BASE}episodes/{slug}.html']")
        return found  # type: ignore[no-any-return]


def read_feed(result: Build) -> Feed:
    xml = (result.site_dir / "feed.xml").read_bytes()
    rss = etree.fromstring(xml)  # raises on anything an XML parser refuses
    fp = feedparser.parse(xml)
    assert not fp.bozo, fp.bozo_exception
    pp = podcastparser.parse(result.target.feed_url, io.BytesIO(xml))
    assert len(pp["episodes"]) == len(fp.entries) == len(rss.xpath("/rss/channel/item"))
    return Feed(result, xml, rss, fp, pp)


def build_feed(show: Path, now: dt.datetime = FIXED_NOW) -> Feed:
    return read_feed(build.build(show, now=now, guid_mode="refuse"))


def xpath(node: etree._Element, path: str) -> list[Any]:
    found = node.xpath(path, namespaces=NS)
    assert isinstance(found, list)
    return found


def problems(error: PublisherError) -> list[str]:
    if isinstance(error, Problems):
        return [str(p) for p in error.problems]
    return [str(error)]


# --- the rich show: serial, explicit, funding, trailer, bonus, extras, hostile titles --------

LONG_BODY = "".join(
    f"## Part {i}\n\nÜber-long paragraph {i} with naïve café text and a [link](https://example.org/{i}).\n\n"
    for i in range(300)
)
SLUGS = {
    "trailer": "2026-08-25-trailer",
    "bonus": "2026-10-15-bonus",
    "hostile": "2026-11-01-hostile",
    "unicode": "2026-11-10-unicode",
    "future": "2026-12-01-future",
    "draft": "2026-11-20-draft",
    "spaced": "2026-09-15-red-flags",
}


@pytest.fixture(scope="module")
def rich(tmp_path_factory: pytest.TempPathFactory) -> Feed:
    show = copy_show(tmp_path_factory.mktemp("rich") / "show")
    edit_config(
        show,
        type="serial",
        explicit=True,
        locked=True,
        funding={"url": "https://example.org/support", "label": "Support the show ❤"},
        categories=["Technology", "Kids & Family > Parenting", "Health & Fitness > Medicine"],
        targets={"production": {"location": "out/", "public_url": BASE}},
        default_target="production",
    )
    edit_note(show / "show_notes" / f"{SLUGS['spaced']}.md", title="  Red flags, spaced  ")
    add_episode(
        show,
        SLUGS["trailer"],
        title="Coming soon",
        date="2026-08-25 09:00",
        season=1,
        episode=1,
        episode_type="trailer",
    )
    add_episode(
        show,
        SLUGS["bonus"],
        title="S1E4 bonus: listener questions",  # I-01 warns
        date="2026-10-15T07:30:00-04:00",
        episode=4,
        episode_type="bonus",
        explicit=False,
    )
    add_episode(show, SLUGS["hostile"], title=HOSTILE, date="2026-11-01", episode=5)
    episodes = show / "episodes"
    (episodes / f"{SLUGS['hostile']}.jpg").write_bytes(jpeg())
    (episodes / f"{SLUGS['hostile']}.srt").write_text("1\n00:00:00,000 --> 00:00:02,000\nHi\n")
    add_episode(
        show,
        SLUGS["unicode"],
        body=LONG_BODY,
        title=UNICODE_TITLE,
        date="2026-11-10",
        episode=6,
        summary="Ein kurzer Überblick — naïve café ☕.",
        keywords=["Top 10 myths"],
    )
    (episodes / f"{SLUGS['unicode']}.vtt").write_text("WEBVTT\n\n00:00.000 --> 00:02.000\nHé\n")
    (episodes / f"{SLUGS['unicode']}.chapters.json").write_text(
        json.dumps({"chapters": [{"startTime": 0, "title": "Intro"}, {"startTime": 2.5}]})
    )
    add_episode(show, SLUGS["future"], title="Not yet", date="2026-12-01", episode=7)
    add_episode(show, SLUGS["draft"], title="Unfinished", date="2026-11-20", episode=8, draft=True)
    return build_feed(show)


def test_d01_utf8_rss2_and_exactly_four_namespaces(rich: Feed) -> None:
    assert rich.xml.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    rich.xml.decode("utf-8")
    assert rich.rss.tag == "rss" and rich.rss.get("version") == "2.0"
    assert dict(rich.rss.nsmap) == NS
    assert UNICODE_TITLE.encode() in rich.xml  # written as UTF-8, not as character references


def test_d02_values_have_no_outer_spaces_and_exact_case(rich: Feed) -> None:
    html = {"description", f"{{{NS['content']}}}encoded"}  # HTML: outer whitespace is markup
    for node in rich.rss.iter():
        if node.tag in html and node.getparent().tag == "item":
            continue
        if node.text is not None and node.text.strip() and not len(node):
            assert node.text == node.text.strip(), (node.tag, node.text)
        for name, value in node.attrib.items():
            assert value == value.strip(), (node.tag, name, value)
    assert text(rich.item(SLUGS["spaced"]), "title") == "Red flags, spaced"
    tops = [c.get("text") for c in xpath(rich.channel, "itunes:category")]
    assert "Kids & Family" in tops


def test_d02_config_values_are_trimmed(sample_show: Path) -> None:
    edit_config(sample_show, title="  Back to Evidence  ", author=" Someone ", language="en-us ")
    feed = build_feed(sample_show)
    assert text(feed.channel, "title") == "Back to Evidence"
    assert text(feed.channel, "itunes:author") == "Someone"
    assert text(feed.channel, "language") == "en-us"


@pytest.fixture(scope="module")
def served(rich: Feed) -> Iterator[str]:
    srv = make_server(rich.result.site_dir, "127.0.0.1", 0)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()
    thread.join(5)


def request(host: str, method: str, path: str, **headers: str) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection(host, timeout=5)
    conn.request(method, path, headers=headers)
    response = conn.getresponse()
    response.read()
    conn.close()
    return response


def test_d03_media_and_artwork_answer_head_and_ranges(rich: Feed, served: str) -> None:
    urls = [str(one(i, "enclosure").get("url")) for i in rich.items]
    urls += [str(u) for u in xpath(rich.rss, "//itunes:image/@href")]
    for url in urls:
        path = urlsplit(url).path.removeprefix("/show")
        size = (rich.result.site_dir / path.lstrip("/")).stat().st_size
        head = request(served, "HEAD", path)
        assert head.status == 200 and head.getheader("Accept-Ranges") == "bytes", url
        assert int(str(head.getheader("Content-Length"))) == size
        part = request(served, "GET", path, Range="bytes=0-99")
        assert part.status == 206, url
        assert part.getheader("Content-Range") == f"bytes 0-99/{size}"


def test_d04_d05_every_url_is_absolute_https_and_ascii(rich: Feed) -> None:
    urls = [str(u) for u in xpath(rich.rss, "//@href | //@url | //link/text()")]
    urls += [str(u) for u in xpath(rich.rss, "/rss/channel/podcast:funding/@url")]
    assert len(urls) > 20
    for url in urls:
        assert url.isascii(), url
        parts = urlsplit(url)
        assert parts.scheme == "https" and parts.netloc, url
    media = [urlsplit(str(one(i, "enclosure").get("url"))).path for i in rich.items]
    assert all(re.fullmatch(r"/show/media/[A-Za-z0-9_-]+\.(mp3|m4a)", m) for m in media)


def test_d04_localhost_public_url_is_refused(sample_show: Path) -> None:
    edit_config(
        sample_show, targets={"local": {"location": "p/", "public_url": "http://localhost:8000/"}}
    )
    with pytest.raises(ConfigError) as info:
        build.build(sample_show, now=FIXED_NOW, guid_mode="refuse")
    assert "use http://127.0.0.1:PORT/ instead of localhost [D-04]" in str(info.value)


def test_d05_non_ascii_names_and_urls_are_refused(sample_show: Path) -> None:
    edit_config(sample_show, funding={"url": "https://example.org/dón", "label": "Give"})
    with pytest.raises(ConfigError) as info:
        build.build(sample_show, now=FIXED_NOW, guid_mode="refuse")
    assert str(info.value).endswith(
        "'funding.url' must be ASCII [D-05] (write the host in its xn-- form and percent-encode "
        "the rest, e.g. 'é' as %C3%A9)"
    )
    edit_config(sample_show, funding=None)
    note = add_episode(sample_show, "2026-11-01-café", title="Café", date="2026-11-01")
    with pytest.raises(PublisherError) as bad:
        build.build(sample_show, now=FIXED_NOW, guid_mode="refuse")
    found = "\n".join(problems(bad.value))
    assert f"{note}: '2026-11-01-café.md' is not a safe episode name [D-05]" in found


def test_d06_atom_self_link_is_the_public_feed_url(rich: Feed) -> None:
    link = one(rich.channel, "atom:link[@rel='self']")
    assert (link.get("href"), link.get("type")) == (BASE + "feed.xml", "application/rss+xml")
    assert rich.result.target.feed_url == BASE + "feed.xml"
    assert rich.pp["link"] == BASE + "index.html"


def test_d07_feed_is_served_as_rss_utf8(rich: Feed, served: str) -> None:
    assert rich.result.file("feed.xml").content_type == "application/rss+xml; charset=utf-8"
    response = request(served, "GET", "/feed.xml")
    assert response.getheader("Content-Type") == "application/rss+xml; charset=utf-8"


def test_d08_no_new_feed_url_unless_the_feed_moves(rich: Feed) -> None:
    assert xpath(rich.channel, "itunes:new-feed-url") == []
    assert "new_url" not in rich.pp


def test_d08_a_moved_feed_names_its_new_home(tmp_path: Path) -> None:
    show = copy_show(tmp_path / "show")
    edit_config(show, new_feed_url="https://new.example.org/show/feed.xml")
    result = build.build(show, now=FIXED_NOW, guid_mode="refuse")
    xml = (result.site_dir / "feed.xml").read_bytes()
    channel = etree.fromstring(xml)[0]
    assert [e.text for e in xpath(channel, "itunes:new-feed-url")] == [
        "https://new.example.org/show/feed.xml"
    ]
    assert (
        podcastparser.parse("x", io.BytesIO(xml))["new_url"]
        == "https://new.example.org/show/feed.xml"
    )
    # the show's identity stays: podcast:guid does not follow the URL
    assert [e.text for e in xpath(channel, "podcast:guid")] == [
        "27f3405e-fbf2-576a-9c8d-ec6c8409b6ae"
    ]
    edit_config(show, new_feed_url="/feed.xml")
    with pytest.raises(ConfigError) as info:
        build.build(show, now=FIXED_NOW, guid_mode="refuse")
    assert "'new_feed_url' must be the absolute URL of the feed's new home [D-08]" in str(
        info.value
    )


@pytest.fixture(scope="module")
def hundred(tmp_path_factory: pytest.TempPathFactory) -> Feed:
    show = copy_show(tmp_path_factory.mktemp("hundred") / "show")
    start = dt.datetime(2024, 1, 1, 6, 0, tzinfo=dt.UTC)
    for n in range(100):
        when = start + dt.timedelta(days=7 * n)
        add_episode(
            show,
            f"{when:%Y-%m-%d}-weekly-{n:03d}",
            body=f"Notes for week {n}: {'a careful sentence. ' * 40}\n",
            title=f"A weekly look at topic {n}",
            date=when.isoformat(),
        )
    return build_feed(show)


def test_d09_a_hundred_episodes_stay_well_under_one_megabyte(hundred: Feed) -> None:
    assert len(hundred.items) == 103
    assert len(hundred.xml) < 1_000_000 and len(hundred.xml) < MAX_FEED_BYTES


def test_i03_i04_a_hundred_episodes_unique_and_newest_first(hundred: Feed) -> None:
    guids = [text(i, "guid") for i in hundred.items]
    urls = [one(i, "enclosure").get("url") for i in hundred.items]
    assert len(set(guids)) == len(guids) == 103
    assert len(set(urls)) == len(urls) == 103
    dates = [email.utils.parsedate_to_datetime(text(i, "pubDate")) for i in hundred.items]
    assert dates == sorted(dates, reverse=True)
    assert [e["guid"] for e in hundred.pp["episodes"]] == guids
    assert [e.id for e in hundred.fp.entries] == guids


def test_c01_title_is_the_show_name(rich: Feed) -> None:
    assert text(rich.channel, "title") == "Back to Evidence"
    assert rich.fp.feed.title == rich.pp["title"] == "Back to Evidence"


def test_c02_description_of_exactly_4000_bytes_is_kept(sample_show: Path) -> None:
    assert len(DESCRIPTION_4000.encode()) == 4000
    edit_config(sample_show, description=DESCRIPTION_4000)
    feed = build_feed(sample_show)
    assert text(feed.channel, "description") == DESCRIPTION_4000
    assert feed.pp["description"] == DESCRIPTION_4000


def test_c02_description_of_4001_bytes_is_an_error(sample_show: Path) -> None:
    edit_config(sample_show, description=DESCRIPTION_4000 + "x")
    with pytest.raises(ConfigError) as info:
        build.build(sample_show, now=FIXED_NOW, guid_mode="refuse")
    assert str(info.value).endswith(
        "'description' is 4001 bytes; at most 4000 [C-02] (shorten it to a few sentences about "
        "the show; episodes' notes hold the details)"
    )


def test_c02_channel_description_is_plain_text(rich: Feed, sample_show: Path) -> None:
    desc = text(rich.channel, "description")
    assert "<" not in desc and "]]>" not in desc
    assert b"<description><![CDATA[" not in rich.xml.split(b"<item>")[0]
    edit_config(sample_show, description="A <b>bold</b> show")
    with pytest.raises(ConfigError) as info:
        build.build(sample_show, now=FIXED_NOW, guid_mode="refuse")
    assert str(info.value).endswith(
        "'description' must be plain text, not HTML [C-02] (remove the tags; apps show this "
        "text as it is)"
    )


def test_c03_i10_artwork_urls_are_jpg_or_png_and_content_addressed(rich: Feed) -> None:
    show_art = str(one(rich.channel, "itunes:image").get("href"))
    ep_art = str(one(rich.item(SLUGS["hostile"]), "itunes:image").get("href"))  # I-10
    for href in (show_art, ep_art):
        assert re.fullmatch(re.escape(BASE) + r"artwork/[0-9a-f]{16}\.(jpg|png)", href), href
        with Image.open(rich.result.site_dir / href.removeprefix(BASE)) as img:
            assert img.width == img.height and 1400 <= img.width <= 3000
            assert img.mode == "RGB" and img.format == "JPEG"
    assert show_art != ep_art
    assert rich.pp["cover_url"] == show_art
    assert {e.get("episode_art_url") for e in rich.pp["episodes"]} - {None} == {ep_art}


def test_c04_language(rich: Feed, sample_show: Path) -> None:
    assert text(rich.channel, "language") == "en"
    edit_config(sample_show, language="English")
    with pytest.raises(ConfigError) as info:
        build.build(sample_show, now=FIXED_NOW, guid_mode="refuse")
    assert "'language' 'English' is not an ISO 639 code like 'en' or 'en-us' [C-04]" in str(
        info.value
    )


def test_c05_categories_parent_only_and_nested(rich: Feed) -> None:
    tops = xpath(rich.channel, "itunes:category")
    assert [c.get("text") for c in tops] == ["Technology", "Kids & Family", "Health & Fitness"]
    assert xpath(tops[0], "itunes:category") == []  # parent-only
    assert [c.get("text") for c in xpath(tops[1], "itunes:category")] == ["Parenting"]
    assert [c.get("text") for c in xpath(tops[2], "itunes:category")] == ["Medicine"]
    for cat in tops:
        assert cat.get("text") in APPLE_CATEGORIES
        for sub in xpath(cat, "itunes:category"):
            assert sub.get("text") in APPLE_CATEGORIES[cat.get("text")]
    assert b'text="Kids &amp; Family"' in rich.xml
    assert rich.fp.feed.tags[0]["term"] == "Technology"  # Apple uses the first one


@pytest.mark.parametrize(
    ("category", "message"),
    [
        ("Kids & family", "unknown Apple category 'Kids & family' [C-05]"),
        (
            "Technology > Podcasting",
            "'Technology > Podcasting' is a category Apple retired in 2019 [C-05] (did you mean 'Technology'?)",
        ),
        ("Education > How-To", "'How-To' is not a subcategory of 'Education' [C-05]"),
        (
            "Games & Hobbies",
            "'Games & Hobbies' is a category Apple retired in 2019 [C-05] (did you mean 'Leisure'?)",
        ),
    ],
)
def test_c05_wrong_category_is_an_error(sample_show: Path, category: str, message: str) -> None:
    edit_config(sample_show, categories=[category])
    with pytest.raises(ConfigError) as info:
        build.build(sample_show, now=FIXED_NOW, guid_mode="refuse")
    assert message in str(info.value)


def test_c06_i11_explicit_true_at_show_level_false_on_one_episode(rich: Feed) -> None:
    assert text(rich.channel, "itunes:explicit") == "true"
    values = {text(i, "link"): text(i, "itunes:explicit") for i in rich.items}
    assert set(values.values()) <= {"true", "false"}  # never yes/no/clean
    assert values[f"{BASE}episodes/{SLUGS['bonus']}.html"] == "false"
    assert values[f"{BASE}episodes/{SLUGS['hostile']}.html"] == "true"  # inherits the show's
    # feedparser 6 maps only the legacy "yes"/"clean" to True/False; "true" reads as None.
    assert rich.fp.feed.itunes_explicit is None
    by_guid = {e["guid"]: e for e in rich.pp["episodes"]}
    for item in rich.items:
        assert by_guid[text(item, "guid")]["explicit"] == (text(item, "itunes:explicit") == "true")


def test_c06_legacy_explicit_value_is_refused(sample_show: Path) -> None:
    edit_config(sample_show, explicit="yes")
    with pytest.raises(ConfigError) as info:
        build.build(sample_show, now=FIXED_NOW, guid_mode="refuse")
    assert "'explicit' must be true or false, not 'yes'" in str(info.value)


def test_c07_c08_c09_link_author_owner(rich: Feed) -> None:
    assert text(rich.channel, "link") == BASE + "index.html"
    assert text(rich.channel, "itunes:author") == "Back to Evidence"
    assert text(rich.channel, "itunes:owner/itunes:name") == "Back to Evidence"
    email_ = text(rich.channel, "itunes:owner/itunes:email")
    assert re.fullmatch(r"[^@\s]+@[^@\s]+\.[a-z]{2,}", email_)
    assert rich.fp.feed.author_detail.name == "Back to Evidence"


def test_c09_invalid_owner_email_is_an_error(sample_show: Path) -> None:
    edit_config(sample_show, owner={"name": "X", "email": "not-an-email"})
    with pytest.raises(ConfigError) as info:
        build.build(sample_show, now=FIXED_NOW, guid_mode="refuse")
    assert "'owner.email' 'not-an-email' is not a valid email address [C-09]" in str(info.value)


def test_c10_serial_show_every_item_has_an_episode_number(rich: Feed) -> None:
    assert text(rich.channel, "itunes:type") == "serial"
    for item in rich.items:
        assert int(text(item, "itunes:episode")) >= 1
    assert rich.pp["type"] == "serial"


def test_c10_serial_show_without_episode_number_is_an_error(sample_show: Path) -> None:
    edit_config(sample_show, type="serial")
    note = sample_show / "show_notes" / "2026-09-15-red-flags.md"
    edit_note(note, episode=None)
    with pytest.raises(EpisodeError) as info:
        build.build(sample_show, now=FIXED_NOW, guid_mode="refuse")
    assert str(info.value) == (
        f"{note}:2: a serial show needs 'episode:' on every episode [C-10] (add its number in "
        "the series to the front matter, e.g. 'episode: 2')"
    )


def test_c10_episodic_show_may_leave_numbers_out(sample_show: Path) -> None:
    for note in (sample_show / "show_notes").glob("*.md"):
        edit_note(note, episode=None, season=None)
    feed = build_feed(sample_show)
    assert text(feed.channel, "itunes:type") == "episodic"
    assert xpath(feed.rss, "//itunes:episode | //itunes:season") == []


def test_c11_no_block_or_complete(rich: Feed) -> None:
    assert xpath(rich.rss, "//itunes:block | //itunes:complete") == []


def test_c12_podcast_guid_recipe_known_answers() -> None:
    assert config.podcast_guid("https://podnews.net/rss") == "9b024349-ccf0-5f69-a609-6b82873eab3c"
    assert (
        config.podcast_guid("http://mp3s.nashownotes.com/pc20rss.xml")
        == "917393e3-1b1e-5cef-ace4-edaa54e1f810"
    )
    assert config.podcast_guid("https://podnews.net/rss/") == config.podcast_guid(
        "https://podnews.net/rss"
    )
    namespace = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
    assert config.podcast_guid(BASE + "feed.xml") == str(
        uuid.uuid5(namespace, "podcast.example.org/show/feed.xml")
    )


def test_c12_podcast_guid_is_kept_when_the_feed_moves(rich: Feed) -> None:
    assert text(rich.channel, "podcast:guid") == SAMPLE_GUID
    assert config.podcast_guid("https://back-to-evidence.example.org/feed.xml") == SAMPLE_GUID
    assert config.podcast_guid(BASE + "feed.xml") != SAMPLE_GUID


def test_c12_a_new_show_gets_the_guid_of_its_feed_url(sample_show: Path) -> None:
    edit_config(
        sample_show,
        podcast_guid=None,
        targets={"production": {"location": "out/", "public_url": BASE}},
        default_target="production",
    )
    result = build.build(sample_show, now=FIXED_NOW, guid_mode="write")
    expected = config.podcast_guid(BASE + "feed.xml")
    assert text(read_feed(result).channel, "podcast:guid") == expected
    assert f"podcast_guid: {expected}" in (sample_show / "feed_config.yaml").read_text()


def test_c13_locked_names_the_owner(rich: Feed, sample_show: Path) -> None:
    locked = one(rich.channel, "podcast:locked")
    assert (locked.text, locked.get("owner")) == ("yes", "producer@example.org")
    unlocked = one(build_feed(sample_show).channel, "podcast:locked")
    assert (unlocked.text, unlocked.get("owner")) == ("no", "producer@example.org")


def test_c14_funding_and_medium(rich: Feed) -> None:
    funding = one(rich.channel, "podcast:funding")
    assert funding.get("url") == "https://example.org/support"
    assert funding.text == "Support the show ❤" and len(funding.text) <= 128
    # podcastparser 0.6.11 knows the podcast: namespace only by its old GitHub URL, so it may
    # not see the tag; D-01 requires the podcastindex.org URL all the same.
    assert rich.pp.get("funding_url") in (None, "https://example.org/support")
    assert text(rich.channel, "podcast:medium") in MEDIUMS
    assert text(rich.channel, "podcast:medium") == "podcast"
    assert xpath(rich.rss, "//podcast:person") == []  # the tool writes no persons


def test_c14_funding_label_of_128_is_kept_129_is_an_error(sample_show: Path) -> None:
    edit_config(sample_show, funding={"url": "https://example.org/give", "label": "é" * 128})
    assert text(build_feed(sample_show).channel, "podcast:funding") == "é" * 128
    edit_config(sample_show, funding={"url": "https://example.org/give", "label": "é" * 129})
    with pytest.raises(ConfigError) as info:
        build.build(sample_show, now=FIXED_NOW, guid_mode="refuse")
    assert "'funding.label' must be text of at most 128 characters [C-14]" in str(info.value)


def test_c14_funding_url_must_be_https(sample_show: Path) -> None:
    edit_config(sample_show, funding={"url": "http://example.org/give"})
    with pytest.raises(ConfigError) as info:
        build.build(sample_show, now=FIXED_NOW, guid_mode="refuse")
    assert "'funding.url' must be an absolute https:// URL [C-14]" in str(info.value)


def test_c14_funding_without_label_gets_the_default(sample_show: Path) -> None:
    edit_config(sample_show, funding={"url": "https://example.org/give", "label": ""})
    assert text(build_feed(sample_show).channel, "podcast:funding") == "Support the show"


def test_i01_numbered_titles_warn_ordinary_numbers_do_not(rich: Feed) -> None:
    (warning,) = [str(n) for n in rich.result.notices if n.rule == "I-01"]
    assert f"{SLUGS['bonus']}.md:" in warning and "'S1E4 bonus: listener questions'" in warning
    for item in rich.items:
        assert "Back to Evidence" not in text(item, "title")


def test_i02_exactly_one_enclosure_with_true_length_and_type(rich: Feed) -> None:
    for item in rich.items:
        enc = one(item, "enclosure")
        url = str(enc.get("url"))
        local = rich.result.site_dir / url.removeprefix(BASE)
        assert int(str(enc.get("length"))) == local.stat().st_size
        assert enc.get("type") == ENCLOSURE_TYPES[local.suffix]
    for entry in rich.pp["episodes"]:
        (media,) = entry["enclosures"]
        assert media["file_size"] > 0 and media["mime_type"] in ENCLOSURE_TYPES.values()


def test_i04_guids_are_the_notes_and_survive_a_retitle(sample_show: Path) -> None:
    note = sample_show / "show_notes" / "2026-09-15-red-flags.md"
    before = build_feed(sample_show)
    edit_note(note, title="A new title")
    after = build_feed(sample_show)
    assert [text(i, "guid") for i in before.items] == [text(i, "guid") for i in after.items]
    assert all(one(i, "guid").get("isPermaLink") == "false" for i in after.items)
    assert "5b2e9d47-8c3f-4a6b-b1d0-2f7e8a9c3d12" in [text(i, "guid") for i in after.items]


def test_i04_a_repeated_guid_is_an_error(sample_show: Path) -> None:
    add_episode(
        sample_show,
        "2026-11-01-copy",
        title="Copy",
        date="2026-11-01",
        guid="5b2e9d47-8c3f-4a6b-b1d0-2f7e8a9c3d12",
    )
    with pytest.raises(EpisodeError) as info:
        build.build(sample_show, now=FIXED_NOW, guid_mode="refuse")
    assert "is also used by 2026-09-15-red-flags.md [I-04]" in str(info.value)


def test_i05_pubdates_are_rfc2822_with_a_zone(rich: Feed) -> None:
    for node in xpath(rich.rss, "//pubDate | //lastBuildDate"):
        when = email.utils.parsedate_to_datetime(node.text)
        assert when.tzinfo is not None
        assert email.utils.format_datetime(when) == node.text  # round-trips exactly
    bonus = email.utils.parsedate_to_datetime(text(rich.item(SLUGS["bonus"]), "pubDate"))
    assert bonus == dt.datetime(2026, 10, 15, 11, 30, tzinfo=dt.UTC)  # its own offset kept
    trailer = email.utils.parsedate_to_datetime(text(rich.item(SLUGS["trailer"]), "pubDate"))
    assert trailer.utcoffset() == dt.timedelta(hours=1)  # Europe/London in summer
    by_guid = {e["guid"]: e for e in rich.pp["episodes"]}
    for item, entry in zip(rich.items, rich.fp.entries, strict=True):
        pub = email.utils.parsedate_to_datetime(text(item, "pubDate"))
        assert by_guid[text(item, "guid")]["published"] == int(pub.timestamp())
        assert dt.datetime(*entry.published_parsed[:6], tzinfo=dt.UTC) == pub


def test_i05_future_and_draft_episodes_are_left_out(rich: Feed) -> None:
    links = [text(i, "link") for i in rich.items]
    assert f"{BASE}episodes/{SLUGS['future']}.html" not in links
    assert f"{BASE}episodes/{SLUGS['draft']}.html" not in links
    assert not (rich.result.site_dir / "media" / f"{SLUGS['future']}.mp3").exists()
    assert len(rich.items) == 7
    dates = [email.utils.parsedate_to_datetime(text(i, "pubDate")) for i in rich.items]
    assert dates == sorted(dates, reverse=True) and max(dates) <= FIXED_NOW


def test_i06_long_note_description_fits_and_uses_apple_tags(rich: Feed) -> None:
    assert rich.xml.count(b"<description><![CDATA[") >= len(rich.items) - 1
    for item in rich.items:
        desc = text(item, "description")
        assert len(desc.encode()) <= 4000
        assert set(re.findall(r"</?([a-zA-Z0-9]+)", desc)) <= {"p", "ol", "ul", "li", "a"}
    long_item = rich.item(SLUGS["unicode"])
    assert "Ein kurzer Überblick" in text(long_item, "description")


def test_i07_content_encoded_carries_the_full_notes(rich: Feed) -> None:
    content = text(rich.item(SLUGS["unicode"]), "content:encoded")
    assert "Über-long paragraph 299" in content and len(content.encode()) > 4000
    assert rich.xml.count(b"<content:encoded><![CDATA[") == len(rich.items)
    entry = next(e for e in rich.fp.entries if e.title == UNICODE_TITLE)
    assert "Über-long paragraph 299" in entry.content[0].value


def test_i08_duration_is_whole_seconds(rich: Feed) -> None:
    by_guid = {e["guid"]: e for e in rich.pp["episodes"]}
    for item in rich.items:
        duration = text(item, "itunes:duration")
        assert duration.isdigit() and int(duration) > 0
        assert by_guid[text(item, "guid")]["total_time"] == int(duration)


def test_i09_link_is_the_episode_page(rich: Feed) -> None:
    for item in rich.items:
        link = text(item, "link")
        assert re.fullmatch(re.escape(BASE) + r"episodes/[A-Za-z0-9_-]+\.html", link)
        assert (rich.result.site_dir / link.removeprefix(BASE)).is_file()


def test_i12_numbers_are_positive_and_zero_is_refused(rich: Feed, sample_show: Path) -> None:
    for node in xpath(rich.rss, "//itunes:episode | //itunes:season"):
        assert re.fullmatch(r"[1-9][0-9]*", node.text)
    note = sample_show / "show_notes" / "2026-09-15-red-flags.md"
    edit_note(note, episode=0)
    with pytest.raises(EpisodeError) as info:
        build.build(sample_show, now=FIXED_NOW, guid_mode="refuse")
    assert "'episode' must be a whole number from 1 up, not 0 [I-12]" in str(info.value)


def test_i13_trailer_and_bonus(rich: Feed) -> None:
    trailer, bonus = rich.item(SLUGS["trailer"]), rich.item(SLUGS["bonus"])
    assert text(trailer, "itunes:episodeType") == "trailer"
    assert text(bonus, "itunes:episodeType") == "bonus"
    others = [i for i in rich.items if i not in (trailer, bonus)]
    assert {text(i, "itunes:episodeType") for i in others} == {"full"}
    assert text(trailer, "guid") not in [text(i, "guid") for i in others + [bonus]]
    by_guid = {e["guid"]: e for e in rich.pp["episodes"]}
    assert by_guid[text(trailer, "guid")]["type"] == "trailer"
    assert by_guid[text(bonus, "guid")]["type"] == "bonus"


def test_i14_transcripts_vtt_and_srt(rich: Feed) -> None:
    vtt = one(rich.item(SLUGS["unicode"]), "podcast:transcript")
    srt = one(rich.item(SLUGS["hostile"]), "podcast:transcript")
    assert (vtt.get("url"), vtt.get("type")) == (
        f"{BASE}transcripts/{SLUGS['unicode']}.vtt",
        "text/vtt",
    )
    assert (srt.get("url"), srt.get("type")) == (
        f"{BASE}transcripts/{SLUGS['hostile']}.srt",
        "application/x-subrip",
    )
    for node in xpath(rich.rss, "//podcast:transcript"):
        assert node.get("type") in TRANSCRIPT_TYPES
        assert (rich.result.site_dir / str(node.get("url")).removeprefix(BASE)).is_file()


def test_i15_chapters_point_at_json_chapters(rich: Feed) -> None:
    node = one(rich.item(SLUGS["unicode"]), "podcast:chapters")
    assert node.get("type") == "application/json+chapters"
    key = str(node.get("url")).removeprefix(BASE)
    assert rich.result.file(key).content_type == "application/json+chapters"
    data = json.loads((rich.result.site_dir / key).read_text(encoding="utf-8"))
    assert data["version"] == "1.2.0"
    starts = [c["startTime"] for c in data["chapters"]]
    assert starts == sorted(starts) and all(isinstance(s, int | float) for s in starts)


def test_i16_no_published_episode_is_an_error(sample_show: Path) -> None:
    for note in (sample_show / "show_notes").glob("*.md"):
        edit_note(note, draft=True)
    with pytest.raises(FeedError) as info:
        build.build(sample_show, now=FIXED_NOW, guid_mode="refuse")
    assert "no published episodes: a feed needs at least one [I-16]" in str(info.value)


def test_i16_every_published_item_is_seen_by_apps(rich: Feed) -> None:
    titles = [text(i, "title") for i in rich.items]
    assert [e.title for e in rich.fp.entries] == titles
    assert sorted(e["title"] for e in rich.pp["episodes"]) == sorted(titles)


# --- hostile and non-ASCII text (D-01, D-02) ---------------------------------------------


def test_d01_hostile_and_non_ascii_titles_stay_text(rich: Feed) -> None:
    titles = [text(i, "title") for i in rich.items]
    assert HOSTILE in titles and UNICODE_TITLE in titles
    assert b"<script>" not in rich.xml
    assert {e.title for e in rich.fp.entries} >= {HOSTILE, UNICODE_TITLE}
    assert {e["title"] for e in rich.pp["episodes"]} >= {HOSTILE, UNICODE_TITLE}


@pytest.mark.parametrize("char", ["\x0b", "\x1f", "\x00", "\ufffe"])
def test_d01_control_character_in_a_title_is_an_error(sample_show: Path, char: str) -> None:
    note = sample_show / "show_notes" / "2026-09-15-red-flags.md"
    edit_note(note, title=f"Bad{char}title")
    with pytest.raises(PublisherError) as info:
        build.build(sample_show, now=FIXED_NOW, guid_mode="refuse")
    code = f"U+{ord(char):04X}"
    assert str(info.value) == (
        f"{note}:2: 'title' contains {code}, which XML 1.0 forbids [D-01] "
        "(delete it; such characters are often invisible in an editor)"
    )


def test_d01_control_characters_in_notes_and_config_are_all_reported(sample_show: Path) -> None:
    note = sample_show / "show_notes" / "2026-09-15-red-flags.md"
    body = note.read_text(encoding="utf-8").split("---\n", 2)[2]
    edit_note(note, body="First line\nSecond \x0b line\n" + body, summary="Sum\x1fmary")
    edit_config(sample_show, author="Auth\x0bor")
    with pytest.raises(ConfigError) as info:  # config problems stop the run before episodes
        build.build(sample_show, now=FIXED_NOW, guid_mode="refuse")
    assert "'author' contains U+000B, which XML 1.0 forbids [D-01]" in str(info.value)
    edit_config(sample_show, author="Author")
    with pytest.raises(Problems) as many:
        build.build(sample_show, now=FIXED_NOW, guid_mode="refuse")
    found = problems(many.value)
    lines = note.read_text(encoding="utf-8").splitlines()
    summary_line = next(i for i, x in enumerate(lines, 1) if x.startswith("summary:"))
    body_line = next(i for i, x in enumerate(lines, 1) if x.startswith("Second"))
    assert any(p.startswith(f"{note}:{summary_line}: 'summary' contains U+001F") for p in found)
    assert any(p.startswith(f"{note}:{body_line}: the notes contain U+000B") for p in found)


def test_c05_subcategories_of_one_parent_share_it(tmp_path: Path) -> None:
    show = copy_show(tmp_path / "show")
    cfg = show / "feed_config.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace(
        "  - Science > Life Sciences\n",
        "  - Science > Life Sciences\n  - Health & Fitness > Mental Health\n"), encoding="utf-8")  # fmt: skip
    result = build.build(show, now=FIXED_NOW, guid_mode="refuse")
    ch = etree.parse(str(result.site_dir / "feed.xml")).getroot()[0]
    top = ch.xpath("itunes:category", namespaces=NS)
    assert [c.get("text") for c in top] == ["Health & Fitness", "Science"]
    assert [c.get("text") for c in top[0]] == ["Medicine", "Mental Health"]


def test_c14_persons_show_level_and_replaced_per_episode(tmp_path: Path) -> None:
    show = copy_show(tmp_path / "show")
    edit_config(show, persons=["Ana Host", {"name": "Ben <b>Co</b>", "role": "Co-Host",
                                             "href": "https://ben.example.org/"}])  # fmt: skip
    note = show / "show_notes" / "2026-09-15-red-flags.md"
    text = note.read_text(encoding="utf-8")
    note.write_text(text.replace("\nseason:", "\npersons:\n  - {name: Dr Guest, role: guest}\nseason:", 1),
                    encoding="utf-8")  # fmt: skip
    result = build.build(show, now=FIXED_NOW, guid_mode="refuse")
    feed = etree.parse(str(result.site_dir / "feed.xml")).getroot()
    people = xpath(feed[0], "podcast:person")
    assert [(p.text, p.get("role"), p.get("group"), p.get("href")) for p in people] == [
        ("Ana Host", "host", "cast", None),
        ("Ben <b>Co</b>", "co-host", "cast", "https://ben.example.org/"),
    ]
    items = {i.findtext("title"): i for i in feed.iter("item")}
    guest = xpath(items["Red flags: what they can and cannot tell you"], "podcast:person")
    assert [(p.text, p.get("role")) for p in guest] == [("Dr Guest", "guest")]
    assert xpath(items["What clinical guidelines advise"], "podcast:person") == []
    page = (result.site_dir / "episodes" / "2026-09-15-red-flags.html").read_text(encoding="utf-8")
    assert "With Dr Guest (guest)" in page
    other = (result.site_dir / "episodes" / "2026-10-01-what-guidelines-advise.html").read_text()
    assert "Ben &lt;b&gt;Co&lt;/b&gt;" in other and "<b>Co</b>" not in other


def test_c14_bad_persons_are_reported_with_lines(tmp_path: Path) -> None:
    show = copy_show(tmp_path / "show")
    edit_config(
        show, persons=[{"name": "A", "img": "http://insecure.example.org/a.jpg"}, {"role": "x"}]
    )
    with pytest.raises(Problems) as info:
        build.build(show, now=FIXED_NOW, guid_mode="refuse")
    messages = [p.message for p in info.value.problems]
    assert messages == [
        "a person's 'img' must be an absolute https:// URL [D-04]",
        "a person needs a 'name' of at most 128 characters [C-14]",
    ]
    assert [p.line for p in info.value.problems][0] != [p.line for p in info.value.problems][1]


def test_d09_a_long_back_catalogue_keeps_the_feed_under_1_mb(tmp_path: Path) -> None:
    show = copy_show(tmp_path / "show")
    src = show / "episodes" / "2026-10-01-what-guidelines-advise.mp3"
    paragraph = "Evidence about backs, careful and long. " * 40 + "\n\n"
    # 45 paragraphs a note: the full notes that fit leave ~30 KB for the other items' short
    # form, so all 23 stay in feed.xml whatever a few bytes per URL (not at the edge of D-09)
    for i in range(20):
        slug = f"2025-01-{i + 1:02d}-long"
        (show / "episodes" / f"{slug}.mp3").write_bytes(src.read_bytes())
        (show / "show_notes" / f"{slug}.md").write_text(
            f"---\ntitle: Long notes {i + 1}\ndate: 2025-01-{i + 1:02d}\n"
            f"guid: 00000000-0000-4000-8000-{i:012d}\n---\n" + paragraph * 45,
            encoding="utf-8",
        )
    result = build.build(show, now=FIXED_NOW, guid_mode="refuse")
    xml = (result.site_dir / "feed.xml").read_bytes()
    assert len(xml) <= 1_000_000
    items = etree.fromstring(xml).xpath("/rss/channel/item")
    assert len(items) == 23
    has_content = [bool(xpath(i, "content:encoded")) for i in items]
    kept = sum(has_content)
    assert 0 < kept < 23 and has_content == [True] * kept + [False] * (23 - kept)  # newest first
    assert all(i.findtext("description") for i in items)
    (notice,) = [str(n) for n in result.notices if n.rule == "D-09"]
    assert notice.endswith(
        f"the feed carries the full notes (content:encoded) of the newest {kept} of 23 episodes, "
        "to stay under 1 MB [D-09]; every episode's page has its notes"
    )
