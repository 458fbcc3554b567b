"""JSON chapters: every time inside the audio, each end after its start, links https only;
each problem names the file and the chapter (number and title)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from publisher import audio, build, config, episodes
from publisher.episodes.chapters import chapters_json
from publisher.errors import EpisodeError, Problems, PublisherError
from publisher.model import Chapter, Episode
from tests.support.paths import TESTS
from tests.support.show import FIXED_NOW, one_note

AUDIO = TESTS / "data" / "audio"


@pytest.fixture
def episode(sample_show: Path) -> Episode:
    one_note(sample_show, "title: One\ndate: 2026-09-01\nguid: g\n")
    result = episodes.read_episodes(config.load(sample_show), audio.read_audio, guid_mode="refuse")
    (ep,) = result.episodes
    return dataclasses.replace(ep, chapters_file=sample_show / "episodes" / "one.chapters.json")


def problems_of(ep: Episode, chapters: Any) -> list[str]:
    assert ep.chapters_file is not None
    ep.chapters_file.write_text(json.dumps({"version": "1.2.0", "chapters": chapters}))
    with pytest.raises(PublisherError) as info:
        chapters_json(ep)
    found = info.value.problems if isinstance(info.value, Problems) else (info.value,)
    assert all(p.path == ep.chapters_file and isinstance(p, EpisodeError) for p in found)
    return [p.message for p in found]


def test_each_bad_time_names_the_chapter(episode: Episode) -> None:
    end = episode.audio.duration
    shown = f"{end:.1f}"
    chapters = [
        {"startTime": 0, "title": "Opening", "endTime": end + 10},
        {"startTime": 0.5, "title": "Evidence", "endTime": 0.5},
        {"startTime": 1, "title": "Backwards", "endTime": 0.75},
        {"startTime": -7195, "title": "Negative"},
        {"startTime": True, "title": "Boolean"},
        {"startTime": "3", "title": "Text"},
        {"startTime": 1.5},
        {"title": "No start"},
        {"startTime": end + 1, "title": "Late"},
        {"startTime": 2, "title": "Bad end", "endTime": None},
        {"startTime": 2, "title": "Text end", "endTime": "9"},
        {"startTime": 2, "title": 5},
        {"startTime": 2, "title": "Toc", "toc": "no"},
        "not an object",
    ]
    assert problems_of(episode, chapters) == [
        f"chapter 1 ('Opening'): 'endTime' {end + 10} s is after the audio ends ({shown} s) [I-15]",
        "chapter 2 ('Evidence'): 'endTime' 0.5 is not after its 'startTime' 0.5 [I-15]",
        "chapter 3 ('Backwards'): 'endTime' 0.75 is not after its 'startTime' 1 [I-15]",
        "chapter 4 ('Negative'): 'startTime' -7195 is before the audio starts [I-15]",
        "chapter 5 ('Boolean'): 'startTime' must be a number of seconds, not true [I-15]",
        "chapter 6 ('Text'): 'startTime' must be a number of seconds, not '3' [I-15]",
        # chapter 7 has a start and no title: valid (it is left off the page)
        "chapter 8 ('No start') has no 'startTime' [I-15]",
        f"chapter 9 ('Late') starts at {end + 1} s, after the audio ends ({shown} s) [I-15]",
        "chapter 11 ('Text end'): 'endTime' must be a number of seconds, not '9' [I-15]",
        "chapter 12: 'title' must be text, not 5 [I-15]",
        "chapter 13 ('Toc'): 'toc' must be true or false, not 'no' [I-15]",
        "chapter 14 must be an object with 'startTime' and 'title' [I-15]",
    ]


def test_times_that_are_not_finite_are_refused(episode: Episode) -> None:
    assert episode.chapters_file is not None
    episode.chapters_file.write_text('{"chapters": [{"startTime": NaN, "title": "Nan"}]}')
    with pytest.raises(EpisodeError) as info:
        chapters_json(episode)
    assert info.value.message == (
        "chapter 1 ('Nan'): 'startTime' must be a number of seconds, not nan [I-15]"
    )


def test_an_end_within_rounding_of_the_audio_end_is_kept(episode: Episode) -> None:
    end = episode.audio.duration
    assert episode.chapters_file is not None
    marks = [{"startTime": 0, "title": "All", "endTime": round(end + 0.4, 3)}]
    episode.chapters_file.write_text(json.dumps({"chapters": marks}))
    data, shown = chapters_json(episode)
    assert data is not None and json.loads(data)["chapters"] == marks
    assert shown == (Chapter(0.0, "All"),)


def test_order(episode: Episode) -> None:
    chapters = [{"startTime": 0, "title": "A"}, {"startTime": 2, "title": "B"}, {"startTime": 1}]
    assert problems_of(episode, chapters) == [
        "chapter 3 starts at 1 s, before chapter 2 ('B') (2 s); chapters must be in ascending "
        "'startTime' order [I-15]"
    ]


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "http://example.org/",
        "data:text/html,<script>alert(1)</script>",
        "//example.org/x",
        "https://exämple.org/",
        "https:///no-host",
        "",
        42,
        None,
    ],
)
@pytest.mark.parametrize("key", ["url", "img"])
def test_links_must_be_https(episode: Episode, key: str, url: Any) -> None:
    chapters = [{"startTime": 0, "title": "Intro", key: url}]
    assert problems_of(episode, chapters) == [
        f"chapter 1 ('Intro'): '{key}' must be an absolute https:// URL [D-04]"
    ]


def test_https_links_are_published(episode: Episode) -> None:
    assert episode.chapters_file is not None
    marks = [
        {"startTime": 0, "title": "Intro", "url": "https://e.org/a", "img": "https://e.org/i.jpg"}
    ]
    episode.chapters_file.write_text(json.dumps({"chapters": marks}))
    data, shown = chapters_json(episode)
    assert data is not None and json.loads(data) == {"version": "1.2.0", "chapters": marks}
    assert shown == (Chapter(0.0, "Intro", url="https://e.org/a"),)


def test_embedded_chapter_links_must_be_https(episode: Episode) -> None:
    marks = (Chapter(0.0, "Intro", url="https://e.org/"), Chapter(1.0, "Bad", url="javascript:x"))
    ep = dataclasses.replace(
        episode, chapters_file=None, audio=dataclasses.replace(episode.audio, chapters=marks)
    )
    with pytest.raises(EpisodeError) as info:
        chapters_json(ep)
    assert (info.value.path, info.value.message) == (
        ep.audio.source,
        "chapter 2 ('Bad') in the audio's tags: 'url' must be an absolute https:// URL [D-04]",
    )


def test_a_refused_link_is_not_published(sample_show: Path) -> None:
    slug = sorted(p.stem for p in (sample_show / "episodes").glob("*.mp3"))[0]
    path = sample_show / "episodes" / f"{slug}.chapters.json"
    path.write_text(
        json.dumps({"chapters": [{"startTime": 0, "title": "x", "url": "javascript:1"}]})
    )
    with pytest.raises(EpisodeError) as info:
        build.build(sample_show, now=FIXED_NOW, guid_mode="refuse")
    assert info.value.path == path
    assert not list(sample_show.glob("_site/chapters/*.json"))
