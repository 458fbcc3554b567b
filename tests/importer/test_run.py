"""The import run: dry runs, --update, a download that fails (named; the note keeps the old
host's file; a rerun finishes it), refused folders, the old feed URL, hostile input."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from publisher import build
from publisher.config.show import podcast_guid
from publisher.errors import PublisherError
from publisher.importer import import_show, summary_lines
from tests.support.hostfeeds import HOSTS, Maker
from tests.support.httpserver import Route, Server
from tests.support.media import Media
from tests.support.show import FIXED_NOW


def files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_dry_run_reports_and_writes_nothing(server: Server, media: Media, tmp_path: Path) -> None:
    feed = HOSTS["podbean"](server, media)
    report = import_show(server.url(feed.path), tmp_path / "show", dry_run=True)
    summary = "\n".join(summary_lines(report))
    assert summary.startswith("would import 3 episode(s) (0 as drafts)")
    assert "explicit: 'yes' -> true" in summary
    assert not (tmp_path / "show").exists()
    assert [r[1] for r in server.log] == [feed.path]  # the feed only: no media fetched


def test_a_folder_that_holds_a_show_is_refused(
    sample_show: Path, server: Server, media: Media
) -> None:
    feed = HOSTS["libsyn"](server, media)
    with pytest.raises(PublisherError) as e:
        import_show(server.url(feed.path), sample_show)
    assert str(e.value) == (
        f"{sample_show}/feed_config.yaml: this folder already holds a show (use --update to add "
        "the episodes published since, or pick another --show folder)"
    )


def test_update_adds_only_new_items_and_changes_nothing_else(
    server: Server, media: Media, tmp_path: Path
) -> None:
    feed = HOSTS["transistor"](server, media)
    root = tmp_path / "show"
    import_show(server.url(feed.path), root)
    before = {p: (root / p).read_bytes() for p in files(root)}
    maker = Maker(server, media, "transistor", "content", "podcast")
    maker.feed.channel, maker.feed.items = feed.channel, list(feed.items)
    maker.item(9, "<title>Radio 9</title><description>New</description>", guid="new-guid-9")
    maker.done()
    report = import_show(None, root, update=True)  # SOURCE: imported_from
    assert [n.stem for n in report.plan.notes] == ["2019-03-11-radio-9"]
    assert report.plan.already_here == 3
    after = {p: (root / p).read_bytes() for p in files(root)}
    assert {p: b for p, b in after.items() if p in before} == before
    assert sorted(set(after) - set(before)) == [
        "episodes/2019-03-11-radio-9.mp3",
        "show_notes/2019-03-11-radio-9.md",
    ]
    built = build.build(root, now=FIXED_NOW)
    assert (
        b'<guid isPermaLink="false">new-guid-9</guid>' in built.file("feed.xml").path.read_bytes()
    )


def test_a_failed_download_keeps_the_remote_file_and_update_finishes_it(
    server: Server, media: Media, tmp_path: Path
) -> None:
    feed = HOSTS["anchor"](server, media)
    broken = server.routes["/anchor/media/2.m4a"]
    server.routes["/anchor/media/2.m4a"] = Route(status=503)
    root = tmp_path / "show"
    report = import_show(server.url(feed.path), root)
    assert [c.where for c in report.failed] == ["2019-01-21-anchors-away-2"]
    assert report.failed[0].text.endswith(": HTTP 503 Service Unavailable")
    note = root / "show_notes" / "2019-01-21-anchors-away-2.md"
    assert "enclosure:\n  url: " + server.url("/anchor/play/2") in note.read_text()
    result = build.build(root, now=FIXED_NOW)  # publishable meanwhile, with the old file
    assert server.url("/anchor/play/2").encode() in result.file("feed.xml").path.read_bytes()

    server.routes["/anchor/media/2.m4a"] = broken
    again = import_show(None, root, update=True)
    assert again.failed == () and again.plan.notes == ()
    assert "enclosure:" not in note.read_text() and "duration:" not in note.read_text()
    assert (root / "episodes" / "2019-01-21-anchors-away-2.m4a").read_bytes() == media.m4a
    rebuilt = build.build(root, now=FIXED_NOW).file("feed.xml").path.read_bytes()
    assert server.url("/anchor/play/2").encode() not in rebuilt


def test_refused_audio_keeps_its_remote_enclosure_and_is_listed(
    server: Server, media: Media, tmp_path: Path
) -> None:
    feed = HOSTS["squarespace"](server, media)
    server.routes["/squarespace/media/3.mp3"].body = media.joined
    root = tmp_path / "show"
    report = import_show(server.url(feed.path), root)
    assert report.remote == ("2019-01-28-square-3",)
    assert (
        "2019-01-28-square-3: the downloaded audio is refused (audio file joins two "
        in "\n".join(summary_lines(report))
    )
    assert not (root / "episodes" / "2019-01-28-square-3.mp3").exists()
    build.build(root, now=FIXED_NOW)


def test_the_old_feed_url_of_a_saved_file(server: Server, media: Media, tmp_path: Path) -> None:
    feed = HOSTS["squarespace"](server, media)  # no atom:link rel="self"
    saved = tmp_path / "saved.xml"
    saved.write_bytes(server.routes[feed.path].body)
    with pytest.raises(PublisherError) as e:
        import_show(str(saved), tmp_path / "a", keep_remote=True)
    assert str(e.value) == (
        f'{saved}: the old feed\'s URL is unknown: the feed has no atom:link rel="self" and '
        "SOURCE is a file (pass --old-feed-url URL (the address apps subscribe to))"
    )
    old = "https://squarespace.example/podcast?format=rss"
    import_show(str(saved), tmp_path / "b", keep_remote=True, old_feed_url=old)
    config = yaml.safe_load((tmp_path / "b" / "feed_config.yaml").read_text())
    assert (config["imported_from"], config["podcast_guid"]) == (old, podcast_guid(old))


def test_hostile_feed_values_stay_text_and_inside_the_folder(
    server: Server, media: Media, tmp_path: Path
) -> None:
    k = Maker(server, media, "evil", "content")
    k.channel("<title>Evil &lt;b&gt;Show&lt;/b&gt;</title><description>x</description><language>en</language>"
              '<itunes:author>E</itunes:author><itunes:category text="Comedy"/><itunes:owner>'
              "<itunes:email>e@example.org</itunes:email></itunes:owner>")  # fmt: skip
    k.item(1, "<title>../../../etc/passwd &lt;script&gt;alert(1)&lt;/script&gt;</title>"
           "<content:encoded><![CDATA[<p onclick='x()'>Hi <script>steal()</script>"
           "<a href='javascript:alert(1)'>click</a> <iframe src='https://evil.example'></iframe>"
           "<img src=x onerror=alert(1)> [@key] ]]></content:encoded>",
           guid="<b>guid</b>")  # fmt: skip
    k.raw_item('<title>Local</title><guid>l</guid><pubDate>Mon, 04 Mar 2019 10:00:00 +0000</pubDate>'
               '<enclosure url="file:///etc/passwd" length="10" type="audio/mpeg"/>')  # fmt: skip
    feed = k.done()
    root = tmp_path / "show"
    report = import_show(server.url(feed.path), root)
    assert "item 1 'Local': not imported: enclosure 'file:///etc/passwd' is not an http(s) URL" in (
        "\n".join(summary_lines(report))
    )
    assert files(root) == [
        "artwork.jpg",
        "episodes/2019-01-14-etc-passwd-script-alert-1-script.mp3",
        "feed_config.yaml",
        "show_notes/2019-01-14-etc-passwd-script-alert-1-script.md",
    ]
    note = (root / "show_notes" / "2019-01-14-etc-passwd-script-alert-1-script.md").read_text()
    assert "steal" not in note and "onclick" not in note and "iframe" not in note
    assert "\\[@key]" in note
    xml = build.build(root, now=FIXED_NOW).file("feed.xml").path.read_bytes()
    assert b"<script>" not in xml and b"javascript:" not in xml and b"<b>guid" not in xml
    assert b"&lt;b&gt;guid&lt;/b&gt;</guid>" in xml


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "the feed is empty"),
        (b"<html><body>Not found</body>", "not an XML feed: "),
        (
            b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"/>',
            "XML, but not an RSS feed (its root element is <feed>) (podcast feeds are RSS 2.0: <rss><channel>…)",
        ),
    ],  # fmt: skip
)
def test_bad_input_is_one_line(server: Server, tmp_path: Path, body: bytes, message: str) -> None:
    url = server.add("/bad.xml", body, "text/html")
    with pytest.raises(PublisherError) as e:
        import_show(url, tmp_path / "show")
    assert str(e.value).startswith(f"{url}") and message in str(e.value)
    assert "\n" not in str(e.value)
    assert not (tmp_path / "show").exists()


def test_dates_keep_their_offset_and_instant(server: Server, media: Media, tmp_path: Path) -> None:
    feed = HOSTS["podbean"](server, media)  # +08:00
    import_show(server.url(feed.path), tmp_path / "show", keep_remote=True)
    note = (tmp_path / "show" / "show_notes" / "2019-01-14-bean-1.md").read_text()
    assert "date: '2019-01-14T09:30:01+08:00'" in note
    assert dt.datetime.fromisoformat("2019-01-14T09:30:01+08:00") == feed.expected[0].instant


def test_show_art_that_breaks_the_rules_is_kept_and_reported(
    server: Server, media: Media, tmp_path: Path
) -> None:
    feed = HOSTS["libsyn"](server, media)
    server.routes["/libsyn/art.jpg"].body = media.small_art
    root = tmp_path / "show"
    report = import_show(server.url(feed.path), root, keep_remote=True)
    assert [str(w) for w in report.warnings] == [
        "channel: show artwork is 300x300 px; use 1400-3000 px a side: kept as artwork.jpg; "
        "replace it before publishing [C-03]"
    ]
    assert (root / "artwork.jpg").read_bytes() == media.small_art
