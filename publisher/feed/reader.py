"""A published feed, read once: what the GUID guard and verify need to know of it.

Feeds on a target may come from anywhere (an earlier version of this tool, a host, a hand
edit), so the XML is parsed without loading a DTD, expanding entities or reaching the network,
and huge trees are refused.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from lxml import etree

PODCAST = "https://podcastindex.org/namespace/1.0"
ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
ATOM = "http://www.w3.org/2005/Atom"
_PARSER = etree.XMLParser(
    resolve_entities=False, load_dtd=False, no_network=True, huge_tree=False, dtd_validation=False
)


@dataclass(frozen=True)
class FeedEnclosure:
    """An item's enclosure as the feed states it."""

    url: str
    length: int | None  # None when missing or not a whole number
    type: str


@dataclass(frozen=True)
class FeedItem:
    """One ``<item>`` of a published feed."""

    title: str | None
    guid: str | None  # stripped; None when missing or blank
    enclosure: FeedEnclosure | None  # the first enclosure with a URL


@dataclass(frozen=True)
class PublishedFeed:
    """The facts of a published feed that later runs compare with."""

    title: str | None
    podcast_guid: str | None
    items: tuple[FeedItem, ...]
    urls: tuple[str, ...]  # every other URL it points to: artwork, chapters, transcripts
    prev_archive: str | None = None  # RFC 5005 ``atom:link rel="prev-archive"``: older items


def read_feed(data: bytes) -> PublishedFeed:
    """Parse an RSS feed. Raises ValueError (``not valid XML: …``) when it cannot be parsed.

    The last few feeds parsed are remembered (by their bytes; the result is immutable): a
    publish asks about the live feed and its archives several times, ~25 ms a megabyte."""
    return _read_feed(bytes(data))


@functools.lru_cache(maxsize=4)
def _read_feed(data: bytes) -> PublishedFeed:
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as e:
        raise ValueError(f"not valid XML: {e}") from e
    channel = root.find("channel")
    items = tuple(_item(el) for el in root.iter("item"))
    urls = [
        *(el.get("href", "") for el in root.iter(f"{{{ITUNES}}}image")),
        *(el.get("url", "") for el in root.iter(f"{{{PODCAST}}}chapters")),
        *(el.get("url", "") for el in root.iter(f"{{{PODCAST}}}transcript")),
    ]
    return PublishedFeed(
        title=_text(channel.find("title")) if channel is not None else None,
        podcast_guid=_text(channel.find(f"{{{PODCAST}}}guid")) if channel is not None else None,
        items=items,
        urls=tuple(dict.fromkeys(u.strip() for u in urls if u.strip())),
        prev_archive=_prev_archive(channel),
    )


def _prev_archive(channel: etree._Element | None) -> str | None:
    """The channel's first ``atom:link rel="prev-archive"`` href (RFC 5005), if any."""
    for link in channel.iterfind(f"{{{ATOM}}}link") if channel is not None else ():
        href = (link.get("href") or "").strip()
        if link.get("rel") == "prev-archive" and href:
            return href
    return None


def _item(el: etree._Element) -> FeedItem:
    enclosure = None
    for enc in el.iter("enclosure"):
        url = (enc.get("url") or "").strip()
        if url:
            length = (enc.get("length") or "").strip()
            enclosure = FeedEnclosure(
                url, int(length) if length.isdigit() else None, enc.get("type") or ""
            )
            break
    return FeedItem(_text(el.find("title")), _text(el.find("guid")), enclosure)


def _text(el: etree._Element | None) -> str | None:
    text = (el.text or "").strip() if el is not None else ""
    return text or None
