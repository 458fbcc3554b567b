"""Ctrl-C during a publish with two large files, to a folder and to SeaweedFS: the first Ctrl-C
stops after the file in flight (said at once), what landed is recorded so the rerun skips it;
a second Ctrl-C abandons the file in flight; either way exit 130 and the rerun finishes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.bigaudio import large_mp3
from tests.support.child import Child
from tests.support.s3server import PREFIX, Bucket
from tests.support.show import copy_show

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
