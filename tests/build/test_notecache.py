"""Stored notes (publisher.build.notecache): kept and read back as they were, binary as they
are (no base64 in JSON); a stored note damaged in any way is a miss, never an error."""

from __future__ import annotations

from pathlib import Path

import pytest

from publisher.build import notecache
from publisher.errors import Notice
from publisher.model import Reference, RenderedNotes
from publisher.notes.bibliography import Bibliography

BIB = Bibliography(items={"smith2020": {"id": "smith2020", "title": "A trial ünïcode"}})
NOTES = RenderedNotes(
    Path("show_notes/ep.md"),
    "<p>Web [1] with \x00-free ünïcode \n\n and a newline</p>",
    "<p>Content</p>",
    "<p>Description</p>",
    (Reference("smith2020", 1, "<li>Smith. A trial.</li>"),),
)


def test_a_stored_note_is_read_back_as_it_was(tmp_path: Path) -> None:
    notecache.store(tmp_path, "k1", NOTES, BIB)
    (stored,) = tmp_path.iterdir()
    assert stored.name == "k1.note"
    assert b"base64" not in stored.read_bytes() and NOTES.packed[0] in stored.read_bytes()
    back = notecache.load(tmp_path, "k1", BIB)
    assert back == NOTES and back is not None
    assert back.web_html == NOTES.web_html and back.references == NOTES.references


@pytest.mark.parametrize(
    "damage",
    [
        lambda b: b[:-1],  # cut short
        lambda b: b + b"x",  # longer than its sizes say
        lambda b: b"publisher rendered notes 2\n" + b.split(b"\n", 1)[1],  # another format
        lambda b: b.replace(b'"sizes": [', b'"sizes": [1', 1),  # sizes that do not add up
        lambda b: b.replace(b"{", b"[", 1),  # no JSON object
        lambda b: b[: b.index(b"\n") + 5],  # no end of its header
        lambda b: b[:-3] + b"zzz",  # the renderings' bytes are not the ones hashed
        lambda b: b"",
    ],
)
def test_a_damaged_stored_note_is_a_miss(tmp_path: Path, damage: object) -> None:
    notecache.store(tmp_path, "k1", NOTES, BIB)
    stored = notecache.path_of(tmp_path, "k1")
    stored.write_bytes(damage(stored.read_bytes()))  # type: ignore[operator]
    assert notecache.load(tmp_path, "k1", BIB) is None


def test_an_edited_entry_it_cites_or_another_key_is_a_miss(tmp_path: Path) -> None:
    notecache.store(tmp_path, "k1", NOTES, BIB)
    edited = Bibliography(items={"smith2020": {"id": "smith2020", "title": "Revisited"}})
    assert notecache.load(tmp_path, "k1", edited) is None
    notecache.path_of(tmp_path, "k1").rename(notecache.path_of(tmp_path, "k2"))
    assert notecache.load(tmp_path, "k2", BIB) is None  # its key is not the one asked for


def test_prune_keeps_only_the_keys_in_use_and_drops_older_formats(tmp_path: Path) -> None:
    for key in ("a", "b"):
        notecache.store(tmp_path, key, NOTES, BIB)
    (tmp_path / "a.json").write_text("{}")  # the format before
    notecache.prune(tmp_path, {"a"})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.note"]


def test_its_warnings_are_kept_with_it(tmp_path: Path) -> None:
    warned = Notice("'@smith2002' is not a citation key", NOTES.source, 9, "did you mean …")
    notes = RenderedNotes(NOTES.source, NOTES.web_html, "", "", NOTES.references, (warned,))
    notecache.store(tmp_path, "k1", notes, BIB)
    back = notecache.load(tmp_path, "k1", BIB)
    assert back is not None and back.notices == (warned,)
