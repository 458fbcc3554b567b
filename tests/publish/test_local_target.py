"""End to end on the local target: real builds of the sample show, published, changed, served."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from lxml import etree

from publisher import build
from publisher.publish import run as deploy
from publisher.publish.report import PublishReport
from tests.support.show import FIXED_NOW, media_key

SLUG = "2026-09-15-red-flags"


def publish(show: Path, *, allow_removal: bool = False) -> PublishReport:
    built = build.build(show, now=FIXED_NOW, guid_mode="refuse")
    return deploy.publish(built, allow_removal=allow_removal, delete_stale_now=True)


def test_draft_or_deleted_episode_leaves_feed_and_site_media_kept(sample_show: Path) -> None:
    publish(sample_show)
    public = sample_show / "public"
    assert (public / "episodes" / f"{SLUG}.html").exists()
    note = sample_show / "show_notes" / f"{SLUG}.md"
    note.write_text(note.read_text(encoding="utf-8").replace("\ndate:", "\ndraft: true\ndate:", 1))
    media = media_key(sample_show, SLUG)
    report = publish(sample_show, allow_removal=True)
    # its page and its take-away files go (and the search index's entry for it)
    assert {a.key for a in report.deleted if not a.key.startswith("pagefind/")} == {
        f"episodes/{SLUG}.html",
        f"cite/{SLUG}.ris",
        f"cite/{SLUG}.bib",
        f"references/{SLUG}.ris",
        f"references/{SLUG}.bib",
        f"references/{SLUG}.json",
    }
    assert not (public / "episodes" / f"{SLUG}.html").exists()
    assert (public / media).exists()  # media is kept
    feed = etree.parse(str(public / "feed.xml"))
    assert not feed.xpath(f"//item/link[contains(., '{SLUG}')]")
    assert SLUG not in (public / "index.html").read_text(encoding="utf-8")
    # deleting the episode outright behaves the same, and an unchanged show then writes nothing
    note.unlink()
    (sample_show / "episodes" / f"{SLUG}.m4a").unlink()
    assert not publish(sample_show).changed


def test_adding_an_episode_writes_only_its_files(sample_show: Path) -> None:
    publish(sample_show)
    new = "2026-11-01-sleep"
    src = sample_show / "episodes" / "2026-10-01-what-guidelines-advise.mp3"
    (sample_show / "episodes" / f"{new}.mp3").write_bytes(src.read_bytes() + b"\0" * 0)
    (sample_show / "show_notes" / f"{new}.md").write_text(
        "---\ntitle: Sleep\ndate: 2026-11-01\nguid: 3f1c2a9e-0000-4000-8000-000000000001\n---\n"
        "A short note without citations.\n"
    )
    report = publish(sample_show)
    uploaded = {a.key for a in report.uploaded}
    # its media, page and citation files; the pages, sitemap and search index that list or
    # link it; the feed: nothing else
    assert {k for k in uploaded if not k.startswith("pagefind/")} == {
        media_key(sample_show, new),
        f"episodes/{new}.html",
        f"cite/{new}.ris",
        f"cite/{new}.bib",
        "index.html",
        "all/index.html",
        "archive/index.html",
        "archive/2026-11.html",
        "archive/2026-10.html",  # its "newer month" link
        "sitemap.xml",
        "episodes/2026-10-01-what-guidelines-advise.html",  # its "newer" link
        "feed.xml",
    }
    assert report.uploaded[-1].key == "feed.xml"  # the feed goes last
    assert not any(k.startswith(("artwork/", "style.css")) for k in uploaded)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_command_answers_range_requests(sample_show: Path) -> None:
    publish(sample_show)
    port = _free_port()
    env = {**os.environ, "PUBLISHER_NOW": FIXED_NOW.isoformat()}
    proc = subprocess.Popen(
        [sys.executable, "-m", "publisher", "serve", "--port", str(port)],
        cwd=sample_show, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith(f"Serving public at http://127.0.0.1:{port}/")
        key = media_key(sample_show, SLUG)
        media = sample_show / "public" / key
        for _ in range(50):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", f"/{key}", headers={"Range": "bytes=10-19"})
                break
            except ConnectionRefusedError:
                time.sleep(0.1)
        resp = conn.getresponse()
        assert resp.status == 206
        size = media.stat().st_size
        assert resp.getheader("Content-Range") == f"bytes 10-19/{size}"
        assert resp.getheader("Accept-Ranges") == "bytes"
        assert resp.read() == media.read_bytes()[10:20]
        conn.request("HEAD", "/feed.xml")
        head = conn.getresponse()
        head.read()
        assert head.status == 200
        assert head.getheader("Content-Type") == "application/rss+xml; charset=utf-8"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_serve_sends_the_published_content_types(sample_show: Path) -> None:
    from publisher import serve

    publish(sample_show)
    server = serve.make_server(sample_show / "public", "127.0.0.1", 0)
    import threading

    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=5)
        conn.request("HEAD", "/chapters/2026-09-01-imaging-without-pain.json")
        resp = conn.getresponse()
        resp.read()
        assert resp.status == 200
        assert resp.getheader("Content-Type") == "application/json+chapters"  # I-15
    finally:
        server.shutdown()
        server.server_close()
