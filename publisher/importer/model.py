"""Frozen values the import stages pass on: the plan (what to write and fetch) and the report."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

FetchKind = Literal["audio", "artwork", "image", "transcript", "chapters"]


@dataclass(frozen=True)
class Change:
    """One line of the summary: a mapping made, something left out, or a warning.

    ``where`` is "channel", or the episode's file stem, or ``item N`` (its place in the feed)
    for an item that got no stem.
    """

    where: str
    text: str

    def __str__(self) -> str:
        return f"{self.where}: {self.text}"


class Log:
    """What a stage maps, leaves out and warns about (the one mutable collector: each stage
    fills its own and hands on frozen tuples)."""

    def __init__(self) -> None:
        self.mappings: list[Change] = []
        self.left_out: list[Change] = []
        self.warnings: list[Change] = []

    def mapped(self, where: str, text: str) -> None:
        self.mappings.append(Change(where, text))

    def left(self, where: str, text: str) -> None:
        self.left_out.append(Change(where, text))

    def warn(self, where: str, text: str) -> None:
        self.warnings.append(Change(where, text))


@dataclass(frozen=True)
class Fetch:
    """One file to download into the show folder."""

    url: str
    dest: str  # POSIX path below the show folder; for images the extension is decided later
    kind: FetchKind
    stem: str | None = None
    length: int | None = None  # what the feed says (enclosures only)


@dataclass(frozen=True)
class RemoteEnclosure:
    url: str  # exactly as the feed has it (prefixes included)
    length: int | None  # None: the feed gave none usable
    type: str  # audio/mpeg or audio/x-m4a


@dataclass(frozen=True)
class NotePlan:
    """One episode to write: its note, and what to fetch for it."""

    stem: str
    title: str
    date: dt.datetime
    guid: str
    fields: tuple[tuple[str, Any], ...]  # front matter, in order (enclosure/duration added later)
    body: str
    enclosure: RemoteEnclosure
    media_url: str  # where to download the audio (behind any measurement prefix)
    extension: str  # mp3 or m4a, from the feed's type or URL
    duration: int | None
    draft: bool = False
    extras: tuple[Fetch, ...] = ()  # episode art, transcript, chapters


@dataclass(frozen=True)
class ImportPlan:
    """Everything the import decided from the feed, before anything is fetched or written."""

    source: str
    config: tuple[tuple[str, Any], ...]  # feed_config.yaml keys, in order
    artwork: Fetch | None
    notes: tuple[NotePlan, ...]
    mappings: tuple[Change, ...]
    left_out: tuple[Change, ...]
    warnings: tuple[Change, ...]
    old_feed_url: str | None
    podcast_guid: str
    enclosure_prefix: str | None
    already_here: int = 0  # --update: items whose GUID the show already has


@dataclass(frozen=True)
class ImportReport:
    """What an import did (or, on a dry run, would do)."""

    plan: ImportPlan
    root: str
    dry_run: bool
    written: tuple[str, ...] = ()  # files written, relative to the show folder
    downloaded: int = 0  # files downloaded
    downloaded_bytes: int = 0
    remote: tuple[str, ...] = ()  # stems publishing the old host's enclosure as given
    failed: tuple[Change, ...] = ()  # downloads that failed (a rerun finishes them)
    mappings: tuple[Change, ...] = field(default=())  # the plan's and those made after download
    left_out: tuple[Change, ...] = ()
    warnings: tuple[Change, ...] = ()
