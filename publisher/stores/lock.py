"""The publish lock: one algorithm over four store primitives.

A target holds at most one lock record at ``.publisher/lock.json``. Every store offers the
same four primitives (:class:`LockPrimitives`): create the record only if there is none,
read it with a version tag (S3: its ETag; a folder: a hash of its bytes), replace it only if
it is still that version, delete it only if it is still that version. On top of them this
module takes the lock (:func:`acquire`), keeps it while a publish runs (:class:`LockKeeper`:
renewed in the background, confirmed before the feed is written and before anything is
deleted) and gives it back (:func:`release`). A publish may take it before its build is
done (:class:`HeldLock`), so that the round trips of taking it overlap the build.

A lock is replaceable when it is expired, unreadable (damaged, or expiring far beyond a
lock's lifetime: a wrong clock or a foreign tool), left by a publish on this machine that is
no longer running (its PID gone, or reused by a process that started at another time), or
when the producer says ``--break-lock``.

Longer than our usual 400 lines, on purpose: taking, keeping, holding ahead and giving back
share one record format and one set of invariants (a lock is only ever replaced or deleted
at the version judged); split, each part would restate the others'.
"""

from __future__ import annotations

# long: one algorithm over the four primitives (module docstring)
import contextlib
import getpass
import json
import os
import socket
import threading
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

from publisher import interruptible
from publisher.errors import StoreError

LOCK_TTL = timedelta(minutes=15)
MAX_AHEAD = 4 * LOCK_TTL
"""A record expiring further ahead than this is not one of ours: treated as unreadable."""


class LockPrimitives(Protocol):
    """What a store offers the lock algorithm. Each raises StoreError for a fault."""

    @property
    def lock_where(self) -> str:
        """The lock's path or ``s3://`` URL, for notes."""
        ...

    def problem(self, message: str, hint: str | None = None) -> StoreError:
        """A one-line error located at this target."""
        ...

    def create_lock(self, data: bytes) -> str | None:
        """Write ``data`` as the lock only if there is none; its version, or None if one exists."""
        ...

    def read_lock(self) -> tuple[bytes, str] | None:
        """The lock's bytes and version, or None when there is no lock."""
        ...

    def replace_lock(self, data: bytes, version: str) -> str | None:
        """Replace the lock only if it is still ``version``; the new version, or None."""
        ...

    def delete_lock(self, version: str) -> bool:
        """Delete the lock only if it is still ``version``; False when it changed or went."""
        ...


@dataclass(frozen=True)
class LockInfo:
    """Who holds a target's publish lock, and until when."""

    owner: str  # user@host
    pid: int
    created: datetime
    expires: datetime
    token: str  # tells our own lock from another's
    pid_start: str | None = None  # when that process started (None: an older record)

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
        simply re-running completes the publish without --break-lock.

        A PID that is alive is compared by its process's start time when the record has one
        (PIDs are reused); an older record without it falls back to the PID alone."""
        if self.owner != _owner():
            return False
        running = process_start(self.pid)
        if self.pid_start is not None and running is not None and running != self.pid_start:
            return True  # that PID now belongs to another process
        if self.pid == os.getpid():
            return self.token not in _HELD
        return _dead(self.pid)

    def to_json(self) -> bytes:
        return (
            json.dumps(
                {
                    "owner": self.owner,
                    "pid": self.pid,
                    "pid_start": self.pid_start,
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
            started = d.get("pid_start")
            info = LockInfo(
                owner=str(d["owner"]),
                pid=int(d["pid"]),
                created=datetime.fromisoformat(d["created"]),
                expires=datetime.fromisoformat(d["expires"]),
                token=str(d["token"]),
                pid_start=None if started is None else str(started),
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            return None
        if info.expires.tzinfo is None or info.created.tzinfo is None:
            return None
        return info


@dataclass(frozen=True)
class UnreadableLock:
    """A lock object that is there but is no usable lock record (damaged, cut short, written
    by something else, or expiring far beyond a lock's lifetime). Treated as expired."""

    where: str  # the lock's path or s3:// URL, for the note
    why: str = "not a valid lock record"


LockRecord = LockInfo | UnreadableLock
"""What a store found at the lock's key (None when nothing is there)."""


def read_record(data: bytes, where: str, now: datetime | None = None) -> LockRecord:
    """The lock record in ``data``, or :class:`UnreadableLock` when it is not a usable one."""
    info = LockInfo.from_json(data)
    if info is None:
        return UnreadableLock(where)
    if info.expires - (now or datetime.now(UTC)) > MAX_AHEAD:
        return UnreadableLock(
            where,
            f"it expires {_stamp(info.expires)}, far beyond a lock's "
            f"{int(LOCK_TTL.total_seconds()) // 60}-minute lifetime",
        )
    return info


def new_lock(ttl: timedelta = LOCK_TTL, now: datetime | None = None) -> LockInfo:
    """A lock record naming this process."""
    start = (now or datetime.now(UTC)).replace(microsecond=0)
    return LockInfo(
        owner=_owner(),
        pid=os.getpid(),
        created=start,
        expires=start + ttl,
        token=uuid.uuid4().hex,
        pid_start=process_start(os.getpid()),
    )


@dataclass(frozen=True)
class LockGrant:
    """The lock this publish now holds (``version``: as the store last wrote it), and any
    lock it replaced."""

    lock: LockInfo
    version: str
    replaced: LockInfo | None = None
    note: str | None = None  # a line worth showing the producer when a lock was taken over


# Tokens of the locks this process holds now: tells a live publish in this process from a
# lock an earlier, failed publish in the same process left behind.
_HELD: set[str] = set()


def let_go(held: LockGrant) -> None:
    """Record that this process no longer holds ``held`` (released or not)."""
    _HELD.discard(held.lock.token)


def lock_held_error(held: LockInfo, store: LockPrimitives) -> StoreError:
    """The one-line refusal when another publish holds the lock."""
    return store.problem(
        f"another publish is in progress: locked by {held.describe()}",
        "wait for it to finish, or run again with --break-lock if that publish died",
    )


def held_note(store: LockPrimitives) -> str | None:
    """What ``publish --dry-run``, which takes no lock, says when a live publish holds the
    lock of ``store`` (not one expired, abandoned or unreadable, which a publish would take
    over): the refusal a publish would meet now; None when there is none."""
    found = store.read_lock()
    held = None if found is None else read_record(found[0], store.lock_where)
    if not isinstance(held, LockInfo) or held.expired() or held.abandoned():
        return None
    refusal = lock_held_error(held, store)
    return f"{refusal.message}; a publish now would be refused ({refusal.hint})"


def acquire(
    store: LockPrimitives, *, break_lock: bool = False, ttl: timedelta = LOCK_TTL
) -> LockGrant:
    """Take the publish lock of ``store``, or raise StoreError naming who holds it.

    A lock judged replaceable is deleted only if it is still the very version judged: when
    another publish replaced it meanwhile with its own, the delete fails and that lock is
    judged afresh, so of two racing publishes exactly one wins."""
    replaced: LockRecord | None = None
    for _attempt in range(3):
        lock = new_lock(ttl)
        version = store.create_lock(lock.to_json())
        if version is not None:
            return _grant(lock, version, replaced, break_lock)
        found = store.read_lock()
        if found is None:
            continue  # released meanwhile: race for it again
        held = read_record(found[0], store.lock_where)
        if isinstance(held, LockInfo) and not (break_lock or held.expired() or held.abandoned()):
            raise lock_held_error(held, store)
        if store.delete_lock(found[1]):
            replaced = held
    found = store.read_lock()
    last = None if found is None else read_record(found[0], store.lock_where)
    if isinstance(last, LockInfo):
        raise lock_held_error(last, store)
    raise store.problem("cannot take the publish lock: another publish keeps replacing it")


def release(store: LockPrimitives, mine: LockGrant) -> None:
    """Give back the lock, if it is still ours (that very version)."""
    let_go(mine)
    store.delete_lock(mine.version)


def _grant(
    lock: LockInfo, version: str, replaced: LockRecord | None, break_lock: bool
) -> LockGrant:
    note = None
    if isinstance(replaced, UnreadableLock):
        # Say so as for an expired lock: a damaged lock may hide a publish still running.
        note = (
            f"took over an unreadable lock at {replaced.where} "
            f"({replaced.why}, so treated as expired)"
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
    return LockGrant(lock, version, replaced, note)


class LockKeeper:
    """Keeps a granted lock while a publish runs.

    A background thread renews it every third of ``ttl`` (a conditional write on the version
    we last wrote, so a lock someone else took is never overwritten). :meth:`confirm` renews
    at once and raises when the lock is no longer ours; a publish calls it while its last
    pages upload, before the feed is written, and before anything is deleted. Use as a
    context manager: leaving it stops the renewals and releases the lock (best effort: the
    lock expires on its own), once a confirmation still running is done.
    """

    def __init__(self, store: LockPrimitives, grant: LockGrant, ttl: timedelta = LOCK_TTL) -> None:
        self.store = store
        self.grant = grant
        self.ttl = ttl
        self.renewals = 0
        self._lost: StoreError | None = None
        self._mutex = threading.Lock()  # one conditional write at a time
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="publish-lock", daemon=True)

    def __enter__(self) -> LockKeeper:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        interruptible.join(self._thread)
        with self._mutex, contextlib.suppress(StoreError):  # after a confirm still running
            release(self.store, self.grant)

    def confirm(self, before: str) -> None:
        """Raise StoreError (one line) unless the lock is still ours; renew it if it is.

        ``before`` names the step about to run, e.g. ``"writing the feed"``."""
        with self._mutex:
            if self._lost is None:
                self._renew()
            if self._lost is not None:
                lost = self._lost
                raise self.store.problem(
                    f"stopped before {before}: {lost.message}", lost.hint
                ) from lost

    def _loop(self) -> None:
        interval = max(self.ttl.total_seconds() / 3, 0.05)
        while not self._stop.wait(interval):
            with self._mutex:
                if self._lost is not None:
                    return
                # A fault is tried again at the next tick; confirm() reports it if it lasts.
                with contextlib.suppress(StoreError):
                    self._renew()

    def _renew(self) -> None:
        now = datetime.now(UTC).replace(microsecond=0)
        lock = replace(self.grant.lock, expires=now + self.ttl)
        version = self.store.replace_lock(lock.to_json(), self.grant.version)
        if version is not None:
            self.grant = replace(self.grant, lock=lock, version=version)
            self.renewals += 1
            return
        found = self.store.read_lock()
        held = None if found is None else read_record(found[0], self.store.lock_where)
        who = (
            f"now locked by {held.describe()}"
            if isinstance(held, LockInfo)
            else "it was removed"
            if held is None
            else "it was replaced"
        )
        self._lost = StoreError(
            f"the publish lock is no longer ours ({who})",
            hint="another publish took over the target; run publish again once it has finished",
        )


class HeldLock:
    """A lock taken and kept (:class:`LockKeeper`, renewing it already) for a publish that
    has not started yet, with what was cleaned up under it (``cleaned``: one line each).

    Use as a context manager (gives the keeper); leaving it, or :meth:`release`, gives the
    lock back. Only the first release does anything: the code that took the lock releases
    it too, in case the publish never started."""

    def __init__(self, keeper: LockKeeper, cleaned: tuple[str, ...] = ()) -> None:
        self.keeper = keeper
        self.cleaned = cleaned
        self._released = False

    @property
    def note(self) -> str | None:
        """The line worth showing when a lock was taken over (:class:`LockGrant`)."""
        return self.keeper.grant.note

    def __enter__(self) -> LockKeeper:
        return self.keeper

    def __exit__(self, *exc: object) -> None:
        self.release()

    def release(self) -> None:
        """Stop renewing the lock and give it back (best effort: it expires on its own)."""
        if not self._released:
            self._released = True
            self.keeper.__exit__(None, None, None)


class Cleanable(LockPrimitives, Protocol):
    """A store that can also remove what interrupted publishes left."""

    def clean_leftovers(self, before: datetime) -> tuple[str, ...]:
        """Remove what transfers begun before ``before`` left; one line said per removal."""
        ...


def take_lock(store: Cleanable, *, break_lock: bool = False, ttl: timedelta = LOCK_TTL) -> HeldLock:
    """Take ``store``'s publish lock (:func:`acquire`), keep it (:class:`LockKeeper`), and
    clean up under it what interrupted publishes left (temporary files, incomplete uploads).
    Raises StoreError when another publish holds it (unless ``break_lock``) or the target
    cannot be reached; the lock is given back when the cleaning fails."""
    keeper = LockKeeper(store, acquire(store, break_lock=break_lock, ttl=ttl), ttl).__enter__()
    try:
        # Anything begun before this moment is no transfer of ours, and no other publish
        # runs now: an interrupted one's temporary files and incomplete uploads.
        return HeldLock(keeper, store.clean_leftovers(datetime.now(UTC)))
    except BaseException:
        keeper.__exit__(None, None, None)
        raise


def process_start(pid: int) -> str | None:
    """When process ``pid`` started, as ``<boot id>:<clock ticks since boot>`` (Linux), or
    None when that cannot be known here (no such process, or no /proc)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return None
    fields = stat.rpartition(")")[2].split()
    # After the command name: state is field 3 of proc(5), starttime field 22.
    return f"{boot}:{fields[19]}" if len(fields) > 19 else None


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


__all__ = [
    "LOCK_TTL",
    "LockGrant",
    "LockInfo",
    "LockKeeper",
    "LockPrimitives",
    "LockRecord",
    "UnreadableLock",
    "acquire",
    "let_go",
    "lock_held_error",
    "new_lock",
    "read_record",
    "release",
]
