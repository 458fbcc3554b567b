"""Publish targets: one small interface (:class:`Store`), two implementations, one lock.

``local.LocalStore`` writes into a folder; ``s3.S3Store`` (boto3, imported only when needed)
into a bucket; :mod:`publisher.stores.lock` is the one lock algorithm over both.
:func:`open_store` picks a store for a target.
"""

from __future__ import annotations

from pathlib import Path

from publisher.errors import StoreError
from publisher.model import Target
from publisher.stores.base import LOCK_KEY, MANIFEST_KEY, Progress, Store, UploadListener
from publisher.stores.local import LocalStore
from publisher.stores.lock import LockGrant, LockInfo


def open_store(target: Target, *, timeout: float | None = None) -> Store:
    """The store for ``target``; ``timeout`` (seconds, S3 only) bounds each operation,
    retries included (default about a minute). Raises :class:`StoreError` for an unusable
    target."""
    if target.kind == "local":
        return LocalStore(Path(target.location))
    if target.kind == "s3":
        from publisher.stores.s3 import S3Store  # boto3 is slow to import; only when needed

        return S3Store(target) if timeout is None else S3Store(target, timeout=timeout)
    raise StoreError(f"unknown target kind {target.kind!r}", target.source, target.line)


__all__ = [
    "LOCK_KEY",
    "MANIFEST_KEY",
    "LocalStore",
    "LockGrant",
    "LockInfo",
    "Progress",
    "Store",
    "UploadListener",
    "open_store",
]
