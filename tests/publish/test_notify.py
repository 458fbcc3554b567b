"""Apps told at once: the WebSub hub and the publish-notify endpoint, on a real loopback
receiver; a failed notification is a warning, never a failed publish."""

from __future__ import annotations

import dataclasses
import json
import socket
from pathlib import Path

from publisher import config
from publisher.publish import notify
from tests.support.cli import run
from tests.support.hub import receiver
from tests.support.paths import ROOT
from tests.support.show import copy_show

FEED = "https://podcast.example.org/feed.xml"
PI = "https://api.podcastindex.org/api/1.0/hub/pubnotify"


def sample(**changes: str | None) -> object:
    return dataclasses.replace(config.load(ROOT), **changes)


def test_pings_for_a_public_feed() -> None:
    show = sample(websub_hub="https://hub.example.org/", podcast_index_notify=PI)
    assert notify.pings(show, FEED) == (  # type: ignore[arg-type]
        notify.Ping(
            "WebSub hub",
            "https://hub.example.org/",
            b"hub.mode=publish&hub.url=https%3A%2F%2Fpodcast.example.org%2Ffeed.xml",
        ),
        notify.Ping(
            "publish-notify endpoint",
            PI + "?url=https%3A%2F%2Fpodcast.example.org%2Ffeed.xml",
            None,
        ),
    )
    assert notify.pings(sample(), FEED) == ()  # type: ignore[arg-type]


def test_a_loopback_feed_is_announced_only_to_endpoints_that_are_not_public() -> None:
    local = "http://127.0.0.1:8000/feed.xml"
    show = sample(websub_hub="https://hub.example.org/", podcast_index_notify=PI)
    assert notify.pings(show, local) == ()  # type: ignore[arg-type]
    show = sample(websub_hub="http://127.0.0.1:9/hub")
    assert [p.url for p in notify.pings(show, local)] == ["http://127.0.0.1:9/hub"]  # type: ignore[arg-type]


def test_send_reports_each_endpoint_and_its_status() -> None:
    with receiver(204) as good, receiver(503, "/notify") as bad:
        ping_ok = notify.Ping("WebSub hub", good.url, b"hub.mode=publish&hub.url=x")
        ping_bad = notify.Ping("publish-notify endpoint", bad.url + "?url=x&key=s3cret", None)
        done, failed = notify.send([ping_ok, ping_bad])
    assert not done.warning and done.message == f"told the WebSub hub {good.url}: HTTP 204"
    assert failed.warning
    assert failed.message == (
        f"could not tell the publish-notify endpoint {bad.url} that the feed changed: HTTP 503"
    )
    assert "s3cret" not in str(failed)
    assert good.received == [("POST", "/hub", {"hub.mode": ["publish"], "hub.url": ["x"]})]
    assert bad.received == [("GET", "/notify", {"url": ["x"], "key": ["s3cret"]})]


def test_an_endpoint_that_does_not_answer_is_a_warning() -> None:
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    (warning,) = notify.send([notify.Ping("WebSub hub", f"http://127.0.0.1:{port}/", b"x")])
    assert warning.warning and warning.message.startswith(
        f"could not tell the WebSub hub http://127.0.0.1:{port}/ that the feed changed: no answer"
    )


def test_publish_pings_after_a_change_only_and_survives_a_failing_hub(tmp_path: Path) -> None:
    show = copy_show(tmp_path / "show")
    cfg = show / "feed_config.yaml"
    with receiver(500) as hub, receiver(200, "/pubnotify") as pi:
        cfg.write_text(cfg.read_text() + f"websub_hub: {hub.url}\npodcast_index_notify: {pi.url}\n")
        first = run("publish", cwd=show)
        assert first.returncode == 0, first.stderr
        assert (
            f"warning: could not tell the WebSub hub {hub.url} that the feed changed: HTTP 500 "
            "(the publish itself succeeded; apps find the new feed on their next poll)"
        ) in first.stderr
        assert f"told the publish-notify endpoint {pi.url}: HTTP 200" in first.stderr
        feed_url = "http://127.0.0.1:8000/feed.xml"
        assert hub.received == [("POST", "/hub", {"hub.mode": ["publish"], "hub.url": [feed_url]})]
        assert pi.received == [("GET", "/pubnotify", {"url": [feed_url]})]
        again = run("publish", cwd=show)
        assert again.returncode == 0 and "nothing to publish" in again.stdout
        assert len(hub.received) == 1 and len(pi.received) == 1
        note = show / "show_notes" / "2026-09-15-red-flags.md"
        note.write_text(note.read_text() + "\nOne more line.\n")
        third = run("publish", cwd=show)
        assert third.returncode == 0 and len(hub.received) == 2 and len(pi.received) == 2
        dry = run("publish", "--dry-run", cwd=show)
        assert dry.returncode == 0 and len(hub.received) == 2


def test_publish_json_reports_the_notifications(tmp_path: Path) -> None:
    show = copy_show(tmp_path / "show")
    cfg = show / "feed_config.yaml"
    with receiver(404) as hub:
        cfg.write_text(cfg.read_text() + f"websub_hub: {hub.url}\n")
        r = run("publish", "--format", "json", cwd=show)
        assert r.returncode == 0, r.stderr
        data = json.loads(r.stdout)
        (told,) = [w for w in data["warnings"] if "WebSub" in w["message"]]
        assert told["message"].endswith(f"{hub.url} that the feed changed: HTTP 404")
        assert data["ok"] is True
        assert len(hub.received) == 1
