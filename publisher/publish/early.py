"""An S3 target read ahead while the build runs (in a child process: publisher.build.apart).

A publish to S3 starts by reading the manifest, listing the bucket and fetching the live feed
and its archives: round trips and megabytes that, through a producer's uplink, take a second
or more, and a few tenths of a second of CPU (boto3's import and client, parsing the listing,
the manifest and the feeds). None of it depends on the build, so ``publish`` forks the build
into a child and, meanwhile, :func:`read_ahead` does all of it here, on the other core
(:meth:`publisher.stores.s3.S3Store.read_ahead`; both: :func:`built_and_read_ahead`). The
publish then takes what was read (:meth:`~publisher.stores.s3.S3Store.expect`), only if
the manifest is unchanged since.

A publish (not a dry run) first takes the target's lock here too, and cleans up under it
(:func:`publisher.stores.lock.take_lock`): three more round trips off the publish's path,
and what is read after it is current as it is. A lock that cannot be taken now is left to
the publish, which reports it as it always did; a build that fails gives the lock back.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from publisher import layout
from publisher.build import apart
from publisher.errors import PublisherError
from publisher.model import Build, Target

if TYPE_CHECKING:
    from publisher.stores.lock import HeldLock
    from publisher.stores.s3 import S3Store


@contextlib.contextmanager
def built_and_read_ahead(
    build: apart.Builder, target: Target | None, *, lock: bool = False
) -> Iterator[tuple[Build, S3Store | None, HeldLock | None]]:
    """``build()``'s Build, ``target``'s store (the one a publish will build for, when
    known) when it was read ahead meanwhile, and with ``lock`` its publish lock when it could
    be taken meanwhile. To S3, the build runs in a child process (:mod:`publisher.build.apart`)
    while this one takes the lock and reads the target (:func:`read_ahead`); the child goes on
    writing the build's caches while the caller publishes, and is waited for on leaving
    (stopped at Ctrl-C). The lock is given back on leaving, if the publish has not already.
    Elsewhere, or when the child sends no Build, the build runs here. Raises what the build
    raises."""
    building = apart.start(build) if target is not None and target.kind == "s3" else None
    if building is None or target is None:
        yield build(), None, None
        return
    held: HeldLock | None = None
    try:
        try:
            store, held = _ahead(target, lock)
            result = building.result() or build()
        except BaseException:
            building.stop()  # no Build to wait for: its caches are no use either
            raise
        if result.target != target:  # read for another target: the publish opens its own
            store = None
            if held is not None:
                held.release()
                held = None
        yield result, store, held
    except KeyboardInterrupt:
        building.stop()
        raise
    finally:
        if held is not None:
            held.release()
        building.finish()


def read_ahead(target: Target) -> S3Store | None:
    """``target``'s store, having read what a publish starts with, for the publish to take;
    None for a folder target, or when the store cannot be opened or read (the publish then
    reads for itself, and says what is wrong). Ctrl-C interrupts it (KeyboardInterrupt)."""
    return _ahead(target, lock=False)[0]


def _ahead(target: Target, lock: bool) -> tuple[S3Store | None, HeldLock | None]:
    """:func:`read_ahead`, having first taken the publish lock with ``lock``: then what is
    read is current as it is (no other publish writes). A lock that cannot be taken (another
    publish holds it, the target cannot be reached) is left to the publish, which says why."""
    if target.kind != "s3":
        return None, None
    from publisher.publish import history  # boto3 and lxml: only for an S3 target
    from publisher.publish.manifest import parse_manifest
    from publisher.stores.lock import take_lock
    from publisher.stores.s3 import S3Store

    try:
        store = S3Store(target)
    except (PublisherError, ValueError):
        return None, None
    held = None
    if lock:
        with contextlib.suppress(PublisherError):
            held = take_lock(store)
    try:
        snapshot = store.read_ahead(layout.is_feed)
    except BaseException as e:
        if held is not None:
            held.release()
        if isinstance(e, (PublisherError, ValueError)):
            return None, None
        raise
    if snapshot is not None:
        store.expect(snapshot, locked=held is not None)
        # parsed once now, remembered by their bytes for the publish (the publish reports a
        # damaged one when it reads it)
        with contextlib.suppress(ValueError):
            parse_manifest(snapshot.manifest)
        feed = snapshot.objects.get(layout.FEED_KEY)
        if feed is not None:  # and the episodes it and its archives publish (the GUID guard)
            history.published_episodes(feed, history.archive_feeds(feed, snapshot.objects.get))
    return store, held
