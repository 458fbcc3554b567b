"""Built files + the target's manifest -> what to upload, keep and delete, each with a reason.

A pure function over two listings, separate from any transfer (the shape of awscli's
``s3 sync`` comparator), but deciding by content hash, never by modification time: every
file of a regenerated site is newer, yet most of them are byte-identical.

The order of the actions is the order a publish performs them, so that an interrupted
publish never leaves a feed pointing at missing media: media, then assets, then pages,
then the feed last; deletions of stale pages and assets only after the feed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from publisher.model import FileKind, SiteFile

Op = Literal["upload", "delete", "keep"]
Status = Literal["new", "changed", "unchanged", "stale"]

MANIFEST_VERSION = 1
_KINDS: tuple[FileKind, ...] = ("media", "asset", "page", "feed")
_UPLOAD_ORDER: dict[FileKind, int] = {k: i for i, k in enumerate(_KINDS)}

KEEP_MEDIA_REASON = "media is kept; use --prune-media to delete"


@dataclass(frozen=True)
class ManifestEntry:
    """What was last published under one key.

    ``problem`` is set by a store that checked the target itself and found the object missing
    or of another size or ``etag`` than the manifest says: content on the target is trusted over the
    manifest, so such an entry is planned as changed, with the problem as its reason.
    """

    sha256: str
    size: int
    kind: FileKind
    content_type: str | None = None
    problem: str | None = None
    etag: str | None = None  # what the store said identifies the upload (S3: its ETag)


Manifest = Mapping[str, ManifestEntry]
"""key -> what was last published there (read from the target; treat as read-only)."""


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
                f", {self.count('stale')} stale media kept" if self.count("stale") else ""
            )
        parts = [
            f"{len(self.uploads)} to upload ({self.count('new')} new, "
            f"{self.count('changed')} changed, {format_bytes(self.upload_bytes)})"
        ]
        if self.deletions:
            parts.append(f"{len(self.deletions)} to delete")
        stale_kept = sum(1 for a in self.kept if a.status == "stale")
        if stale_kept:
            parts.append(f"{stale_kept} stale media kept")
        parts.append(f"{self.count('unchanged')} unchanged")
        return ", ".join(parts)


def plan(files: Sequence[SiteFile], remote: Manifest, *, prune_media: bool = False) -> UploadPlan:
    """Decide, for every built file and every key in ``remote``, what a publish does.

    A built file is *new* when the manifest does not list it, *changed* when its sha256, size
    or Content-Type differ (or the store found the remote object missing or of another
    size), else *unchanged*. A manifest key no longer built is *stale*: stale pages and assets
    are deleted after the feed is written; stale media is kept unless ``prune_media``.

    Raises ``ValueError`` when two built files share a key (a bug in the build).
    """
    seen: set[str] = set()
    uploads: list[Action] = []
    unchanged: list[Action] = []
    for f in files:
        if f.key in seen:
            raise ValueError(f"two built files share the key {f.key!r}")
        seen.add(f.key)
        old = remote.get(f.key)
        if old is None:
            uploads.append(_upload(f, "new", "not on the target"))
        elif old.problem is not None:
            uploads.append(_upload(f, "changed", old.problem))
        elif old.sha256 != f.sha256 or old.size != f.size:
            uploads.append(
                _upload(
                    f,
                    "changed",
                    f"content differs (sha256 {old.sha256[:12]} -> {f.sha256[:12]}, "
                    f"{old.size} -> {f.size} bytes)",
                )
            )
        elif old.content_type is not None and old.content_type != f.content_type:
            uploads.append(
                _upload(
                    f,
                    "changed",
                    f"Content-Type differs ({old.content_type} -> {f.content_type})",
                )
            )
        else:
            unchanged.append(
                Action(f.key, "keep", "unchanged", "same sha256 as published", f, f.kind)
            )

    stale_deleted, stale_kept = _stale(remote, seen, prune_media)
    uploads.sort(key=lambda a: (_UPLOAD_ORDER[a.kind], a.key))
    unchanged.sort(key=lambda a: (_UPLOAD_ORDER[a.kind], a.key))
    # Pages and assets go before media when deleting: a page may link to media, never the
    # other way round.
    stale_deleted.sort(key=lambda a: (-_UPLOAD_ORDER[a.kind], a.key))
    return UploadPlan(tuple(uploads + stale_deleted + unchanged + stale_kept))


def _stale(
    remote: Manifest, built: set[str], prune_media: bool
) -> tuple[list[Action], list[Action]]:
    """The published keys no longer built: those to delete, and stale media kept."""
    deleted: list[Action] = []
    kept: list[Action] = []
    for key in sorted(set(remote) - built):
        entry = remote[key]
        if entry.kind == "media" and not prune_media:
            kept.append(Action(key, "keep", "stale", KEEP_MEDIA_REASON, None, entry.kind))
        else:
            why = (
                "no longer built; --prune-media deletes it after the feed"
                if entry.kind == "media"
                else "no longer built; deleted after the feed"
            )
            deleted.append(Action(key, "delete", "stale", why, None, entry.kind))
    return deleted, kept


def _upload(f: SiteFile, status: Status, reason: str) -> Action:
    return Action(f.key, "upload", status, reason, f, f.kind)


# --- the manifest as stored on a target -------------------------------------------------


def entry_for(f: SiteFile, etag: str | None = None) -> ManifestEntry:
    """The manifest entry recording that ``f`` was published (``etag``: as the store said)."""
    return ManifestEntry(f.sha256, f.size, f.kind, f.content_type, etag=etag)


def manifest_of(files: Iterable[SiteFile]) -> dict[str, ManifestEntry]:
    """A manifest listing exactly ``files``."""
    return {f.key: entry_for(f) for f in files}


def manifest_to_json(manifest: Manifest) -> bytes:
    """Deterministic JSON (sorted keys, two-space indent, final newline); problems dropped."""
    files: dict[str, dict[str, str | int]] = {}
    for key in sorted(manifest):
        e = manifest[key]
        item: dict[str, str | int] = {"sha256": e.sha256, "size": e.size, "kind": e.kind}
        if e.content_type is not None:
            item["content_type"] = e.content_type
        if e.etag is not None:
            item["etag"] = e.etag
        files[key] = item
    doc = {"version": MANIFEST_VERSION, "files": files}
    return (json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=True) + "\n").encode()


def manifest_from_json(data: bytes) -> dict[str, ManifestEntry]:
    """Parse what :func:`manifest_to_json` wrote. Raises ``ValueError`` saying what is wrong."""
    try:
        doc = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError(f"not valid JSON: {e}") from e
    if not isinstance(doc, dict) or not isinstance(doc.get("files"), dict):
        raise ValueError('expected an object with a "files" object')
    if doc.get("version") != MANIFEST_VERSION:
        raise ValueError(f"unknown manifest version {doc.get('version')!r}")
    out: dict[str, ManifestEntry] = {}
    for key, item in doc["files"].items():
        if not isinstance(item, dict):
            raise ValueError(f"entry {key!r} is not an object")
        sha, size, kind = item.get("sha256"), item.get("size"), item.get("kind")
        ctype, etag = item.get("content_type"), item.get("etag")
        if (
            not isinstance(sha, str)
            or not isinstance(size, int)
            or isinstance(size, bool)
            or kind not in _KINDS
            or not (ctype is None or isinstance(ctype, str))
            or not (etag is None or isinstance(etag, str))
        ):
            raise ValueError(f"entry {key!r} needs sha256 (text), size (integer) and kind")
        out[key] = ManifestEntry(sha, size, _kind(kind), ctype, etag=etag)
    return out


def _kind(value: object) -> FileKind:
    for k in _KINDS:
        if value == k:
            return k
    raise ValueError(f"unknown kind {value!r}")


def format_bytes(n: int) -> str:
    """``1536`` -> ``1.5 KB`` (decimal units, as podcast hosts quote sizes)."""
    size = float(n)
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{n} bytes" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1000
    raise AssertionError("unreachable")
