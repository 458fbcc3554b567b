"""Heading ids by GitHub's rule (pandoc's gfm_auto_identifiers) and links to in-page anchors
(issue 12, item 7)."""

from __future__ import annotations

import re
from pathlib import Path

import pypandoc
import pytest
from lxml import html as lxml_html

from publisher.errors import NotesError, Problems
from publisher.notes import Bibliography, load_bibliography, load_style, render_notes
from tests.support.paths import ROOT

PAGE = "https://show.example/episodes/ep.html"

HEADINGS = [
    "Where the guidelines agree",
    "Where the guidelines agree",  # a repeat: -1
    "Where the guidelines agree",  # and -2
    "What *studies* of people `without` pain found",
    "Do the findings predict anything?",
    "Red flags: cancer & fracture (2013)",
    "Über Rückenschmerzen — eine Übersicht",
    "腰痛の診断",
    "C++ / C# and snake_case-words",
    "  Leading and trailing spaces  ",
    "!!!",  # nothing left: pandoc's "section"
    "a",
    "a",
    "a-1",  # pandoc's next free id: "a-1-1"
    "[A link](https://example.org) in a heading",
    "Numbers 1.2.3 first",
]


@pytest.fixture(scope="module")
def ama():  # type: ignore[no-untyped-def]
    return load_style("american-medical-association", base_dir=ROOT)


def _render(text: str, ama, bib: Bibliography | None = None):  # type: ignore[no-untyped-def]
    return render_notes(text, source=Path("show_notes/ep.md"), first_line=8,
                        bibliography=bib or Bibliography.empty(), style=ama,
                        page_url=PAGE)  # fmt: skip


def test_heading_ids_match_pandoc_gfm(ama) -> None:  # type: ignore[no-untyped-def]
    markdown = "\n\n".join(f"## {h}" for h in HEADINGS)
    ours = lxml_html.fragment_fromstring(_render(markdown, ama).web_html, create_parent="div")
    # pandoc's Markdown reader with the extension (its gfm reader leaves an empty id out and
    # then repeats "a-1"; ids on a page must be unique)
    theirs = pypandoc.convert_text(markdown, "html", format="markdown+gfm_auto_identifiers")
    assert ours.xpath("//h2/@id") == re.findall(r'<h2 id="([^"]*)"', theirs)
    assert ours.xpath("//h2/@id")[:4] == [
        "where-the-guidelines-agree", "where-the-guidelines-agree-1",
        "where-the-guidelines-agree-2", "what-studies-of-people-without-pain-found",
    ]  # fmt: skip


def test_an_emoji_is_dropped_as_github_does(ama) -> None:  # type: ignore[no-untyped-def]
    # pandoc spells an emoji's name into the id ("emoji-bone-bones"), GitHub drops it
    web = _render("## Emoji 🦴 bones\n\n## 🦴", ama).web_html
    assert re.findall(r'id="([^"]*)"', web) == ["emoji--bones", "section"]


def test_heading_ids_stay_clear_of_the_page_own_ids(ama) -> None:  # type: ignore[no-untyped-def]
    bib = load_bibliography([ROOT / "show_notes" / "references.bib"])
    text = "## Ref 1\n\n## Main\n\n## Notes title\n\n## References\n\nA[@koes2010][^n]\n\n[^n]: N."
    web = _render(text, ama, bib).web_html
    doc = lxml_html.fragment_fromstring(web, create_parent="div")
    assert doc.xpath("//h2[not(@id='notes-title' or @id='references-title')]/@id") == [
        "ref-1-1", "main-1", "notes-title-1", "references"]  # fmt: skip
    ids = doc.xpath("//@id")
    assert len(ids) == len(set(ids))


def test_in_page_links_work_on_the_page_and_in_the_feed(ama) -> None:  # type: ignore[no-untyped-def]
    bib = load_bibliography([ROOT / "show_notes" / "references.bib"])
    text = (
        "See [below](#where-the-guidelines-agree), [the note](#fn-1), [ref](#ref-1),\n"
        "[top](#top), [the notes](#notes-title) and [encoded](#%C3%BCber-r%C3%BCcken).\n\n"
        "## Where the guidelines agree\n\nA[@koes2010].[^n]\n\n## Über Rücken\n\n[^n]: Note.\n"
    )
    notes = _render(text, ama, bib)
    web = lxml_html.fragment_fromstring(notes.web_html, create_parent="div")
    ids = set(web.xpath("//@id"))
    hrefs = web.xpath("//p[1]/a/@href")
    assert hrefs[0] == "#where-the-guidelines-agree"
    from urllib.parse import unquote

    assert all(unquote(h[1:]) in ids or h == "#top" for h in hrefs)
    content = lxml_html.fragment_fromstring(notes.content_html, create_parent="div")
    assert content.xpath("//p[1]/a/@href")[0] == PAGE + "#where-the-guidelines-agree"
    assert all(h.startswith(PAGE + "#") for h in content.xpath("//p[1]/a/@href"))
    assert f'href="{PAGE}#where-the-guidelines-agree"' in notes.description_html


@pytest.mark.parametrize(
    ("text", "line", "fragment", "hint"),
    [
        ("Intro.\n\nSee [below](#where-the-guidelines-agre).\n\n## Where the guidelines agree\n",
         10, "where-the-guidelines-agre", "did you mean '#where-the-guidelines-agree'?"),
        ("One\ntwo [x](#Where-The-Guidelines-Agree)\n\n## Where the guidelines agree",
         9, "Where-The-Guidelines-Agree", "did you mean '#where-the-guidelines-agree'?"),
        ("- item\n- [x](#nowhere)\n", 9, "nowhere",
         "a heading's id is its text in lower case with hyphens: '## Why it matters' is"
         " '#why-it-matters'"),
        ("[x][r]\n\n[r]: #fn-9\n", 8, "fn-9", None),
        ("A[^n]\n\n[^n]: See [x](#ref-1).\n", 10, "ref-1", None),
    ],
)  # fmt: skip
def test_a_dead_anchor_is_an_error_naming_its_line(ama, text, line, fragment, hint) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NotesError) as info:
        _render(text, ama)
    err = info.value
    assert (err.path, err.line) == (Path("show_notes/ep.md"), line)
    assert err.message == f"link to '#{fragment}', which is not an anchor on this page"
    if hint is not None:
        assert err.hint == hint


def test_dead_anchors_and_unknown_keys_are_reported_together(ama) -> None:  # type: ignore[no-untyped-def]
    bib = load_bibliography([ROOT / "show_notes" / "references.bib"])
    with pytest.raises(Problems) as info:
        _render("A[@nokey].\n\n[x](#a) [y](#b)\n", ama, bib)
    messages = [(p.line, p.message) for p in info.value.problems]
    assert messages == [
        (8, "unknown citation key 'nokey'"),
        (10, "link to '#a', which is not an anchor on this page"),
        (10, "link to '#b', which is not an anchor on this page"),
    ]
