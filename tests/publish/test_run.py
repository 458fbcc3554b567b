"""publish() against a local folder target: order, idempotence, stale files, failures."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import threading
from collections.abc import Sequence
from pathlib import Path

import pytest

from publisher.errors import GuidChangedError, Problems, StoreError
from publisher.model import Build, SiteFile
from publisher.publish.events import (
    Deleted,
    EnclosuresConfirmed,
    Event,
    FileDone,
    FileProgress,
    FileStarted,
    LockNote,
    ManifestWritten,
    Planned,
)
from publisher.publish.manifest import EpisodeRecords, Manifest, parse_manifest
from publisher.publish.run import RECORD_AFTER, open_store, publish
from publisher.stores.base import LOCK_KEY, MANIFEST_KEY, Listing, Progress
from publisher.stores.local import LocalStore
from publisher.stores.lock import acquire
from tests.support.sitebuild import local_target, make_build, tree

EPISODES = {"ep1": 40_000, "ep2": 2_500_000}


def setup(tmp_path: Path, episodes: dict[str, int] = EPISODES) -> tuple[Build, Path]:
    out = tmp_path / "public"
    return make_build(tmp_path / "site", local_target(out), episodes), out


def mtimes(folder: Path) -> dict[str, int]:
    """Modification times of the published files (the lock comes and goes in .publisher/)."""
    return {
        str(p): p.stat().st_mtime_ns
        for p in folder.rglob("*")
        if p.name != ".publisher" and p.name != "lock.json"
    }


def test_first_publish_writes_every_file_media_first_feed_last(tmp_path: Path) -> None:
    build, out = setup(tmp_path)
    events: list[Event] = []
    report = publish(build, events=events.append)
    assert tree(out) == tree(build.site_dir)
    done = [e.key for e in events if isinstance(e, FileDone)]
    assert done[:2] == ["media/ep1.mp3", "media/ep2.mp3"]
    assert done[-1] == "feed.xml"
    kinds = [build.file(k).kind for k in done]
    assert kinds == sorted(kinds, key=["media", "asset", "page", "feed"].index)
    assert isinstance(events[0], Planned)
    confirmed = events.index(EnclosuresConfirmed(2))
    assert confirmed < next(
        i for i, e in enumerate(events) if isinstance(e, FileStarted) and e.key == "feed.xml"
    )
    progress = [e for e in events if isinstance(e, FileProgress)]
    assert progress[-1].total_sent == report.bytes_uploaded == sum(f.size for f in build.files)
    assert len(report.uploaded) == len(build.files) and report.deleted == ()
    assert report.summary().startswith(f"published to {out}: {len(build.files)} uploaded (")
    assert report.verification is None  # local targets are not fetched over HTTP
    assert not (out / LOCK_KEY).exists()
    assert (out / MANIFEST_KEY).is_file()


def test_second_publish_writes_nothing_and_says_so(tmp_path: Path) -> None:
    build, out = setup(tmp_path)
    publish(build)
    before = mtimes(out)
    rebuilt = make_build(tmp_path / "site", build.target, EPISODES)  # regenerated: new mtimes
    events: list[Event] = []
    report = publish(rebuilt, events=events.append)
    assert report.uploaded == () and report.deleted == () and not report.changed
    assert report.summary() == f"nothing to publish: {len(build.files)} files unchanged at {out}"
    assert not any(isinstance(e, (FileStarted, ManifestWritten)) for e in events)
    assert mtimes(out) == before


def test_dry_run_lists_what_and_why_and_changes_nothing(tmp_path: Path) -> None:
    build, out = setup(tmp_path)
    report = publish(build, dry_run=True)
    assert not out.exists()
    assert report.dry_run and len(report.uploaded) == len(build.files)
    assert {a.reason for a in report.uploaded} == {"not on the target"}
    assert report.summary().startswith(f"dry run, nothing changed at {out}: 10 to upload (10 new")

    publish(build)
    grown = make_build(tmp_path / "site", build.target, {**EPISODES, "ep3": 10})
    before = mtimes(out)
    report = publish(grown, dry_run=True)
    assert mtimes(out) == before
    assert {a.key: a.status for a in report.uploaded} == {
        "media/ep3.mp3": "new",
        "chapters/ep3.json": "new",
        "episodes/ep3.html": "new",
        "index.html": "changed",
        "feed.xml": "changed",
    }


def test_adding_an_episode_writes_only_its_files_changed_pages_and_feed(tmp_path: Path) -> None:
    build, out = setup(tmp_path)
    publish(build)
    grown = make_build(tmp_path / "site", build.target, {**EPISODES, "ep3": 1234})
    report = publish(grown)
    assert [a.key for a in report.uploaded] == [
        "media/ep3.mp3",
        "chapters/ep3.json",
        "episodes/ep3.html",
        "index.html",
        "feed.xml",
    ]
    assert report.bytes_uploaded == sum(a.file.size for a in report.uploaded if a.file)
    assert tree(out) == tree(grown.site_dir)


def test_removed_episode_leaves_site_and_feed_media_kept(tmp_path: Path) -> None:
    build, out = setup(tmp_path)
    publish(build)
    shrunk = make_build(tmp_path / "site", build.target, {"ep1": EPISODES["ep1"]})
    events: list[Event] = []
    report = publish(shrunk, events=events.append, allow_removal=True, delete_stale_now=True)
    now = "no longer built; deleted after the feed (--delete-stale-now)"
    assert [(a.key, a.reason) for a in report.deleted] == [
        ("episodes/ep2.html", now),
        ("chapters/ep2.json", now),
    ]
    assert [(a.key, a.reason) for a in report.kept if a.status == "stale"] == [
        ("media/ep2.mp3", "media is kept; use --prune-media to delete")
    ]
    assert not (out / "episodes" / "ep2.html").exists()
    assert (out / "media" / "ep2.mp3").exists()
    assert b"ep2" not in (out / "feed.xml").read_bytes()
    feed_done = events.index(FileDone("feed.xml", shrunk.file("feed.xml").size))
    first_delete = next(i for i, e in enumerate(events) if isinstance(e, Deleted))
    assert feed_done < first_delete
    assert "1 stale files kept" in report.summary()

    # The next publish keeps reporting it, and --prune-media removes it.
    again = publish(shrunk)
    assert not again.changed and [a.key for a in again.kept if a.status == "stale"] == [
        "media/ep2.mp3"
    ]
    pruned = publish(shrunk, prune_media=True, delete_stale_now=True)
    assert [a.key for a in pruned.deleted] == ["media/ep2.mp3"]
    assert tree(out) == tree(shrunk.site_dir)
    assert publish(shrunk).kept == publish(shrunk, dry_run=True).kept


def test_content_on_the_target_is_trusted_over_the_manifest(tmp_path: Path) -> None:
    build, out = setup(tmp_path)
    publish(build)
    (out / "media" / "ep1.mp3").unlink()
    (out / "index.html").write_text("tampered, and longer than the original page ...........")
    report = publish(build)
    assert {a.key: a.reason for a in report.uploaded} == {
        "media/ep1.mp3": "listed in the manifest but missing from the target",
        "index.html": f"55 bytes on the target, {build.file('index.html').size} in the manifest",
    }
    assert tree(out) == tree(build.site_dir)


class FailingStore(LocalStore):
    """A local store whose put fails for one key, as a full disk or dropped mount would."""

    def __init__(self, root: Path, fail_key: str) -> None:
        super().__init__(root)
        self.fail_key = fail_key

    def put(self, file: SiteFile, progress: Progress) -> str:
        if file.key == self.fail_key:
            raise StoreError(f"cannot write {file.key}: No space left on device", self.root)
        return super().put(file, progress)


def test_interrupted_publish_keeps_old_feed_and_rerun_completes(tmp_path: Path) -> None:
    build, out = setup(tmp_path, {"ep1": 1000})
    publish(build)
    old_feed = (out / "feed.xml").read_bytes()
    grown = make_build(tmp_path / "site", build.target, {"ep1": 1000, "ep2": 5000})
    with pytest.raises(StoreError, match="No space left on device"):
        publish(grown, store=FailingStore(out, "episodes/ep2.html"))
    assert (out / "feed.xml").read_bytes() == old_feed  # still the complete old show
    assert (out / "media" / "ep2.mp3").exists()  # landed before the failure ...
    assert not (out / LOCK_KEY).exists()  # the failed publish released its lock
    report = publish(grown)
    assert "media/ep2.mp3" not in [a.key for a in report.uploaded]  # ... so not sent again
    assert tree(out) == tree(grown.site_dir)


class LyingStore(LocalStore):
    """Claims to write media but does not: the feed must not be written."""

    def put(self, file: SiteFile, progress: Progress) -> str:
        if file.kind != "media":
            return super().put(file, progress)
        return "not written"


def test_feed_is_not_written_unless_every_enclosure_is_there(tmp_path: Path) -> None:
    build, out = setup(tmp_path)
    with pytest.raises(StoreError) as e:
        publish(build, store=LyingStore(out))
    assert str(e.value) == (
        f"{out}: the feed was not written: media/ep1.mp3 is missing on the target, the feed "
        "needs 40000 bytes (no feed is published yet; run publish again)"
    )
    assert not (out / "feed.xml").exists()
    assert tree(out) == {
        k: v
        for k, v in tree(build.site_dir).items()
        if k.endswith((".html", ".css", ".json", ".jpg"))
    }


class WatchedStore(LocalStore):
    """Says in what order the pages and the feed were put, the enclosures listed, the lock
    renewed and the manifest written. A page is held until the enclosures are listed, the
    ``last`` page also until the lock is renewed, the feed until the manifest is written (each
    at most 2 s): a step that waited for another in vain shows as "alone"."""

    def __init__(self, root: Path, last: str = "") -> None:
        super().__init__(root)
        self.last = last
        self.steps: list[str] = []
        self.listed = threading.Event()
        self.renewed = threading.Event()
        self.recorded = threading.Event()

    def put(self, file: SiteFile, progress: Progress) -> str:
        if file.key == self.last:
            both = self.listed.wait(2) and self.renewed.wait(2)
            self.steps.append("last page meanwhile" if both else "last page alone")
        elif file.kind == "page":
            self.steps.append("page meanwhile" if self.listed.wait(2) else "page alone")
        elif file.key == "feed.xml":
            self.steps.append("feed meanwhile" if self.recorded.wait(2) else "feed alone")
        return super().put(file, progress)

    def listing(self, prefix: str, *, known: Sequence[str] = ()) -> Listing:
        found = super().listing(prefix, known=known)
        if prefix == "media/":
            self.steps.append("enclosures listed")
            self.listed.set()
        return found

    def replace_lock(self, data: bytes, version: str) -> str | None:
        self.steps.append("lock renewed")
        self.renewed.set()
        return super().replace_lock(data, version)

    def write_manifest(self, manifest: Manifest, episodes: EpisodeRecords | None = None) -> None:
        super().write_manifest(manifest, episodes)
        if "feed.xml" in manifest:
            self.steps.append("manifest written")
            self.recorded.set()


def last_page(build: Build, out: Path) -> str:
    return publish(build, store=LocalStore(out), dry_run=True).plan.uploads_of("page")[-1].key


def test_the_enclosures_are_listed_while_the_pages_upload_and_the_lock_with_the_last(
    tmp_path: Path,
) -> None:
    build, out = setup(tmp_path)
    store = WatchedStore(out, last_page(build, out))
    events: list[Event] = []
    publish(build, store=store, events=events.append)
    assert tree(out) == tree(build.site_dir)
    steps = store.steps
    pages = [s for s in steps if "page" in s]
    assert len(pages) > 2 and pages == ["page meanwhile"] * (len(pages) - 1) + [
        "last page meanwhile"
    ]
    renewed = steps.index("lock renewed")  # not before the last page started
    assert steps[renewed + 1 :].count("page meanwhile") == 0
    confirmed = events.index(EnclosuresConfirmed(2))
    feed = next(
        i for i, e in enumerate(events) if isinstance(e, FileStarted) and e.key == "feed.xml"
    )
    assert confirmed < feed


def test_the_manifest_that_records_the_feed_is_written_while_it_uploads(tmp_path: Path) -> None:
    build, out = setup(tmp_path)
    store = WatchedStore(out)
    publish(build, store=store)
    assert store.steps.count("manifest written") == 1  # the publish's one write
    assert store.steps[-2:] == ["manifest written", "feed meanwhile"]
    doc = parse_manifest((out / MANIFEST_KEY).read_bytes())
    assert (
        doc.files["feed.xml"].sha256 == hashlib.sha256((out / "feed.xml").read_bytes()).hexdigest()
    )
    assert set(doc.episodes) == {e.guid for e in build.enclosures}
    assert publish(build, store=LocalStore(out)).uploaded == ()  # all of it was recorded


class FeedFails(LocalStore):
    def put(self, file: SiteFile, progress: Progress) -> str:
        if file.key == "feed.xml":
            raise StoreError("the feed's upload failed", self.location, hint="try again")
        return super().put(file, progress)


def test_a_feed_that_fails_is_not_left_recorded(tmp_path: Path) -> None:
    build, out = setup(tmp_path)
    with pytest.raises(StoreError, match="the feed's upload failed"):
        publish(build, store=FeedFails(out))
    doc = parse_manifest((out / MANIFEST_KEY).read_bytes())
    assert "feed.xml" not in doc.files and not (out / "feed.xml").exists()
    assert doc.episodes == {}  # no feed is live: no episode is published
    assert "media/ep1.mp3" in doc.files  # what landed is recorded
    again = publish(build, store=LocalStore(out))
    assert [a.key for a in again.uploaded] == ["feed.xml"]


def test_a_feed_that_fails_leaves_what_it_no_longer_uses_undated(tmp_path: Path) -> None:
    """The old feed is still live and still uses them: their grace period has not begun."""
    build, out = setup(tmp_path)
    publish(build, store=LocalStore(out))
    shrunk = make_build(tmp_path / "site", build.target, {"ep1": 40_000})
    with pytest.raises(StoreError, match="the feed's upload failed"):
        publish(shrunk, store=FeedFails(out), allow_removal=True)
    doc = parse_manifest((out / MANIFEST_KEY).read_bytes())
    assert "episodes/ep2.html" in doc.files
    assert all(e.stale_since is None for e in doc.files.values())
    assert set(doc.episodes) == {e.guid for e in build.enclosures}  # as the old feed says


@pytest.mark.parametrize("live", ["old feed", "no feed"])
def test_a_manifest_that_records_a_feed_the_target_does_not_serve_is_not_trusted(
    tmp_path: Path, live: str
) -> None:
    """A crash between the manifest's write and the feed's: the next publish compares the
    live feed's bytes with what the manifest records, and uploads the feed again."""
    build, out = setup(tmp_path)
    store = LocalStore(out)
    publish(build, store=store)
    doc = parse_manifest((out / MANIFEST_KEY).read_bytes())  # as the feed's upload began:
    doc.files["feed.xml"] = dataclasses.replace(doc.files["feed.xml"], etag=None)  # no ETag
    store.write_manifest(doc.files, doc.episodes)
    feed = out / "feed.xml"
    if live == "old feed":  # as long as the new one: only its bytes tell
        data = feed.read_bytes()
        feed.write_bytes(data.replace(b"<title>", b"<title>~", 1)[: len(data)])
    else:
        feed.unlink()
    report = publish(build, store=LocalStore(out))
    assert [(a.key, a.status) for a in report.uploaded] == [("feed.xml", "changed")]
    assert feed.read_bytes() == (build.site_dir / "feed.xml").read_bytes()
    reason = report.uploaded[0].reason
    want = "not the feed the manifest records" if live == "old feed" else "missing from the target"
    assert want in reason


def test_concurrent_publish_is_refused_and_break_lock(tmp_path: Path) -> None:
    build, out = setup(tmp_path)
    acquire(LocalStore(out))
    with pytest.raises(StoreError, match="another publish is in progress: locked by "):
        publish(build)
    assert not (out / "feed.xml").exists()
    said: list[Event] = []
    assert publish(build, dry_run=True, events=said.append).uploaded  # a dry run needs no lock
    notes = [e.message for e in said if isinstance(e, LockNote)]  # but says who holds it
    assert len(notes) == 1 and notes[0].startswith("another publish is in progress: locked by ")
    assert "; a publish now would be refused (wait for it to finish" in notes[0]
    events: list[Event] = []
    report = publish(build, break_lock=True, events=events.append)
    assert report.lock_note is not None and report.lock_note.startswith("broke the lock held by ")
    assert isinstance(events[0], LockNote)
    assert not (out / LOCK_KEY).exists()
    said.clear()
    publish(build, dry_run=True, events=said.append)
    assert not [e for e in said if isinstance(e, LockNote)]  # no lock held: nothing said


def test_garbage_lock_is_taken_over_with_a_note(tmp_path: Path) -> None:
    build, out = setup(tmp_path)
    (out / ".publisher").mkdir(parents=True)
    (out / LOCK_KEY).write_text("{garbage")
    events: list[Event] = []
    report = publish(build, events=events.append)
    note = (
        f"took over an unreadable lock at {out / LOCK_KEY} "
        "(not a valid lock record, so treated as expired)"
    )
    assert report.lock_note == note and events[0] == LockNote(note)
    assert not (out / LOCK_KEY).exists() and tree(out) == tree(build.site_dir)


def test_open_store_local(tmp_path: Path) -> None:
    store = open_store(local_target(tmp_path))
    assert isinstance(store, LocalStore) and store.location == str(tmp_path)


# --- I-04: a published episode keeps its GUID ---------------------------------------------


def test_changed_guid_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    build, out = setup(tmp_path)
    publish(build)
    before = mtimes(out)
    grown = {**EPISODES, "ep3": 500}
    changed = make_build(tmp_path / "site", build.target, grown, guids={"ep2": "ep2-v2"})
    for dry_run in (True, False):
        with pytest.raises(GuidChangedError) as e:
            publish(changed, dry_run=dry_run)
        assert str(e.value) == (
            f"{Path('show_notes', 'ep2.md')}: guid changed since it was published: the feed at "
            f"{out} has 'ep2' for this episode, the note now says 'ep2-v2' [I-04] (put back "
            "'guid: ep2' (apps would list the episode twice); to publish it as a new episode, "
            "give it a new slug (rename its note and audio))"
        )
        assert mtimes(out) == before
        assert not (out / LOCK_KEY).exists()  # the refused publish let go of the lock
    # A new episode and a removed one are fine, with the published GUID kept.
    fine = make_build(tmp_path / "site", build.target, {"ep2": EPISODES["ep2"], "ep3": 500})
    report = publish(fine, allow_removal=True)
    assert report.uploaded[0].key == "media/ep3.mp3" and report.uploaded[-1].key == "feed.xml"


def test_every_changed_guid_is_reported_at_once(tmp_path: Path) -> None:
    build, out = setup(tmp_path)
    publish(build)
    changed = make_build(tmp_path / "site", build.target, EPISODES, guids={"ep1": "x", "ep2": "y"})
    with pytest.raises(Problems) as e:
        publish(changed)
    assert [(type(p), p.path) for p in e.value.problems] == [
        (GuidChangedError, Path("show_notes/ep1.md")),
        (GuidChangedError, Path("show_notes/ep2.md")),
    ]
    assert "the note now says 'y' [I-04]" in str(e.value).splitlines()[1]


def test_unreadable_feed_on_the_target_does_not_block_publishing(tmp_path: Path) -> None:
    build, out = setup(tmp_path)
    publish(build)
    (out / "feed.xml").write_bytes(b"<rss><channel><item><guid>ep1</gu")
    changed = make_build(tmp_path / "site", build.target, EPISODES, guids={"ep1": "ep1-v2"})
    report = publish(changed)
    assert [a.key for a in report.uploaded] == ["feed.xml"]
    assert (out / "feed.xml").read_bytes() == changed.file("feed.xml").path.read_bytes()


# --- same-size changes on the target (issue 13, item 11) ------------------------------------


def test_same_size_change_on_the_folder_is_noticed_and_uploaded_again(tmp_path: Path) -> None:
    out = tmp_path / "out"
    build = make_build(tmp_path / "site", local_target(out), {"ep1": 1000, "ep2": 800})
    publish(build)
    entries = json.loads((out / MANIFEST_KEY).read_bytes())["files"]
    st = (out / "media" / "ep1.mp3").stat()
    assert entries["media/ep1.mp3"]["etag"] == f"ino:{st.st_ino}:mtime:{st.st_mtime_ns}"

    # Replaced by another file of the same size (a new inode), and rewritten in place later.
    replaced = out / "media" / "ep1.mp3"
    fresh = out / "media" / "copy.tmp"
    fresh.write_bytes(b"\0" * 1000)
    fresh.replace(replaced)
    page = out / "index.html"
    size = page.stat().st_size
    with page.open("r+b") as f:
        f.write(b"X" * size)
    later = page.stat().st_mtime_ns + 1_000_000_000
    os.utime(page, ns=(later, later))

    report = publish(build)
    why = "changed on the target since it was published (another inode or mtime)"
    assert {a.key: a.reason for a in report.uploaded} == {
        "media/ep1.mp3": why,
        "index.html": why,
    }
    assert replaced.read_bytes() == build.file("media/ep1.mp3").path.read_bytes()
    assert not publish(build).changed


def test_a_manifest_without_stamps_is_still_read(tmp_path: Path) -> None:
    out = tmp_path / "out"
    build = make_build(tmp_path / "site", local_target(out), {"ep1": 1000})
    publish(build)
    doc = json.loads((out / MANIFEST_KEY).read_bytes())
    for item in doc["files"].values():
        item.pop("etag", None)  # as written before the manifest recorded them
    (out / MANIFEST_KEY).write_text(json.dumps(doc))
    assert not publish(build).changed


@pytest.mark.parametrize(
    ("episodes", "writes"),
    [
        ({"ep1": 40_000, "ep2": 60_000}, 1),  # small batches: recorded once, at the end
        ({"ep1": 40_000, "ep2": RECORD_AFTER}, 2),  # the media batch at once, then the rest
    ],
)
def test_the_manifest_is_written_after_large_batches_and_at_the_end(
    tmp_path: Path, episodes: dict[str, int], writes: int
) -> None:
    build, out = setup(tmp_path, episodes)
    events: list[Event] = []
    publish(build, events=events.append)
    assert sum(isinstance(e, ManifestWritten) for e in events) == writes
    recorded = json.loads((out / MANIFEST_KEY).read_bytes())["files"]
    assert set(recorded) == {f.key for f in build.files}  # every file is recorded


def test_a_dry_run_that_cannot_read_the_lock_still_plans(tmp_path: Path) -> None:
    build, out = setup(tmp_path)
    (out / LOCK_KEY).mkdir(parents=True)  # no lock record can be read there
    said: list[Event] = []
    report = publish(build, dry_run=True, events=said.append)
    assert report.dry_run and len(report.uploaded) == len(build.files)
    assert not [e for e in said if isinstance(e, LockNote)]
    with pytest.raises(StoreError, match="cannot read the lock"):  # a publish says why
        publish(build)
