"""A note's parse is kept in the build cache for the version of the file it was read from
(issue 11): a rebuild reads 1,000 unchanged notes' fields from there, and never trusts a
kept parse for a note that changed, or one JSON cannot give back exactly."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from publisher.episodes import frontmatter
from publisher.episodes.frontmatter import FrontMatter, read_front_matter
from publisher.errors import EpisodeError
from publisher.filecache import CACHE_FILE, BuildCache

LONDON = ZoneInfo("Europe/London")
BODY = "Notes citing [@brinjikji2015]: “30–40 %”.\n"

FRONTS = {
    "a date": "title: One\ndate: 2026-09-01\nguid: g-1\n",
    "a time with an offset": "title: Two\ndate: 2026-09-01T08:30:00+01:00\n",
    "a time without one": "title: Three\ndate: 2026-09-01 08:30\nseason: 2\nepisode: 7\n",
    "a quoted time": "title: Four\ndate: '2026-09-01T08:30:00+00:00'\nexplicit: true\n",
    "lists and people": (
        "title: Five\ndate: 2026-09-01\nkeywords: [backs, 'scans', 3]\n"
        "persons:\n  - name: Dr Ada\n    role: guest\n    href: https://example.org/ada\n"
        "summary: >\n  Folded\n  text, with “quotes”.\n"
    ),
    "odd keys and values": (
        'title: "Six: yes"\ndate: 2026-09-01\n"yes": no\n123: 4.5\nepisode_type: bonus\n'
        "draft: false\nsummary: ~\nepisode: .nan\n"
    ),
    "a key like a tag": 'title: Seven\ndate: 2026-09-01\npersons: {"\\0date": "2026-01-01"}\n',
}


def _note(tmp_path: Path, front: str, body: str = BODY) -> Path:
    note = tmp_path / "show_notes" / "one.md"
    note.parent.mkdir(parents=True, exist_ok=True)
    note.write_text(f"---\n{front}---\n{body}", encoding="utf-8")
    return note


def facts(front: FrontMatter) -> tuple[object, ...]:
    """Everything a read gives, with each value's type and each problem as it is printed."""
    problems = [(p.message, p.path, p.line, p.hint) for p in front.problems]
    values = {k: (type(v), v) for k, v in front.values.items()}
    return values, front.first_line, front.body_sha256, front.body_line, front.lines, problems


def _read_twice(
    tmp_path: Path, note: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[tuple[object, ...], tuple[object, ...], tuple[object, ...], int]:
    """The note read without a cache, read into a saved cache, and read from it (facts)."""
    plain = read_front_matter(note, LONDON)
    cache = BuildCache(tmp_path)
    first = read_front_matter(note, LONDON, cache)
    cache.save()
    reads: list[Path] = []
    real = frontmatter._parse
    monkeypatch.setattr(frontmatter, "_parse", lambda p: reads.append(p) or real(p))
    again = read_front_matter(note, LONDON, BuildCache(tmp_path))
    monkeypatch.setattr(frontmatter, "_parse", real)
    return facts(plain), facts(first), facts(again), len(reads)


@pytest.mark.parametrize("front", FRONTS.values(), ids=FRONTS.keys())
def test_an_unchanged_note_is_read_from_the_cache_as_it_was_parsed(
    tmp_path: Path, front: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    note = _note(tmp_path, front)
    plain, first, again, reads = _read_twice(tmp_path, note, monkeypatch)
    assert plain == first == again and reads == 0  # types too: a date is no datetime


@pytest.mark.parametrize(
    "front",
    [
        "title: Bytes\ndate: 2026-09-01\nsummary: !!binary aGVsbG8=\n",
        "title: A set\ndate: 2026-09-01\nkeywords: !!set {a, b}\n",
        "title: Pairs\ndate: 2026-09-01\nkeywords: !!omap [a: 1, b: 2]\n",
    ],
)
def test_what_json_cannot_give_back_is_parsed_each_time(
    tmp_path: Path, front: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    note = _note(tmp_path, front)
    plain, first, again, reads = _read_twice(tmp_path, note, monkeypatch)
    assert reads == 1 and plain == first == again


def test_a_note_with_problems_in_its_body_is_read_each_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    note = _note(tmp_path, FRONTS["a date"], "Fine.\nNot \x0b fine.\n")
    plain, first, again, reads = _read_twice(tmp_path, note, monkeypatch)
    assert reads == 1 and plain == first == again
    assert [p[2] for p in again[-1] if "U+000B" in p[0]] == [7]  # type: ignore[index]


def test_a_changed_note_is_read_again_even_with_its_size_and_mtime_kept(tmp_path: Path) -> None:
    note = _note(tmp_path, FRONTS["a date"])
    cache = BuildCache(tmp_path)
    assert read_front_matter(note, LONDON, cache).values["title"] == "One"
    cache.save()
    st = note.stat()
    note.write_text(note.read_text(encoding="utf-8").replace("One", "Uno"), encoding="utf-8")
    os.utime(note, ns=(st.st_atime_ns, st.st_mtime_ns))  # cp -p: same size, same mtime
    assert note.stat().st_size == st.st_size
    assert read_front_matter(note, LONDON, BuildCache(tmp_path)).values["title"] == "Uno"


def test_the_fields_are_read_anew_from_a_kept_parse(tmp_path: Path) -> None:
    # the time zone comes from the config, and an image must still exist: neither is kept
    (tmp_path / "show_notes" / "art.jpg").parent.mkdir(parents=True)
    (tmp_path / "show_notes" / "art.jpg").write_bytes(b"\xff\xd8")
    note = _note(tmp_path, "title: One\ndate: 2026-09-01 08:30\nimage: art.jpg\n")
    cache = BuildCache(tmp_path)
    london = read_front_matter(note, LONDON, cache).values
    cache.save()
    (tmp_path / "show_notes" / "art.jpg").unlink()
    tokyo = read_front_matter(note, ZoneInfo("Asia/Tokyo"), BuildCache(tmp_path))
    assert london["date"].utcoffset() == dt.timedelta(hours=1)
    assert tokyo.values["date"].utcoffset() == dt.timedelta(hours=9)
    assert tokyo.values["image"] is None and any("art.jpg" in p.message for p in tokyo.problems)


def _reads(e: dict[str, Any]) -> str:
    return json.dumps(e)


@pytest.mark.parametrize(
    "damage",
    [
        lambda e: _reads({**e, "data": {"title": "Forged"}, "at": "4"}),
        lambda e: _reads({**e, "lines": [[["title"], "one"]]}),
        lambda e: _reads({k: v for k, v in e.items() if k != "body"}),
        lambda e: _reads({**e, "data": {"title": "a mapping not as kept"}}),
        lambda e: _reads({**e, "data": {"\0map": [["date", {"\0datetime": "not a time"}]]}}),
        lambda e: _reads(e)[:-1],  # cut short
        lambda e: e,  # as an object, not text
    ],
)
def test_a_damaged_kept_parse_is_not_trusted(
    tmp_path: Path, damage: Callable[[dict[str, Any]], object]
) -> None:
    note = _note(tmp_path, FRONTS["a date"])
    cache = BuildCache(tmp_path)
    read_front_matter(note, LONDON, cache)
    cache.save()
    stored = json.loads((tmp_path / CACHE_FILE).read_bytes())
    (entry,) = [e for e in stored["files"].values() if frontmatter.KIND in e]
    entry[frontmatter.KIND] = damage(json.loads(entry[frontmatter.KIND]))
    (tmp_path / CACHE_FILE).write_text(json.dumps(stored), encoding="utf-8")
    again = read_front_matter(note, LONDON, BuildCache(tmp_path))
    assert facts(again) == facts(read_front_matter(note, LONDON))


def test_a_note_that_cannot_be_read_says_so_with_or_without_a_cache(tmp_path: Path) -> None:
    note = tmp_path / "show_notes" / "gone.md"
    for kept in (None, BuildCache(tmp_path)):
        with pytest.raises(FileNotFoundError):
            read_front_matter(note, LONDON, kept)
    note.parent.mkdir(parents=True)
    note.write_bytes(b"---\ntitle: \xff\n---\n")
    for kept in (None, BuildCache(tmp_path)):
        with pytest.raises(EpisodeError, match="not UTF-8"):
            read_front_matter(note, LONDON, kept)
