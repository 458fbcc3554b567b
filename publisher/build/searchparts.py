"""The search index in parts: which pages each part indexes (pure).

Pagefind's indexer holds everything it indexes in memory at once: over a whole site of 10,000
episodes it peaks near 2 GB, and adding one episode meant indexing every page again. So the
index is made of parts, each its own Pagefind bundle (``pagefind/part-<nnnn>/``), which the
site's script merges in the browser (Pagefind's multisite ``mergeIndex``), listed by
``pagefind/parts.json`` so that pages do not change when a part is added.

A part indexes the episode pages (each with its transcript page) of a block of
:data:`PART_EPISODES` consecutive episodes, oldest first: adding the newest episode changes only
the newest block, and a part is indexed again only when its :attr:`Part.fingerprint` (its pages'
keys and bytes) differs from the one its bundle was built from.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from publisher import layout

PART_EPISODES: Final = 500
"""Episodes per part. Measured with Pagefind 1.5.2 (extended): indexing 500 episode pages of
the synthetic catalogue (notes about 6 KB of text each) peaks at about 75 MB of RSS, and with a
one-hour transcript page (about 60 KB of text) beside each page at about 150 MB: well under
the 300 MB a whole build may use (issue 11), while a show of 10,000 episodes still has only 20
parts for the browser to fetch the entry files of."""


@dataclass(frozen=True)
class Part:
    """One part of the search index."""

    folder: str  # the key its bundle's files start with: layout.search_part_dir(n)
    pages: tuple[tuple[str, str], ...]  # (key, sha256) of the pages it indexes, oldest first

    @property
    def fingerprint(self) -> str:
        """SHA-256 (hex) of its pages' keys and bytes: what its bundle is made from."""
        return hashlib.sha256(json.dumps(self.pages).encode()).hexdigest()


def plan(
    slugs: Sequence[str], built: Mapping[str, str], *, size: int = PART_EPISODES
) -> tuple[Part, ...]:
    """The parts of the index of a site: ``slugs`` are its episodes oldest first, ``built``
    maps each built file's key to its SHA-256 (hex). Each part holds ``size`` (≥ 1) episodes'
    pages and transcript pages, the last one fewer; an episode without a built page adds
    nothing. Raises ValueError for a ``size`` below 1."""
    if size < 1:
        raise ValueError(f"a part of the search index needs at least one episode, not {size}")
    parts: list[Part] = []
    for start in range(0, len(slugs), size):
        pages = [
            (key, built[key])
            for slug in slugs[start : start + size]
            for key in (layout.page_key(slug), layout.transcript_page_key(slug))
            if key in built
        ]
        parts.append(Part(layout.search_part_dir(len(parts) + 1), tuple(pages)))
    return tuple(parts)


def parts_list(parts: Sequence[Part]) -> bytes:
    """``pagefind/parts.json``: ``{"parts": ["part-0001/", …]}``, each part's folder relative
    to the file's own, oldest first; the site's script loads the first part's ``pagefind.js``
    and merges the others into it."""
    folders = [p.folder.removeprefix(layout.SEARCH_DIR) for p in parts]
    return json.dumps({"parts": folders}, separators=(",", ":")).encode() + b"\n"
