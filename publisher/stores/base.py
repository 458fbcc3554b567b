"""The one small interface every publish target implements, and the publish lock's record."""

from __future__ import annotations

import getpass
import json
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

from publisher.errors import StoreError
from publisher.layout import LOCK_KEY as LOCK_KEY  # the keys are the layout's
from publisher.layout import MANIFEST_KEY as MANIFEST_KEY
from publisher.layout import META_DIR as META_DIR
from publisher.model import SiteFile
from publisher.publish.plan import Manifest

LOCK_TTL = timedelta(minutes=15)

Progress = Callable[[int], None]
"""Called with the number of bytes just sent (a delta, possibly from a worker thread)."""


@dataclass(frozen=True)
class LockInfo:
    """Who holds a target's publish lock, and until when."""

    owner: str  # user@host
    pid: int
    created: datetime
    expires: datetime
    token: str  # tells our own lock from another's

    def describe(self) -> str:
        return (
            f"{self.owner} (pid {self.pid}) since {_stamp(self.created)}, "
            f"expiring {_stamp(self.expires)}"
        )

    def expired(self, now: datetime | None = None) -> bool:
        return (now or datetime.now(UTC)) >= self.expires

    def abandoned(self) -> bool:
        """True when the lock was left by a publish on this machine that is no longer
        running (killed, or failed without reaching the target to release it), so that
        simply re-running completes the publish without --break-lock."""
        if self.owner != _owner():
            return False
        if self.pid == os.getpid():
            return self.token not in _HELD
        return _dead(self.pid)

    def to_json(self) -> bytes:
        return (
            json.dumps(
                {
                    "owner": self.owner,
                    "pid": self.pid,
                    "created": self.created.isoformat(),
                    "expires": self.expires.isoformat(),
                    "token": self.token,
                },
                indent=2,
                sort_keys=True,
            )
            + "\n"
        ).encode()

    @staticmethod
    def from_json(data: bytes) -> LockInfo | None:
        """The lock record, or None when it is unreadable (treated as expired)."""
        try:
            d = json.loads(data)
            info = LockInfo(
                owner=str(d["owner"]),
                pid=int(d["pid"]),
                created=datetime.fromisoformat(d["created"]),
                expires=datetime.fromisoformat(d["expires"]),
                token=str(d["token"]),
            )
        except (ValueError, KeyError, TypeError):
            return None
        if info.expires.tzinfo is None:
            return None
        return info


@dataclass(frozen=True)
class UnreadableLock:
    """A lock object that is there but is no lock record (damaged, cut short, or written by
    something else). It names no owner, so it is treated as expired."""

    where: str  # the lock's path or s3:// URL, for the note


LockRecord = LockInfo | UnreadableLock
"""What a store found at the lock's key (None when nothing is there)."""


def read_record(data: bytes, where: str) -> LockRecord:
    """The lock record in ``data``, or :class:`UnreadableLock` when it is not one."""
    return LockInfo.from_json(data) or UnreadableLock(where)


def new_lock(ttl: timedelta = LOCK_TTL, now: datetime | None = None) -> LockInfo:
    """A lock record naming this process."""
    start = (now or datetime.now(UTC)).replace(microsecond=0)
    return LockInfo(
        owner=_owner(),
        pid=os.getpid(),
        created=start,
        expires=start + ttl,
        token=uuid.uuid4().hex,
    )


# Tokens of the locks this process holds now: tells a live publish in this process from a
# lock an earlier, failed publish in the same process left behind.
_HELD: set[str] = set()


def let_go(held: LockGrant) -> None:
    """Record that this process no longer holds ``held`` (released or not)."""
    _HELD.discard(held.lock.token)


def replaceable(lock: LockRecord | None, break_lock: bool) -> bool:
    """May a publish remove ``lock`` (None: gone already) and take the target?"""
    if lock is None or isinstance(lock, UnreadableLock):
        return True
    return break_lock or lock.expired() or lock.abandoned()


@dataclass(frozen=True)
class LockGrant:
    """The lock this publish now holds, and any lock it replaced."""

    lock: LockInfo
    replaced: LockInfo | None = None
    note: str | None = None  # a line worth showing the producer when a lock was taken over


def grant(lock: LockInfo, replaced: LockRecord | None, break_lock: bool) -> LockGrant:
    """Record that this process now holds ``lock`` and say how it was obtained."""
    note = None
    if isinstance(replaced, UnreadableLock):
        # Say so as for an expired lock: a damaged lock may hide a publish still running.
        note = (
            f"took over an unreadable lock at {replaced.where} "
            "(not a valid lock record, so treated as expired)"
        )
        replaced = None
    elif replaced is not None:
        if replaced.expired():
            how = "took over an expired lock"
        elif replaced.abandoned():
            how = "took over the lock of a publish that is no longer running,"
        else:
            how = "broke the lock" if break_lock else "took over the lock"
        note = f"{how} held by {replaced.describe()}"
    _HELD.add(lock.token)
    return LockGrant(lock, replaced, note)


def lock_held_error(held: LockInfo, location: Path | str) -> StoreError:
    """The one-line refusal when another publish holds the lock.

    ``location`` is a folder (shown as a path) or a URL-like ``s3://…`` (shown as given).
    """
    message = f"another publish is in progress: locked by {held.describe()}"
    hint = "wait for it to finish, or run again with --break-lock if that publish died"
    if isinstance(location, Path):
        return StoreError(message, location, hint=hint)
    return StoreError(f"{location}: {message}", hint=hint)


class Store(Protocol):
    """A publish target: a folder, or a bucket and prefix.

    Every method raises :class:`~publisher.errors.StoreError` (one line, no secrets) for a
    problem the producer can fix.
    """

    @property
    def location(self) -> str:
        """The target as the producer wrote it (a folder, or ``s3://bucket/prefix``)."""
        ...

    @property
    def parallelism(self) -> int:
        """How many files :meth:`put` may be called for at once from worker threads."""
        ...

    def read_manifest(self) -> Manifest:
        """What was last published, checked against the target itself: an entry whose
        object is missing or of another size carries a ``problem``."""
        ...

    def write_manifest(self, manifest: Manifest) -> None:
        """Record what is now published (atomically)."""
        ...

    def put(self, file: SiteFile, progress: Progress) -> None:
        """Write one built file under ``file.key``, atomically as far as readers can tell."""
        ...

    def delete(self, key: str) -> None:
        """Remove ``key`` (no error when it is already gone)."""
        ...

    def head(self, key: str) -> int | None:
        """The size in bytes of ``key`` on the target, or None when it is not there."""
        ...

    def get(self, key: str) -> bytes | None:
        """The content of ``key`` on the target, or None when it is not there."""
        ...

    def acquire_lock(self, *, break_lock: bool = False) -> LockGrant:
        """Take the publish lock, or raise StoreError naming who holds it."""
        ...

    def release_lock(self, mine: LockGrant) -> None:
        """Give back the lock, if it is still ours."""
        ...


def _owner() -> str:
    try:
        user = getpass.getuser()
    except (OSError, KeyError):
        user = "unknown"
    return f"{user}@{socket.gethostname()}"


def _dead(pid: int) -> bool:
    if os.name != "posix":  # os.kill(pid, 0) would terminate the process on Windows
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # exists, owned by someone else
        return False
    return False


def _stamp(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ")
