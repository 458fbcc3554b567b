"""Issue 13 items 2, 12 and 13 against a local folder: stale keys wait out a grace period on
the store's clock, removals of published episodes are refused unless allowed, and a failed
publish says which feed apps see."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from publisher.errors import StoreError
from publisher.model import SiteFile
from publisher.publish.events import Planned
from publisher.publish.history import RemovalRefused
from publisher.publish.plan import parse_manifest
from publisher.publish.run import publish
from publisher.stores.base import MANIFEST_KEY, Progress
from publisher.stores.local import LocalStore
from tests.support.sitebuild import local_target, make_build, tree

EPISODES = {"ep1": 4_000, "ep2": 2_500}


class LaterStore(LocalStore):
    """A folder whose clock reads ``ahead`` later than this machine's (a day has passed)."""

    def __init__(self, root: Path, ahead: timedelta) -> None:
        super().__init__(root)
        self.ahead = ahead

    def clock(self) -> datetime:
        return super().clock() + self.ahead


def manifest(out: Path) -> dict[str, dict[str, object]]:
    files: dict[str, dict[str, object]] = json.loads((out / MANIFEST_KEY).read_bytes())["files"]
    return files


def test_removal_is_named_by_title_refused_then_allowed_and_stale_files_wait_a_day(
    tmp_path: Path,
) -> None:
    out = tmp_path / "public"
    build = make_build(tmp_path / "site", local_target(out), EPISODES)
    publish(build)
    before = tree(out)
    shrunk = make_build(tmp_path / "site", build.target, {"ep1": EPISODES["ep1"]})

    events: list[object] = []
    dry = publish(shrunk, dry_run=True, events=events.append)
    assert [(ep.guid, ep.title) for ep in dry.removed] == [("ep2", "ep2")]
    assert [e.removed for e in events if isinstance(e, Planned)] == [dry.removed]
    assert dry.summary().endswith("; would remove 1 published episode(s)")
    with pytest.raises(RemovalRefused) as e:
        publish(shrunk)
    assert str(e.value) == (
        f"{out}: publishing would remove 1 published episode(s) from the feed and from every "
        "subscriber's app: 'ep2' (guid ep2); nothing was written (to remove them, publish "
        "again with --allow-removal; to keep them, restore the note (draft: false, its guid "
        "unchanged))"
    )
    assert tree(out) == before

    report = publish(shrunk, allow_removal=True)
    assert report.deleted == ()
    stale = ["chapters/ep2.json", "episodes/ep2.html", "media/ep2.mp3"]
    assert [a.key for a in report.kept if a.status == "stale"] == stale
    assert b"ep2" not in (out / "feed.xml").read_bytes()
    assert all((out / key).exists() for key in stale)  # a cached old feed still works
    since = {k: v.get("stale_since") for k, v in manifest(out).items() if "stale_since" in v}
    assert sorted(since) == stale and len(set(since.values())) == 1
    stamp = datetime.fromisoformat(str(since[stale[0]]))
    assert abs(stamp - datetime.now(UTC)) < timedelta(minutes=5)

    # Within the day: nothing to do, nothing removed again, the stale time is kept.
    again = publish(shrunk, store=LaterStore(out, timedelta(hours=23)))
    assert not again.changed and again.removed == ()
    assert manifest(out)["episodes/ep2.html"]["stale_since"] == since["episodes/ep2.html"]

    # A day later by the store's clock: pages and assets go; media only with --prune-media.
    later = publish(shrunk, store=LaterStore(out, timedelta(days=1, minutes=1)))
    assert [a.key for a in later.deleted] == ["episodes/ep2.html", "chapters/ep2.json"]
    assert (out / "media" / "ep2.mp3").exists()
    pruned = publish(shrunk, prune_media=True, store=LaterStore(out, timedelta(days=1, minutes=1)))
    assert [a.key for a in pruned.deleted] == ["media/ep2.mp3"]
    assert tree(out) == tree(shrunk.site_dir)


def test_a_file_used_again_within_the_grace_period_is_no_longer_stale(tmp_path: Path) -> None:
    out = tmp_path / "public"
    build = make_build(tmp_path / "site", local_target(out), EPISODES)
    publish(build)
    shrunk = make_build(tmp_path / "site", build.target, {"ep1": EPISODES["ep1"]})
    publish(shrunk, allow_removal=True)
    assert "stale_since" in manifest(out)["episodes/ep2.html"]
    back = make_build(tmp_path / "site", build.target, EPISODES)
    report = publish(back)
    assert report.removed == () and [a.key for a in report.uploaded] == ["index.html", "feed.xml"]
    assert not any("stale_since" in v for v in manifest(out).values())
    later = publish(back, store=LaterStore(out, timedelta(days=2)))
    assert not later.changed


def test_the_manifest_records_each_published_guid(tmp_path: Path) -> None:
    out = tmp_path / "public"
    build = make_build(tmp_path / "site", local_target(out), EPISODES)
    publish(build)
    doc = parse_manifest((out / MANIFEST_KEY).read_bytes())
    assert sorted(doc.episodes) == ["ep1", "ep2"]
    record = doc.episodes["ep1"]
    assert record.media_key == "media/ep1.mp3"
    assert record.audio_sha256 == build.file("media/ep1.mp3").sha256


def test_a_version_1_manifest_is_read_and_upgraded(tmp_path: Path) -> None:
    out = tmp_path / "public"
    build = make_build(tmp_path / "site", local_target(out), EPISODES)
    publish(build)
    path = out / MANIFEST_KEY
    doc = json.loads(path.read_bytes())
    path.write_text(json.dumps({"version": 1, "files": doc["files"]}))
    report = publish(build)
    assert report.uploaded == () and report.deleted == ()
    assert json.loads(path.read_bytes())["version"] == 2


class FailingAfterFeed(LocalStore):
    """Writes everything, then cannot delete (a permission problem after the feed)."""

    def delete(self, key: str) -> None:
        raise StoreError(
            f"the connection failed while deleting {key}",
            hint="the old feed is still served; run publish again to finish",
        )


class FailingMedia(LocalStore):
    def put(self, file: SiteFile, progress: Progress) -> str:
        if file.kind == "media":
            raise StoreError(
                f"the connection failed while uploading {file.key}",
                hint="the old feed is still served; run publish again to finish",
            )
        return super().put(file, progress)


def test_a_failure_says_which_feed_apps_see(tmp_path: Path) -> None:
    """Item 13: "the old feed is still served" only while an old feed is served."""
    out = tmp_path / "public"
    build = make_build(tmp_path / "site", local_target(out), EPISODES)
    with pytest.raises(StoreError) as first:
        publish(build, store=FailingMedia(out))
    assert "no feed is published yet; run publish again" in str(first.value)
    publish(build)
    grown = make_build(tmp_path / "site", build.target, {**EPISODES, "ep3": 10})
    with pytest.raises(StoreError) as before_feed:
        publish(grown, store=FailingMedia(out))
    assert "the old feed is still served; run publish again" in str(before_feed.value)
    shrunk = make_build(tmp_path / "site", build.target, {"ep1": EPISODES["ep1"]})
    with pytest.raises(StoreError) as after_feed:
        publish(shrunk, allow_removal=True, delete_stale_now=True, store=FailingAfterFeed(out))
    assert "the new feed is live; run publish again" in str(after_feed.value)
    assert "old feed" not in str(after_feed.value)
