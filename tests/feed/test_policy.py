"""The feed policy: full notes on the newest items, RFC 5005 archives for the oldest (D-09).

A 1,000-episode catalogue (notes of ~5 KB with 10 citations, rendered by the real renderer)
is built into a main feed and archives, and each feed is checked on its own against the
rules of FEED_RULES.md that apply to a feed document.
"""

from __future__ import annotations

import dataclasses
import email.utils
import io
import itertools
import re
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import feedparser
import podcastparser
import pytest
import yaml
from lxml import etree

from publisher import build
from publisher.errors import ConfigError, FeedError, Problems, display_path
from publisher.feed import AIM_FEED_BYTES, MAX_FEED_BYTES, Feeds, build_feed, build_feeds
from publisher.feed.paging import ARCHIVE_BLOCK, Overheads, plan_paging
from publisher.model import FeedPolicy, Item, Person, RenderedNotes, Show
from tests.support.catalogue import (
    BASE,
    catalogue_items,
    rendered_notes,
    sample_show,
    show_links,
)
from tests.support.feedxml import NS, one, text
from tests.support.show import FIXED_NOW, copy_show

HISTORY = "http://purl.org/syndication/history/1.0"
FEED_URL = BASE + "feed.xml"


def archive_url(n: int) -> str:
    return f"{BASE}feed-archive-{n}.xml"


@dataclass(frozen=True)
class Catalogue:
    show: Show
    items: tuple[Item, ...]
    feeds: Feeds


@pytest.fixture(scope="module")
def renderings(tmp_path_factory: pytest.TempPathFactory) -> tuple[RenderedNotes, ...]:
    return rendered_notes(tmp_path_factory.mktemp("bib"))


@pytest.fixture(scope="module")
def thousand(renderings: tuple[RenderedNotes, ...]) -> Catalogue:
    show = sample_show()
    items = catalogue_items(1000, renderings)
    return Catalogue(show, items, build_feeds(show, show_links(), items, archive_url))


def parse(data: bytes) -> etree._Element:
    return etree.fromstring(data)  # raises on anything an XML parser refuses


def items_of(rss: etree._Element) -> list[etree._Element]:
    found = rss.xpath("/rss/channel/item")
    assert isinstance(found, list)
    return found  # type: ignore[return-value]


def guids(data: bytes) -> list[str]:
    return [text(i, "guid") for i in items_of(parse(data))]


def history(rss: etree._Element) -> dict[str, str]:
    links = rss.xpath("/rss/channel/atom:link", namespaces=NS)
    assert isinstance(links, list)
    return {str(x.get("rel")): str(x.get("href")) for x in links}  # type: ignore[union-attr]


def check_feed_rules(data: bytes, self_url: str) -> None:
    """The rules of FEED_RULES.md a feed document meets on its own (not its media or art)."""
    assert len(data) <= AIM_FEED_BYTES < MAX_FEED_BYTES  # D-09
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")  # D-01
    rss = parse(data)
    assert rss.tag == "rss" and rss.get("version") == "2.0" and dict(rss.nsmap) == NS  # D-01
    channel = one(rss, "/rss/channel")
    assert text(channel, "title") and len(text(channel, "description").encode()) <= 4000
    assert text(channel, "language") and text(channel, "link").startswith("https://")
    assert one(channel, "itunes:image").get("href", "").startswith("https://")  # C-03
    assert one(channel, "itunes:category[1]").get("text")  # C-05
    assert text(channel, "itunes:explicit") in ("true", "false")  # C-06
    assert text(channel, "itunes:owner/itunes:email")  # C-09
    assert text(channel, "podcast:guid")  # C-12
    assert history(rss)["self"] == self_url  # D-06: each feed names its own URL
    items = items_of(rss)
    assert items  # I-16
    urls = [one(i, "enclosure").get("url") for i in items]
    assert len(set(urls)) == len(urls)  # I-03
    dates = []
    for item in items:
        assert one(item, "guid").get("isPermaLink") == "false"  # I-04
        enclosure = one(item, "enclosure")  # I-02
        assert enclosure.get("type") == "audio/mpeg" and int(enclosure.get("length", "")) > 0
        when = email.utils.parsedate_to_datetime(text(item, "pubDate"))  # I-05
        assert email.utils.format_datetime(when) == text(item, "pubDate")
        dates.append(when)
        assert len(text(item, "description").encode()) <= 4000  # I-06
        assert re.fullmatch(r"[1-9][0-9]*", text(item, "itunes:duration"))  # I-08
        assert text(item, "link").startswith(BASE + "episodes/")  # I-09
    assert dates == sorted(dates, reverse=True)  # newest first
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.bozo_exception
    pp = podcastparser.parse(self_url, io.BytesIO(data))
    assert len(pp["episodes"]) == len(parsed.entries) == len(items)


def test_d09_a_thousand_episodes_build_main_and_archives_within_the_aim(
    thousand: Catalogue,
) -> None:
    feeds = thousand.feeds
    assert len(feeds.archives) >= 1
    check_feed_rules(feeds.main, FEED_URL)
    for n, data in enumerate(feeds.archives, 1):
        check_feed_rules(data, archive_url(n))


def test_i04_every_guid_appears_exactly_once_across_main_and_archives(
    thousand: Catalogue,
) -> None:
    feeds = thousand.feeds
    everything = guids(feeds.main) + [g for a in reversed(feeds.archives) for g in guids(a)]
    assert everything == [i.episode.guid for i in thousand.items]  # all, once, newest first


def test_newest_items_carry_full_notes_older_ones_their_summary_and_page(
    thousand: Catalogue,
) -> None:
    items = items_of(parse(thousand.feeds.main))
    has_content = [bool(i.xpath("content:encoded", namespaces=NS)) for i in items]
    assert has_content == [True] * FeedPolicy().full_notes + [False] * (len(items) - 20)
    newest = thousand.items[0].notes
    assert text(items[0], "content:encoded") == newest.content_html
    older = items[-1]
    assert text(older, "description") == thousand.items[len(items) - 1].notes.description_html
    assert "Read the full notes" in text(older, "description")
    for archive in thousand.feeds.archives:
        assert b"<content:encoded>" not in archive


def test_rfc5005_links_chain_the_archives_from_the_oldest(thousand: Catalogue) -> None:
    feeds = thousand.feeds
    count = len(feeds.archives)
    main = parse(feeds.main)
    assert history(main) == {"self": FEED_URL, "prev-archive": archive_url(count)}
    assert not main.xpath("//fh:archive", namespaces={"fh": HISTORY})
    for n, data in enumerate(feeds.archives, 1):
        rss = parse(data)
        expected = {"self": archive_url(n), "current": FEED_URL}
        if n > 1:
            expected["prev-archive"] = archive_url(n - 1)
        if n < count:
            expected["next-archive"] = archive_url(n + 1)
        assert history(rss) == expected
        (marker,) = rss.xpath("/rss/channel/fh:archive", namespaces={"fh": HISTORY})
        assert marker.nsmap["fh"] == HISTORY and marker.text is None
    oldest = guids(feeds.archives[0])
    assert oldest[-1] == thousand.items[-1].episode.guid


def test_adding_an_episode_never_renumbers_or_changes_older_archives(
    thousand: Catalogue, renderings: tuple[RenderedNotes, ...]
) -> None:
    before = thousand.feeds
    for count in (1001, 1002, 1600, 1601, 2400):
        items = catalogue_items(count, renderings)
        after = build_feeds(thousand.show, show_links(), items, archive_url)
        assert after.archives[: len(before.archives) - 1] == before.archives[:-1]
        assert len(after.archives) in (len(before.archives), len(before.archives) + 1)
        before = after
    assert len(before.archives) > len(thousand.feeds.archives)  # a newer archive was added


def test_the_newest_archive_changes_once_every_block_of_new_episodes(
    thousand: Catalogue, renderings: tuple[RenderedNotes, ...]
) -> None:
    """A weekly publish does not resend (nor apps refetch) the newest archive: the oldest
    items of feed.xml move to it ARCHIVE_BLOCK at a time, while feed.xml stays in the aim."""
    newest: list[bytes] = []
    for count in range(1000, 1000 + 2 * ARCHIVE_BLOCK):
        feeds = build_feeds(thousand.show, show_links(), catalogue_items(count, renderings),
                            archive_url)  # fmt: skip
        archived = sum(len(guids(a)) for a in feeds.archives)
        assert archived % ARCHIVE_BLOCK == 0 and len(guids(feeds.main)) + archived == count
        assert len(feeds.main) <= AIM_FEED_BYTES
        newest.append(feeds.archives[-1])
    changes = sum(a != b for a, b in itertools.pairwise(newest))
    assert 1 <= changes <= 2  # not 2 * ARCHIVE_BLOCK - 1


def test_plan_paging_archives_whole_blocks_only_when_the_size_binds() -> None:
    overheads = Overheads(main=0, main_paged=0, archive=0)
    # 600 items of 100 bytes, 29,000 fit: 310 archived, rounded up to 325
    paging = plan_paging([100] * 600, [100] * 600, overheads, FeedPolicy(0), aim=29_000)
    assert paging.main_items == 600 - 325
    # max_items is kept exactly, and a main feed under ten blocks is not rounded
    exact = plan_paging([100] * 600, [100] * 600, overheads, FeedPolicy(0, 290), aim=10**9)
    assert exact.main_items == 290
    small = plan_paging([100] * 600, [100] * 600, overheads, FeedPolicy(0), aim=20_000)
    assert small.main_items == 200


def test_d09_the_catalogue_as_one_feed_passes_the_cap_and_the_policy_fixes_it(
    thousand: Catalogue, renderings: tuple[RenderedNotes, ...]
) -> None:
    items = catalogue_items(1000, renderings)
    with pytest.raises(FeedError) as info:
        build_feed(thousand.show, show_links(), items)
    assert "the W3C validator stops at 5,000,000 [D-09]" in str(info.value)
    assert len(thousand.feeds.main) <= AIM_FEED_BYTES


def test_max_items_moves_the_rest_to_archives_even_when_small(
    thousand: Catalogue, renderings: tuple[RenderedNotes, ...]
) -> None:
    show = dataclasses.replace(thousand.show, feed=FeedPolicy(full_notes=3, max_items=10))
    items = catalogue_items(25, renderings)
    feeds = build_feeds(show, show_links(), items, archive_url)
    main = items_of(parse(feeds.main))
    assert len(main) == 10
    assert sum(bool(i.xpath("content:encoded", namespaces=NS)) for i in main) == 3
    assert len(feeds.archives) == 1 and len(guids(feeds.archives[0])) == 15
    (notice,) = feeds.notices
    assert str(notice).startswith(
        f"{display_path(thousand.show.source)}: feed.xml lists the newest 10 of 25 episodes; the oldest 15 "
        "are in 1 archive feed(s)"
    )


def test_a_small_show_gets_one_feed_and_no_notice(thousand: Catalogue) -> None:
    feeds = build_feeds(thousand.show, show_links(), thousand.items[:3], archive_url)
    assert feeds.archives == () and feeds.notices == ()
    assert feeds.main == build_feed(thousand.show, show_links(), thousand.items[:3])
    assert b"prev-archive" not in feeds.main


def test_full_notes_too_big_for_the_aim_are_cut_with_a_notice(
    thousand: Catalogue, renderings: tuple[RenderedNotes, ...]
) -> None:
    items = catalogue_items(200, renderings)
    feeds = build_feeds(thousand.show, show_links(), items, archive_url, aim=60_000)
    main = items_of(parse(feeds.main))
    kept = sum(bool(i.xpath("content:encoded", namespaces=NS)) for i in main)
    assert 0 < kept < 20 and len(feeds.main) <= 60_000
    assert all(len(a) <= 60_000 for a in feeds.archives)
    assert any(f"newest {kept} of 200 episodes" in str(n) for n in feeds.notices)


def test_a_feed_that_cannot_fit_at_all_is_an_error_with_a_hint(thousand: Catalogue) -> None:
    crowd = tuple(Person(f"Guest number {i} " + "x" * 40) for i in range(60_000))
    newest = thousand.items[0]
    huge = dataclasses.replace(newest, episode=dataclasses.replace(newest.episode, persons=crowd))
    with pytest.raises(FeedError) as info:
        build_feeds(thousand.show, show_links(), (huge, *thousand.items[1:5]), archive_url)
    assert str(info.value).startswith(f"{display_path(thousand.show.source)}: the feed is ")
    assert "the W3C validator stops at 5,000,000 [D-09] (shorten" in str(info.value)


def test_plan_paging_fills_archives_from_the_oldest() -> None:
    overheads = Overheads(main=100, main_paged=120, archive=150)
    policy = FeedPolicy(full_notes=2)
    paging = plan_paging([500] * 10, [100] * 10, overheads, policy, aim=1_000)
    # main: 120 + 2 * 500 does not fit under 1000, so the full notes give way first
    assert paging.full_notes == 1 and paging.main_items == 4
    # archives of at most 8 items (150 + 8 * 100 <= 1000) from the oldest: 9..4 in one page
    assert paging.archives == ((4, 10),)
    many = plan_paging([100] * 30, [100] * 30, overheads, FeedPolicy(0), aim=1_000)
    assert many.main_items == 8 and many.archives == ((22, 30), (14, 22), (8, 14))


# --- the config key and the build -----------------------------------------------------------


def edit_config(show: Path, **changes: object) -> None:
    path = show / "feed_config.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update(changes)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_build_writes_the_archives_and_lists_them_as_feeds(tmp_path: Path) -> None:
    show = copy_show(tmp_path / "show")
    edit_config(show, feed={"full_notes": 1, "max_items": 4})
    audio = next((show / "episodes").glob("*.mp3"))
    for i in range(1, 10):
        slug = f"2025-0{i}-01-old"
        shutil.copyfile(audio, show / "episodes" / f"{slug}.mp3")
        guid = uuid.uuid5(uuid.NAMESPACE_URL, slug)
        (show / "show_notes" / f"{slug}.md").write_text(
            f"---\ntitle: Old {i}\ndate: 2025-0{i}-01\nguid: {guid}\n---\nOld notes {i}.\n",
            encoding="utf-8",
        )
    result = build.build(show, now=FIXED_NOW, guid_mode="refuse")
    site = result.site_dir
    main = parse((site / "feed.xml").read_bytes())
    assert len(items_of(main)) == 4
    assert len(main.xpath("//content:encoded", namespaces=NS)) == 1
    archive = result.file("feed-archive-1.xml")
    assert archive.kind == "feed" and archive.content_type == "application/rss+xml; charset=utf-8"
    assert history(main)["prev-archive"] == result.target.public_url + "feed-archive-1.xml"
    all_guids = guids((site / "feed.xml").read_bytes()) + guids(archive.path.read_bytes())
    assert sorted(all_guids) == sorted(e.guid for e in result.enclosures)
    assert len(set(all_guids)) == 12
    assert any("feed.xml lists the newest 4 of 12 episodes" in str(n) for n in result.notices)


def test_the_feed_key_is_checked(tmp_path: Path) -> None:
    show = copy_show(tmp_path / "show")
    edit_config(show, feed={"full_notes": -1, "max_items": 0, "newest": 3})
    with pytest.raises(Problems) as info:
        build.build(show, now=FIXED_NOW, guid_mode="refuse")
    messages = [p.message for p in info.value.problems]
    assert messages == [
        "unknown key 'newest'",
        "'feed.full_notes' must be a whole number from 0 up, not -1",
        "'feed.max_items' must be a whole number from 1 up, not 0",
    ]
    assert all(isinstance(p, ConfigError) and p.line for p in info.value.problems)
