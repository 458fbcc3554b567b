"""JSON chapters 1.2.0 (I-15) for an episode: from its chapters file or the audio's own marks."""

from __future__ import annotations

import json

from publisher.errors import EpisodeError
from publisher.model import Chapter, Episode


def chapters_json(ep: Episode) -> tuple[bytes | None, tuple[Chapter, ...]]:
    """JSON chapters 1.2.0 (I-15) from episodes/<slug>.chapters.json or embedded chapters,
    and the marks for the episode page (a chapter without a title is left off the page)."""
    if ep.chapters_file is not None:
        path = ep.chapters_file
        try:
            data = json.loads(path.read_text(encoding="utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            line = getattr(e, "lineno", None)
            raise EpisodeError(f"not valid JSON chapters: {e}", path, line) from e
        chapters = data.get("chapters") if isinstance(data, dict) else None
        if not isinstance(chapters, list) or not all(
            isinstance(c, dict) and isinstance(c.get("startTime"), int | float) for c in chapters
        ):
            raise EpisodeError(
                "JSON chapters need a 'chapters' list whose entries each have a "
                "numeric 'startTime' [I-15]",
                path,
                None,
            )
        starts = [c["startTime"] for c in chapters]
        if starts != sorted(starts):
            raise EpisodeError("chapters must be in ascending 'startTime' order [I-15]", path, None)
        if starts and starts[-1] >= ep.audio.duration:
            raise EpisodeError(
                f"a chapter starts at {starts[-1]} s, after the audio ends "
                f"({ep.audio.duration:.1f} s) [I-15]",
                path,
                None,
            )
        data = {"version": "1.2.0", **{k: v for k, v in data.items() if k != "version"}}
        marks = tuple(
            Chapter(float(c["startTime"]), c["title"], url=_str_or_none(c.get("url")))
            for c in chapters
            if isinstance(c.get("title"), str) and c.get("toc", True) is not False
        )
    elif ep.audio.chapters:
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


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None
