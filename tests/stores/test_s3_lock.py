"""Against a real S3 server: lock renewal is a conditional write (If-Match); incomplete
uploads are cleaned up under the lock; the ETag of each upload is recorded and compared."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from publisher.errors import StoreError
from publisher.publish.events import Cleaned, Event
from publisher.publish.run import publish
from publisher.stores.base import LOCK_KEY
from publisher.stores.lock import LockKeeper, acquire
from publisher.stores.s3 import S3Store
from tests.support.s3server import PREFIX, Bucket, SeaweedS3, expected_state, stored_manifest
from tests.support.sitebuild import make_build


def record(bucket: Bucket) -> dict[str, object]:
    raw = bucket.client.get_object(Bucket=bucket.name, Key=f"{PREFIX}/{LOCK_KEY}")["Body"].read()
    data: dict[str, object] = json.loads(raw)
    return data


def test_renewal_is_conditional_and_a_taken_lock_is_not_overwritten(
    admin_env: SeaweedS3, bucket: Bucket
) -> None:
    store = S3Store(bucket.target())
    grant = acquire(store, ttl=timedelta(minutes=1))
    with LockKeeper(store, grant, timedelta(hours=1)) as keeper:
        keeper.confirm("writing the feed")
        assert keeper.grant.version != grant.version  # a new ETag
        assert record(bucket)["expires"] == keeper.grant.lock.expires.isoformat()
        theirs = acquire(S3Store(bucket.target()), break_lock=True)
        with pytest.raises(StoreError) as e:
            keeper.confirm("writing the feed")
        assert str(e.value) == (
            f"s3://{bucket.name}/{PREFIX}/: stopped before writing the feed: the publish lock "
            f"is no longer ours (now locked by {theirs.lock.describe()}) (another publish took "
            "over the target; run publish again once it has finished)"
        )
    assert record(bucket)["token"] == theirs.lock.token


def test_incomplete_multipart_uploads_of_this_prefix_are_aborted_under_the_lock(
    admin_env: SeaweedS3, bucket: Bucket, tmp_path: Path
) -> None:
    c = bucket.client
    ours = c.create_multipart_upload(Bucket=bucket.name, Key=f"{PREFIX}/media/big.mp3")
    c.upload_part(
        Bucket=bucket.name, Key=f"{PREFIX}/media/big.mp3", UploadId=ours["UploadId"],
        PartNumber=1, Body=b"x" * 1024,
    )  # fmt: skip
    other = c.create_multipart_upload(Bucket=bucket.name, Key="elsewhere/big.mp3")
    events: list[Event] = []
    publish(make_build(tmp_path / "site", bucket.target(), {"ep1": 900}), events=events.append,
            verify=False)  # fmt: skip
    assert [e for e in events if isinstance(e, Cleaned)] == [
        Cleaned("an incomplete upload of media/big.mp3")
    ]
    left = c.list_multipart_uploads(Bucket=bucket.name).get("Uploads", [])
    assert [(u["Key"], u["UploadId"]) for u in left] == [("elsewhere/big.mp3", other["UploadId"])]


def test_etag_returned_at_upload_is_recorded_and_a_same_size_change_is_uploaded_again(
    admin_env: SeaweedS3, bucket: Bucket, tmp_path: Path
) -> None:
    build = make_build(tmp_path / "site", bucket.target(), {"ep1": 900, "big": 9_000_000})
    publish(build, verify=False)
    c = bucket.client
    entries = stored_manifest(bucket)["files"]
    listed = {
        o["Key"][len(PREFIX) + 1 :]: o["ETag"]
        for o in c.list_objects_v2(Bucket=bucket.name, Prefix=PREFIX + "/")["Contents"]
    }
    assert {k: e.get("etag") for k, e in entries.items()} == {
        k: v if k != "feed.xml" else None for k, v in listed.items() if k in entries
    }  # the feed's is not: the manifest that records it goes up with it
    assert "-" in entries["media/big.mp3"]["etag"]  # multipart: CompleteMultipartUpload's
    assert not publish(build, verify=False).changed  # the listing agrees: nothing to do

    c.put_object(Bucket=bucket.name, Key=f"{PREFIX}/media/ep1.mp3", Body=b"\0" * 900)
    report = publish(build, verify=False)
    assert [(a.key, a.reason) for a in report.uploaded] == [
        ("media/ep1.mp3", "changed in the bucket since it was published (another ETag)")
    ]
    assert bucket.state() == expected_state(build)
