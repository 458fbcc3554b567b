"""Reading ahead while the build runs (S3Store.prefetch, publish.early): what was read is used
only while the manifest is the one read, and never after this store wrote anything."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest

from publisher import layout
from publisher.errors import StoreError
from publisher.model import Target
from publisher.publish.early import EarlyStore, open_early
from publisher.publish.plan import ManifestEntry
from publisher.stores.base import MANIFEST_KEY
from publisher.stores.s3 import S3Store
from tests.support.netfaults import CountingProxy
from tests.support.s3server import PREFIX, Bucket, SeaweedS3

pytestmark = pytest.mark.usefixtures("admin_env")

FEED = b"<rss version='2.0'><channel><title>t</title></channel></rss>"


@pytest.fixture
def proxy(admin_env: SeaweedS3) -> Iterator[CountingProxy]:
    p = CountingProxy(admin_env.ports["s3.port"])
    yield p
    p.close()


def _entry(body: bytes, kind: str = "page") -> ManifestEntry:
    return ManifestEntry(hashlib.sha256(body).hexdigest(), len(body), kind)  # type: ignore[arg-type]


def _published(bucket: Bucket, admin_env: SeaweedS3, pages: int = 30) -> S3Store:
    """A target holding a feed, ``pages`` pages and their manifest."""
    store = S3Store(bucket.target(admin_env.endpoint))
    manifest = {layout.FEED_KEY: _entry(FEED, "feed")}
    put = bucket.client.put_object
    put(Bucket=bucket.name, Key=f"{PREFIX}/{layout.FEED_KEY}", Body=FEED)
    for i in range(pages):
        body = f"page {i}".encode()
        put(Bucket=bucket.name, Key=f"{PREFIX}/p{i}.html", Body=body)
        manifest[f"p{i}.html"] = _entry(body)
    store.write_manifest(manifest)
    return store


def test_what_was_read_ahead_is_used_after_one_head(
    bucket: Bucket, admin_env: SeaweedS3, proxy: CountingProxy
) -> None:
    plain = _published(bucket, admin_env)
    expected = plain.read_manifest()
    store = S3Store(bucket.target(proxy.endpoint))
    store.prefetch(layout.is_feed)
    store._early.result(timeout=30)  # type: ignore[union-attr]  # the build takes this long
    proxy.requests.clear()
    assert store.read_manifest() == expected
    assert store.get(layout.FEED_KEY) == FEED
    assert store.read_episodes() == plain.read_episodes()
    # one HEAD of the manifest: no GET of it again, no listing, no GET of the feed
    assert proxy.requests == [f"HEAD /{bucket.name}/{PREFIX}/{MANIFEST_KEY}"], proxy.requests


def test_a_manifest_rewritten_meanwhile_is_read_again(bucket: Bucket, admin_env: SeaweedS3) -> None:
    other = _published(bucket, admin_env)
    store = S3Store(bucket.target(admin_env.endpoint))
    store.prefetch(layout.is_feed)
    store._early.result(timeout=30)  # type: ignore[union-attr]
    # another publish ran between the read-ahead and the lock: new feed, one page fewer
    new_feed = FEED.replace(b"<title>t<", b"<title>u<")
    bucket.client.put_object(Bucket=bucket.name, Key=f"{PREFIX}/{layout.FEED_KEY}", Body=new_feed)
    bucket.client.delete_object(Bucket=bucket.name, Key=f"{PREFIX}/p3.html")
    manifest = other.read_manifest()
    manifest[layout.FEED_KEY] = _entry(new_feed, "feed")
    other.write_manifest(manifest)
    assert store.get(layout.FEED_KEY) == new_feed
    assert store.read_manifest()["p3.html"].problem is not None  # listed afresh: it is gone


def test_a_failed_read_ahead_is_read_again_and_reported_then(
    bucket: Bucket, admin_env: SeaweedS3
) -> None:
    _published(bucket, admin_env)
    bucket.client.put_object(Bucket=bucket.name, Key=f"{PREFIX}/{MANIFEST_KEY}", Body=b"{not json")
    store = S3Store(bucket.target(admin_env.endpoint))
    store.prefetch(layout.is_feed)
    with pytest.raises(StoreError, match="the manifest is damaged"):
        store.read_manifest()


def test_nothing_read_ahead_is_used_after_a_write(
    bucket: Bucket, admin_env: SeaweedS3, proxy: CountingProxy
) -> None:
    _published(bucket, admin_env)
    store = S3Store(bucket.target(proxy.endpoint))
    store.prefetch(layout.is_feed)
    store.read_manifest()  # the read-ahead is taken
    store.delete("p0.html")
    proxy.requests.clear()
    assert store.get(layout.FEED_KEY) == FEED
    assert [r.split(" ")[0] for r in proxy.requests] == ["GET"]  # read again


def test_early_store_is_for_its_own_target_only(bucket: Bucket, admin_env: SeaweedS3) -> None:
    _published(bucket, admin_env)
    target = bucket.target(admin_env.endpoint)
    opened = open_early(target)
    assert isinstance(opened, EarlyStore)
    store = opened.store_for(target)
    assert isinstance(store, S3Store) and store.get(layout.FEED_KEY) == FEED
    other = bucket.target(admin_env.endpoint, "https://elsewhere.example.org/show/")
    assert opened.store_for(other) is None
    folder = Target(name="f", kind="local", location="/srv/x", public_url="http://127.0.0.1/")
    assert open_early(folder) is None  # nothing to wait for


def test_an_early_store_that_cannot_open_leaves_it_to_the_publish(
    bucket: Bucket, admin_env: SeaweedS3, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    target = bucket.target(admin_env.endpoint)
    opened = open_early(target)
    assert opened is not None and opened.store_for(target) is None
