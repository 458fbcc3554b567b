"""One problem of a note never hides another (build.read): a note that gives no episode, for a
bad front matter field, front matter that cannot be read at all, or missing audio, still has
its citation keys checked, and the run reports both at once; never a key the note's own
bibliography may hold."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from publisher import build
from publisher.errors import Problems, PublisherError
from tests.support.show import FIXED_NOW

SLUG = "2026-11-20-sleep"  # due at FIXED_NOW
AUDIO = "2026-10-01-what-guidelines-advise.mp3"
LATER = (FIXED_NOW + dt.timedelta(days=30)).date().isoformat()


def _note(show: Path, front: str, body: str, *, audio: bool = True) -> Path:
    note = show / "show_notes" / f"{SLUG}.md"
    note.write_text(f"---\ntitle: Sleep\n{front}---\nIntro.\n\n{body}", encoding="utf-8")
    if audio:
        shutil.copy(show / "episodes" / AUDIO, show / "episodes" / f"{SLUG}.mp3")
    return note


def _raw_note(show: Path, text: str) -> Path:
    """A note of exactly ``text`` (front matter that may not parse), with its audio."""
    note = show / "show_notes" / f"{SLUG}.md"
    note.write_text(text, encoding="utf-8")
    shutil.copy(show / "episodes" / AUDIO, show / "episodes" / f"{SLUG}.mp3")
    return note


def _problems(show: Path) -> list[str]:
    with pytest.raises(PublisherError) as info:
        build.build(show, now=FIXED_NOW, guid_mode="preview")
    e = info.value
    return [str(p) for p in (e.problems if isinstance(e, Problems) else (e,))]


@pytest.mark.parametrize(
    ("front", "audio", "first"),
    [
        ("date: someday\n", True, "'date' must be"),
        ("date: 2026-11-20\nseason: zero\n", True, "'season' must be a whole number"),
        ("date: 2026-11-20\nexplicit: perhaps\n", True, "'explicit'"),
        ("date: 2026-11-20\n", False, "no audio for this note"),
        ("date: 2026-11-20\nflavour: mint\n", True, "unknown"),
    ],
)
def test_a_note_that_gives_no_episode_still_has_its_citations_checked(
    sample_show: Path, front: str, audio: bool, first: str
) -> None:
    note = _note(sample_show, front, "A claim.[@brinjikji2016]\n\nAnother.[@nosuchkey]\n",
                 audio=audio)  # fmt: skip
    said = _problems(sample_show)
    assert [s for s in said if first in s], said
    lines = note.read_text(encoding="utf-8").splitlines()
    at = {key: n for n, line in enumerate(lines, 1) for key in ("brinjikji2016", "nosuchkey")
          if key in line}  # fmt: skip
    assert f"{note}:{at['brinjikji2016']}: unknown citation key 'brinjikji2016' " \
        "(did you mean 'brinjikji2015'?)" in said  # fmt: skip
    assert [s for s in said if s.startswith(f"{note}:{at['nosuchkey']}: unknown citation key")]
    assert len(said) == 3, said  # the note's own problem and its two keys, each once


def test_a_note_naming_its_own_bibliography_is_checked_against_it_and_the_shows(
    sample_show: Path,
) -> None:
    own = sample_show / "show_notes" / "sleep.json"
    own.write_text('[{"id": "sleep2020", "type": "article-journal", "title": "Sleep"}]')
    body = "A claim.[@sleep2020] Another.[@brinjikji2015]\n\nA third.[@nosuchkey]\n"
    note = _note(sample_show, "date: someday\nbibliography: sleep.json\n", body)
    said = _problems(sample_show)
    assert [s for s in said if "'date' must be" in s], said
    (unknown,) = [s for s in said if "unknown citation key" in s]
    assert unknown.startswith(f"{note}:10: unknown citation key 'nosuchkey' (it is in none of ")
    assert len(said) == 2, said  # sleep2020 is its own, brinjikji2015 the show's
    own.unlink()  # its own, not found: said with its other problem
    said = _problems(sample_show)
    assert [s for s in said if s.startswith(f"{note}:4: bibliography file not found")], said
    assert len(said) == 2, said


def test_a_note_whose_bibliography_field_cannot_be_read_is_not_checked(
    sample_show: Path,
) -> None:
    _note(sample_show, "date: someday\nbibliography: 42\n", "A claim.[@sleep2020]\n")
    said = _problems(sample_show)
    assert [s for s in said if "'bibliography' must be" in s], said
    assert not [s for s in said if "unknown citation key" in s], said  # which file: unknown


def test_a_scheduled_notes_unknown_keys_are_warnings_beside_its_other_problems(
    sample_show: Path,
) -> None:
    note = _note(sample_show, f"date: {LATER}\nseason: zero\n", "A claim.[@nosuchkey]\n")
    result = build.build(sample_show, now=FIXED_NOW, guid_mode="preview")
    said = [str(n) for n in result.notices if str(n).startswith(str(note))]
    assert [s for s in said if "'season' must be a whole number" in s], said
    (key,) = [s for s in said if "unknown citation key 'nosuchkey'" in s]
    assert "warning:" in key and "not yet due: an error once it is" in key


def test_an_episode_that_is_read_is_not_checked_twice(sample_show: Path) -> None:
    _note(sample_show, "date: 2026-11-20\n", "A claim.[@nosuchkey]\n")
    said = _problems(sample_show)
    assert len(said) == 1 and "unknown citation key 'nosuchkey'" in said[0], said


@pytest.mark.parametrize(
    ("front", "first"),
    [
        ("title: Sleep\ndate: [2026-11-20\n", "invalid YAML"),
        ("- Sleep\n- 2026-11-20\n", "front matter must be a mapping"),
        ("title: Sleep\ndate: 2026-13-45\n", "'date': invalid value '2026-13-45'"),
    ],
)
def test_a_note_whose_front_matter_cannot_be_read_still_has_its_citations_checked(
    sample_show: Path, front: str, first: str
) -> None:
    note = _raw_note(sample_show, f"---\n{front}---\nIntro.\n\nA claim.[@nosuchkey]\n")
    said = _problems(sample_show)
    assert [s for s in said if first in s], said
    line = len(front.splitlines()) + 5  # the fences, the intro and a blank line before it
    assert [s for s in said if s.startswith(f"{note}:{line}: unknown citation key 'nosuchkey'")]
    assert len(said) == 2, said


@pytest.mark.parametrize(
    ("front", "first"),
    [
        ("date: [oops\nbibliography: sleep.json\n", "invalid YAML"),
        ("- title: Sleep\n- bibliography: sleep.json\n", "front matter must be a mapping"),
        ("{title: Sleep, date: 2026-11-20, bibliography: sleep.json\n", "invalid YAML"),
        ("title: Sleep\ndate: 2026-13-45\nbibliography: [sleep.json]\n", "invalid value"),
    ],
)
def test_unreadable_front_matter_that_may_name_a_bibliography_is_not_checked(
    sample_show: Path, front: str, first: str
) -> None:
    _raw_note(sample_show, f"---\n{front}---\nA claim.[@sleep2020]\n")
    said = _problems(sample_show)
    assert len(said) == 1 and first in said[0], said  # sleep2020 may be its own


def test_front_matter_never_closed_is_not_checked(sample_show: Path) -> None:
    _raw_note(sample_show, "---\ntitle: Sleep\ndate: 2026-11-20\nA claim.[@nosuchkey]\n")
    said = _problems(sample_show)
    assert len(said) == 1 and "front matter is not closed" in said[0], said
