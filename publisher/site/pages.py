"""Which listing pages the site has, and which episodes each shows (pure).

Listings are cut so that adding an episode changes as few pages as possible: the pages of
"All episodes" are numbered from the oldest (``all/1.html`` holds the oldest episodes), so a new
episode changes only the newest page (and, when it opens a new page, every page's list of page
numbers); a month's page lists that month only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from publisher import layout
from publisher.model import Item

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
DEFAULT_EPISODES_PER_PAGE = 20


@dataclass(frozen=True)
class Listing:
    """One listing page: the episodes it shows (newest first) and its neighbours."""

    key: str  # e.g. "all/3.html", "archive/2019-04.html", "seasons/2.html"
    title: str  # e.g. "All episodes, page 3", "April 2019", "Season 2"
    items: tuple[Item, ...]
    newer_key: str | None = None
    older_key: str | None = None
    number: int | None = None  # the page number of an "All episodes" page
    newer_title: str | None = None  # the neighbours' titles, for month and season links
    older_title: str | None = None


@dataclass(frozen=True)
class Month:
    """A month of the archive: ``2019-04`` with its episode count."""

    key: str  # "archive/2019-04.html"
    ym: str  # "2019-04"
    label: str  # "April 2019"
    count: int


def all_pages(items: Sequence[Item], per_page: int) -> tuple[Listing, ...]:
    """The pages of all episodes, page 1 the oldest, each newest first; newest page first.

    ``items`` are newest first. Every page but the newest holds exactly ``per_page`` items,
    and is ``all/N.html``; the newest is ``all/index.html`` (layout.ALL_INDEX_KEY), so that a
    new episode changes only it (and, once it is full, adds a page), never a link elsewhere.
    """
    oldest_first = list(reversed(items))
    chunks = [oldest_first[i : i + per_page] for i in range(0, len(oldest_first), per_page)]
    count = len(chunks)

    def key(n: int) -> str:
        return layout.ALL_INDEX_KEY if n == count else layout.all_key(n)

    pages = []
    for n, chunk in enumerate(chunks, start=1):
        pages.append(
            Listing(
                key=key(n),
                title=f"All episodes, page {n}" if count > 1 else "All episodes",
                items=tuple(reversed(chunk)),
                newer_key=key(n + 1) if n < count else None,
                older_key=key(n - 1) if n > 1 else None,
                number=n,
            )
        )
    return tuple(reversed(pages))


def local_date(date: datetime, zone: ZoneInfo | None) -> datetime:
    """``date`` in the show's zone (or its own offset when the zone is unknown)."""
    return date.astimezone(zone) if zone is not None else date


def month_pages(items: Sequence[Item], zone: ZoneInfo | None) -> tuple[Listing, ...]:
    """``archive/YYYY-MM.html`` for every month with an episode (in the show's zone), newest
    first; each links to the neighbouring months that have episodes."""
    by_month: dict[str, list[Item]] = {}
    for item in items:
        d = local_date(item.episode.date, zone)
        by_month.setdefault(f"{d.year:04d}-{d.month:02d}", []).append(item)
    months = sorted(by_month, reverse=True)
    pages = []
    for i, ym in enumerate(months):
        pages.append(
            Listing(
                key=layout.month_key(ym),
                title=month_label(ym),
                items=tuple(by_month[ym]),
                newer_key=layout.month_key(months[i - 1]) if i > 0 else None,
                older_key=layout.month_key(months[i + 1]) if i + 1 < len(months) else None,
                newer_title=month_label(months[i - 1]) if i > 0 else None,
                older_title=month_label(months[i + 1]) if i + 1 < len(months) else None,
            )
        )
    return tuple(pages)


def months(pages: Sequence[Listing]) -> tuple[Month, ...]:
    """The archive index's rows, from :func:`month_pages`."""
    return tuple(
        Month(p.key, p.key.split("/")[1].removesuffix(".html"), p.title, len(p.items))
        for p in pages
    )


def month_label(ym: str) -> str:
    """``2019-04`` -> ``April 2019`` (English month names, whatever the process locale)."""
    year, month = ym.split("-")
    return f"{MONTHS[int(month) - 1]} {int(year)}"


def season_pages(items: Sequence[Item]) -> tuple[Listing, ...]:
    """``seasons/N.html`` for every season, when the show numbers seasons (else none)."""
    seasons: dict[int, list[Item]] = {}
    for item in items:
        if item.episode.season is not None:
            seasons.setdefault(item.episode.season, []).append(item)
    numbers = sorted(seasons, reverse=True)
    return tuple(
        Listing(
            key=layout.season_key(n),
            title=f"Season {n}",
            items=tuple(seasons[n]),
            newer_key=layout.season_key(numbers[i - 1]) if i > 0 else None,
            older_key=layout.season_key(numbers[i + 1]) if i + 1 < len(numbers) else None,
            newer_title=f"Season {numbers[i - 1]}" if i > 0 else None,
            older_title=f"Season {numbers[i + 1]}" if i + 1 < len(numbers) else None,
            number=n,
        )
        for i, n in enumerate(numbers)
    )
