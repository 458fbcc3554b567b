"""The command line as a producer runs it: exit codes, one line per problem, no tracebacks."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from publisher.stores.base import LOCK_KEY
from publisher.stores.lock import LockInfo
from tests.support.paths import DATA
from tests.support.show import copy_show

NOW = "2026-11-25T12:00:00+00:00"


def run(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "PUBLISHER_NOW": NOW, **(env or {})}
    full_env.pop("CI", None)
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "publisher", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def show(tmp_path: Path) -> Path:
    return copy_show(tmp_path / "show")


def test_check_writes_nothing(show: Path) -> None:
    before = sorted(p.relative_to(show) for p in show.rglob("*"))
    r = run("check", cwd=show)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("ok: Back to Evidence: 3 episodes in the feed")
    assert sorted(p.relative_to(show) for p in show.rglob("*")) == before


def test_publish_twice_then_dry_run(show: Path) -> None:
    first = run("publish", cwd=show)
    assert first.returncode == 0, first.stderr
    assert "published to" in first.stdout and (show / "public" / "feed.xml").exists()
    mtimes = {p: p.stat().st_mtime_ns for p in (show / "public").rglob("*") if p.is_file()}
    second = run("publish", cwd=show)
    assert second.returncode == 0
    assert second.stdout.startswith("nothing to publish: ")
    assert {p: p.stat().st_mtime_ns for p in (show / "public").rglob("*") if p.is_file()} == mtimes
    note = show / "show_notes" / "2026-09-15-red-flags.md"
    note.write_text(note.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    dry = run("publish", "--dry-run", cwd=show)
    assert dry.returncode == 0
    assert "  upload  episodes/2026-09-15-red-flags.html  (changed: " in dry.stdout
    assert "  upload  feed.xml  (changed: " in dry.stdout
    assert "media/" not in dry.stdout
    assert {p: p.stat().st_mtime_ns for p in (show / "public").rglob("*") if p.is_file()} == mtimes


def test_a_lock_note_is_in_publish_json(show: Path) -> None:
    """What a publish says of another's lock (held, for a dry run; broken) is in its JSON."""
    assert run("publish", cwd=show).returncode == 0
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    theirs = LockInfo("ana@studio", 4242, now, now + dt.timedelta(minutes=5), "t0k3n")
    (show / "public" / LOCK_KEY).write_bytes(theirs.to_json())
    dry = run("publish", "--dry-run", "--format", "json", cwd=show)
    assert dry.returncode == 0, dry.stderr
    note = json.loads(dry.stdout)["lock_note"]
    assert note.startswith("another publish is in progress: locked by ana@studio (pid 4242)")
    assert "a publish now would be refused" in note
    broke = run("publish", "--break-lock", "--format", "json", cwd=show)
    assert broke.returncode == 0, broke.stderr
    assert json.loads(broke.stdout)["lock_note"].startswith("broke the lock held by ana@studio")
    again = run("publish", "--dry-run", "--format", "json", cwd=show)
    assert json.loads(again.stdout)["lock_note"] is None


def test_problems_are_one_line_each_without_traceback(show: Path) -> None:
    (show / "episodes" / "2026-09-15-red-flags.m4a").write_bytes(os.urandom(4000))
    note = show / "show_notes" / "2026-10-01-what-guidelines-advise.md"
    note.write_text(
        note.read_text(encoding="utf-8").replace("season: 1", "season: first"), encoding="utf-8"
    )
    r = run("build", cwd=show)
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert lines[-1] == "2 problems found; nothing was written"
    assert lines[0].startswith("episodes/2026-09-15-red-flags.m4a: ")
    assert lines[1] == (
        "show_notes/2026-10-01-what-guidelines-advise.md:5: 'season' must be a "
        "whole number from 1 up, not 'first' [I-12] (write e.g. 'season: 1')"
    )
    assert not (show / "_site").exists()


def test_json_format(show: Path) -> None:
    r = run("check", "--format", "json", cwd=show)
    assert r.returncode == 0 and r.stderr == ""
    assert (
        json.loads(r.stdout)
        == {
            "ok": True,
            "problems": [],
            "warnings": [],
            "info": [],
            "episodes": 3,
            "pages": 11,  # home, all/1, archive index and 2 months, season 1, 3 episodes, a transcript, 404
            "feed_url": "http://127.0.0.1:8000/feed.xml",
        }
    )


def test_json_format_carries_warnings_as_objects(show: Path) -> None:
    note = show / "show_notes" / "2026-09-15-red-flags.md"
    note.write_text(
        note.read_text(encoding="utf-8").replace(
            'title: "Red flags', 'title: "Ep 2 - Red flags', 1
        ),
        encoding="utf-8",
    )
    r = run("check", "--format", "json", cwd=show)
    assert r.returncode == 0 and r.stderr == ""
    out = json.loads(r.stdout)
    assert (out["ok"], out["problems"], out["info"]) == (True, [], [])
    assert out["warnings"] == [
        {
            "path": "show_notes/2026-09-15-red-flags.md",
            "line": 2,
            "rule": "I-01",
            "message": "title 'Ep 2 - Red flags: what they can and cannot tell you' carries an "
            "episode or season number; put it in 'episode:'/'season:' instead [I-01]",
            "hint": None,
        }
    ]
    text = run("check", cwd=show)
    assert text.stderr == (
        "show_notes/2026-09-15-red-flags.md:2: warning: title 'Ep 2 - Red flags: what they can "
        "and cannot tell you' carries an episode or season number; put it in "
        "'episode:'/'season:' instead [I-01]\n"
    )


def test_json_format_of_problems(show: Path) -> None:
    note = show / "show_notes" / "2026-10-01-what-guidelines-advise.md"
    note.write_text(
        note.read_text(encoding="utf-8").replace("season: 1", "season: first"), encoding="utf-8"
    )
    r = run("build", "--format", "json", cwd=show)
    assert r.returncode == 1 and r.stderr == ""
    assert json.loads(r.stdout) == {
        "ok": False,
        "problems": [
            {
                "path": "show_notes/2026-10-01-what-guidelines-advise.md",
                "line": 5,
                "rule": "I-12",
                "message": "'season' must be a whole number from 1 up, not 'first' [I-12]",
                "hint": "write e.g. 'season: 1'",
            }
        ],
        "warnings": [],
        "info": [],
    }


def test_new_scaffolds_a_note_with_a_guid(show: Path) -> None:
    r = run("new", "Sleep & back pain: what's known?", cwd=show)
    assert r.returncode == 0, r.stderr
    path = show / "show_notes" / "2026-11-25-sleep-back-pain-what-s-known.md"
    assert r.stdout.splitlines() == [
        f"created {path.relative_to(show)}",
        "put the audio at episodes/2026-11-25-sleep-back-pain-what-s-known.mp3 (or .m4a), then "
        "run: publisher check",
    ]
    text = path.read_text(encoding="utf-8")
    assert text.startswith(  # now (PUBLISHER_NOW), to the second, with its offset
        "---\ntitle: 'Sleep & back pain: what''s known?'\ndate: 2026-11-25T12:00:00+00:00\nguid: "
    )
    again = run("new", "Sleep & back pain: what's known?", cwd=show)
    assert again.returncode == 1 and "already exists" in again.stderr


def test_ci_mode_refuses_to_mint_guids(show: Path) -> None:
    note = show / "show_notes" / "2026-09-15-red-flags.md"
    text = note.read_text(encoding="utf-8")
    note.write_text(
        "\n".join(x for x in text.split("\n") if not x.startswith("guid:")), encoding="utf-8"
    )
    before = note.read_bytes()
    r = run("build", cwd=show, env={"CI": "true"})
    assert r.returncode == 1
    assert "no 'guid' in the front matter [I-04]" in r.stderr
    assert note.read_bytes() == before
    ok = run("build", cwd=show)
    assert ok.returncode == 0, ok.stderr
    assert "wrote 'guid: " in ok.stderr and note.read_bytes() != before


def test_ad_hoc_target_needs_public_url(show: Path) -> None:
    r = run("publish", "--to", "s3://bucket/show", cwd=show)
    assert r.returncode == 1
    assert r.stderr.strip() == (
        "error: --to s3://bucket/show needs --public-url (the URL apps and "
        "listeners use, e.g. https://cdn.example.org/show/)"
    )


def test_unknown_target(show: Path) -> None:
    r = run("build", "--to", "staging", cwd=show)
    assert r.returncode == 1
    assert r.stderr.strip() == (
        "feed_config.yaml: no target named 'staging'; targets: local, production "
        "(or pass --to s3://bucket/prefix --public-url URL)"
    )


def test_new_then_check_refuses_the_placeholder(show: Path) -> None:
    r = run("new", "Sleep", "--date", "2026-11-20", cwd=show)
    assert r.returncode == 0, r.stderr
    (show / "episodes" / "2026-11-20-sleep.mp3").write_bytes(
        (show / "episodes" / "2026-10-01-what-guidelines-advise.mp3").read_bytes()
    )
    check = run("check", cwd=show)
    assert check.returncode == 1
    assert check.stderr.strip() == (
        "show_notes/2026-11-20-sleep.md:9: the note still holds the placeholder text from "
        "'publisher new' (replace it with the episode's show notes)"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["new", ""],
            "error: publisher new: the title is empty (pass the episode's title in quotes, e.g. "
            'publisher new "Sleep and back pain")',
        ),
        (
            ["new", "   "],
            "error: publisher new: the title is empty (pass the episode's title in quotes, e.g. "
            'publisher new "Sleep and back pain")',
        ),
        (
            ["new", "睡眠と腰痛"],
            "error: publisher new: cannot make a file name from the title '睡眠と腰痛' (pass one "
            "with --slug, e.g. --slug sleep)",
        ),
        (
            ["new", "x", "--slug", "bad slug"],
            "error: publisher new: --slug 'bad slug' is not a safe episode name [D-05] (use ASCII "
            "letters, digits, '-' and '_' only, e.g. --slug sleep-and-back-pain)",
        ),
    ],
)
def test_new_refuses_bad_titles_and_slugs(show: Path, args: list[str], message: str) -> None:
    r = run(*args, cwd=show)
    assert r.returncode == 1
    assert r.stderr.strip() == message


def test_new_keeps_unicode_titles_readable_and_bad_dates_are_usage_errors(show: Path) -> None:
    r = run("new", "Ça va? Ñandú — 睡眠", "--slug", "ca-va", cwd=show)
    assert r.returncode == 0, r.stderr
    assert "title: Ça va? Ñandú — 睡眠\n" in (show / "show_notes" / "ca-va.md").read_text(
        encoding="utf-8"
    )
    bad = run("new", "x", "--date", "15/09/2026", cwd=show)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert "'15/09/2026' is not a date like 2026-09-15" in bad.stderr


def test_impossible_date_in_front_matter_is_one_line(show: Path) -> None:
    note = show / "show_notes" / "2026-09-15-red-flags.md"
    note.write_text(
        note.read_text(encoding="utf-8").replace("date: 2026-09-15", "date: 2026-02-30")
    )
    r = run("check", cwd=show)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert r.stderr.strip() == (
        "show_notes/2026-09-15-red-flags.md:3: 'date': invalid value '2026-02-30': day is out of "
        "range for month (dates are written 2026-09-15 or 2026-09-15 08:30)"
    )


def test_dry_run_writes_no_guid_into_any_file(show: Path) -> None:
    note = show / "show_notes" / "2026-09-15-red-flags.md"
    note.write_text("".join(x for x in note.read_text(encoding="utf-8").splitlines(keepends=True)
                            if not x.startswith("guid:")), encoding="utf-8")  # fmt: skip
    cfg = show / "feed_config.yaml"
    cfg.write_text("".join(x for x in cfg.read_text(encoding="utf-8").splitlines(keepends=True)
                           if not x.startswith("podcast_guid:")), encoding="utf-8")  # fmt: skip
    before = {p: p.read_bytes() for p in (note, cfg)}
    r = run("publish", "--dry-run", cwd=show)
    assert r.returncode == 0, r.stderr
    assert {p: p.read_bytes() for p in (note, cfg)} == before
    assert (
        "show_notes/2026-09-15-red-flags.md: has no guid yet; a real publish writes one" in r.stderr
    )
    assert "feed_config.yaml: a real publish writes 'podcast_guid: 27f3405e" in r.stderr
    assert not (show / "public").exists()


def test_problems_of_every_stage_are_reported_together(show: Path) -> None:
    notes = show / "show_notes"
    a = notes / "2026-09-15-red-flags.md"
    a.write_text(
        a.read_text(encoding="utf-8").replace("season: 1", "season: zero"), encoding="utf-8"
    )
    b = notes / "2026-10-01-what-guidelines-advise.md"
    b.write_text(b.read_text(encoding="utf-8") + "\nA claim.[@nosuchkey2020]\n", encoding="utf-8")
    (show / "episodes" / "orphan.mp3").write_bytes(b"")
    r = run("check", cwd=show)
    assert r.returncode == 1
    lines = r.stderr.strip().splitlines()
    assert lines[-1] == "3 problems found"  # check writes nothing, ever: it does not say so
    built = run("build", cwd=show)
    assert built.stderr.strip().splitlines()[-1] == "3 problems found; nothing was written"
    assert any("'season' must be a whole number" in x for x in lines)
    assert any("unknown citation key 'nosuchkey2020'" in x for x in lines)
    assert any(x.startswith("episodes/orphan.mp3: audio without a note") for x in lines)


def test_a_broken_bibliography_is_the_only_problem_reported(show: Path) -> None:
    bib = show / "show_notes" / "references.bib"
    bib.write_text(bib.read_text(encoding="utf-8") + "\n@article{broken,\n  title = {unclosed\n")
    r = run("check", cwd=show)
    assert r.returncode == 1
    (line,) = r.stderr.strip().splitlines()
    assert line.startswith("show_notes/references.bib:") and "malformed BibTeX" in line


def test_a_failed_build_writes_no_guid(show: Path) -> None:
    note = show / "show_notes" / "2026-09-15-red-flags.md"
    note.write_text("".join(x for x in note.read_text(encoding="utf-8").splitlines(keepends=True)
                            if not x.startswith("guid:")), encoding="utf-8")  # fmt: skip
    cfg = show / "feed_config.yaml"
    cfg.write_text("".join(x for x in cfg.read_text(encoding="utf-8").splitlines(keepends=True)
                           if not x.startswith("podcast_guid:")), encoding="utf-8")  # fmt: skip
    other = show / "show_notes" / "2026-10-01-what-guidelines-advise.md"
    other.write_text(other.read_text(encoding="utf-8") + "\nA claim.[@nosuchkey2020]\n")
    before = {p: p.read_bytes() for p in (note, cfg, other)}
    failed = run("build", cwd=show)
    assert failed.returncode == 1 and "unknown citation key 'nosuchkey2020'" in failed.stderr
    assert {p: p.read_bytes() for p in (note, cfg, other)} == before  # nothing was written
    other.write_bytes(before[other].replace(b"\nA claim.[@nosuchkey2020]\n", b""))
    ok = run("build", cwd=show)
    assert ok.returncode == 0, ok.stderr
    assert "wrote 'guid: " in ok.stderr and "wrote 'podcast_guid: 27f3405e" in ok.stderr
    assert note.read_bytes() != before[note] and cfg.read_bytes() != before[cfg]


def test_serve_takes_a_target_name_not_a_folder(show: Path) -> None:
    r = run("serve", "--to", "/tmp/elsewhere", cwd=show)
    assert r.returncode == 1
    assert r.stderr.strip() == (
        "error: --to /tmp/elsewhere: this command takes the name of a target in "
        "feed_config.yaml (add the location as a target there, or use its name)"
    )


def test_check_writes_nothing_for_a_show_with_embedded_artwork(show: Path) -> None:
    """Embedded cover art and artwork renditions are kept by a build, never by check."""
    shutil.copyfile(
        DATA / "audio" / "tagged.mp3", show / "episodes" / "2026-09-01-imaging-without-pain.mp3"
    )
    before = sorted(p.relative_to(show) for p in show.rglob("*"))
    r = run("check", cwd=show)
    assert r.returncode == 0, r.stderr
    assert sorted(p.relative_to(show) for p in show.rglob("*")) == before
