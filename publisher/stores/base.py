"""The one small interface every publish target implements."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol

from publisher.layout import LOCK_KEY as LOCK_KEY  # the keys are the layout's
from publisher.layout import MANIFEST_KEY as MANIFEST_KEY
from publisher.layout import META_DIR as META_DIR
from publisher.model import SiteFile
from publisher.publish.plan import EpisodeRecords, Manifest
from publisher.stores.lock import LockPrimitives

Listing = dict[str, tuple[int, str | None]]
"""What :meth:`Store.listing` finds: key -> (size in bytes, what identifies the content)."""

Progress = Callable[[int], None]
"""Called with the number of bytes just sent (a delta, possibly from a worker thread)."""

Notify = Callable[[str], None]
"""Called with a line worth showing while the store waits on something (any thread)."""


class UploadListener(Protocol):
    """Hears about each file of :meth:`Store.upload`; may be called from worker threads."""

    def stopping(self) -> bool:
        """True once the producer asked to stop: start no further file (those in flight
        finish)."""
        ...

    def started(self, file: SiteFile) -> None: ...

    def progress(self, file: SiteFile, delta: int) -> None:
        """``delta`` bytes of ``file`` sent; negative when a retried part starts over."""
        ...

    def done(self, file: SiteFile, etag: str | None) -> None:
        """``file`` landed; ``etag`` is what the store said identifies it (S3: the ETag;
        a folder: inode and modification time), recorded in the manifest."""
        ...


class Store(LockPrimitives, Protocol):
    """A publish target: a folder, or a bucket and prefix.

    Every method raises :class:`~publisher.errors.StoreError` (one line, no secrets) for a
    problem the producer can fix. The lock primitives are used by
    :mod:`publisher.stores.lock`, the one lock algorithm.
    """

    @property
    def location(self) -> str:
        """The target as the producer wrote it (a folder, or ``s3://bucket/prefix``)."""
        ...

    @property
    def parallelism(self) -> int:
        """How many requests (e.g. HEAD) may usefully run at once."""
        ...

    def set_notify(self, notify: Notify | None) -> None:
        """Where to say what a slow operation is waiting for (None: nowhere)."""
        ...

    def check(self) -> None:
        """Raise StoreError when the target cannot exist as given (e.g. no such bucket)."""
        ...

    def read_manifest(self) -> Manifest:
        """What was last published, checked against the target itself: an entry whose
        object is missing, of another size or another ETag (a folder: inode or mtime)
        carries a ``problem``."""
        ...

    def read_episodes(self) -> EpisodeRecords:
        """What the manifest records per GUID (``{}`` when it has no record or cannot be
        parsed: :meth:`read_manifest` says what is wrong with it)."""
        ...

    def write_manifest(self, manifest: Manifest, episodes: EpisodeRecords | None = None) -> None:
        """Record what is now published (atomically): the files, and what was published
        for each GUID (None: none recorded)."""
        ...

    def clock(self) -> datetime:
        """The target's time, timezone-aware (S3: the server's Date header): stale keys are
        dated by it, so a wrong clock on this machine cannot delete them early."""
        ...

    def upload(self, files: Sequence[SiteFile], listener: UploadListener) -> None:
        """Write each built file under its key, atomically as far as readers can tell.

        On the first failure, or once ``listener.stopping()``, no further file is started;
        files in flight finish or fail; then the first failure is raised.
        ``listener.done`` is called for each file that landed."""
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

    def listing(self, prefix: str, *, known: Sequence[str] = ()) -> Listing:
        """Every key under ``prefix`` (e.g. ``media/``) with its size and what identifies
        its content (S3: the ETag; a folder: inode and mtime), in as few requests as the
        target allows (S3: one per 1,000 keys; ``known``, sorted keys expected there, lets
        it list ranges side by side)."""
        ...

    def clean_leftovers(self, before: datetime) -> tuple[str, ...]:
        """Remove what interrupted publishes of this target left behind before ``before``
        (temporary files, incomplete multipart uploads); call only under the lock.
        Returns a line per thing removed."""
        ...
