"""Drafts and schedules: an episode not yet due needs no audio, its problems are warnings that
block nothing, and a drafts preview (build/serve --drafts) marks it and is never published."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from lxml import etree

from publisher import build
from publisher.errors import PublisherError, StoreError
from publisher.publish import run as deploy
from tests.support.cli import run
from tests.support.show import FIXED_NOW

NEW = "2026-11-20-sleep"  # dated before FIXED_NOW (2026-11-25)
LATER = FIXED_NOW + dt.timedelta(days=30)


def add_note(show: Path, slug: str, front: str, body: str = "Notes.\n") -> Path:
    path = show / "show_notes" / f"{slug}.md"
    path.write_text(f"---\ntitle: Sleep\n{front}---\n{body}", encoding="utf-8")
    return path


def titles(site: Path) -> list[str]:
    return [str(t) for t in etree.parse(str(site / "feed.xml")).xpath("//item/title/text()")]


def test_a_draft_without_audio_blocks_nothing(sample_show: Path) -> None:
    note = add_note(sample_show, NEW, "date: 2026-11-20\ndraft: true\n")
    result = build.build(sample_show, now=FIXED_NOW, guid_mode="preview")
    assert len(titles(result.site_dir)) == 3
    assert f"{note}: warning: no audio for this note; expected episodes/{NEW}.mp3 or .m4a " \
        "(put the audio there, or add 'draft: true' to the note until it is ready; a draft: an " \
        "error once 'draft: true' is removed)" in map(str, result.notices)  # fmt: skip
    assert f"{note}: draft, left out" in map(str, result.notices)
    note.write_text(note.read_text().replace("draft: true\n", ""))  # due now: an error again
    with pytest.raises(PublisherError) as info:
        build.build(sample_show, now=FIXED_NOW, guid_mode="preview")
    assert "no audio for this note" in str(info.value)


@pytest.mark.parametrize(
    ("front", "body", "audio", "words"),
    [
        ("", "A claim.[@nosuchkey2020]\n", True, "unknown citation key 'nosuchkey2020'"),
        ("season: zero\n", "Notes.\n", True, "'season' must be a whole number"),
        ("", "Notes.\n", False, "no audio for this note"),
        ("", "Notes.\n", "broken", "re-export or re-upload the file"),
        ("", "Notes.\n", "chapters", "chapters"),
    ],
)
def test_problems_of_a_scheduled_episode_are_warnings_until_it_is_due(
    sample_show: Path, front: str, body: str, audio: bool | str, words: str
) -> None:
    date = LATER.date().isoformat()
    add_note(sample_show, NEW, f"date: {date}\n{front}", body)
    media = sample_show / "episodes" / f"{NEW}.mp3"
    if audio:
        shutil.copy(sample_show / "episodes" / "2026-10-01-what-guidelines-advise.mp3", media)
    if audio == "broken":
        media.write_bytes(b"ID3 not really audio" * 10)
    if audio == "chapters":
        (sample_show / "episodes" / f"{NEW}.chapters.json").write_text('{"version": "1.2.0"}')
    result = build.build(sample_show, now=FIXED_NOW, guid_mode="preview")
    warnings = [str(n) for n in result.notices if "not yet due: an error once it is" in str(n)]
    assert warnings and all(words in w for w in warnings[:1]), result.notices
    assert len(titles(result.site_dir)) == 3  # the rest of the show is published
    with pytest.raises(PublisherError) as info:  # once due, the same problem is an error
        build.build(sample_show, now=LATER + dt.timedelta(days=1), guid_mode="preview")
    assert words in str(info.value)


def test_a_drafts_build_marks_them_and_is_never_published(sample_show: Path) -> None:
    add_note(sample_show, NEW, "date: 2026-11-20\ndraft: true\n")
    add_note(sample_show, "later", f"date: {LATER.date().isoformat()}\n")
    for slug in (NEW, "later"):
        shutil.copy(
            sample_show / "episodes" / "2026-10-01-what-guidelines-advise.mp3",
            sample_show / "episodes" / f"{slug}.mp3",
        )
    result = build.build(sample_show, now=FIXED_NOW, guid_mode="preview", drafts=True)
    assert result.drafts and (result.site_dir / build.DRAFTS_MARKER).exists()
    found = titles(result.site_dir)
    assert f"[SCHEDULED FOR {LATER.date().isoformat()}T00:00:00+00:00] Sleep" in found
    assert "[DRAFT] Sleep" in found and len(found) == 5
    page = (result.site_dir / "episodes" / f"{NEW}.html").read_text()
    assert '<strong class="badge preview-label">Preview only: draft</strong>' in page
    index = (result.site_dir / "index.html").read_text()
    assert index.count("Preview only:") == 2
    with pytest.raises(StoreError) as info:
        deploy.publish(result, verify=False)
    assert "refusing to publish a build with drafts in it" in str(info.value)
    assert not (sample_show / "public").exists()
    plain = build.build(sample_show, now=FIXED_NOW, guid_mode="preview")
    assert len(titles(plain.site_dir)) == 3 and not (plain.site_dir / build.DRAFTS_MARKER).exists()
    assert not any(k.key.endswith(f"{NEW}.mp3") for k in plain.files)


def test_serve_drafts_serves_a_marked_preview(sample_show: Path) -> None:
    add_note(sample_show, NEW, "date: 2026-11-20\ndraft: true\n")
    shutil.copy(
        sample_show / "episodes" / "2026-10-01-what-guidelines-advise.mp3",
        sample_show / "episodes" / f"{NEW}.mp3",
    )
    assert run("build", "--drafts", cwd=sample_show).returncode == 0
    proc = subprocess.Popen(
        [sys.executable, "-m", "publisher", "serve", "--drafts", "--port", "0"],
        cwd=sample_show,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**__import__("os").environ, "PUBLISHER_NOW": FIXED_NOW.isoformat()},
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()  # printed once the socket is bound
        url = line.split(" at ", 1)[1].split(" ", 1)[0]
        with urllib.request.urlopen(url + f"episodes/{NEW}.html", timeout=30) as r:
            assert "Preview only: draft" in r.read().decode()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert not (sample_show / "public").exists()  # nothing published


def test_a_drafts_build_says_which_it_shows_and_which_it_cannot(sample_show: Path) -> None:
    """An episode not yet due whose notes cannot be rendered (a warning says why) is said to
    be left out of the preview, never "included"; one that renders is included, marked."""
    add_note(sample_show, NEW, "date: 2026-11-20\ndraft: true\n", "A claim.[@nosuchkey2020]\n")
    good = add_note(sample_show, "later", f"date: {LATER.date().isoformat()}\n")
    for slug in (NEW, "later"):
        shutil.copy(
            sample_show / "episodes" / "2026-10-01-what-guidelines-advise.mp3",
            sample_show / "episodes" / f"{slug}.mp3",
        )
    result = build.build(sample_show, now=FIXED_NOW, guid_mode="preview", drafts=True)
    said = [str(n) for n in result.notices]
    bad = sample_show / "show_notes" / f"{NEW}.md"
    warning = [s for s in said if "unknown citation key 'nosuchkey2020'" in s]
    assert len(warning) == 1 and "a draft: an error once 'draft: true' is removed" in warning[0]
    assert f"{bad}: draft, left out of this preview (its problems are the warnings above: " \
        "fix them to see it)" in said  # fmt: skip
    assert not [s for s in said if s.startswith(f"{bad}: draft, included")], said
    assert f"{good}: scheduled for {LATER.date().isoformat()}T00:00:00+00:00, included in " \
        "this preview, marked" in said  # fmt: skip
    assert not (result.site_dir / "episodes" / f"{NEW}.html").exists()
    assert (result.site_dir / "episodes" / "later.html").exists()
    assert len(titles(result.site_dir)) == 4


def test_a_run_that_fails_still_says_its_warnings(sample_show: Path) -> None:
    """Warnings found before the problems that stop a run are said with them (text: before
    the problems; JSON: in "warnings"), so that fixing the problems holds no surprise."""
    add_note(sample_show, "later", f"date: {LATER.date().isoformat()}\n", "A[@nokey1]\n")
    shutil.copy(
        sample_show / "episodes" / "2026-10-01-what-guidelines-advise.mp3",
        sample_show / "episodes" / "later.mp3",
    )
    broken = sample_show / "show_notes" / "2026-09-15-red-flags.md"
    broken.write_text(broken.read_text().replace("[@", "[@nokey2] [@", 1))
    rel = str(broken.relative_to(sample_show))
    for command in ("build", "check"):
        r = run(command, cwd=sample_show)
        assert r.returncode == 1, r.stderr
        lines = r.stderr.splitlines()
        said = [(s.split(":", 1)[0], s) for s in lines]  # paths as said: from the show folder
        warned = [
            i for i, (p, s) in enumerate(said) if p == "show_notes/later.md" and "nokey1" in s
        ]
        failed = [i for i, (p, s) in enumerate(said) if p == rel and "nokey2" in s]
        assert warned and failed and warned[0] < failed[0], lines
        assert "warning: unknown citation key 'nokey1'" in lines[warned[0]]
        data = json.loads(run(command, "--format", "json", cwd=sample_show).stdout)
        assert not data["ok"] and [p for p in data["problems"] if "nokey2" in p["message"]]
        assert [w for w in data["warnings"] if "nokey1" in w["message"]], data
