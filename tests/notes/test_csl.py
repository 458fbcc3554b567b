"""publisher.notes.csl: the CSL vocabulary, and the one DOI normaliser (issue 12, item 10)."""

from __future__ import annotations

import ast

import pytest

from publisher.notes.csl import doi_url, normalise_doi
from tests.support.paths import ROOT

# Every form a "doi" field takes in real exports (Zotero, Mendeley, EndNote, PubMed, Crossref,
# pasted from a browser), each of which must print as "doi:10.xxxx/…".
FORMS = [
    ("10.1234/a.1", "10.1234/a.1"),
    ("doi:10.1234/a.2", "10.1234/a.2"),
    ("DOI:10.1234/a.2", "10.1234/a.2"),
    ("DOI: 10.1234/a.3", "10.1234/a.3"),
    ("doi: 10.1234/a.3", "10.1234/a.3"),
    ("https://doi.org/10.1234/a.4", "10.1234/a.4"),
    ("doi.org/10.1234/a.5", "10.1234/a.5"),
    ("10.1234%2Fa.6", "10.1234/a.6"),
    ("https://doi.org/10.1234%2Fa.6", "10.1234/a.6"),
    ("http://dx.doi.org/10.1234/a.7", "10.1234/a.7"),
    ("dx.doi.org/10.1234/a.7", "10.1234/a.7"),
    ("https://www.doi.org/10.1234/a.8", "10.1234/a.8"),
    ("www.doi.org/10.1234/a.8", "10.1234/a.8"),
    ("http://doi.org/10.1234/a.9", "10.1234/a.9"),
    ("HTTPS://DOI.ORG/10.1234/A.10", "10.1234/A.10"),
    ("  10.1234/a.11  ", "10.1234/a.11"),
    ("10.1234/a.12.", "10.1234/a.12"),
    ("10.1234/a.13;", "10.1234/a.13"),
    ("10.1234/a.14, ", "10.1234/a.14"),
    ("doi:https://doi.org/10.1234/a.15", "10.1234/a.15"),
    ("info:doi/10.1234/a.16", "10.1234/a.16"),
    ("10.1234/a.17\u00a0", "10.1234/a.17"),
    # brackets that belong to the DOI stay; one that closes nothing inside it goes
    ("10.1002/(SICI)1097-0258(199804)17:8", "10.1002/(SICI)1097-0258(199804)17:8"),
    ("10.1016/S0140-6736(20)30183-5)", "10.1016/S0140-6736(20)30183-5"),
]


@pytest.mark.parametrize(("raw", "bare"), FORMS)
def test_every_export_form_gives_the_bare_doi(raw: str, bare: str) -> None:
    assert normalise_doi(raw) == bare


@pytest.mark.parametrize(("raw", "bare"), FORMS)
def test_the_link_is_doi_org_once(raw: str, bare: str) -> None:
    url = doi_url(raw)
    assert url.count("doi.org") == 1
    assert url == "https://doi.org/" + bare
    assert "%25" not in url


def test_bibliography_and_bibtex_do_not_import_each_other() -> None:
    def imports(name: str) -> set[str]:
        tree = ast.parse((ROOT / "publisher" / "notes" / name).read_text(encoding="utf-8"))
        return {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}

    assert "publisher.notes.bibliography" not in imports("bibtex.py")
    assert "publisher.notes.bibtex" in imports("bibliography.py")
    assert "publisher.notes.csl" in imports("bibtex.py") & imports("bibliography.py")


def test_no_notes_module_is_over_400_lines() -> None:
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines())
             for p in (ROOT / "publisher" / "notes").glob("*.py")}  # fmt: skip
    assert {name: n for name, n in sizes.items() if n > 400} == {}
