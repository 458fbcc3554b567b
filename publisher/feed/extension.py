"""Our feedgen extension: the itunes: and podcast: tags as docs/feed-rules.md describes them.

feedgen's own podcast extension has an obsolete category table, rejects ``true``/``false``
for ``itunes:explicit`` and drops image URLs silently (known feedgen 1.0.0 traps), so
both namespaces are written here. Values are plain data set by ``feed.py``; lxml escapes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from feedgen.ext.base import BaseEntryExtension, BaseExtension  # isort: skip

from publisher import layout

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST = "https://podcastindex.org/namespace/1.0"


def _sub(parent: Any, ns: str, tag: str, value: str | None = None, **attrs: str) -> Any:
    """Append <ns:tag attrs>value</ns:tag> to ``parent``."""
    el = etree.SubElement(parent, f"{{{ns}}}{tag}")
    for k, v in attrs.items():
        el.set(k, v)
    if value is not None:
        el.text = value
    return el


@dataclass
class ChannelTags:
    author: str = ""
    owner_name: str = ""
    owner_email: str = ""
    image: str = ""
    categories: list[tuple[str, str | None]] = field(default_factory=list)
    explicit: bool = False
    type: str = "episodic"
    guid: str | None = None
    locked: bool = False
    funding: tuple[str, str] | None = None
    new_feed_url: str | None = None
    persons: list[tuple[str, dict[str, str]]] = field(default_factory=list)


@dataclass
class ItemTags:
    duration: int = 0
    explicit: bool = False
    episode_type: str = "full"
    episode: int | None = None
    season: int | None = None
    image: str | None = None
    author: str | None = None
    transcript: tuple[str, str] | None = None  # (url, type)
    chapters: str | None = None
    persons: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    cdata_description: str | None = None


class ShowExtension(BaseExtension):  # type: ignore[misc]
    """Channel-level itunes: and podcast: tags."""

    def __init__(self) -> None:
        self.tags = ChannelTags()

    def extend_ns(self) -> dict[str, str]:
        return {"itunes": ITUNES, "podcast": PODCAST}

    def extend_rss(self, rss: Any) -> Any:
        t = self.tags
        channel = rss[0]
        _sub(channel, ITUNES, "author", t.author)
        owner = _sub(channel, ITUNES, "owner")
        _sub(owner, ITUNES, "name", t.owner_name)
        _sub(owner, ITUNES, "email", t.owner_email)
        _sub(channel, ITUNES, "image", href=t.image)
        parents: dict[str, Any] = {}  # subcategories of one parent nest in one element
        for name, sub in t.categories:
            cat = parents.get(name)
            if cat is None:
                cat = parents[name] = _sub(channel, ITUNES, "category", **{"text": name})
            if sub:
                _sub(cat, ITUNES, "category", **{"text": sub})
        _sub(channel, ITUNES, "explicit", "true" if t.explicit else "false")
        _sub(channel, ITUNES, "type", t.type)
        if t.new_feed_url:
            _sub(channel, ITUNES, "new-feed-url", t.new_feed_url)
        if t.guid:
            _sub(channel, PODCAST, "guid", t.guid)
        _sub(channel, PODCAST, "locked", "yes" if t.locked else "no", owner=t.owner_email)
        if t.funding:
            _sub(channel, PODCAST, "funding", t.funding[1], url=t.funding[0])
        _sub(channel, PODCAST, "medium", "podcast")
        for name, attrs in t.persons:
            _sub(channel, PODCAST, "person", name, **attrs)
        return rss


class EpisodeExtension(BaseEntryExtension):  # type: ignore[misc]
    """Item-level itunes: and podcast: tags, and a CDATA description."""

    def __init__(self) -> None:
        self.tags = ItemTags()

    def extend_rss(self, item: Any) -> Any:
        t = self.tags
        if t.cdata_description is not None and "]]>" not in t.cdata_description:
            desc = item.find("description")
            if desc is not None:
                desc.text = etree.CDATA(t.cdata_description)
        if t.author:
            _sub(item, ITUNES, "author", t.author)
        if t.image:
            _sub(item, ITUNES, "image", href=t.image)
        _sub(item, ITUNES, "duration", str(t.duration))
        _sub(item, ITUNES, "explicit", "true" if t.explicit else "false")
        _sub(item, ITUNES, "episodeType", t.episode_type)
        if t.season is not None:
            _sub(item, ITUNES, "season", str(t.season))
        if t.episode is not None:
            _sub(item, ITUNES, "episode", str(t.episode))
        if t.transcript:
            _sub(item, PODCAST, "transcript", url=t.transcript[0], type=t.transcript[1])
        if t.chapters:
            _sub(item, PODCAST, "chapters", url=t.chapters, type=layout.CHAPTERS_TYPE)
        for name, attrs in t.persons:
            _sub(item, PODCAST, "person", name, **attrs)
        return item
