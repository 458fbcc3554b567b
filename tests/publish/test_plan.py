from __future__ import annotations

from pathlib import Path

import pytest

from publisher.model import FileKind, SiteFile
from publisher.publish.plan import (
    KEEP_MEDIA_REASON,
    ManifestEntry,
    format_bytes,
    manifest_from_json,
    manifest_of,
    manifest_to_json,
    plan,
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


def test_stale_pages_deleted_after_feed_media_kept() -> None:
    remote = dict(manifest_of(SITE))
    remote["episodes/old.html"] = ManifestEntry("c" * 64, 5, "page")
    remote["chapters/old.json"] = ManifestEntry("c" * 64, 5, "asset")
    remote["media/old.mp3"] = ManifestEntry("c" * 64, 500, "media")
    replaced = {
        "index.html": sf("index.html", "page", "d" * 64),
        "feed.xml": sf("feed.xml", "feed", "e" * 64),
    }
    files = tuple(replaced.get(f.key, f) for f in SITE)
    p = plan(files, remote)
    ops = [(a.key, a.op, a.status) for a in p.actions if a.status != "unchanged"]
    assert ops == [
        ("index.html", "upload", "changed"),
        ("feed.xml", "upload", "changed"),
        ("episodes/old.html", "delete", "stale"),
        ("chapters/old.json", "delete", "stale"),
        ("media/old.mp3", "keep", "stale"),
    ]
    kept = p.actions[-1]
    assert kept.reason == KEEP_MEDIA_REASON == "media is kept; use --prune-media to delete"
    assert p.summary() == (
        "2 to upload (0 new, 2 changed, 20 bytes), 2 to delete, 1 stale media kept, 4 unchanged"
    )


def test_prune_media_deletes_stale_media_last() -> None:
    remote = dict(manifest_of(SITE))
    remote["media/old.mp3"] = ManifestEntry("c" * 64, 500, "media")
    remote["episodes/old.html"] = ManifestEntry("c" * 64, 5, "page")
    p = plan(SITE, remote, prune_media=True)
    assert [(a.key, a.op) for a in p.deletions] == [
        ("episodes/old.html", "delete"),
        ("media/old.mp3", "delete"),
    ]
    assert p.deletions[1].reason == "no longer built; --prune-media deletes it after the feed"


def test_duplicate_keys_are_a_bug() -> None:
    with pytest.raises(ValueError, match="two built files share the key 'index.html'"):
        plan((sf("index.html", "page"), sf("index.html", "page")), {})


def test_manifest_json_is_deterministic_and_round_trips() -> None:
    m = manifest_of(SITE)
    data = manifest_to_json(m)
    assert data == manifest_to_json(dict(reversed(list(m.items()))))
    assert data.endswith(b"}\n")
    assert manifest_from_json(data) == m


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"{", "not valid JSON"),
        (b"[]", 'expected an object with a "files" object'),
        (b'{"version": 9, "files": {}}', "unknown manifest version 9"),
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
