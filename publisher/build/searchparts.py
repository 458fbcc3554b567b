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

PART_EPISODES: Final = 50
"""Episodes per part, measured with Pagefind 1.5.2 (extended), whose memory grows with the words
it indexes (about 300 bytes of RSS a word): 50 episode pages of the synthetic catalogue (about
1,000 words each) peak at 23 MB, and with an hour's transcript page (9,000 words) beside each
at 155 MB, well under the 300 MB a whole build may use (issue 11); 100 such episodes reach
295 MB and 200 577 MB. Without transcripts a part could be ten times larger; the size is
fixed, not measured per show, so that adding the newest episode never moves another part's
bounds. A show of 10,000 episodes has 200 parts, each a few small files the browser fetches
on its first search."""


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
    starts = range(0, len(slugs), size)
    return tuple(part(n, slugs[start : start + size], built) for n, start in enumerate(starts, 1))


def part(n: int, slugs: Sequence[str], built: Mapping[str, str]) -> Part:
    """The ``n``-th part (from 1), of the episodes ``slugs``: those of their pages
    (:func:`pages_of`) that ``built`` holds (key -> SHA-256), in order."""
    pages = tuple((key, built[key]) for slug in slugs for key in pages_of(slug) if key in built)
    return Part(layout.search_part_dir(n), pages)


def pages_of(slug: str) -> tuple[str, str]:
    """The pages of an episode a part indexes, when built: its page, its transcript page."""
    return layout.page_key(slug), layout.transcript_page_key(slug)


def parts_list(parts: Sequence[Part]) -> bytes:
    """``pagefind/parts.json``: ``{"parts": ["part-0001/", …]}``, each part's folder relative
    to the file's own, oldest first; the site's script loads the first part's ``pagefind.js``
    and merges the others into it."""
    folders = [p.folder.removeprefix(layout.SEARCH_DIR) for p in parts]
    return json.dumps({"parts": folders}, separators=(",", ":")).encode() + b"\n"
