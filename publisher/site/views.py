"""What the pages show of an item: its display strings, and the episode as a CSL item."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from publisher.model import Item, Show
from publisher.site import formats, pages


@dataclass(frozen=True)
class EpisodeView:
    """One item with the display strings its pages need (computed once, used on many pages)."""

    item: Item
    datetime: str
    date: str
    duration: str
    duration_iso: str
    summary: str
    size: str
    format: str
    numbering: str
    kind: str


def view_of(item: Item, zone: ZoneInfo | None) -> EpisodeView:
    episode = item.episode
    date = pages.local_date(episode.date, zone)
    numbers = []
    if episode.season is not None:
        numbers.append(f"Season {episode.season}")
    if episode.episode is not None:
        numbers.append(f"Episode {episode.episode}")
    return EpisodeView(
        item=item,
        datetime=date.isoformat(),
        date=formats.human_date(date),
        duration=formats.human_duration(episode.audio.duration),
        duration_iso=formats.iso_duration(episode.audio.duration),
        summary=episode.summary or formats.first_paragraph(item.notes.web_html),
        size=formats.human_size(episode.audio.size),
        format=episode.audio.extension.upper(),
        numbering=", ".join(numbers),
        kind="" if episode.episode_type == "full" else episode.episode_type.capitalize(),
    )


def episode_csl(show: Show, item: Item) -> dict[str, Any]:
    """The episode itself as a CSL item, for "Cite this episode" (CSL type ``broadcast``)."""
    ep = item.episode
    date = ep.date
    return {
        "id": ep.slug,
        "type": "broadcast",
        "title": ep.title,
        "container-title": show.title,
        "author": [{"literal": show.author}],
        "medium": "Podcast audio",
        "genre": "Podcast",
        "issued": {"date-parts": [[date.year, date.month, date.day]]},
        "URL": item.links.page_url,
        "publisher": show.owner.name,
    }
