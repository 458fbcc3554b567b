"""The ``<channel>`` of a read feed -> feed_config.yaml values and the show art to fetch
(pure), each change logged."""

from __future__ import annotations

import re
import uuid
from typing import Any

from publisher.config.show import podcast_guid
from publisher.importer import html, legacy
from publisher.importer.legacy import MAX_DESCRIPTION_BYTES, cut, email_in, fetchable, is_https
from publisher.importer.model import Change, Fetch, Log
from publisher.importer.read import Channel, FeedPerson, source_error

_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})*$")


class ChannelMapper(Log):
    def __init__(self, channel: Channel) -> None:
        super().__init__()
        self.ch = channel

    def channel_config(
        self, old_feed_url: str | None
    ) -> tuple[tuple[tuple[str, Any], ...], Fetch | None]:
        """feed_config.yaml's keys from the channel, in order, and the show artwork to fetch
        (None when the feed has none usable); every value changed is recorded."""
        ch, c = self.ch, "channel"
        out = self._identity()
        out.append(("language", self._language()))
        out.append(("categories", self._categories()))
        explicit = legacy.explicit_value(ch.explicit)
        if ch.explicit and ch.explicit.strip() not in ("true", "false"):
            word = "dropped (false)" if explicit is None else str(explicit).lower()
            self.mapped(c, f"explicit: {ch.explicit!r} -> {word} [C-06]")
        out.append(("explicit", bool(explicit)))
        artwork = None
        if fetchable(ch.image):
            assert ch.image is not None
            artwork = Fetch(ch.image, "artwork", "artwork")
        else:
            self.warnings.append(
                Change(c, "no usable show artwork in the feed: add 'artwork' [C-03]")
            )
        out.append(("artwork", "artwork.jpg"))
        kind = (ch.type or "episodic").strip().lower()
        if kind not in ("episodic", "serial"):
            self.mapped(c, f"type: {ch.type!r} -> episodic [C-10]")
            kind = "episodic"
        out.append(("type", kind))
        if ch.copyright:
            out.append(("copyright", ch.copyright))
        locked = (ch.locked or "").lower() in ("yes", "true")
        if ch.locked is not None:
            out.append(("locked", locked))
        persons = map_persons(ch.persons, c, self)
        if persons:
            out.append(("persons", persons))
        funding = self._funding()
        if funding:
            out.append(("funding", funding))
        if ch.new_feed_url:
            self.warnings.append(
                Change(
                    c, f"the feed already says it moved to {ch.new_feed_url} (itunes:new-feed-url)"
                )
            )
        out.append(("podcast_guid", self._podcast_guid(old_feed_url)))
        if old_feed_url:
            out.append(("imported_from", old_feed_url))
        return tuple(out), artwork

    def _identity(self) -> list[tuple[str, Any]]:
        """title, description (plain text, C-02), author (C-08) and owner (C-09)."""
        ch, c = self.ch, "channel"
        out: list[tuple[str, Any]] = [("title", ch.title or "")]
        if not ch.title:
            self.warnings.append(Change(c, "the feed has no <title>: fill in 'title'"))
        description = html.to_text(ch.description or ch.summary or "")
        if ch.description and description != ch.description.strip():
            self.mapped(c, "description: HTML converted to plain text [C-02]")
        if not description:
            description = ch.title
            self.mapped(c, "description: none in the feed; the title is used [C-02]")
        if len(description.encode()) > MAX_DESCRIPTION_BYTES:
            description = cut(description, MAX_DESCRIPTION_BYTES)
            self.mapped(c, "description: over 4000 bytes; shortened at a word [C-02]")
        out.append(("description", description))
        author = ch.author or ch.owner_name or ch.title
        if not ch.author:
            self.mapped(c, f"author: no itunes:author; {author!r} is used [C-08]")
        out.append(("author", author))
        email = ch.owner_email or email_in(ch.managing_editor)
        if not ch.owner_email and email:
            self.mapped(c, "owner email: from managingEditor/webMaster [C-09]")
        if not email:
            self.warnings.append(
                Change(c, "no owner email in the feed: fill in 'owner.email' [C-09]")
            )
        out.append(("owner", {"name": ch.owner_name or author, "email": email or ""}))
        return out

    def _language(self) -> str:
        raw = (self.ch.language or "").strip()
        lang = raw.lower().replace("_", "-")
        if not _LANGUAGE.match(lang):
            self.mapped(
                "channel",
                f"language: {raw!r} is not an ISO 639 code; 'en' is used: change it if wrong [C-04]"
                if raw
                else "language: none in the feed; 'en' is used: change it if wrong [C-04]",
            )
            return "en"
        if lang != raw:
            self.mapped("channel", f"language: {raw!r} -> {lang!r} [C-04]")
        return lang

    def _categories(self) -> list[str]:
        found: list[str] = []
        pairs = [(p, s) for p, subs in self.ch.categories for s in (subs or (None,))]
        for parent, sub in pairs:
            written = parent + (f" > {sub}" if sub else "")
            new = legacy.map_category(parent, sub)
            if new is None:
                self.left_out.append(
                    Change("channel", f"category {written!r}: not an Apple category [C-05]")
                )
                continue
            text = new[0] + (f" > {new[1]}" if new[1] else "")
            if text != written:
                self.mapped("channel", f"category {written!r} -> {text!r} [C-05]")
            if text not in found:
                found.append(text)
        if not found:
            self.warnings.append(
                Change("channel", "no Apple category in the feed: fill in 'categories' [C-05]")
            )
        return found

    def _funding(self) -> dict[str, str] | None:
        for i, (url, label) in enumerate(self.ch.funding):
            if i > 0:
                self.left_out.append(Change("channel", f"funding {url}: only the first is kept"))
                continue
            if not (is_https(url) and url.isascii()):
                self.left_out.append(Change("channel", f"funding {url!r}: not an https URL [C-14]"))
                continue
            text = label or "Support the show"
            if len(text) > 128:
                text = cut(text, 128, chars=True)
                self.mapped("channel", "funding label: over 128 characters; shortened [C-14]")
            return {"url": url, "label": text}
        return None

    def _podcast_guid(self, old_feed_url: str | None) -> str:
        given = self.ch.podcast_guid
        if given:
            try:
                return str(uuid.UUID(given))
            except ValueError:
                self.left_out.append(
                    Change("channel", f"podcast:guid {given!r}: not a UUID [C-12]")
                )
        if old_feed_url:
            guid = podcast_guid(old_feed_url)
            self.mapped(
                "channel", f"podcast_guid: the Podcasting 2.0 recipe for {old_feed_url} [C-12]"
            )
            return guid
        raise source_error(
            "the old feed's URL is unknown, and the show's identity is made from it [C-12]",
            self.ch.source,
            None,
            "pass --old-feed-url URL",
        )


def map_persons(persons: tuple[FeedPerson, ...], where: str, log: Log) -> list[Any]:
    """podcast:person elements as ``persons`` entries; non-https links dropped [D-04]."""
    out: list[Any] = []
    for p in persons:
        spec: dict[str, str] = {"name": p.name[:128]}
        if p.role:
            spec["role"] = p.role.strip().lower()
        if p.group:
            spec["group"] = p.group.strip().lower()
        for key, url in (("img", p.img), ("href", p.href)):
            if url and is_https(url) and url.isascii():
                spec[key] = url
            elif url:
                log.mapped(where, f"person {p.name!r}: {key} {url!r} dropped (not https) [D-04]")
        out.append(spec["name"] if list(spec) == ["name"] else spec)
    return out
