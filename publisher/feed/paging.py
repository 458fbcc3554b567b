"""Which items go where: the feed policy as a pure function over item sizes (no XML here).

The order of giving things up (docs/feeds.md says why):

1. the newest ``full_notes`` items carry their full notes (content:encoded), the others their
   description (the summary, with a link to the episode's page, where the full notes are);
2. when that passes the size aimed for, or there are more than ``max_items``, the oldest
   items move to archive feeds (RFC 5005), filled from the oldest so that adding an episode
   never renumbers or refills an older archive: only the newest archive still gains items,
   :data:`ARCHIVE_BLOCK` at a time when the size binds and ``feed.xml`` still holds ten
   blocks or more (the number archived is then a multiple of it), so that it changes once
   every so many new episodes, not with each: a publish sends it, and apps and caches
   fetch it, that much less often (``max_items`` is kept exactly);
3. only when the full notes of the newest ``full_notes`` items alone pass the aim do fewer
   items carry them.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from publisher.model import FeedPolicy

ARCHIVE_BLOCK = 25  # items: the oldest items of feed.xml move to the archives this many at once


@dataclass(frozen=True)
class Paging:
    """Where the items (indexed newest first) go. ``archives[0]`` is ``feed-archive-1``,
    the oldest; each is a ``(start, stop)`` slice of the items, newest first within it."""

    full_notes: int  # items[:full_notes] carry content:encoded
    main_items: int  # the main feed holds items[:main_items]
    archives: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class Overheads:
    """Bytes of a feed without its items: the channel, before and after the items."""

    main: int  # the main feed with no archives
    main_paged: int  # the main feed with its prev-archive link
    archive: int  # an archive (the largest: prev-archive and next-archive links)


def plan_paging(
    full: Sequence[int],
    short: Sequence[int],
    overheads: Overheads,
    policy: FeedPolicy,
    aim: int,
) -> Paging:
    """Place the items, whose bytes with and without full notes are ``full`` and ``short``
    (newest first), so that every feed is at most ``aim`` bytes where that can be done.

    When even one item without full notes passes ``aim`` the main feed keeps one item; the
    caller checks the hard cap.
    """
    n = len(full)
    limit = min(n, policy.max_items) if policy.max_items else n
    want = min(policy.full_notes, limit)
    sums_full = [0, *itertools.accumulate(full)]
    sums_short = [0, *itertools.accumulate(short)]

    def size(m: int, c: int, overhead: int) -> int:
        return overhead + sums_full[c] + sums_short[m] - sums_short[c]

    if limit == n and size(n, want, overheads.main) <= aim:
        return Paging(want, n)
    c = _largest(want, lambda c: size(c, c, overheads.main_paged) <= aim)
    m = _largest(limit, lambda m: m <= c or size(m, c, overheads.main_paged) <= aim)
    m = max(m, c, 1)
    if m >= n:
        return Paging(c, n)
    if limit > m >= 10 * ARCHIVE_BLOCK:  # the size aimed for binds, not max_items: whole
        m = max(n - -(-(n - m) // ARCHIVE_BLOCK) * ARCHIVE_BLOCK, c, 1)  # blocks archived
    return Paging(c, m, _pack(short, m, overheads.archive, aim))


def _largest(high: int, fits: Callable[[int], bool]) -> int:
    """The largest ``k`` in ``0..high`` with ``fits(k)`` (monotone: true up to some k), else 0."""
    ks = range(high + 1)
    # bisect over "does not fit": the first k that does not fit, minus one.
    first_bad = bisect.bisect_left(ks, True, key=lambda k: not fits(k))
    return max(first_bad - 1, 0)


def _pack(
    short: Sequence[int], main_items: int, overhead: int, aim: int
) -> tuple[tuple[int, int], ...]:
    """Fill archives from the oldest item; each holds as many as fit in ``aim`` (at least one)."""
    pages: list[tuple[int, int]] = []
    stop = len(short)  # exclusive end of the page being filled (items newest first)
    start, used = stop, overhead
    while start > main_items:
        if start < stop and used + short[start - 1] > aim:
            pages.append((start, stop))
            stop, used = start, overhead
        start -= 1
        used += short[start]
    if start < stop:
        pages.append((start, stop))
    return tuple(pages)
