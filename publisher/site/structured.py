"""schema.org JSON-LD for every page (PodcastSeries, PodcastEpisode with its citations).

Search engines read these blocks; browsers never run them (``application/ld+json`` is a data
block, so the Content-Security-Policy need not admit it). The JSON is made safe to sit inside
``<script>``: ``<``, ``>`` and ``&`` are written as ``\\u003c`` etc., so no text from a note or a
bibliography can close the element.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup

from publisher import layout
from publisher.model import Item, Show, ShowLinks
from publisher.site import references

# schema.org types for CSL item types; anything else is a CreativeWork
_TYPES = {
    "article-journal": "ScholarlyArticle",
    "article-magazine": "Article",
    "article-newspaper": "NewsArticle",
    "book": "Book",
    "chapter": "Chapter",
    "report": "Report",
    "thesis": "Thesis",
    "webpage": "WebPage",
    "dataset": "Dataset",
    "paper-conference": "ScholarlyArticle",
}


def script(data: Mapping[str, Any]) -> Markup:
    """``<script type="application/ld+json">…</script>`` for ``data``."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(f'<script type="{layout.JSON_LD_TYPE}">{text}</script>')


def series(show: Show, links: ShowLinks) -> dict[str, Any]:
    return {
        "@context": "https://schema.org",
        "@type": "PodcastSeries",
        "name": show.title,
        "description": show.description,
        "url": links.site_url,
        "webFeed": links.feed_url,
        "image": links.artwork_url,
        "inLanguage": show.language,
        "author": {"@type": "Person", "name": show.author},
    }


def citation(item: Mapping[str, Any]) -> dict[str, Any]:
    """A cited work as schema.org: its type, name, authors, date, DOI as identifier and URL."""
    out: dict[str, Any] = {"@type": _TYPES.get(str(item.get("type")), "CreativeWork")}
    title = item.get("title")
    if title:
        out["name"] = " ".join(str(title).split())
    people = [
        p.get("literal") or " ".join(x for x in (p.get("given"), p.get("family")) if x)
        for p in references.names(item)
    ]
    if people:
        out["author"] = [{"@type": "Person", "name": name} for name in people]
    year = references.year(item)
    if year:
        out["datePublished"] = year
    container = item.get("container-title")
    if container:
        out["isPartOf"] = {"@type": "Periodical", "name": str(container)}
    doi = references.doi(item)
    if doi:
        out["identifier"] = {"@type": "PropertyValue", "propertyID": "DOI", "value": doi}
        out["url"] = f"https://doi.org/{doi}"
    elif item.get("URL"):
        out["url"] = str(item["URL"])
    return out


def episode(
    show: Show,
    links: ShowLinks,
    item: Item,
    *,
    description: str,
    cited: Sequence[Mapping[str, Any]],
) -> dict[str, Any]:
    ep = item.episode
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "PodcastEpisode",
        "name": ep.title,
        "url": item.links.page_url,
        "datePublished": ep.date.isoformat(),
        "description": description,
        "image": item.links.image_url or links.artwork_url,
        "associatedMedia": {
            "@type": "MediaObject",
            "contentUrl": item.links.media_url,
            "encodingFormat": ep.audio.mime_type,
            # 0 seconds: unknown (imported without one), left out rather than claimed
            **({"duration": _iso(ep.audio.duration)} if ep.audio.seconds else {}),
            "contentSize": str(ep.audio.size),
        },
        "partOfSeries": {"@type": "PodcastSeries", "name": show.title, "url": links.site_url},
        "inLanguage": show.language,
    }
    if ep.episode is not None:
        data["episodeNumber"] = ep.episode
    if ep.season is not None:
        data["partOfSeason"] = {"@type": "PodcastSeason", "seasonNumber": ep.season}
    if cited:
        data["citation"] = [citation(c) for c in cited]
    return data


def _iso(seconds: float) -> str:
    total = int(seconds + 0.5)
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"PT{h}H{m}M{s}S"
