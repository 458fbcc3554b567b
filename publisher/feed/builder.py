"""Show + published items -> the RSS feed bytes (the only feedgen import).

Rules are named by their IDs in docs/feed-rules.md. Output is deterministic: ``lastBuildDate``
is the newest episode's date, never "now".
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import lxml.etree  # noqa: F401  feedgen.util needs lxml.etree imported first (lxml 6)

from feedgen.feed import FeedGenerator  # isort: skip

from publisher import __version__, layout
from publisher.config.show import XML_ILLEGAL
from publisher.errors import FeedError, Notice, display_path
from publisher.feed.extension import EpisodeExtension, ShowExtension
from publisher.model import Item, Person, Show, ShowLinks

MAX_FEED_BYTES = 5_000_000  # D-09: the W3C validator's hard cap
AIM_FEED_BYTES = 1_000_000  # D-09: "aim well under 1 MB"; apps poll the feed often
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


def fit_feed(show: Show, links: ShowLinks, items: Sequence[Item]) -> tuple[bytes, Notice | None]:
    """The feed, kept under 1 MB (D-09) by leaving the full notes (content:encoded) out of
    the oldest items when a long back catalogue would pass it; and a notice when it did.

    Every item keeps its description and a link to its page, where the full notes are.
    Raises FeedError as :func:`build_feed`.
    """
    data = build_feed(show, links, items)
    if len(data) <= AIM_FEED_BYTES:
        return data, None
    low, high = 0, len(items) - 1  # the most items that may keep content:encoded
    best = build_feed(show, links, items, full_notes=0)
    while low < high:
        mid = (low + high + 1) // 2
        candidate = build_feed(show, links, items, full_notes=mid)
        if len(candidate) <= AIM_FEED_BYTES:
            low, best = mid, candidate
        else:
            high = mid - 1
    if len(best) > MAX_FEED_BYTES:
        raise FeedError(
            f"the feed is {len(best)} bytes even without full notes; the W3C validator stops "
            "at 5,000,000 [D-09]",
            show.source,
            None,
            "shorten the episodes' descriptions or summaries",
        )
    return best, Notice(
        f"the feed carries the full notes (content:encoded) of the newest {low} of "
        f"{len(items)} episodes, to stay under 1 MB [D-09]; every episode's page has its notes",
        show.source,
        warning=False,
    )


def build_feed(
    show: Show, links: ShowLinks, items: Sequence[Item], *, full_notes: int | None = None
) -> bytes:
    """The feed XML for ``items`` (newest first); only the newest ``full_notes`` items carry
    content:encoded when it is given. Raises FeedError naming the episode's file."""
    if not items:
        raise FeedError(
            "no published episodes: a feed needs at least one [I-16]",
            show.source,
            None,
            "add an episode, or check dates and 'draft:'",
        )
    fg = FeedGenerator()
    fg.register_extension("pub", ShowExtension, EpisodeExtension, atom=False, rss=True)
    fg.title(show.title)
    # feedgen writes the *last* link as RSS <link>, and atom:link for rel="self".
    fg.link(href=links.feed_url, rel="self", type=layout.FEED_TYPE)
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
    tags.locked = show.locked
    tags.new_feed_url = show.new_feed_url
    tags.persons = [_person(p) for p in show.persons]
    if show.funding_url and show.funding_label:
        tags.funding = (show.funding_url, show.funding_label)
    # add_entry() prepends by default; append so items stay newest first as given.
    for i, item in enumerate(items):
        _add_item(fg, show, item, full_notes is None or i < full_notes)
    try:
        data: bytes = fg.rss_str(pretty=True, encoding="UTF-8", xml_declaration=True)
    except ValueError as e:  # feedgen's errors never name the episode
        raise FeedError(f"cannot write the feed: {e}", show.source, None) from e
    if len(data) > MAX_FEED_BYTES:
        raise FeedError(
            f"the feed is {len(data)} bytes; the W3C validator stops at 5,000,000 [D-09]",
            show.source,
            None,
            "shorten content:encoded or summaries",
        )
    return data


def _add_item(fg: FeedGenerator, show: Show, item: Item, content: bool) -> None:
    ep, links, audio = item.episode, item.links, item.episode.audio
    try:
        fe = fg.add_entry(order="append")
        fe.title(_xml_text(ep.title).strip())
        fe.guid(ep.guid, permalink=False)
        fe.link(href=links.page_url)
        fe.pubDate(ep.date)
        fe.description(_xml_text(item.notes.description_html))
        if content:
            fe.content(_xml_text(item.notes.content_html), type="CDATA")
        fe.enclosure(links.media_url, str(audio.size), audio.mime_type)
    except ValueError as e:
        raise FeedError(f"cannot add this episode to the feed: {e}", ep.source, None) from e
    tags = fe.pub.tags
    tags.cdata_description = _xml_text(item.notes.description_html)
    tags.duration = audio.seconds
    tags.explicit = show.explicit if ep.explicit is None else ep.explicit
    tags.episode_type = ep.episode_type
    tags.episode, tags.season = ep.episode, ep.season
    tags.image = links.image_url
    artist = _xml_text(audio.artist or "").strip()
    tags.author = artist if artist and artist != show.author else None
    if links.transcript_url and links.transcript_type:
        tags.transcript = (links.transcript_url, links.transcript_type)
    tags.chapters = links.chapters_url
    tags.persons = [_person(p) for p in ep.persons]  # apps let these replace the show's


def _xml_text(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids (D-01).

    Config and notes with such characters are refused with their line; this catches what
    comes from elsewhere (audio tags, bibliographies) so the feed always parses.
    """
    return XML_ILLEGAL.sub("", text)


def _person(p: Person) -> tuple[str, dict[str, str]]:
    attrs = {"role": p.role, "group": p.group}
    if p.img:
        attrs["img"] = p.img
    if p.href:
        attrs["href"] = p.href
    return p.name, attrs
