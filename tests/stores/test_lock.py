"""The publish lock (publisher/stores/lock.py) over a folder: renewal while a publish runs,
confirmation before the feed and before deletions, records that cannot be trusted."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from publisher.errors import StoreError
from publisher.model import SiteFile
from publisher.publish.run import publish
from publisher.stores.base import LOCK_KEY, Progress
from publisher.stores.local import LocalStore
from publisher.stores.lock import LockGrant, LockKeeper, acquire, new_lock, process_start
from tests.support.sitebuild import local_target, make_build
from tests.support.tools import needs

TTL = timedelta(seconds=1.5)  # renewed every 0.5 s: a second of slack on a busy machine


def lock_record(root: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((root / LOCK_KEY).read_bytes())
    return data


class LongUpload(LocalStore):
    """A media upload that takes well over two lock lifetimes; meanwhile another publish
    tries to take the target."""

    refused: list[str]

    def put(self, file: SiteFile, progress: Progress) -> str:
        if file.kind == "media" and not self.refused:
            created = datetime.fromisoformat(str(lock_record(self.root)["created"]))
            while datetime.now(UTC) < created + 2.5 * TTL:
                time.sleep(0.05)  # a slow uplink
            with pytest.raises(StoreError) as e:
                acquire(LocalStore(self.root))
            self.refused.append(str(e.value))
        return super().put(file, progress)


def test_lock_is_renewed_while_a_long_publish_runs(tmp_path: Path) -> None:
    out = tmp_path / "out"
    build = make_build(tmp_path / "site", local_target(out), {"ep1": 1000})
    store = LongUpload(out)
    store.refused = []
    publish(build, store=store, lock_ttl=TTL)
    (refusal,) = store.refused
    assert "another publish is in progress: locked by " in refusal
    assert not (out / LOCK_KEY).exists()


class TakenOverDuring(LocalStore):
    """Another publish breaks our lock while ``key`` is being written."""

    key: str
    other: list[LockGrant]

    def put(self, file: SiteFile, progress: Progress) -> str:
        if file.key == self.key:
            self.other.append(acquire(LocalStore(self.root), break_lock=True))
        return super().put(file, progress)


def taken_over(root: Path, key: str) -> TakenOverDuring:
    store = TakenOverDuring(root)
    store.key, store.other = key, []
    return store


def test_publish_whose_lock_was_taken_stops_before_writing_the_feed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    build = make_build(tmp_path / "site", local_target(out), {"ep1": 1000, "ep2": 500})
    pages = publish(build, store=LocalStore(out), dry_run=True).plan.uploads_of("page")
    # while a page uploads: not the last one, with which the lock is confirmed
    store = taken_over(out, pages[0].key)
    with pytest.raises(StoreError) as e:
        publish(build, store=store)
    (theirs,) = store.other
    assert str(e.value) == (
        f"{out}: stopped before writing the feed: the publish lock is no longer ours (now "
        f"locked by {theirs.lock.describe()}) (another publish took over the target; run "
        "publish again once it has finished)"
    )
    assert not (out / "feed.xml").exists()
    assert lock_record(out)["token"] == theirs.lock.token  # theirs is left alone


def test_publish_whose_lock_was_taken_deletes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    build = make_build(tmp_path / "site", local_target(out), {"ep1": 1000, "ep2": 500})
    publish(build)
    shrunk = make_build(tmp_path / "site", build.target, {"ep1": 1000})
    with pytest.raises(StoreError, match=r"stopped before deleting stale files: the publish lock"):
        publish(
            shrunk, store=taken_over(out, "feed.xml"), allow_removal=True, delete_stale_now=True
        )
    assert (out / "episodes" / "ep2.html").exists()


def test_keeper_renews_on_its_version_and_confirm_sees_a_takeover(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    grant = acquire(store, ttl=TTL)
    with LockKeeper(store, grant, timedelta(hours=1)) as keeper:
        first = keeper.grant
        keeper.confirm("writing the feed")
        assert keeper.grant.version != first.version
        assert keeper.grant.lock.expires > first.lock.expires
        assert lock_record(tmp_path)["expires"] == keeper.grant.lock.expires.isoformat()
        theirs = acquire(LocalStore(tmp_path), break_lock=True)
        for _ in range(2):  # stays lost: never overwrites the other publish's lock
            with pytest.raises(StoreError, match="no longer ours"):
                keeper.confirm("deleting stale files")
    assert lock_record(tmp_path)["token"] == theirs.lock.token


def test_lock_expiring_far_beyond_its_lifetime_is_unreadable(tmp_path: Path) -> None:
    far = new_lock(ttl=timedelta(days=30))  # a wrong clock, or a foreign tool
    (tmp_path / ".publisher").mkdir()
    (tmp_path / LOCK_KEY).write_bytes(far.to_json())
    grant = acquire(LocalStore(tmp_path))
    stamp = far.expires.strftime("%Y-%m-%d %H:%M:%SZ")
    assert grant.note == (
        f"took over an unreadable lock at {tmp_path / LOCK_KEY} (it expires {stamp}, far "
        "beyond a lock's 15-minute lifetime, so treated as expired)"
    )
    assert grant.replaced is None


@pytest.fixture
def other_process() -> Iterator[int]:
    """The PID of a live process on this machine that is no publish."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        yield proc.pid
    finally:
        proc.kill()
        proc.wait()


@needs(process_start(os.getpid()) is not None, "needs /proc (Linux) for process start times")
def test_live_pid_is_checked_against_its_start_time(tmp_path: Path, other_process: int) -> None:
    (tmp_path / ".publisher").mkdir()
    store = LocalStore(tmp_path)
    mine = new_lock()
    # That PID runs, but it is not the process that took the lock: its PID was reused.
    reused = dataclasses.replace(mine, pid=other_process, pid_start=f"{mine.pid_start}-earlier")
    (tmp_path / LOCK_KEY).write_bytes(reused.to_json())
    grant = acquire(store)
    assert grant.note == (
        "took over the lock of a publish that is no longer running, held by " + reused.describe()
    )
    (tmp_path / LOCK_KEY).unlink()
    # The same process (its start time matches), and an older record without one: refused.
    for started in (process_start(other_process), None):
        alive = dataclasses.replace(mine, pid=other_process, pid_start=started)
        (tmp_path / LOCK_KEY).write_bytes(alive.to_json())
        with pytest.raises(StoreError, match="another publish is in progress"):
            acquire(store)
