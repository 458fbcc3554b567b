"""Rendered notes kept between builds, each under a hash of everything that went into it.

A note's renderings depend on its text, where it sits in its file, its page's URL, its
summary, the references title, the citation style (the file's bytes), the set of citation
keys the bibliography defines (which decides what ``@word`` is a citation), the bibliography
entries it cites, and this package's own source. All but the cited entries are hashed into
the key; the cited entries are only known once the note is rendered, so the stored note
carries a hash of each, and it is used only while every one of them is unchanged. Editing one
bibliography entry thus re-renders exactly the notes that cite it.

One file per note, ``.publisher/notes/<key>.note``, written atomically: a line naming the
format, a line of JSON (the key, the cited entries' hashes, the source, the references, the
warnings found rendering it, the renderings' SHA-256 and sizes), then the renderings as
:class:`~publisher.model.RenderedNotes` keeps them in memory (zlib-compressed), as they are:
loading 10,000 notes neither parses nor compresses 350 MB of text (nor decompresses it to
check it: the hash does), nor decodes it from base64 inside JSON (half the time of loading
them, before). A file that cannot be read or does not match is a miss, never an error.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from publisher import notes
from publisher.errors import Notice
from publisher.filecache import FORMAT, package_hash, write_atomic
from publisher.model import Reference, RenderedNotes


@dataclass(frozen=True)
class NoteInputs:
    """Everything but the bibliography that ``notes.render_notes`` is given for one note (its
    body as its SHA-256: :func:`publisher.episodes.read_body` reads it when it is rendered)."""

    body_sha256: str
    source: Path
    first_line: int
    page_url: str
    references_title: str
    summary: str | None


def entry_hash(item: Mapping[str, Any]) -> str:
    """SHA-256 of one CSL item (its JSON with sorted keys)."""
    text = json.dumps(item, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def style_hash(style: notes.CitationStyle) -> str:
    """SHA-256 of the style's name and the bytes of its .csl file."""
    h = hashlib.sha256(style.name.encode() + b"\0")
    h.update(style.path.read_bytes())
    return h.hexdigest()


def keys_hash(bibliography: notes.Bibliography) -> str:
    """SHA-256 of the sorted citation keys a bibliography defines."""
    return hashlib.sha256("\0".join(sorted(bibliography.items)).encode()).hexdigest()


def note_key(inputs: NoteInputs, style: str, keys: str) -> str:
    """The cache key of one note: ``style``/``keys`` from :func:`style_hash`/:func:`keys_hash`."""
    parts = [
        str(FORMAT),
        package_hash(),
        style,
        keys,
        str(inputs.source),
        str(inputs.first_line),
        inputs.page_url,
        inputs.references_title,
        "\1" if inputs.summary is None else inputs.summary,
        inputs.body_sha256,
    ]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def path_of(folder: Path, key: str) -> Path:
    return folder / f"{key}{SUFFIX}"


SUFFIX = ".note"
_MAGIC = b"publisher rendered notes 1\n"


def encode_entry(header: dict[str, Any], packed: tuple[bytes, bytes, bytes]) -> bytes:
    """A stored note: the format's line, ``header`` as one line of JSON (with the sizes of
    the ``packed`` renderings), then those renderings' bytes."""
    line = json.dumps({**header, "sizes": [len(p) for p in packed]}, ensure_ascii=False)
    return b"".join((_MAGIC, line.encode(), b"\n", *packed))


def decode_entry(data: bytes) -> tuple[dict[str, Any], tuple[bytes, bytes, bytes]]:
    """The header and the renderings of a stored note (:func:`encode_entry`). Raises
    ValueError when it is not one, or not whole."""
    if not data.startswith(_MAGIC):
        raise ValueError("not a stored note")
    end = data.index(b"\n", len(_MAGIC))
    header = json.loads(data[len(_MAGIC) : end])
    a, b, c = (int(n) for n in header["sizes"])
    body = data[end + 1 :]
    if len(body) != a + b + c:
        raise ValueError("a stored note cut short")
    return header, (body[:a], body[a : a + b], body[a + b :])


def load(
    folder: Path, key: str, bibliography: notes.Bibliography, hashes: dict[str, str] | None = None
) -> RenderedNotes | None:
    """The notes stored under ``key`` if every entry they cite is unchanged, else None.

    ``hashes``: the :func:`entry_hash` of ``bibliography``'s entries found so far, filled in
    as they are needed; one dict per bibliography spares hashing an entry once per note that
    cites it.
    """
    known = {} if hashes is None else hashes
    try:
        data, packed = decode_entry(path_of(folder, key).read_bytes())
        if data.get("key") != key:
            return None
        cited: dict[str, str] = data["cited"]
        for k, digest in cited.items():
            if k not in known:
                item = bibliography.items.get(k)
                if item is None:
                    return None
                known[k] = entry_hash(item)
            if known[k] != digest:
                return None
        return RenderedNotes.from_packed(
            Path(data["source"]),
            packed,
            tuple(
                Reference(sys.intern(str(k)), int(n), sys.intern(str(h)))  # one of each entry
                for k, n, h in data["references"]
            ),
            str(data["digest"]),
            tuple(
                Notice(str(message), Path(data["source"]), line, hint)
                for message, line, hint in data["notices"]
            ),
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None  # none, corrupt or foreign: render afresh


def store(
    folder: Path, key: str, rendered: RenderedNotes, bibliography: notes.Bibliography
) -> None:
    """Keep ``rendered`` under ``key`` with a hash of each entry it cites (failures only cost
    time later)."""
    header = {
        "key": key,
        "cited": {
            r.key: entry_hash(bibliography.items[r.key])
            for r in rendered.references
            if r.key in bibliography.items
        },
        "source": str(rendered.source),
        "digest": rendered.digest,
        "references": [[r.key, r.number, r.html] for r in rendered.references],
        "notices": [[n.message, n.line, n.hint] for n in rendered.notices],
    }
    with contextlib.suppress(OSError):
        write_atomic(path_of(folder, key), encode_entry(header, rendered.packed))


def prune(folder: Path, keep: Iterable[str]) -> None:
    """Remove stored notes whose key is not in ``keep`` (notes since edited or removed)."""
    wanted = {f"{k}{SUFFIX}" for k in keep}  # a file of an older format goes too
    try:
        names = [p for p in folder.iterdir() if p.name not in wanted]
    except OSError:
        return
    for path in names:
        path.unlink(missing_ok=True)
