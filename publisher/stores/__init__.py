"""Publish targets: one small interface (:class:`Store`), two implementations.

``local.LocalStore`` writes into a folder; ``s3.S3Store`` (the only boto3 import) into a
bucket. :func:`publisher.publish.run.open_store` picks one for a target.
"""

from publisher.stores.base import LOCK_KEY, MANIFEST_KEY, LockGrant, LockInfo, Progress, Store
from publisher.stores.local import LocalStore

__all__ = ["LOCK_KEY", "MANIFEST_KEY", "LocalStore", "LockGrant", "LockInfo", "Progress", "Store"]
