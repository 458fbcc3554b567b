"""A publish to S3 from the command line, as a producer runs it: the build runs in a child
process while the target is read ahead (publisher.build.apart, publisher.publish.early).
Its problems are said once, as without the child; Ctrl-C while the target is read leaves
no build running and nothing half-written, and the rerun finishes. The publish lock is taken
while the build runs (not for a dry run), given back when the build fails, and another
publish's lock is reported as it always was."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

from publisher import layout
from publisher.stores.lock import LockInfo
from tests.support.child import Child
from tests.support.gate import GateProxy
from tests.support.procs import process, processes
from tests.support.s3server import PREFIX, Bucket, SeaweedS3
from tests.support.show import copy_show

NOTE = "show_notes/2026-09-15-red-flags.md"
OTHER = "show_notes/2026-10-01-what-guidelines-advise.md"


def s3_args(bucket: Bucket, endpoint: str, *extra: str) -> tuple[str, ...]:
    public = f"{bucket.server.endpoint}/{bucket.name}/{PREFIX}/"
    return ("publish", "--to", f"s3://{bucket.name}/{PREFIX}", "--public-url", public,
            "--endpoint-url", endpoint, "--region", "us-east-1", *extra)  # fmt: skip


def _break(show: Path, field: str, value: str, name: str = NOTE) -> None:
    note = show / name
    lines = note.read_text().splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith(f"{field}:"))
    lines[at] = f"{field}: {value}\n"
    note.write_text("".join(lines))


def _published(tmp_path: Path, server: SeaweedS3, bucket: Bucket) -> Path:
    """The sample show, published once, then with a sentence added to one note."""
    show = copy_show(tmp_path / "show")
    code, _, lines = Child(show, *s3_args(bucket, server.endpoint)).finish()
    assert code == 0, lines
    note = show / NOTE
    note.write_text(note.read_text() + "\nA sentence added.\n")
    return show


@contextlib.contextmanager
def _held_at_listing(
    server: SeaweedS3, bucket: Bucket, show: Path, *extra: str
) -> Iterator[tuple[Child, GateProxy]]:
    """A publish whose read-ahead holds on the listing (after the lock and the manifest),
    while the build runs in its child, until the test opens or drops the gate."""
    proxy = GateProxy(server.ports["s3.port"], rb"GET /[^ ]*list-type=2", hold_all=False)
    try:
        child = Child(show, *s3_args(bucket, proxy.endpoint, *extra))
        assert proxy.tripped.wait(120), child.seen
        yield child, proxy
    finally:
        proxy.close()


def _alive(pid: int) -> bool:
    found = process(pid)
    return found is not None and found.state != "Z"


def test_the_builds_problems_are_said_once(
    tmp_path: Path, admin_env: SeaweedS3, bucket: Bucket
) -> None:
    show = copy_show(tmp_path / "show")
    _break(show, "date", "the first of September")
    code, _, lines = Child(show, *s3_args(bucket, admin_env.endpoint)).finish()
    assert code == 1, lines
    said = [line for line in lines if NOTE in line]
    assert len(said) == 1 and ":3:" in said[0], lines  # the note's line, once
    assert not [line for line in lines if "Traceback" in line], lines
    assert not bucket.state()  # nothing published
    _break(show, "date", "soon", OTHER)  # two problems now: both said, each once
    code, _, lines = Child(show, *s3_args(bucket, admin_env.endpoint)).finish()
    assert code == 1, lines
    assert len([line for line in lines if NOTE in line]) == 1, lines
    assert len([line for line in lines if OTHER in line]) == 1, lines


def test_ctrl_c_while_the_target_is_read_leaves_no_build_running(
    tmp_path: Path, admin_env: SeaweedS3, bucket: Bucket
) -> None:
    show = _published(tmp_path, admin_env, bucket)
    with _held_at_listing(admin_env, bucket, show) as (child, proxy):
        builds = [p.pid for p in processes() if p.ppid == child.proc.pid]
        assert builds, "no build in a child process"
        child.interrupt()
        code, _, lines = child.finish()
        proxy.drop()
    assert code == 130, lines
    assert lines[-1] == "interrupted; run the same command again to finish", lines
    assert not [pid for pid in builds if _alive(pid)]  # stopped, and waited for
    assert not [p for p in (show / "_site").rglob("*") if p.name.endswith(".tmp")]
    code, _, lines = Child(show, *s3_args(bucket, admin_env.endpoint)).finish()
    assert code == 0, lines
    assert "A sentence added." in bucket_page(bucket)


def bucket_page(bucket: Bucket) -> str:
    key = f"{PREFIX}/episodes/2026-09-15-red-flags.html"
    body = bucket.server.client().get_object(Bucket=bucket.name, Key=key)["Body"].read()
    return str(body.decode())


def _lock_record(bucket: Bucket) -> dict[str, object] | None:
    client = bucket.server.client()
    key = f"{PREFIX}/{layout.LOCK_KEY}"
    found = client.list_objects_v2(Bucket=bucket.name, Prefix=key).get("Contents", [])
    if not found:
        return None
    body = client.get_object(Bucket=bucket.name, Key=key)["Body"].read()
    return dict(json.loads(body))


def _held_listing(
    bucket: Bucket, server: SeaweedS3, show: Path, *extra: str
) -> tuple[dict[str, object] | None, int]:
    """The lock record on the target while the publish's read-ahead waits on its listing
    (the build meanwhile in its child), and the publish's pid; then the publish finishes."""
    with _held_at_listing(server, bucket, show, *extra) as (child, proxy):
        held = _lock_record(bucket)
        proxy.open()
        code, _, lines = child.finish()
    assert code == 0, lines
    assert _lock_record(bucket) is None  # given back
    return held, child.proc.pid


def test_the_lock_is_taken_while_the_build_runs(
    tmp_path: Path, admin_env: SeaweedS3, bucket: Bucket
) -> None:
    show = _published(tmp_path, admin_env, bucket)
    held, pid = _held_listing(bucket, admin_env, show)
    assert held is not None and held["pid"] == pid  # this publish's, before the listing
    assert "A sentence added." in bucket_page(bucket)
    held, _ = _held_listing(bucket, admin_env, show, "--dry-run")
    assert held is None  # a dry run takes no lock


def test_a_failed_build_gives_the_lock_back(
    tmp_path: Path, admin_env: SeaweedS3, bucket: Bucket
) -> None:
    show = copy_show(tmp_path / "show")
    code, _, lines = Child(show, *s3_args(bucket, admin_env.endpoint)).finish()
    assert code == 0, lines
    before = bucket.state()
    _break(show, "date", "the first of September")
    code, _, lines = Child(show, *s3_args(bucket, admin_env.endpoint)).finish()
    assert code == 1, lines
    assert len([line for line in lines if NOTE in line]) == 1, lines
    assert bucket.state() == before  # nothing written, the lock given back
    _break(show, "date", "2026-09-15")
    code, _, lines = Child(show, *s3_args(bucket, admin_env.endpoint)).finish()
    assert code == 0, lines


def test_another_publishs_lock_is_reported_as_before(
    tmp_path: Path, admin_env: SeaweedS3, bucket: Bucket
) -> None:
    show = _published(tmp_path, admin_env, bucket)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    theirs = LockInfo("producer@elsewhere", 4242, now, now + dt.timedelta(minutes=10), "t0k3n")
    client = bucket.server.client()
    client.put_object(Bucket=bucket.name, Key=f"{PREFIX}/{layout.LOCK_KEY}", Body=theirs.to_json())
    before = bucket.state()
    code, _, lines = Child(show, *s3_args(bucket, admin_env.endpoint)).finish()
    assert code == 1, lines
    said = [line for line in lines if "another publish is in progress" in line]
    assert len(said) == 1 and "producer@elsewhere (pid 4242)" in said[0], lines
    assert not [line for line in lines if "Traceback" in line], lines
    assert bucket.state() == before  # their lock untouched, nothing published
    code, _, lines = Child(show, *s3_args(bucket, admin_env.endpoint, "--dry-run")).finish()
    assert code == 0, lines  # a dry run needs no lock, and says who holds it
    said = [line for line in lines if "a publish now would be refused" in line]
    assert len(said) == 1 and "locked by producer@elsewhere (pid 4242)" in said[0], lines
    assert "--break-lock" in said[0]
    assert bucket.state() == before
    code, _, lines = Child(show, *s3_args(bucket, admin_env.endpoint, "--break-lock")).finish()
    assert code == 0, lines
    assert "A sentence added." in bucket_page(bucket)
    assert _lock_record(bucket) is None
