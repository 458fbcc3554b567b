"""publish() against a real S3 server (SeaweedFS): no mocked client anywhere."""

from __future__ import annotations

import gzip
import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from publisher.errors import StoreError
from publisher.layout import CACHE_CONTROL, MANIFEST_CHANGES_KEY
from publisher.model import Build
from publisher.publish.events import Event, FileDone, LockNote
from publisher.publish.manifest import manifest_to_json, parse_manifest
from publisher.publish.report import PublishVerifyError
from publisher.publish.run import publish
from publisher.stores import open_store
from publisher.stores.base import LOCK_KEY, MANIFEST_KEY
from publisher.stores.lock import LockGrant, acquire, lock_held_error, new_lock, release
from publisher.stores.s3 import S3Store
from tests.support.s3server import (
    PREFIX,
    Bucket,
    CuttingProxy,
    Identity,
    SeaweedS3,
    expected_state,
    free_ports,
    stored_manifest,
    stored_object,
    use_credentials,
)
from tests.support.sitebuild import make_build

EPISODES = {"ep1": 30_000, "ep2": 70_000}


def build_for(
    tmp_path: Path,
    bucket: Bucket,
    episodes: dict[str, int],
    endpoint: str | None = None,
    public_url: str | None = None,
) -> Build:
    return make_build(tmp_path / "site", bucket.target(endpoint, public_url), episodes)


def feed_points_only_at_complete_media(bucket: Bucket) -> bool:
    """From an app's view: every enclosure of the served feed is there with its length."""
    c = bucket.client
    try:
        feed = c.get_object(Bucket=bucket.name, Key=f"{PREFIX}/feed.xml")["Body"].read()
    except c.exceptions.NoSuchKey:
        return True  # no feed yet: nothing points anywhere
    for enc in ET.fromstring(feed).iter("enclosure"):
        key = enc.get("url", "").split(f"/{bucket.name}/", 1)[1]
        try:
            size = c.head_object(Bucket=bucket.name, Key=key)["ContentLength"]
        except c.exceptions.ClientError:
            return False
        if size != int(enc.get("length", "-1")):
            return False
    return True


def one_line(e: pytest.ExceptionInfo[StoreError], *secrets: str) -> str:
    text = str(e.value)
    assert "\n" not in text
    for s in secrets:
        assert s not in text
        assert s not in repr(e.value.__dict__)
    return text


# --- happy paths ------------------------------------------------------------------------


def test_publish_uploads_with_types_and_cache_control_then_verifies(
    admin_env: SeaweedS3, bucket: Bucket, tmp_path: Path
) -> None:
    build = build_for(tmp_path, bucket, {**EPISODES, "big": 9_000_000})  # multipart
    report = publish(build)
    assert bucket.state() == expected_state(build)
    c = bucket.client
    for f in build.files:
        head = c.head_object(Bucket=bucket.name, Key=f"{PREFIX}/{f.key}")
        assert head["ContentType"] == f.content_type
        policy = "immutable" if f.immutable else f.kind
        assert head["CacheControl"] == CACHE_CONTROL[policy]
    feed = c.head_object(Bucket=bucket.name, Key=f"{PREFIX}/feed.xml")
    assert feed["ContentType"] == "application/rss+xml; charset=utf-8"
    assert feed["CacheControl"] == "public, max-age=300"
    art = next(f for f in build.files if f.immutable)
    assert c.head_object(Bucket=bucket.name, Key=f"{PREFIX}/{art.key}")["CacheControl"] == (
        "public, max-age=31536000, immutable"
    )
    assert report.verification is not None and report.verification.ok
    assert len(report.verification.checks) == 1 + 2 * len(build.enclosures)
    assert report.bytes_uploaded == sum(f.size for f in build.files)
    assert LOCK_KEY not in bucket.state()
    # the manifest is stored gzip-compressed, labelled so (a tenth of the bytes to send)
    stored = c.get_object(Bucket=bucket.name, Key=f"{PREFIX}/{MANIFEST_KEY}")
    assert stored["ContentEncoding"] == "gzip" and stored["ContentType"] == "application/json"
    body = stored["Body"].read()
    assert body[:2] == b"\x1f\x8b" and len(body) < len(gzip.decompress(body)) / 2
    assert json.loads(gzip.decompress(body))["files"].keys() == {f.key for f in build.files}


def test_second_publish_uploads_nothing_adding_one_episode_uploads_only_that(
    admin_env: SeaweedS3, bucket: Bucket, tmp_path: Path
) -> None:
    build = build_for(tmp_path, bucket, EPISODES)
    publish(build, verify=False)
    again = publish(build_for(tmp_path, bucket, EPISODES), verify=False)
    assert again.uploaded == () and again.deleted == ()
    assert again.summary().startswith("nothing to publish: 10 files unchanged at s3://")

    grown = build_for(tmp_path, bucket, {**EPISODES, "ep3": 5000})
    report = publish(grown, verify=False)
    assert [(a.key, a.status) for a in report.uploaded] == [
        ("media/ep3.mp3", "new"),
        ("chapters/ep3.json", "new"),
        ("episodes/ep3.html", "new"),
        ("index.html", "changed"),
        ("feed.xml", "changed"),
    ]
    assert bucket.state() == expected_state(grown)


def test_a_publish_records_what_changed_and_the_whole_manifest_only_now_and_then(
    admin_env: SeaweedS3, bucket: Bucket, tmp_path: Path
) -> None:
    """Across a network each publish records what it did: the changes since manifest.json,
    a few KB, while they are few; the whole manifest when they are many, or when no manifest
    was read (a first publish). A manifest.json written whole since (by a publisher that
    knows nothing of changes, say) voids the changes that name the one before."""
    c = bucket.client
    publish(build_for(tmp_path, bucket, EPISODES), verify=False)
    whole = stored_object(bucket, MANIFEST_KEY)
    assert whole is not None and stored_object(bucket, MANIFEST_CHANGES_KEY) is None
    grown = build_for(tmp_path, bucket, {**EPISODES, "ep3": 5000})
    publish(grown, verify=False)
    assert stored_object(bucket, MANIFEST_KEY) == whole  # not written again
    changes = stored_object(bucket, MANIFEST_CHANGES_KEY)
    assert changes is not None and len(changes) < len(whole)
    assert json.loads(gzip.decompress(changes))["files"].keys() == {
        "media/ep3.mp3", "chapters/ep3.json", "episodes/ep3.html", "index.html", "feed.xml"
    }  # fmt: skip
    assert bucket.state() == expected_state(grown)  # read back as one
    assert not publish(grown, verify=False).uploaded

    # manifest.json written whole again (here as it was, without ep3): the changes that name
    # the one before no longer count, and what they recorded is uploaded again
    old = parse_manifest(whole)
    c.put_object(Bucket=bucket.name, Key=f"{PREFIX}/{MANIFEST_KEY}",
                 Body=manifest_to_json(old.files, old.episodes), ContentType="application/json",
                 CacheControl="no-store")  # fmt: skip
    report = publish(grown, verify=False)
    assert {a.key for a in report.uploaded} == {
        "media/ep3.mp3", "chapters/ep3.json", "episodes/ep3.html", "index.html", "feed.xml"
    }  # fmt: skip
    assert bucket.state() == expected_state(grown)


def test_stale_pages_deleted_media_kept_then_pruned(
    admin_env: SeaweedS3, bucket: Bucket, tmp_path: Path
) -> None:
    publish(build_for(tmp_path, bucket, EPISODES), verify=False)
    shrunk = build_for(tmp_path, bucket, {"ep1": EPISODES["ep1"]})
    dry = publish(shrunk, dry_run=True, delete_stale_now=True)
    assert [a.key for a in dry.deleted] == ["episodes/ep2.html", "chapters/ep2.json"]
    assert [r.guid for r in dry.removed] == ["ep2"]
    assert "episodes/ep2.html" in bucket.state()  # a dry run changes nothing
    kept = publish(shrunk, allow_removal=True)  # stale from now, by the server's clock
    assert kept.deleted == () and "episodes/ep2.html" in bucket.state()
    entries = stored_manifest(bucket)["files"]
    since = datetime.fromisoformat(entries["episodes/ep2.html"]["stale_since"])
    assert abs(since - datetime.now(UTC)) < timedelta(minutes=5)
    report = publish(shrunk, delete_stale_now=True)
    assert [a.key for a in report.deleted] == ["episodes/ep2.html", "chapters/ep2.json"]
    state = bucket.state()
    assert "episodes/ep2.html" not in state and "media/ep2.mp3" in state
    pruned = publish(shrunk, prune_media=True, delete_stale_now=True, verify=False)
    assert [(a.key, a.reason) for a in pruned.deleted] == [
        ("media/ep2.mp3", "no longer built; deleted after the feed (--delete-stale-now)")
    ]
    assert bucket.state() == expected_state(shrunk)


def test_object_deleted_behind_our_back_is_uploaded_again(
    admin_env: SeaweedS3, bucket: Bucket, tmp_path: Path
) -> None:
    build = build_for(tmp_path, bucket, EPISODES)
    publish(build, verify=False)
    bucket.client.delete_object(Bucket=bucket.name, Key=f"{PREFIX}/media/ep1.mp3")
    report = publish(build, verify=False)
    assert [(a.key, a.reason) for a in report.uploaded] == [
        ("media/ep1.mp3", "listed in the manifest but missing from the bucket")
    ]
    assert bucket.state() == expected_state(build)


def test_failed_verification_says_the_upload_completed(
    admin_env: SeaweedS3, bucket: Bucket, tmp_path: Path
) -> None:
    wrong = f"{admin_env.endpoint}/{bucket.name}/elsewhere/"
    build = build_for(tmp_path, bucket, EPISODES, public_url=wrong)
    with pytest.raises(PublishVerifyError) as e:
        publish(build)
    text = str(e.value)
    assert text.startswith(
        f"the upload completed, but a podcast app could not reach the show: 5 of 5 checks of "
        f"{wrong}feed.xml failed: feed GET {wrong}feed.xml: answered 404 Not Found; HEAD "
        f"{wrong}media/ep1.mp3:"
    )
    assert "\n" not in text
    assert e.value.report.uploaded and bucket.state() == expected_state(build)


# --- failures ---------------------------------------------------------------------------


def test_dropped_connection_mid_upload_then_rerun_completes(
    admin_env: SeaweedS3, bucket: Bucket, tmp_path: Path
) -> None:
    v1 = build_for(tmp_path, bucket, {"ep1": 20_000})
    publish(v1, verify=False)
    proxy = CuttingProxy(admin_env.ports["s3.port"], cut_after=3_000_000)
    try:
        v2 = build_for(
            tmp_path, bucket, {"ep1": 20_000, "ep2": 12_000_000}, endpoint=proxy.endpoint
        )
        with pytest.raises(StoreError) as e:
            publish(v2, store=S3Store(v2.target, max_attempts=2))
    finally:
        proxy.close()
    text = one_line(e, admin_env.admin.secret_key)
    assert text.startswith(f"s3://{bucket.name}/{PREFIX}/: the connection to {proxy.endpoint}")
    assert "while uploading media/ep2.mp3" in text
    assert text.endswith("(the old feed is still served; run publish again to finish)")
    assert proxy.cut.is_set()
    assert feed_points_only_at_complete_media(bucket)
    assert bucket.state()["feed.xml"][0] == v1.file("feed.xml").sha256

    v2 = build_for(tmp_path, bucket, {"ep1": 20_000, "ep2": 12_000_000})
    # The cut publish could not remove its lock; this process knows that publish is over.
    report = publish(v2)
    assert report.lock_note is not None
    assert report.lock_note.startswith("took over the lock of a publish that is no longer running")
    assert bucket.state() == expected_state(v2)


def test_server_stopped_mid_publish_then_rerun_completes(
    admin_env: SeaweedS3, bucket: Bucket, tmp_path: Path
) -> None:
    v1 = build_for(tmp_path, bucket, {"ep1": 20_000})
    publish(v1, verify=False)
    v2 = build_for(tmp_path, bucket, {"ep1": 20_000, "ep2": 30_000, "ep3": 40_000})

    def stop_after_first_upload(event: Event) -> None:
        if isinstance(event, FileDone) and admin_env.proc is not None:
            admin_env.stop()

    try:
        with pytest.raises(StoreError) as e:
            publish(v2, events=stop_after_first_upload, store=S3Store(v2.target, max_attempts=2))
    finally:
        admin_env.start()
    text = one_line(e, admin_env.admin.secret_key)
    assert text.startswith(f"s3://{bucket.name}/{PREFIX}/: ")
    assert feed_points_only_at_complete_media(bucket)
    assert bucket.state()["feed.xml"][0] == v1.file("feed.xml").sha256
    publish(v2)
    assert bucket.state() == expected_state(v2)


def test_read_only_credentials_change_nothing(
    seaweed: SeaweedS3, bucket: Bucket, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_credentials(monkeypatch, seaweed.admin, tmp_path)
    publish(build_for(tmp_path, bucket, {"ep1": 1000}), verify=False)
    before = bucket.state()
    use_credentials(monkeypatch, seaweed.reader, tmp_path)
    grown = build_for(tmp_path, bucket, {"ep1": 1000, "ep2": 2000})
    assert len(publish(grown, dry_run=True).uploaded) == 5  # reading is allowed
    with pytest.raises(StoreError) as e:
        publish(grown)
    assert one_line(e, seaweed.reader.secret_key) == (
        f"s3://{bucket.name}/{PREFIX}/: access denied while taking the publish lock "
        "(publishing needs s3:ListBucket, s3:GetObject, s3:PutObject and s3:DeleteObject on "
        f"{bucket.name}/{PREFIX}/*; read-only credentials or a read-only bucket cannot publish)"
    )
    assert bucket.state() == before


def test_wrong_secret_and_unknown_key(
    seaweed: SeaweedS3, bucket: Bucket, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build = build_for(tmp_path, bucket, EPISODES)
    bad_secret = "not-the-secret-" + seaweed.admin.secret_key[:6]
    use_credentials(monkeypatch, Identity(seaweed.admin.access_key, bad_secret), tmp_path)
    with pytest.raises(StoreError) as e:
        publish(build)
    assert one_line(e, bad_secret) == (
        f"s3://{bucket.name}/{PREFIX}/: {seaweed.endpoint} rejected the request signature: the "
        "secret key does not match the access key (check AWS_SECRET_ACCESS_KEY or the "
        "profile's aws_secret_access_key)"
    )
    use_credentials(monkeypatch, Identity("AKIANOSUCHKEY", "whatever-secret"), tmp_path)
    with pytest.raises(StoreError) as e:
        publish(build, dry_run=True)
    assert one_line(e, "whatever-secret") == (
        f"s3://{bucket.name}/{PREFIX}/: {seaweed.endpoint} does not recognise the access key "
        "(check AWS_ACCESS_KEY_ID or the profile named by AWS_PROFILE)"
    )
    assert bucket.state() == {}


def test_missing_bucket(admin_env: SeaweedS3, tmp_path: Path) -> None:
    missing = Bucket("no-such-bucket-here", admin_env)
    config = tmp_path / "feed_config.yaml"
    for target, fix in (
        (missing.target(source=config), "the target's location in feed_config.yaml"),
        (missing.target(name="command line"), "--to"),
    ):
        build = make_build(tmp_path / "site", target, EPISODES)
        for dry_run in (True, False):
            with pytest.raises(StoreError) as e:
                publish(build, dry_run=dry_run)
            assert one_line(e, admin_env.admin.secret_key) == (
                f"s3://no-such-bucket-here/{PREFIX}/: bucket 'no-such-bucket-here' does not "
                f"exist at {admin_env.endpoint} (create it, or correct {fix})"
            )


def test_unreachable_endpoint(admin_env: SeaweedS3, bucket: Bucket, tmp_path: Path) -> None:
    (port,) = free_ports(1)
    dead = f"http://127.0.0.1:{port}"
    build = build_for(tmp_path, bucket, EPISODES, endpoint=dead)
    with pytest.raises(StoreError) as e:
        publish(build, store=S3Store(build.target, max_attempts=1))
    assert one_line(e) == (
        f"s3://{bucket.name}/{PREFIX}/: cannot reach {dead} while checking the bucket "
        "(check the target's endpoint_url (or AWS_ENDPOINT_URL) and the network)"
    )


def test_no_credentials(
    seaweed: SeaweedS3, bucket: Bucket, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_credentials(monkeypatch, seaweed.admin, tmp_path)
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    with pytest.raises(StoreError) as e:
        open_store(bucket.target())
    assert one_line(e) == (
        f"s3://{bucket.name}/{PREFIX}/: no AWS credentials found (set AWS_ACCESS_KEY_ID and "
        "AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or run where an instance role applies)"
    )


# --- the lock ---------------------------------------------------------------------------


def test_concurrent_publish_refused_expired_taken_over_break_lock(
    admin_env: SeaweedS3, bucket: Bucket, tmp_path: Path
) -> None:
    build = build_for(tmp_path, bucket, EPISODES)
    store = S3Store(build.target)
    held = acquire(store)
    raw = bucket.client.get_object(Bucket=bucket.name, Key=f"{PREFIX}/{LOCK_KEY}")["Body"].read()
    assert set(json.loads(raw)) == {"owner", "pid", "pid_start", "created", "expires", "token"}
    with pytest.raises(StoreError) as e:
        publish(build)
    text = one_line(e)
    assert text.startswith(
        f"s3://{bucket.name}/{PREFIX}/: another publish is in progress: locked by "
        f"{held.lock.owner} (pid {held.lock.pid}) since "
    )
    assert text.endswith(
        "(wait for it to finish, or run again with --break-lock if that publish died)"
    )
    assert set(bucket.state()) == {LOCK_KEY}  # nothing interleaved

    # An expired lock is taken over, and the report says so.
    old = new_lock(now=datetime.now(UTC) - timedelta(hours=1))
    bucket.client.put_object(Bucket=bucket.name, Key=f"{PREFIX}/{LOCK_KEY}", Body=old.to_json())
    events: list[Event] = []
    report = publish(build, verify=False, events=events.append)
    assert report.lock_note == f"took over an expired lock held by {old.describe()}"
    assert LockNote(report.lock_note) in events
    assert LOCK_KEY not in bucket.state()

    # --break-lock removes a live one.
    live = acquire(store)
    report = publish(build, verify=False, break_lock=True)
    assert report.lock_note == f"broke the lock held by {live.lock.describe()}"
    assert LOCK_KEY not in bucket.state()


def test_unreadable_lock_is_taken_over_with_a_note(
    admin_env: SeaweedS3, bucket: Bucket, tmp_path: Path
) -> None:
    build = build_for(tmp_path, bucket, EPISODES)
    bucket.client.put_object(Bucket=bucket.name, Key=f"{PREFIX}/{LOCK_KEY}", Body=b"{garbage")
    report = publish(build, verify=False)
    assert report.lock_note == (
        f"took over an unreadable lock at s3://{bucket.name}/{PREFIX}/{LOCK_KEY} "
        "(not a valid lock record, so treated as expired)"
    )
    assert bucket.state() == expected_state(build)


# --- get ----------------------------------------------------------------------------------


def test_get_reads_an_object_or_says_it_is_not_there(
    seaweed: SeaweedS3, bucket: Bucket, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_credentials(monkeypatch, seaweed.admin, tmp_path)
    store = S3Store(bucket.target())
    assert store.get("feed.xml") is None
    bucket.client.put_object(Bucket=bucket.name, Key=f"{PREFIX}/feed.xml", Body=b"<rss/>")
    assert store.get("feed.xml") == b"<rss/>"
    with pytest.raises(StoreError, match="bucket 'no-such-bucket-here' does not exist"):
        S3Store(Bucket("no-such-bucket-here", seaweed).target()).get("feed.xml")
    bad = Identity(seaweed.admin.access_key, "not-the-secret")
    use_credentials(monkeypatch, bad, tmp_path)
    with pytest.raises(StoreError) as e:
        S3Store(bucket.target()).get("feed.xml")
    assert one_line(e, "not-the-secret").startswith(
        f"s3://{bucket.name}/{PREFIX}/: {seaweed.endpoint} rejected the request signature"
    )


# --- setting up the client ------------------------------------------------------------------


def test_unknown_aws_profile(
    seaweed: SeaweedS3, bucket: Bucket, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_credentials(monkeypatch, seaweed.admin, tmp_path)
    monkeypatch.setenv("AWS_PROFILE", "nope")
    with pytest.raises(StoreError) as e:
        open_store(bucket.target())
    assert one_line(e, seaweed.admin.secret_key) == (
        f"s3://{bucket.name}/{PREFIX}/: AWS_PROFILE 'nope' is not in ~/.aws/config or "
        "~/.aws/credentials (add the profile (or point AWS_CONFIG_FILE at the file that has "
        "it), or unset AWS_PROFILE)"
    )


@pytest.mark.parametrize("endpoint", ["notaurl", "http//127.0.0.1:9000"])
def test_endpoint_that_is_not_a_url(admin_env: SeaweedS3, bucket: Bucket, endpoint: str) -> None:
    with pytest.raises(StoreError) as e:
        open_store(bucket.target(endpoint))
    assert one_line(e, admin_env.admin.secret_key) == (
        f"s3://{bucket.name}/{PREFIX}/: the endpoint URL is not valid (endpoint_url (or "
        "AWS_ENDPOINT_URL) must be an http(s) URL, e.g. https://<account>.r2.cloudflarestorage.com)"
    )


def test_endpoint_from_the_environment_that_is_not_a_url(
    admin_env: SeaweedS3, bucket: Bucket, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "notaurl")
    target = replace(bucket.target(), endpoint_url=None)
    with pytest.raises(StoreError, match=r"the endpoint URL is not valid \(endpoint_url \(or AWS"):
        open_store(target)


# --- the lock race --------------------------------------------------------------------------


class _RacedByAnother(S3Store):
    """Publish B: right after B reads the expired lock, publish A removes that same lock and
    takes the target with its own; then B carries on."""

    a: list[LockGrant]

    def read_lock(self) -> tuple[bytes, str] | None:
        found = super().read_lock()
        if not self.a:
            self.a.append(acquire(S3Store(self.target)))
        return found


def test_expired_lock_race_never_removes_the_winners_lock(
    admin_env: SeaweedS3, bucket: Bucket
) -> None:
    stale = new_lock(now=datetime.now(UTC) - timedelta(hours=1))
    bucket.client.put_object(Bucket=bucket.name, Key=f"{PREFIX}/{LOCK_KEY}", Body=stale.to_json())
    b = _RacedByAnother(bucket.target())
    b.a = []
    with pytest.raises(StoreError) as e:
        acquire(b)
    (a,) = b.a
    assert a.replaced == stale  # A took over the expired lock …
    assert one_line(e) == str(lock_held_error(a.lock, b))  # … and B yields to A
    raw = bucket.client.get_object(Bucket=bucket.name, Key=f"{PREFIX}/{LOCK_KEY}")["Body"].read()
    assert json.loads(raw)["token"] == a.lock.token
    release(S3Store(bucket.target()), a)
    assert LOCK_KEY not in bucket.state()


def test_release_leaves_a_lock_that_is_no_longer_ours(admin_env: SeaweedS3, bucket: Bucket) -> None:
    store = S3Store(bucket.target())
    mine = acquire(store)
    theirs = acquire(store, break_lock=True)
    release(store, mine)
    raw = bucket.client.get_object(Bucket=bucket.name, Key=f"{PREFIX}/{LOCK_KEY}")["Body"].read()
    assert json.loads(raw)["token"] == theirs.lock.token
    release(store, theirs)
    assert LOCK_KEY not in bucket.state()
