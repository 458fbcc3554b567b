"""An S3 target opened while the build runs.

A publish to S3 begins with boto3's import and session (a few tenths of a second of CPU), then
reads the manifest, lists the bucket and fetches the live feed and its archives: round trips
and megabytes that, through a producer's uplink, take a second or more. None of it depends on
the build, so :class:`EarlyStore` does it in a background thread from the start; the publish
then takes the store as it is. What was read ahead is used only while it is still current
(:meth:`publisher.stores.s3.S3Store.prefetch`).
"""

from __future__ import annotations

import concurrent.futures
import threading

from publisher import interruptible, layout
from publisher.errors import PublisherError
from publisher.model import Target
from publisher.stores import Store


class EarlyStore:
    """``target``'s store, being opened (and read ahead) in a daemon thread: a build that
    fails, or Ctrl-C, does not wait for it."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self._store: concurrent.futures.Future[Store] = concurrent.futures.Future()
        threading.Thread(target=self._open, name="s3-open", daemon=True).start()

    def _open(self) -> None:
        try:
            from publisher.stores.s3 import S3Store  # boto3: only for an S3 target

            store = S3Store(self.target)
            store.prefetch(layout.is_feed)
            self._store.set_result(store)
        except BaseException as e:  # noqa: BLE001 - kept: the store is simply opened again
            self._store.set_exception(e)

    def store_for(self, target: Target) -> Store | None:
        """The store, when ``target`` is the one opened and opening it worked; else None
        (the publish opens it itself, and reports what is wrong then)."""
        if target != self.target:
            return None
        try:
            return interruptible.result(self._store)
        except PublisherError:
            return None


def open_early(target: Target) -> EarlyStore | None:
    """An :class:`EarlyStore` for an S3 target; None for a folder (nothing to wait for)."""
    return EarlyStore(target) if target.kind == "s3" else None
