"""A read feed -> an :class:`ImportPlan`: config values, one note per item, what to fetch,
and every mapping made and everything left out (pure: no I/O).

Every value our rules refuse is mapped, dropped or drafted here, and each change is listed,
so an imported show passes ``check`` and the summary names everything.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from publisher import layout, weburl
from publisher.episodes.pairing import CHAPTERS_SUFFIX, EPISODES_DIR
from publisher.episodes.scaffold import slugify
from publisher.importer import html, legacy
from publisher.importer.channel import ChannelMapper, map_persons
from publisher.importer.legacy import MAX_DESCRIPTION_BYTES, cut, fetchable, is_https, to_int
from publisher.importer.model import Change, Fetch, ImportPlan, Log, NotePlan, RemoteEnclosure
from publisher.importer.read import Channel, FeedItem

# The transcript formats our episodes take, preferred first: our reader takes one per episode.
TRANSCRIPT_PREFERENCE = ("vtt", "srt", "transcript.json", "html", "txt")
# Names what the duplicate-GUID drafts get instead (uuid5 of the old GUID and the stem).
_DRAFT_NAMESPACE = uuid.UUID("6f1d0c9e-3c1b-5b8e-9a53-2f4b1f0c7a11")


def map_feed(
    channel: Channel,
    *,
    old_feed_url: str | None,
    taken_stems: Iterable[str] = (),
    known_guids: Iterable[str] = (),
) -> ImportPlan:
    """The import plan for ``channel``. ``taken_stems`` and ``known_guids`` are the show's
    own when updating: items with a known GUID are skipped, new stems avoid the taken ones."""
    ch = ChannelMapper(channel)
    config, artwork = ch.channel_config(old_feed_url)
    m = _Mapper(channel)
    notes, already = m.items(set(taken_stems), set(known_guids))
    prefix = _common_prefix(notes, ch)
    if prefix:
        config = (*config, ("enclosure_prefix", prefix))
    guid = dict(config)["podcast_guid"]
    return ImportPlan(
        source=channel.source,
        config=config,
        artwork=artwork,
        notes=tuple(notes),
        mappings=(*ch.mappings, *m.mappings),
        left_out=(*ch.left_out, *m.left_out),
        warnings=(*ch.warnings, *m.warnings),
        old_feed_url=old_feed_url,
        podcast_guid=str(guid),
        enclosure_prefix=prefix,
        already_here=already,
    )


class _Mapper(Log):
    def __init__(self, channel: Channel) -> None:
        super().__init__()
        self.ch = channel

    def items(self, taken: set[str], known: set[str]) -> tuple[list[NotePlan], int]:
        usable: list[tuple[FeedItem, dt.datetime, RemoteEnclosure, str]] = []
        deferred: dict[int, list[Change]] = {}
        for item in self.ch.items:
            where = _item_name(item)
            if item.published is None:
                reason = f"date {item.pub_date!r} cannot be read" if item.pub_date else "no pubDate"
                self.left_out.append(Change(where, f"not imported: {reason}"))
                continue
            pending = len(self.mappings)
            enclosure = self._enclosure(item, where)
            if enclosure is None:
                continue
            usable.append((item, item.published, *enclosure))
            # Named by the episode's stem once it has one (below).
            deferred[item.index] = self.mappings[pending:]
            del self.mappings[pending:]
        usable.sort(key=lambda u: (u[1], -u[0].index))  # oldest first; feeds list newest first
        notes: list[NotePlan] = []
        seen: dict[str, str] = {}
        stems = set(taken)
        already = 0
        for position, (item, date, enc, ext) in enumerate(usable, start=1):
            guid = item.guid or enc.url
            if guid in known:
                already += 1
                continue
            stem = self._stem(item, date, position, stems)
            stems.add(stem)
            self.mappings.extend(Change(stem, c.text) for c in deferred[item.index])
            if not item.guid:
                self.mapped(
                    stem, "no guid in the feed: the enclosure URL is its GUID, as apps use [I-04]"
                )
            draft = False
            if guid in seen:
                draft = True
                self.warnings.append(
                    Change(
                        stem,
                        f"guid {guid!r} is also {seen[guid]}'s: imported as draft: true "
                        "with a new guid [I-04]",
                    )
                )
                guid = str(uuid.uuid5(_DRAFT_NAMESPACE, f"{guid}\n{stem}"))
            else:
                seen[guid] = stem
            notes.append(self._note(item, stem, date, guid, enc, ext, draft))
        if self.ch.type and self.ch.type.strip().lower() == "serial":
            notes = self._number_serial(notes)
        return notes, already

    def _enclosure(self, item: FeedItem, where: str) -> tuple[RemoteEnclosure, str] | None:
        if not item.enclosures:
            self.left_out.append(Change(where, "not imported: no enclosure"))
            return None
        for enc in item.enclosures:
            found = layout.audio_format_of(enc.type, enc.url)
            if found is None:
                continue
            ext, mime = found, layout.audio_type(found)
            kind = enc.type.strip().lower().split(";")[0]
            url = enc.url
            if not weburl.is_http(url):
                self.left_out.append(
                    Change(where, f"not imported: enclosure {url!r} is not an http(s) URL")
                )
                return None
            if not url.isascii():
                url = quote(url, safe=":/?#[]@!$&'()*+,;=%~")
                self.mapped(where, "enclosure URL: non-ASCII characters percent-encoded [D-05]")
            length = to_int(enc.length.replace(",", ""))
            if kind != mime:
                self.mapped(where, f"enclosure type {enc.type!r} -> {mime} [I-02]")
            return RemoteEnclosure(url, length if length and length > 0 else None, mime), ext
        types = ", ".join(sorted({e.type or "none" for e in item.enclosures}))
        self.left_out.append(
            Change(
                where, f"not imported: the enclosure is not MP3 or M4A audio (type {types}) [I-02]"
            )
        )
        return None

    def _stem(self, item: FeedItem, date: dt.datetime, position: int, stems: set[str]) -> str:
        words = slugify(item.title)
        if not words:
            number = to_int(item.episode or "")
            words = f"episode-{number if number and number > 0 else position}"
        base = f"{date.date().isoformat()}-{words}"
        stem, n = base, 1
        while stem.lower() in {s.lower() for s in stems}:
            n += 1
            stem = f"{base}-{n}"
        return stem

    def _note(
        self,
        item: FeedItem,
        stem: str,
        date: dt.datetime,
        guid: str,
        enc: RemoteEnclosure,
        ext: str,
        draft: bool,
    ) -> NotePlan:
        fields: list[tuple[str, Any]] = [
            ("title", item.title or stem),
            ("date", date.isoformat()),
            ("guid", guid),
        ]
        if not item.title:
            self.mapped(stem, "no title in the feed: the file stem is used")
        fields.extend(self._numbers(item, stem))
        converted = html.to_markdown(item.html)
        for anchor in converted.dead_anchors:
            self.mapped(stem, f"in-page link to {anchor}, which does not exist: made plain text")
        for anchor in converted.live_anchors:
            self.mapped(
                stem, f"in-page link to {anchor}: made plain text (the note keeps no anchors)"
            )
        summary = self._summary(item, stem)
        if summary:
            fields.append(("summary", summary))
        if item.keywords:
            words = [k.strip() for k in item.keywords.split(",") if k.strip()]
            if words:
                fields.append(("keywords", words))
        persons = map_persons(item.persons, stem, self)
        if persons:
            fields.append(("persons", persons))
        if draft:
            fields.append(("draft", True))
        duration = legacy.duration_seconds(item.duration)
        if item.duration and duration is not None and item.duration.strip() != str(duration):
            self.mapped(stem, f"duration {item.duration!r} -> {duration} seconds [I-08]")
        elif item.duration and duration is None:
            self.mapped(stem, f"duration {item.duration!r} cannot be read; dropped [I-08]")
        _, media_url = legacy.split_prefix(enc.url)
        return NotePlan(
            stem=stem,
            title=item.title or stem,
            date=date,
            guid=guid,
            fields=tuple(fields),
            body=converted.markdown,
            enclosure=enc,
            media_url=media_url,
            extension=ext,
            duration=duration,
            draft=draft,
            extras=self._extras(item, stem),
        )

    def _numbers(self, item: FeedItem, stem: str) -> list[tuple[str, Any]]:
        """season, episode, episode_type and explicit, as our rules take them (I-11..I-13)."""
        fields: list[tuple[str, Any]] = []
        for key, raw in (("season", item.season), ("episode", item.episode)):
            if raw is None:
                continue
            value = to_int(raw)
            if value is None or value < 1:
                self.mapped(stem, f"{key} {raw!r} dropped: not a whole number from 1 [I-12]")
            else:
                fields.append((key, value))
        if item.episode_type:
            kind = item.episode_type.strip().lower()
            if kind in ("trailer", "bonus"):
                fields.append(("episode_type", kind))
            elif kind != "full":
                self.mapped(stem, f"episode type {item.episode_type!r} -> full [I-13]")
        if item.explicit is not None:
            explicit = legacy.explicit_value(item.explicit)
            if explicit is None:
                self.mapped(stem, f"explicit {item.explicit!r} dropped (the show's is used) [I-11]")
            else:
                fields.append(("explicit", explicit))
                if item.explicit.strip() not in ("true", "false"):
                    word = str(explicit).lower()
                    self.mapped(stem, f"explicit {item.explicit!r} -> {word} [I-11]")
        return fields

    def _summary(self, item: FeedItem, stem: str) -> str:
        """The note's summary: the item's own, or one made for notes too long for the feed's
        description (I-06); at most 4000 bytes."""
        summary = html.to_text(item.summary or item.subtitle or "")
        notes_bytes = len(item.html.encode())
        if notes_bytes > MAX_DESCRIPTION_BYTES:
            if not summary:
                summary = _short_summary(item)
            self.mapped(
                stem,
                f"notes are {notes_bytes} bytes, over the feed description's 4000: the "
                "description carries 'summary' and a link to the full notes [I-06]",
            )
        if len(summary.encode()) > MAX_DESCRIPTION_BYTES:
            summary = cut(summary, MAX_DESCRIPTION_BYTES)
            self.mapped(stem, "summary: over 4000 bytes; shortened at a word [I-06]")
        return summary

    def _extras(self, item: FeedItem, stem: str) -> tuple[Fetch, ...]:
        extras: list[Fetch] = []
        if item.image and item.image != self.ch.image:
            if fetchable(item.image):
                extras.append(Fetch(item.image, f"{EPISODES_DIR}/{stem}", "image", stem))
            else:
                self.left_out.append(
                    Change(stem, f"episode image {item.image!r}: not an http(s) URL")
                )
        ranked = sorted(
            (t for t in item.transcripts if layout.transcript_extension_of(t.type)),
            key=lambda t: TRANSCRIPT_PREFERENCE.index(str(layout.transcript_extension_of(t.type))),
        )
        chosen = next((t for t in ranked if fetchable(t.url)), None)
        if chosen is not None:
            ext = layout.transcript_extension_of(chosen.type)
            extras.append(Fetch(chosen.url, f"{EPISODES_DIR}/{stem}.{ext}", "transcript", stem))
        for t in item.transcripts:
            if t is not chosen:
                self.left_out.append(
                    Change(
                        stem,
                        f"transcript {t.url} ({t.type}): one transcript per episode is kept [I-14]",
                    )
                )
        if item.chapters is not None:
            if fetchable(item.chapters.url):
                extras.append(
                    Fetch(
                        item.chapters.url,
                        f"{EPISODES_DIR}/{stem}.{CHAPTERS_SUFFIX}",
                        "chapters",
                        stem,
                    )
                )
            else:
                self.left_out.append(
                    Change(stem, f"chapters {item.chapters.url!r}: not an http(s) URL")
                )
        return tuple(extras)

    def _number_serial(self, notes: list[NotePlan]) -> list[NotePlan]:
        """A serial show needs every episode numbered (C-10): number the rest in date order."""
        used = {dict(n.fields).get("episode") for n in notes}
        out: list[NotePlan] = []
        next_free = 1
        for note in notes:  # oldest first
            if "episode" in dict(note.fields):
                out.append(note)
                continue
            while next_free in used:
                next_free += 1
            used.add(next_free)
            self.mapped(
                note.stem,
                f"serial show: no episode number; numbered {next_free} in date order [C-10]",
            )
            fields = (*note.fields, ("episode", next_free))
            out.append(NotePlan(**{**note.__dict__, "fields": fields}))
        return out


def clean_chapters(data: Any, duration: float) -> tuple[Any, int, int]:
    """JSON chapters without non-https ``url``/``img`` links [D-04] and without chapters that
    start after the audio ends [I-15]; and how many links and chapters were dropped."""
    dropped = late = 0
    if isinstance(data, dict) and isinstance(data.get("chapters"), list):
        kept = []
        for chapter in data["chapters"]:
            start = chapter.get("startTime") if isinstance(chapter, dict) else None
            if isinstance(start, int | float) and start >= duration:
                late += 1
                continue
            if isinstance(chapter, dict):
                for key in ("url", "img"):
                    value = chapter.get(key)
                    if value is not None and not (isinstance(value, str) and is_https(value)):
                        del chapter[key]
                        dropped += 1
            kept.append(chapter)
        data["chapters"] = kept
    return data, dropped, late


def _short_summary(item: FeedItem) -> str:
    """A summary for notes too long for the feed's description: the item's own description
    when it is a shorter text than the notes, else the notes' first real paragraph."""
    if item.description and item.description != item.html:
        text = html.to_text(item.description)
        if text and len(text.encode()) <= MAX_DESCRIPTION_BYTES:
            return text
    paragraphs = html.to_text(item.html).split("\n\n")
    first = next((p for p in paragraphs if len(p) >= 40), paragraphs[0] if paragraphs else "")
    return cut(first, 600)


def _common_prefix(notes: list[NotePlan], m: Log) -> str | None:
    counts = Counter(legacy.split_prefix(n.enclosure.url)[0] for n in notes)
    counts.pop("", None)
    if not counts:
        return None
    prefix, count = counts.most_common(1)[0]
    m.mapped(
        "channel",
        f"enclosure_prefix: the old feed put {prefix} in front of {count} of {len(notes)} "
        "enclosure URLs; proposed for yours",
    )
    return prefix


def _item_name(item: FeedItem) -> str:
    title = item.title[:60] + ("…" if len(item.title) > 60 else "")
    return f"item {item.index} {title!r}" if title else f"item {item.index}"
