"""Show + published items -> the RSS feed bytes (the only feedgen import).

Rules are named by their IDs in docs/feed-rules.md. Output is deterministic: ``lastBuildDate``
is the newest episode's date, never "now".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import lxml.etree  # noqa: F401  feedgen.util needs lxml.etree imported first (lxml 6)

from feedgen.feed import FeedGenerator  # isort: skip

from publisher import __version__, layout
from publisher.errors import FeedError, Notice, display_path
from publisher.feed.extension import ShowExtension
from publisher.feed.items import item_chunks, person_attrs
from publisher.feed.paging import Overheads, Paging, plan_paging
from publisher.model import Item, Show, ShowLinks

MAX_FEED_BYTES = 5_000_000  # D-09: the W3C validator's hard cap
AIM_FEED_BYTES = 1_000_000  # D-09: "aim well under 1 MB"; apps poll the feed often
_CHANNEL_END = b"  </channel>\n</rss>"
# I-01: episode numbering in a title ("Ep 3", "#3", "S1E2", "Episode 12:"), not "Top 10 myths".
_NUMBERED_TITLE = re.compile(
    r"(?i)(\bep(isode)?\.?\s*\d+\b|(^|\s)#\d+\b|\bs\d+\s*e\d+\b|\bseason\s+\d+\b)"
)


def title_warnings(show: Show, items: Sequence[Item]) -> tuple[Notice, ...]:
    """Warnings for item titles that carry numbering or the show's name (I-01), and for an
    episode number used twice in a season (I-12)."""
    found = []
    for item in items:
        ep = item.episode
        line = ep.line("title") or 1
        if _NUMBERED_TITLE.search(ep.title):
            found.append(
                Notice(
                    f"title {ep.title!r} carries an episode or season number; put it in "
                    "'episode:'/'season:' instead [I-01]",
                    ep.source,
                    line,
                )
            )
        elif show.title.lower() in ep.title.lower():
            found.append(
                Notice(f"title {ep.title!r} repeats the show's name [I-01]", ep.source, line)
            )
    numbered: dict[tuple[int | None, int], Item] = {}
    for item in reversed(items):  # oldest first: the later episode is the one warned about
        ep = item.episode
        if ep.episode is None:
            continue
        other = numbered.setdefault((ep.season, ep.episode), item)
        if other is not item:
            season = f"season {ep.season}, " if ep.season is not None else ""
            found.append(
                Notice(
                    f"{season}episode {ep.episode} is also "
                    f"{display_path(other.episode.source)} [I-12]",
                    ep.source,
                )
            )
    return tuple(found)


@dataclass(frozen=True)
class Feeds:
    """The main feed and its archives (``archives[0]`` is ``feed-archive-1.xml``, the oldest),
    with what the producer should know about how the policy placed the items."""

    main: bytes
    archives: tuple[bytes, ...] = ()
    notices: tuple[Notice, ...] = ()


def build_feeds(
    show: Show,
    links: ShowLinks,
    items: Sequence[Item],
    archive_url: Callable[[int], str],
    *,
    aim: int = AIM_FEED_BYTES,
) -> Feeds:
    """The main feed of ``items`` (newest first) under ``show.feed``, the policy: full notes
    on the newest, archives (RFC 5005) for the oldest when the feed would pass ``aim`` bytes;
    ``archive_url(n)`` is the public URL of archive ``n`` (1 the oldest). GUIDs and every
    other item element are as in a single feed.

    Raises FeedError naming the episode's file, or, when even one item does not fit under
    the W3C validator's 5,000,000 bytes, naming the config.
    """
    _require_items(show, items)
    policy = show.feed
    want = min(policy.full_notes, len(items))
    full = _chunks(show, items[:want], full=True)
    short = _chunks(show, items, full=False)
    full_sizes = [len(c) for c in full] + [len(c) for c in short[want:]]
    main_head, tail = _channel(show, links, items)
    paged_head = _channel(show, links, items, (("prev-archive", archive_url(len(items))),))[0]
    worst = _history(archive_url, links.feed_url, len(items), 2)  # the most bytes of links
    archive_head = _channel(show, links, items, worst, archive_url(len(items)))[0]
    overheads = Overheads(
        len(main_head) + len(tail), len(paged_head) + len(tail), len(archive_head) + len(tail)
    )
    paging = plan_paging(full_sizes, [len(c) for c in short], overheads, policy, aim)
    if paging.full_notes < want:  # step 3: the newest full notes alone pass the aim
        full = full[: paging.full_notes]
    body = b"".join((*full, *short[paging.full_notes : paging.main_items]))
    archives = paging.archives
    if not archives:
        main = main_head + body + tail
    else:
        prev = (("prev-archive", archive_url(len(archives))),)
        main = _channel(show, links, items, prev)[0] + body + tail
    pages = tuple(
        _channel(
            show,
            links,
            items[start:stop],
            _history(archive_url, links.feed_url, len(archives), n),
            archive_url(n),
        )[0]
        + b"".join(short[start:stop])
        + tail
        for n, (start, stop) in enumerate(archives, 1)
    )
    for data in (main, *pages):
        _check_cap(show, data, "even with one episode and no full notes")
    return Feeds(main, pages, _policy_notices(show, len(items), paging))


def _history(
    archive_url: Callable[[int], str], feed_url: str, count: int, n: int
) -> tuple[tuple[str, str], ...]:
    """RFC 5005 links of archive ``n`` of ``count``: the main feed, the older, the newer."""
    links = [("current", feed_url)]
    if n > 1:
        links.append(("prev-archive", archive_url(n - 1)))
    if n < count:
        links.append(("next-archive", archive_url(n + 1)))
    return tuple(links)


def _policy_notices(show: Show, total: int, paging: Paging) -> tuple[Notice, ...]:
    found = []
    if paging.full_notes < min(show.feed.full_notes, total):
        found.append(
            Notice(
                f"the feed carries the full notes (content:encoded) of the newest "
                f"{paging.full_notes} of {total} episodes, to stay under 1 MB [D-09]; every "
                "episode's page has its notes",
                show.source,
                show.line("feed"),
                warning=False,
            )
        )
    if paging.archives:
        moved = total - paging.main_items
        found.append(
            Notice(
                f"feed.xml lists the newest {paging.main_items} of {total} episodes; the "
                f"oldest {moved} are in {len(paging.archives)} archive feed(s), "
                "feed-archive-1.xml (the oldest) on, linked from it (RFC 5005) [D-09]",
                show.source,
                show.line("feed"),
                hint="apps that read only feed.xml list only those; every episode keeps its "
                "page on the site",
                warning=False,
            )
        )
    return tuple(found)


def build_feed(
    show: Show, links: ShowLinks, items: Sequence[Item], *, full_notes: int | None = None
) -> bytes:
    """One feed of every item in ``items`` (newest first), no archive; only the newest
    ``full_notes`` items carry content:encoded when it is given. Raises FeedError naming
    the episode's file, or when the feed passes 5,000,000 bytes (D-09)."""
    _require_items(show, items)
    count = len(items) if full_notes is None else min(full_notes, len(items))
    head, tail = _channel(show, links, items)
    body = _chunks(show, items[:count], full=True) + _chunks(show, items[count:], full=False)
    data = head + b"".join(body) + tail
    _check_cap(show, data, "as one feed")
    return data


def _require_items(show: Show, items: Sequence[Item]) -> None:
    if not items:
        raise FeedError(
            "no published episodes: a feed needs at least one [I-16]",
            show.source,
            None,
            "add an episode, or check dates and 'draft:'",
        )


def _check_cap(show: Show, data: bytes, how: str) -> None:
    if len(data) > MAX_FEED_BYTES:
        raise FeedError(
            f"the feed is {len(data)} bytes {how}; the W3C validator stops at 5,000,000 [D-09]",
            show.source,
            show.line("feed"),
            "shorten the show's and the episodes' descriptions, summaries and persons",
        )


def _chunks(show: Show, items: Sequence[Item], *, full: bool) -> tuple[bytes, ...]:
    if not items:
        return ()
    try:
        return item_chunks(show, items, full=full)
    except ValueError:  # lxml's errors never name the episode: find the one it was
        for item in items:
            try:
                item_chunks(show, [item], full=full)
            except ValueError as e:
                raise FeedError(
                    f"cannot add this episode to the feed: {e}", item.episode.source, None
                ) from e
        raise


def _channel(
    show: Show,
    links: ShowLinks,
    items: Sequence[Item],
    history: Sequence[tuple[str, str]] = (),
    self_url: str | None = None,
) -> tuple[bytes, bytes]:
    """The feed's bytes before and after its items: the channel with its itunes:/podcast:
    tags and, for paged feeds, the RFC 5005 links (and fh:archive in an archive, whose
    ``self_url`` is its own URL, D-06)."""
    fg = FeedGenerator()
    fg.register_extension("pub", ShowExtension, atom=False, rss=True)
    fg.title(show.title)
    # feedgen writes the *last* link as RSS <link>, and atom:link for rel="self".
    fg.link(href=self_url or links.feed_url, rel="self", type=layout.FEED_TYPE)
    fg.link(href=links.site_url, rel="alternate")
    fg.description(show.description)
    fg.language(show.language)
    if show.copyright:
        fg.copyright(show.copyright)
    newest = max(item.episode.date for item in items)
    fg.lastBuildDate(newest)
    fg.pubDate(newest)
    fg.generator("publisher", __version__)
    tags = fg.pub.tags
    tags.author = show.author
    tags.owner_name, tags.owner_email = show.owner.name, show.owner.email
    tags.image = links.artwork_url
    tags.categories = [(c.name, c.subcategory) for c in show.categories]
    tags.explicit = show.explicit
    tags.type = show.type
    tags.guid = show.podcast_guid
    tags.websub_hub = show.websub_hub
    tags.locked = show.locked
    tags.new_feed_url = show.new_feed_url
    tags.persons = [person_attrs(p) for p in show.persons]
    if show.funding_url and show.funding_label:
        tags.funding = (show.funding_url, show.funding_label)
    tags.history_links = list(history)
    tags.archive = any(rel == "current" for rel, _ in history)
    try:
        data: bytes = fg.rss_str(pretty=True, encoding="UTF-8", xml_declaration=True)
    except ValueError as e:  # feedgen's errors never name the episode
        raise FeedError(f"cannot write the feed: {e}", show.source, None) from e
    cut = data.rindex(_CHANNEL_END)
    return data[:cut], data[cut:]
