"""Episodes stage: pair ``episodes/`` with ``show_notes/`` into frozen
:class:`~publisher.model.Episode` values (front matter, GUIDs, same-stem extras, chapters)."""

from publisher.episodes.reader import (
    EPISODES_DIR,
    NOTES_DIR,
    SCAFFOLD_TEXT,
    SLUG,
    AudioReader,
    GuidMode,
    ReadResult,
    read_episodes,
    split_front_matter,
    write_new_guids,
)
from publisher.episodes.scaffold import new_note

__all__ = [
    "EPISODES_DIR",
    "NOTES_DIR",
    "SCAFFOLD_TEXT",
    "SLUG",
    "AudioReader",
    "GuidMode",
    "ReadResult",
    "new_note",
    "read_episodes",
    "split_front_matter",
    "write_new_guids",
]
