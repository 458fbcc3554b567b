"""boto3/botocore errors -> one-line StoreError, for the S3 store.

Messages are built from an error's code and type only: service messages are not repeated,
so nothing they might echo (a key id, a signature) reaches the producer's terminal, and an
endpoint is always shown without the ``user:pass@`` it may carry (:func:`redact`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import botocore.exceptions as bexc
from boto3.exceptions import S3UploadFailedError

from publisher import weburl
from publisher.errors import StoreError

CONFLICT = ("PreconditionFailed", "412", "ConditionalRequestConflict", "409")
"""What a conditional write or delete answers when its condition does not hold."""

NOT_FOUND = ("NoSuchKey", "404", "NotFound")

RERUN = "run publish again; it continues where this one stopped"


@dataclass(frozen=True)
class Where:
    """What a message about one S3 target names."""

    location: str  # s3://bucket/prefix/
    service: str  # the endpoint, redacted
    bucket: str
    prefix: str
    named_in: str  # where the producer named the bucket: "--to" or the config
    timeout: float  # seconds an operation may take, retries included

    def error(self, message: str, hint: str | None = None) -> StoreError:
        return StoreError(f"{self.location}: {message}", hint=hint)

    def cut_short(self, doing: str, missing: str) -> StoreError:
        """A response that lacks what every complete answer has: a network fault."""
        return self.error(
            f"the answer from {self.service} was cut short while {doing} ({missing})",
            "a network fault; run publish again",
        )

    def no_bucket(self) -> StoreError:
        return self.error(
            f"bucket {self.bucket!r} does not exist at {self.service}",
            f"create it, or correct {self.named_in}",
        )


def redact(url: str) -> str:
    """``url`` without the ``user:pass@`` it may carry (from AWS_ENDPOINT_URL, a profile …)."""
    parsed = weburl.parse(url)
    if parsed is None:
        return "<the endpoint URL>" if "@" in url else url
    if "@" not in parsed.netloc:
        return url
    return parsed.parts._replace(netloc=parsed.netloc.rpartition("@")[2]).geturl()


def code(e: bexc.ClientError) -> str:
    """The error code of a service answer (or its HTTP status when it has none)."""
    err = e.response.get("Error", {})
    found = str(err.get("Code", ""))
    if found:
        return found
    status = e.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return str(status) if status else ""


def root(e: BaseException) -> BaseException:
    """The most telling error in a chain (s3transfer wraps botocore's)."""
    seen: set[int] = set()
    cur: BaseException | None = e
    best = e
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        if isinstance(cur, (bexc.ClientError, bexc.BotoCoreError, StoreError)):
            return cur
        best = cur
        cur = cur.__cause__ or cur.__context__
    return best if isinstance(e, S3UploadFailedError) else e


def setup_error(where: str, e: bexc.BotoCoreError | ValueError) -> StoreError:
    """One line for a problem found while making the client (no request made yet).

    Names the setting to correct, never its credentials."""
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


def store_error(e: BaseException, doing: str, at: Where) -> StoreError:
    """One line saying what failed and what to do, from any boto3/botocore error."""
    cause = root(e)
    if isinstance(cause, StoreError):
        return cause
    if isinstance(cause, bexc.ClientError):
        found = code(cause)
    elif isinstance(cause, S3UploadFailedError):
        m = re.search(r"An error occurred \(([^)]+)\)", str(cause))
        found = m.group(1) if m else "UploadFailed"
    else:
        found = ""
    if found:
        return _coded(found, doing, at)
    return _uncoded(cause, doing, at)


def _coded(found: str, doing: str, at: Where) -> StoreError:
    if found == "InvalidAccessKeyId":
        return at.error(
            f"{at.service} does not recognise the access key",
            "check AWS_ACCESS_KEY_ID or the profile named by AWS_PROFILE",
        )
    if found == "SignatureDoesNotMatch":
        return at.error(
            f"{at.service} rejected the request signature: the secret key "
            "does not match the access key",
            "check AWS_SECRET_ACCESS_KEY or the profile's aws_secret_access_key",
        )
    if found in ("ExpiredToken", "InvalidToken", "TokenRefreshRequired"):
        return at.error(
            "the AWS session token has expired or is invalid",
            "refresh the credentials (e.g. aws sso login) and publish again",
        )
    if found == "RequestTimeTooSkewed":
        return at.error(
            f"the clock of this machine differs from {at.service}'s by more than "
            f"the service allows, so it refused the request while {doing}",
            "set this machine's clock right (e.g. turn on automatic time sync, NTP), "
            "then publish again",
        )
    if found == "NoSuchBucket":
        return at.no_bucket()
    if found in ("AccessDenied", "403", "Forbidden", "AllAccessDisabled"):
        return at.error(
            f"access denied while {doing}",
            "publishing needs s3:ListBucket, s3:GetObject, s3:PutObject and "
            f"s3:DeleteObject on {at.bucket}/{at.prefix}*; "
            "read-only credentials or a read-only bucket cannot publish",
        )
    if found in ("NotImplemented", "501"):
        return at.error(
            f"{at.service} does not support a request needed for {doing} ({found})",
            "publishing needs conditional writes (If-None-Match, If-Match) for its lock",
        )
    return at.error(f"{doing} failed: {at.service} answered {found}", RERUN)


def _uncoded(cause: BaseException, doing: str, at: Where) -> StoreError:
    if isinstance(cause, (bexc.NoCredentialsError, bexc.PartialCredentialsError)):
        return at.error(
            "no complete AWS credentials found",
            "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE",
        )
    if isinstance(cause, (bexc.ReadTimeoutError, bexc.ConnectTimeoutError)):
        return at.error(
            f"{at.service} stopped answering: no answer within {at.timeout:g} s "
            f"(retries included) while {doing}",
            "check that the storage service is up; " + RERUN,
        )
    if isinstance(cause, bexc.EndpointConnectionError) and not doing.startswith("upload"):
        return at.error(
            f"cannot reach {at.service} while {doing}",
            "check the target's endpoint_url (or AWS_ENDPOINT_URL) and the network",
        )
    if isinstance(cause, (bexc.IncompleteReadError, bexc.ResponseStreamingError)):
        return at.cut_short(doing, "a body shorter than its Content-Length")
    if isinstance(cause, (bexc.HTTPClientError, bexc.ConnectionError, OSError)):
        return at.error(
            f"the connection to {at.service} failed while {doing}",
            "the old feed is still served; run publish again to finish",
        )
    return at.error(f"{doing} failed ({type(cause).__name__})", RERUN)
