"""Podcast Index's own parser (podcast-partytime, Node) reads our Podcasting 2.0 tags.

gPodder's podcastparser ignores the podcast: namespace (it knows only its old URL), so this
is the check that an app of the Podcasting 2.0 world sees the guid, people, funding,
transcripts and chapters. `make test` installs it with npm from tests/node/package.json.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from publisher import build
from tests.support.paths import NODE_DIR
from tests.support.show import FIXED_NOW, copy_show
from tests.support.tools import needs_node_partytime

pytestmark = needs_node_partytime
SLUG = "2026-09-15-red-flags"


def parse(feed: Path) -> dict[str, Any]:
    out = subprocess.run(["node", str(NODE_DIR / "parse.js"), str(feed)], capture_output=True,
                         text=True, check=True, timeout=60)  # fmt: skip
    result: dict[str, Any] = json.loads(out.stdout)
    return result


@pytest.fixture(scope="module")
def parsed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    show = copy_show(tmp_path_factory.mktemp("partytime") / "show")
    cfg = show / "feed_config.yaml"
    data = yaml.safe_load(cfg.read_text(encoding="utf-8"))
    data["persons"] = [{"name": "Ana Host", "role": "host", "href": "https://ana.example.org/"}]
    data["funding"] = {"url": "https://example.org/support", "label": "Support the show"}
    data["locked"] = True
    cfg.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    (show / "episodes" / f"{SLUG}.vtt").write_text("WEBVTT\n\n00:00.000 --> 00:02.000\nHello\n")
    result = build.build(show, now=FIXED_NOW, guid_mode="refuse")
    return parse(result.site_dir / "feed.xml")


def test_channel(parsed: dict[str, Any]) -> None:
    assert parsed["title"] == "Back to Evidence"
    assert parsed["guid"] == "27f3405e-fbf2-576a-9c8d-ec6c8409b6ae"
    assert parsed["locked"] is True and parsed["podcastOwner"] == "producer@example.org"
    assert parsed["medium"] == "podcast"
    assert parsed["itunesCategory"] == ["Health & Fitness > Medicine", "Science > Life Sciences"]
    assert parsed["explicit"] is False
    assert [(p["name"], p["role"], p["href"]) for p in parsed["podcastPeople"]] == [
        ("Ana Host", "Host", "https://ana.example.org/")  # partytime names taxonomy roles
    ]
    assert [(f["url"], f["message"]) for f in parsed["podcastFunding"]] == [
        ("https://example.org/support", "Support the show")
    ]


def test_items(parsed: dict[str, Any]) -> None:
    items = {i["enclosure"]["url"].rsplit("/", 1)[-1]: i for i in parsed["items"]}
    assert set(items) == {
        "2026-09-01-imaging-without-pain.mp3",
        f"{SLUG}.m4a",
        "2026-10-01-what-guidelines-advise.mp3",
    }
    red = items[f"{SLUG}.m4a"]
    assert red["guid"] == "5b2e9d47-8c3f-4a6b-b1d0-2f7e8a9c3d12"
    assert red["duration"] == 13 and red["enclosure"]["type"] == "audio/x-m4a"
    assert [(t["url"].rsplit("/", 1)[-1], t["type"]) for t in red["podcastTranscripts"]] == [
        (f"{SLUG}.vtt", "text/vtt")
    ]
    imaging = items["2026-09-01-imaging-without-pain.mp3"]
    assert imaging["podcastChapters"]["type"] == "application/json+chapters"
    assert imaging["podcastChapters"]["url"].endswith(
        "/chapters/2026-09-01-imaging-without-pain.json"
    )
