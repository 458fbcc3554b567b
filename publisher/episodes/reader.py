"""Read every episode: pair the files, read each note's front matter and its audio (or the old
host's file its ``enclosure:`` names), mint GUIDs, and build frozen Episodes.

Every problem of every episode is collected, so one bad episode never hides the others.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from publisher.config.imported import RemoteEnclosure
from publisher.episodes.frontmatter import FrontMatter, read_front_matter
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
    audio, _ = find_audio(show.root / EPISODES_DIR, set(notes), read_audio, problems)
    episodes: list[Episode] = []
    notices: list[Notice] = []
    for slug, note in sorted(notes.items()):
        if slug not in audio:  # its audio file has a problem of its own
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

    audio, remote_url = _audio(slug, note, files, front, read_audio, problems)
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
            remote_url=remote_url,
        ),
        notice,
    )


def _audio(
    slug: str,
    note: Path,
    files: EpisodeFiles,
    front: FrontMatter,
    read_audio: AudioReader,
    problems: list[PublisherError],
) -> tuple[AudioInfo | None, str | None]:
    """The episode's audio facts, and the old host's URL when they are its ``enclosure:``
    (no file in episodes/; written by ``publisher import --keep-remote-media``: the length
    and ``duration:`` are the old feed's, not measured). A dropped-in file replaces it."""
    if files.audio is not None:
        try:
            return read_audio(files.audio), None
        except PublisherError as e:
            problems.append(e)
            return None, None
    remote: RemoteEnclosure | None = front.values["enclosure"]
    if remote is not None:
        duration = front.values["duration"]
        return AudioInfo(note, remote.length, remote.type, remote.extension, duration), remote.url
    if front.line("enclosure") is None or not problems:  # else its problem is reported
        problems.append(
            EpisodeError(
                f"no audio for this note; expected {EPISODES_DIR}/{slug}.mp3 or .m4a", note, None
            )
        )
    return None, None
