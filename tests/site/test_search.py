"""Pagefind run as a binary (site.search): a bundle of the pages given, without Pagefind's
prebuilt UIs; a missing binary is one line saying what to install."""

from __future__ import annotations

from pathlib import Path

import pytest

from publisher.errors import SiteError
from publisher.site import search

PAGE = (
    "<!doctype html><html lang='en'><head><title>{t}</title></head>"
    "<body><main data-pagefind-body><h1>{t}</h1><p>{w} findings</p></main></body></html>"
)


def _site(root: Path) -> Path:
    for slug, word in (("a", "annular"), ("b", "paracetamol")):
        page = root / "episodes" / f"{slug}.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(PAGE.format(t=slug, w=word), encoding="utf-8")
    return root


def test_the_pages_given_are_indexed_without_the_prebuilt_uis(tmp_path: Path) -> None:
    site = _site(tmp_path / "site")
    files = search.index_pages(site, ["episodes/a.html"], tmp_path / "bundle")
    names = {p.relative_to(tmp_path / "bundle").as_posix() for p in files}
    assert "pagefind-entry.json" in names and "pagefind.js" in names
    assert not [n for n in names if n.startswith(("pagefind-ui", "pagefind-component-ui"))]
    fragments = [p for p in files if p.parent.name == "fragment"]
    assert len(fragments) == 1  # one page given, one page indexed


def test_a_missing_binary_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "no-such-pagefind"))
    with pytest.raises(SiteError) as e:
        search.index(_site(tmp_path / "site"))
    assert str(e.value).startswith("the search index could not be built: ")
    assert e.value.hint == "pip install 'pagefind[extended]'"
