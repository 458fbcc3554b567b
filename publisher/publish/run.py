"""Publish a build to its target: plan, then upload in an order that never breaks the feed.

Media and assets first, then pages, then - once every enclosure the new feed points to is
confirmed on the target with its exact length - the feed; stale pages are deleted after the
feed. The manifest is written after large batches, on a failure and at the end (with the
feed), so a publish re-run after any failure skips what already landed. The library never
prints: progress goes to ``events``.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import functools
import threading
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from publisher import interruptible, layout
from publisher.errors import PublishStopped, StoreError
from publisher.model import Build, Enclosure, SiteFile
from publisher.publish.enclosures import OLD_FEED, confirm_enclosures, list_enclosures
from publisher.publish.events import (
    Cleaned,
    Deleted,
    EnclosuresConfirmed,
    Event,
    FileDone,
    FileProgress,
    FileStarted,
    LockNote,
    ManifestWritten,
    Planned,
    Verified,
    Waiting,
    serialised,
)
from publisher.publish.history import RemovalRefused, check_history, records_of
from publisher.publish.plan import (
    STALE_GRACE,
    Action,
    EpisodeRecords,
    Manifest,
    ManifestEntry,
    UploadPlan,
    entry_for,
    plan,
    stale_marks,
)
from publisher.publish.report import PublishReport, PublishVerifyError
from publisher.publish.verify import PublishVerification
from publisher.stores import Store, open_store
from publisher.stores.lock import LOCK_TTL, HeldLock, LockKeeper, held_note, take_lock

# --- publishing -------------------------------------------------------------------------

# A batch of uploads this large is recorded in the manifest at once, so that a publish cut
# short later does not send it again; smaller ones are recorded together at the end (or when
# a file fails, or on Ctrl-C): through a 30 ms link each write of an 8,000-file manifest
# costs a round trip and a megabyte.
RECORD_AFTER = 16 * 1024 * 1024  # bytes


# long: the publish sequence (check the bucket, lock, plan, media, pages, feed, deletions,
# release) reads best as one story; each step is a call.
def publish(
    build: Build,
    *,
    dry_run: bool = False,
    prune_media: bool = False,
    break_lock: bool = False,
    verify: bool = True,
    verify_all: bool = False,
    events: Callable[[Event], None] | None = None,
    store: Store | None = None,
    lock_ttl: timedelta = LOCK_TTL,
    allow_removal: bool = False,
    delete_stale_now: bool = False,
    stale_grace: timedelta = STALE_GRACE,
    stop: threading.Event | None = None,
    held: HeldLock | None = None,
) -> PublishReport:
    """Publish ``build`` to its target; return what was uploaded, deleted and kept, and why.

    ``dry_run`` plans and changes nothing (no lock). A stale key is deleted once stale for
    ``stale_grace`` (the target's clock), at once with ``delete_stale_now``; media only with
    ``prune_media``. ``break_lock`` removes another publish's lock first. After publishing an
    S3 target, the feed and the enclosures this publish uploaded (every enclosure with
    ``verify_all``) are fetched from ``target.public_url`` unless ``verify`` is False.
    ``events`` receives progress, never concurrently. ``store`` overrides
    :func:`open_store` (tests). The lock lasts ``lock_ttl``, is renewed every third of it and
    confirmed ours while the last pages upload (before the feed) and before anything is
    deleted; under it, what interrupted publishes left is cleaned up first. Once ``stop`` is
    set (the CLI sets it on Ctrl-C), no further file is started: the files in flight finish,
    are recorded, and :class:`PublishStopped` is raised. ``held``: the lock of ``store``,
    taken before the build was done (:func:`publisher.stores.lock.take_lock`; not for a dry
    run), used instead of taking it here, and given back when the publish ends.

    Before anything is written (dry run too), the live feed is compared with the build: a
    changed GUID is refused (I-04) with a :class:`~publisher.errors.GuidChangedError` per
    episode, all raised together; a published GUID the build lacks is a removal, refused
    with :class:`RemovalRefused` unless ``allow_removal`` (a dry run reports ``removed``).

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
    if held is None:
        store.check()
    rule = functools.partial(
        plan, prune_media=prune_media, grace=stale_grace, delete_stale_now=delete_stale_now
    )
    if dry_run:
        try:
            note = held_note(store)  # it takes no lock: who holds it is said, not refused
        except StoreError:
            note = None  # a lock it may not read (say, read-only access): the plan still is
        if note is not None:
            emit(LockNote(note))
        live = check_history(build, store)
        the_plan = rule(build.files, live.checked(store.read_manifest()), now=store.clock())
        emit(Planned(the_plan, store.location, True, live.removed))
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
            note,
            removed=live.removed,
        )

    verification: PublishVerification | None = None
    locked = held or take_lock(store, break_lock=break_lock, ttl=lock_ttl)
    with locked as keeper:
        if locked.note:
            emit(LockNote(locked.note))
        for what in locked.cleaned:
            emit(Cleaned(what))
        live = check_history(build, store)  # under the lock: no other publish changes it now
        if live.removed and not allow_removal:
            raise RemovalRefused(store.location, live.removed)
        remote, now = live.checked(store.read_manifest()), store.clock()
        the_plan = rule(build.files, remote, now=now)
        emit(Planned(the_plan, store.location, False, live.removed))
        run = _Run(store, dict(remote), the_plan, emit, keeper, stop)
        run.episodes = run.recorded = live.records
        if verify and build.target.kind == "s3":
            verification = PublishVerification(build, the_plan, verify_all)
            run.feed_live = verification.start  # while the lock is released (a publish
            # that writes no feed verifies after that)
        sent = run.run(build.enclosures, records_of(build), now, had_feed=live.feed is not None)

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
        locked.note,
        removed=live.removed,
    )
    if verification is not None:
        checked = verification.result()
        emit(Verified(checked))
        report = dataclasses.replace(report, verification=checked)
        if not checked.ok:
            raise PublishVerifyError(report, checked)
    return report


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
        self.landed: set[str] = set()  # the keys uploaded
        self.last_started: tuple[int, Callable[[], None] | None] = (0, None)  # index, then
        self.episodes: EpisodeRecords = {}  # what the feed that is live publishes per GUID
        self.recorded: EpisodeRecords | None = None  # what the manifest on the target says
        self.had_feed = False
        self.feed_written = False
        self.unrecorded = False  # files uploaded since the manifest was last written
        self.feed_live: Callable[[str | None], None] | None = None  # once the feed is up
        self.now = datetime.min  # the store's clock as the publish began

    def run(
        self,
        enclosures: Sequence[Enclosure],
        records: EpisodeRecords,
        now: datetime,
        *,
        had_feed: bool,
    ) -> int:
        """Upload, write the feed, delete what is due; then date what became stale (``now``:
        the store's clock). Returns the bytes sent."""
        self.had_feed = had_feed
        self.now = now
        try:
            self._upload_all(enclosures, records)
        except StoreError as e:
            e.hint = self._rerun_hint(e.hint)
            raise
        marks = stale_marks(self.plan, self.manifest, now)
        self.episodes = records  # the new feed is live (or was already: nothing to write)
        if marks or self.episodes != self.recorded or self.unrecorded:
            self.manifest.update(marks)
            self._write_manifest()
        return self.sent

    def _upload_all(self, enclosures: Sequence[Enclosure], records: EpisodeRecords) -> None:
        # media, then what pages use (artwork, styles, scripts), in one batch; then the
        # pages that link them: each batch waits for its slowest file
        self._batch([*self.plan.uploads_of("media"), *self.plan.uploads_of("asset")])
        feed = self.plan.uploads_of("feed")
        if feed:  # the enclosures (all up now) listed while the pages upload
            known = list(self.manifest)
            with (
                interruptible.meanwhile(list_enclosures, self.store, enclosures, known) as listed,
                interruptible.Deferred(self.keeper.confirm, "writing the feed") as confirmed,
            ):  # the lock is confirmed as the last page starts: with it, not a round trip after
                self._batch(self.plan.uploads_of("page"), last_started=confirmed.start)
                confirmed.result()
                confirm_enclosures(
                    self.store, enclosures, interruptible.result(listed), self.manifest
                )
                self.emit(EnclosuresConfirmed(len(enclosures)))
            # archives first: the main feed links the newest one (RFC 5005 prev-archive)
            self._batch([a for a in feed if a.key != layout.FEED_KEY])
            main = [a for a in feed if a.key == layout.FEED_KEY]
            if self.plan.deletions or not main:
                self._batch(main)
            else:  # the publish's last write: the manifest goes with it
                self._feed_recorded(main[0], records)
            self.feed_written = True
            if self.feed_live is not None:  # with the feed's ETag, if the store said it
                self.feed_live(getattr(self.manifest.get(layout.FEED_KEY), "etag", None))
            self.episodes = records
        else:
            self._batch(self.plan.uploads_of("page"))
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

    def _feed_recorded(self, feed: Action, records: EpisodeRecords) -> None:
        """Upload the main feed while the manifest that records it (and this publish's
        stale times and ``records``) is written: the manifest's encoding and a round trip
        fewer at the end of each publish. Only the feed's ETag goes unrecorded.

        Should the feed fail, the manifest is written again as it was (the old feed, no
        stale times: the old feed still uses those files). Should even that be cut short,
        the next publish finds that the feed on the target is not the one recorded
        (:meth:`~publisher.publish.history.Live.checked`) and uploads it."""
        assert feed.file is not None
        with self.lock:
            before = dict(self.manifest)
            self.manifest[feed.key] = entry_for(feed.file)
            self.manifest.update(stale_marks(self.plan, self.manifest, self.now))
            snapshot = dict(self.manifest)  # as the upload begins: the same bytes every time
        published, self.episodes = self.episodes, records
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            writing = pool.submit(self._write_manifest, False, snapshot)
            try:
                self.store.upload([feed.file], self)
                if feed.key not in self.landed:  # stopped before it began
                    raise PublishStopped(self.store.location)
            except BaseException:
                interruptible.settle(writing)  # never two writes of it at once
                with self.lock:
                    self.manifest.clear()
                    self.manifest.update(before)
                self.episodes = published
                self._write_manifest(quiet=True)
                raise
            interruptible.result(writing)
        self.unrecorded = False
        if self.stop.is_set():  # the safe point, as after any batch
            raise PublishStopped(self.store.location)

    def _rerun_hint(self, hint: str | None) -> str | None:
        """A failure's hint says what apps see now (the old feed only while it is served)."""
        if hint is None or OLD_FEED not in hint or (self.had_feed and not self.feed_written):
            return hint
        now = "the new feed is live" if self.feed_written else "no feed is published yet"
        return hint.replace(OLD_FEED, now)

    def _batch(
        self, actions: Sequence[Action], last_started: Callable[[], None] | None = None
    ) -> None:
        files = [a.file for a in actions if a.file is not None]
        self.last_started = (self.index + len(files), last_started)
        if not files:
            return
        try:
            self.store.upload(files, self)
        except BaseException:
            # Record what landed even when a file failed, so a re-run skips it.
            self._write_manifest(quiet=True)
            raise
        stopping = self.stop.is_set()
        if stopping or sum(f.size for f in files) >= RECORD_AFTER:
            try:
                self._write_manifest()
            except KeyboardInterrupt:  # a second Ctrl-C: what landed is still recorded
                self._write_manifest(quiet=True)
                raise
        if stopping:  # the safe point: what landed is recorded
            raise PublishStopped(self.store.location)

    # The store's UploadListener (called from its worker threads):

    def stopping(self) -> bool:
        return self.stop.is_set()

    def started(self, f: SiteFile) -> None:
        with self.lock:
            self.index += 1
            index = self.index
            self.sent_of[f.key] = 0
        last, then = self.last_started
        if index == last and then is not None:
            then()
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
            self.landed.add(f.key)
            self.unrecorded = True
        self.emit(FileDone(f.key, f.size))

    def _write_manifest(self, quiet: bool = False, snapshot: Manifest | None = None) -> None:
        try:
            if snapshot is None:
                with self.lock:
                    snapshot, self.unrecorded = dict(self.manifest), False
            episodes = self.episodes
            try:
                self.store.write_manifest(snapshot, episodes)
            except BaseException:
                self.unrecorded = True
                raise
            self.recorded = episodes
        except StoreError:
            if not quiet:
                raise
            # Writing the manifest after a failed batch is best effort: the batch's own
            # error is the one to report, and a re-run re-checks the target anyway.
            return
        self.emit(ManifestWritten(len(snapshot)))
