"""An S3 bucket (AWS S3, Cloudflare R2, any S3-compatible service) as a publish target.

The only boto3/botocore import in the package. Credentials come only from the standard AWS
chain (environment, ``AWS_PROFILE`` and the shared files, instance and container roles;
``AWS_ENDPOINT_URL`` is honoured): boto3's Session resolves them, and no message we make ever
contains them.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final, Literal

import boto3
import botocore.exceptions as bexc
from boto3.exceptions import S3UploadFailedError
from boto3.s3.transfer import TransferConfig
from botocore.config import Config

from publisher import layout
from publisher.errors import StoreError
from publisher.model import SiteFile, Target
from publisher.publish.plan import Manifest, ManifestEntry, manifest_from_json, manifest_to_json
from publisher.stores.base import (
    LOCK_KEY,
    MANIFEST_KEY,
    LockGrant,
    LockInfo,
    LockRecord,
    Progress,
    grant,
    let_go,
    lock_held_error,
    new_lock,
    read_record,
    replaceable,
)

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

MULTIPART_THRESHOLD = 8 * 1024 * 1024

# What a conditional write or delete answers when its condition does not hold.
_CONFLICT: Final = ("PreconditionFailed", "412", "ConditionalRequestConflict", "409")


def cache_control(f: SiteFile) -> str:
    """The Cache-Control header ``f`` is uploaded with."""
    return layout.cache_control(f.kind, content_addressed=f.immutable)


class S3Store:
    """Publishes under ``s3://bucket/prefix`` of ``target``.

    ``max_attempts`` bounds botocore's retries of transient errors (standard mode: exponential
    backoff with jitter); the constructor makes no request.
    """

    parallelism = 8  # files in flight at once; each large file is also split in parts

    def __init__(self, target: Target, *, max_attempts: int = 5) -> None:
        self.target = target
        self.bucket = target.bucket
        self.prefix = target.prefix
        try:
            session = boto3.session.Session(region_name=target.region or None)
            credentials = session.get_credentials()
        except (bexc.BotoCoreError, ValueError) as e:
            raise self._setup_error(e) from e
        if credentials is None:
            raise StoreError(
                f"{self.location}: no AWS credentials found",
                hint="set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, "
                "or run where an instance role applies",
            )
        config = Config(
            retries={"mode": "standard", "max_attempts": max_attempts},
            s3={"addressing_style": _addressing(target.addressing_style)},
            max_pool_connections=32,
            connect_timeout=10,
            read_timeout=60,
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
            raise self._setup_error(e) from e
        self.transfer = TransferConfig(
            multipart_threshold=MULTIPART_THRESHOLD,
            multipart_chunksize=MULTIPART_THRESHOLD,
            max_concurrency=4,
        )

    @property
    def location(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"

    @property
    def service(self) -> str:
        """The endpoint, for messages (never with credentials)."""
        return str(self.client.meta.endpoint_url)

    # --- manifest --------------------------------------------------------------------

    def read_manifest(self) -> Manifest:
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=self.prefix + MANIFEST_KEY)
            data = body["Body"].read()
        except bexc.ClientError as e:
            if _code(e) in ("NoSuchKey", "404"):
                return {}
            raise self._error(e, "reading the manifest") from e
        except (bexc.BotoCoreError, OSError) as e:
            raise self._error(e, "reading the manifest") from e
        try:
            listed = manifest_from_json(data)
        except ValueError as e:
            raise StoreError(
                f"{self.location}{MANIFEST_KEY}: the manifest is damaged: {e}",
                hint="delete it to republish every file",
            ) from e
        sizes = self._sizes()
        return {key: _check(entry, sizes.get(key)) for key, entry in listed.items()}

    def _sizes(self) -> dict[str, int]:
        """Every object under the prefix and its size (one request per 1,000 keys)."""
        sizes: dict[str, int] = {}
        try:
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=self.prefix
            )
            for page in pages:
                for obj in page.get("Contents", []):
                    sizes[obj["Key"][len(self.prefix) :]] = obj["Size"]
        except (bexc.ClientError, bexc.BotoCoreError, OSError) as e:
            raise self._error(e, "listing the bucket") from e
        return sizes

    def write_manifest(self, manifest: Manifest) -> None:
        self._put_bytes(MANIFEST_KEY, manifest_to_json(manifest), "writing the manifest")

    # --- files -----------------------------------------------------------------------

    def put(self, file: SiteFile, progress: Progress) -> None:
        try:
            self.client.upload_file(
                str(file.path),
                self.bucket,
                self.prefix + file.key,
                ExtraArgs={
                    "ContentType": file.content_type,
                    "CacheControl": cache_control(file),
                    "Metadata": {"sha256": file.sha256},
                },
                Callback=progress,
                Config=self.transfer,
            )
        except (bexc.ClientError, bexc.BotoCoreError, S3UploadFailedError, OSError) as e:
            raise self._error(e, f"uploading {file.key}") from e

    def delete(self, key: str) -> None:
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self.prefix + key)
        except (bexc.ClientError, bexc.BotoCoreError, OSError) as e:
            raise self._error(e, f"deleting {key}") from e

    def head(self, key: str) -> int | None:
        try:
            meta = self.client.head_object(Bucket=self.bucket, Key=self.prefix + key)
        except bexc.ClientError as e:
            if _code(e) in ("404", "NoSuchKey", "NotFound"):
                return None
            raise self._error(e, f"checking {key}") from e
        except (bexc.BotoCoreError, OSError) as e:
            raise self._error(e, f"checking {key}") from e
        return int(meta["ContentLength"])

    def get(self, key: str) -> bytes | None:
        try:
            obj = self.client.get_object(Bucket=self.bucket, Key=self.prefix + key)
            data: bytes = obj["Body"].read()
        except bexc.ClientError as e:
            if _code(e) in ("NoSuchKey", "404", "NotFound"):
                return None
            raise self._error(e, f"reading {key}") from e
        except (bexc.BotoCoreError, OSError) as e:
            raise self._error(e, f"reading {key}") from e
        return data

    # --- lock ------------------------------------------------------------------------

    def acquire_lock(self, *, break_lock: bool = False) -> LockGrant:
        """Create the lock object only if absent (``If-None-Match: *``, a conditional write
        AWS S3, R2 and SeaweedFS enforce), so exactly one of two racing publishes wins.

        A lock judged expired (or to be broken) is deleted only if it is still that very
        object (``If-Match`` with its ETag): when another publish replaced it meanwhile with
        its own, the delete fails and that publish's lock is judged afresh."""
        replaced: LockRecord | None = None
        for _attempt in range(3):
            lock = new_lock()
            try:
                self.client.put_object(
                    Bucket=self.bucket,
                    Key=self.prefix + LOCK_KEY,
                    Body=lock.to_json(),
                    ContentType=layout.content_type(LOCK_KEY),
                    CacheControl=layout.META_CACHE_CONTROL,
                    IfNoneMatch="*",
                )
                return grant(lock, replaced, break_lock)
            except bexc.ClientError as e:
                if _code(e) not in _CONFLICT:
                    raise self._error(e, "taking the publish lock") from e
            except (bexc.BotoCoreError, OSError) as e:
                raise self._error(e, "taking the publish lock") from e
            found = self._read_lock()
            if found is None:
                continue  # released meanwhile: race for it again
            held, etag = found
            if not replaceable(held, break_lock):
                assert isinstance(held, LockInfo)
                raise lock_held_error(held, self.location)
            if self._delete_lock(etag, "removing an expired publish lock"):
                replaced = held
        found = self._read_lock()
        if found is not None and isinstance(found[0], LockInfo):
            raise lock_held_error(found[0], self.location)
        raise StoreError(f"{self.location}: cannot take the publish lock; try again")

    def release_lock(self, mine: LockGrant) -> None:
        let_go(mine)
        found = self._read_lock()
        # Delete it only if it is still ours, and only that very object (If-Match).
        if (
            found is not None
            and isinstance(found[0], LockInfo)
            and found[0].token == mine.lock.token
        ):
            self._delete_lock(found[1], "releasing the publish lock")

    def _read_lock(self) -> tuple[LockRecord, str] | None:
        """The lock object's record and ETag, or None when there is none."""
        try:
            obj = self.client.get_object(Bucket=self.bucket, Key=self.prefix + LOCK_KEY)
            record = read_record(obj["Body"].read(), self.location + LOCK_KEY)
            return record, str(obj["ETag"])
        except bexc.ClientError as e:
            if _code(e) in ("NoSuchKey", "404"):
                return None
            raise self._error(e, "reading the publish lock") from e
        except (bexc.BotoCoreError, OSError) as e:
            raise self._error(e, "reading the publish lock") from e

    def _delete_lock(self, etag: str, doing: str) -> bool:
        """Delete the lock object only if it is still the one with ``etag``; False when it
        has changed or gone since it was read."""
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self.prefix + LOCK_KEY, IfMatch=etag)
        except bexc.ClientError as e:
            if _code(e) in (*_CONFLICT, "NoSuchKey", "404"):
                return False
            raise self._error(e, doing) from e
        except (bexc.BotoCoreError, OSError) as e:
            raise self._error(e, doing) from e
        return True

    # --- helpers ---------------------------------------------------------------------

    def _put_bytes(self, key: str, data: bytes, doing: str) -> None:
        try:
            self.client.put_object(
                Bucket=self.bucket,
                Key=self.prefix + key,
                Body=data,
                ContentType=layout.content_type(key),
                CacheControl=layout.META_CACHE_CONTROL,
            )
        except (bexc.ClientError, bexc.BotoCoreError, OSError) as e:
            raise self._error(e, doing) from e

    def _setup_error(self, e: bexc.BotoCoreError | ValueError) -> StoreError:
        """One line for a problem found while making the client (no request made yet).

        Names the setting to correct, never its credentials."""
        where = self.location
        if isinstance(e, bexc.ProfileNotFound):
            profile = e.kwargs.get("profile", "")
            return StoreError(
                f"{where}: AWS_PROFILE {profile!r} is not in ~/.aws/config or ~/.aws/credentials",
                hint="add the profile (or point AWS_CONFIG_FILE at the file that has it), "
                "or unset AWS_PROFILE",
            )
        if isinstance(e, bexc.InvalidRegionError):
            region = e.kwargs.get("region_name", "")
            return StoreError(
                f"{where}: {region!r} is not a valid AWS region name",
                hint="correct the target's region (or AWS_REGION / AWS_DEFAULT_REGION)",
            )
        if isinstance(e, ValueError) and "endpoint" in str(e).lower():
            return StoreError(
                f"{where}: the endpoint URL is not valid",
                hint="endpoint_url (or AWS_ENDPOINT_URL) must be an http(s) URL, "
                "e.g. https://<account>.r2.cloudflarestorage.com",
            )
        if isinstance(e, bexc.ConfigParseError):
            return StoreError(
                f"{where}: an AWS config or credentials file cannot be parsed",
                hint="check ~/.aws/config and ~/.aws/credentials (or the files "
                "AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE name)",
            )
        # Only the error's type: its text may quote a credential_process or a key.
        return StoreError(
            f"{where}: cannot set up the S3 client ({type(e).__name__})",
            hint="check the target's settings, AWS_PROFILE and the AWS config files",
        )

    def _error(self, e: BaseException, doing: str) -> StoreError:
        """One line saying what failed and what to do, from any boto3/botocore error.

        Built from the error's code and type only: service messages are not repeated, so
        nothing they might echo (a key id, a signature) reaches the producer's terminal.
        """
        where = self.location
        cause = _root(e)
        if isinstance(cause, bexc.ClientError):
            code = _code(cause)
        elif isinstance(cause, S3UploadFailedError):
            m = re.search(r"An error occurred \(([^)]+)\)", str(cause))
            code = m.group(1) if m else "UploadFailed"
        else:
            code = ""
        if code == "InvalidAccessKeyId":
            return StoreError(
                f"{where}: {self.service} does not recognise the access key",
                hint="check AWS_ACCESS_KEY_ID or the profile named by AWS_PROFILE",
            )
        if code == "SignatureDoesNotMatch":
            return StoreError(
                f"{where}: {self.service} rejected the request signature: the secret key "
                "does not match the access key",
                hint="check AWS_SECRET_ACCESS_KEY or the profile's aws_secret_access_key",
            )
        if code in ("ExpiredToken", "InvalidToken", "TokenRefreshRequired"):
            return StoreError(
                f"{where}: the AWS session token has expired or is invalid",
                hint="refresh the credentials (e.g. aws sso login) and publish again",
            )
        if code == "NoSuchBucket":
            # A target with no source came from --to on the command line, not the config.
            named_in = (
                "--to"
                if self.target.source is None
                else "the target's location in feed_config.yaml"
            )
            return StoreError(
                f"{where}: bucket {self.bucket!r} does not exist at {self.service}",
                hint=f"create it, or correct {named_in}",
            )
        if code in ("AccessDenied", "403", "Forbidden", "AllAccessDisabled"):
            return StoreError(
                f"{where}: access denied while {doing}",
                hint="publishing needs s3:ListBucket, s3:GetObject, s3:PutObject and "
                f"s3:DeleteObject on {self.bucket}/{self.prefix}*; "
                "read-only credentials or a read-only bucket cannot publish",
            )
        if code in ("NotImplemented", "501"):
            return StoreError(
                f"{where}: {self.service} does not support a request needed for {doing} ({code})",
                hint="publishing needs conditional writes (If-None-Match) for its lock",
            )
        if code:
            return StoreError(
                f"{where}: {doing} failed: {self.service} answered {code}",
                hint="run publish again; it continues where this one stopped",
            )
        if isinstance(cause, (bexc.NoCredentialsError, bexc.PartialCredentialsError)):
            return StoreError(
                f"{where}: no complete AWS credentials found",
                hint="set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE",
            )
        if isinstance(cause, bexc.EndpointConnectionError) and not doing.startswith("upload"):
            return StoreError(
                f"{where}: cannot reach {self.service} while {doing}",
                hint="check the target's endpoint_url (or AWS_ENDPOINT_URL) and the network",
            )
        if isinstance(cause, (bexc.HTTPClientError, bexc.ConnectionError, OSError)):
            return StoreError(
                f"{where}: the connection to {self.service} failed while {doing}",
                hint="the old feed is still served; run publish again to finish",
            )
        return StoreError(
            f"{where}: {doing} failed ({type(cause).__name__})",
            hint="run publish again; it continues where this one stopped",
        )


def _check(entry: ManifestEntry, size: int | None) -> ManifestEntry:
    """Trust the bucket over the manifest: a missing or resized object is changed."""
    if size == entry.size:
        return entry
    problem = (
        "listed in the manifest but missing from the bucket"
        if size is None
        else f"{size} bytes in the bucket, {entry.size} in the manifest"
    )
    return ManifestEntry(entry.sha256, entry.size, entry.kind, entry.content_type, problem)


def _code(e: bexc.ClientError) -> str:
    err = e.response.get("Error", {})
    code = str(err.get("Code", ""))
    if code:
        return code
    status = e.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return str(status) if status else ""


def _root(e: BaseException) -> BaseException:
    """The most telling error in a chain (s3transfer wraps botocore's)."""
    seen: set[int] = set()
    cur: BaseException | None = e
    best = e
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        if isinstance(cur, (bexc.ClientError, bexc.BotoCoreError)):
            return cur
        best = cur
        cur = cur.__cause__ or cur.__context__
    return best if isinstance(e, S3UploadFailedError) else e


def _addressing(style: str | None) -> Literal["auto", "virtual", "path"]:
    if style == "path":
        return "path"
    if style == "virtual":
        return "virtual"
    return "auto"
