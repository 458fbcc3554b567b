"""An :class:`AudioInfo` kept in the build cache, so that a rebuild reads no unchanged audio.

Reading a file's tags and walking its first frames costs about a millisecond and a half per
episode, which a 1,000-episode show pays on every rebuild. What :func:`read_audio` returned
is therefore kept, as JSON, under the file's stat (:func:`publisher.filecache.stat_key`:
path, size, mtime, ctime and inode, in nanoseconds): a file whose stat changed is read
afresh. The warnings the read gave are kept with it, so that a cached read gives them again.

Embedded artwork can be megabytes per episode: it is kept out of the JSON, in a file named by
its SHA-256 (:meth:`BuildCache.blob`), and used only when the bytes read back hash to that
name. An entry is kept only when it comes back equal to what was read, and one that does
not decode (foreign, damaged, edited by hand) is a miss that reads the file afresh.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from publisher.audio.reader import read_audio
from publisher.errors import Notice
from publisher.filecache import BuildCache
from publisher.model import AudioInfo, Chapter, Image

KIND = "audio"  # the name of the entry in the build cache's record of the file
_SELF = "\0self"  # a notice's path that is the audio file itself, wherever it now is


def read_cached(path: Path, cache: BuildCache) -> AudioInfo:
    """What :func:`read_audio` gives for ``path``, from ``cache`` when the file's stat is the
    one it was read with (not with ``cache.use`` false); else read, and kept for next time.

    Raises AudioError as :func:`read_audio` does (a file that does not read is never kept).
    """
    kept, keep = cache.kept(path, KIND)  # the file's stat now, before it is read
    if cache.use:
        found = from_json(kept, path, cache.blob)
        if found is not None:
            return found
    info = read_audio(path, measured=cache.duration(path))
    cache.remember_duration(path, info.duration)
    stored = as_json(info, cache.remember_blob)
    if stored is not None and from_json(stored, path, _pending(info)) == info:
        keep(stored)
    return info


def _pending(info: AudioInfo) -> Callable[[str], bytes | None]:
    """The blob reader a just-made entry is checked with: its artwork, not yet read back."""
    return lambda _: info.artwork.data if info.artwork else None


def as_json(info: AudioInfo, keep_blob: Callable[[bytes], str]) -> dict[str, Any] | None:
    """``info`` as JSON values (its artwork's bytes given to ``keep_blob``, which returns
    their SHA-256), or None when a notice names another file than the audio."""
    if any(n.path not in (None, info.source) for n in info.notices):
        return None
    art = info.artwork
    return {
        "size": info.size,
        "mime_type": info.mime_type,
        "extension": info.extension,
        "duration": info.duration,
        "title": info.title,
        "artist": info.artist,
        "comment": info.comment,
        "chapters": [[c.start, c.title, c.end, c.url] for c in info.chapters],
        "artwork": None if art is None else [art.mime, keep_blob(art.data)],
        "notices": [
            [n.message, None if n.path is None else _SELF, n.line, n.hint, n.rule, n.warning]
            for n in info.notices
        ],
    }


def from_json(data: Any, path: Path, read_blob: Callable[[str], bytes | None]) -> AudioInfo | None:
    """The AudioInfo of ``path`` kept as ``data`` (:func:`as_json`), or None when ``data`` is
    not such an entry or its artwork is missing or damaged (``read_blob`` finds it)."""
    if not isinstance(data, dict):
        return None
    try:
        art = data["artwork"]
        image = None
        if art is not None:
            mime, digest = art
            blob = read_blob(str(digest))
            if blob is None:
                return None
            image = Image(_text(mime), blob)
        return AudioInfo(
            source=path,
            size=_whole(data["size"]),
            mime_type=_text(data["mime_type"]),
            extension=_text(data["extension"]),
            duration=_number(data["duration"]),
            title=_optional(data["title"]),
            artist=_optional(data["artist"]),
            comment=_optional(data["comment"]),
            chapters=tuple(
                Chapter(_number(start), _text(title), _maybe_number(end), _optional(url))
                for start, title, end, url in data["chapters"]
            ),
            artwork=image,
            notices=tuple(
                Notice(
                    _text(message),
                    path if where == _SELF else None,
                    None if line is None else _whole(line),
                    _optional(hint),
                    _optional(rule),
                    warning is True,
                )
                for message, where, line, hint, rule, warning in data["notices"]
            ),
        )
    except (KeyError, TypeError, ValueError):
        return None  # not an entry this version writes: read the file afresh


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(value)
    return value


def _optional(value: Any) -> str | None:
    return None if value is None else _text(value)


def _whole(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(value)
    return value


def _number(value: Any) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise TypeError(value)
    return float(value)


def _maybe_number(value: Any) -> float | None:
    return None if value is None else _number(value)
