"""Publish cost follows the change, not the catalogue (issue 11): requests counted through a
proxy on loopback in front of a real SeaweedFS, for the S3 API and the public URL alike."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from publisher.model import Build
from publisher.publish.run import publish
from tests.support.netfaults import CountingProxy
from tests.support.s3server import PREFIX, Bucket, SeaweedS3
from tests.support.sitebuild import make_build

EPISODES = 60  # well over a handful: a per-episode request would show


@pytest.fixture
def proxy(admin_env: SeaweedS3) -> Iterator[CountingProxy]:
    p = CountingProxy(admin_env.ports["s3.port"])
    yield p
    p.close()


def _build(tmp_path: Path, bucket: Bucket, proxy: CountingProxy, episodes: int) -> Build:
    target = bucket.target(proxy.endpoint, f"{proxy.endpoint}/{bucket.name}/{PREFIX}/")
    sizes = {f"ep{i:03d}": 2_000 + i for i in range(episodes)}
    return make_build(tmp_path / "site", target, sizes)


def _media_requests(requests: list[str]) -> list[str]:
    return [r for r in requests if "/media/" in r]


def test_an_unchanged_publish_costs_a_few_requests(
    admin_env: SeaweedS3, bucket: Bucket, proxy: CountingProxy, tmp_path: Path
) -> None:
    build = _build(tmp_path, bucket, proxy, EPISODES)
    publish(build)
    proxy.requests.clear()
    report = publish(build)
    assert report.uploaded == () and report.deleted == ()
    requests = list(proxy.requests)
    assert _media_requests(requests) == []  # no HEAD, no range GET of any episode
    assert not [r for r in requests if r.startswith("PUT") and "lock" not in r]
    # the bucket check, the lock (take, release), leftovers, the published feed (GUID
    # guard), the manifest and one listing, and the feed fetched as an app would: 8
    assert len(requests) <= 10, requests


def test_adding_an_episode_checks_only_it(
    admin_env: SeaweedS3, bucket: Bucket, proxy: CountingProxy, tmp_path: Path
) -> None:
    publish(_build(tmp_path, bucket, proxy, EPISODES))
    proxy.requests.clear()
    build = _build(tmp_path, bucket, proxy, EPISODES + 1)
    report = publish(build)
    new = f"media/ep{EPISODES:03d}.mp3"
    assert [a.key for a in report.uploaded if a.key.startswith("media/")] == [new]
    media = _media_requests(proxy.requests)
    # its upload, then as an app: its HEAD and range GET; no other episode is touched
    assert media and all(new in r for r in media), media
    assert len(media) == 3, media
    # the enclosures were confirmed from a listing of media/, not a request each
    listings = [r for r in proxy.requests if r.startswith("GET") and "list-type=2" in r]
    assert any("media" in r for r in listings), proxy.requests
    # 8 as above, 4 uploads with the manifest after each batch, the lock confirmed: ~21
    assert len(proxy.requests) <= 25, proxy.requests


def test_verify_all_fetches_every_enclosure(
    admin_env: SeaweedS3, bucket: Bucket, proxy: CountingProxy, tmp_path: Path
) -> None:
    build = _build(tmp_path, bucket, proxy, 5)
    publish(build)
    proxy.requests.clear()
    report = publish(build, verify_all=True)
    assert report.verification is not None and report.verification.ok
    media = _media_requests(proxy.requests)
    assert Counter(r.split(" ")[0] for r in media) == {"HEAD": 5, "GET": 5}
