"""Read every episode: pair the files, read each note's front matter and its audio, mint
GUIDs, and build frozen Episodes.

Every problem of every episode is collected, so one bad episode never hides the others.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from publisher.episodes.frontmatter import read_front_matter
from publisher.episodes.guids import GuidMode, assign_guid, case_twins, duplicate_guids
from publisher.episodes.pairing import (
    EPISODES_DIR,
    NOTES_DIR,
    AudioReader,
    EpisodeFiles,
    find_audio,
    find_notes,
)
from publisher.errors import EpisodeError, Notice, PublisherError, raise_all
from publisher.model import AudioInfo, Episode, Show


@dataclass(frozen=True)
class ReadResult:
    """Every readable episode (drafts and future ones included), notices for the producer,
    and the problems of the episodes that could not be read."""

    episodes: tuple[Episode, ...]
    notices: tuple[Notice, ...]
    problems: tuple[PublisherError, ...] = ()


def read_episodes(
    show: Show, read_audio: AudioReader, *, guid_mode: GuidMode, raise_problems: bool = True
) -> ReadResult:
    """Pair and read all episodes. Raises EpisodeError/AudioError, or Problems for several;
    with ``raise_problems=False`` returns them instead, beside the episodes that were read."""
    problems: list[PublisherError] = []
    notes = find_notes(show.root / NOTES_DIR, problems)
    audio, claimed = find_audio(show.root / EPISODES_DIR, set(notes), read_audio, problems)
    episodes: list[Episode] = []
    notices: list[Notice] = []
    for slug, note in sorted(notes.items()):
        if slug not in audio:
            if slug in claimed:  # its audio file has a problem of its own
                continue
            problems.append(
                EpisodeError(
                    f"no audio for this note; expected {EPISODES_DIR}/{slug}.mp3 or .m4a",
                    note,
                    None,
                )
            )
            continue
        try:
            episode, notice = _episode(show, slug, note, audio[slug], read_audio, guid_mode)
        except PublisherError as e:
            problems.append(e)
            continue
        episodes.append(episode)
        notices.extend(episode.audio.notices)  # e.g. a VBR MP3 without a Xing header
        if notice:
            notices.append(notice)
    problems.extend(duplicate_guids(episodes))
    notices.extend(case_twins(episodes))
    if raise_problems:
        raise_all(problems)
    return ReadResult(tuple(episodes), tuple(notices), tuple(problems))


def _episode(
    show: Show,
    slug: str,
    note: Path,
    files: EpisodeFiles,
    read_audio: AudioReader,
    guid_mode: GuidMode,
) -> tuple[Episode, Notice | None]:
    front = read_front_matter(note, ZoneInfo(show.timezone))
    problems = list(front.problems)
    v = front.values

    def fail(message: str, hint: str | None = None) -> None:
        problems.append(EpisodeError(message, note, front.first_line, hint))

    audio: AudioInfo | None = None
    try:
        audio = read_audio(files.audio)
    except PublisherError as e:
        problems.append(e)
    title = v["title"] or (audio.title if audio else None)
    if not title and audio is not None:
        fail("no title: add 'title:' to the front matter (the audio has no title tag either)")
    guid, notice = assign_guid(v["guid"], note, guid_mode, fail)
    if show.type == "serial" and v["episode"] is None:
        fail("a serial show needs 'episode:' on every episode [C-10]")
    raise_all(problems)
    assert audio is not None and title and v["date"] is not None  # problems raised otherwise
    return (
        Episode(
            slug=slug,
            source=note,
            audio=audio,
            title=title,
            date=v["date"],
            guid=guid,
            body=front.body,
            body_line=front.body_line,
            season=v["season"],
            episode=v["episode"],
            episode_type=v["episode_type"],
            explicit=v["explicit"],
            summary=v["summary"] or (audio.comment if audio else None),
            image=v["image"] or files.image,
            keywords=v["keywords"],
            draft=v["draft"],
            bibliography=v["bibliography"],
            persons=v["persons"],
            guid_is_new=guid_mode in ("write", "preview") and not v["guid"] and bool(guid),
            lines=front.lines,
            transcript=files.transcript,
            chapters_file=files.chapters,
        ),
        notice,
    )
