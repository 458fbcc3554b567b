"""The model's own behaviour: notes' text and renderings kept compressed, references sharing
their strings (issue 11)."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from publisher.model import Reference, RenderedNotes, SiteFile

SOURCE = Path("show_notes/ep.md")
WEB = "<p>Bone “scans” find disc bulges in 30–40 % of people without pain.<sup>1</sup></p>\n" * 40


def notes(web: str = WEB) -> RenderedNotes:
    refs = (Reference("brinjikji2015", 1, "Brinjikji W. <i>AJNR</i>. 2015."),)
    return RenderedNotes(SOURCE, web, "<p>content</p>", "<p>description</p>", refs)


def test_each_rendering_reads_back_as_given() -> None:
    n = notes()
    assert (n.web_html, n.content_html, n.description_html) == (
        WEB,
        "<p>content</p>",
        "<p>description</p>",
    )
    assert n.source == SOURCE and n.references[0].key == "brinjikji2015"


def test_renderings_are_kept_compressed() -> None:
    assert len(notes().packed[0]) * 10 < len(WEB.encode())


def test_equal_renderings_are_equal_and_repr_alike_and_a_change_shows() -> None:
    assert notes() == notes() and repr(notes()) == repr(notes())
    changed = notes(WEB + "<p>one more</p>")
    assert changed != notes() and repr(changed) != repr(notes())
    assert "brinjikji2015" in repr(notes()) and str(SOURCE) in repr(notes())


def test_packed_notes_come_back_equal_and_survive_pickling() -> None:
    n = notes()
    again = RenderedNotes.from_packed(n.source, n.packed, n.references, n.digest)
    assert again == n and again.web_html == WEB and repr(again) == repr(n)
    back = pickle.loads(pickle.dumps(n))  # the render workers send them back so
    assert back == n and back.digest == n.digest


def test_packed_notes_not_as_hashed_are_refused() -> None:
    n = notes()
    swapped = (n.packed[1], n.packed[0], n.packed[2])  # each valid zlib, in the wrong places
    for packed in ((b"garbage", *n.packed[1:]), swapped, (n.packed[0] + b"\0", *n.packed[1:])):
        with pytest.raises(ValueError, match="not the packed rendering"):
            RenderedNotes.from_packed(n.source, packed, n.references, n.digest)


def test_references_back_from_a_worker_share_their_strings() -> None:
    # each of 10,000 notes cites ~10 of a few hundred entries: one copy of each entry's text
    key, html = "".join(["brinjikji", "2015"]), "".join(["Brinjikji W. ", "<i>AJNR</i>."])
    first, second = (pickle.loads(pickle.dumps(Reference(key, n, html))) for n in (1, 2))
    assert (first.key, first.number, first.html) == (key, 1, html) and second.number == 2
    assert first.html is second.html and first.key is second.key


def test_a_site_file_keeps_its_path_as_text_and_gives_a_path() -> None:
    path = Path("/build/_site/episodes/ep1.html")
    made = SiteFile("episodes/ep1.html", path, 12, "a" * 64, "text/html; charset=utf-8", "page")
    assert made.path == path and isinstance(made.path, Path) and made.location == str(path)
    assert made == SiteFile("episodes/ep1.html", str(path), 12, "a" * 64, made.content_type, "page")
    assert pickle.loads(pickle.dumps(made)) == made and not made.immutable
