"""Publish progress: plain lines in a log, a bar with bytes and files on a terminal."""

from __future__ import annotations

import io
import re

from publisher.cli.progress import PublishProgress
from publisher.publish import events as step


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def run(stream: io.StringIO) -> str:
    with PublishProgress(stream=stream) as p:
        p.event(step.FileStarted("media/a.mp3", "media", 3000, 1, 2, 4000))
        p.event(step.FileProgress("media/a.mp3", 3000, 3000, 3000))
        p.event(step.FileDone("media/a.mp3", 3000))
        p.event(step.FileStarted("feed.xml", "feed", 1000, 2, 2, 4000))
        p.event(step.FileDone("feed.xml", 1000))
        p.event(step.EnclosuresConfirmed(1))
    return stream.getvalue()


def test_plain_lines_when_not_a_terminal() -> None:
    assert run(io.StringIO()).splitlines() == [
        "upload 1/2 media/a.mp3 (3000 bytes)",
        "upload 2/2 feed.xml (1000 bytes)",
        "confirmed 1 enclosure on the target",
    ]
    with PublishProgress(stream=(stream := io.StringIO())) as p:
        p.event(step.EnclosuresConfirmed(1094))
    assert stream.getvalue() == "confirmed 1094 enclosures on the target\n"


def test_bar_with_bytes_and_files_on_a_terminal() -> None:
    out = run(Tty())
    assert "2/2 files" in out and "4.0/4.0 kB" in out


def test_each_large_file_has_its_own_row_on_a_terminal() -> None:
    stream = Tty()
    with PublishProgress(stream=stream) as p:
        p.event(step.FileStarted("media/a.mp3", "media", 20_000_000, 1, 3, 30_001_000))
        p.event(step.FileProgress("media/a.mp3", 20_000_000, 20_000_000, 20_000_000))
        p.event(step.FileDone("media/a.mp3", 20_000_000))
        p.event(step.FileStarted("media/b.mp3", "media", 10_000_000, 2, 3, 30_001_000))
        p.event(step.FileProgress("media/b.mp3", 4_000_000, 10_000_000, 24_000_000))
        p.event(step.FileProgress("media/b.mp3", 10_000_000, 10_000_000, 30_000_000))
        p.event(step.FileDone("media/b.mp3", 10_000_000))
        p.event(step.FileStarted("feed.xml", "feed", 1000, 3, 3, 30_001_000))
        p.event(step.FileDone("feed.xml", 1000))
    final = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", stream.getvalue()).rsplit("\r", 1)[-1]
    # each large file: a row of its own bytes, rate and time left; the small feed has none
    rate_left = r"(\?|[\d.]+ [kMG]?B/s) +(-:--:--|\d+:\d\d:\d\d)"
    assert re.search(r"  media/a\.mp3 .*20\.0/20\.0 MB " + rate_left, final), final
    assert re.search(r"  media/b\.mp3 .*10\.0/10\.0 MB " + rate_left, final), final
    assert "  feed.xml" not in final
    assert "30.0/30.0 MB" in final


def test_quiet_for_json_output() -> None:
    stream = io.StringIO()
    with PublishProgress(quiet=True, stream=stream) as p:
        p.event(step.FileStarted("feed.xml", "feed", 1, 1, 1, 1))
    assert stream.getvalue() == ""


def test_waits_and_cleaned_leftovers_are_said_on_a_terminal_and_in_a_log() -> None:
    waiting = "waiting for https://s3.example to answer (checking the bucket)"
    for stream in (io.StringIO(), Tty()):
        with PublishProgress(stream=stream) as p:
            p.event(step.Waiting(waiting))
            p.event(step.Cleaned("media/.tmp-x.part"))
        out = stream.getvalue()
        assert waiting in out
        assert "removed media/.tmp-x.part (left by an interrupted publish)" in out
