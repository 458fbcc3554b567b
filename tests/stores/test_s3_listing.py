"""Listing a long catalogue's bucket: ranges of 1,000 keys listed side by side
(stores.s3listing) find exactly what one listing after another finds."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from publisher.stores.s3 import S3Store
from tests.support.s3server import PREFIX, Bucket, SeaweedS3

pytestmark = pytest.mark.usefixtures("admin_env")


def _put(bucket: Bucket, keys: list[str]) -> None:
    client = bucket.client
    with ThreadPoolExecutor(max_workers=16) as pool:
        list(
            pool.map(
                lambda k: client.put_object(
                    Bucket=bucket.name, Key=f"{PREFIX}/{k}", Body=k.encode()
                ),
                keys,
            )
        )


def test_ranges_of_known_keys_find_every_object_once(admin_env: SeaweedS3, bucket: Bucket) -> None:
    known = sorted(f"episodes/ep-{i:05d}.html" for i in range(2500))
    # objects nobody expected, inside ranges and at both ends, and outside the prefix
    unexpected = ["a-first.txt", "episodes/ep-00999.html.x", "episodes/ep-01500-b.html", "zz.txt"]
    _put(bucket, [k for k in known if k != "episodes/ep-01234.html"] + unexpected)
    bucket.client.put_object(Bucket=bucket.name, Key="elsewhere/x", Body=b"x")
    store = S3Store(bucket.target(admin_env.endpoint))
    found = store.listing("", known=known)
    expected = (set(known) - {"episodes/ep-01234.html"}) | set(unexpected)
    assert set(found) == expected
    assert found["episodes/ep-00007.html"][0] == len(b"episodes/ep-00007.html")
    assert store.listing("") == found  # one listing after another finds the same
    assert set(store.listing("episodes/", known=known)) == expected - {"a-first.txt", "zz.txt"}
