"""``publisher status``: each episode's state from the show, the live feed and the manifest."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

from PIL import Image

from publisher import status
from tests.support.cli import run
from tests.support.show import FIXED_NOW, copy_show

RED = "2026-09-15-red-flags"
IMAGING = "2026-09-01-imaging-without-pain"
GUIDELINES = "2026-10-01-what-guidelines-advise"


def states(show: Path) -> dict[str, tuple[str, tuple[str, ...]]]:
    report = status.status(show, now=FIXED_NOW)
    assert report.unreachable is None
    return {e.slug: (e.state, e.changes) for e in report.episodes}


def published(tmp_path: Path) -> Path:
    show = copy_show(tmp_path / "show")
    r = run("publish", cwd=show)
    assert r.returncode == 0, r.stderr
    return show


def test_a_fresh_show_is_ready_and_a_published_one_published(tmp_path: Path) -> None:
    show = copy_show(tmp_path / "show")
    assert states(show) == {s: ("ready", ()) for s in (RED, IMAGING, GUIDELINES)}
    assert run("publish", cwd=show).returncode == 0
    assert states(show) == {s: ("published", ()) for s in (RED, IMAGING, GUIDELINES)}


def test_changes_are_named(tmp_path: Path) -> None:
    show = published(tmp_path)
    note = show / "show_notes" / f"{RED}.md"
    note.write_text(note.read_text().replace("Red flags: what", "Red flags: what really"))
    audio = show / "episodes" / f"{IMAGING}.mp3"
    shutil.copy(show / "episodes" / f"{GUIDELINES}.mp3", audio)  # another recording
    art = io.BytesIO()
    Image.new("RGB", (1400, 1400), "teal").save(art, "JPEG")
    (show / "episodes" / f"{GUIDELINES}.jpg").write_bytes(art.getvalue())
    assert states(show) == {
        RED: ("changed", ("notes",)),
        IMAGING: ("changed", ("audio",)),
        GUIDELINES: ("changed", ("artwork",)),
    }


def test_same_size_audio_change_is_seen_through_the_manifest(tmp_path: Path) -> None:
    show = published(tmp_path)
    audio = show / "episodes" / f"{IMAGING}.mp3"
    data = bytearray(audio.read_bytes())
    data[-200] ^= 0xFF  # same size, other content: only the manifest's sha256 can tell
    audio.write_bytes(bytes(data))
    assert states(show)[IMAGING] == ("changed", ("audio",))


def test_removed_drafts_and_scheduled(tmp_path: Path) -> None:
    show = published(tmp_path)
    (show / "show_notes" / f"{RED}.md").unlink()
    (show / "episodes" / f"{RED}.m4a").unlink()
    notes = show / "show_notes"
    (notes / "idea.md").write_text("---\ntitle: Idea\ndate: 2026-11-01\ndraft: true\n---\nx\n")
    (notes / "soon.md").write_text("---\ntitle: Soon\ndate: 2026-12-24 09:00\n---\nx\n")
    report = status.status(show, now=FIXED_NOW)
    got = [(e.slug, e.state, e.date.isoformat() if e.date else None) for e in report.episodes]
    assert got == [
        ("soon", "scheduled", "2026-12-24T09:00:00+00:00"),
        ("idea", "draft", "2026-11-01T00:00:00+00:00"),
        (GUIDELINES, "published", "2026-10-01T00:00:00+01:00"),
        (IMAGING, "published", "2026-09-01T00:00:00+01:00"),
        (RED, "removed", None),
    ]
    removed = report.episodes[-1]
    assert (
        removed.title.startswith("Red flags")
        and removed.guid == "5b2e9d47-8c3f-4a6b-b1d0-2f7e8a9c3d12"
    )


def test_json_and_text_output(tmp_path: Path) -> None:
    show = published(tmp_path)
    (show / "show_notes" / "soon.md").write_text("---\ntitle: Soon\ndate: 2026-12-24\n---\nx\n")
    r = run("status", "--format", "json", cwd=show)
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["ok"] is True and data["target"] == "local" and data["unreachable"] is None
    first = data["episodes"][0]
    assert {k: first[k] for k in ("slug", "title", "guid", "date", "state", "changes")} == {
        "slug": "soon",
        "title": "Soon",
        "guid": "",
        "date": "2026-12-24T00:00:00+00:00",
        "state": "scheduled",
        "changes": [],
    }
    text = run("status", cwd=show).stdout.splitlines()
    assert text[0] == "2026-12-24       -  soon  'Soon'  scheduled for 2026-12-24T00:00:00+00:00"
    assert text[1].startswith("2026-10-01    0:") and text[1].endswith("published")


def test_without_access_to_the_target_local_states_are_shown(tmp_path: Path) -> None:
    show = copy_show(tmp_path / "show")
    (show / "public").write_text("not a folder")
    r = run("status", cwd=show)
    assert r.returncode == 0, r.stderr
    assert "cannot read target 'local': " in r.stderr
    assert "showing local states only (draft, scheduled, ready)" in r.stderr
    *lines, summary = r.stdout.splitlines()
    assert len(lines) == 3 and all(line.endswith("ready") for line in lines)
    assert summary == "3 episodes; target 'local' (not readable: local states only)"
    data = json.loads(run("status", "--format", "json", cwd=show).stdout)
    assert "Not a directory" in data["unreachable"]


def test_a_target_named_on_the_command_line_as_publish_takes_it(tmp_path: Path) -> None:
    show = copy_show(tmp_path / "show")
    folder = tmp_path / "elsewhere"
    where = ("--to", str(folder), "--public-url", "https://cdn.example.org/show/")
    r = run("status", *where, cwd=show)
    assert r.returncode == 0, r.stderr
    assert [line.rsplit("  ", 1)[1] for line in r.stdout.splitlines()[:3]] == ["ready"] * 3
    assert run("publish", *where, cwd=show).returncode == 0
    r = run("status", "--format", "json", *where, cwd=show)
    assert r.returncode == 0, r.stderr
    assert [e["state"] for e in json.loads(r.stdout)["episodes"]] == ["published"] * 3
    r = run("status", "--to", str(folder), cwd=show)  # half given: one line saying what to add
    assert r.returncode == 1 and "needs --public-url" in r.stderr and "Traceback" not in r.stderr


def test_a_broken_note_is_reported_and_the_rest_still_listed(tmp_path: Path) -> None:
    show = published(tmp_path)
    notes = show / "show_notes"
    (notes / "broken.md").write_text("---\n- title: Broken\n---\nx\n")  # not a mapping
    (show / "episodes" / "broken.mp3").write_bytes(
        (show / "episodes" / f"{IMAGING}.mp3").read_bytes()
    )
    red = notes / f"{RED}.md"
    red.write_text(red.read_text().replace("season: 1", "season: first"))  # published, now bad
    (notes / "idea.md").write_text("---\ntitle: Idea\ndate: 2026-11-01\ndraft: true\n---\nx\n")
    report = status.status(show, now=FIXED_NOW)
    assert [(e.slug, e.state) for e in report.episodes] == [
        ("idea", "draft"), (GUIDELINES, "published"), (IMAGING, "published"),
    ]  # fmt: skip
    assert [(p.path, p.line) for p in report.problems] == [(red, 5), (notes / "broken.md", 2)]
    r = run("status", cwd=show)
    assert r.returncode == 1
    *listed, summary = r.stdout.splitlines()
    assert [line.split()[2] for line in listed] == ["idea", GUIDELINES, IMAGING]
    assert (
        summary == "3 episodes; target 'local'; 2 problems below: an episode with one is not listed"
    )
    said = r.stderr.splitlines()
    assert said[-2:] == [
        f"show_notes/{RED}.md:5: 'season' must be a whole number from 1 up, not 'first' [I-12] "
        "(write e.g. 'season: 1')",
        "show_notes/broken.md:2: front matter must be a mapping of fields to values (write one "
        "'field: value' per line, e.g. 'title: Sleep and back pain' and 'date: 2026-09-01')",
    ]
    assert "written" not in r.stderr and "Traceback" not in r.stderr
    data = json.loads(run("status", "--format", "json", cwd=show).stdout)
    assert data["ok"] is False and len(data["problems"]) == 2
    assert [e["slug"] for e in data["episodes"]] == ["idea", GUIDELINES, IMAGING]


def test_a_draft_whose_notes_do_not_render_is_still_listed(tmp_path: Path) -> None:
    show = copy_show(tmp_path / "show")
    red = show / "show_notes" / f"{RED}.md"
    text = red.read_text().replace("season: 1", "season: 1\ndraft: true")
    red.write_text(text + "\nA claim.[@nosuchkey2020]\n")  # a warning while it is a draft
    report = status.status(show, now=FIXED_NOW)
    assert report.problems == ()
    assert (RED, "draft") in [(e.slug, e.state) for e in report.episodes]


def test_problems_of_the_config_stop_status_saying_nothing_of_writing(tmp_path: Path) -> None:
    show = copy_show(tmp_path / "show")
    cfg = show / "feed_config.yaml"
    cfg.write_text(cfg.read_text() + "locked: maybe\nfeed: 3\n")
    r = run("status", cwd=show)
    assert r.returncode == 1 and r.stdout == ""
    assert r.stderr.splitlines()[-1] == "2 problems found"
