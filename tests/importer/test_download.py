"""Downloads: several at a time, resumed with Range after an interruption (in the same run,
or by a rerun), verified against the length the server reports, http(s) only; a failure is
named and the rest continue."""

from __future__ import annotations

from pathlib import Path

from publisher.importer import download
from publisher.importer.model import Fetch
from tests.support.httpserver import Route, Server
from tests.support.media import Media


def test_a_response_cut_midway_resumes_with_range(
    server: Server, media: Media, tmp_path: Path
) -> None:
    server.routes["/a.mp3"] = Route(media.mp3, "audio/mpeg", cut_after=3000, cuts_left=1)
    events: list[download.Event] = []
    (result,) = download.download_all(
        [Fetch(server.url("/a.mp3"), "episodes/a.mp3", "audio")], tmp_path, events=events.append
    )
    assert result.error is None and result.resumed
    assert (tmp_path / "episodes" / "a.mp3").read_bytes() == media.mp3
    assert not (tmp_path / "episodes" / "a.mp3.part").exists()
    assert [r[2] for r in server.requests("/a.mp3")] == [None, "bytes=3000-"]
    progress = [e for e in events if isinstance(e, download.Progress)]
    assert progress[-1].done_bytes == len(media.mp3)  # what arrived, counted once
    assert progress[-1].total_bytes == len(media.mp3)
    assert progress[-1].rate > 0 and progress[-1].seconds_left == 0


def test_a_failed_download_is_named_the_rest_continue_and_a_rerun_resumes(
    server: Server, media: Media, tmp_path: Path
) -> None:
    # Every answer is cut: the tries run out, the part stays, and the other file arrives.
    server.routes["/cut.mp3"] = Route(media.mp3, "audio/mpeg", cut_after=1000, cuts_left=4)
    server.add("/ok.mp3", media.mp3_long, "audio/mpeg")
    fetches = [
        Fetch(server.url("/cut.mp3"), "episodes/cut.mp3", "audio"),
        Fetch(server.url("/missing.mp3"), "episodes/missing.mp3", "audio"),
        Fetch(server.url("/ok.mp3"), "episodes/ok.mp3", "audio"),
    ]
    cut, missing, ok = download.download_all(fetches, tmp_path, workers=3)
    assert ok.error is None and ok.size == len(media.mp3_long)
    assert missing.error == "HTTP 404 Not Found"
    assert cut.error is not None and cut.error.endswith("; 4000 bytes kept, a rerun resumes")
    assert (tmp_path / "episodes" / "cut.mp3.part").stat().st_size == 4000
    (again,) = download.download_all(fetches[:1], tmp_path)
    assert again.error is None and again.resumed
    assert (tmp_path / "episodes" / "cut.mp3").read_bytes() == media.mp3
    assert server.requests("/cut.mp3")[-1][2] == "bytes=4000-"


def test_only_http_and_https_and_never_outside_the_folder(
    server: Server, media: Media, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("do not copy")
    server.routes["/to-file"] = Route(redirect=secret.as_uri())
    server.add("/a.mp3", media.mp3, "audio/mpeg")
    show = tmp_path / "show"
    results = download.download_all(
        [
            Fetch(secret.as_uri(), "episodes/x.mp3", "audio"),
            Fetch(server.url("/to-file"), "episodes/y.mp3", "audio"),
            Fetch(server.url("/a.mp3"), "../outside.mp3", "audio"),
        ],
        show,
    )
    assert [r.error for r in results] == [
        f"not an http(s) URL: {secret.as_uri()}",
        f"redirected to a non-http(s) URL: {secret.as_uri()}",
        "its file would lie outside the show folder",
    ]
    assert not (tmp_path / "outside.mp3").exists()
    assert not list(show.rglob("*.mp3"))


def test_a_file_shorter_than_the_server_said_is_not_complete(
    server: Server, media: Media, tmp_path: Path
) -> None:
    server.routes["/short.mp3"] = Route(media.mp3, "audio/mpeg", cut_after=10, cuts_left=99)
    (result,) = download.download_all(
        [Fetch(server.url("/short.mp3"), "episodes/s.mp3", "audio")], tmp_path
    )
    assert result.path is None and not (tmp_path / "episodes" / "s.mp3").exists()
