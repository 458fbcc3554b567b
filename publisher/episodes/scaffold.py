"""What ``publisher new`` writes: a note with a title, a date, a fresh GUID and placeholder
text that names the show's configured bibliography (and that ``check`` refuses to publish)."""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
import uuid
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from publisher.config import yamldoc
from publisher.config.dates import first_instant
from publisher.episodes.pairing import EPISODES_DIR, NOTES_DIR, SLUG
from publisher.errors import PublisherError
from publisher.model import Show

_COMMAND = "publisher new"  # where a problem with its arguments is
# The placeholder's first line: a note that still holds it is not ready to publish.
PLACEHOLDER = "Write the show notes here in Markdown. Cite a study with `[@key]`, several with"
_NO_BIBLIOGRAPHY = (
    "in the bibliography (none is configured yet: add `bibliography: show_notes/references.bib` "
    "to feed_config.yaml)"
)


@dataclass(frozen=True)
class Scaffold:
    """A note written by :func:`new_note`: its slug, path and text, and where its audio goes
    (``episodes/<slug>``, to be completed with .mp3 or .m4a)."""

    slug: str
    note: Path
    text: str
    audio_stem: Path


def placeholder_text(show: Show) -> str:
    """The placeholder body of a new note, naming the show's bibliography files."""
    names = [Path(os.path.relpath(p, show.root)).as_posix() for p in show.bibliography]
    where = f"in the bibliography ({', '.join(names)})" if names else _NO_BIBLIOGRAPHY
    return f"{PLACEHOLDER}\n`[@key1; @key2]`, where each key is {where}.\n"


def slugify(title: str) -> str:
    """An ASCII slug of at most 60 characters, ending at a whole word where it can:
    'Red flags: what they tell you' -> 'red-flags-what-they-tell-you'; '' when the title has
    no ASCII letters or digits. Used by ``publisher new`` and ``publisher import``."""
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", text.lower())
    slug = ""
    for w in words:
        if len(slug) + len(w) + 1 > 60:
            break
        slug = f"{slug}-{w}" if slug else w
    return slug or "-".join(words)[:60].strip("-")


def new_note(
    show: Show, title: str, when: dt.datetime | dt.date, slug: str | None = None
) -> Scaffold:
    """Write ``show_notes/<slug>.md`` (slug default: ``<date>-<title words>``) and return it.

    Its ``date:`` is ``when`` (an aware datetime; a date: that day's first instant) in the
    show's time zone, to the second, with its UTC offset: ``2026-12-01T18:05:09+00:00``. A
    bare date would give every note made on one day the same publication time, so that
    their order in the feed and on the site would be decided by their file names.

    Raises PublisherError for an empty title, a title with no ASCII words and no ``slug``, an
    unsafe slug (D-05), or a note that already exists (nothing is overwritten). A problem
    with the arguments names no file: it says where it is, the command and its argument
    (``publisher new: …``, as argparse does), and what to pass instead.
    """
    title = title.strip()
    if not title:
        raise PublisherError(
            f"{_COMMAND}: the title is empty",
            hint='pass the episode\'s title in quotes, e.g. publisher new "Sleep and back pain"',
        )
    words = slugify(title)
    if not slug and not words:
        raise PublisherError(
            f"{_COMMAND}: cannot make a file name from the title {title!r}",
            hint="pass one with --slug, e.g. --slug sleep",
        )
    if slug is not None and not SLUG.match(slug):
        raise PublisherError(
            f"{_COMMAND}: --slug {slug!r} is not a safe episode name [D-05]",
            hint="use ASCII letters, digits, '-' and '_' only, e.g. --slug sleep-and-back-pain",
        )
    zone = ZoneInfo(show.timezone)
    if isinstance(when, dt.datetime):
        local = when.astimezone(zone).replace(microsecond=0)
    else:
        local = first_instant(when, zone)
    slug = slug or f"{local.date().isoformat()}-{words}"
    note = show.root / NOTES_DIR / f"{slug}.md"
    if note.exists():
        raise PublisherError(
            "already exists; new never overwrites a note",
            note,
            hint="pick another title, or pass another file name with --slug",
        )
    text = (
        "---\n"
        f"title: {yamldoc.dump_scalar(title)}\n"
        f"date: {local.isoformat()}\n"
        f"guid: {uuid.uuid4()}\n"
        "# draft: true  # a draft needs no audio yet and is never published\n"
        "# summary: one plain sentence, used when the notes do not fit the feed description\n"
        "---\n\n" + placeholder_text(show)
    )
    note.parent.mkdir(parents=True, exist_ok=True)
    note.write_text(text, encoding="utf-8")
    return Scaffold(slug, note, text, show.root / EPISODES_DIR / slug)
