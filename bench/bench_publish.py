"""Benchmark publishing to a local SeaweedFS (prints figures; asserts nothing).

Builds a fake-but-real site of ~200 files / ~50 MB (media, pages, chapters, transcripts,
artwork, feed), then for each contender prints seconds and HTTP requests side by side for:

1. the first publish into an empty bucket;
2. a re-publish of the same, unchanged build;
3. a re-publish after a *rebuild*: every file rewritten byte-identical, so every mtime is
   newer (what a static-site build does each time).

Contenders: ``publisher.publish.run.publish`` (content hashes vs the bucket's manifest);
``aws s3 sync`` when the ``aws`` CLI is on PATH (size + mtime); and a naive boto3
``upload_file`` loop that uploads everything every time.

Run from the repository root::

    .venv/bin/python bench/bench_publish.py [--files 200] [--mb 50]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from s3server import SeaweedS3  # noqa: E402
from sitebuild import make_build  # noqa: E402

from publisher.model import Build, Target  # noqa: E402
from publisher.publish.run import publish  # noqa: E402
from publisher.stores.s3 import S3Store  # noqa: E402


def site(folder: Path, target: Target, files: int, mb: int) -> Build:
    """``files`` files, ~``mb`` MB: 4 show files, 3 per episode, transcripts fill up."""
    episodes = max(1, (files - 4) // 3)
    media = mb * 1_000_000 // episodes
    extra = {
        f"transcripts/ep{i:03d}.vtt": f"WEBVTT\n\n00:00.000 --> 00:01.000\nline {i}\n".encode()
        for i in range(max(0, files - 4 - 3 * episodes))
    }
    return make_build(
        folder, target, {f"ep{i:03d}": media for i in range(episodes)}, extra_assets=extra
    )


class Counter:
    def __init__(self) -> None:
        self.n = 0
        self._lock = threading.Lock()

    def __call__(self, **_: Any) -> None:
        with self._lock:
            self.n += 1


def timed(fn: Callable[[], int]) -> tuple[float, int]:
    start = time.perf_counter()
    requests = fn()
    return time.perf_counter() - start, requests


def ours(build: Build) -> int:
    store = S3Store(build.target)
    count = Counter()
    store.client.meta.events.register("before-send.s3", count)
    publish(build, store=store, verify=False)
    return count.n


def aws_sync(build: Build, bucket: str, endpoint: str) -> int:
    out = subprocess.run(
        [
            "aws",
            "s3",
            "sync",
            str(build.site_dir),
            f"s3://{bucket}/show/",
            "--endpoint-url",
            endpoint,
            "--debug",
            "--only-show-errors",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stderr.count("Sending http request:")


def naive_loop(build: Build, server: SeaweedS3, bucket: str) -> int:
    client = server.client()
    count = Counter()
    client.meta.events.register("before-send.s3", count)
    for f in build.files:
        client.upload_file(
            str(f.path), bucket, "show/" + f.key, ExtraArgs={"ContentType": f.content_type}
        )
    return count.n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--files", type=int, default=200)
    ap.add_argument("--mb", type=int, default=50)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-publish-") as tmp:
        work = Path(tmp)
        server = SeaweedS3(work / "seaweedfs")
        server.start()
        try:
            run(server, work, args.files, args.mb)
        finally:
            server.stop()


def run(server: SeaweedS3, work: Path, files: int, mb: int) -> None:
    os.environ.update(
        AWS_ACCESS_KEY_ID=server.admin.access_key,
        AWS_SECRET_ACCESS_KEY=server.admin.secret_key,
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE=str(work / "none"),
        AWS_SHARED_CREDENTIALS_FILE=str(work / "none"),
    )
    os.environ.pop("AWS_PROFILE", None)
    admin = server.client()
    for b in ("bench-ours", "bench-sync", "bench-loop"):
        admin.create_bucket(Bucket=b)

    def target(bucket: str) -> Target:
        return Target(
            "bench",
            "s3",
            f"s3://{bucket}/show",
            f"{server.endpoint}/{bucket}/show/",
            endpoint_url=server.endpoint,
            region="us-east-1",
            addressing_style="path",
        )

    build = site(work / "site", target("bench-ours"), files, mb)
    total = sum(f.size for f in build.files)
    print(f"site: {len(build.files)} files, {total / 1e6:.1f} MB; SeaweedFS at {server.endpoint}")

    def rebuild() -> Build:
        time.sleep(1.1)  # a later second, so mtimes are newer at any resolution
        return site(work / "site", target("bench-ours"), files, mb)

    rows: list[tuple[str, tuple[float, int], tuple[float, int], tuple[float, int]]] = []
    first = timed(lambda: ours(build))
    same = timed(lambda: ours(build))
    rebuilt = rebuild()
    after = timed(lambda: ours(rebuilt))
    rows.append(("publisher publish", first, same, after))

    if shutil.which("aws"):
        first = timed(lambda: aws_sync(rebuilt, "bench-sync", server.endpoint))
        same = timed(lambda: aws_sync(rebuilt, "bench-sync", server.endpoint))
        rebuilt = rebuild()
        after = timed(lambda: aws_sync(rebuilt, "bench-sync", server.endpoint))
        rows.append(("aws s3 sync", first, same, after))
    else:
        print("(aws CLI not on PATH: skipping aws s3 sync)")

    first = timed(lambda: naive_loop(rebuilt, server, "bench-loop"))
    same = timed(lambda: naive_loop(rebuilt, server, "bench-loop"))
    rebuilt = rebuild()
    after = timed(lambda: naive_loop(rebuilt, server, "bench-loop"))
    rows.append(("boto3 upload_file loop", first, same, after))

    head = f"{'':24} {'first publish':>20} {'unchanged again':>20} {'after rebuild':>20}"
    print(head)
    print("-" * len(head))
    for name, *cells in rows:
        print(f"{name:24} " + " ".join(f"{s:8.2f} s {r:5d} req" for s, r in cells))


if __name__ == "__main__":
    main()
