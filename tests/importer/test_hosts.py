"""Done when: for each host style, import then build gives a feed in which every original item
keeps its GUID, its publication instant and (keep-remote) its enclosure URL and length or
(download) its true length; the feed meets the feed rules; the show's podcast:guid is the old
feed's or the recipe's; the summary names every mapping and everything left out."""

from __future__ import annotations

import email.utils
from pathlib import Path

import pytest
import yaml
from lxml import etree

from publisher import build
from publisher.importer import import_show, summary_lines
from tests.support import feedrules
from tests.support.feedxml import NS, one, text
from tests.support.hostfeeds import HOSTS, HostFeed, big
from tests.support.httpserver import Server
from tests.support.media import Media
from tests.support.show import FIXED_NOW


def imported_feed(
    feed: HostFeed, server: Server, root: Path, *, keep_remote: bool
) -> tuple[str, etree._Element, bytes]:
    report = import_show(server.url(feed.path), root, keep_remote=keep_remote)
    summary = "\n".join(summary_lines(report))
    build.check(root, now=FIXED_NOW, guid_mode="refuse")  # check --ci: every note has its GUID
    result = build.build(root, now=FIXED_NOW)
    data = result.file("feed.xml").path.read_bytes()
    return summary, etree.fromstring(data)[0], data


@pytest.mark.parametrize("keep_remote", [False, True], ids=["download", "keep-remote"])
@pytest.mark.parametrize("host", sorted(HOSTS))
def test_import_then_build_keeps_every_item(
    host: str, keep_remote: bool, server: Server, media: Media, tmp_path: Path
) -> None:
    feed = HOSTS[host](server, media)
    root = tmp_path / "show"
    summary, channel, data = imported_feed(feed, server, root, keep_remote=keep_remote)
    for expected in (*feed.mapped, *feed.left_out):
        assert expected in summary, f"{expected!r} not in the summary:\n{summary}"
    assert feedrules.violations(data) == []
    assert text(channel, "podcast:guid") == feed.podcast_guid
    config = yaml.safe_load((root / "feed_config.yaml").read_text())
    assert config["imported_from"] == server.url(feed.path)
    assert config.get("enclosure_prefix") == feed.prefix
    items = {text(i, "guid"): i for i in channel.findall("item")}
    published = [e for e in feed.expected if not e.draft]
    assert sorted(items) == sorted(e.guid for e in published)
    for e in published:
        item = items[e.guid]
        assert email.utils.parsedate_to_datetime(text(item, "pubDate")) == e.instant
        enclosure = one(item, "enclosure")
        if keep_remote:
            assert (enclosure.get("url"), int(enclosure.get("length", ""))) == (e.url, e.length)
        else:
            assert int(enclosure.get("length", "")) == e.size
            url = enclosure.get("url", "")
            assert url.startswith(feed.prefix or "http://127.0.0.1:8000/media/")
            name = url.rsplit("/", 1)[1]
            assert (root / "_site" / "media" / name).stat().st_size == e.size
    for e in feed.expected:
        if e.draft:  # the second item with a used GUID: a draft, named in the summary
            assert e.guid in summary and "imported as draft: true" in summary


def test_hundreds_of_items(server: Server, media: Media, tmp_path: Path) -> None:
    feed = big(server, media, 200)
    root = tmp_path / "show"
    summary, channel, data = imported_feed(feed, server, root, keep_remote=True)
    assert summary.startswith(
        "imported 200 episode(s) (0 as drafts); 1 mapping(s) made; 0 left out"
    )
    assert feedrules.violations(data) == []
    got = {
        text(i, "guid"): (
            email.utils.parsedate_to_datetime(text(i, "pubDate")),
            one(i, "enclosure").get("url"),
            int(one(i, "enclosure").get("length", "")),
        )
        for i in channel.findall("item")
    }
    assert got == {e.guid: (e.instant, e.url, e.length) for e in feed.expected}
    assert len(list((root / "show_notes").glob("*.md"))) == 200


def test_stems_are_dated_safe_ascii_and_never_collide(
    server: Server, media: Media, tmp_path: Path
) -> None:
    feed = HOSTS["acast"](server, media)
    import_show(server.url(feed.path), tmp_path / "show", keep_remote=True)
    stems = sorted(p.stem for p in (tmp_path / "show" / "show_notes").glob("*.md"))
    assert stems == ["2019-01-14-episode-1", "2019-01-21-same-day", "2019-01-21-same-day-2"]
    first = (tmp_path / "show" / "show_notes" / "2019-01-14-episode-1.md").read_text()
    assert "title: 日本語のエピソード" in first
    assert "date: '2019-01-14T09:30:01+01:00'" in first
    assert NS  # the namespaces the feed checks use
