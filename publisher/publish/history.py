"""Rule I-04 across runs: a published episode's GUID never changes.

An app keys episodes by GUID, so an item that comes back with a new GUID is listed twice.
The GUID lives in the note's front matter, where a producer can edit or delete it (the
build then mints a new one). Before a publish sends a feed, the feed already on the target
is read and each of its items' media file name -> GUID is compared with the new build:
media names are stable per episode (``media/<slug>.<ext>``), so a media file that now comes
with another GUID is the same episode under a new GUID. The name, not the whole URL, is
compared, so a show whose public URL moves in the same publish is still checked.

Parsing and comparing are pure; :func:`guid_problems` turns the findings into errors.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from publisher import layout
from publisher.errors import GuidChangedError, PublisherError
from publisher.feed.reader import read_feed
from publisher.model import Enclosure


@dataclass(frozen=True)
class GuidChange:
    """One published episode whose GUID the new build changes."""

    enclosure: Enclosure  # as built now (its guid is the new one)
    published: str  # the GUID the feed on the target has for the same enclosure URL


def published_guids(feed: bytes | None) -> dict[str, str]:
    """Media file name -> GUID of every item in ``feed`` that has both.

    A missing (None) or unparsable feed gives ``{}``: then there is nothing to compare, and
    a broken feed on the target is exactly what a publish should be allowed to replace.
    """
    if not feed:
        return {}
    try:
        published = read_feed(feed)
    except ValueError:
        return {}
    out: dict[str, str] = {}
    for item in published.items:
        if item.enclosure is not None and item.guid:
            out.setdefault(layout.media_name(item.enclosure.url), item.guid)
    return out


def changed_guids(
    published: Mapping[str, str], enclosures: Sequence[Enclosure]
) -> tuple[GuidChange, ...]:
    """The enclosures whose media is published with another GUID than they carry now.

    New media (not in ``published``) and published media no longer built are fine; so is an
    enclosure that carries no GUID (nothing to compare).
    """
    out: list[GuidChange] = []
    for enc in enclosures:
        old = published.get(layout.media_name(enc.key))
        if old is not None and enc.guid and enc.guid != old:
            out.append(GuidChange(enc, old))
    return tuple(out)


def guid_problems(
    feed: bytes | None, location: str, enclosures: Sequence[Enclosure]
) -> list[PublisherError]:
    """One :class:`GuidChangedError` per episode of ``enclosures`` whose GUID differs from
    the one in ``feed`` (the feed now at ``location``); empty when none does."""
    problems: list[PublisherError] = []
    for change in changed_guids(published_guids(feed), enclosures):
        enc = change.enclosure
        problems.append(
            GuidChangedError(
                f"guid changed since it was published: the feed at {location} has "
                f"'{change.published}' for this episode, the note now says '{enc.guid}' [I-04]",
                enc.source if enc.source is not None else enc.key,
                hint=f"put back 'guid: {change.published}' (apps would list the episode "
                "twice); to publish it as a new episode, give its audio a new name",
            )
        )
    return problems
