"""A storage server that stops answering, and responses cut inside their headers or body."""

from __future__ import annotations

import os
import signal
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from publisher.errors import StoreError
from publisher.publish.events import Event, FileDone, Waiting
from publisher.publish.run import publish
from publisher.stores.base import LOCK_KEY
from publisher.stores.lock import new_lock
from publisher.stores.s3 import S3Store
from tests.support.netfaults import Cut, HeaderCuttingProxy, RefusingS3, SilentServer
from tests.support.s3server import PREFIX, Bucket, SeaweedS3, expected_state, use_credentials
from tests.support.sitebuild import make_build


def test_frozen_server_is_bounded_says_what_it_waits_for_and_ends_in_one_line(
    admin_env: SeaweedS3, bucket: Bucket, tmp_path: Path
) -> None:
    frozen = SilentServer()
    try:
        build = make_build(tmp_path / "site", bucket.target(frozen.endpoint), {"ep1": 1000})
        events: list[Event] = []
        started = time.monotonic()
        with pytest.raises(StoreError) as e:
            publish(build, store=S3Store(build.target, timeout=3), events=events.append)
        took = time.monotonic() - started
    finally:
        frozen.close()
    assert frozen.accepted >= 1  # it was reached, and said nothing
    assert str(e.value) == (
        f"s3://{bucket.name}/{PREFIX}/: {frozen.endpoint} stopped answering: no answer within "
        "3 s (retries included) while checking the bucket (check that the storage service is "
        "up; run publish again; it continues where this one stopped)"
    )
    assert took < 12  # the bound (3 s) plus retry backoff, not minutes
    waits = [ev.message for ev in events if isinstance(ev, Waiting)]
    assert waits and waits[0].startswith(
        f"waiting for {frozen.endpoint} to answer (checking the bucket; nothing heard for "
    )


def publish_through(proxy: HeaderCuttingProxy, bucket: Bucket, tmp_path: Path) -> StoreError:
    grown = make_build(tmp_path / "site", bucket.target(proxy.endpoint), {"ep1": 900, "ep2": 700})
    with pytest.raises(StoreError) as e:
        publish(grown, store=S3Store(grown.target, max_attempts=1), verify=False)
    assert proxy.cuts_done == 1
    return e.value


CUTS = [
    (Cut("GET", "manifest.json", before_header="Content-Length"), "reading the manifest",
     "no Content-Length or ETag"),
    (Cut("GET", "manifest.json", body_bytes=10), "reading the manifest",
     "a body shorter than its Content-Length"),
    (Cut("GET", "feed.xml", before_header="Content-Length"), "reading feed.xml",
     "no Content-Length or ETag"),
    (Cut("GET", "prefix=show%2Fmedia%2F", before_header="Content-Length"), "listing media/",
     "an empty listing"),
    (Cut("GET", "list-type=2", before_header="Content-Length"), "listing the bucket",
     "an empty listing"),
]  # fmt: skip


@pytest.mark.parametrize(("cut", "doing", "missing"), CUTS)
def test_response_cut_short_is_a_connection_error(
    admin_env: SeaweedS3, bucket: Bucket, tmp_path: Path, cut: Cut, doing: str, missing: str
) -> None:
    publish(make_build(tmp_path / "site", bucket.target(), {"ep1": 900}), verify=False)
    proxy = HeaderCuttingProxy(admin_env.ports["s3.port"], cut)
    try:
        error = publish_through(proxy, bucket, tmp_path)
    finally:
        proxy.close()
    assert str(error) == (
        f"s3://{bucket.name}/{PREFIX}/: the answer from {proxy.endpoint} was cut short while "
        f"{doing} ({missing}) (a network fault; run publish again)"
    )
    # the enclosures are confirmed (from the media listing) after the pages, before the feed
    assert "episodes/ep2.html" not in bucket.state() or doing == "listing media/"


def test_lock_read_cut_before_its_etag_is_a_connection_error(
    admin_env: SeaweedS3, bucket: Bucket, tmp_path: Path
) -> None:
    old = new_lock(now=datetime.now(UTC) - timedelta(hours=1))
    bucket.client.put_object(Bucket=bucket.name, Key=f"{PREFIX}/{LOCK_KEY}", Body=old.to_json())
    proxy = HeaderCuttingProxy(admin_env.ports["s3.port"], Cut("GET", "lock.json", "Etag"))
    try:
        error = publish_through(proxy, bucket, tmp_path)
    finally:
        proxy.close()
    assert str(error) == (
        f"s3://{bucket.name}/{PREFIX}/: the answer from {proxy.endpoint} was cut short while "
        "reading the publish lock (no Content-Length or ETag) (a network fault; run publish "
        "again)"
    )


def test_clock_skew_advises_fixing_this_machines_clock(
    admin_env: SeaweedS3, bucket: Bucket, tmp_path: Path
) -> None:
    service = RefusingS3("RequestTimeTooSkewed")
    try:
        build = make_build(tmp_path / "site", bucket.target(service.endpoint), {"ep1": 100})
        with pytest.raises(StoreError) as e:
            publish(build, store=S3Store(build.target, max_attempts=1))
    finally:
        service.close()
    assert str(e.value) == (
        f"s3://{bucket.name}/{PREFIX}/: the clock of this machine differs from "
        f"{service.endpoint}'s by more than the service allows, so it refused the request "
        "while taking the publish lock (set this machine's clock right (e.g. turn on automatic "
        "time sync, NTP), then publish again)"
    )


def test_missing_bucket_is_named_before_the_lock_even_without_write_access(
    seaweed: SeaweedS3, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_credentials(monkeypatch, seaweed.reader, tmp_path)
    missing = Bucket("no-such-bucket-here", seaweed)
    build = make_build(tmp_path / "site", missing.target(), {"ep1": 100})
    with pytest.raises(StoreError) as e:
        publish(build)
    assert str(e.value) == (
        f"s3://no-such-bucket-here/{PREFIX}/: bucket 'no-such-bucket-here' does not exist at "
        f"{seaweed.endpoint} (create it, or correct --to)"
    )


def test_server_frozen_mid_upload_is_bounded_then_rerun_completes(
    admin_env: SeaweedS3, bucket: Bucket, tmp_path: Path
) -> None:
    v1 = make_build(tmp_path / "site", bucket.target(), {"ep1": 900})
    publish(v1, verify=False)
    v2 = make_build(tmp_path / "site", bucket.target(), {"ep1": 900, "ep2": 700, "ep3": 600})
    assert admin_env.proc is not None
    pid = admin_env.proc.pid
    frozen: list[bool] = []

    def freeze_after_first_upload(event: Event) -> None:
        if isinstance(event, FileDone) and not frozen:
            os.kill(pid, signal.SIGSTOP)  # frozen, not dead: connections stay open
            frozen.append(True)

    started = time.monotonic()
    try:
        with pytest.raises(StoreError) as e:
            publish(v2, store=S3Store(v2.target, timeout=3), events=freeze_after_first_upload)
    finally:
        os.kill(pid, signal.SIGCONT)
    took = time.monotonic() - started
    assert frozen and took < 20
    text = str(e.value)
    assert text.startswith(
        f"s3://{bucket.name}/{PREFIX}/: {admin_env.endpoint} stopped answering: no answer "
        "within 3 s (retries included) while "
    )
    assert "\n" not in text
    assert bucket.state()["feed.xml"][0] == v1.file("feed.xml").sha256
    publish(v2, verify=False)
    assert bucket.state() == expected_state(v2)
