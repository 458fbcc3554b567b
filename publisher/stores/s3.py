"""An S3 bucket (AWS S3, Cloudflare R2, any S3-compatible service) as a publish target.

With ``s3errors`` (errors), ``s3upload`` (the TransferManager batch), ``s3watch`` (what a slow
operation waits for) and ``s3session``, the only boto3/botocore/s3transfer code here; imported
only for an S3 target. Credentials come only from the standard AWS chain (environment,
``AWS_PROFILE``, shared files, instance and container roles; ``AWS_ENDPOINT_URL`` is
honoured): boto3 resolves them, and no message we make ever contains them.

Longer than our usual 400 lines, on purpose: :class:`S3Store` is the one class that does for a
bucket every operation the Store protocol asks (manifest, read-ahead, files, lock primitives,
leftovers), each a short method over one client and one error mapping; what stands alone has
its own ``s3*`` module already."""

# long: one class holds every operation the Store protocol asks of a bucket (module docstring)

from __future__ import annotations

import contextlib
import dataclasses
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, Literal

import boto3
import botocore.exceptions as bexc
from boto3.exceptions import S3UploadFailedError
from botocore.config import Config

from publisher import interruptible, layout
from publisher.errors import StoreError
from publisher.model import SiteFile, Target
from publisher.publish.manifest import (
    EpisodeRecords,
    Manifest,
    ManifestDoc,
    ManifestEntry,
    as_stored,
    changes_to_json,
    gzipped,
    manifest_id,
    manifest_to_json,
    parse_manifest,
    with_changes,
)
from publisher.stores.base import LOCK_KEY, MANIFEST_KEY, Listing, Notify, UploadListener
from publisher.stores.s3errors import (
    CONFLICT,
    NOT_FOUND,
    Where,
    code,
    redact,
    setup_error,
    store_error,
)
from publisher.stores.s3listing import list_objects, read_listings_fast
from publisher.stores.s3session import botocore_session
from publisher.stores.s3upload import (
    ETags,
    UploadFailed,
    send_small_bodies_at_once,
    transfer_config,
    upload_batch,
)
from publisher.stores.s3watch import Watch, bound_operations

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

Stored = tuple[bytes, bytes | None]  # manifest.json's bytes and its changes' (if any)


@dataclasses.dataclass(frozen=True)
class Prefetched:
    """What :meth:`S3Store.read_ahead` read: the manifest (its bytes and ETag), the listing
    it is checked against, the wanted objects the manifest names and the listing holds, and
    the server's clock (:meth:`S3Store.clock`) with this process's monotonic time when it
    was read."""

    manifest: bytes
    etag: str
    listing: Listing
    objects: dict[str, bytes]
    clock: tuple[datetime, float] | None = None
    changes: bytes | None = None  # the manifest's changes (publisher.publish.manifest)
    changes_etag: str | None = None


def cache_control(f: SiteFile) -> str:
    """The Cache-Control header ``f`` is uploaded with."""
    return layout.cache_control(f.kind, content_addressed=f.immutable)


class S3Store:
    """Publishes under ``s3://bucket/prefix`` of ``target``.

    ``max_attempts`` bounds botocore's retries of transient errors (standard mode: exponential
    backoff with jitter); ``timeout`` (seconds) bounds each operation, its retries included:
    an attempt may wait a third of it for a connection or an answer, and no attempt starts
    that could not end before the operation's deadline. The constructor makes no request.
    """

    parallelism = 8  # requests in flight at once (files, and parts of large ones)

    def __init__(self, target: Target, *, max_attempts: int = 5, timeout: float = 60.0) -> None:
        self.target = target
        self._read_manifest: tuple[Stored | None] | None = None  # (stored,) once fetched
        self._base: tuple[str, ManifestDoc] | None = None  # the manifest.json on the target
        self._early: Prefetched | None = None  # read ahead, not yet checked (expect)
        self._snapshot: Prefetched | None = None  # read ahead and still current
        self.bucket = target.bucket
        self.prefix = target.prefix
        self.timeout = timeout
        try:
            session = boto3.session.Session(
                botocore_session=botocore_session(), region_name=target.region or None
            )
            credentials = session.get_credentials()
        except (bexc.BotoCoreError, ValueError) as e:
            raise setup_error(self.location, e) from e
        if credentials is None:
            raise StoreError(
                f"{self.location}: no AWS credentials found",
                hint="set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, "
                "or run where an instance role applies",
            )
        attempt = max(timeout / 3, 0.5)  # room for three tries; the deadline ends the rest
        config = Config(
            retries={"mode": "standard", "max_attempts": max_attempts},
            s3={"addressing_style": _addressing(target.addressing_style)},
            max_pool_connections=32,
            connect_timeout=attempt,
            read_timeout=attempt,
            # Newer botocore adds CRC checksums to every request by default; several
            # S3-compatible services reject them. Send them only where the API needs them.
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        )
        try:
            self.client: S3Client = session.client(
                "s3", endpoint_url=target.endpoint_url or None, config=config
            )
        except (bexc.BotoCoreError, ValueError) as e:
            raise setup_error(self.location, e) from e
        self.transfer = transfer_config(self.parallelism)
        self.etags = ETags(self.client)
        bound_operations(self.client, timeout, attempt)
        read_listings_fast(self.client)
        send_small_bodies_at_once(self.client)
        # A target with no source came from --to on the command line, not the config.
        named_in = "--to" if target.source is None else "the target's location in feed_config.yaml"
        self.at = Where(
            self.location, redact(str(self.client.meta.endpoint_url)),
            self.bucket, self.prefix, named_in, timeout,
        )  # fmt: skip
        self.watch = Watch(self.at.service, after=min(5.0, timeout / 4))

    @property
    def location(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"

    @property
    def service(self) -> str:
        """The endpoint, for messages (never with credentials)."""
        return self.at.service

    def set_notify(self, notify: Notify | None) -> None:
        self.watch.notify = notify

    @contextlib.contextmanager
    def _op(self, doing: str) -> Iterator[Callable[[], None]]:
        """One operation: watched while it waits, its errors mapped to one line."""
        with self.watch.op(doing) as alive:
            try:
                yield alive
            except StoreError:
                raise
            except (bexc.ClientError, bexc.BotoCoreError, S3UploadFailedError, OSError) as e:
                raise store_error(e, doing, self.at) from e

    def cut_short(self, doing: str, missing: str) -> StoreError:
        return self.at.cut_short(doing, missing)

    def check(self) -> None:
        """Say that the bucket does not exist before anything else can blame the lock.

        HEAD answers carry no error code: only a 404 is conclusive here; any other refusal
        is left to the next request, whose answer names its cause."""
        if self._early is not None or self._snapshot is not None:
            return  # the bucket was there: its manifest was read ahead a moment ago
        try:
            with self._op("checking the bucket"):
                self.client.head_bucket(Bucket=self.bucket)
        except StoreError as e:
            cause = e.__cause__
            if not isinstance(cause, bexc.ClientError):
                raise
            if code(cause) in ("404", "NoSuchBucket"):
                raise self.at.no_bucket() from cause

    # --- manifest --------------------------------------------------------------------

    def _manifest(self) -> Stored | None:
        """The manifest's bytes and its changes', fetched once (side by side) until this
        store writes it (a publish reads it twice under its lock, when no other publish
        writes it)."""
        if self._read_manifest is None:
            changes = (layout.MANIFEST_CHANGES_KEY, "reading the manifest's changes")
            with interruptible.meanwhile(self._get, *changes) as later:
                data = self._get(MANIFEST_KEY, "reading the manifest")
                more = interruptible.result(later)
            self._read_manifest = (None if data is None else (data, more),)
        return self._read_manifest[0]

    def _remember(self, stored: Stored) -> ManifestDoc:
        """The manifest as ``stored`` says (raises ValueError); what is written next is
        written as changes since its manifest.json, while they are few."""
        doc = with_changes(*stored)
        self._base = (manifest_id(stored[0]), parse_manifest(stored[0]))
        return doc

    def read_manifest(self) -> Manifest:
        snapshot = self._prefetched()
        stored = self._manifest() if snapshot is None else (snapshot.manifest, snapshot.changes)
        if stored is None:
            return {}
        try:
            listed = self._remember(stored).files
        except ValueError as e:
            if str(e).startswith("its changes"):  # manifest.json itself is fine
                raise StoreError(
                    f"{self.location}{layout.MANIFEST_CHANGES_KEY}: the manifest is damaged: {e}",
                    hint="delete it to republish what it recorded",
                ) from e
            raise StoreError(
                f"{self.location}{MANIFEST_KEY}: the manifest is damaged: {e}",
                hint="delete it to republish every file",
            ) from e
        found = self.listing("", known=sorted(listed)) if snapshot is None else snapshot.listing
        return {key: _check(entry, found.get(key)) for key, entry in listed.items()}

    # --- reading ahead -------------------------------------------------------------------

    def read_ahead(self, wanted: Callable[[str], bool]) -> Prefetched | None:
        """The reads a publish starts with: the manifest, then side by side the listing it
        is checked against, the server's clock and the objects the manifest names whose keys
        ``wanted`` accepts (say, the feed and its archives), kept when listed too; None
        when there is no manifest (a first publish).
        Raises StoreError or ValueError (a damaged manifest) as those reads would."""
        changes = (layout.MANIFEST_CHANGES_KEY, "reading the manifest's changes")
        with interruptible.meanwhile(self._get_versioned, *changes) as later:
            found = self._get_versioned(MANIFEST_KEY, "reading the manifest")
            more, more_etag = interruptible.result(later) or (None, None)
        if found is None:
            return None
        data, etag = found
        known = sorted(with_changes(data, more).files)
        keys = [k for k in known if wanted(k)]  # as the manifest names them: read meanwhile
        read = lambda k: self._get(k, f"reading {k}")  # noqa: E731
        with (
            interruptible.meanwhile(self.listing, "", known=known) as listed,
            interruptible.meanwhile(lambda: (self.clock(), time.monotonic())) as clock,
        ):
            bodies = interruptible.map_threads(read, keys, self.parallelism)
            got = list(zip(keys, bodies, strict=True))
            listing = interruptible.result(listed)
            objects = {k: b for k, b in got if b is not None and k in listing}
            now = interruptible.result(clock)
            return Prefetched(data, etag, listing, objects, now, more, more_etag)

    def expect(self, snapshot: Prefetched, *, locked: bool = False) -> None:
        """Take what :meth:`read_ahead` read earlier instead of reading it again. Read
        before the publish lock was taken, it is used only if the manifest is still the one
        read (its ETag, from a HEAD, on first use): any publish that ran in between rewrote
        it. Otherwise everything is read again as without this. Read under the lock this
        publish holds (``locked``), it is current as it is: no other publish writes. Any
        write of this store drops it."""
        if locked:
            self._snapshot = snapshot
            self._read_manifest = ((snapshot.manifest, snapshot.changes),)
        else:
            self._early = snapshot

    def _prefetched(self) -> Prefetched | None:
        """What :meth:`expect` was given, while the manifest is unchanged since; else None."""
        if self._early is not None:
            snapshot, self._early = self._early, None
            keys = (MANIFEST_KEY, layout.MANIFEST_CHANGES_KEY)  # HEADs side by side
            if tuple(interruptible.map_threads(self._etag, keys, 2)) == (
                snapshot.etag,
                snapshot.changes_etag,
            ):
                self._snapshot = snapshot
                self._read_manifest = ((snapshot.manifest, snapshot.changes),)
        return self._snapshot

    def _etag(self, key: str) -> str | None:
        """The object's ETag (a HEAD), or None when it is not there."""
        meta = self._head(key)
        return str(meta["ETag"]) if meta is not None and meta.get("ETag") else None

    def _wrote(self) -> None:
        """Forget what was read: this store changed the target."""
        self._early = None
        self._snapshot = None
        self._read_manifest = None

    def read_episodes(self) -> EpisodeRecords:
        stored = self._manifest()
        try:
            return {} if stored is None else with_changes(*stored).episodes
        except ValueError:
            return {}  # reading its files says what is wrong

    def listing(self, prefix: str, *, known: Sequence[str] = ()) -> Listing:
        """Every object under the prefix and ``prefix``: its size and ETag (a request per
        1,000 keys; ``known``, sorted keys, split it into ranges listed side by side:
        :func:`publisher.stores.s3listing.list_objects`)."""
        doing = f"listing {prefix}" if prefix else "listing the bucket"
        with self._op(doing) as alive:
            return list_objects(
                self.client, self.bucket, self.prefix, prefix, known, alive,
                lambda: self.cut_short(doing, "an empty listing"),
            )  # fmt: skip

    def clock(self) -> datetime:
        """The storage server's time: the Date header of a HEAD of the bucket (this
        machine's clock may be wrong; stale times are compared in the server's), or, when
        it was read ahead, that time plus the seconds since (a round trip fewer)."""
        if self._snapshot is not None and self._snapshot.clock is not None:
            server, at = self._snapshot.clock
            return server + timedelta(seconds=time.monotonic() - at)
        with self._op("reading the storage server's time"):
            meta = self.client.head_bucket(Bucket=self.bucket).get("ResponseMetadata", {})
        date = meta.get("HTTPHeaders", {}).get("date")
        try:
            return parsedate_to_datetime(str(date)).astimezone(UTC)
        except (TypeError, ValueError):
            raise self.cut_short("reading the storage server's time", "no Date header") from None

    def write_manifest(self, manifest: Manifest, episodes: EpisodeRecords | None = None) -> None:
        """Write what changed since the manifest.json read or written last, while that is
        little (:func:`~publisher.publish.manifest.changes_to_json`), else the whole."""
        base = self._base
        changes = None if base is None else changes_to_json(*base, manifest, episodes)
        self._wrote()  # read again after this
        key = MANIFEST_KEY if changes is None else layout.MANIFEST_CHANGES_KEY
        body = gzipped(manifest_to_json(manifest, episodes) if changes is None else changes)
        with self._op("writing the manifest"):
            self.client.put_object(
                Bucket=self.bucket,
                Key=self.prefix + key,
                Body=body,
                ContentType=layout.content_type(key),
                ContentEncoding="gzip",
                CacheControl=layout.META_CACHE_CONTROL,
            )
        if changes is None:
            self._base = (manifest_id(body), as_stored(manifest, episodes))

    # --- files -----------------------------------------------------------------------

    def extra_args(self, file: SiteFile) -> dict[str, Any]:
        return {
            "ContentType": file.content_type,
            "CacheControl": cache_control(file),
            "Metadata": {"sha256": file.sha256},
        }

    def upload(self, files: Sequence[SiteFile], listener: UploadListener) -> None:
        if not files:
            return
        self._wrote()
        doing = f"uploading {files[0].key}" if len(files) == 1 else f"uploading {len(files)} files"
        try:
            with self.watch.op(doing) as alive:
                upload_batch(self, files, listener, alive)
        except UploadFailed as e:
            if isinstance(e.cause, StoreError):
                raise e.cause from None
            if not isinstance(
                e.cause, (bexc.ClientError, bexc.BotoCoreError, S3UploadFailedError, OSError)
            ):
                raise e.cause from None  # a bug: keep its traceback
            raise store_error(e.cause, f"uploading {e.file.key}", self.at) from e.cause

    def delete(self, key: str) -> None:
        self._wrote()
        with self._op(f"deleting {key}"):
            self.client.delete_object(Bucket=self.bucket, Key=self.prefix + key)

    def head(self, key: str) -> int | None:
        meta = self._head(key)
        if meta is None:
            return None
        if "ContentLength" not in meta or "ETag" not in meta:
            raise self.cut_short(f"checking {key}", "no Content-Length or ETag")
        return int(meta["ContentLength"])

    def _head(self, key: str) -> Mapping[str, Any] | None:
        """HEAD of the object, or None when it is not there."""
        try:
            with self._op(f"checking {key}"):
                return self.client.head_object(Bucket=self.bucket, Key=self.prefix + key)
        except StoreError as e:
            if isinstance(e.__cause__, bexc.ClientError) and code(e.__cause__) in NOT_FOUND:
                return None
            raise

    def get(self, key: str) -> bytes | None:
        snapshot = self._prefetched()
        if snapshot is not None and key in snapshot.objects:
            return snapshot.objects[key]
        return self._get(key, f"reading {key}")

    def _get(self, key: str, doing: str) -> bytes | None:
        found = self._get_versioned(key, doing)
        return None if found is None else found[0]

    def _get_versioned(self, key: str, doing: str) -> tuple[bytes, str] | None:
        """The object's body and ETag, or None when it is not there. A body shorter than
        its Content-Length, or an answer without either header, is a cut connection."""
        try:
            with self._op(doing):
                obj = self.client.get_object(Bucket=self.bucket, Key=self.prefix + key)
                if "ContentLength" not in obj or "ETag" not in obj:
                    raise self.cut_short(doing, "no Content-Length or ETag")
                data: bytes = obj["Body"].read()
        except StoreError as e:
            cause = e.__cause__
            if isinstance(cause, bexc.ClientError) and code(cause) in NOT_FOUND:
                return None
            raise
        if len(data) != obj["ContentLength"]:
            raise self.cut_short(doing, "a body shorter than its Content-Length")
        return data, str(obj["ETag"])

    # --- lock primitives (the algorithm is publisher.stores.lock) ------------------------
    # Conditional requests (If-None-Match: *, If-Match: <ETag>) that AWS S3, R2 and
    # SeaweedFS enforce make each primitive atomic.

    @property
    def lock_where(self) -> str:
        return self.location + LOCK_KEY

    def problem(self, message: str, hint: str | None = None) -> StoreError:
        return self.at.error(message, hint)

    def create_lock(self, data: bytes) -> str | None:
        return self._put_lock(data, "taking the publish lock", IfNoneMatch="*")

    def read_lock(self) -> tuple[bytes, str] | None:
        return self._get_versioned(LOCK_KEY, "reading the publish lock")

    def replace_lock(self, data: bytes, version: str) -> str | None:
        return self._put_lock(data, "renewing the publish lock", IfMatch=version)

    def delete_lock(self, version: str) -> bool:
        try:
            with self._op("removing the publish lock"):
                self.client.delete_object(
                    Bucket=self.bucket, Key=self.prefix + LOCK_KEY, IfMatch=version
                )
        except StoreError as e:
            cause = e.__cause__
            if isinstance(cause, bexc.ClientError) and code(cause) in (*CONFLICT, *NOT_FOUND):
                return False
            raise
        return True

    def _put_lock(self, data: bytes, doing: str, **condition: str) -> str | None:
        try:
            with self._op(doing):
                answer = self.client.put_object(
                    Bucket=self.bucket,
                    Key=self.prefix + LOCK_KEY,
                    Body=data,
                    ContentType=layout.content_type(LOCK_KEY),
                    CacheControl=layout.META_CACHE_CONTROL,
                    **condition,  # type: ignore[arg-type]
                )
        except StoreError as e:
            cause = e.__cause__
            if isinstance(cause, bexc.ClientError) and code(cause) in (*CONFLICT, *NOT_FOUND):
                return None
            raise
        if not answer.get("ETag"):
            raise self.cut_short(doing, "no ETag")
        return str(answer["ETag"])

    # --- leftovers -------------------------------------------------------------------

    def clean_leftovers(self, before: datetime) -> tuple[str, ...]:
        """Abort this prefix's multipart uploads begun before ``before`` (an interrupted
        upload's parts are stored, and billed, until aborted)."""
        removed: list[str] = []
        with self._op("listing incomplete uploads") as alive:
            pages = self.client.get_paginator("list_multipart_uploads").paginate(
                Bucket=self.bucket, Prefix=self.prefix
            )
            stale = [
                (u["Key"], u["UploadId"])
                for page in pages
                for u in page.get("Uploads", [])
                if u["Initiated"] < before
            ]
            for key, upload_id in stale:
                alive()
                self.client.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)
                removed.append(f"an incomplete upload of {key[len(self.prefix) :]}")
        return tuple(removed)


def _check(entry: ManifestEntry, found: tuple[int, str | None] | None) -> ManifestEntry:
    """Trust the bucket over the manifest: a missing, resized or rewritten object (another
    ETag than the one its upload returned) is changed."""
    if found is None:
        problem = "listed in the manifest but missing from the bucket"
    elif found[0] != entry.size:
        problem = f"{found[0]} bytes in the bucket, {entry.size} in the manifest"
    elif entry.etag is not None and found[1] is not None and found[1] != entry.etag:
        problem = "changed in the bucket since it was published (another ETag)"
    else:
        return entry
    return dataclasses.replace(entry, problem=problem)


def _addressing(style: str | None) -> Literal["auto", "virtual", "path"]:
    if style == "path":
        return "path"
    if style == "virtual":
        return "virtual"
    return "auto"
