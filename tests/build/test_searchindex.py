"""The search index started part by part as the site is written (build.searchindex, issue 11):
a part's Pagefind starts as soon as its last page is in place, and what ``finish`` returns is
what indexing every part at the end gives. Pagefind runs for real."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from publisher import layout
from publisher.build.searchindex import SearchIndex
from publisher.build.write import site_file
from publisher.filecache import BuildCache
from publisher.model import SiteFile
from tests.support.pagefindlog import watch

PAGE = (
    "<!doctype html><html lang='en'><head><title>{t}</title></head>"
    "<body><main data-pagefind-body><h1>{t}</h1><p>{w} findings</p></main></body></html>"
)
WORDS = {"a": "annular", "b": "paracetamol", "c": "somnolence"}


def _site(root: Path) -> tuple[Path, list[SiteFile]]:
    """Three episodes' pages, ``c`` with a transcript page, and what write_site would say of
    them (oldest first)."""
    site = root / "_site"
    files = []
    for slug, word in WORDS.items():
        keys = [layout.page_key(slug)]
        keys += [layout.transcript_page_key(slug)] if slug == "c" else []
        for key in keys:
            data = PAGE.format(t=key, w=word).encode()
            (site / key).parent.mkdir(parents=True, exist_ok=True)
            (site / key).write_bytes(data)
            files.append(site_file(key, site / key, len(data), hashlib.sha256(data).hexdigest()))
    return site, files


def _index(site: Path, transcripts: tuple[str, ...] = ("c",), size: int = 2) -> SearchIndex:
    return SearchIndex(
        site, BuildCache(site.parent, use=False), slugs=list(WORDS), transcripts=transcripts,
        part_size=size,
    )  # fmt: skip


def _scratch(site: Path) -> list[Path]:
    """Pagefind's work beside the site: a folder per part being indexed, with copies of its
    pages."""
    return sorted(site.parent.glob(".search-*"))


def _serial(tmp_path: Path, size: int = 2) -> dict[str, bytes]:
    """The index of the same pages, every part indexed at the end."""
    site, files = _site(tmp_path / "serial")
    with _index(site, size=size) as index:
        return {f.key: Path(f.location).read_bytes() for f in index.finish(files)}


def test_a_part_is_indexed_as_soon_as_its_last_page_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site, files = _site(tmp_path / "show")
    log = watch(tmp_path, monkeypatch)
    with _index(site) as index:
        index.placed(files[0].key, files[0].sha256)  # a: its part still waits for b
        assert _scratch(site) == []
        index.placed(files[1].key, files[1].sha256)  # b: part 1 is complete
        (started,) = _scratch(site)
        copies = {p.relative_to(p.parents[1]).as_posix() for p in started.rglob("*.html")}
        assert copies == {"episodes/a.html", "episodes/b.html"}  # given to Pagefind, running
        index.placed(files[2].key, files[2].sha256)  # c: its part waits for its transcript
        assert len(_scratch(site)) == 1
        index.placed(files[3].key, files[3].sha256)  # started now if part 1's is done, or later
        found = {f.key: Path(f.location).read_bytes() for f in index.finish(files)}
    assert _scratch(site) == []
    assert sorted(log.runs()) == [
        ["episodes/a.html", "episodes/b.html"],
        ["episodes/c.html", "episodes/c.transcript.html"],
    ]  # one run a part, none again at the end
    assert found == _serial(tmp_path)


def test_one_part_is_indexed_early_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cold build completes part after part; each Pagefind started at once would be hundreds
    running side by side."""
    site, files = _site(tmp_path / "show")
    gate = tmp_path / "go"
    log = watch(tmp_path, monkeypatch, gate=gate)  # every Pagefind waits for the gate
    with _index(site) as index:
        for f in files:
            index.placed(f.key, f.sha256)
        assert len(_scratch(site)) == 1  # part 1 runs; part 2, complete too, waits for finish
        gate.touch()
        found = {f.key: Path(f.location).read_bytes() for f in index.finish(files)}
    assert log.runs() == [
        ["episodes/a.html", "episodes/b.html"],
        ["episodes/c.html", "episodes/c.transcript.html"],
    ]
    assert found == _serial(tmp_path)


def test_a_part_started_on_other_pages_than_it_has_is_indexed_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site, files = _site(tmp_path / "show")
    log = watch(tmp_path, monkeypatch)
    with _index(site, transcripts=(), size=3) as index:  # c's transcript page not expected
        for f in files:
            index.placed(f.key, f.sha256)  # the one part starts once a, b and c are written
        assert len(_scratch(site)) == 1  # started, on pages without c's transcript
        found = {f.key: Path(f.location).read_bytes() for f in index.finish(files)}
    pages = ["episodes/a.html", "episodes/b.html", "episodes/c.html"]
    runs = log.runs()  # the early run is stopped, maybe before its door logged it
    assert runs[-1] == [*pages, "episodes/c.transcript.html"] and runs[:-1] in ([], [pages])
    assert found == _serial(tmp_path, size=3)


def test_leaving_early_stops_pagefind_and_leaves_nothing_beside_the_site(tmp_path: Path) -> None:
    site, files = _site(tmp_path / "show")
    with pytest.raises(RuntimeError), _index(site) as index:
        index.placed(files[0].key, files[0].sha256)
        index.placed(files[1].key, files[1].sha256)
        assert len(_scratch(site)) == 1
        raise RuntimeError("the build failed while the site was written")
    assert _scratch(site) == []
    assert not (site / layout.SEARCH_DIR).exists()


def test_a_part_whose_bundle_is_from_the_same_pages_is_not_started(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site, files = _site(tmp_path / "show")
    cache = BuildCache(site.parent)
    first = SearchIndex(site, cache, slugs=list(WORDS), transcripts=("c",), part_size=2)
    with first:
        first.finish(files)
    before = {p: p.stat().st_mtime_ns for p in (site / layout.SEARCH_DIR).rglob("*")}
    log = watch(tmp_path, monkeypatch)
    with SearchIndex(site, cache, slugs=list(WORDS), transcripts=("c",), part_size=2) as again:
        for f in files:
            again.placed(f.key, f.sha256)
        assert _scratch(site) == []
        again.finish(files)
    assert log.runs() == []
    assert {p: p.stat().st_mtime_ns for p in (site / layout.SEARCH_DIR).rglob("*")} == before
    shutil.rmtree(site / layout.SEARCH_DIR / "part-0002")  # a bundle gone: indexed again
    with SearchIndex(site, cache, slugs=list(WORDS), transcripts=("c",), part_size=2) as third:
        for f in files:
            third.placed(f.key, f.sha256)
        third.finish(files)
    assert log.runs() == [["episodes/c.html", "episodes/c.transcript.html"]]
