"""Listing an S3 prefix fast: ranges of the key space listed side by side.

ListObjectsV2 answers 1,000 keys a request, each page asking for the next with the last's
token, so a long catalogue's 9,000 keys are nine round trips one after another: seconds to a
distant bucket. The keys a publish expects (its manifest's) split the key space into ranges
of 1,000, and each range is listed from its start (``StartAfter``) at the same time; a range
holding keys nobody expected just takes another page. The same requests, not waited for in
turn.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from publisher import interruptible
from publisher.errors import StoreError

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

Listed = dict[str, tuple[int, str | None]]  # key (under the target's prefix) -> size, ETag


def list_objects(
    client: S3Client,
    bucket: str,
    base: str,
    prefix: str,
    known: Sequence[str],
    alive: Callable[[], None],
    empty: Callable[[], StoreError],
) -> Listed:
    """Every object under ``base + prefix`` by its key less ``base``: size and ETag.
    ``known`` (sorted keys less ``base``) bound ranges of 1,000 listed at once; ``alive()``
    is called after each page; ``empty()`` is raised for a page that is no listing (a cut
    connection). Raises what boto3 raises otherwise (the caller maps it)."""
    bounds: list[str | None] = [None, *known[999::1000], None]
    ranges = list(zip(bounds, bounds[1:], strict=False))

    def one(bound: tuple[str | None, str | None]) -> Listed:
        return _range(client, bucket, base, prefix, bound[0], bound[1], alive, empty)

    found: Listed = {}
    for part in interruptible.map_threads(one, ranges, min(8, len(ranges))):
        found.update(part)
    return found


def _range(
    client: S3Client,
    bucket: str,
    base: str,
    prefix: str,
    after: str | None,
    upto: str | None,
    alive: Callable[[], None],
    empty: Callable[[], StoreError],
) -> Listed:
    """The objects whose keys (less ``base``) sort after ``after`` and up to ``upto``."""
    found: Listed = {}
    paginator = client.get_paginator("list_objects_v2")
    if after is None:
        pages = paginator.paginate(Bucket=bucket, Prefix=base + prefix)
    else:
        pages = paginator.paginate(Bucket=bucket, Prefix=base + prefix, StartAfter=base + after)
    for page in pages:
        if "KeyCount" not in page and "IsTruncated" not in page:
            raise empty()
        alive()
        for obj in page.get("Contents", []):
            key = obj["Key"][len(base) :]
            if upto is not None and key > upto:
                return found  # the next range's
            found[key] = (obj["Size"], obj.get("ETag"))
    return found
