"""What each file of the website is made of, hashed: so that a build renders only the pages
whose inputs changed (issue 11: a new episode re-renders the pages that show it, not 4,000).

A page is a function of the templates and the code (the build's ``inputs``: the package's
hash, the show's template overrides, the citation style), of the show and its links, and of
the items it shows. :class:`Digests` hashes each item once per build, as the text of its
``repr`` (frozen dataclasses all the way down: every field, in order) and the content of the
files the site reads for it (its transcript); the CSL items it cites, mappings, as JSON with
sorted keys, and a page as its template, key and the items'
hashes. A page whose hash is the one recorded when its file was written need not be rendered
again. Two different inputs never give one hash; equal inputs whose ``repr`` differs (the
same value built another way) only cost a rendering.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from publisher.model import Item, Show, ShowLinks


class Digests:
    """The hashes of one rendering: the part every page shares (``shared``), each item's."""

    def __init__(
        self,
        inputs: str,
        show: Show,
        links: ShowLinks,
        shared: Iterable[object],
        file_digest: Callable[[Path], str] | None,
    ) -> None:
        """``inputs``: the build's hash of code, templates and style; ``shared``: the values
        every page sees (stylesheet, policy, base URL, page keys), hashed by ``repr``;
        ``file_digest(path)``: a file's content hash (None: read and hash it)."""
        h = hashlib.sha256(inputs.encode())
        for value in (show, links, *shared):
            h.update(_text(value))
        self.shared = h.hexdigest()
        self._file_digest = file_digest or _read_digest
        self._items: dict[int, str] = {}
        # by id: (the CSL item, its key, as hashed), the item held so its id stays its own
        self._entries: dict[int, tuple[Mapping[str, Any], str, bytes]] = {}

    def widen(self, values: Iterable[object]) -> None:
        """Make every page depend on ``values`` too (e.g. every item's hash, when the show's
        own templates may show anything anywhere)."""
        h = hashlib.sha256(self.shared.encode())
        for value in values:
            h.update(_text(value))
        self.shared = h.hexdigest()

    def item(self, item: Item | None) -> str:
        """The hash of ``item`` (its fields and its transcript's content); "" for None."""
        if item is None:
            return ""
        found = self._items.get(id(item))
        if found is None:
            # the CSL items cited are mappings, equal whatever their keys' order (a bibliography
            # parsed now and one kept in the cache list them differently): hashed sorted
            h = hashlib.sha256(_text(tuple(getattr(item, f) for f in _ITEM_FIELDS)))
            h.update(b"%d:" % len(item.cited))
            for key, entry in item.cited:
                h.update(self._cited(key, entry))
            transcript = item.episode.transcript
            if transcript is not None:
                h.update(self._file_digest(transcript).encode())
            found = self._items[id(item)] = h.hexdigest()
        return found

    def _cited(self, key: str, entry: Mapping[str, Any]) -> bytes:
        """A cited CSL item as hashed: its citation key, then the SHA-256 of its JSON with
        sorted keys; once per key and item object (the items of a show's bibliography are
        shared by the notes that cite them)."""
        found = self._entries.get(id(entry))
        if found is None or found[0] is not entry or found[1] != key:
            text = json.dumps(entry, sort_keys=True, default=repr).encode()
            found = (entry, key, _text(key) + hashlib.sha256(text).digest())
            self._entries[id(entry)] = found
        return found[2]

    def part(self, key: str, *made_of: object) -> str:
        """The hash of the file ``key`` made of what every page shares and of ``made_of``
        (item hashes, titles, keys: each by ``repr``)."""
        h = hashlib.sha256(self.shared.encode())
        h.update(_text(key))
        for value in made_of:
            h.update(_text(value))
        return h.hexdigest()


# an item's fields but the CSL items it cites (Digests.item hashes those by their JSON)
_ITEM_FIELDS = tuple(f.name for f in dataclasses.fields(Item) if f.name != "cited")


def _text(value: object) -> bytes:
    text = repr(value)
    return f"{len(text)}:".encode() + text.encode("utf-8", "surrogatepass")


def _read_digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""
