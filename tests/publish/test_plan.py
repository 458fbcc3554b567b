from __future__ import annotations

import gzip
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from publisher.model import FileKind, SiteFile
from publisher.publish.plan import (
    KEEP_MEDIA_REASON,
    EpisodeRecord,
    ManifestDoc,
    ManifestEntry,
    format_bytes,
    gzipped,
    manifest_from_json,
    manifest_of,
    manifest_to_json,
    parse_manifest,
    plan,
    stale_marks,
)


def sf(key: str, kind: FileKind, sha: str = "a" * 64, size: int = 10) -> SiteFile:
    return SiteFile(key, Path("/build") / key, size, sha, "application/octet-stream", kind)


SITE = (
    sf("feed.xml", "feed"),
    sf("index.html", "page"),
    sf("episodes/one.html", "page"),
    sf("css/site.css", "asset"),
    sf("media/one.mp3", "media", size=1000),
    sf("artwork/abc.jpg", "asset"),
)


def test_first_publish_uploads_everything_media_first_feed_last() -> None:
    p = plan(SITE, {})
    assert [a.key for a in p.actions] == [
        "media/one.mp3",
        "artwork/abc.jpg",
        "css/site.css",
        "episodes/one.html",
        "index.html",
        "feed.xml",
    ]
    assert {(a.op, a.status, a.reason) for a in p.actions} == {
        ("upload", "new", "not on the target")
    }
    assert p.upload_bytes == 1050
    assert p.summary() == "6 to upload (6 new, 0 changed, 1.1 KB), 0 unchanged"


def test_unchanged_site_uploads_nothing() -> None:
    p = plan(SITE, manifest_of(SITE))
    assert not p.has_changes
    assert p.uploads == () and p.deletions == ()
    assert {a.reason for a in p.actions} == {"same sha256 as published"}
    assert p.summary() == "nothing to upload: 6 files unchanged"


def test_changed_content_and_reason() -> None:
    remote = manifest_of(SITE)
    new = tuple(sf(f.key, f.kind, "b" * 64, 11) if f.key == "index.html" else f for f in SITE)
    p = plan(new, remote)
    (a,) = p.uploads
    assert (a.key, a.status) == ("index.html", "changed")
    assert a.reason == "content differs (sha256 aaaaaaaaaaaa -> bbbbbbbbbbbb, 10 -> 11 bytes)"


def test_content_type_change_is_a_change() -> None:
    remote = dict(manifest_of(SITE))
    remote["feed.xml"] = ManifestEntry("a" * 64, 10, "feed", "text/xml")
    (a,) = plan(SITE, remote).uploads
    assert a.key == "feed.xml"
    assert a.reason == "Content-Type differs (text/xml -> application/octet-stream)"


def test_entry_with_problem_on_target_is_changed_with_that_reason() -> None:
    remote = dict(manifest_of(SITE))
    e = remote["media/one.mp3"]
    remote["media/one.mp3"] = ManifestEntry(e.sha256, e.size, e.kind, problem="gone")
    (a,) = plan(SITE, remote).uploads
    assert (a.key, a.status, a.reason) == ("media/one.mp3", "changed", "gone")


NOW = datetime(2026, 11, 30, 4, 0, tzinfo=UTC)


def stale_remote(since: datetime | None = None) -> dict[str, ManifestEntry]:
    remote = dict(manifest_of(SITE))
    remote["episodes/old.html"] = ManifestEntry("c" * 64, 5, "page", stale_since=since)
    remote["chapters/old.json"] = ManifestEntry("c" * 64, 5, "asset", stale_since=since)
    remote["artwork/0123456789abcdef.png"] = ManifestEntry("c" * 64, 5, "asset", stale_since=since)
    remote["media/old.mp3"] = ManifestEntry("c" * 64, 500, "media", stale_since=since)
    return remote


def test_stale_keys_are_kept_and_dated_by_the_publish_that_stops_using_them() -> None:
    """Item 2: nothing a cached feed names disappears with the publish that drops it."""
    replaced = {"feed.xml": sf("feed.xml", "feed", "e" * 64)}
    files = tuple(replaced.get(f.key, f) for f in SITE)
    remote = stale_remote()
    p = plan(files, remote, now=NOW)
    ops = [(a.key, a.op, a.status) for a in p.actions if a.status != "unchanged"]
    assert ops == [
        ("feed.xml", "upload", "changed"),
        ("artwork/0123456789abcdef.png", "keep", "stale"),
        ("chapters/old.json", "keep", "stale"),
        ("episodes/old.html", "keep", "stale"),
        ("media/old.mp3", "keep", "stale"),
    ]
    assert p.deletions == ()
    reasons = {a.key: a.reason for a in p.actions}
    assert reasons["episodes/old.html"] == (
        "no longer built; stale from this publish, deleted by a publish 1 day later "
        "(apps may hold the previous feed)"
    )
    assert p.actions[-1].reason.startswith(KEEP_MEDIA_REASON + " (no longer built; stale")
    assert p.summary() == (
        "1 to upload (0 new, 1 changed, 10 bytes), 4 stale files kept, 5 unchanged"
    )
    marks = stale_marks(p, remote, NOW)
    assert sorted(marks) == [a for a, op, _ in ops[1:]]
    assert {m.stale_since for m in marks.values()} == {NOW}


def test_stale_keys_are_deleted_once_the_grace_period_has_passed_media_only_if_pruned() -> None:
    remote = stale_remote(NOW)
    early = plan(SITE, remote, now=NOW + timedelta(hours=23, minutes=59))
    assert early.deletions == () and not early.has_changes
    assert early.actions[-1].reason == (
        "media is kept; use --prune-media to delete (stale since 2026-11-30T04:00:00Z; "
        "deleted by a publish from 2026-12-01T04:00:00Z)"
    )
    assert plan(SITE, remote, now=None).deletions == ()  # no clock: never
    due = plan(SITE, remote, now=NOW + timedelta(days=1))
    assert [(a.key, a.op) for a in due.deletions] == [  # pages first: they link to assets
        ("episodes/old.html", "delete"),
        ("artwork/0123456789abcdef.png", "delete"),
        ("chapters/old.json", "delete"),
    ]
    assert (
        due.deletions[0].reason == "no longer built; stale for over 1 day, deleted after the feed"
    )
    assert [a.key for a in due.kept if a.status == "stale"] == ["media/old.mp3"]
    pruned = plan(SITE, remote, now=NOW + timedelta(days=1), prune_media=True)
    assert [a.key for a in pruned.deletions][-1] == "media/old.mp3"  # pages first, media last
    short = plan(SITE, remote, now=NOW + timedelta(hours=2), grace=timedelta(hours=2))
    assert len(short.deletions) == 3


def test_delete_stale_now_skips_the_wait_but_not_prune_media() -> None:
    p = plan(SITE, stale_remote(), now=NOW, delete_stale_now=True)
    assert [a.key for a in p.deletions] == [
        "episodes/old.html",
        "artwork/0123456789abcdef.png",
        "chapters/old.json",
    ]
    assert p.deletions[0].reason == "no longer built; deleted after the feed (--delete-stale-now)"
    assert [a.key for a in p.kept if a.status == "stale"] == ["media/old.mp3"]
    p = plan(SITE, stale_remote(), now=NOW, delete_stale_now=True, prune_media=True)
    assert [a.key for a in p.deletions][-1] == "media/old.mp3"


def test_a_stale_key_built_again_loses_its_stale_time() -> None:
    remote = dict(manifest_of(SITE))
    remote["index.html"] = replace(remote["index.html"], stale_since=NOW)
    p = plan(SITE, remote, now=NOW + timedelta(days=3))
    assert p.deletions == ()
    assert stale_marks(p, remote, NOW) == {
        "index.html": replace(remote["index.html"], stale_since=None)
    }


def test_duplicate_keys_are_a_bug() -> None:
    with pytest.raises(ValueError, match="two built files share the key 'index.html'"):
        plan((sf("index.html", "page"), sf("index.html", "page")), {})


def test_manifest_json_is_deterministic_and_round_trips() -> None:
    m = manifest_of(SITE)
    data = manifest_to_json(m)
    assert data == manifest_to_json(dict(reversed(list(m.items()))))
    assert data.endswith(b"}\n")
    assert manifest_from_json(data) == m


def test_a_gzipped_manifest_is_read_as_its_json_and_is_deterministic() -> None:
    m = manifest_of(SITE)
    data = manifest_to_json(m)
    packed = gzipped(data)
    assert packed[:2] == b"\x1f\x8b" and packed == gzipped(data)  # no time stamp in it
    assert manifest_from_json(packed) == m
    assert parse_manifest(packed) == parse_manifest(data)


def test_manifest_version_2_keeps_stale_times_and_episodes_and_version_1_is_read() -> None:
    m = stale_remote(NOW)
    episodes = {
        "g1": EpisodeRecord("one", "One", "media/one-0123456789abcdef.mp3", "n" * 64, "a" * 64),
        "g2": EpisodeRecord("two", "Two", "media/two.mp3", "m" * 64, "b" * 64, "c" * 64),
    }
    data = manifest_to_json(m, episodes)
    doc = json.loads(data)
    assert doc["version"] == 2
    assert doc["files"]["episodes/old.html"]["stale_since"] == "2026-11-30T04:00:00Z"
    assert parse_manifest(data) == ManifestDoc(m, episodes)
    v1 = json.dumps(
        {"version": 1, "files": json.loads(manifest_to_json(manifest_of(SITE)))["files"]}
    )
    assert parse_manifest(v1.encode()) == ManifestDoc(manifest_of(SITE), {})


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"{", "not valid JSON"),
        (b"\x1f\x8b\x08\x00garbage", "not valid gzip"),
        (gzip.compress(b"{"), "not valid JSON"),
        (b"[]", 'expected an object with a "files" object'),
        (b'{"version": 9, "files": {}}', "unknown manifest version 9"),
        (b'{"version": 2, "files": {}, "episodes": []}', '"episodes" is not an object'),
        (b'{"version": 2, "files": {}, "episodes": {"g": {"slug": 1}}}', "episode 'g' needs"),
        (
            b'{"version": 2, "files": {"a": {"sha256": "x", "size": 1, "kind": "page", '
            b'"stale_since": "yesterday"}}}',
            "'a' has a stale_since that is not a time",
        ),
        (b'{"version": 1, "files": {"a": {"sha256": "x", "size": "1", "kind": "page"}}}', "'a'"),
        (b'{"version": 1, "files": {"a": {"sha256": "x", "size": 1, "kind": "pdf"}}}', "'a'"),
    ],
)
def test_manifest_json_errors(data: bytes, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        manifest_from_json(data)


def test_format_bytes() -> None:
    assert format_bytes(999) == "999 bytes"
    assert format_bytes(1500) == "1.5 KB"
    assert format_bytes(52_000_000) == "52.0 MB"
