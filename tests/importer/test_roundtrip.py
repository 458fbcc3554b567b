"""Import our own sample feed (built first, served on loopback) and rebuild: the same GUIDs,
publication instants and enclosure lengths, and the same podcast:guid."""

from __future__ import annotations

import email.utils
from pathlib import Path

import pytest
from lxml import etree

from publisher import build, config
from publisher.importer import import_show
from tests.support.feedxml import one, text
from tests.support.httpserver import Server
from tests.support.show import FIXED_NOW


def facts(feed: Path) -> dict[str, tuple[object, int]]:
    channel = etree.parse(str(feed)).getroot()[0]
    return {
        text(i, "guid"): (
            email.utils.parsedate_to_datetime(text(i, "pubDate")),
            int(one(i, "enclosure").get("length", "")),
        )
        for i in channel.findall("item")
    }


@pytest.mark.parametrize("keep_remote", [False, True], ids=["download", "keep-remote"])
def test_sample_show_round_trip(
    sample_show: Path, server: Server, tmp_path: Path, keep_remote: bool
) -> None:
    target = config.make_target("here", str(tmp_path / "served"), server.base + "/old/", tmp_path)
    original = build.build(sample_show, now=FIXED_NOW, target=target, out_dir=tmp_path / "old")
    server.folders["/old/"] = original.site_dir
    old_guid = text(etree.parse(str(original.file("feed.xml").path)).getroot()[0], "podcast:guid")

    root = tmp_path / "imported"
    report = import_show(server.url("/old/feed.xml"), root, keep_remote=keep_remote)
    assert report.failed == () and report.left_out == ()
    rebuilt = build.build(root, now=FIXED_NOW)

    assert facts(rebuilt.file("feed.xml").path) == facts(original.file("feed.xml").path)
    new_channel = etree.parse(str(rebuilt.file("feed.xml").path)).getroot()[0]
    assert text(new_channel, "podcast:guid") == old_guid
    # The notes came back as Markdown: the reference list's links survive the round trip.
    note = root / "show_notes" / "2026-09-01-imaging-findings-in-people-without-back-pain.md"
    text_ = note.read_text()
    assert "## Why this episode" in text_ and "(https://doi.org/" in text_
    assert "different ages.[1]" in text_
