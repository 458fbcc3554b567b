"""Episode GUIDs (I-04): minting a missing one, checking that each is unique, and writing a
newly minted one back into its note (a step of its own that ``check`` never runs)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal

from publisher.episodes.frontmatter import NOT_CLOSED_HINT, closing_fence
from publisher.errors import EpisodeError, Notice, PublisherError
from publisher.model import Episode

# write: mint missing GUIDs (build writes them into the notes once everything else is
# fine: write_new_guids); refuse: a missing GUID is an error (CI); preview: mint in memory
# only (dry runs); ignore: leave missing (check).
# ": " then nothing, or YAML's null or an empty string, then perhaps a comment.
_EMPTY_VALUE = rb":[ \t]*(?:~|null|Null|NULL|''|\"\")?[ \t]*(?:#.*)?\r?$"

GuidMode = Literal["write", "refuse", "preview", "ignore"]


def assign_guid(
    given: str | None, note: Path, mode: GuidMode, fail: Callable[[str, str], None]
) -> tuple[str, Notice | None]:
    """(the episode's GUID, a notice or None): ``given``, or one minted as ``mode`` says
    ("" when none is minted). ``fail(message, hint)`` reports a GUID refused in CI."""
    if given:
        return given, None
    if mode == "ignore":
        return "", Notice("has no guid yet; build or publish will write one", note, warning=False)
    if mode == "refuse":
        fail(
            "no 'guid' in the front matter [I-04]",
            "run 'publisher build' locally to write one, then commit the note",
        )
        return "", None
    guid = str(uuid.uuid4())
    if mode == "preview":
        return guid, Notice("has no guid yet; a real publish writes one", note, warning=False)
    return guid, None


def duplicate_guids(episodes: Sequence[Episode]) -> list[PublisherError]:
    """A problem for every episode whose GUID an earlier one already uses (I-04)."""
    problems: list[PublisherError] = []
    seen: dict[str, Episode] = {}
    for ep in episodes:
        if ep.guid and ep.guid in seen:
            problems.append(
                EpisodeError(
                    f"guid {ep.guid!r} is also used by {seen[ep.guid].source.name} [I-04]",
                    ep.source,
                    ep.line("guid"),
                    "each episode needs its own; delete this line to mint one",
                )
            )
        seen.setdefault(ep.guid, ep)
    return problems


def case_twins(episodes: Sequence[Episode]) -> list[Notice]:
    """A warning for every episode whose GUID differs from an earlier one's only in letter
    case: apps compare GUIDs exactly (I-04), so these are two episodes, but one is likely a
    typo of the other."""
    notices: list[Notice] = []
    seen: dict[str, Episode] = {}
    for ep in episodes:
        if not ep.guid:
            continue
        other = seen.setdefault(ep.guid.casefold(), ep)
        if other.guid != ep.guid:
            notices.append(
                Notice(
                    f"guid {ep.guid!r} differs from the guid of {other.source.name} "
                    f"({other.guid!r}) only in letter case [I-04]",
                    ep.source,
                    ep.line("guid"),
                    "apps take them for two episodes; if one is a typo, fix it before it is "
                    "published",
                )
            )
    return notices


def write_new_guids(episodes: Sequence[Episode]) -> tuple[Notice, ...]:
    """Write each newly minted GUID into its note (one line; every other byte stays)."""
    notices = []
    for ep in episodes:
        if ep.guid_is_new:
            insert_front_matter_line(ep.source, f"guid: {ep.guid}")
            notices.append(
                Notice(
                    f"wrote 'guid: {ep.guid}' into the front matter; commit this file",
                    ep.source,
                    warning=False,
                )
            )
    return tuple(notices)


def insert_front_matter_line(note: Path, line: str) -> None:
    """Insert ``line`` (``key: value``) just before the closing front matter fence, or in
    place of a ``key:`` line left empty (a second ``key:`` would be a duplicate key); every
    other byte stays. Raises EpisodeError when the note's front matter is not closed."""
    data = note.read_bytes()
    lines = data.split(b"\n")
    end = closing_fence([x.decode("utf-8", "replace") for x in lines])
    if end is None:
        raise EpisodeError("front matter is not closed", note, 1, NOT_CLOSED_HINT)
    empty = re.compile(re.escape(line.split(":", 1)[0].encode()) + _EMPTY_VALUE)
    at = next((i for i in range(1, end) if empty.match(lines[i])), None)
    where = end if at is None else at
    cr = b"\r" if lines[where].endswith(b"\r") else b""  # keep the file's line endings
    if at is None:
        lines.insert(end, line.encode() + cr)
    else:
        lines[at] = line.encode() + cr
    note.write_bytes(b"\n".join(lines))
