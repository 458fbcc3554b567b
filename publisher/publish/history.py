"""Rules across runs, checked against the feed already on the target before a publish.

Rule I-04: a published episode's GUID never changes. An app keys episodes by GUID, so an item
that comes back with a new GUID is listed twice. The GUID lives in the note's front matter,
where a producer can edit or delete it (the build then mints a new one). Published episodes
are matched with the new build by GUID, and by slug: a slug that is published with one GUID
and now built with another is the same episode under a new GUID. The slug is read from the
published media URL (either shape :func:`publisher.layout.media_slug` knows), not the whole
URL, so a show whose public URL moves in the same publish is still checked, and a corrected
audio file (a new content-addressed URL, the same GUID) is the same episode.

Removals: a GUID in the live feed that the new build lacks (its note deleted, set back to
draft, or its GUID changed) takes the episode out of every subscriber's app; a publish names
each by title and refuses it unless asked (``--allow-removal``). A renamed note that keeps its
GUID is not a removal.

Archives (RFC 5005): the live feed's older items may be in ``feed-archive-N.xml``, linked from
``feed.xml`` by ``prev-archive`` and from each archive to the next older one. The guard reads
them all, so an episode that moved into an archive is still published, and one dropped from an
archive is a removal like any other.

Parsing and comparing are pure; :func:`guid_problems` turns the findings into errors.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from publisher import layout, weburl
from publisher.errors import GuidChangedError, PublisherError, raise_all
from publisher.feed.reader import read_feed
from publisher.model import Build, Enclosure
from publisher.publish.plan import EpisodeRecord, EpisodeRecords, Manifest
from publisher.stores.base import Store


@dataclass(frozen=True)
class PublishedEpisode:
    """An item of the feed on the target."""

    guid: str
    slug: str  # from its media URL; "" when it has no enclosure
    title: str


@dataclass(frozen=True)
class GuidChange:
    """One published episode whose GUID the new build changes."""

    enclosure: Enclosure  # as built now (its guid is the new one)
    published: str  # the GUID the feed on the target has for the same slug


def published_episodes(
    feed: bytes | None, archives: Sequence[bytes] = ()
) -> tuple[PublishedEpisode, ...]:
    """Every item of ``feed`` that has a GUID, in feed order, then those of ``archives`` (its
    archive feeds, newest first; see :func:`archive_feeds`).

    A missing (None) or unparsable feed gives ``()``: then there is nothing to compare, and a
    broken feed on the target is exactly what a publish should be allowed to replace.

    The last results are remembered by the feeds' bytes: a publish asks twice (the GUID
    guard, the removals), and reads ahead the live feed's while its build runs
    (:mod:`publisher.publish.early`), ~10 ms at 1,000 items.
    """
    return _published_episodes(bytes(feed), tuple(bytes(a) for a in archives)) if feed else ()


@functools.lru_cache(maxsize=2)
def _published_episodes(feed: bytes, archives: tuple[bytes, ...]) -> tuple[PublishedEpisode, ...]:
    out: list[PublishedEpisode] = []
    for data in (feed, *archives):
        try:
            published = read_feed(data)
        except ValueError:
            continue
        out.extend(
            PublishedEpisode(
                item.guid,
                layout.media_slug(item.enclosure.url) if item.enclosure is not None else "",
                item.title or item.guid,
            )
            for item in published.items
            if item.guid
        )
    return tuple(out)


def archive_feeds(feed: bytes | None, get: Callable[[str], bytes | None]) -> tuple[bytes, ...]:
    """The archive feeds ``feed`` links (RFC 5005 ``prev-archive``, followed from archive to
    archive: newest first), each read with ``get`` (key -> content, None when missing).

    The key is the link's last path segment when it names an archive (``feed-archive-N.xml``),
    so a show whose public URL moved still finds its own. The chain ends at a missing or
    unparsable archive, a link to no archive, or one already read (a loop).
    """
    out: list[bytes] = []
    seen: set[str] = set()
    data = feed
    while data:
        try:
            href = read_feed(data).prev_archive
        except ValueError:
            break
        key = _archive_key_of(href) if href is not None else None
        if key is None or key in seen:
            break
        seen.add(key)
        data = get(key)
        if data:
            out.append(data)
    return tuple(out)


def _archive_key_of(href: str) -> str | None:
    url = weburl.parse(href)
    name = url.path.rsplit("/", 1)[-1] if url is not None else ""
    return name if name != layout.FEED_KEY and layout.is_feed(name) else None


def published_guids(feed: bytes | None, archives: Sequence[bytes] = ()) -> dict[str, str]:
    """Slug -> GUID of every item in ``feed`` and its ``archives`` that has both (the first
    item per slug)."""
    out: dict[str, str] = {}
    for ep in published_episodes(feed, archives):
        if ep.slug:
            out.setdefault(ep.slug, ep.guid)
    return out


def _slug(enc: Enclosure) -> str:
    return enc.slug or layout.media_slug(enc.key)


def changed_guids(
    published: dict[str, str], enclosures: Sequence[Enclosure]
) -> tuple[GuidChange, ...]:
    """The enclosures whose slug is published with another GUID than they carry now.

    ``published`` is :func:`published_guids`' slug -> GUID. Episodes are matched by GUID
    first: an enclosure whose GUID is published under another slug (a renamed note), and a
    slug whose published GUID is still built under another slug, are fine. So are new
    episodes, published ones no longer built, and an enclosure without a GUID.
    """
    published_set = set(published.values())
    built = {enc.guid for enc in enclosures if enc.guid}
    out: list[GuidChange] = []
    for enc in enclosures:
        old = published.get(_slug(enc))
        if (
            old is not None
            and enc.guid
            and enc.guid != old
            and enc.guid not in published_set
            and old not in built
        ):
            out.append(GuidChange(enc, old))
    return tuple(out)


def removed_episodes(
    feed: bytes | None,
    enclosures: Sequence[Enclosure],
    guids: Sequence[str] = (),
    archives: Sequence[bytes] = (),
) -> tuple[PublishedEpisode, ...]:
    """The episodes of ``feed`` (the live feed) and its ``archives`` whose GUID is neither in
    ``guids`` (every item of the new feed and its archives, media served elsewhere included)
    nor carried by an enclosure of the new build: publishing would take them out of every
    subscriber's app."""
    built = {enc.guid for enc in enclosures if enc.guid} | set(guids)
    seen: set[str] = set()
    out: list[PublishedEpisode] = []
    for ep in published_episodes(feed, archives):
        if ep.guid not in built and ep.guid not in seen:
            seen.add(ep.guid)
            out.append(ep)
    return tuple(out)


def guid_problems(
    feed: bytes | None,
    location: str,
    enclosures: Sequence[Enclosure],
    archives: Sequence[bytes] = (),
) -> list[PublisherError]:
    """One :class:`GuidChangedError` per episode of ``enclosures`` whose GUID differs from
    the one in ``feed`` (the feed now at ``location``) or its ``archives``; empty when none
    does."""
    problems: list[PublisherError] = []
    for change in changed_guids(published_guids(feed, archives), enclosures):
        enc = change.enclosure
        problems.append(
            GuidChangedError(
                f"guid changed since it was published: the feed at {location} has "
                f"'{change.published}' for this episode, the note now says '{enc.guid}' [I-04]",
                enc.source if enc.source is not None else enc.key,
                hint=f"put back 'guid: {change.published}' (apps would list the episode "
                "twice); to publish it as a new episode, give it a new slug (rename its note "
                "and audio)",
            )
        )
    return problems


class RemovalRefused(PublisherError):
    """Publishing would take published episodes out of every subscriber's app."""

    def __init__(self, location: str, removed: Sequence[PublishedEpisode]) -> None:
        named = ", ".join(f"'{ep.title}' (guid {ep.guid})" for ep in removed)
        super().__init__(
            f"{location}: publishing would remove {len(removed)} published episode(s) from "
            f"the feed and from every subscriber's app: {named}; nothing was written",
            None,
            hint="to remove them, publish again with --allow-removal; to keep them, restore "
            "the note (draft: false, its guid unchanged)",
        )
        self.removed = tuple(removed)


@dataclass(frozen=True)
class Live:
    """What is live on the target before this publish."""

    feed: bytes | None
    removed: tuple[PublishedEpisode, ...]
    records: EpisodeRecords

    def checked(self, manifest: Manifest) -> Manifest:
        """``manifest`` with its entry for the main feed marked changed (``problem``) unless
        the live feed is the one it records (by SHA-256): a publish records the feed while
        uploading it (:mod:`publisher.publish.run`), so one cut short in between leaves a
        manifest that names a feed the target does not serve. Content on the target is
        trusted over the manifest."""
        entry = manifest.get(layout.FEED_KEY)
        if entry is None or entry.problem is not None:
            return manifest
        if self.feed is None:
            problem = "listed in the manifest but missing from the target"
        elif hashlib.sha256(self.feed).hexdigest() != entry.sha256:
            problem = "not the feed the manifest records (a publish was cut short)"
        else:
            return manifest
        return {**manifest, layout.FEED_KEY: dataclasses.replace(entry, problem=problem)}


def check_history(build: Build, store: Store) -> Live:
    """Refuse, before any upload, to re-publish an episode under a new GUID (I-04); find the
    episodes the new feed would remove, and what the manifest records per GUID. The live
    feed's archive feeds count as published too.

    Raises :class:`GuidChangedError` (all of them together) for each changed GUID, and
    :class:`StoreError` when the target cannot be read."""
    feed = store.get(layout.FEED_KEY)
    archives = archive_feeds(feed, store.get)
    raise_all(guid_problems(feed, store.location, build.enclosures, archives))
    removed = removed_episodes(feed, build.enclosures, build.guids, archives)
    return Live(feed, removed, store.read_episodes())


def records_of(build: Build) -> dict[str, EpisodeRecord]:
    """What the new feed publishes for each GUID."""
    sha = {f.key: f.sha256 for f in build.files}
    return {
        enc.guid: EpisodeRecord(
            enc.slug,
            enc.title,
            enc.key,
            enc.note_sha256,
            sha.get(enc.key, ""),
            sha.get(enc.artwork_key) if enc.artwork_key else None,
        )
        for enc in build.enclosures
        if enc.guid
    }
