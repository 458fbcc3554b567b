"""Show notes against real-world shapes: reference-manager exports and the Markdown producers write.

Data in tests/data/notes/world/: ``better-bibtex.bib`` (Zotero + Better BibTeX, BibLaTeX fields),
``zotero.bib`` (Zotero's own BibTeX export), ``zotero.json`` (Zotero CSL-JSON), ``zotero.yaml``
(Better CSL YAML). Decisions tested here:
- a DOI exported with ``https://doi.org/`` or ``doi:`` is stored bare (pandoc prints it doubled:
  "doi:https://doi.org/10…"; the style's own prefix wins);
- narrative ``@key`` (pandoc's in-text citation) is a citation when ``key`` is in the
  bibliography; any other ``@name`` (a handle) and ``a@b.org`` stay text; ``\\[@key]`` stays text;
- pandoc's prefix and suffix are printed with the number: ``[see @k, p. 3]`` → "see 1(p3)".
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pypandoc
import pytest
from lxml import html as lxml_html

from publisher.errors import NotesError, Problems
from publisher.notes import DESCRIPTION_LIMIT, load_bibliography, load_style, render_notes
from publisher.notes.citations import STYLES_DIR
from tests.support.paths import TESTS

WORLD = TESTS / "data" / "notes" / "world"
PAGE = "https://show.example/episodes/ep.html"
REL = ' rel="nofollow noopener"'


@pytest.fixture(scope="module")
def ama():  # type: ignore[no-untyped-def]
    return load_style("american-medical-association", base_dir=WORLD)


def _render(text, bib, style, **kw):  # type: ignore[no-untyped-def]
    return render_notes(text, source=Path("show_notes/ep.md"), first_line=5, bibliography=bib,
                        style=style, page_url=PAGE, **kw)  # fmt: skip


def _entries(name: str, style, keys=None):  # type: ignore[no-untyped-def]
    bib = load_bibliography([WORLD / name])
    keys = keys or sorted(bib.keys, key=lambda k: bib.origins[k].line or 0)
    notes = _render(" ".join(f"x[@{k}]" for k in keys), bib, style)
    return {r.key: r.html for r in notes.references}


def _doi(doi: str, shown: str | None = None) -> str:
    return f'doi:<a href="https://doi.org/{doi}"{REL}>{shown or doi}</a>'


# --- reference-manager exports --------------------------------------------------------------


def test_better_bibtex_export(ama) -> None:  # type: ignore[no-untyped-def]
    got = _entries("better-bibtex.bib", ama)
    # shortjournal is AMA's journal abbreviation; pages "--"; eprint/pmcid are read
    assert got["brinjikjiSystematicLiteratureReview2015"].endswith(
        "<em>AJNR Am J Neuroradiol</em>. 2015;36(4):811-816. " + _doi("10.3174/ajnr.A4173")
    )
    # BibLaTeX date = {2023-06-19}: a web page shows the full date (it showed only 2023)
    assert got["whoBackPain2023"].startswith("World Health Organization. Low back pain. June 19,"
                                             " 2023. Accessed January 15, 2024. <a href=")  # fmt: skip
    # @report with a braced corporate author and institution
    assert got["nationalinstituteforhealthandcareexcellenceLowBackPain2016"].startswith(
        "National Institute for Health and Care Excellence. <em>Low Back Pain and Sciatica in"
        " over 16s: Assessment and Management</em>. National Institute for Health and Care"
        " Excellence; 2016."
    )
    # @incollection with editors and "and others"; {MRI} and {{Parkinson}} keep their case and
    # the Title Case title is read into sentence case, as pandoc reads it
    assert got["smithChapter2019"] == (
        "Smith A, et al. Imaging of the MRI spine in Parkinson's disease. In: Jones S, Müller J,"
        " eds. <em>The Example Handbook</em>. Example Press; 2019:45-67. "
        + _doi("10.5555/12345678")
    )
    assert (
        got["doeInbook2018"]
        == "Doe J. Chapter on pain. In: <em>Big Book of Pain</em>. Press; 2018:1-10."
    )
    # @misc with howpublished = {\url{...}} (Zotero's plain export of a web page): linked
    assert got["misc2020"] == (
        "Müller J, Peña J, van Tulder M. A dataset about backs. Published online 2020."
        f' <a href="https://example.org/data"{REL}>https://example.org/data</a>'
    )
    assert got["thesis2017"] == (
        "Student S. <em>Spinal Stuff &amp; Other Things</em>. PhD thesis. University of"
        " Somewhere; 2017."
    )
    # doi = {https://doi.org/...}: printed once, not "doi:https://doi.org/10…"
    assert got["plain2010"].endswith(_doi("10.1007/s00586-010-1502-y"))


def test_better_bibtex_fields_become_csl() -> None:
    item = load_bibliography([WORLD / "better-bibtex.bib"]).items[
        "brinjikjiSystematicLiteratureReview2015"
    ]
    assert item["PMID"] == "25430861" and item["PMCID"] == "PMC4464797"
    assert item["issued"] == {"date-parts": [[2015, 4]]}
    assert item["accessed"] == {"date-parts": [[2024, 1, 15]]}


def test_zotero_bibtex_export_matches_pandoc(ama) -> None:  # type: ignore[no-untyped-def]
    got = _entries("zotero.bib", ama)
    out = pypandoc.convert_text(
        "x[@brinjikji_systematic_2015]", "html", format="markdown",
        extra_args=["--citeproc", f"--bibliography={WORLD / 'zotero.bib'}",
                    f"--csl={STYLES_DIR / 'american-medical-association.csl'}", "--wrap=none"],
    )  # fmt: skip
    theirs = re.search(r'csl-right-inline">(.*?)</div>', out, re.S)
    assert theirs is not None
    assert got["brinjikji_systematic_2015"].replace(REL, "") == " ".join(theirs.group(1).split())
    # month = jun (a BibTeX macro) and urldate
    assert "June 2023. Accessed January 15, 2024." in got["world_health_organization_low_2023"]
    assert got["muller_ruckenschmerz_2001"] == (
        "Müller J, García J. <em>Rückenschmerz &amp; Wirbelsäule: Ein Úberblick</em>."
        " Verlag Süd; 2001."
    )


def test_zotero_csl_json(ama) -> None:  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # citeproc-py warned about "journalAbbreviation"
        got = _entries("zotero.json", ama)
    zotero_id = "http://zotero.org/users/1/items/ABCD1234"
    assert got[zotero_id].endswith(
        "<em>AJNR Am J Neuroradiol</em>. 2015;36(4):811-816. " + _doi("10.3174/ajnr.A4173")
    )
    sici = "10.1002/(SICI)1097-0258(19980430)17:8&lt;857::AID-SIM777&gt;3.0.CO;2-E"
    assert got["sici1998"] == (
        f"Some Consortium. A SICI <em>paper</em>. <em>Stat Med</em>. 1998;17:857-872. {_doi(sici)}"
    )
    assert got["nodate"].startswith("O'Brien P. Page. n.d. Accessed February 3, 2024.")
    assert 'href="https://example.org/a?b=1&amp;c=2"' in got["nodate"]
    assert got["doiprefix"].endswith(_doi("10.1000/xyz"))  # was "doi:doi:10.1000/xyz"
    assert got["dxdoi"].endswith(_doi("10.1000/XYZ2"))  # was the dx.doi.org URL as text


def test_zotero_csl_json_agrees_with_pandoc(ama) -> None:  # type: ignore[no-untyped-def]
    got = _entries("zotero.json", ama)
    keys = ["sici1998", "nice", "book1"]
    out = pypandoc.convert_text(
        " ".join(f"x[@{k}]" for k in keys), "html", format="markdown",
        extra_args=["--citeproc", f"--bibliography={WORLD / 'zotero.json'}",
                    f"--csl={STYLES_DIR / 'american-medical-association.csl'}", "--wrap=none"],
    )  # fmt: skip
    theirs = [" ".join(t.split()) for t in re.findall(r'csl-right-inline">(.*?)</div>', out, re.S)]
    assert [got[k].replace(REL, "") for k in keys] == theirs


def test_better_csl_yaml_dates(ama, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bib = load_bibliography([WORLD / "zotero.yaml"])
    assert bib.items["brinjikji2015"]["issued"] == {"date-parts": [[2015, 4]]}
    assert bib.items["brinjikji2015"]["DOI"] == "10.3174/ajnr.A4173"
    (tmp_path / "d.yaml").write_text(
        "- id: a\n  type: webpage\n  title: T\n  issued: 2020-03-15\n"
        "  accessed:\n    date-parts: [[2024, null]]\n  author:\n  - family: X\n    given: null\n"
    )
    item = load_bibliography([tmp_path / "d.yaml"]).items["a"]
    assert item["issued"] == {"date-parts": [[2020, 3, 15]]}
    assert item["accessed"] == {"date-parts": [[2024]]}
    assert item["author"] == [{"family": "X"}]


def test_bibtex_keys_differing_in_case_are_duplicates(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_text("@article{Smith2020,\n  title = {One},\n}\n\n@article{smith2020,\n"
                    "  title = {Two},\n}\n")  # fmt: skip
    with pytest.raises(NotesError) as exc:
        load_bibliography([path])
    assert exc.value.line == 5
    assert exc.value.message == (
        "duplicate citation key 'smith2020' (first defined at line 1 as 'Smith2020')"
    )


def test_malformed_csl_entry_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "refs.json"
    path.write_text('[\n{"id": "ok", "type": "book"},\n{"id": "bad",\n "author": "Doe"}\n]\n')
    with pytest.raises(NotesError) as exc:
        load_bibliography([path])
    assert (exc.value.line, exc.value.message) == (
        3, "malformed CSL-JSON: entry 'bad': 'author' is not a name list"
    )  # fmt: skip


# --- citations in Markdown ----------------------------------------------------------------


@pytest.fixture(scope="module")
def bbt():  # type: ignore[no-untyped-def]
    return load_bibliography([WORLD / "better-bibtex.bib"])


def _sups(html: str) -> list[str]:
    return re.findall(r"<sup>(.*?)</sup>", html)


def test_pandoc_prefix_locator_suffix(bbt, ama) -> None:  # type: ignore[no-untyped-def]
    text = ("a [see @plain2010, p. 3] b [@plain2010, 33] c [@plain2010, pp. 33--35, fig. 2]"
            " d [@plain2010, chap. 2] e [@plain2010; see also @misc2020, p. 5] f [-@thesis2017]"
            " g [@plain2010, xiv]")  # fmt: skip
    notes = _render(text, bbt, ama)
    # pandoc 3 with AMA prints the same (the prefix was silently dropped, "33" had no "p")
    assert _sups(notes.content_html) == [
        "see 1(p3)", "1(p33)", "1(pp33-35), fig. 2", "1(chap2)", "1,see also 2(p5)", "3",
        "1(pxiv)",
    ]  # fmt: skip
    assert "[see 1(p3)]" in notes.description_html


def test_narrative_citations_and_what_is_not_a_citation(bbt, ama) -> None:  # type: ignore[no-untyped-def]
    text = ("@plain2010 showed it; @plain2010 [p. 4] too. Mail a@b.org, follow @handle,"
            " escaped \\[@misc2020] and \\@plain2010, `[@misc2020]` and [@misc2020](https://x.org)."
            "\n\n```\n[@thesis2017]\n```\n")  # fmt: skip
    notes = _render(text, bbt, ama)
    assert [r.key for r in notes.references] == ["plain2010"]
    assert _sups(notes.content_html) == ["1", "1(p4)"]
    for kept in ("a@b.org", "@handle", "[@misc2020]", "@plain2010", "<code>[@misc2020]</code>",
                 f'<a href="https://x.org"{REL}>@misc2020</a>', "[@thesis2017]"):  # fmt: skip
        assert kept in notes.content_html, kept


def test_citation_in_link_text_never_nests_links(bbt, ama) -> None:  # type: ignore[no-untyped-def]
    notes = _render("[see @plain2010](https://x.org)", bbt, ama)
    doc = lxml_html.fragment_fromstring(notes.web_html, create_parent="div")
    assert not doc.xpath("//a//a") and not notes.references


def test_protocol_relative_link_is_external(bbt, ama) -> None:  # type: ignore[no-untyped-def]
    notes = _render("[x](//evil.example/p) [y](//show.example/q)", bbt, ama)
    assert f'<a href="//evil.example/p"{REL}>x</a>' in notes.web_html
    assert '<a href="//show.example/q">y</a>' in notes.web_html


NOT_IN_BBT = " (it is not in better-bibtex.bib: add the entry there, or correct the key)"


def test_all_unknown_keys_in_tables_lists_footnotes_with_lines(bbt, ama) -> None:  # type: ignore[no-untyped-def]
    text = ("| a | b |\n|---|---|\n| x | [@nope1] |\n\n- item\n  more [@plain201]\n\n"
            "Text[^1].\n\n[^1]: Note\n    [@nope3]\n")  # fmt: skip
    with pytest.raises(Problems) as exc:
        _render(text, bbt, ama)
    assert [str(p) for p in exc.value.problems] == [
        "show_notes/ep.md:7: unknown citation key 'nope1'" + NOT_IN_BBT,
        "show_notes/ep.md:10: unknown citation key 'plain201' (did you mean 'plain2010'?)",
        "show_notes/ep.md:15: unknown citation key 'nope3'" + NOT_IN_BBT,
    ]


# --- the description ----------------------------------------------------------------------


def _check_description(text: str) -> None:
    assert len(text.encode("utf-8")) <= DESCRIPTION_LIMIT
    doc = lxml_html.fragment_fromstring(f"<div>{text}</div>")
    assert {el.tag for el in doc.iter()} <= {"div", "p", "ol", "ul", "li", "a"}


@pytest.mark.parametrize(
    "body",
    [
        "中文的句子没有空格" * 600,  # CJK prose: no space to cut at (the text vanished)
        "这是一个句子。" * 600,  # cut at the ideographic full stop
        "# Title\n\n" + "😀" * 3000,
        "e\u0301" * 3000,  # never split a letter from its accent
        "👩\u200d👩\u200d👧" * 1000,  # nor an emoji ZWJ sequence
        " ".join(f"Ωμέγα עברית 😀 sentence {i} [@plain2010]." for i in range(300)),
    ],
)
def test_description_cut_keeps_text(bbt, ama, body: str) -> None:  # type: ignore[no-untyped-def]
    notes = _render(body, bbt, ama)
    _check_description(notes.description_html)
    first = lxml_html.fragment_fromstring(notes.description_html, create_parent="div")[0]
    assert first.tag == "p" and first.text and len(first.text) > 100
    if "\u200d" in body:
        assert first.text.rstrip("\u2026").endswith("\U0001f467")
    if "\u0301" in body:
        assert first.text.rstrip("\u2026").endswith("\u0301")
    if "。" in body:
        assert first.text.endswith("。")


def test_forty_references_and_one_cited_thirty_times(ama, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "forty.json"
    path.write_text("[" + ",".join(
        f'{{"id": "r{i}", "type": "article-journal", "title": "T{i}", "container-title": "J",'
        f' "author": [{{"family": "F{i}", "given": "G"}}], "issued": {{"date-parts": [[2001]]}},'
        f' "DOI": "10.1000/{i}"}}' for i in range(40)) + "]")  # fmt: skip
    bib = load_bibliography([path])
    text = " ".join(f"p[@r{i}]" for i in range(40)) + " " + " ".join("q[@r0]" for _ in range(30))
    notes = _render(text, bib, ama)
    assert [r.number for r in notes.references] == list(range(1, 41))
    doc = lxml_html.fragment_fromstring(notes.web_html, create_parent="div")
    assert len(doc.xpath("//li[@id='ref-1']/a[@class='backref']")) == 31
    assert len(set(doc.xpath("//@id"))) == len(doc.xpath("//@id"))
    _check_description(notes.description_html)


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Magnetic Resonance Imaging in Low-Back Pain: A Systematic Review",
         "Magnetic resonance imaging in low-back pain: A systematic review"),
        ("Findings in the {United Kingdom} and McDonald Criteria for {MRI}",
         "Findings in the {United Kingdom} and McDonald criteria for {MRI}"),
        ("An updated overview of clinical guidelines", "An updated overview of clinical guidelines"),
        (r"Red Flags in \emph{Acute} Pain. Is It Worth It?", r"Red flags in \emph{acute} pain. Is it worth it?"),
    ],
)  # fmt: skip
def test_bibtex_titles_are_read_in_sentence_case(title: str, expected: str) -> None:
    from publisher.notes.bibtitles import sentence_case

    assert sentence_case(title) == expected
