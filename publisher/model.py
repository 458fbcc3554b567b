"""Frozen dataclasses passed between the stages. No I/O here. Every object read from a file
keeps its ``source`` path (and a line where it has one): any stage can name it in an error.

Longer than our usual 400 lines, on purpose: these are the values every stage passes to the
next, each short, kept in one place where each stage finds them (one owner per fact); split by
stage, each module would import the others' types back."""

# long: every value passed between the stages, in one place (module docstring)
from __future__ import annotations

import hashlib
import os
import sys
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from publisher import layout
from publisher.errors import Notice
from publisher.layout import FileKind as FileKind  # the layout decides the kinds

EpisodeType = Literal["full", "trailer", "bonus"]
TargetKind = Literal["local", "s3"]


# --- audio ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Chapter:
    """One chapter mark, from embedded ID3 CHAP/MP4 chapters or a chapters file."""

    start: float  # seconds from the start
    title: str
    end: float | None = None
    url: str | None = None


@dataclass(frozen=True)
class Image:
    """Image bytes with their MIME type (embedded artwork)."""

    mime: str
    data: bytes = field(repr=False)


@dataclass(frozen=True, slots=True)  # one an episode: no __dict__ each (issue 11)
class AudioInfo:
    """Facts read from, and measured in, one audio file."""

    source: Path
    size: int  # bytes on disk
    mime_type: str  # the layout's type of the format, decided from the content
    extension: str  # the format: "mp3" or "m4a"
    duration: float  # seconds, measured where headers can lie
    title: str | None = None
    artist: str | None = None
    comment: str | None = None
    chapters: tuple[Chapter, ...] = ()
    artwork: Image | None = None
    notices: tuple[Notice, ...] = ()  # warnings about the file that do not stop a run

    @property
    def seconds(self) -> int:
        """Whole seconds, rounded to the nearest (what ``itunes:duration`` carries)."""
        return int(self.duration + 0.5)


# --- show -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Owner:
    name: str
    email: str


@dataclass(frozen=True)
class Category:
    """An Apple category and optional subcategory, exact spelling."""

    name: str
    subcategory: str | None = None


@dataclass(frozen=True)
class Person:
    """A host, guest or other contributor (podcast:person, C-14)."""

    name: str
    role: str = "host"
    group: str = "cast"
    img: str | None = None
    href: str | None = None


@dataclass(frozen=True)
class Target:
    """Where a show is published, and the public URL every feed and page URL is made from."""

    name: str
    kind: TargetKind
    location: str  # an absolute folder path (local) or "s3://bucket/prefix"
    public_url: str  # absolute, always ends with "/"
    endpoint_url: str | None = None
    region: str | None = None
    addressing_style: str | None = None  # "path", "virtual" or "auto"
    source: Path | None = None
    line: int | None = None
    production: bool = False  # marked 'production: true': the show's identity comes from it
    stale_grace_hours: float | None = None  # how long files no longer used stay (None: 24)

    @property
    def feed_url(self) -> str:
        return layout.feed_url(self.public_url)

    @property
    def bucket(self) -> str:
        """The bucket of an s3 target."""
        return self.location.removeprefix("s3://").split("/", 1)[0]

    @property
    def prefix(self) -> str:
        """The key prefix of an s3 target: "" or "some/prefix/" (always ending with "/")."""
        rest = self.location.removeprefix("s3://").split("/", 1)
        p = rest[1].strip("/") if len(rest) > 1 else ""
        return p + "/" if p else ""


@dataclass(frozen=True)
class FeedPolicy:
    """What the feed keeps as the catalogue grows (``feed:`` in feed_config.yaml; docs/feeds.md).

    The newest ``full_notes`` items carry their full notes (content:encoded), older ones their
    summary and page link; the main feed holds at most ``max_items`` (None: as many as fit in
    the size aimed for), the older ones go to archive feeds.
    """

    full_notes: int = 20
    max_items: int | None = None


@dataclass(frozen=True)
class Show:
    """The show as configured in feed_config.yaml."""

    source: Path  # feed_config.yaml
    root: Path  # the show folder (episodes/, show_notes/ live here)
    title: str
    description: str
    author: str
    owner: Owner
    language: str
    categories: tuple[Category, ...]
    explicit: bool
    image: Path
    timezone: str  # IANA name, e.g. "Europe/London"
    targets: tuple[Target, ...]
    default_target: str
    type: Literal["episodic", "serial"] = "episodic"
    podcast_guid: str | None = None
    copyright: str | None = None
    locked: bool = False
    funding_url: str | None = None
    funding_label: str | None = None
    new_feed_url: str | None = None  # D-08: the feed has moved there
    persons: tuple[Person, ...] = ()
    websub_hub: str | None = None  # WebSub hub told of every feed change
    podcast_index_notify: str | None = None  # a publish-notify endpoint (Podcast Index's)
    bibliography: tuple[Path, ...] = ()
    citation_style: str = "american-medical-association"
    references_title: str = "References"
    subscribe: tuple[tuple[str, str], ...] = ()  # (app name, https URL) in config order
    episodes_per_page: int = 20
    accent_color: tuple[str, str] | None = None  # (light, dark) CSS hex colours
    feed: FeedPolicy = FeedPolicy()
    lines: tuple[tuple[str, int], ...] = ()  # the line of each key in feed_config.yaml
    imported_from: str | None = None  # the old feed's URL (publisher import)
    enclosure_prefix: str | None = None  # a measurement redirect put before enclosure URLs

    def line(self, key: str) -> int | None:
        """The line of ``key`` in feed_config.yaml, if it is there."""
        return dict(self.lines).get(key)

    def target(self, name: str | None = None) -> Target:
        wanted = name or self.default_target
        for t in self.targets:
            if t.name == wanted:
                return t
        raise KeyError(wanted)


# --- episodes ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)  # one an episode: no __dict__ each (issue 11)
class Episode:
    """One episode: its note's front matter, its body's hash, and its audio facts."""

    slug: str
    source: Path  # show_notes/<slug>.md
    audio: AudioInfo
    title: str
    date: datetime  # aware
    guid: str
    # SHA-256 of the Markdown after the front matter (UTF-8). The body itself is read again
    # from ``source`` when the notes are rendered (episodes.read_body): a build holds every
    # episode, 10,000 notes' text is ~50 MB as str, and packing 1,000 of them cost a build
    # ~0.1 s, though most notes come rendered from the note cache (issue 11).
    body_sha256: str
    body_line: int  # line number in `source` of the body's first line
    season: int | None = None
    episode: int | None = None
    episode_type: EpisodeType = "full"
    explicit: bool | None = None  # None: the show's setting
    summary: str | None = None
    image: Path | None = None
    keywords: tuple[str, ...] = ()
    draft: bool = False
    bibliography: tuple[Path, ...] = ()
    transcript: Path | None = None  # same-stem extra in episodes/
    chapters_file: Path | None = None  # episodes/<slug>.chapters.json
    persons: tuple[Person, ...] = ()  # when given, these replace the show's for this episode
    guid_is_new: bool = False  # minted by this run; not yet in the note
    # The old host's enclosure URL, published as given (its `audio` facts come from the note's
    # `enclosure:` and `duration:`, not measured); None: the audio is in episodes/.
    remote_url: str | None = None
    lines: tuple[tuple[str, int], ...] = ()  # the line of each front matter field in `source`

    def line(self, field: str) -> int | None:
        """The line of front matter ``field`` in the note, if it is there."""
        return dict(self.lines).get(field)


# --- notes ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)  # many: no __dict__ each (issue 11)
class Reference:
    """One numbered entry of a note's reference list."""

    key: str
    number: int
    html: str  # the entry as HTML (no number, no wrapper)

    def __reduce__(self) -> tuple[object, tuple[str, int, str]]:
        # Unpickled (from a render worker) with its strings shared: 10,000 notes citing 10 of
        # 500 entries would otherwise hold 100,000 copies of them (~30 MB, issue 11)
        return _reference, (self.key, self.number, self.html)


def _reference(key: str, number: int, html: str) -> Reference:
    return Reference(sys.intern(key), number, sys.intern(html))


# Measured (issue 11): ~35 KB of str a note, ~2.3 KB at zlib level 6 (1: 2.5; 9: 2.2), 0.15 ms
def pack_text(text: str) -> bytes:
    """``text`` as UTF-8, zlib-compressed: how the model keeps long text (unpack_text)."""
    return zlib.compress(text.encode("utf-8", "surrogatepass"), 6)


def unpack_text(data: bytes) -> str:
    return zlib.decompress(data).decode("utf-8", "surrogatepass")


def _fill(notes: RenderedNotes, *values: object) -> None:
    names = ("source", "packed", "references", "digest", "notices")
    for name, value in zip(names, values, strict=True):
        object.__setattr__(notes, name, value)  # frozen: only ever set here


@dataclass(frozen=True, init=False, repr=False, slots=True)  # one an episode (issue 11)
class RenderedNotes:
    """One episode's notes as str: ``web_html`` for the website (in-page citation links),
    ``content_html`` for feed content:encoded (absolute links only), ``description_html`` for
    the feed description (p ol ul li a only, <= 4000 UTF-8 bytes). A build holds them all, so
    each is kept compressed in ``packed`` and decompressed whenever it is read (read it once
    per use). Equal renderings compare equal; ``repr`` names them by ``digest``, the SHA-256
    of the packed renderings (each item's hash for the website includes it: kept, not
    computed again for each of 1,000 items per build). ``notices``: what rendering them found
    that does not stop it (an ``@name`` close to a citation key), kept with them so that a
    build that reuses them says it again."""

    source: Path
    packed: tuple[bytes, bytes, bytes]  # web, content, description: UTF-8, zlib
    references: tuple[Reference, ...] = ()
    digest: str = ""  # packed_digest(packed)
    notices: tuple[Notice, ...] = ()

    def __init__(
        self,
        source: Path,
        web_html: str,
        content_html: str,
        description_html: str,
        references: tuple[Reference, ...] = (),
        notices: tuple[Notice, ...] = (),
    ) -> None:
        packed = (pack_text(web_html), pack_text(content_html), pack_text(description_html))
        _fill(self, source, packed, references, packed_digest(packed), notices)

    @classmethod
    def from_packed(
        cls,
        source: Path,
        packed: tuple[bytes, bytes, bytes],
        references: tuple[Reference, ...],
        digest: str,
        notices: tuple[Notice, ...] = (),
    ) -> RenderedNotes:
        """Notes an earlier build packed, with the ``digest`` it kept of them; raises
        ValueError when the packed bytes are not the ones it hashed (a damaged cache)."""
        if packed_digest(packed) != digest:
            raise ValueError("not the packed rendering that was kept")
        notes = cls.__new__(cls)
        _fill(notes, source, packed, references, digest, notices)
        return notes

    @property
    def web_html(self) -> str:
        return unpack_text(self.packed[0])

    @property
    def content_html(self) -> str:
        return unpack_text(self.packed[1])

    @property
    def description_html(self) -> str:
        return unpack_text(self.packed[2])

    def __repr__(self) -> str:
        return f"RenderedNotes({self.source!r}, renderings={self.digest!r}, {self.references!r})"


def packed_digest(packed: tuple[bytes, bytes, bytes]) -> str:
    """SHA-256 of packed renderings (:class:`RenderedNotes`), each prefixed by its length."""
    h = hashlib.sha256()
    for data in packed:
        h.update(b"%d:" % len(data) + data)
    return h.hexdigest()


# --- build and publish -----------------------------------------------------------------


@dataclass(frozen=True, slots=True, init=False)  # many: no __dict__ each (issue 11)
class SiteFile:
    """One built file, as it will be published."""

    key: str  # relative POSIX path, e.g. "media/ep1.mp3", "feed.xml"
    # where the built file lies on disk (``path``), as text: a Path each took ~350 bytes more,
    # 30 MB of a 10,000-episode build's 84,000 files (issue 11)
    location: str
    size: int
    sha256: str
    content_type: str
    kind: FileKind
    immutable: bool = False  # content-addressed: its URL changes when the content does

    def __init__(
        self,
        key: str,
        path: Path | str,
        size: int,
        sha256: str,
        content_type: str,
        kind: FileKind,
        immutable: bool = False,
    ) -> None:
        put = object.__setattr__  # frozen: only ever set here (one by one: ~84,000 files)
        put(self, "key", key)
        put(self, "location", path if isinstance(path, str) else os.fspath(path))
        put(self, "size", size)
        put(self, "sha256", sha256)
        put(self, "content_type", content_type)
        put(self, "kind", kind)
        put(self, "immutable", immutable)

    @property
    def path(self) -> Path:
        """Where the built file lies on disk."""
        return Path(self.location)

    def __reduce__(self) -> tuple[type[SiteFile], tuple[str, str, int, str, str, FileKind, bool]]:
        """Pickled as its fields, for its constructor: half the time of the default (a
        build in a child process sends thousands: :mod:`publisher.build.apart`)."""
        fields = (self.key, self.location, self.size, self.sha256)
        return (SiteFile, (*fields, self.content_type, self.kind, self.immutable))


@dataclass(frozen=True, slots=True)  # one an episode: no __dict__ each (issue 11)
class Enclosure:
    """An enclosure the feed points to, for verification after upload."""

    key: str
    url: str
    length: int
    mime_type: str
    guid: str = ""  # the item's GUID (I-04: it must not change once published)
    source: Path | None = None  # the episode's note, to name in messages
    slug: str = ""  # the episode's slug (the GUID guard matches published episodes by it)
    title: str = ""
    note_sha256: str = ""  # of the note as built (GUIDs written back included)
    artwork_key: str | None = None  # the episode's own artwork, if any


@dataclass(frozen=True)
class Build:
    """A complete build of a show for one target."""

    site_dir: Path
    target: Target
    files: tuple[SiteFile, ...]
    enclosures: tuple[Enclosure, ...]
    notices: tuple[Notice, ...] = ()  # things the producer should know (e.g. a GUID was written)
    drafts: bool = False  # a local preview with drafts and scheduled episodes: never published
    guids: tuple[str, ...] = ()  # every item's GUID, remote media too (empty: the enclosures')
    written: int | None = None  # files it wrote or removed (None: not counted)

    def file(self, key: str) -> SiteFile:
        for f in self.files:
            if f.key == key:
                return f
        raise KeyError(key)


@dataclass(frozen=True, slots=True)  # one an episode: no __dict__ each (issue 11)
class ItemLinks:
    """Where one episode's files are published: site keys and absolute URLs."""

    page_key: str  # "episodes/<slug>.html"
    page_url: str
    media_key: str  # "media/<slug>-<sha256:16>.<ext>"
    media_url: str
    image_url: str | None = None  # episode artwork (content-addressed), if any
    transcript_url: str | None = None
    transcript_type: str | None = None  # e.g. "text/vtt"
    chapters_url: str | None = None  # JSON chapters 1.2.0
    image_renditions: tuple[tuple[int, str], ...] = ()  # (side in px, URL) of episode art
    # What the feed's <enclosure> names when it is not media_url: media_url behind the show's
    # enclosure_prefix (layout.enclosure_url); "" for media_url itself.
    enclosure_url: str = ""


@dataclass(frozen=True, slots=True)  # one an episode: no __dict__ each (issue 11)
class Item:
    """A published episode: what the feed and the site need of it."""

    episode: Episode
    notes: RenderedNotes
    links: ItemLinks
    chapters: tuple[Chapter, ...] = ()  # from the chapters file, else the audio's own
    # (citation key, CSL-JSON item) of each reference, in the notes' numbering order
    cited: tuple[tuple[str, Mapping[str, Any]], ...] = ()
    preview_label: str | None = None  # "draft", "scheduled for …": only in a drafts preview


@dataclass(frozen=True)
class ShowLinks:
    """The show's own published URLs."""

    site_url: str  # the website's home page
    feed_url: str
    artwork_url: str  # content-addressed show artwork
    artwork_key: str
    artwork_renditions: tuple[tuple[int, str], ...] = ()  # (side in px, URL), smallest first
    icon_keys: tuple[tuple[int, str], ...] = ()  # (side in px, site key) of PNG icons
