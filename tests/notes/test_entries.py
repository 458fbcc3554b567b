"""Reference entries as printed: DOIs (item 10), doubled punctuation (item 12), CJK names
(item 11) and PubMed / PMC links (item 14) of issue 12, in every style they concern."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from lxml import html as lxml_html

from publisher.notes import load_bibliography, load_style, render_notes
from publisher.notes.entries import no_doubled_punctuation
from tests.support.paths import TESTS
from tests.support.styles import NUMERIC_AND_AUTHOR_DATE

PAGE = "https://show.example/episodes/ep.html"


def _notes(
    tmp_path: Path, items: list[dict[str, Any]], style: str = "american-medical-association"
):  # type: ignore[no-untyped-def]
    path = tmp_path / "refs.json"
    path.write_text(json.dumps(items), encoding="utf-8")
    text = " ".join(f"x[@{item['id']}]" for item in items)
    return render_notes(text, source=Path("show_notes/ep.md"), first_line=1,
                        bibliography=load_bibliography([path]),
                        style=load_style(style, base_dir=TESTS), page_url=PAGE)  # fmt: skip


def _article(key: str, **extra: Any) -> dict[str, Any]:
    return {"id": key, "type": "article-journal", "title": "A title", "container-title": "J Test",
            "author": [{"family": "Doe", "given": "Jane"}], "issued": {"date-parts": [[2020]]},
            "volume": "1", "page": "2-3", **extra}  # fmt: skip


# --- DOIs -------------------------------------------------------------------------------

DOI_FORMS = [
    "10.1234/a.1", "doi:10.1234/a.1", "DOI:10.1234/a.1", "DOI: 10.1234/a.1",
    "https://doi.org/10.1234/a.1", "doi.org/10.1234/a.1", "http://doi.org/10.1234/a.1",
    "http://dx.doi.org/10.1234/a.1", "https://dx.doi.org/10.1234/a.1", "dx.doi.org/10.1234/a.1",
    "https://www.doi.org/10.1234/a.1", "10.1234%2Fa.1", "https://doi.org/10.1234%2Fa.1",
    " 10.1234/a.1 ", "10.1234/a.1.", "10.1234/a.1;", "doi: 10.1234/a.1,",
]  # fmt: skip


@pytest.mark.parametrize("style", ["american-medical-association", "apa", "ieee"])
def test_every_doi_form_links_to_doi_org_once(tmp_path: Path, style: str) -> None:
    items = [_article(f"k{i}", DOI=form) for i, form in enumerate(DOI_FORMS)]
    notes = _notes(tmp_path, items, style)
    for ref in notes.references:
        hrefs = re.findall(r'href="([^"]*)"', ref.html)
        assert hrefs == ["https://doi.org/10.1234/a.1"], ref.html
        if style == "american-medical-association":
            assert "doi:<a" in ref.html and ">10.1234/a.1</a>" in ref.html
        assert "%2F" not in ref.html and "doi.org/doi.org" not in ref.html


# --- punctuation after a title's own ------------------------------------------------------


@pytest.mark.parametrize("style", NUMERIC_AND_AUTHOR_DATE)
@pytest.mark.parametrize("end", ["?", "!", "."])
@pytest.mark.parametrize("kind", ["article-journal", "book", "webpage", "chapter"])
def test_a_title_mark_is_never_doubled(tmp_path: Path, style: str, end: str, kind: str) -> None:
    item = _article("t", type=kind, title=f"Can health systems deliver{end}",
                    publisher="Press", URL="https://example.org/x")  # fmt: skip
    html = _notes(tmp_path, [item], style).references[0].html
    text = lxml_html.fragment_fromstring(html, create_parent="div").text_content()
    assert re.search(r"deliver[?!.][\u201d\u2019\"']?[.,]", text) is None, text
    assert f"eliver{end}" in text


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("Deliver?. <em>J</em>.", "Deliver? <em>J</em>."),
        ("<em>Why?</em>. Press; 2020.", "<em>Why?</em> Press; 2020."),
        ("\u201cWow!\u201d. 2020.", "\u201cWow!\u201d 2020."),
        ("\u201cWow!\u201d, <em>J</em>", "\u201cWow!\u201d <em>J</em>"),
        (
            "\u201cEnds with a period.\u201d, <em>J</em>",
            "\u201cEnds with a period.\u201d <em>J</em>",
        ),
        ("Smith A, et al.. Title", "Smith A, et al. Title"),
        ("Report no.. 5", "Report no. 5"),
        ("<em>Ends here.</em>, vol. 1", "<em>Ends here.</em>, vol. 1"),  # not the title: kept
        # not doubled: an initial before a comma, a question inside a sentence, a URL query
        ("Doe, J., &amp; Roe, R. (2020).", "Doe, J., &amp; Roe, R. (2020)."),
        ("Why? A review. <em>J</em>.", "Why? A review. <em>J</em>."),
        ("https://example.org/a?b=1.", "https://example.org/a?b=1."),
    ],
)
def test_no_doubled_punctuation(before: str, after: str) -> None:
    assert no_doubled_punctuation(before) == after


def test_a_comma_after_the_title_own_period_goes() -> None:
    text = "J. Doe, <em>Can health systems deliver.</em>, vol. 1. J. Am. Med.</em>, 36"
    assert no_doubled_punctuation(text, "Can health systems deliver.") == (
        "J. Doe, <em>Can health systems deliver.</em> vol. 1. J. Am. Med.</em>, 36"
    )


# --- CJK names ----------------------------------------------------------------------------

CJK = [
    ({"family": "李", "given": "世民"}, "李世民"),
    ({"family": "田中", "given": "花子"}, "田中花子"),
    ({"family": "김", "given": "민준"}, "김민준"),
    ({"family": "毛", "given": "泽东"}, "毛泽东"),
    ({"family": "やまだ", "given": "たろう"}, "やまだたろう"),
]


@pytest.mark.parametrize("style", NUMERIC_AND_AUTHOR_DATE)
def test_cjk_names_print_without_a_space(tmp_path: Path, style: str) -> None:
    smith = {"family": "Smith", "given": "John"}
    items = [_article(f"c{i}", author=[name, smith]) for i, (name, _) in enumerate(CJK)]
    notes = _notes(tmp_path, items, style)
    for ref, (name, shown) in zip(notes.references, CJK, strict=True):
        assert shown in ref.html, ref.html
        assert f"{name['family']} " not in ref.html and f". {name['given']}" not in ref.html
        assert "Smith" in ref.html


def test_a_mixed_list_keeps_latin_rules_for_latin_names(tmp_path: Path) -> None:
    names = [{"family": "田中", "given": "花子"}, {"family": "Smith", "given": "John"}]
    html = _notes(tmp_path, [_article("m", author=names)]).references[0].html
    assert html.startswith("田中花子, Smith J. A title.")
    apa = _notes(tmp_path, [_article("m", author=names)], "apa").references[0].html
    assert apa.startswith("田中花子, &amp; Smith, J. (2020).")


# --- PubMed and PMC links -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pmid", "pmcid"),
    [("25430861", "PMC4464797"), ("PMID: 25430861", "4464797"), (" 25430861 ", "pmc4464797")],
)
def test_pubmed_and_pmc_links_follow_the_entry(tmp_path: Path, pmid: str, pmcid: str) -> None:
    notes = _notes(tmp_path, [_article("p", PMID=pmid, PMCID=pmcid)])
    entry = notes.references[0].html
    assert "PMID" not in entry and "pubmed" not in entry  # the style's own text is unchanged
    links = (
        'PMID: <a href="https://pubmed.ncbi.nlm.nih.gov/25430861/" rel="nofollow noopener">'
        '25430861</a>; PMCID: <a href="https://www.ncbi.nlm.nih.gov/pmc/articles/PMC4464797/"'
        ' rel="nofollow noopener">PMC4464797</a>'
    )
    web = lxml_html.fragment_fromstring(notes.web_html, create_parent="div")
    (li,) = web.xpath("//li[@id='ref-1']")
    assert lxml_html.tostring(li, encoding="unicode").startswith(f'<li id="ref-1">{entry} {links} ')
    assert f"<li>{entry} {links}</li>" in notes.content_html
    assert "pubmed" not in notes.description_html


def test_only_the_ids_an_entry_has_and_the_style_did_not_print(tmp_path: Path) -> None:
    only_pmid = _notes(tmp_path, [_article("p", PMID="123")])
    assert "PMID: <a" in only_pmid.content_html and "PMCID" not in only_pmid.content_html
    none = _notes(tmp_path, [_article("p")])
    assert "PMID" not in none.web_html and "PMID" not in none.content_html
    nlm = _notes(tmp_path, [_article("p", PMID="123", PMCID="PMC9")], "nlm-citation-sequence")
    assert nlm.content_html.count("https://pubmed.ncbi.nlm.nih.gov/123/") == 1
    assert nlm.content_html.count("https://www.ncbi.nlm.nih.gov/pmc/articles/PMC9/") == 1
    # a bare number that is also the year or a page is not taken for the PubMed ID
    year = _notes(tmp_path, [_article("p", PMID="2020")], "nlm-citation-sequence")
    assert year.references[0].html.count("pubmed") <= 1
