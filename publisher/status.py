"""Where every episode stands on a target: draft, scheduled, ready, published, changed, removed.

The show is read and rendered as ``check`` does (nothing is written); the target's live feed
and its manifest say what is out. An episode is *published* when its GUID is in the live
feed with the same notes (title, description and full notes as the feed carries them), the
same audio (the manifest's sha256 of its media key, and the enclosure's URL and length) and
the same artwork URL (content-addressed, so new art is a new URL); else it is *changed*,
with what changed. The manifest needs nothing beyond what every publish records.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from publisher import layout
from publisher.build.read import read
from publisher.build.render import render
from publisher.episodes import NOTES_DIR
from publisher.errors import Notice, PublisherError
from publisher.feed.extension import ITUNES
from publisher.filecache import BuildCache
from publisher.model import Item, Target
from publisher.publish.plan import EpisodeRecords, ManifestEntry
from publisher.stores import open_store
from publisher.stores.base import Store

State = Literal["draft", "scheduled", "ready", "published", "changed", "removed"]
_CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"


@dataclass(frozen=True)
class EpisodeState:
    """One episode's state on the target. ``date`` is None for a removed episode or a note
    without a readable date; ``changes`` lists "notes", "audio", "artwork" for a changed one."""

    slug: str
    title: str
    guid: str
    date: dt.datetime | None
    duration: float | None  # seconds; None without audio
    state: State
    changes: tuple[str, ...] = ()


@dataclass(frozen=True)
class StatusReport:
    """Every episode's state, newest first (removed ones last); ``unreachable`` says why the
    target could not be read (then states are local only: draft, scheduled, ready)."""

    target: Target
    episodes: tuple[EpisodeState, ...]
    notices: tuple[Notice, ...]
    unreachable: str | None = None
    # what stopped some episodes from being read or rendered (they are not listed); the
    # others are listed all the same
    problems: tuple[PublisherError, ...] = ()


@dataclass(frozen=True)
class _LiveItem:
    title: str
    description: str
    content: str | None
    media_url: str
    length: str
    image: str | None


def status(
    root: Path,
    *,
    now: dt.datetime,
    target: Target | None = None,
    target_name: str | None = None,
    store: Store | None = None,
) -> StatusReport:
    """The state of every episode of the show in ``root`` on a target (default: the default
    target). Raises PublisherError when the config cannot be used at all; every other
    problem (a note, an audio file, the bibliography) is in the report's ``problems``, and
    the episodes it does not concern are listed all the same. A target that cannot be read
    is not an error but ``unreachable``."""
    cache = BuildCache(root.resolve(), write=False)
    shown = read(
        root.resolve(),
        now=now,
        target=target,
        target_name=target_name,
        guid_mode="ignore",
        cache=cache,
        drafts=True,
    )
    plan = render(shown, allow_empty=True, keep_problems=True)
    live: dict[str, _LiveItem] | None = None
    manifest: Mapping[str, ManifestEntry] = {}
    records: EpisodeRecords = {}  # what the manifest records per GUID (version 2)
    unreachable = None
    try:
        store = store or open_store(shown.target)
        feed = store.get(layout.FEED_KEY)
        manifest = store.read_manifest()
        records = store.read_episodes()
        live = _live_items(feed)
    except PublisherError as e:
        unreachable = str(e)
    states = [_state(i, now, live, manifest, cache) for i in plan.items]
    listed = {s.slug for s in states}
    for ep in shown.held:  # not yet due, notes not rendered (said as warnings): still listed
        if ep.slug not in listed:
            kind: State = "draft" if ep.draft else "scheduled"
            states.append(
                EpisodeState(ep.slug, ep.title, ep.guid, ep.date, ep.audio.duration, kind)
            )
    for p in shown.pending:
        kind = "draft" if p.draft else "scheduled"
        states.append(EpisodeState(p.slug, p.title, p.guid, p.date, None, kind))
    epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
    states.sort(key=lambda s: (s.date or epoch, s.slug), reverse=True)
    ours = {s.guid for s in states if s.guid}
    listed = {s.slug for s in states}
    for guid, item in sorted((live or {}).items()):
        if guid not in ours:
            record = records.get(guid)
            slug = record.slug if record else layout.media_slug(item.media_url)
            if slug not in listed and (root / NOTES_DIR / f"{slug}.md").exists():
                continue  # its note is there but could not be read: a problem says why
            states.append(EpisodeState(slug, item.title, guid, None, None, "removed"))
    return StatusReport(shown.target, tuple(states), plan.notices, unreachable, plan.problems)


def _state(
    item: Item,
    now: dt.datetime,
    live: Mapping[str, _LiveItem] | None,
    manifest: Mapping[str, ManifestEntry],
    cache: BuildCache,
) -> EpisodeState:
    ep = item.episode
    base = (ep.slug, ep.title, ep.guid, ep.date, ep.audio.duration)
    if ep.draft:
        return EpisodeState(*base, "draft")
    if ep.date > now:
        return EpisodeState(*base, "scheduled")
    out = (live or {}).get(ep.guid) if ep.guid else None
    if out is None:
        return EpisodeState(*base, "ready")
    changes = []
    notes = item.notes
    if (
        out.title != ep.title.strip()
        or out.description != notes.description_html
        or (out.content is not None and out.content != notes.content_html)
    ):
        changes.append("notes")
    entry = manifest.get(item.links.media_key)
    _, digest = cache.digest(ep.audio.source)
    if (
        out.media_url != item.links.media_url
        or out.length != str(ep.audio.size)
        or (entry is not None and entry.sha256 != digest)
    ):
        changes.append("audio")
    if out.image != item.links.image_url:
        changes.append("artwork")
    return EpisodeState(*base, "changed" if changes else "published", tuple(changes))


def _live_items(feed: bytes | None) -> dict[str, _LiveItem]:
    """GUID -> what the live feed says of that item ({} for no feed or an unreadable one)."""
    if not feed:
        return {}
    try:
        root = ET.fromstring(feed)
    except ET.ParseError:
        return {}
    found: dict[str, _LiveItem] = {}
    for item in root.iter("item"):
        guid = (item.findtext("guid") or "").strip()
        if not guid:
            continue
        enclosure = item.find("enclosure")
        image = item.find(f"{{{ITUNES}}}image")
        found.setdefault(
            guid,
            _LiveItem(
                (item.findtext("title") or "").strip(),
                item.findtext("description") or "",
                item.findtext(_CONTENT),
                enclosure.get("url", "") if enclosure is not None else "",
                enclosure.get("length", "") if enclosure is not None else "",
                image.get("href") if image is not None else None,
            ),
        )
    return found
