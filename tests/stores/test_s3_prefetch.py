"""Reading ahead while the build runs (S3Store.read_ahead and expect, publish.early): what was
read is used only while the manifest is the one read, and never after this store wrote; a
store that cannot be read ahead is left to the publish, which says why."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from publisher import layout
from publisher.errors import StoreError
from publisher.layout import MANIFEST_CHANGES_KEY
from publisher.model import Target
from publisher.publish import history
from publisher.publish.early import read_ahead
from publisher.publish.plan import ManifestEntry
from publisher.stores.base import MANIFEST_KEY
from publisher.stores.s3 import Prefetched, S3Store
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


def _ahead(bucket: Bucket, admin_env: SeaweedS3) -> Prefetched:
    found = S3Store(bucket.target(admin_env.endpoint)).read_ahead(layout.is_feed)
    assert found is not None
    return found


def test_what_was_read_ahead_is_used_after_one_head(
    bucket: Bucket, admin_env: SeaweedS3, proxy: CountingProxy
) -> None:
    plain = _published(bucket, admin_env)
    ahead = _ahead(bucket, admin_env)
    assert ahead.objects == {layout.FEED_KEY: FEED}
    store = S3Store(bucket.target(proxy.endpoint))
    store.expect(ahead)
    assert store.read_manifest() == plain.read_manifest()
    assert store.get(layout.FEED_KEY) == FEED
    assert store.read_episodes() == plain.read_episodes()
    # a HEAD of the manifest and of its changes: no GET of it again, no listing, no GET of
    # the feed
    assert sorted(proxy.requests) == [
        f"HEAD /{bucket.name}/{PREFIX}/{MANIFEST_CHANGES_KEY}",
        f"HEAD /{bucket.name}/{PREFIX}/{MANIFEST_KEY}",
    ], proxy.requests


def test_a_manifest_rewritten_meanwhile_is_read_again(bucket: Bucket, admin_env: SeaweedS3) -> None:
    other = _published(bucket, admin_env)
    ahead = _ahead(bucket, admin_env)
    # another publish ran between the read-ahead and the lock: new feed, one page fewer
    new_feed = FEED.replace(b"<title>t<", b"<title>u<")
    bucket.client.put_object(Bucket=bucket.name, Key=f"{PREFIX}/{layout.FEED_KEY}", Body=new_feed)
    bucket.client.delete_object(Bucket=bucket.name, Key=f"{PREFIX}/p3.html")
    manifest = other.read_manifest()
    manifest[layout.FEED_KEY] = _entry(new_feed, "feed")
    other.write_manifest(manifest)
    store = S3Store(bucket.target(admin_env.endpoint))
    store.expect(ahead)
    assert store.get(layout.FEED_KEY) == new_feed
    assert store.read_manifest()["p3.html"].problem is not None  # listed afresh: it is gone


def test_nothing_read_ahead_means_reading_as_usual(bucket: Bucket, admin_env: SeaweedS3) -> None:
    _published(bucket, admin_env)
    bucket.client.put_object(Bucket=bucket.name, Key=f"{PREFIX}/{MANIFEST_KEY}", Body=b"{oops")
    with pytest.raises(ValueError, match="not valid JSON"):  # what the read-ahead meets
        S3Store(bucket.target(admin_env.endpoint)).read_ahead(layout.is_feed)
    store = S3Store(bucket.target(admin_env.endpoint))  # so it expects nothing
    with pytest.raises(StoreError, match="the manifest is damaged"):  # reported, as before
        store.read_manifest()


def test_damaged_changes_name_their_own_file(bucket: Bucket, admin_env: SeaweedS3) -> None:
    _published(bucket, admin_env)
    key = f"{PREFIX}/{MANIFEST_CHANGES_KEY}"
    bucket.client.put_object(Bucket=bucket.name, Key=key, Body=b"{oops")
    store = S3Store(bucket.target(admin_env.endpoint))
    with pytest.raises(StoreError) as e:
        store.read_manifest()
    assert str(e.value).startswith(f"s3://{bucket.name}/{PREFIX}/{MANIFEST_CHANGES_KEY}: ")
    assert "its changes are not valid JSON" in str(e.value)
    assert str(e.value).endswith("(delete it to republish what it recorded)")
    bucket.client.delete_object(Bucket=bucket.name, Key=key)  # as the hint says
    assert S3Store(bucket.target(admin_env.endpoint)).read_manifest()


def test_nothing_read_ahead_is_used_after_a_write(
    bucket: Bucket, admin_env: SeaweedS3, proxy: CountingProxy
) -> None:
    _published(bucket, admin_env)
    ahead = _ahead(bucket, admin_env)
    store = S3Store(bucket.target(proxy.endpoint))
    store.expect(ahead)
    store.read_manifest()  # the read-ahead is taken
    store.delete("p0.html")
    proxy.requests.clear()
    assert store.get(layout.FEED_KEY) == FEED
    assert [r.split(" ")[0] for r in proxy.requests] == ["GET"]  # read again


def test_read_ahead_here_then_the_publish_takes_it(
    bucket: Bucket, admin_env: SeaweedS3, proxy: CountingProxy
) -> None:
    _published(bucket, admin_env)
    store = read_ahead(bucket.target(proxy.endpoint))
    assert store is not None
    # the manifest and its changes, the listing, the feed; the server's clock (a HEAD of the
    # bucket)
    assert sorted(r.split(" ")[0] for r in proxy.requests) == ["GET"] * 4 + ["HEAD"]
    proxy.requests.clear()  # now the publish
    store.check()  # the bucket is there: its manifest was just read
    assert len(store.read_manifest()) == 31
    assert store.get(layout.FEED_KEY) == FEED
    first = store.clock()
    assert abs((first - datetime.now(UTC)).total_seconds()) < 5  # the server's, on loopback
    assert [r.split(" ")[0] for r in proxy.requests] == ["HEAD"] * 2  # the manifest's ETags
    time.sleep(0.2)
    assert 0.15 < (store.clock() - first).total_seconds() < 5  # and its time goes on


def test_the_live_feeds_episodes_are_read_ahead_for_the_guid_guard(
    bucket: Bucket, admin_env: SeaweedS3
) -> None:
    _published(bucket, admin_env)
    feed = (
        b"<rss version='2.0'><channel><title>t</title><item><title>One</title>"
        b"<guid>g-1</guid><enclosure url='https://x.test/media/one-0123456789abcdef.mp3' "
        b"length='9' type='audio/mpeg'/></item></channel></rss>"
    )
    bucket.client.put_object(Bucket=bucket.name, Key=f"{PREFIX}/{layout.FEED_KEY}", Body=feed)
    history._published_episodes.cache_clear()
    ahead = read_ahead(bucket.target(admin_env.endpoint))
    assert ahead is not None
    assert history._published_episodes.cache_info().misses == 1  # parsed while building
    live = ahead.get(layout.FEED_KEY)
    assert live == feed
    found = history.published_episodes(live, history.archive_feeds(live, ahead.get))
    assert found == (history.PublishedEpisode("g-1", "one", "One"),)
    assert history._published_episodes.cache_info().misses == 1  # not parsed again


def test_nothing_to_read_ahead_for_a_folder_or_a_store_that_refuses(
    bucket: Bucket, admin_env: SeaweedS3, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = Target(name="f", kind="local", location="/srv/x", public_url="http://127.0.0.1/")
    assert read_ahead(folder) is None  # nothing to read
    _published(bucket, admin_env)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-the-key")  # 403: the publish says so
    assert read_ahead(bucket.target(admin_env.endpoint)) is None
