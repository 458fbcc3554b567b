"""What a show folder already holds, for ``publisher import --update``: the old feed's URL,
the GUIDs and file stems in use, and the notes that still publish the old host's file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from publisher.config import yamldoc
from publisher.config.show import CONFIG_NAME
from publisher.episodes.frontmatter import split_front_matter
from publisher.episodes.pairing import AUDIO_EXTENSIONS, EPISODES_DIR, NOTES_DIR
from publisher.errors import ConfigError, EpisodeError, PublisherError, raise_all


@dataclass(frozen=True)
class Existing:
    """What a show folder already holds (for ``--update``)."""

    imported_from: str | None
    guids: frozenset[str]
    stems: frozenset[str]
    remote: tuple[tuple[str, str], ...]  # (stem, enclosure url) of notes without their audio


def read_existing(root: Path) -> Existing:
    """GUIDs, stems, and notes publishing a remote enclosure, of the show in ``root``."""
    config = yamldoc.load(
        (root / CONFIG_NAME).read_text("utf-8-sig"), root / CONFIG_NAME, error=ConfigError
    ).data
    imported = config.get("imported_from") if isinstance(config, dict) else None
    guids, stems, remote = set(), set(), []
    problems: list[PublisherError] = []
    for note in sorted((root / NOTES_DIR).glob("*.md")):
        stems.add(note.stem)
        try:
            front, _, _ = split_front_matter(note.read_text("utf-8-sig"), note)
            meta = yamldoc.load(front, note, first_line=2, error=EpisodeError).data or {}
        except (PublisherError, UnicodeDecodeError) as e:
            problems.append(e if isinstance(e, PublisherError) else EpisodeError(str(e), note))
            continue
        if isinstance(meta, dict) and meta.get("guid") is not None:
            guids.add(str(meta["guid"]).strip())
        enclosure = meta.get("enclosure") if isinstance(meta, dict) else None
        has_audio = any(
            (root / EPISODES_DIR / f"{note.stem}.{e}").exists() for e in AUDIO_EXTENSIONS
        )
        if isinstance(enclosure, dict) and isinstance(enclosure.get("url"), str) and not has_audio:
            remote.append((note.stem, enclosure["url"]))
    if (root / EPISODES_DIR).is_dir():
        stems.update(p.name.partition(".")[0] for p in (root / EPISODES_DIR).iterdir())
    raise_all(problems)
    return Existing(
        str(imported) if imported else None, frozenset(guids), frozenset(stems), tuple(remote)
    )
