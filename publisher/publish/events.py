"""What a publish tells as it runs: the event types, and the lock that serialises them.

The CLI turns these into progress on a terminal or plain lines in CI; the library never
prints."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from publisher.model import FileKind
from publisher.publish.history import PublishedEpisode
from publisher.publish.plan import UploadPlan
from publisher.publish.verify import VerifyReport

E = TypeVar("E")


def serialised(events: Callable[[E], None] | None) -> Callable[[E], None]:
    """``events`` behind a lock: the callback is never called concurrently (the stores call
    from worker threads). None: a callback that ignores everything."""
    if events is None:
        return lambda _e: None
    lock = threading.Lock()
    callback = events

    def emit(e: E) -> None:
        with lock:
            callback(e)

    return emit


@dataclass(frozen=True)
class Planned:
    """The plan is made; nothing has been written yet."""

    plan: UploadPlan
    location: str
    dry_run: bool
    removed: tuple[PublishedEpisode, ...] = ()  # episodes of the live feed the new one lacks


@dataclass(frozen=True)
class LockNote:
    """A lock was taken over (expired) or broken (--break-lock); or, in a dry run, another
    publish holds it."""

    message: str


@dataclass(frozen=True)
class Waiting:
    """The target has not answered for a while; says what is waited for."""

    message: str


@dataclass(frozen=True)
class Cleaned:
    """Something an interrupted publish left on the target was removed (under the lock)."""

    what: str


@dataclass(frozen=True)
class FileStarted:
    key: str
    kind: FileKind
    size: int
    index: int  # 1-based among this publish's uploads
    total: int  # files to upload in all
    total_bytes: int  # bytes to upload in all


@dataclass(frozen=True)
class FileProgress:
    key: str
    sent: int  # bytes of this file sent so far
    size: int
    total_sent: int  # bytes of all files sent so far


@dataclass(frozen=True)
class FileDone:
    key: str
    size: int


@dataclass(frozen=True)
class EnclosuresConfirmed:
    """Every enclosure of the new feed is on the target with its exact length."""

    count: int


@dataclass(frozen=True)
class Deleted:
    key: str
    reason: str


@dataclass(frozen=True)
class ManifestWritten:
    entries: int


@dataclass(frozen=True)
class Verified:
    report: VerifyReport


Event = (
    Planned
    | LockNote
    | Waiting
    | Cleaned
    | FileStarted
    | FileProgress
    | FileDone
    | EnclosuresConfirmed
    | Deleted
    | ManifestWritten
    | Verified
)
