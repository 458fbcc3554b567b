"""The rules of docs/feed-rules.md that a built feed alone can show, as one check: every
violation found, by rule ID (an empty list: the feed meets them)."""

from __future__ import annotations

import email.utils
import re
import uuid
from urllib.parse import urlsplit

from lxml import etree

from publisher.config.categories import APPLE_CATEGORIES
from tests.support.feedxml import NS

_TYPES = {"audio/mpeg", "audio/x-m4a", "video/mp4", "video/quicktime", "video/x-m4v"}
_TYPES |= {"application/pdf"}
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})*$")


def violations(feed: bytes) -> list[str]:
    root = etree.fromstring(feed)
    found: list[str] = []

    def x(node: etree._Element, path: str) -> list[etree._Element]:
        result = node.xpath(path, namespaces=NS)
        assert isinstance(result, list)
        return [r for r in result if isinstance(r, etree._Element)]

    def need(ok: bool, rule: str, what: str) -> None:
        if not ok:
            found.append(f"[{rule}] {what}")

    need(root.tag == "rss" and root.get("version") == "2.0", "D-01", "not <rss version=2.0>")
    need(dict(root.nsmap) == {k: v for k, v in NS.items()}, "D-01", f"namespaces {root.nsmap}")
    ch = x(root, "channel")[0]
    desc = (ch.findtext("description") or "").encode()
    need(len(desc) <= 4000 and b"<" not in desc, "C-02", "channel description")
    need(bool(_LANGUAGE.match(ch.findtext("language") or "")), "C-04", "language")
    for cat in x(ch, "itunes:category"):
        name = cat.get("text") or ""
        need(name in APPLE_CATEGORIES, "C-05", f"category {name!r}")
        for sub in x(cat, "itunes:category"):
            need(
                sub.get("text") in APPLE_CATEGORIES.get(name, ()), "C-05", f"sub {sub.get('text')}"
            )
    need(bool(x(ch, "itunes:category")), "C-05", "no category")
    need([e.text for e in x(ch, "itunes:explicit")] in (["true"], ["false"]), "C-06", "explicit")
    email_ = x(ch, "itunes:owner/itunes:email")
    need(bool(email_) and "@" in (email_[0].text or ""), "C-09", "owner email")
    guid = x(ch, "podcast:guid")
    need(len(guid) == 1 and _is_uuid(guid[0].text or ""), "C-12", "podcast:guid")
    serial = [e.text for e in x(ch, "itunes:type")] == ["serial"]
    items = x(ch, "item")
    need(bool(items), "I-16", "no items")
    urls, guids = [], []
    for item in items:
        title = item.findtext("title") or ""
        enclosures = x(item, "enclosure")
        need(len(enclosures) == 1, "I-02", f"{title}: enclosures")
        for enc in enclosures:
            url, length = enc.get("url") or "", enc.get("length") or ""
            urls.append(url)
            need(length.isdigit() and int(length) > 0, "I-02", f"{title}: length {length!r}")
            need(enc.get("type") in _TYPES, "I-02", f"{title}: type {enc.get('type')}")
            need(url.isascii() and bool(urlsplit(url).netloc), "D-05", f"{title}: url {url}")
        guids.append(item.findtext("guid") or "")
        date = item.findtext("pubDate") or ""
        need(email.utils.parsedate_to_datetime(date).tzinfo is not None, "I-05", f"{title}: date")
        need(len((item.findtext("description") or "").encode()) <= 4000, "I-06", f"{title}: desc")
        need((x(item, "itunes:duration")[0].text or "").isdigit(), "I-08", f"{title}: duration")
        need([e.text for e in x(item, "itunes:explicit")] in (["true"], ["false"]), "I-11", title)
        for tag in ("itunes:season", "itunes:episode"):
            for n in x(item, tag):
                need((n.text or "").isdigit() and int(n.text or 0) > 0, "I-12", f"{title}: {tag}")
        need(not serial or bool(x(item, "itunes:episode")), "C-10", f"{title}: no episode")
        kinds = [e.text for e in x(item, "itunes:episodeType")]
        need(kinds in (["full"], ["trailer"], ["bonus"]), "I-13", f"{title}: type")
    need(len(set(urls)) == len(urls), "I-03", "an enclosure URL repeats")
    need(len(set(guids)) == len(guids) and all(guids), "I-04", "GUIDs not unique")
    need(len(feed) < 5_000_000, "D-09", "feed size")
    return found


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True
