from __future__ import annotations

import json
import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from publisher.errors import StoreError
from publisher.publish.plan import manifest_of
from publisher.stores.base import LOCK_KEY, MANIFEST_KEY
from publisher.stores.local import LocalStore
from publisher.stores.lock import LockGrant, acquire, let_go, lock_held_error, new_lock, release
from tests.support.sitebuild import local_target, make_build


def test_put_is_atomic_copy_with_progress(tmp_path: Path) -> None:
    build = make_build(tmp_path / "site", local_target(tmp_path / "out"), {"one": 3_000_000})
    store = LocalStore(tmp_path / "out")
    media = build.file("media/one.mp3")
    seen: list[int] = []
    store.put(media, seen.append)
    dest = tmp_path / "out" / "media" / "one.mp3"
    assert dest.read_bytes() == media.path.read_bytes()
    assert sum(seen) == 3_000_000 and len(seen) == 3
    assert stat.S_IMODE(dest.stat().st_mode) == 0o644
    assert not dest.samefile(media.path) and dest.stat().st_nlink == 1  # a copy, not a link
    assert [p.name for p in dest.parent.iterdir()] == ["one.mp3"]  # no temp file left


def test_put_refuses_a_file_changed_since_build(tmp_path: Path) -> None:
    build = make_build(tmp_path / "site", local_target(tmp_path / "out"), {"one": 100})
    media = build.file("media/one.mp3")
    media.path.write_bytes(b"shorter")
    store = LocalStore(tmp_path / "out")
    with pytest.raises(StoreError) as e:
        store.put(media, lambda n: None)
    assert str(e.value).endswith(
        "media/one.mp3 is 7 bytes on disk, 100 when built (the build folder changed during"
        " publish; build again)"
    )
    assert list((tmp_path / "out" / "media").iterdir()) == []


def test_manifest_round_trip_and_reality_check(tmp_path: Path) -> None:
    build = make_build(tmp_path / "site", local_target(tmp_path / "out"), {"one": 100, "two": 50})
    store = LocalStore(tmp_path / "out")
    assert store.read_manifest() == {}
    for f in build.files:
        store.put(f, lambda n: None)
    store.write_manifest(manifest_of(build.files))
    assert store.read_manifest() == manifest_of(build.files)
    raw = (tmp_path / "out" / MANIFEST_KEY).read_bytes()
    assert json.loads(raw)["files"]["media/one.mp3"]["size"] == 100

    (tmp_path / "out" / "media" / "one.mp3").unlink()
    (tmp_path / "out" / "media" / "two.mp3").write_bytes(b"x")
    m = store.read_manifest()
    assert m["media/one.mp3"].problem == "listed in the manifest but missing from the target"
    assert m["media/two.mp3"].problem == "1 bytes on the target, 50 in the manifest"
    assert m["index.html"].problem is None


def test_damaged_manifest_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / ".publisher").mkdir()
    (tmp_path / MANIFEST_KEY).write_text("{oops")
    with pytest.raises(StoreError) as e:
        LocalStore(tmp_path).read_manifest()
    assert "the manifest is damaged: not valid JSON" in str(e.value)
    assert str(e.value).endswith("(delete it to republish every file)")


def test_delete_removes_empty_folders_only(tmp_path: Path) -> None:
    (tmp_path / "episodes").mkdir()
    (tmp_path / "episodes" / "a.html").write_text("a")
    (tmp_path / "episodes" / "b.html").write_text("b")
    store = LocalStore(tmp_path)
    store.delete("episodes/a.html")
    assert (tmp_path / "episodes").is_dir()
    store.delete("episodes/b.html")
    assert not (tmp_path / "episodes").exists()
    store.delete("episodes/b.html")  # already gone: fine
    assert store.head("episodes/b.html") is None


@pytest.mark.parametrize("key", ["../x", "/etc/passwd", "a//b", ".publisher/other", "a/./b"])
def test_keys_outside_the_target_are_refused(tmp_path: Path, key: str) -> None:
    with pytest.raises(StoreError, match="refusing to write outside the target"):
        LocalStore(tmp_path).delete(key)


def test_relative_root_is_refused() -> None:
    with pytest.raises(StoreError, match="absolute folder path"):
        LocalStore(Path("relative"))


def test_lock_refuses_second_publish(tmp_path: Path) -> None:
    a, b = LocalStore(tmp_path), LocalStore(tmp_path)
    grant = acquire(a)
    assert grant.replaced is None and grant.note is None
    with pytest.raises(StoreError) as e:
        acquire(b)
    msg = str(e.value)
    assert msg.startswith(f"{tmp_path}: another publish is in progress: locked by ")
    assert f"(pid {os.getpid()})" in msg
    assert msg.endswith(
        "(wait for it to finish, or run again with --break-lock if that publish died)"
    )
    release(a, grant)
    assert not (tmp_path / LOCK_KEY).exists()
    release(b, acquire(b))


def test_expired_lock_is_taken_over(tmp_path: Path) -> None:
    old = new_lock(now=datetime.now(UTC) - timedelta(hours=1))
    (tmp_path / ".publisher").mkdir()
    (tmp_path / LOCK_KEY).write_bytes(old.to_json())
    grant = acquire(LocalStore(tmp_path))
    assert grant.replaced == old
    assert grant.note is not None and grant.note.startswith("took over an expired lock held by ")


def test_break_lock(tmp_path: Path) -> None:
    held = acquire(LocalStore(tmp_path))
    grant = acquire(LocalStore(tmp_path), break_lock=True)
    assert grant.replaced == held.lock
    assert grant.note is not None and grant.note.startswith("broke the lock held by ")
    # The first publish's release must not remove the lock it no longer holds.
    release(LocalStore(tmp_path), held)
    assert (tmp_path / LOCK_KEY).exists()


@pytest.mark.parametrize("garbage", ["{garbage", "", '{"owner": "ana@studio"}'])
def test_unreadable_lock_is_taken_over_and_says_so(tmp_path: Path, garbage: str) -> None:
    (tmp_path / ".publisher").mkdir()
    (tmp_path / LOCK_KEY).write_text(garbage)
    grant = acquire(LocalStore(tmp_path))
    assert grant.replaced is None
    assert grant.note == (
        f"took over an unreadable lock at {tmp_path / LOCK_KEY} "
        "(not a valid lock record, so treated as expired)"
    )
    assert json.loads((tmp_path / LOCK_KEY).read_bytes())["token"] == grant.lock.token


def test_get_reads_a_key_or_says_it_is_not_there(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "out")
    assert store.get("feed.xml") is None  # not even the folder yet
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "feed.xml").write_bytes(b"<rss/>")
    assert store.get("feed.xml") == b"<rss/>"
    (tmp_path / "out" / "media").mkdir()
    with pytest.raises(StoreError) as e:
        store.get("media")
    assert str(e.value) == f"{tmp_path / 'out' / 'media'}: cannot read media: Is a directory"


def test_lock_left_by_a_dead_publish_here_is_taken_over(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    left = acquire(store)
    let_go(left)  # as when a failed publish could not remove its lock
    grant = acquire(store)
    assert grant.replaced == left.lock
    assert grant.note == (
        "took over the lock of a publish that is no longer running, held by " + left.lock.describe()
    )


def test_target_below_a_file_is_one_clear_error(tmp_path: Path) -> None:
    # ``--to /tmp/afile/show`` where afile is a file: refused before anything is written.
    (tmp_path / "afile").write_text("not a folder")
    root = tmp_path / "afile" / "show"
    build = make_build(tmp_path / "site", local_target(root), {"one": 100})
    from publisher.publish.run import publish

    with pytest.raises(StoreError) as e:
        publish(build, verify=False)
    assert str(e.value) == (
        f"{root / '.publisher'}: cannot create the lock: Not a directory "
        "(part of the target's path is a file, not a folder)"
    )


class _FolderSwappedOnRelease(LocalStore):
    """The target's .publisher/ folder becomes a file between reading and removing the lock
    (as when someone replaces the target folder while a publish finishes)."""

    def delete_lock(self, version: str) -> bool:
        meta = self.root / ".publisher"
        meta.rename(meta.with_name(".publisher-moved"))
        meta.write_text("now a file")
        return super().delete_lock(version)


def test_release_that_cannot_remove_the_lock_is_a_store_error(tmp_path: Path) -> None:
    store = _FolderSwappedOnRelease(tmp_path)
    grant = acquire(LocalStore(tmp_path))
    (tmp_path / LOCK_KEY).write_bytes(grant.lock.to_json())
    with pytest.raises(StoreError) as e:
        release(store, grant)
    assert str(e.value) == (
        f"{tmp_path / LOCK_KEY}: cannot remove the lock: Not a directory "
        "(part of the target's path is a file, not a folder)"
    )


def test_publish_whose_lock_cannot_be_released_still_completes(tmp_path: Path) -> None:
    # Releasing is best effort (the lock expires): publish() reports what it published.
    build = make_build(tmp_path / "site", local_target(tmp_path / "out"), {"one": 100})
    from publisher.publish.run import publish

    report = publish(build, verify=False, store=_FolderSwappedOnRelease(tmp_path / "out"))
    assert report.uploaded and (tmp_path / "out" / "feed.xml").exists()


class _RacedByAnother(LocalStore):
    """Publish B: right after B judges the lock expired, publish A removes that same expired
    lock and takes the target with its own; then B carries on."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.a: list[LockGrant] = []

    def read_lock(self) -> tuple[bytes, str] | None:
        found = super().read_lock()
        if not self.a:  # B's first read: judging the lock in place
            self.a.append(acquire(LocalStore(self.root)))
        return found


def test_expired_lock_race_never_removes_the_winners_lock(tmp_path: Path) -> None:
    stale = new_lock(now=datetime.now(UTC) - timedelta(hours=1))
    (tmp_path / ".publisher").mkdir()
    (tmp_path / LOCK_KEY).write_bytes(stale.to_json())
    b = _RacedByAnother(tmp_path)
    with pytest.raises(StoreError) as e:
        acquire(b)
    (a,) = b.a
    assert a.replaced == stale  # A took over the expired lock …
    assert str(e.value) == str(lock_held_error(a.lock, b))  # … and B yields to A
    assert json.loads((tmp_path / LOCK_KEY).read_bytes())["token"] == a.lock.token
    assert sorted(p.name for p in (tmp_path / ".publisher").iterdir()) == ["lock.json"]
    release(LocalStore(tmp_path), a)
    assert not (tmp_path / LOCK_KEY).exists()


def test_leftovers_of_an_interrupted_copy_are_removed_under_the_lock(tmp_path: Path) -> None:
    from publisher.publish.events import Cleaned, Event
    from publisher.publish.run import publish

    out = tmp_path / "out"
    (out / "media").mkdir(parents=True)
    killed = out / "media" / ".tmp-k1ll3d.part"  # a copy killed mid-way, an hour ago
    killed.write_bytes(b"x" * 5000)
    hour_ago = (datetime.now(UTC) - timedelta(hours=1)).timestamp()
    os.utime(killed, (hour_ago, hour_ago))
    theirs = out / "media" / ".tmp-mine.txt"  # not a name we make
    theirs.write_bytes(b"keep")
    os.utime(theirs, (hour_ago, hour_ago))
    build = make_build(tmp_path / "site", local_target(out), {"one": 100})
    events: list[Event] = []
    publish(build, events=events.append)
    assert not killed.exists() and theirs.exists()
    assert [e for e in events if isinstance(e, Cleaned)] == [Cleaned("media/.tmp-k1ll3d.part")]


def test_leftovers_newer_than_the_lock_are_kept(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    (tmp_path / "media").mkdir()
    fresh = tmp_path / "media" / ".tmp-fresh.part"
    fresh.write_bytes(b"x")
    assert store.clean_leftovers(datetime.now(UTC) - timedelta(minutes=1)) == ()
    assert fresh.exists()
    assert store.clean_leftovers(datetime.now(UTC) + timedelta(minutes=1)) == (
        "media/.tmp-fresh.part",
    )
