"""Episodes stage: pair ``episodes/`` with ``show_notes/`` into frozen
:class:`~publisher.model.Episode` values.

``pairing`` matches notes, audio and same-stem extras; ``frontmatter`` splits a note and reads
its fields through the config schema; ``guids`` mints, checks and writes back GUIDs;
``chapters`` the JSON chapters; ``scaffold`` what ``publisher new`` writes; ``reader`` puts
them together.
"""

from publisher.episodes.frontmatter import FIELDS, body_digest, read_body, split_front_matter
from publisher.episodes.guids import GuidMode, insert_front_matter_line, write_new_guids
from publisher.episodes.pairing import (
    EPISODES_DIR,
    NOTES_DIR,
    SLUG,
    AudioReader,
)
from publisher.episodes.reader import Pending, ReadResult, Unread, not_due_notice, read_episodes
from publisher.episodes.scaffold import PLACEHOLDER, new_note, placeholder_text, slugify

__all__ = [
    "EPISODES_DIR",
    "FIELDS",
    "NOTES_DIR",
    "PLACEHOLDER",
    "SLUG",
    "Unread",
    "AudioReader",
    "body_digest",
    "GuidMode",
    "Pending",
    "ReadResult",
    "insert_front_matter_line",
    "new_note",
    "not_due_notice",
    "placeholder_text",
    "read_body",
    "read_episodes",
    "slugify",
    "split_front_matter",
    "write_new_guids",
]
