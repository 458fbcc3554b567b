"""``publisher verify`` when an imported episode's audio, left on the old host
(``import --keep-remote-media``: its note's ``enclosure:``), is gone from there: the hint
names the old host and what to do, not the local server (which answered)."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from publisher.serve import make_server
from tests.support.cli import run
from tests.support.show import copy_show


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib's name
        pass


@pytest.fixture
def old_host(tmp_path: Path) -> Iterator[str]:
    """A loopback "old host" that no longer has the episode's file (404)."""
    root = tmp_path / "old-host"
    root.mkdir()
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_a_gone_remote_enclosure_blames_the_old_host(tmp_path: Path, old_host: str) -> None:
    show = copy_show(tmp_path / "show")
    remote = old_host + "media/ep1.mp3"
    (show / "show_notes" / "2019-03-04-remote.md").write_text(
        "---\ntitle: Remote\ndate: 2019-03-04\nguid: old-1\n"
        f"enclosure:\n  url: {remote}\n  length: 123456\n  type: audio/mpeg\nduration: 1834\n"
        "---\nNotes.\n",
        encoding="utf-8",
    )
    public = show / "public"
    public.mkdir()
    server = make_server(public, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        cfg = show / "feed_config.yaml"
        text = cfg.read_text(encoding="utf-8")
        cfg.write_text(text.replace("http://127.0.0.1:8000/", url, 1), encoding="utf-8")
        published = run("publish", cwd=show)
        assert published.returncode == 0, published.stderr
        verified = run("verify", cwd=show)
    finally:
        server.shutdown()
        server.server_close()
    assert verified.returncode == 1
    lines = verified.stderr.strip().splitlines()
    assert len(lines) == 1, verified.stderr
    assert lines[0].startswith("error: a podcast app could not reach the show: 2 of ")
    assert (
        f"HEAD {remote}: answered 404 File not found; range GET {remote}: answered 404"
        in (lines[0])
    )
    assert lines[0].endswith(
        "(the old host (127.0.0.1) no longer serves what an imported episode's note names as "
        "its 'enclosure:'; run 'publisher import --update' to take the current URLs from the "
        "old feed, or put the audio in episodes/ (named like its note) and publish again)"
    )
    assert "publisher serve" not in verified.stderr
