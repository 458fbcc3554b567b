"""Built files + the target's manifest -> what to upload, keep and delete, each with a reason.

A pure function over two listings, separate from any transfer (the shape of awscli's
``s3 sync`` comparator), but deciding by content hash, never by modification time: every
file of a regenerated site is newer, yet most of them are byte-identical.

The order of the actions is the order a publish performs them, so that an interrupted
publish never leaves a feed pointing at missing media: media, then assets, then pages,
then the feed last; deletions of stale keys only after the feed.

One rule for every stale key (a page, chapters, a transcript, artwork, media): the publish
that first finds it no longer built records in the manifest when it became stale (the store's
clock), and keeps it, since apps and CDNs may hold the previous feed well beyond its
Cache-Control. A later publish deletes it once :data:`STALE_GRACE` (or the grace asked for)
has passed; stale media only with ``--prune-media``; ``--delete-stale-now`` skips the wait.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from publisher.model import FileKind, SiteFile
from publisher.publish.manifest import KINDS, stamp
from publisher.publish.manifest import MANIFEST_VERSION as MANIFEST_VERSION
from publisher.publish.manifest import EpisodeRecord as EpisodeRecord
from publisher.publish.manifest import EpisodeRecords as EpisodeRecords
from publisher.publish.manifest import Manifest as Manifest
from publisher.publish.manifest import ManifestDoc as ManifestDoc
from publisher.publish.manifest import ManifestEntry as ManifestEntry
from publisher.publish.manifest import entry_for as entry_for
from publisher.publish.manifest import episodes_of as episodes_of
from publisher.publish.manifest import gzipped as gzipped
from publisher.publish.manifest import manifest_from_json as manifest_from_json
from publisher.publish.manifest import manifest_of as manifest_of
from publisher.publish.manifest import manifest_to_json as manifest_to_json
from publisher.publish.manifest import parse_manifest as parse_manifest

Op = Literal["upload", "delete", "keep"]
Status = Literal["new", "changed", "unchanged", "stale"]

STALE_GRACE = timedelta(days=1)
"""How long a stale key stays after the publish that stopped using it (the default)."""
_UPLOAD_ORDER: dict[FileKind, int] = {k: i for i, k in enumerate(KINDS)}

KEEP_MEDIA_REASON = "media is kept; use --prune-media to delete"


@dataclass(frozen=True)
class Action:
    """One decision about one key, and why."""

    key: str
    op: Op
    status: Status
    reason: str
    file: SiteFile | None  # the built file (None for stale keys)
    kind: FileKind

    @property
    def size(self) -> int:
        """Bytes this action uploads (0 unless it is an upload)."""
        return self.file.size if self.op == "upload" and self.file is not None else 0


@dataclass(frozen=True)
class UploadPlan:
    """Every built and every previously published key, in the order a publish acts on them."""

    actions: tuple[Action, ...]

    @property
    def uploads(self) -> tuple[Action, ...]:
        return tuple(a for a in self.actions if a.op == "upload")

    @property
    def deletions(self) -> tuple[Action, ...]:
        return tuple(a for a in self.actions if a.op == "delete")

    @property
    def kept(self) -> tuple[Action, ...]:
        """Unchanged files and stale media left in place."""
        return tuple(a for a in self.actions if a.op == "keep")

    @property
    def upload_bytes(self) -> int:
        return sum(a.size for a in self.actions)

    @property
    def has_changes(self) -> bool:
        """True when a publish would write or delete anything."""
        return any(a.op != "keep" for a in self.actions)

    def uploads_of(self, kind: FileKind) -> tuple[Action, ...]:
        return tuple(a for a in self.actions if a.op == "upload" and a.kind == kind)

    def count(self, status: Status) -> int:
        return sum(1 for a in self.actions if a.status == status)

    def summary(self) -> str:
        """One line, e.g. ``3 to upload (2 new, 1 changed, 1.2 MB), 1 to delete, 40 unchanged``."""
        if not self.has_changes:
            return f"nothing to upload: {self.count('unchanged')} files unchanged" + (
                f", {self.count('stale')} stale files kept" if self.count("stale") else ""
            )
        parts = [
            f"{len(self.uploads)} to upload ({self.count('new')} new, "
            f"{self.count('changed')} changed, {format_bytes(self.upload_bytes)})"
        ]
        if self.deletions:
            parts.append(f"{len(self.deletions)} to delete")
        stale_kept = sum(1 for a in self.kept if a.status == "stale")
        if stale_kept:
            parts.append(f"{stale_kept} stale files kept")
        parts.append(f"{self.count('unchanged')} unchanged")
        return ", ".join(parts)


def plan(
    files: Sequence[SiteFile],
    remote: Manifest,
    *,
    prune_media: bool = False,
    now: datetime | None = None,
    grace: timedelta = STALE_GRACE,
    delete_stale_now: bool = False,
) -> UploadPlan:
    """Decide, for every built file and every key in ``remote``, what a publish does.

    A built file is *new* when the manifest does not list it, *changed* when its sha256, size
    or Content-Type differ (or the store found the remote object missing or of another
    size), else *unchanged*. A manifest key no longer built is *stale*: it is deleted after the
    feed is written once it has been stale for ``grace`` by ``now`` (the store's clock; None:
    never), or at once with ``delete_stale_now``; stale media only with ``prune_media``.
    Until then it is kept (:func:`stale_marks` says when it became stale).

    Raises ``ValueError`` when two built files share a key (a bug in the build).
    """
    seen: set[str] = set()
    uploads: list[Action] = []
    unchanged: list[Action] = []
    for f in files:
        if f.key in seen:
            raise ValueError(f"two built files share the key {f.key!r}")
        seen.add(f.key)
        action = _decide(f, remote.get(f.key))
        (unchanged if action.op == "keep" else uploads).append(action)

    rule = _StaleRule(now, grace, delete_stale_now, prune_media)
    stale_deleted, stale_kept = rule.split(remote, seen)
    uploads.sort(key=lambda a: (_UPLOAD_ORDER[a.kind], a.key))
    unchanged.sort(key=lambda a: (_UPLOAD_ORDER[a.kind], a.key))
    # Pages and assets go before media when deleting: a page may link to media, never the
    # other way round.
    stale_deleted.sort(key=lambda a: (-_UPLOAD_ORDER[a.kind], a.key))
    return UploadPlan(tuple(uploads + stale_deleted + unchanged + stale_kept))


def _decide(f: SiteFile, old: ManifestEntry | None) -> Action:
    """A built file: new, changed (and why) or unchanged."""
    if old is None:
        return _upload(f, "new", "not on the target")
    if old.problem is not None:
        return _upload(f, "changed", old.problem)
    if old.sha256 != f.sha256 or old.size != f.size:
        return _upload(
            f,
            "changed",
            f"content differs (sha256 {old.sha256[:12]} -> {f.sha256[:12]}, "
            f"{old.size} -> {f.size} bytes)",
        )
    if old.content_type is not None and old.content_type != f.content_type:
        return _upload(
            f, "changed", f"Content-Type differs ({old.content_type} -> {f.content_type})"
        )
    return Action(f.key, "keep", "unchanged", "same sha256 as published", f, f.kind)


@dataclass(frozen=True)
class _StaleRule:
    """The one rule for every stale key (see the module's docstring)."""

    now: datetime | None
    grace: timedelta
    delete_now: bool
    prune_media: bool

    def split(self, remote: Manifest, built: set[str]) -> tuple[list[Action], list[Action]]:
        """The published keys no longer built: those to delete, and those kept."""
        deleted: list[Action] = []
        kept: list[Action] = []
        for key in sorted(set(remote) - built):
            entry = remote[key]
            why = self.wait(entry)
            if entry.kind == "media" and not self.prune_media:
                reason = KEEP_MEDIA_REASON + ("" if why is None else f" ({why})")
                kept.append(Action(key, "keep", "stale", reason, None, entry.kind))
            elif why is not None:
                kept.append(Action(key, "keep", "stale", why, None, entry.kind))
            else:
                reason = "no longer built; " + (
                    "deleted after the feed (--delete-stale-now)"
                    if self.delete_now
                    else f"stale for over {_duration(self.grace)}, deleted after the feed"
                )
                deleted.append(Action(key, "delete", "stale", reason, None, entry.kind))
        return deleted, kept

    def wait(self, entry: ManifestEntry) -> str | None:
        """Why a stale key is not deleted yet, or None when it may be."""
        if self.delete_now:
            return None
        since = entry.stale_since
        if since is None:
            return (
                f"no longer built; stale from this publish, deleted by a publish "
                f"{_duration(self.grace)} later (apps may hold the previous feed)"
            )
        due = since + self.grace
        if self.now is None or self.now < due:
            return f"stale since {stamp(since)}; deleted by a publish from {stamp(due)}"
        return None


def stale_marks(
    the_plan: UploadPlan, manifest: Mapping[str, ManifestEntry], now: datetime
) -> dict[str, ManifestEntry]:
    """The entries of ``manifest`` whose stale time changes once ``the_plan``'s feed is live:
    a stale key kept without one gets ``now`` (the store's clock); a built key that carries
    one (stale before, built again) loses it."""
    out: dict[str, ManifestEntry] = {}
    for a in the_plan.actions:
        entry = manifest.get(a.key)
        if entry is None:
            continue
        if a.status == "stale" and a.op == "keep" and entry.stale_since is None:
            out[a.key] = dataclasses.replace(entry, stale_since=now)
        elif a.status != "stale" and entry.stale_since is not None:
            out[a.key] = dataclasses.replace(entry, stale_since=None)
    return out


def _duration(d: timedelta) -> str:
    hours = d.total_seconds() / 3600
    if hours >= 24 and hours % 24 == 0:
        days = int(hours // 24)
        return "1 day" if days == 1 else f"{days} days"
    return f"{hours:g} hours" if hours != 1 else "1 hour"


def _upload(f: SiteFile, status: Status, reason: str) -> Action:
    return Action(f.key, "upload", status, reason, f, f.kind)


def format_bytes(n: int) -> str:
    """``1536`` -> ``1.5 KB`` (decimal units, as podcast hosts quote sizes)."""
    size = float(n)
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{n} bytes" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1000
    raise AssertionError("unreachable")
