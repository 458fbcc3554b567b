"""Ctrl-C during a publish with two large files, to a folder and to SeaweedFS: the first Ctrl-C
stops after the file in flight (said at once), what landed is recorded so the rerun skips it;
a second Ctrl-C abandons the file in flight; either way exit 130 and the rerun finishes."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from lxml import etree

from publisher import layout
from tests.support.bigaudio import large_mp3
from tests.support.child import Child
from tests.support.gate import GateProxy
from tests.support.s3server import PREFIX, Bucket, SeaweedS3, stored_object
from tests.support.show import copy_show, media_key

LARGE = ("2026-09-01-imaging-without-pain", "2026-10-01-what-guidelines-advise")
STOPPING = "stopping after the current file"


def show_with_large_media(folder: Path, mib: int) -> Path:
    show = copy_show(folder)
    for i, slug in enumerate(LARGE):
        large_mp3(show / "episodes" / f"{slug}.mp3", mib, frequency=330 + 220 * i)
    return show


def after(lines: list[str], marker: str) -> list[str]:
    """The lines after ``marker``'s, bar those saying what a slow request waits for."""
    at = next(i for i, line in enumerate(lines) if marker in line)
    return [line for line in lines[at + 1 :] if line and not line.startswith("waiting for")]


def large_keys(keys: set[str]) -> set[str]:
    return {k for k in keys if k.startswith("media/") and any(s in k for s in LARGE)}


# --- a local folder ---------------------------------------------------------------------


def local_args(target: Path, *extra: str) -> tuple[str, ...]:
    return ("publish", "--to", str(target), "--public-url", "http://127.0.0.1:8000/", *extra)


def landed(target: Path) -> set[str]:
    media = target / "media"  # not made yet when both presses came before the first copy
    files = media.iterdir() if media.exists() else iter(())
    return {f"media/{p.name}" for p in files if not p.name.startswith(".")}


def rerun_local(show: Path, target: Path) -> set[str]:
    code, out, lines = Child(show, *local_args(target, "--format", "json")).finish()
    assert code == 0, lines
    return {a["key"] for a in json.loads(out)["uploaded"]}


@pytest.mark.parametrize("presses", [1, 2])
def test_ctrl_c_to_a_folder(tmp_path: Path, presses: int) -> None:
    show = show_with_large_media(tmp_path / "show", 48)
    target = tmp_path / "www"
    child = Child(show, *local_args(target))
    first = child.wait_for("upload")
    while first is not None and not any(s in first for s in LARGE):
        first = child.wait_for("upload")
    assert first is not None, child.seen
    child.interrupt()
    assert child.wait_for(STOPPING) is not None, child.seen  # said at once, before the end
    if presses == 2:
        child.interrupt()
    code, _, lines = child.finish()
    assert code == 130
    rest = after(lines, STOPPING)
    assert not [line for line in rest if line.startswith("upload ")]  # nothing more started
    assert len(rest) == 1 and "run the same command again" in rest[0]
    assert not list(target.rglob("*.part"))  # no half-copied file left in the web root
    # every file that landed was recorded: the rerun uploads none of them again
    done = landed(target)
    again = rerun_local(show, target)
    assert not done & again
    assert len(large_keys(done | again)) == 2
    assert rerun_local(show, target) == set()


# --- SeaweedFS through a proxy that holds the first large upload ------------------------


def s3_args(bucket: Bucket, endpoint: str, *extra: str) -> tuple[str, ...]:
    public = f"{bucket.server.endpoint}/{bucket.name}/{PREFIX}/"
    return ("publish", "--to", f"s3://{bucket.name}/{PREFIX}", "--public-url", public,
            "--endpoint-url", endpoint, "--region", "us-east-1", *extra)  # fmt: skip


def in_bucket(bucket: Bucket) -> set[str]:
    return {k for k in bucket.state() if k.startswith("media/")}


def bucket_feed(bucket: Bucket) -> bytes | None:
    return stored_object(bucket, layout.FEED_KEY)


def missing_media(bucket: Bucket, feed: bytes) -> list[str]:
    """The enclosures of ``feed`` that the bucket lacks (or holds at another length)."""
    public = f"{bucket.server.endpoint}/{bucket.name}/{PREFIX}/"
    state = bucket.state()
    out = []
    for enc in etree.fromstring(feed).iter("enclosure"):
        url, length = enc.get("url", ""), int(enc.get("length", "-1"))
        key = url.removeprefix(public)
        if key == url or key not in state or state[key][1] != length:
            out.append(url)
    return out


@pytest.mark.parametrize("presses", [1, 2])
def test_ctrl_c_to_s3(tmp_path: Path, admin_env: SeaweedS3, bucket: Bucket, presses: int) -> None:
    # the show as first published (small media): the old feed, live
    show = copy_show(tmp_path / "show")
    code, _, lines = Child(show, *s3_args(bucket, admin_env.endpoint)).finish()
    assert code == 0, lines
    old_feed = bucket_feed(bucket)
    assert old_feed is not None and not missing_media(bucket, old_feed)
    for i, slug in enumerate(LARGE):  # new audio: new keys the new feed will point at
        large_mp3(show / "episodes" / f"{slug}.mp3", 20, frequency=330 + 220 * i)
    new_media = {media_key(show, slug) for slug in LARGE}

    # The proxy holds only the upload of the first large file, from its first request line,
    # until the test has pressed Ctrl-C and the child has said so (one press), or until the
    # child has exited (two presses: its other requests, the manifest and the lock's
    # release, pass). The hold never waits on a clock, so it ends long before the store's
    # request timeout, however loaded the machine.
    trigger = rb"(?:PUT|POST) /[^ ]*(?:" + b"|".join(s.encode() for s in LARGE) + rb")[^ ]*\.mp3"
    proxy = GateProxy(admin_env.ports["s3.port"], trigger, hold_all=False)
    try:
        # two presses through the console script: it must not wait for the abandoned
        # upload's threads at exit (python -m publisher and publisher share one entry)
        child = Child(show, *s3_args(bucket, proxy.endpoint), script=presses == 2)
        assert proxy.tripped.wait(120), child.seen  # a large file's upload is now in flight
        child.interrupt()
        assert child.wait_for(STOPPING) is not None, child.seen  # said while it is held
        if presses == 1:
            proxy.open()  # the file in flight finishes; no other starts
            code, _, lines = child.finish()
        else:
            child.interrupt()  # abandon it: the child exits while its upload is still held
            pressed = time.monotonic()
            code, _, lines = child.finish()
            # It left without joining the threads of the abandoned upload: they would hold
            # it until the request's own timeout (20 s of the store's 60 s), not a moment.
            assert time.monotonic() - pressed < 10, lines
            proxy.drop()  # the server never gets the rest of the abandoned upload
    finally:
        proxy.close()
    assert code == 130, "\n".join(lines)  # the whole story: pytest cuts a list short
    rest = after(lines, STOPPING)
    assert len(rest) == 1 and "run the same command again" in rest[0], lines
    big = [line for line in lines if line.startswith("upload ") and any(s in line for s in LARGE)]
    assert len(big) == 1, lines  # the second large file never started
    landed_media = in_bucket(bucket) & new_media
    assert len(landed_media) == (1 if presses == 1 else 0), lines
    assert layout.LOCK_KEY not in bucket.state()  # the lock is released
    feed = bucket_feed(bucket)
    assert feed is not None and not missing_media(bucket, feed)  # never a dangling enclosure

    code, out, lines = Child(
        show, *s3_args(bucket, admin_env.endpoint, "--format", "json")
    ).finish()
    assert code == 0, lines
    again = {a["key"] for a in json.loads(out)["uploaded"]}
    assert not landed_media & again and (landed_media | again) >= new_media
    new_feed = bucket_feed(bucket)
    assert new_feed is not None and new_feed != old_feed and not missing_media(bucket, new_feed)
    assert feed in (old_feed, new_feed)  # what apps saw after Ctrl-C: the old feed or the new
    assert layout.LOCK_KEY not in bucket.state()
    uploads = bucket.client.list_multipart_uploads(Bucket=bucket.name).get("Uploads", [])
    assert not uploads  # nothing half-uploaded is left to bill
