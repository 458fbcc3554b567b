"""A podcast's RSS feed (bytes) -> frozen :class:`Channel` and :class:`FeedItem` values.

The only feedparser import. feedparser reads the basics the way podcast apps do (titles,
enclosures, show notes it has sanitised, durations, season and episode numbers), but it loses
what an importer must keep, so lxml reads those from the same bytes:

- it keeps only the last ``podcast:person`` and ``podcast:transcript`` of an item;
- it drops the ``podcast:locked`` value and the ``podcast:funding`` label;
- it flattens nested ``itunes:category`` elements (a subcategory loses its parent);
- it converts every date to UTC (the item's own offset names its file: ``<date>-<slug>``);
- it folds ``itunes:summary`` into ``description``, turns ``itunes:explicit`` into a boolean
  (the legacy ``clean`` is lost) and prefers ``<image>`` to ``itunes:image``.

Values are kept as the feed wrote them (stripped of surrounding space); mapping them to what
our rules accept is :mod:`publisher.importer.mapping`'s job.
"""

from __future__ import annotations

import calendar
import datetime as dt
import email.utils
from dataclasses import dataclass
from typing import Any

import feedparser
from lxml import etree

from publisher import weburl
from publisher.errors import PublisherError

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST = "https://podcastindex.org/namespace/1.0"
# Older Podcasting 2.0 feeds used the namespace's GitHub address.
PODCAST_OLD = "https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md"
ATOM = "http://www.w3.org/2005/Atom"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
GOOGLEPLAY = "http://www.google.com/schemas/play-podcasts/1.0"


@dataclass(frozen=True)
class FeedPerson:
    name: str
    role: str | None = None
    group: str | None = None
    img: str | None = None
    href: str | None = None


@dataclass(frozen=True)
class FeedEnclosure:
    url: str
    length: str  # as written ("" when absent): hosts write "0", "-1", "12,345"…
    type: str


@dataclass(frozen=True)
class FeedLink:
    """A ``podcast:transcript`` or ``podcast:chapters`` link."""

    url: str
    type: str
    language: str | None = None
    rel: str | None = None


@dataclass(frozen=True)
class FeedItem:
    """One ``<item>``, in feed order (``index`` counts from 1)."""

    index: int
    title: str
    guid: str | None
    pub_date: str | None  # as written
    published: dt.datetime | None  # aware, in the item's own offset; None: unreadable
    enclosures: tuple[FeedEnclosure, ...]
    html: str  # content:encoded, else description (HTML as written; untrusted)
    description: str  # the description alone (HTML)
    summary: str | None  # itunes:summary
    subtitle: str | None  # itunes:subtitle
    season: str | None
    episode: str | None
    episode_type: str | None
    explicit: str | None
    duration: str | None
    keywords: str | None
    image: str | None  # itunes:image href
    link: str | None
    persons: tuple[FeedPerson, ...] = ()
    transcripts: tuple[FeedLink, ...] = ()
    chapters: FeedLink | None = None


@dataclass(frozen=True)
class Channel:
    """The ``<channel>`` and its items."""

    source: str  # the URL or path the feed was read from
    title: str
    description: str  # HTML or plain text, as written
    link: str | None
    self_url: str | None  # atom:link rel="self"
    new_feed_url: str | None
    author: str | None
    owner_name: str | None
    owner_email: str | None
    managing_editor: str | None
    language: str | None
    categories: tuple[tuple[str, tuple[str, ...]], ...]  # (parent, its nested subcategories)
    explicit: str | None
    image: str | None  # itunes:image href, else <image><url>
    type: str | None
    copyright: str | None
    locked: str | None
    locked_owner: str | None
    podcast_guid: str | None
    funding: tuple[tuple[str, str], ...]  # (url, label)
    persons: tuple[FeedPerson, ...]
    summary: str | None  # itunes:summary
    items: tuple[FeedItem, ...]


def source_error(
    message: str, source: str, line: int | None = None, hint: str | None = None
) -> PublisherError:
    """A problem of the feed at ``source``: a file is named as a path, a URL in the message
    (a path would fold its ``//``)."""
    if weburl.scheme(source) in ("http", "https"):
        where = source + (f":{line}" if line is not None else "")
        return PublisherError(f"{where}: {message}", None, None, hint)
    return PublisherError(message, source, line, hint)


def read_feed(data: bytes, source: str) -> Channel:
    """Read the feed in ``data``. Raises PublisherError (one line) when it is not an RSS feed."""
    if not data.strip():
        raise source_error("the feed is empty", source)
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as e:
        hint = "is it a web page rather than the feed?" if b"<html" in data[:2000].lower() else None
        raise source_error(f"not an XML feed: {e.msg}", source, e.lineno, hint) from None
    channel = root.find("channel") if root.tag == "rss" else None
    if channel is None:
        name = etree.QName(root).localname if isinstance(root.tag, str) else "?"
        raise source_error(
            f"XML, but not an RSS feed (its root element is <{name}>)",
            source,
            None,
            "podcast feeds are RSS 2.0: <rss><channel>…",
        )
    parsed = feedparser.parse(data, sanitize_html=True, resolve_relative_uris=False)
    entries: list[Any] = list(parsed.entries)
    items = []
    for i, element in enumerate(channel.findall("item")):
        entry = entries[i] if i < len(entries) else {}
        items.append(_item(i + 1, element, entry))
    return _channel(channel, parsed.feed, source, tuple(items))


def _channel(ch: Any, feed: Any, source: str, items: tuple[FeedItem, ...]) -> Channel:
    self_url = None
    for link in ch.findall(f"{{{ATOM}}}link"):
        if link.get("rel") == "self" and link.get("href"):
            self_url = link.get("href").strip()
            break
    image = _attr(ch, f"{{{ITUNES}}}image", "href") or _text(ch.find("image"), "url")
    owner = ch.find(f"{{{ITUNES}}}owner")
    locked = _first(ch, "locked")
    funding = tuple(
        (f.get("url", "").strip(), (f.text or "").strip())
        for f in _all(ch, "funding")
        if f.get("url")
    )
    return Channel(
        source=source,
        title=str(feed.get("title") or _text(ch, "title") or "").strip(),
        description=_text(ch, "description") or "",
        link=_text(ch, "link"),
        self_url=self_url,
        new_feed_url=_text(ch, f"{{{ITUNES}}}new-feed-url"),
        author=_text(ch, f"{{{ITUNES}}}author") or _text(ch, f"{{{GOOGLEPLAY}}}author"),
        owner_name=_text(owner, f"{{{ITUNES}}}name") if owner is not None else None,
        owner_email=_text(owner, f"{{{ITUNES}}}email") if owner is not None else None,
        managing_editor=_text(ch, "managingEditor") or _text(ch, "webMaster"),
        language=_text(ch, "language"),
        categories=_categories(ch),
        explicit=_text(ch, f"{{{ITUNES}}}explicit"),
        image=image,
        type=_text(ch, f"{{{ITUNES}}}type"),
        copyright=_text(ch, "copyright"),
        locked=(locked.text or "").strip() if locked is not None else None,
        locked_owner=locked.get("owner") if locked is not None else None,
        podcast_guid=(_text_of(_first(ch, "guid"))),
        funding=funding,
        persons=_persons(ch),
        summary=_text(ch, f"{{{ITUNES}}}summary"),
        items=items,
    )


def _item(index: int, el: Any, entry: Any) -> FeedItem:
    guid = el.find("guid")
    guid_text = (guid.text or "").strip() if guid is not None else ""
    raw_date = _text(el, "pubDate")
    # feedparser folds itunes:summary into description, and a second summary into "content":
    # both elements themselves are read here.
    description = _text(el, "description") or ""
    html = _text(el, "{http://purl.org/rss/1.0/modules/content/}encoded") or ""
    enclosures = tuple(
        FeedEnclosure(
            (e.get("url") or "").strip(), (e.get("length") or "").strip(), e.get("type") or ""
        )
        for e in el.findall("enclosure")
        if (e.get("url") or "").strip()
    )
    chapters = _first(el, "chapters")
    return FeedItem(
        index=index,
        title=str(entry.get("title") or _text(el, "title") or "").strip(),
        guid=guid_text or None,
        pub_date=raw_date,
        published=_date(raw_date, entry.get("published_parsed")),
        enclosures=enclosures,
        html=html or description,
        description=description,
        summary=_text(el, f"{{{ITUNES}}}summary"),
        subtitle=_text(el, f"{{{ITUNES}}}subtitle"),
        season=_text(el, f"{{{ITUNES}}}season"),
        episode=_text(el, f"{{{ITUNES}}}episode"),
        episode_type=_text(el, f"{{{ITUNES}}}episodeType"),
        explicit=_text(el, f"{{{ITUNES}}}explicit"),
        duration=_text(el, f"{{{ITUNES}}}duration"),
        keywords=_text(el, f"{{{ITUNES}}}keywords"),
        image=_attr(el, f"{{{ITUNES}}}image", "href"),
        link=_text(el, "link"),
        persons=_persons(el),
        transcripts=tuple(
            FeedLink(t.get("url", "").strip(), t.get("type", ""), t.get("language"), t.get("rel"))
            for t in _all(el, "transcript")
            if t.get("url")
        ),
        chapters=(
            FeedLink(chapters.get("url", "").strip(), chapters.get("type", ""))
            if chapters is not None and chapters.get("url")
            else None
        ),
    )


def _date(raw: str | None, parsed: Any) -> dt.datetime | None:
    """The item's instant in its own offset; feedparser's UTC reading for what email.utils
    cannot parse (it knows many broken forms), else None."""
    if raw:
        try:
            value = email.utils.parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError):
            value = None
        if value is not None:
            return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if parsed:
        return dt.datetime.fromtimestamp(calendar.timegm(parsed), dt.UTC)
    return None


def _categories(ch: Any) -> tuple[tuple[str, tuple[str, ...]], ...]:
    found = []
    for cat in ch.findall(f"{{{ITUNES}}}category"):
        name = (cat.get("text") or "").strip()
        if name:
            subs = tuple(
                s for s in ((c.get("text") or "").strip() for c in cat.findall(cat.tag)) if s
            )
            found.append((name, subs))
    return tuple(found)


def _persons(el: Any) -> tuple[FeedPerson, ...]:
    return tuple(
        FeedPerson(
            (p.text or "").strip(),
            p.get("role"),
            p.get("group"),
            (p.get("img") or "").strip() or None,
            (p.get("href") or "").strip() or None,
        )
        for p in _all(el, "person")
        if (p.text or "").strip()
    )


def _all(el: Any, tag: str) -> list[Any]:
    return list(el.findall(f"{{{PODCAST}}}{tag}")) + list(el.findall(f"{{{PODCAST_OLD}}}{tag}"))


def _first(el: Any, tag: str) -> Any:
    found = _all(el, tag)
    return found[0] if found else None


def _text(el: Any, path: str) -> str | None:
    return _text_of(el.find(path)) if el is not None else None


def _text_of(found: Any) -> str | None:
    if found is None or not found.text:
        return None
    return str(found.text).strip() or None


def _attr(el: Any, path: str, name: str) -> str | None:
    found = el.find(path)
    value = found.get(name) if found is not None else None
    return str(value).strip() or None if value else None
