"""A rebuild reads each note once (issue 11): the due-date peek and the episode share one
parse of its front matter."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from publisher import audio, config, episodes
from publisher.episodes import reader
from publisher.episodes.frontmatter import FrontMatter, KeptParses, read_front_matter
from tests.support.paths import TESTS
from tests.support.show import copy_show

AUDIO = TESTS / "data" / "audio"


def note(show: Path, slug: str, front: str) -> None:
    path = show / "show_notes" / f"{slug}.md"
    path.write_text(f"---\n{front}---\nSome notes.\n", encoding="utf-8")


def test_each_note_is_parsed_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    show = copy_show(tmp_path / "show")
    for p in [*(show / "show_notes").glob("*.md"), *(show / "episodes").iterdir()]:
        p.unlink()
    parsed: list[Path] = []

    def counted(note_path: Path, zone: ZoneInfo, kept: KeptParses | None = None) -> FrontMatter:
        parsed.append(note_path)
        return read_front_matter(note_path, zone, kept)

    monkeypatch.setattr(reader, "read_front_matter", counted)
    for slug in ("one", "two"):
        shutil.copy(AUDIO / "cbr.mp3", show / "episodes" / f"{slug}.mp3")
        note(show, slug, f"title: {slug}\ndate: 2026-09-01\nguid: g-{slug}\n")
    note(show, "later", "title: Later\ndate: 2099-01-01\nguid: g-later\n")  # held, no audio
    note(show, "broken", "title: [unclosed\n")  # its one parse fails: reported once
    found = episodes.read_episodes(
        config.load(show),
        audio.read_audio,
        guid_mode="refuse",
        raise_problems=False,
        now=dt.datetime.now(dt.UTC),
    )
    assert [e.slug for e in found.episodes] == ["one", "two"]
    assert [p.slug for p in found.pending] == ["later"]
    assert [p.path.name for p in found.problems if p.path] == ["broken.md"]
    assert sorted(p.stem for p in parsed) == ["broken", "later", "one", "two"]
