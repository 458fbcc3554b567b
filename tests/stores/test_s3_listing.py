"""Listing a long catalogue's bucket: ranges of 1,000 keys listed side by side
(stores.s3listing) find exactly what one listing after another finds."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from publisher.stores.s3 import S3Store
from publisher.stores.s3listing import OBJECTS, read_page
from tests.support.netfaults import CountingProxy
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


def test_keys_of_every_kind_are_listed_as_botocore_lists_them(
    admin_env: SeaweedS3, bucket: Bucket
) -> None:
    """Pages read by read_page (the C parser) give what botocore's own parser gives:
    URL-encoded keys decoded (spaces, plus, percent, ampersand, non-ASCII), sizes, ETags."""
    odd = ["a b.mp3", "a+b.mp3", "100%.html", "q&a/<x>.html", "café/ø.m4a", "ep.mp3?v=1", "é"]
    _put(bucket, odd)
    store = S3Store(bucket.target(admin_env.endpoint))
    found = store.listing("")
    plain = {}
    pages = bucket.client.get_paginator("list_objects_v2").paginate(
        Bucket=bucket.name, Prefix=f"{PREFIX}/"
    )
    for page in pages:
        for obj in page.get("Contents", []):
            plain[obj["Key"].removeprefix(f"{PREFIX}/")] = (obj["Size"], obj.get("ETag"))
    assert found == plain
    assert set(found) == set(odd)
    assert found["café/ø.m4a"][0] == len("café/ø.m4a".encode())
    assert all(etag and etag.startswith('"') for _, etag in found.values())


def _answer(body: bytes, status: int = 200) -> tuple[dict[str, object], dict[str, object]]:
    response: dict[str, object] = {"status_code": status, "body": body, "headers": {}}
    custom: dict[str, object] = {}
    read_page(response, custom)
    return response, custom


def test_read_page_leaves_what_is_no_listing_to_botocore() -> None:
    for body, status in [
        (b"<Error><Code>AccessDenied</Code></Error>", 403),
        (b"<Error><Code>SlowDown</Code></Error>", 200),  # not a ListBucketResult
        (b"<ListBucketResult><Contents><Key>x", 200),  # cut short
        (b"<ListBucketResult><Contents><Key>x</Key></Contents></ListBucketResult>", 200),
        (b"", 200),
    ]:
        response, custom = _answer(body, status)
        assert response["body"] == body and OBJECTS not in custom


def test_read_page_takes_the_objects_and_keeps_the_rest() -> None:
    ns = "http://s3.amazonaws.com/doc/2006-03-01/"
    body = (
        f'<ListBucketResult xmlns="{ns}"><Name>b</Name><KeyCount>2</KeyCount>'
        "<IsTruncated>true</IsTruncated><NextContinuationToken>t</NextContinuationToken>"
        "<EncodingType>url</EncodingType>"
        "<Contents><Key>a+b%2Bc%26.mp3</Key><Size>3</Size><ETag>&quot;e1&quot;</ETag></Contents>"
        "<Contents><Key>z</Key><Size>0</Size></Contents></ListBucketResult>"
    ).encode()
    response, custom = _answer(body)
    assert custom[OBJECTS] == [("a b+c&.mp3", 3, '"e1"'), ("z", 0, None)]
    rest = response["body"]
    assert isinstance(rest, bytes) and b"Contents" not in rest
    assert b"NextContinuationToken>t<" in rest and b"IsTruncated>true<" in rest


def test_each_range_of_known_keys_is_one_request(admin_env: SeaweedS3, bucket: Bucket) -> None:
    """A range ends at a known key: the page that reaches it is its last (asking for one
    more would list the next range's keys again)."""
    known = sorted(f"media/ep-{i:05d}.mp3" for i in range(2500))
    _put(bucket, known)
    proxy = CountingProxy(admin_env.ports["s3.port"])
    try:
        store = S3Store(bucket.target(proxy.endpoint))
        assert set(store.listing("", known=known)) == set(known)
        lists = [r for r in proxy.requests if r.startswith("GET") and "list-type=2" in r]
    finally:
        proxy.close()
    assert len(lists) == 3, lists  # 1-1000, 1001-2000, 2001-2500
