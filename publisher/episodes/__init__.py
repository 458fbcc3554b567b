"""Episodes stage: pair ``episodes/`` with ``show_notes/`` into frozen
:class:`~publisher.model.Episode` values (front matter, GUIDs, same-stem extras, chapters)."""

from publisher.episodes.reader import (
    EPISODES_DIR,
    NOTES_DIR,
    SCAFFOLD_TEXT,
    SLUG,
    TRANSCRIPT_TYPES,
    AudioReader,
    GuidMode,
    Pending,
    ReadResult,
    not_due_notice,
    read_episodes,
    split_front_matter,
    write_new_guids,
)

__all__ = [
    "EPISODES_DIR",
    "NOTES_DIR",
    "SCAFFOLD_TEXT",
    "SLUG",
    "TRANSCRIPT_TYPES",
    "AudioReader",
    "GuidMode",
    "Pending",
    "ReadResult",
    "not_due_notice",
    "read_episodes",
    "split_front_matter",
    "write_new_guids",
]
