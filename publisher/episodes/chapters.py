"""JSON chapters 1.2.0 (I-15) for an episode: from its chapters file or the audio's own marks.

A chapters file is checked before anything from it is published: every time is a number of
seconds inside the audio, each chapter ends after it starts, and every ``url`` and ``img`` is
an absolute https URL (D-04), since apps open them as they are. Each problem names the file
and the chapter (its number, counted from 1, and its title).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from publisher.config.persons import is_https_url
from publisher.config.schema import describe
from publisher.errors import EpisodeError, PublisherError, raise_all
from publisher.model import Chapter, Episode

# Chapter tools round an end time up; more than this past the measured end is a mistake.
END_SLACK = 0.5  # seconds
_LINKS = ("url", "img")


def chapters_json(ep: Episode) -> tuple[bytes | None, tuple[Chapter, ...]]:
    """JSON chapters 1.2.0 (I-15) from episodes/<slug>.chapters.json or embedded chapters,
    and the marks for the episode page (a chapter without a title is left off the page).

    Raises EpisodeError (or Problems for several) for a chapters file that is not valid JSON
    chapters, holds a time outside the audio or a link that is not https, or for embedded
    chapters with such a link.
    """
    if ep.chapters_file is not None:
        data, chapters = _read(ep.chapters_file, ep.audio.duration)
        data = {"version": "1.2.0", **{k: v for k, v in data.items() if k != "version"}}
        marks = tuple(
            Chapter(float(c["startTime"]), c["title"], url=c.get("url"))
            for c in chapters
            if isinstance(c.get("title"), str) and c.get("toc", True) is not False
        )
    elif ep.audio.chapters:
        _check_embedded(ep)
        entries = []
        for c in ep.audio.chapters:
            mark: dict[str, object] = {"startTime": round(c.start, 3), "title": c.title}
            if c.end is not None:
                mark["endTime"] = round(c.end, 3)
            if c.url:
                mark["url"] = c.url
            entries.append(mark)
        data = {"version": "1.2.0", "chapters": entries}
        marks = ep.audio.chapters
    else:
        return None, ()
    return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode(), marks


def _read(path: Path, duration: float) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        line = getattr(e, "lineno", None)
        raise EpisodeError(f"not valid JSON chapters: {e}", path, line) from e
    chapters = data.get("chapters") if isinstance(data, dict) else None
    if not isinstance(chapters, list):
        raise EpisodeError(
            "JSON chapters need a 'chapters' list of {startTime, title} [I-15]", path, None
        )
    problems: list[PublisherError] = []
    for i, chapter in enumerate(chapters):
        problems.extend(
            EpisodeError(message, path, None) for message in _chapter_problems(i, chapter, duration)
        )
    if not problems:
        problems.extend(_order_problems(path, chapters))
    raise_all(problems)
    assert isinstance(data, dict)  # refused above otherwise
    return data, chapters


def _name(i: int, chapter: dict[str, Any]) -> str:
    title = chapter.get("title")
    return f"chapter {i + 1}" + (f" ({title!r})" if isinstance(title, str) else "")


def _chapter_problems(i: int, chapter: Any, duration: float) -> list[str]:
    """Everything wrong with the ``i``-th chapter (0-based), as messages."""
    if not isinstance(chapter, dict):
        return [f"chapter {i + 1} must be an object with 'startTime' and 'title' [I-15]"]
    name, found = _name(i, chapter), []
    start: Any = chapter.get("startTime")
    end: Any = chapter.get("endTime")
    if "startTime" not in chapter:
        found.append(f"{name} has no 'startTime' [I-15]")
    elif not _is_seconds(start):
        found.append(
            f"{name}: 'startTime' must be a number of seconds, not {describe(start)} [I-15]"
        )
    elif start < 0:
        found.append(f"{name}: 'startTime' {start} is before the audio starts [I-15]")
    elif start >= duration:
        found.append(f"{name} starts at {start} s, after the audio ends ({duration:.1f} s) [I-15]")
    if end is not None:
        found.extend(_end_problems(name, start, end, duration))
    if "title" in chapter and not isinstance(chapter["title"], str):
        found.append(f"{name}: 'title' must be text, not {describe(chapter['title'])} [I-15]")
    if "toc" in chapter and not isinstance(chapter["toc"], bool):
        found.append(f"{name}: 'toc' must be true or false, not {describe(chapter['toc'])} [I-15]")
    for key in _LINKS:
        if key in chapter and not is_https_url(chapter[key]):
            found.append(f"{name}: '{key}' must be an absolute https:// URL [D-04]")
    return found


def _end_problems(name: str, start: Any, end: Any, duration: float) -> list[str]:
    if not _is_seconds(end):
        return [f"{name}: 'endTime' must be a number of seconds, not {describe(end)} [I-15]"]
    if _is_seconds(start) and end <= start:
        return [f"{name}: 'endTime' {end} is not after its 'startTime' {start} [I-15]"]
    if end > duration + END_SLACK:
        return [f"{name}: 'endTime' {end} s is after the audio ends ({duration:.1f} s) [I-15]"]
    return []


def _order_problems(path: Path, chapters: list[dict[str, Any]]) -> list[PublisherError]:
    for i in range(1, len(chapters)):
        before, this = chapters[i - 1]["startTime"], chapters[i]["startTime"]
        if this < before:
            earlier = _name(i - 1, chapters[i - 1])
            return [
                EpisodeError(
                    f"{_name(i, chapters[i])} starts at {this} s, before {earlier} ({before} s); "
                    "chapters must be in ascending 'startTime' order [I-15]",
                    path,
                    None,
                )
            ]
    return []


def _is_seconds(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _check_embedded(ep: Episode) -> None:
    problems: list[PublisherError] = []
    for i, c in enumerate(ep.audio.chapters):
        if c.url is not None and not is_https_url(c.url):
            problems.append(
                EpisodeError(
                    f"chapter {i + 1} ({c.title!r}) in the audio's tags: 'url' must be an "
                    "absolute https:// URL [D-04]",
                    ep.audio.source,
                    None,
                    "fix or remove the chapter's link in your audio editor",
                )
            )
    raise_all(problems)
