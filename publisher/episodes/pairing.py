"""Pair ``episodes/`` with ``show_notes/``: each slug's note, audio and same-stem extras
(episode art, a transcript, a chapters file), with a problem for every file that fits no pair.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from publisher.errors import AudioError, EpisodeError, PublisherError
from publisher.layout import TRANSCRIPT_EXTENSIONS
from publisher.model import AudioInfo

AudioReader = Callable[[Path], AudioInfo]

EPISODES_DIR = "episodes"
NOTES_DIR = "show_notes"
AUDIO_EXTENSIONS = ("mp3", "m4a")
# Files that look like media but are refused, so they are named rather than ignored.
REFUSED_EXTENSIONS = (
    "wav", "flac", "ogg", "oga", "opus", "aac", "aif", "aiff", "wma", "mp4", "m4v", "mov",
    "webm", "mkv", "avi", "pdf", "m4b",
)  # fmt: skip
IMAGE_EXTENSIONS = ("jpg", "jpeg", "png")
CHAPTERS_SUFFIX = "chapters.json"
SLUG = re.compile(  # a safe episode name (D-05)
    r"^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$"
)


@dataclass(frozen=True)
class EpisodeFiles:
    """One slug's audio file and the extras beside it in ``episodes/``; ``audio`` is None
    for a note with no audio file at all (its note may name a remote one, or is reported)."""

    audio: Path | None  # None: the note may name the old host's file (``enclosure:``)
    image: Path | None
    transcript: Path | None
    chapters: Path | None


def find_notes(notes_dir: Path, problems: list[PublisherError]) -> dict[str, Path]:
    """Every note in ``show_notes/`` by slug (README.md aside); unsafe names are problems."""
    if not notes_dir.is_dir():
        problems.append(EpisodeError("no show_notes/ folder", notes_dir, None))
        return {}
    found: dict[str, Path] = {}
    with os.scandir(notes_dir) as entries:  # as glob("*.md") finds them, by name
        names = sorted(e.name for e in entries if e.name.endswith(".md"))
    for name in names:
        path = notes_dir / name
        if name.lower() == "readme.md":
            continue
        if SLUG.match(path.stem):
            found[path.stem] = path
        else:
            problems.append(
                EpisodeError(
                    f"{path.name!r} is not a safe episode name [D-05]",
                    path,
                    None,
                    "use ASCII letters, digits, '-' and '_' only, e.g. 2026-09-01-imaging",
                )
            )
    return found


def find_audio(
    audio_dir: Path, slugs: set[str], read_audio: AudioReader, problems: list[PublisherError]
) -> tuple[dict[str, EpisodeFiles], set[str]]:
    """Each slug's audio and extras, and every slug that has some audio file, usable or not
    (its note then needs no "no audio" problem of its own). A slug with no audio file at all
    gets its extras and ``audio=None`` (``publisher import --keep-remote-media`` writes
    notes whose audio stays on the old host, perhaps with no ``episodes/`` folder)."""
    claimed: set[str] = set()
    if not audio_dir.is_dir():
        return {slug: _files(None, {}) for slug in slugs}, claimed
    by_slug: dict[str, list[Path]] = {}
    extras: dict[str, dict[str, Path]] = {}
    with os.scandir(audio_dir) as found:  # by name: a Path each, sorted, costs 3x as much
        files = sorted(e.name for e in found if e.is_file() and not e.name.startswith("."))
    for name in files:
        path = audio_dir / name
        stem, _, ext = path.name.partition(".")
        ext = ext.lower()
        if ext in AUDIO_EXTENSIONS or ext in REFUSED_EXTENSIONS:
            claimed.add(stem)
            if _audio_problem(path, stem, ext, slugs, read_audio, problems):
                continue
            by_slug.setdefault(stem, []).append(path)
        elif ext in IMAGE_EXTENSIONS or ext in TRANSCRIPT_EXTENSIONS or ext == CHAPTERS_SUFFIX:
            extras.setdefault(stem, {})[ext] = path
    result: dict[str, EpisodeFiles] = {}
    for slug, paths in by_slug.items():
        if len(paths) > 1:
            names = " and ".join(p.name for p in paths)
            problems.append(
                EpisodeError(
                    f"two audio files for one episode: {names}", paths[0], None, "keep one"
                )
            )
            continue
        result[slug] = _files(paths[0], extras.get(slug, {}))
    for slug in slugs - set(result) - claimed:  # no audio: its note may name a remote file
        result[slug] = _files(None, extras.get(slug, {}))
    return result, claimed


def _files(audio: Path | None, ex: dict[str, Path]) -> EpisodeFiles:
    image = next((ex[e] for e in IMAGE_EXTENSIONS if e in ex), None)
    transcript = next((ex[e] for e in TRANSCRIPT_EXTENSIONS if e in ex), None)
    return EpisodeFiles(audio, image, transcript, ex.get(CHAPTERS_SUFFIX))


def _audio_problem(
    path: Path,
    stem: str,
    ext: str,
    slugs: set[str],
    read_audio: AudioReader,
    problems: list[PublisherError],
) -> bool:
    """Report why an audio-like file cannot be an episode's audio; False when it can."""
    if not SLUG.match(stem):
        problems.append(
            EpisodeError(
                f"{path.name!r} is not a safe episode name [D-05]",
                path,
                None,
                "rename it with ASCII letters, digits, '-' and '_' only, "
                "e.g. 2026-09-01-imaging.mp3",
            )
        )
        return True
    if ext in REFUSED_EXTENSIONS:
        # The reader names what the file really is (and a misnamed MP3 as such).
        try:
            read_audio(path)
            problems.append(AudioError(f"unsupported extension .{ext}", path))
        except PublisherError as e:
            if any((path.parent / f"{stem}.{a}").exists() for a in AUDIO_EXTENSIONS):
                e.hint = "a master beside the episode's audio? keep masters outside episodes/"
            problems.append(e)
        return True
    if stem not in slugs:
        close = difflib.get_close_matches(stem, sorted(slugs), n=1, cutoff=0.85)
        hint = f'create it with: publisher new --slug {stem} "Title"'
        if close:  # a typo in the audio's name, most likely
            hint = f"did you mean {close[0]}? rename it {close[0]}.{ext}; or {hint}"
        problems.append(
            EpisodeError(f"audio without a note; expected {NOTES_DIR}/{stem}.md", path, None, hint)
        )
        return True
    return False
