"""Our feedgen extension: the itunes: and podcast: tags as docs/feed-rules.md describes them.

feedgen's own podcast extension has an obsolete category table, rejects ``true``/``false``
for ``itunes:explicit`` and drops image URLs silently (known feedgen 1.0.0 traps), so
both namespaces are written here. Values are plain data set by ``builder.py``; lxml escapes
them. Items are written by ``items.py`` (with lxml directly, for speed) with the helper and
the namespaces defined here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from feedgen.ext.base import BaseExtension  # isort: skip

from publisher import layout

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST = "https://podcastindex.org/namespace/1.0"
ATOM = "http://www.w3.org/2005/Atom"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
# RFC 5005 (feed paging and archiving). Declared on the fh:archive element itself, so the
# <rss> element declares exactly the four namespaces of D-01 in every feed, archives too.
HISTORY = "http://purl.org/syndication/history/1.0"
FEED_NAMESPACES = {"itunes": ITUNES, "podcast": PODCAST, "atom": ATOM, "content": CONTENT}


def sub(parent: Any, ns: str, tag: str, value: str | None = None, **attrs: str) -> Any:
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
    websub_hub: str | None = None  # <atom:link rel="hub">: apps subscribe there for pushes
    # RFC 5005: (rel, href) of "current", "prev-archive", "next-archive"; fh:archive in an
    # archive feed.
    history_links: list[tuple[str, str]] = field(default_factory=list)
    archive: bool = False


class ShowExtension(BaseExtension):  # type: ignore[misc]
    """Channel-level itunes: and podcast: tags."""

    def __init__(self) -> None:
        self.tags = ChannelTags()

    def extend_ns(self) -> dict[str, str]:
        return {"itunes": ITUNES, "podcast": PODCAST}

    def extend_rss(self, rss: Any) -> Any:
        t = self.tags
        channel = rss[0]
        if t.websub_hub:
            sub(channel, ATOM, "link", href=t.websub_hub, rel="hub")
        sub(channel, ITUNES, "author", t.author)
        owner = sub(channel, ITUNES, "owner")
        sub(owner, ITUNES, "name", t.owner_name)
        sub(owner, ITUNES, "email", t.owner_email)
        sub(channel, ITUNES, "image", href=t.image)
        parents: dict[str, Any] = {}  # subcategories of one parent nest in one element
        for name, subcategory in t.categories:
            cat = parents.get(name)
            if cat is None:
                cat = parents[name] = sub(channel, ITUNES, "category", **{"text": name})
            if subcategory:
                sub(cat, ITUNES, "category", **{"text": subcategory})
        sub(channel, ITUNES, "explicit", "true" if t.explicit else "false")
        sub(channel, ITUNES, "type", t.type)
        if t.new_feed_url:
            sub(channel, ITUNES, "new-feed-url", t.new_feed_url)
        if t.guid:
            sub(channel, PODCAST, "guid", t.guid)
        sub(channel, PODCAST, "locked", "yes" if t.locked else "no", owner=t.owner_email)
        if t.funding:
            sub(channel, PODCAST, "funding", t.funding[1], url=t.funding[0])
        sub(channel, PODCAST, "medium", "podcast")
        for name, attrs in t.persons:
            sub(channel, PODCAST, "person", name, **attrs)
        for rel, href in t.history_links:
            sub(channel, ATOM, "link", href=href, rel=rel, type=layout.FEED_TYPE)
        if t.archive:
            etree.SubElement(channel, f"{{{HISTORY}}}archive", nsmap={"fh": HISTORY})
        return rss
