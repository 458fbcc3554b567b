"""Issue 13's Done-when: an app polling the public feed every ~20 ms during an audio
replacement, a removal and an artwork change sees no broken reference at any moment, over
a folder target (served by ``publisher serve``) and an S3 target (SeaweedFS's public
endpoint). The app (tests/support/feedwatch.py) also holds every feed it saw, as apps and
CDNs do, and checks their references too."""

from __future__ import annotations

import io
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import imageio_ffmpeg
import pytest
from PIL import Image, ImageDraw

from publisher import build, serve
from publisher.model import Target
from publisher.publish import run as deploy
from publisher.publish.history import RemovalRefused
from publisher.publish.report import PublishReport
from tests.support.feedwatch import FeedWatch
from tests.support.s3server import Bucket, SeaweedS3, free_ports
from tests.support.show import FIXED_NOW, copy_show, media_key

FIXED = "2026-10-01-what-guidelines-advise"  # its audio is corrected after release
DROPPED = "2026-09-15-red-flags"  # set back to draft: removed from the feed


@pytest.fixture
def served_folder(tmp_path: Path) -> Iterator[Target]:
    """A local target whose public URL is ``publisher serve``'s server on loopback."""
    public = tmp_path / "public"
    public.mkdir()
    (port,) = free_ports(1)
    server = serve.make_server(public, "127.0.0.1", port)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Target("local", "local", str(public), f"http://127.0.0.1:{port}/")
    finally:
        server.shutdown()
        server.server_close()


def publish(show: Path, target: Target, **options: bool) -> PublishReport:
    built = build.build(show, now=FIXED_NOW, target=target, guid_mode="refuse")
    return deploy.publish(built, **options)


def trim_audio(path: Path) -> None:
    """Correct an episode after release: the same episode, two seconds shorter (ffmpeg)."""
    fixed = path.with_name("fixed" + path.suffix)
    subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y", "-i", str(path), "-t", "2",
         "-c", "copy", str(fixed)],
        check=True,
    )  # fmt: skip
    fixed.replace(path)


def redraw_artwork(path: Path) -> None:
    with Image.open(path) as img:
        art = img.convert("RGB")
    ImageDraw.Draw(art).rectangle((0, 0, 200, 200), fill=(200, 30, 30))
    out = io.BytesIO()
    art.save(out, "JPEG", quality=90)
    path.write_bytes(out.getvalue())


def changes_watched(show: Path, target: Target) -> FeedWatch:
    """Publish the sample show, then the three changes, while an app polls the feed."""
    with FeedWatch(target.feed_url) as app:
        publish(show, target)
        app.wait_polls(3)
        old_media = media_key(show, FIXED)
        trim_audio(show / "episodes" / f"{FIXED}.mp3")
        assert media_key(show, FIXED) != old_media
        report = publish(show, target)
        assert report.removed == ()  # the same GUID: the same episode, a corrected file
        app.wait_polls(3)
        note = show / "show_notes" / f"{DROPPED}.md"
        note.write_text(note.read_text(encoding="utf-8").replace("\ndate:", "\ndraft: true\ndate:"))
        with pytest.raises(RemovalRefused):
            publish(show, target)
        assert [r.title for r in publish(show, target, allow_removal=True).removed] == [
            "Red flags: what they can and cannot tell you"
        ]
        app.wait_polls(3)
        redraw_artwork(show / "artwork.jpg")
        publish(show, target)
        app.wait_polls(3)
    return app


def check(app: FeedWatch) -> None:
    assert app.broken == []
    assert len(app.feeds) == 4  # it saw the first feed and each change
    assert sum(1 for r in app.refs.values() if r.what == "artwork") >= 2
    assert sum(1 for r in app.enclosures() if f"/{FIXED}-" in r.url) == 2


def test_no_broken_reference_during_changes_on_a_served_folder(
    tmp_path: Path, served_folder: Target
) -> None:
    check(changes_watched(copy_show(tmp_path / "show"), served_folder))


def test_no_broken_reference_during_changes_on_s3(
    tmp_path: Path, admin_env: SeaweedS3, bucket: Bucket
) -> None:
    check(changes_watched(copy_show(tmp_path / "show"), bucket.target()))
