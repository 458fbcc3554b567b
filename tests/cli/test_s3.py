"""`publisher publish --to s3://…` with the sample show, against a real SeaweedFS server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

from publisher import build
from tests.support.s3server import PREFIX, Bucket, SeaweedS3, stored_manifest
from tests.support.show import FIXED_NOW, copy_show, media_key

NOW = "2026-11-25T12:00:00+00:00"


def publish(show: Path, bucket: Bucket, *extra: str) -> subprocess.CompletedProcess[str]:
    endpoint = bucket.server.endpoint
    env = {**os.environ, "PUBLISHER_NOW": NOW}
    env.pop("CI", None)
    args = ["publish", "--to", f"s3://{bucket.name}/{PREFIX}",
            "--public-url", f"{endpoint}/{bucket.name}/{PREFIX}/",
            "--endpoint-url", endpoint, "--region", "us-east-1", *extra]  # fmt: skip
    return subprocess.run([sys.executable, "-m", "publisher", *args], cwd=show, env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip


def test_publish_sample_show_then_nothing_then_one_episode(
    tmp_path: Path, admin_env: SeaweedS3, bucket: Bucket
) -> None:
    show = copy_show(tmp_path / "show")
    first = publish(show, bucket)
    assert first.returncode == 0, first.stderr
    last = first.stdout.strip().splitlines()[-1]
    files = len(build.build(show, now=FIXED_NOW, guid_mode="refuse", out_dir=show / "_check").files)
    assert last.startswith(f"published to s3://{bucket.name}/{PREFIX}/: {files} uploaded")
    feed_url = f"{bucket.server.endpoint}/{bucket.name}/{PREFIX}/feed.xml"
    # the feed, 3 enclosures (HEAD, range GET), the artwork, 1 chapters, 1 transcript
    assert last.endswith(f"verified {feed_url}: 10 checks answered as a podcast app needs")
    state = bucket.state()
    assert state["feed.xml"][2:] == ("application/rss+xml; charset=utf-8", "public, max-age=300")
    assert state[media_key(show, "2026-09-15-red-flags")][2] == "audio/x-m4a"
    assert state[media_key(show, "2026-09-01-imaging-without-pain")][2:] == (
        "audio/mpeg",
        "public, max-age=31536000, immutable",  # content-addressed: never overwritten
    )
    art = next(k for k in state if k.startswith("artwork/"))
    assert state[art][3] == "public, max-age=31536000, immutable"
    feed = etree.fromstring(bucket.server.public_get(f"{bucket.name}/{PREFIX}/feed.xml"))
    # the stored podcast:guid does not change with the target
    assert feed.findtext("channel/{https://podcastindex.org/namespace/1.0}guid") == (
        "27f3405e-fbf2-576a-9c8d-ec6c8409b6ae"
    )

    second = publish(show, bucket)
    assert second.returncode == 0, second.stderr
    assert second.stdout.startswith(
        f"nothing to publish: {files} files unchanged at s3://{bucket.name}"
    )
    assert bucket.state() == state
    # nothing uploaded, nothing to check but the feed (not every item's artwork and chapters)
    assert second.stdout.strip().endswith(
        f"verified {feed_url}: 1 check answered as a podcast app needs"
    )

    new = "2026-11-01-sleep"
    (show / "episodes" / f"{new}.mp3").write_bytes(
        (show / "episodes" / "2026-10-01-what-guidelines-advise.mp3").read_bytes()
    )
    (show / "show_notes" / f"{new}.md").write_text(
        "---\ntitle: Sleep and back pain\ndate: 2026-11-01\n"
        "guid: 6f9a4c1e-2b3d-4e5f-8a7b-0c1d2e3f4a5b\n---\nA short note.\n"
    )
    third = publish(show, bucket, "--format", "json")
    assert third.returncode == 0, third.stderr
    report = json.loads(third.stdout)
    uploaded = {a["key"] for a in report["uploaded"]}
    # the feed and the new enclosure (HEAD, range GET): what this publish added
    checks = {(c["what"], c["url"].rsplit("/", 1)[-1]) for c in report["verification"]}
    assert {(w, u.split("-")[0] if w != "feed GET" else u) for w, u in checks} == {
        ("feed GET", "feed.xml"),
        ("HEAD", "2026"),
        ("range GET", "2026"),
    }
    assert all(c["ok"] for c in report["verification"])
    # its media, its page and citation files, the pages, sitemap and search index that list
    # or link it, and the feed: nothing else
    assert {k for k in uploaded if not k.startswith("pagefind/")} == {
        media_key(show, new),
        f"episodes/{new}.html",
        f"cite/{new}.ris",
        f"cite/{new}.bib",
        "index.html",
        "all/index.html",
        "archive/index.html",
        "archive/2026-11.html",
        "archive/2026-10.html",  # its "newer month" link
        "sitemap.xml",
        "episodes/2026-10-01-what-guidelines-advise.html",
        "feed.xml",
    }
    assert any(k.startswith("pagefind/part-0001/fragment/") for k in uploaded)
    assert "pagefind/part-0001/pagefind.js" not in uploaded  # the search program is unchanged
    assert report["uploaded"][-1]["key"] == "feed.xml"


def test_wrong_secret_is_one_clear_line(
    tmp_path: Path, admin_env: SeaweedS3, bucket: Bucket, monkeypatch: pytest.MonkeyPatch
) -> None:
    show = copy_show(tmp_path / "show")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret-at-all-0123456789abcd")
    r = publish(show, bucket)
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    (line,) = r.stderr.strip().splitlines()
    assert line.startswith(f"error: s3://{bucket.name}/{PREFIX}/: ")
    assert "not-the-secret" not in line and admin_env.admin.secret_key not in line
    assert bucket.state() == {}


def test_verify_command_and_failed_verification(
    tmp_path: Path, admin_env: SeaweedS3, bucket: Bucket
) -> None:
    show = copy_show(tmp_path / "show")
    endpoint = bucket.server.endpoint
    public = f"{endpoint}/{bucket.name}/{PREFIX}/"
    assert publish(show, bucket, "--no-verify").returncode == 0
    ok = subprocess.run(
        [sys.executable, "-m", "publisher", "verify", "--to", f"s3://{bucket.name}/{PREFIX}",
         "--public-url", public, "--endpoint-url", endpoint, "--region", "us-east-1"],
        cwd=show, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert ok.returncode == 0 and ok.stderr == "", ok.stderr
    published = len(stored_manifest(bucket)["files"])
    # an app's 10 requests, and each published object compared with the manifest
    assert ok.stdout.strip() == (
        f"verified {public}feed.xml: {10 + published} checks answered as a podcast app needs"
    )
    # A public URL where nothing is served: the upload completes, verification fails loudly.
    wrong = f"{endpoint}/{bucket.name}/elsewhere/"
    env = {**os.environ, "PUBLISHER_NOW": NOW}
    r = subprocess.run(
        [sys.executable, "-m", "publisher", "publish", "--to", f"s3://{bucket.name}/other",
         "--public-url", wrong, "--endpoint-url", endpoint, "--region", "us-east-1"],
        cwd=show, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert r.returncode == 1
    line = r.stderr.strip().splitlines()[-1]  # after the progress lines
    assert "Traceback" not in r.stderr
    assert line.startswith(
        "error: the upload completed, but a podcast app could not reach the show:"
    )


def test_aws_endpoint_url_from_the_environment(
    tmp_path: Path, admin_env: SeaweedS3, bucket: Bucket, monkeypatch: pytest.MonkeyPatch
) -> None:
    show = copy_show(tmp_path / "show")
    endpoint = bucket.server.endpoint
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
    env = {**os.environ, "PUBLISHER_NOW": NOW}
    r = subprocess.run(
        [sys.executable, "-m", "publisher", "publish", "--to", f"s3://{bucket.name}/{PREFIX}",
         "--public-url", f"{endpoint}/{bucket.name}/{PREFIX}/", "--no-verify"],
        cwd=show, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert "feed.xml" in bucket.state()
