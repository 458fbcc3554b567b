"""Issue 8's "Done when", as a producer does it from an empty folder: init, new, notes, an
MP3, check, publish to the preview folder; identities; drafts; status; the WebSub ping."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import imageio_ffmpeg
from lxml import etree

from publisher import config
from tests.support.cli import run
from tests.support.feedfiles import check_feed_rules
from tests.support.feedrules import violations
from tests.support.feedxml import NS
from tests.support.hub import receiver

PUBLIC = "https://night.example.net/pod/"
PREVIEW = "http://127.0.0.1:8000/"


def mp3(path: Path, seconds: int = 3, hz: int = 440) -> None:
    """A real MP3 made with ffmpeg."""
    subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-loglevel", "error", "-y", "-f", "lavfi", "-i",
         f"sine=frequency={hz}:duration={seconds}", "-ac", "1", "-b:a", "64k", str(path)],
        check=True,
    )  # fmt: skip


def write_notes(note: Path, body: str, **front: str) -> None:
    """Replace the scaffold's placeholder text with ``body``; set front matter lines."""
    head, _, _ = note.read_text(encoding="utf-8").partition("\n---\n")
    for key, value in front.items():
        head = "\n".join(x for x in head.splitlines() if not x.startswith((key + ":", "# " + key)))
        head += f"\n{key}: {value}"
    note.write_text(head + "\n---\n\n" + body + "\n", encoding="utf-8")


def ok(r: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert r.returncode == 0, r.stdout + r.stderr
    return r


def feed_guids(feed: Path) -> list[str]:
    return [str(g) for g in etree.parse(str(feed)).xpath("//podcast:guid/text()", namespaces=NS)]


def test_first_hour_and_every_week_after(tmp_path: Path) -> None:
    ok(run("init", "show", "--title", "Night Shift Science", "--public-url", PUBLIC, cwd=tmp_path))
    show = tmp_path / "show"
    r = ok(run("new", "First episode", "--date", "2026-11-01", cwd=show))
    note = show / "show_notes" / "2026-11-01-first-episode.md"
    assert "created show_notes/2026-11-01-first-episode.md" in r.stdout
    write_notes(note, "Why night shifts change sleep, and what helps.")
    mp3(show / "episodes" / "2026-11-01-first-episode.mp3")
    check = ok(run("check", cwd=show))
    assert "is the placeholder 'publisher init' made" in check.stderr
    ok(run("publish", cwd=show))
    feed = show / "public" / "feed.xml"
    channel = check_feed_rules(feed, PREVIEW)
    assert violations(feed.read_bytes()) == []  # the project's own rule checker agrees
    assert feed_guids(feed) == [config.podcast_guid(PUBLIC + "feed.xml")]
    assert channel.findtext("title") == "Night Shift Science"

    # Another show initialised the same way is another show; a loopback-only one has none.
    ok(
        run(
            "init",
            "other",
            "--title",
            "Other",
            "--public-url",
            "https://b.example.com/",
            cwd=tmp_path,
        )
    )
    ok(
        run(
            "init",
            "local",
            "--title",
            "Local",
            "--public-url",
            "http://127.0.0.1:8011/",
            cwd=tmp_path,
        )
    )
    for name in ("other", "local"):
        folder = tmp_path / name
        ok(run("new", "One", "--date", "2026-11-02", "--slug", "one", cwd=folder))
        write_notes(folder / "show_notes" / "one.md", "Notes.")
        mp3(folder / "episodes" / "one.mp3", hz=300)
        ok(run("publish", cwd=folder))
    (other,) = feed_guids(tmp_path / "other" / "public" / "feed.xml")
    assert other != feed_guids(feed)[0]
    assert feed_guids(tmp_path / "local" / "public" / "feed.xml") == []
    local_check = ok(run("check", cwd=tmp_path / "local"))
    assert local_check.stderr.count("carry no podcast:guid") == 1

    # Week to week: a second episode, a draft without audio, one scheduled, a WebSub hub.
    ok(run("new", "Naps", "--date", "2026-11-10", cwd=show))
    write_notes(show / "show_notes" / "2026-11-10-naps.md", "Short naps, long nights.")
    mp3(show / "episodes" / "2026-11-10-naps.mp3", hz=500)
    ok(run("new", "Rough idea", "--slug", "rough", cwd=show))
    write_notes(show / "show_notes" / "rough.md", "Maybe caffeine.", draft="true")
    ok(run("new", "Coming soon", "--date", "2026-12-20", "--slug", "soon", cwd=show))
    write_notes(show / "show_notes" / "soon.md", "Next month.")
    with receiver() as hub:
        cfg = show / "feed_config.yaml"
        cfg.write_text(cfg.read_text(encoding="utf-8") + f"websub_hub: {hub.url}\n")
        draft_check = ok(run("check", cwd=show))
        assert "show_notes/rough.md: warning: no audio for this note" in draft_check.stderr
        ok(run("publish", cwd=show))
        assert hub.received == [
            ("POST", "/hub", {"hub.mode": ["publish"], "hub.url": [PREVIEW + "feed.xml"]})
        ]
        ok(run("publish", cwd=show))  # nothing changed: no ping
        assert len(hub.received) == 1
    hub_link = etree.parse(str(feed)).xpath("//atom:link[@rel='hub']/@href", namespaces=NS)
    assert hub_link == [hub.url]
    check_feed_rules(feed, PREVIEW)
    assert violations(feed.read_bytes()) == []

    write_notes(note, "Why night shifts change sleep, and what helps. Now with a correction.")
    status = json.loads(ok(run("status", "--format", "json", cwd=show)).stdout)
    states = {e["slug"]: (e["state"], e["changes"]) for e in status["episodes"]}
    assert states == {
        "soon": ("scheduled", []),
        "rough": ("draft", []),
        "2026-11-10-naps": ("published", []),
        "2026-11-01-first-episode": ("changed", ["notes"]),
    }
    first = next(e for e in status["episodes"] if e["slug"] == "2026-11-01-first-episode")
    assert set(first) >= {"slug", "title", "guid", "date", "state", "changes"}
    assert first["title"] == "First episode" and first["date"].startswith("2026-11-01")
