"""Publish a build to its target: plan, then upload in an order that never breaks the feed.

Media and assets first, then pages, then - once every enclosure the new feed points to is
confirmed on the target with its exact length - the feed; stale pages are deleted after the
feed. The manifest is written after every batch, so a publish re-run after any failure
skips what already landed. The library never prints: progress goes to ``events``.
"""

# long: the run's events, its report and its batches are one unit while issue 13's changes to
# the run land; the events move to their own module after that.

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from publisher import layout
from publisher.errors import PublishStopped, StoreError, VerifyError, raise_all
from publisher.model import Build, Enclosure, FileKind, SiteFile
from publisher.publish.events import serialised
from publisher.publish.history import guid_problems
from publisher.publish.plan import Action, ManifestEntry, UploadPlan, entry_for, format_bytes, plan
from publisher.publish.verify import VerifyReport, verify
from publisher.stores import Store, open_store
from publisher.stores.lock import LOCK_TTL, LockKeeper, acquire

# --- events -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Planned:
    """The plan is made; nothing has been written yet."""

    plan: UploadPlan
    location: str
    dry_run: bool


@dataclass(frozen=True)
class LockNote:
    """A lock was taken over (expired) or broken (--break-lock)."""

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

# --- the report -------------------------------------------------------------------------


@dataclass(frozen=True)
class PublishReport:
    """What a publish did (or, for a dry run, would do), and why."""

    location: str
    public_url: str
    dry_run: bool
    plan: UploadPlan
    uploaded: tuple[Action, ...]  # for a dry run: what would be uploaded
    deleted: tuple[Action, ...]  # for a dry run: what would be deleted
    kept: tuple[Action, ...]  # unchanged files, and stale media left in place
    bytes_uploaded: int
    seconds: float
    lock_note: str | None = None
    verification: VerifyReport | None = None

    @property
    def changed(self) -> bool:
        return bool(self.uploaded or self.deleted)

    def summary(self) -> str:
        """One line for the producer."""
        if self.dry_run:
            return f"dry run, nothing changed at {self.location}: {self.plan.summary()}"
        if not self.changed:
            text = f"nothing to publish: {len(self.kept)} files unchanged at {self.location}"
        else:
            text = (
                f"published to {self.location}: {len(self.uploaded)} uploaded "
                f"({format_bytes(self.bytes_uploaded)}), {len(self.deleted)} deleted, "
                f"{sum(1 for a in self.kept if a.status == 'unchanged')} unchanged"
            )
            stale = sum(1 for a in self.kept if a.status == "stale")
            if stale:
                text += f", {stale} stale media kept"
            text += f" in {self.seconds:.1f} s"
        if self.verification is not None:
            text += f"; {self.verification.summary()}"
        return text


class PublishVerifyError(VerifyError):
    """The upload completed, but the show is not reachable as an app needs. Carries the
    report of the completed publish."""

    def __init__(self, report: PublishReport, verification: VerifyReport) -> None:
        super().__init__(
            f"the upload completed, but a podcast app could not reach the show: "
            f"{verification.summary()}",
            None,
            hint="check the target's public_url and that the bucket allows public reads",
        )
        self.report = report
        self.verification = verification


# --- publishing -------------------------------------------------------------------------


# long: the publish sequence (check the bucket, lock, plan, media, pages, feed, deletions,
# release) reads best as one story; each step is a call.
def publish(
    build: Build,
    *,
    dry_run: bool = False,
    prune_media: bool = False,
    break_lock: bool = False,
    verify: bool = True,
    events: Callable[[Event], None] | None = None,
    store: Store | None = None,
    lock_ttl: timedelta = LOCK_TTL,
    stop: threading.Event | None = None,
) -> PublishReport:
    """Publish ``build`` to its target; return what was uploaded, deleted and kept, and why.

    ``dry_run`` plans and changes nothing (and takes no lock). Stale media is kept unless
    ``prune_media``. ``break_lock`` removes another publish's lock first. After publishing an
    S3 target, the feed and enclosures are fetched from ``target.public_url`` unless
    ``verify`` is False. ``events`` receives progress; it is never called concurrently.
    ``store`` overrides :func:`open_store` (tests). The lock lasts ``lock_ttl`` and is renewed
    every third of it while the publish runs; it is confirmed still ours just before the feed
    is written and before anything is deleted. Under the lock, what interrupted publishes
    left on the target before it was taken is cleaned up first. Once ``stop`` is set (the
    CLI sets it on Ctrl-C), no further file is started: the files in flight finish, are
    recorded, and :class:`PublishStopped` is raised.

    Before anything is written (and for a dry run too), the feed on the target is compared
    with the build: a published episode whose GUID changed is refused (rule I-04) with a
    :class:`~publisher.publish.history.GuidChangedError` per episode, all raised together.

    Raises :class:`StoreError` (one line) when the target cannot be read or written: what
    landed is recorded, the old feed stays in place until every file it needs is there, and
    a re-run completes the publish. Raises :class:`PublishVerifyError` (a VerifyError) when
    the upload completed but the show cannot be reached.
    """
    if build.drafts:  # build --drafts: a local preview, never published
        raise StoreError("refusing to publish a build with drafts in it", build.site_dir)
    started = time.monotonic()
    emit = serialised(events)
    store = store or open_store(build.target)
    store.set_notify(lambda line: emit(Waiting(line)))
    store.check()
    if dry_run:
        _check_guids(build, store)
        the_plan = plan(build.files, store.read_manifest(), prune_media=prune_media)
        emit(Planned(the_plan, store.location, True))
        return PublishReport(
            store.location,
            build.target.public_url,
            True,
            the_plan,
            the_plan.uploads,
            the_plan.deletions,
            the_plan.kept,
            0,
            time.monotonic() - started,
        )

    grant = acquire(store, break_lock=break_lock, ttl=lock_ttl)
    with LockKeeper(store, grant, lock_ttl) as keeper:
        if grant.note:
            emit(LockNote(grant.note))
        # Anything begun before this moment is no transfer of ours, and no other publish
        # runs now: an interrupted one's temporary files and incomplete uploads.
        for what in store.clean_leftovers(datetime.now(UTC)):
            emit(Cleaned(what))
        _check_guids(build, store)  # under the lock: no other publish changes the feed now
        remote = store.read_manifest()
        the_plan = plan(build.files, remote, prune_media=prune_media)
        emit(Planned(the_plan, store.location, False))
        sent = _Run(store, dict(remote), the_plan, emit, keeper, stop).run(build.enclosures)

    report = PublishReport(
        store.location,
        build.target.public_url,
        False,
        the_plan,
        the_plan.uploads,
        the_plan.deletions,
        the_plan.kept,
        sent,
        time.monotonic() - started,
        grant.note,
    )
    if verify and build.target.kind == "s3":
        checked = _verify(build.target.feed_url, build.enclosures)
        emit(Verified(checked))
        report = dataclasses.replace(report, verification=checked)
        if not checked.ok:
            raise PublishVerifyError(report, checked)
    return report


def _check_guids(build: Build, store: Store) -> None:
    """Refuse, before any upload, to re-publish an episode under a new GUID (I-04)."""
    for f in build.files:
        if f.kind == "feed":
            raise_all(guid_problems(store.get(f.key), store.location, build.enclosures))


def _verify(feed_url: str, enclosures: Sequence[Enclosure]) -> VerifyReport:
    return verify(feed_url, enclosures, raise_on_failure=False)


class _Run:
    """One publish's upload batches, with the manifest kept in step with what landed."""

    def __init__(
        self,
        store: Store,
        manifest: dict[str, ManifestEntry],
        the_plan: UploadPlan,
        emit: Callable[[Event], None],
        keeper: LockKeeper,
        stop: threading.Event | None = None,
    ) -> None:
        self.store = store
        self.stop = stop or threading.Event()
        self.keeper = keeper
        self.manifest = manifest
        self.plan = the_plan
        self.emit = emit
        self.lock = threading.Lock()
        self.sent = 0
        self.index = 0
        self.total = len(the_plan.uploads)
        self.total_bytes = the_plan.upload_bytes
        self.sent_of: dict[str, int] = {}

    def run(self, enclosures: Sequence[Enclosure]) -> int:
        for kind in ("media", "asset", "page"):
            self._batch(self.plan.uploads_of(kind))
        feed = self.plan.uploads_of("feed")
        if feed:
            self._confirm(enclosures)
            self.keeper.confirm("writing the feed")
            # archives first: the main feed links the newest one (RFC 5005 prev-archive)
            self._batch([a for a in feed if a.key != layout.FEED_KEY])
            self._batch([a for a in feed if a.key == layout.FEED_KEY])
        deletions = self.plan.deletions
        if deletions:
            self.keeper.confirm("deleting stale files")
            try:
                for a in deletions:
                    self.store.delete(a.key)
                    self.manifest.pop(a.key, None)
                    self.emit(Deleted(a.key, a.reason))
            finally:
                self._write_manifest()
        return self.sent

    def _batch(self, actions: Sequence[Action]) -> None:
        files = [a.file for a in actions if a.file is not None]
        if not files:
            return
        try:
            self.store.upload(files, self)
        except BaseException:
            # Record what landed even when a file failed, so a re-run skips it.
            self._write_manifest(quiet=True)
            raise
        try:
            self._write_manifest()
        except KeyboardInterrupt:  # a second Ctrl-C: what landed is still recorded
            self._write_manifest(quiet=True)
            raise
        if self.stop.is_set():  # the safe point: what landed is recorded
            raise PublishStopped(self.store.location)

    # The store's UploadListener (called from its worker threads):

    def stopping(self) -> bool:
        return self.stop.is_set()

    def started(self, f: SiteFile) -> None:
        with self.lock:
            self.index += 1
            index = self.index
            self.sent_of[f.key] = 0
        self.emit(FileStarted(f.key, f.kind, f.size, index, self.total, self.total_bytes))

    def progress(self, f: SiteFile, delta: int) -> None:
        with self.lock:  # delta < 0: a retried part starts over
            done = self.sent_of[f.key] = self.sent_of.get(f.key, 0) + delta
            self.sent += delta
            total_sent = self.sent
        self.emit(FileProgress(f.key, done, f.size, total_sent))

    def done(self, f: SiteFile, etag: str | None) -> None:
        with self.lock:
            self.sent += f.size - self.sent_of.pop(f.key, 0)  # callbacks may under-report
            self.manifest[f.key] = entry_for(f, etag)
        self.emit(FileDone(f.key, f.size))

    def _confirm(self, enclosures: Sequence[Enclosure]) -> None:
        """Refuse to write the feed unless every enclosure is there with its length."""
        workers = max(1, self.store.parallelism)
        with ThreadPoolExecutor(max_workers=workers) as pool:
            sizes = list(pool.map(lambda e: self.store.head(e.key), enclosures))
        for enc, size in zip(enclosures, sizes, strict=True):
            if size != enc.length:
                found = "missing" if size is None else f"{size} bytes"
                raise StoreError(
                    f"the feed was not written: {enc.key} is {found} on the target, "
                    f"the feed needs {enc.length} bytes",
                    self.store.location,
                    hint="the old feed is still served; run publish again",
                )
        self.emit(EnclosuresConfirmed(len(enclosures)))

    def _write_manifest(self, quiet: bool = False) -> None:
        try:
            with self.lock:
                snapshot = dict(self.manifest)
            self.store.write_manifest(snapshot)
        except StoreError:
            if not quiet:
                raise
            # Writing the manifest after a failed batch is best effort: the batch's own
            # error is the one to report, and a re-run re-checks the target anyway.
            return
        self.emit(ManifestWritten(len(snapshot)))
