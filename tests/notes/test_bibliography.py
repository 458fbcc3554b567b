"""publisher.notes.bibliography: BibTeX, CSL-JSON and CSL-YAML in; errors with lines out."""

from __future__ import annotations

from pathlib import Path

import pytest

from publisher.errors import NotesError, Problems
from publisher.notes import Bibliography, load_bibliography
from publisher.notes.csl import ET_AL_SENTINEL
from tests.support.paths import ROOT, TESTS

DATA = TESTS / "data" / "notes"
SAMPLE = ROOT / "show_notes" / "references.bib"


def test_bibtex_to_csl() -> None:
    bib = load_bibliography([DATA / "entries.bib"])
    assert bib.keys == {"brinjikji2015", "testbook", "testchapter", "nice2016", "testpage"}
    art = bib.items["brinjikji2015"]
    assert art["type"] == "article-journal"
    assert art["issue"] == "4" and art["page"] == "811-816" and art["DOI"] == "10.3174/ajnr.A4173"
    assert bib.items["nice2016"]["type"] == "report"
    assert bib.items["nice2016"]["genre"] == "NICE guideline"
    assert bib.items["testchapter"]["type"] == "chapter"
    assert bib.items["testchapter"]["author"][-1] == {"literal": ET_AL_SENTINEL}
    assert bib.items["testpage"]["accessed"] == {"date-parts": [[2025, 1, 15]]}
    assert bib.origins["testbook"].line == 15


def test_sample_bib_names() -> None:
    bib = load_bibliography([SAMPLE])
    assert len(bib.keys) == 13
    names = bib.items["elbarzouhi2013"]["author"]
    assert names[0] == {"family": "el Barzouhi", "given": "Abdelilah"}
    assert names[2]["family"] == "Lycklama à Nijeholt"
    assert bib.items["koes2010"]["author"][1] == {
        "family": "Tulder", "given": "Maurits", "non-dropping-particle": "van"
    }  # fmt: skip


def test_csl_json_and_yaml() -> None:
    bib = load_bibliography([DATA / "entries.json", DATA / "entries.yaml"])
    assert bib.keys == {"testbook", "testpage", "nice2016"}
    assert bib.items["nice2016"]["number"] == "NG59"
    assert bib.origins["testpage"].line == 13


def test_merge_and_clash() -> None:
    a = load_bibliography([DATA / "entries.bib"])
    b = load_bibliography([DATA / "entries.json"])
    with pytest.raises(Problems) as exc:
        a.merge(b, source=Path("show_notes/ep.md"), line=3)
    assert str(exc.value) == (
        f"show_notes/ep.md:3: duplicate citation key 'testbook': defined in "
        f"{_rel(DATA / 'entries.bib')}:15 and in {_rel(DATA / 'entries.json')}:3\n"
        f"show_notes/ep.md:3: duplicate citation key 'testpage': defined in "
        f"{_rel(DATA / 'entries.bib')}:47 and in {_rel(DATA / 'entries.json')}:13"
    )
    merged = Bibliography.empty().merge(b, source=Path("x"), line=None)
    assert merged.keys == b.keys


MISSING_HINT = (
    "check the file's name; a note names it from the note's folder, feed_config.yaml from the "
    "show's"
)


def _rel(p: Path) -> str:
    from publisher.errors import display_path

    return display_path(p)


def test_malformed_bibtex_blames_the_unclosed_entry() -> None:
    with pytest.raises(NotesError) as exc:
        load_bibliography([DATA / "broken.bib"])
    assert str(exc.value) == (
        f"{_rel(DATA / 'broken.bib')}:6: malformed BibTeX in the entry starting near line 6: "
        "'}' expected"
    )


def test_duplicate_bibtex_key() -> None:
    with pytest.raises(NotesError) as exc:
        load_bibliography([DATA / "duplicate.bib"])
    assert str(exc.value) == (
        f"{_rel(DATA / 'duplicate.bib')}:6: duplicate citation key 'same' (first defined at line 1)"
    )


def test_malformed_csl_json_and_yaml_reported_together() -> None:
    with pytest.raises(Problems) as exc:
        load_bibliography(
            [DATA / "broken.json", DATA / "broken.yaml", DATA / "missing.bib"],
            source=Path("feed_config.yaml"),
            line=7,
        )
    assert [str(p) for p in exc.value.problems] == [
        f"{_rel(DATA / 'broken.json')}:3: malformed CSL-JSON in the entry starting near line 3: "
        "Expecting ',' delimiter (line 4)",
        f"{_rel(DATA / 'broken.yaml')}:6: invalid YAML: while parsing a flow sequence: "
        "expected ',' or ']', but got '<stream end>' (close the bracket or quote opened on this line)",
        f"feed_config.yaml:7: bibliography file not found: {_rel(DATA / 'missing.bib')} "
        f"({MISSING_HINT})",
    ]


def test_unknown_format(tmp_path: Path) -> None:
    (tmp_path / "refs.ris").write_text("TY  - JOUR\n")
    with pytest.raises(NotesError, match=r"unknown bibliography format '\.ris'"):
        load_bibliography([tmp_path / "refs.ris"])


def test_every_loading_problem_reported_together() -> None:
    # entries.bib clashes with entries.json (testbook, testpage) and is still compared with
    # entries.yaml (nice2016), though its own clashes were already reported.
    with pytest.raises(Problems) as exc:
        load_bibliography(
            [
                DATA / "missing.bib",
                DATA / "broken.bib",
                DATA / "duplicate.bib",
                DATA / "entries.json",
                DATA / "entries.bib",
                DATA / "entries.yaml",
            ],
            source=Path("feed_config.yaml"),
            line=7,
        )
    bib, json_, yaml_ = (_rel(DATA / n) for n in ("entries.bib", "entries.json", "entries.yaml"))
    assert [str(p) for p in exc.value.problems] == [
        f"feed_config.yaml:7: bibliography file not found: {_rel(DATA / 'missing.bib')} "
        f"({MISSING_HINT})",
        f"{_rel(DATA / 'broken.bib')}:6: malformed BibTeX in the entry starting near line 6: "
        "'}' expected",
        f"{_rel(DATA / 'duplicate.bib')}:6: duplicate citation key 'same' (first defined at line 1)",
        f"feed_config.yaml:7: duplicate citation key 'testbook': defined in {json_}:3 and in "
        f"{bib}:15",
        f"feed_config.yaml:7: duplicate citation key 'testpage': defined in {json_}:13 and in "
        f"{bib}:47",
        f"feed_config.yaml:7: duplicate citation key 'nice2016': defined in {bib}:36 and in "
        f"{yaml_}:2",
    ]


def test_all_duplicates_and_a_syntax_error_in_one_bibtex_file(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_text(
        "@article{a, title = {Unclosed, year = {2010}}\n\n"
        "@article{b, title = {B}, year = {2011}}\n\n"
        "@article{b, title = {B again}, year = {2012}}\n\n"
        "@article{B, title = {B once more}, year = {2013}}\n"
    )
    with pytest.raises(Problems) as exc:
        load_bibliography([path])
    assert [str(p) for p in exc.value.problems] == [
        f"{_rel(path)}:5: duplicate citation key 'b' (first defined at line 3)",
        f"{_rel(path)}:7: duplicate citation key 'B' (first defined at line 3 as 'b')",
        f"{_rel(path)}:1: malformed BibTeX in the entry starting near line 1: '}}' expected",
    ]


def test_bibliography_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_bytes("@book{m,\n  author = {M\u00fcller, A},\n}\n".encode("latin-1"))
    with pytest.raises(NotesError) as exc:
        load_bibliography([path])
    assert str(exc.value) == (
        f"{_rel(path)}:2: not UTF-8 text (byte 0xfc at line 2) "
        "(save the file as UTF-8; reference managers offer it on export)"
    )


def test_impossible_date_in_csl_yaml(tmp_path: Path) -> None:
    path = tmp_path / "refs.yaml"
    path.write_text("- id: a\n  type: book\n  title: A\n  issued: 2020-02-30\n")
    with pytest.raises(NotesError) as exc:
        load_bibliography([path])
    assert str(exc.value) == (
        f"{_rel(path)}:4: 'issued': invalid value '2020-02-30': day is out of range for month "
        "(dates are written 2026-09-15 or 2026-09-15 08:30)"
    )


def test_csl_yaml_date_still_read(tmp_path: Path) -> None:
    path = tmp_path / "refs.yaml"
    path.write_text("references:\n- id: a\n  type: book\n  issued: 2020-02-29\n")
    bib = load_bibliography([path])
    assert bib.items["a"]["issued"] == {"date-parts": [[2020, 2, 29]]}
    assert bib.origins["a"].line == 2


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("refs.json", '[\n  {"id": "a", "type": "book", "title": "T\u00e9"}\n]\n'),
        ("refs.yaml", "- id: a\n  type: book\n  title: T\u00e9\n"),
        ("refs.bib", "@book{a,\n  title = {T\u00e9},\n}\n"),
    ],
)
def test_utf8_byte_order_mark_is_skipped(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    bib = load_bibliography([path])
    assert bib.items["a"]["title"] == "T\u00e9"
    assert bib.origins["a"].line == (2 if name == "refs.json" else 1)


def test_not_utf8_after_a_byte_order_mark_names_the_file_line(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_bytes(
        b"\xef\xbb\xbf" + "@book{m,\n  author = {M\u00fcller, A},\n}\n".encode("latin-1")
    )
    with pytest.raises(NotesError) as exc:
        load_bibliography([path])
    assert str(exc.value) == (
        f"{_rel(path)}:2: not UTF-8 text (byte 0xfc at line 2) "
        "(save the file as UTF-8; reference managers offer it on export)"
    )


@pytest.mark.parametrize(
    ("month", "parts"),
    [
        ("0", [2020]),
        ("13", [2020]),
        ("00", [2020]),
        ("1", [2020, 1]),
        ("12", [2020, 12]),
        ("{mar}", [2020, 3]),
        ("dec", [2020, 12]),
        ("{Spring}", [2020]),
    ],
)
def test_bibtex_month_only_1_to_12(tmp_path: Path, month: str, parts: list[int]) -> None:
    path = tmp_path / "refs.bib"
    value = month if month.startswith("{") or month.isalpha() else "{" + month + "}"
    path.write_text(f"@article{{a, title = {{A}}, year = {{2020}}, month = {value}}}\n")
    assert load_bibliography([path]).items["a"]["issued"] == {"date-parts": [parts]}


def test_doi_prefixes_stripped(tmp_path: Path) -> None:
    path = tmp_path / "refs.json"
    path.write_text(
        '[{"id": "a", "DOI": "https://doi.org/10.1/x"}, {"id": "b", "DOI": "doi: 10.1/y"},'
        ' {"id": "c", "DOI": " http://dx.doi.org/10.1/z "}]'
    )
    bib = load_bibliography([path])
    assert [bib.items[k]["DOI"] for k in "abc"] == ["10.1/x", "10.1/y", "10.1/z"]


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("dup.yaml", "- id: x\n  type: book\n  title: A\n- id: x\n  type: book\n  title: B\n"),
        ("dup.json", '[{"id": "x", "type": "book", "title": "A"},\n\n\n'
                     '{"id": "x", "type": "book", "title": "B"}]'),
    ],
)  # fmt: skip
def test_duplicate_key_in_one_csl_file_names_both_lines(
    tmp_path: Path, name: str, text: str
) -> None:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(NotesError) as info:
        load_bibliography([path])
    assert str(info.value) == f"{path}:4: duplicate citation key 'x' (first defined at line 1)"


# --- issue 12, item 15: a missing comma, and a bibliography with no entries -------------------

COMMA = "malformed BibTeX: missing ',' at the end of this line, before the next field"


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        # after a braced value, the next field on the following line
        ("@article{a,\n  title = {One},\n  journal = {J}\n  year = {2020},\n}\n", [3]),
        # after a quoted value, and after a bare number
        ('@article{a,\n  title = "One"\n  year = 2020\n}\n', [2]),
        ("@article{a,\n  year = 2020\n  title = {One},\n}\n", [2]),
        # a blank line between the value and the next field
        ("@article{a,\n  journal = {J}\n\n  year = {2020}\n}\n", [2]),
        # two fields on one line
        ("@article{a,\n  journal = {J} year = {2020},\n}\n", [2]),
        # in two entries: both named in one run
        ("@article{a,\n  title = {One}\n  year = 2020\n}\n\n@book{b,\n  title = {Two},\n"
         "  year = 2020\n  publisher = {P}\n}\n", [2, 8]),
        # parentheses as the entry's delimiters
        ("@article(a,\n  title = {One}\n  year = 2020\n)\n", [2]),
    ],
)  # fmt: skip
def test_a_missing_comma_is_reported_where_it_is_missing(
    tmp_path: Path, text: str, lines: list[int]
) -> None:
    path = tmp_path / "refs.bib"
    path.write_text(text, encoding="utf-8")
    with pytest.raises((NotesError, Problems)) as info:
        load_bibliography([path])
    found = info.value.problems if isinstance(info.value, Problems) else (info.value,)
    assert [(p.path, p.line, p.message) for p in found] == [(path, n, COMMA) for n in lines]
    assert found[0].hint == "fields of an entry are separated by commas: title = {…},"


def test_an_unclosed_entry_is_still_blamed_on_its_first_line(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_text("@article{a,\n  title = {One,\n  year = 2020\n}\n\n@book{b, title={B}}\n")
    with pytest.raises(NotesError) as info:
        load_bibliography([path])
    assert info.value.line == 1 and "missing ','" not in info.value.message


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("empty.bib", ""),
        ("blank.bib", "\n\n  \n"),
        ("comment.bib", "% exported by a reference manager\n"),
        ("cut.bib", "% Encoding: UTF-8\n\n"),  # cut short before the first entry
        ("empty.json", ""),
        ("list.json", "[]"),
        ("empty.yaml", ""),
        ("comment.yaml", "# nothing yet\n"),
        ("refs.yaml", "references:\n"),
        ("list.yaml", "[]\n"),
    ],
)
def test_a_bibliography_with_no_entries(
    tmp_path: Path, name: str, text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from publisher.notes import load_style, render_notes

    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    bib = load_bibliography([path])  # fine while nothing cites it
    assert bib.keys == frozenset() and bib.files_without_entries == (path,)
    style = load_style("american-medical-association", base_dir=tmp_path)

    def render(markdown: str):  # type: ignore[no-untyped-def]
        return render_notes(markdown, source=Path("show_notes/ep.md"), first_line=6,
                            bibliography=bib, style=style, page_url="https://s.example/e.html")  # fmt: skip

    assert render("No citations here.").references == ()
    with pytest.raises(NotesError) as info:  # one line, not one per citation
        render("A[@smith2020]. B[@doe2019; @smith2020].\n\nC[@roe2018].")
    assert info.value.path == path and info.value.line is None
    assert info.value.message == (
        "the bibliography has no entries, but show_notes/ep.md cites 3 keys from it"
        " ('smith2020' … at line 6)"
    )
    assert info.value.hint == "the file is empty or was cut short; export it again"
    monkeypatch.chdir(tmp_path)  # the show folder: the note named from it, as every path is
    with pytest.raises(NotesError) as info:
        render_notes("A[@smith2020].", source=tmp_path / "show_notes" / "ep.md", first_line=6,
                     bibliography=bib, style=style, page_url="https://s.example/e.html")  # fmt: skip
    assert "but show_notes/ep.md cites 1 key" in str(info.value)


def test_an_empty_file_beside_a_full_one_keeps_per_key_errors(tmp_path: Path) -> None:
    from publisher.notes import load_style, render_notes

    (tmp_path / "empty.bib").write_text("")
    bib = load_bibliography([SAMPLE, tmp_path / "empty.bib"])
    assert bib.files_without_entries == (tmp_path / "empty.bib",)
    with pytest.raises(NotesError) as info:
        render_notes("A[@koes2011].", source=Path("ep.md"), first_line=1, bibliography=bib,
                     style=load_style("american-medical-association", base_dir=tmp_path),
                     page_url="https://s.example/e.html")  # fmt: skip
    assert info.value.message == "unknown citation key 'koes2011'"
    assert info.value.hint == "did you mean 'koes2010'?"


@pytest.mark.parametrize("field", ["author = {{Example O%rganisation}}", "editor = {{Acme %Co}}"])
def test_a_name_whose_latex_cannot_be_read_is_one_problem_at_its_entry(
    tmp_path: Path, field: str
) -> None:
    # found by the fuzz test: a '%' (a LaTeX comment) unbalanced a name's braces, and
    # pybtex's PybtexSyntaxError escaped as a traceback
    path = tmp_path / "refs.bib"
    path.write_text(f"@book{{ok, title={{Fine}}, year=2020}}\n\n@book{{bad,\n  {field},\n}}\n")
    with pytest.raises(NotesError) as info:
        load_bibliography([path])
    assert (info.value.path, info.value.line) == (path, 3)
    assert info.value.message == "entry 'bad': a field's LaTeX cannot be read: unbalanced braces"
    assert (
        info.value.hint
        == "balance the braces; a '%' starts a LaTeX comment, write '\\%' for a percent sign"
    )


def test_one_file_named_twice_is_no_clash(tmp_path: Path) -> None:
    """A note that names the show's own bibliography again (another spelling of its path)."""
    (tmp_path / "notes").mkdir()
    refs = tmp_path / "refs.bib"
    refs.write_text("@article{one2020, title={T}, author={A, B}, journal={J}, year={2020}}\n")
    show = load_bibliography([refs])
    again = load_bibliography([tmp_path / "notes" / ".." / "refs.bib"])
    merged = show.merge(again, source=tmp_path / "notes" / "n.md", line=4)
    assert set(merged.keys) == {"one2020"}
    assert set(load_bibliography([refs, refs]).keys) == {"one2020"}
    other = tmp_path / "other.bib"
    other.write_text(refs.read_text())
    with pytest.raises(NotesError, match="duplicate citation key 'one2020'"):
        show.merge(load_bibliography([other]), source=tmp_path / "notes" / "n.md", line=4)
