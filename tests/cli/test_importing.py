"""``publisher import`` as a producer runs it: the summary, the steps to announce the move,
--into, one line for bad input, a failed download's exit status."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

from publisher.cli.progress import DownloadProgress
from publisher.importer import download
from publisher.importer.model import Fetch
from tests.support.hostfeeds import HOSTS
from tests.support.httpserver import Route, Server
from tests.support.media import Media


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    return subprocess.run(
        [sys.executable, "-m", "publisher", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_import_prints_the_summary_and_the_move_steps(
    server: Server, media: Media, tmp_path: Path
) -> None:
    feed = HOSTS["libsyn"](server, media)
    done = run("import", server.url(feed.path), "--into", "lib", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "imported 3 episode(s) (0 as drafts); 11 mapping(s) made; 0 left out"
    assert lines[1].startswith("downloaded 4 file(s), ")
    assert "  mapped: channel: explicit: 'clean' -> false [C-06]" in lines
    assert lines[-5] == "to move the subscribers (docs/moving.md):"
    assert f"redirect {server.url(feed.path)} to your new feed URL with a 301" in lines[-3]
    assert "download 1/4 " in done.stderr  # progress: plain lines when not a terminal
    check = run("check", "--show", "lib", cwd=tmp_path)
    assert check.returncode == 0, check.stderr
    assert check.stdout.startswith("ok: Lib Show: 3 episodes in the feed")


def test_json_output_and_the_exit_status_of_a_failed_download(
    server: Server, media: Media, tmp_path: Path
) -> None:
    feed = HOSTS["anchor"](server, media)
    server.routes["/anchor/media/1.m4a"] = Route(status=500)
    done = run("import", server.url(feed.path), "--show", "a", "--format", "json", cwd=tmp_path)
    assert done.returncode == 1
    report = json.loads(done.stdout)
    assert report["ok"] is False and report["remote"] == ["2019-01-14-anchors-away-1"]
    assert report["failed"][0]["where"] == "2019-01-14-anchors-away-1"
    assert [(p["message"], p["hint"]) for p in report["problems"]] == [
        ("1 download(s) failed; the rest is imported",
         "run 'publisher import --update --show a' to finish them")
    ]  # fmt: skip
    assert report["warnings"] == []  # the failure is named once, in "failed"
    text = run("import", "--update", "--show", "a", cwd=tmp_path)
    assert text.returncode == 1, text.stderr
    assert text.stderr.endswith(
        "error: 1 download(s) failed; the rest is imported (run 'publisher import --update "
        "--show a' to finish them)\n"
    )


def test_a_failed_download_is_reported_once_with_its_url_and_reason(
    server: Server, media: Media, tmp_path: Path
) -> None:
    feed = HOSTS["anchor"](server, media)
    server.routes["/anchor/media/1.m4a"] = Route(status=500)
    done = run("import", server.url(feed.path), "--show", "a", cwd=tmp_path)
    assert done.returncode == 1
    said = done.stdout + done.stderr
    url = server.url("/anchor/play/1")  # the feed's URL, redirected to the file that fails
    assert said.count(url) == 1 and said.count("HTTP 500") == 1, said
    assert (
        f"  download failed: 2019-01-14-anchors-away-1: {url}: HTTP 500 Internal Server Error"
        in done.stdout.splitlines()
    )
    assert done.stderr.endswith(
        "error: 1 download(s) failed; the rest is imported (run 'publisher import --update "
        "--show a' to finish them)\n"
    )


def test_bad_input_is_one_line_and_writes_nothing(server: Server, tmp_path: Path) -> None:
    url = server.add("/page", b"<!doctype html><html><body><p>Hello", "text/html")
    done = run("import", url, "--show", "x", cwd=tmp_path)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.startswith(f"error: {url}:1: not an XML feed: ")
    assert done.stderr.endswith("(is it a web page rather than the feed?)\n")
    assert len(done.stderr.splitlines()) == 1 and "Traceback" not in done.stderr
    assert not (tmp_path / "x").exists()


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def progress(stream: io.StringIO) -> str:
    fetch = Fetch("https://old.example/a.mp3", "episodes/a.mp3", "audio")
    with DownloadProgress(stream=stream) as p:
        p.event(download.Started(fetch, 1, 1))
        p.event(download.Progress(2000, 4000, 1000.0, 2.0))
        p.event(download.Progress(4000, 4000, 1000.0, 0.0))
        p.event(download.Done(fetch, 4000, True))
    return stream.getvalue()


def test_download_progress_is_a_bar_on_a_terminal_and_lines_in_a_log() -> None:
    assert progress(io.StringIO()).splitlines() == [
        "download 1/1 episodes/a.mp3",
        "resumed and finished episodes/a.mp3 (4000 bytes)",
    ]
    bar = progress(Tty())
    assert "4.0/4.0 kB" in bar and "1/1 episodes/a.mp3" in bar
