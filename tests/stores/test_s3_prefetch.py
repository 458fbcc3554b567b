"""Reading ahead while the build runs (S3Store.read_ahead and expect, publish.early): what was
read is used only while the manifest is the one read, and never after this store wrote."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator

import pytest

from publisher import layout
from publisher.errors import StoreError
from publisher.model import Target
from publisher.publish.early import open_early
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
    store.expect(lambda: ahead)
    assert store.read_manifest() == plain.read_manifest()
    assert store.get(layout.FEED_KEY) == FEED
    assert store.read_episodes() == plain.read_episodes()
    # one HEAD of the manifest: no GET of it again, no listing, no GET of the feed
    assert proxy.requests == [f"HEAD /{bucket.name}/{PREFIX}/{MANIFEST_KEY}"], proxy.requests


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
    store.expect(lambda: ahead)
    assert store.get(layout.FEED_KEY) == new_feed
    assert store.read_manifest()["p3.html"].problem is not None  # listed afresh: it is gone


@pytest.mark.parametrize("given", [None, "not what read_ahead returns"])
def test_nothing_read_ahead_means_reading_as_usual(
    bucket: Bucket, admin_env: SeaweedS3, given: object
) -> None:
    _published(bucket, admin_env)
    bucket.client.put_object(Bucket=bucket.name, Key=f"{PREFIX}/{MANIFEST_KEY}", Body=b"{oops")
    with pytest.raises(ValueError, match="not valid JSON"):  # what a read-ahead child meets
        S3Store(bucket.target(admin_env.endpoint)).read_ahead(layout.is_feed)
    store = S3Store(bucket.target(admin_env.endpoint))
    store.expect(lambda: given)
    with pytest.raises(StoreError, match="the manifest is damaged"):  # reported, as before
        store.read_manifest()


def test_nothing_read_ahead_is_used_after_a_write(
    bucket: Bucket, admin_env: SeaweedS3, proxy: CountingProxy
) -> None:
    _published(bucket, admin_env)
    ahead = _ahead(bucket, admin_env)
    store = S3Store(bucket.target(proxy.endpoint))
    store.expect(lambda: ahead)
    store.read_manifest()  # the read-ahead is taken
    store.delete("p0.html")
    proxy.requests.clear()
    assert store.get(layout.FEED_KEY) == FEED
    assert [r.split(" ")[0] for r in proxy.requests] == ["GET"]  # read again


CHILD = textwrap.dedent("""
    import json, sys
    from publisher import layout
    from publisher.model import Target
    from publisher.publish.early import open_early
    spec = json.loads(sys.argv[1])
    target = Target(**spec)
    opened = open_early(target)
    if spec.get("public_url", "").endswith("/other/"):
        target = Target(**{**spec, "public_url": "https://elsewhere.example.org/show/"})
    store = opened.store_for(target)
    print(json.dumps({"files": len(store.read_manifest()), "feed": store.get(layout.FEED_KEY).decode()}))
""")


def _run_child(target: Target) -> dict[str, object]:
    spec = {k: getattr(target, k) for k in ("name", "kind", "location", "public_url")}
    spec.update(endpoint_url=target.endpoint_url, addressing_style=target.addressing_style)
    spec.update(region=target.region)
    done = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(spec)],
        capture_output=True, text=True, timeout=120, env=dict(os.environ),
    )  # fmt: skip
    assert done.returncode == 0 and done.stderr == "", done.stderr
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_a_child_process_reads_ahead_and_the_publish_takes_it(
    bucket: Bucket, admin_env: SeaweedS3, proxy: CountingProxy
) -> None:
    _published(bucket, admin_env)
    got = _run_child(bucket.target(proxy.endpoint))
    assert got == {"files": 31, "feed": FEED.decode()}
    verbs = [r.split(" ")[0] for r in proxy.requests]
    # the child: GET manifest, one listing, GET feed; the publish: only the HEAD
    assert sorted(verbs) == ["GET", "GET", "GET", "HEAD"], proxy.requests


def test_a_child_read_for_another_target_is_not_used(
    bucket: Bucket, admin_env: SeaweedS3, proxy: CountingProxy
) -> None:
    _published(bucket, admin_env)
    target = bucket.target(proxy.endpoint, f"{admin_env.endpoint}/other/")
    assert _run_child(target) == {"files": 31, "feed": FEED.decode()}
    assert not [r for r in proxy.requests if r.startswith("HEAD")]  # read afresh, no HEAD


def test_no_child_for_a_folder_or_among_threads(bucket: Bucket, admin_env: SeaweedS3) -> None:
    folder = Target(name="f", kind="local", location="/srv/x", public_url="http://127.0.0.1/")
    assert open_early(folder) is None  # nothing to wait for
    # pytest runs the S3 server's threads: a fork now could copy a lock held mid-way
    assert open_early(bucket.target(admin_env.endpoint)) is None


STUCK = textwrap.dedent("""
    import json, os, socket, sys, time
    from publisher.model import Target
    from publisher.publish.early import open_early
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # connections are taken, never answered: a frozen server
    port = silent.getsockname()[1]
    target = Target(name="s3", kind="s3", location="s3://b/show", public_url="http://x/",
                    endpoint_url=f"http://127.0.0.1:{port}", region="us-east-1",
                    addressing_style="path")
    opened = open_early(target)
    opened.timeout = 1.0
    started = time.monotonic()
    result = opened._result()
    took = time.monotonic() - started
    try:
        os.kill(opened._pid, 0)
        gone = False
    except ProcessLookupError:
        gone = True
    print(json.dumps({"result": result, "gone": gone, "waited": took < 10}))
""")


def test_a_child_that_does_not_finish_in_time_is_stopped_and_not_waited_for() -> None:
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "k", "AWS_SECRET_ACCESS_KEY": "s"}
    done = subprocess.run(
        [sys.executable, "-c", STUCK], capture_output=True, text=True, timeout=120, env=env
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"result": None, "gone": True, "waited": True}
