"""Upload a batch of files to S3 through one s3transfer ``TransferManager``.

The manager has its own bounded pools (``max_concurrency`` requests at once, for whole files
and for the parts of large ones); progress comes from its subscribers, including the rewind
(a negative amount) when a part is retried. The ETag the service returned for each object
(PutObject, or CompleteMultipartUpload for a multipart file) is caught from botocore's
``after-call`` events, so recording it costs no request.

Files are handed to the manager one by one, only while there is room (a small file takes one
of ``max_request_concurrency`` slots, a multipart file all of them: its parts fill them), so a
stop (Ctrl-C) or a failure leaves every later file unstarted, and large files go one at a
time, each with its own progress.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

from botocore.utils import determine_content_length
from s3transfer.manager import TransferConfig, TransferManager
from s3transfer.subscribers import BaseSubscriber

from publisher import interruptible
from publisher.errors import StoreError
from publisher.model import SiteFile
from publisher.stores.base import UploadListener

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from s3transfer.futures import TransferFuture

MULTIPART_THRESHOLD = 8 * 1024 * 1024
_FINAL = ("PutObject", "CompleteMultipartUpload")


class ETags:
    """The ETag of each key uploaded through ``client`` (thread-safe)."""

    def __init__(self, client: S3Client) -> None:
        self._seen: dict[str, str | None] = {}
        self._mutex = threading.Lock()
        events = client.meta.events
        for op in _FINAL:
            events.register(f"before-parameter-build.s3.{op}", self._note_key)
            events.register(f"after-call.s3.{op}", self._note_etag)

    def _note_key(self, params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context["publisher_key"] = params.get("Key")

    def _note_etag(
        self, http_response: Any, parsed: dict[str, Any], context: dict[str, Any], **_: Any
    ) -> None:
        key = context.get("publisher_key")
        if key is not None and getattr(http_response, "status_code", 500) < 300:
            with self._mutex:
                self._seen[key] = parsed.get("ETag")

    def pop(self, key: str) -> str | None:
        with self._mutex:
            return self._seen.pop(key, None)


class UploadFailed(Exception):
    """The first failure of a batch, and the file whose transfer it ended."""

    def __init__(self, file: SiteFile, cause: BaseException) -> None:
        super().__init__(f"uploading {file.key} failed")
        self.file = file
        self.cause = cause


class _Subscriber(BaseSubscriber):
    def __init__(self, batch: _Batch, file: SiteFile) -> None:
        self.batch = batch
        self.file = file

    def on_queued(self, future: TransferFuture, **kwargs: Any) -> None:
        self.batch.listener.started(self.file)

    def on_progress(self, future: TransferFuture, bytes_transferred: int, **kwargs: Any) -> None:
        self.batch.alive()
        self.batch.listener.progress(self.file, bytes_transferred)

    def on_done(self, future: TransferFuture, **kwargs: Any) -> None:
        self.batch.finished(self.file, future)


class _Batch:
    """One batch's outcome: the first failure cancels every transfer not yet done."""

    def __init__(self, store: Uploader, listener: UploadListener, alive: Any) -> None:
        self.store = store
        self.listener = listener
        self.alive = alive
        self.failure: UploadFailed | None = None
        self.futures: list[TransferFuture] = []
        self._mutex = threading.Lock()
        self.slots = max(1, store.transfer.max_request_concurrency)
        self._free = self.slots
        self._taken: dict[str, int] = {}
        self._room = threading.Condition()

    def take(self, file: SiteFile) -> bool:
        """Wait for room for ``file``; False (take nothing) once a file failed or the
        producer asked to stop. Interruptible (a second Ctrl-C)."""
        need = self.slots if file.size >= self.store.transfer.multipart_threshold else 1
        with self._room:
            interruptible.wait_until(self._room, lambda: self._free >= need or self._ended())
            if self._ended():
                return False
            self._free -= need
            self._taken[file.key] = need
            return True

    def _ended(self) -> bool:
        return self.failure is not None or self.listener.stopping()

    def wait_all(self) -> None:
        """Until every transfer handed over has ended. Interruptible (a second Ctrl-C)."""
        with self._room:
            interruptible.wait_until(self._room, lambda: self._free >= self.slots)

    def cancel_all(self) -> None:
        with self._mutex:
            futures = list(self.futures)
        for future in futures:
            future.cancel()

    def finished(self, file: SiteFile, future: TransferFuture) -> None:
        try:
            self._finished(file, future)
        finally:
            with self._room:
                self._free += self._taken.pop(file.key, 0)
                self._room.notify_all()

    def _finished(self, file: SiteFile, future: TransferFuture) -> None:
        key = self.store.prefix + file.key
        try:
            future.result()
        except BaseException as e:  # noqa: BLE001 - kept and raised by upload_batch()
            self.store.etags.pop(key)
            self._fail(file, e)
            return
        etag = self.store.etags.pop(key)
        if not etag:
            self._fail(file, self.store.cut_short(f"uploading {file.key}", "no ETag"))
            return
        self.listener.done(file, etag)

    def _fail(self, file: SiteFile, e: BaseException) -> None:
        with self._mutex:
            if self.failure is not None:
                return  # cancelled transfers end here too; the first failure is the one
            self.failure = UploadFailed(file, e)
            others = list(self.futures)
        for other in others:
            other.cancel()


class Uploader(Protocol):
    """What :func:`upload_batch` needs of the S3 store."""

    client: S3Client
    bucket: str
    prefix: str
    etags: ETags
    transfer: TransferConfig

    def extra_args(self, file: SiteFile) -> dict[str, Any]: ...

    def cut_short(self, doing: str, missing: str) -> StoreError: ...


EXPECT_FROM = 1 << 20  # bytes: a smaller PUT body is sent with its headers


def send_small_bodies_at_once(client: S3Client) -> None:
    """Send a PUT body (a file, a part, the lock, the manifest) smaller than
    :data:`EXPECT_FROM` with its headers. botocore asks the server first for every body
    (``Expect: 100-continue``), which costs each small upload a round trip of its own before
    a byte is sent: on a producer's uplink 30 ms away, each of a publish's sequential steps
    (the lock, a batch of pages, the feed, the manifest) waits twice. RFC 9110 §10.1.1 lets
    a client send the body without waiting; a large body still waits, so that a refusal
    spares sending it (curl draws the line at 1 MiB too)."""

    def drop_expect(params: dict[str, Any], **_: Any) -> None:
        headers = params.get("headers", {})
        if "Expect" not in headers:
            return
        length = determine_content_length(params.get("body"))
        if length is not None and length < EXPECT_FROM:
            del headers["Expect"]

    client.meta.events.register_last("before-call.s3", drop_expect)


def transfer_config(concurrency: int) -> TransferConfig:
    """Files and parts in flight at once, and where files are split into parts."""
    return TransferConfig(
        multipart_threshold=MULTIPART_THRESHOLD,
        multipart_chunksize=MULTIPART_THRESHOLD,
        max_request_concurrency=concurrency,
    )


def upload_batch(
    store: Uploader, files: Sequence[SiteFile], listener: UploadListener, alive: Any
) -> None:
    """Upload ``files`` through one TransferManager; after every transfer has ended, raise
    the first failure as :class:`UploadFailed` (its cause as s3transfer or botocore gave it:
    the caller maps it). Once ``listener.stopping()``, no further file is started.

    A KeyboardInterrupt (a second Ctrl-C) cancels every transfer and is re-raised at once,
    without waiting for the requests in flight: a multipart upload left incomplete is aborted
    when its request ends, or else by the next publish's cleanup under the lock."""
    batch = _Batch(store, listener, alive)
    manager = TransferManager(store.client, store.transfer)
    try:
        for f in files:
            if not batch.take(f):
                break
            future = manager.upload(
                str(f.path),
                store.bucket,
                store.prefix + f.key,
                extra_args=store.extra_args(f),
                subscribers=[_Subscriber(batch, f)],
            )
            with batch._mutex:
                batch.futures.append(future)
        batch.wait_all()
    except BaseException:
        batch.cancel_all()
        raise
    manager.shutdown()
    if batch.failure is not None:
        raise batch.failure
