"""Before a feed goes up: every enclosure it points to is on the target, with its length.

Confirmed from listings of the enclosures' folders (sizes and ETags, one request per 1,000
files), never a request per file, so a publish's cost grows with its change, not with the
catalogue. An app that fetches the new feed must never find an enclosure missing or cut
short (RSS 2.0: ``length`` is the file's size in bytes).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from publisher.errors import StoreError
from publisher.model import Enclosure
from publisher.publish.manifest import ManifestEntry
from publisher.stores import Store
from publisher.stores.base import Listing

OLD_FEED = "the old feed is still served"  # a hint's words, rewritten once it is not


def list_enclosures(store: Store, enclosures: Sequence[Enclosure], recorded: list[str]) -> Listing:
    """What ``store`` holds in the enclosures' folders, key -> (size, ETag): side by side
    ranges, split by the keys the build and the manifest (``recorded``) know."""
    found: Listing = {}
    for folder in sorted({e.key.rpartition("/")[0] + "/" for e in enclosures}):
        known = {e.key for e in enclosures if e.key.startswith(folder)}
        known.update(k for k in recorded if k.startswith(folder))
        found.update(store.listing(folder, known=sorted(known)))
    return found


def confirm_enclosures(
    store: Store,
    enclosures: Sequence[Enclosure],
    found: Listing,
    manifest: Mapping[str, ManifestEntry],
) -> None:
    """Raise :class:`StoreError` (``the feed was not written: …``) unless every enclosure is
    in ``found`` (what :func:`list_enclosures` listed) with its length and, where
    ``manifest`` knows it, the ETag this or an earlier publish saw."""
    for enc in enclosures:
        size, etag = found.get(enc.key, (None, None))
        known = manifest.get(enc.key)
        if size != enc.length:
            problem = "missing" if size is None else f"{size} bytes"
            problem += f" on the target, the feed needs {enc.length} bytes"
        elif known is not None and known.etag and etag and known.etag != etag:
            problem = "not the file this publish uploaded (another ETag)"
        else:
            continue
        raise StoreError(
            f"the feed was not written: {enc.key} is {problem}",
            store.location,
            hint=f"{OLD_FEED}; run publish again",
        )
