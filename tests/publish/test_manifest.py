"""The manifest's changes: written as what differs from the manifest, read back onto it."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime

import pytest

from publisher.publish.manifest import (
    CHANGES_AT_LEAST,
    EpisodeRecord,
    ManifestEntry,
    changes_to_json,
    gzipped,
    manifest_id,
    manifest_to_json,
    parse_manifest,
    with_changes,
)


def entry(n: int, kind: str = "page") -> ManifestEntry:
    return ManifestEntry(f"{n:064x}", 100 + n, kind, "text/html", etag=f'"{n:032x}"')  # type: ignore[arg-type]


def record(n: int) -> EpisodeRecord:
    return EpisodeRecord(f"ep{n}", f"Episode {n}", f"media/ep{n}.mp3", f"{n:064x}", f"{n:064x}")


FILES = {f"p{n:04}.html": entry(n) for n in range(5000)}
EPISODES = {f"guid-{n}": record(n) for n in range(500)}
STORED = gzipped(manifest_to_json(FILES, EPISODES))
BASE = parse_manifest(STORED)


def test_a_publish_s_changes_go_alone_and_read_back_to_the_whole() -> None:
    files = dict(FILES)
    files["p0001.html"] = entry(9001)  # changed
    files["media/ep9.mp3"] = entry(9, "media")  # new
    del files["p0002.html"]  # deleted
    files["p0003.html"] = dataclasses.replace(
        FILES["p0003.html"], stale_since=datetime(2026, 12, 1, tzinfo=UTC)
    )
    files["p0004.html"] = dataclasses.replace(FILES["p0004.html"], problem="gone")  # not stored
    episodes = {**EPISODES, "guid-new": record(777)}
    del episodes["guid-1"]
    changes = changes_to_json(manifest_id(STORED), BASE, files, episodes)
    assert changes is not None
    doc = json.loads(changes)
    assert set(doc["files"]) == {"p0001.html", "media/ep9.mp3", "p0002.html", "p0003.html"}
    assert doc["files"]["p0002.html"] is None and doc["episodes"]["guid-1"] is None
    assert len(changes) < 2_000  # not the ~1 MB of the whole
    read = with_changes(STORED, gzipped(changes))
    assert read.files == {**files, "p0004.html": FILES["p0004.html"]}
    assert read.episodes == episodes
    assert with_changes(STORED, changes) == read  # stored plain or gzip-compressed


def test_changes_that_name_another_manifest_are_left_out() -> None:
    """Once the whole manifest is written again (by any publisher), older changes are void."""
    files = {**FILES, "p0001.html": entry(9001)}
    changes = changes_to_json(manifest_id(STORED), BASE, files, EPISODES)
    assert changes is not None
    rewritten = gzipped(manifest_to_json({**FILES, "p0009.html": entry(1)}, EPISODES))
    assert with_changes(rewritten, changes) == parse_manifest(rewritten)
    assert with_changes(STORED, None) == parse_manifest(STORED)


def test_many_changes_mean_the_whole_manifest() -> None:
    limit = max(CHANGES_AT_LEAST, (len(FILES) + len(EPISODES)) // 16)
    some = {**FILES, **{f"p{n:04}.html": entry(n + 10_000) for n in range(limit)}}
    assert changes_to_json(manifest_id(STORED), BASE, some, EPISODES) is not None
    more = {**FILES, **{f"p{n:04}.html": entry(n + 10_000) for n in range(limit + 1)}}
    assert changes_to_json(manifest_id(STORED), BASE, more, EPISODES) is None
    # a small show may always send a few hundred changes
    small = parse_manifest(manifest_to_json({"a.html": entry(1)}))
    grown = {f"p{n}.html": entry(n) for n in range(CHANGES_AT_LEAST - 1)}
    assert changes_to_json("id", small, grown, None) is not None


def test_nothing_changed_is_an_empty_set_of_changes() -> None:
    changes = changes_to_json(manifest_id(STORED), BASE, FILES, EPISODES)
    assert changes is not None and json.loads(changes)["files"] == {}
    assert with_changes(STORED, changes) == BASE


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        (b"\x1f\x8bnot gzip", "its changes are not valid gzip"),
        (b"{oops", "its changes are not valid JSON"),
        (b'{"version": 7}', "its changes are of an unknown version"),
        (json.dumps({"version": 1, "base": manifest_id(STORED)}).encode(), 'need a "files"'),
        (
            json.dumps(
                {"version": 1, "base": manifest_id(STORED), "files": {"x": 3}, "episodes": {}}
            ).encode(),
            "entry 'x' is not an object",
        ),
    ],
)
def test_damaged_changes_are_said_to_be(changes: bytes, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        with_changes(STORED, changes)
