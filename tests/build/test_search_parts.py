"""The search index in parts (issue 11): each part is indexed again only when its pages
changed or its bundle is not as the build left it; parts that no longer exist go.

The sample show has three episodes; with two episodes a part its index has two parts: the two
oldest episodes' pages, and the newest's with its transcript page. Pagefind runs for real;
:mod:`tests.support.pagefindlog` only notes which pages each run was given.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from publisher import build, layout
from publisher.build import searchparts
from tests.support.pagefindlog import watch
from tests.support.show import FIXED_NOW
from tests.support.sitefiles import differing, snapshot, written

IMAGING = "2026-09-01-imaging-without-pain"
RED = "2026-09-15-red-flags"
GUIDELINES = "2026-10-01-what-guidelines-advise"
NEW = "2026-11-01-sleep"
FIRST, SECOND = layout.search_part_dir(1), layout.search_part_dir(2)


def _build(show: Path) -> Path:
    return build.build(show, now=FIXED_NOW, guid_mode="refuse", search_part=2).site_dir


def _under(prefix: str, keys: set[str]) -> set[str]:
    return {k for k in keys if k.startswith(prefix)}


def _parts(site: Path) -> list[str]:
    return list(json.loads((site / layout.SEARCH_PARTS_KEY).read_bytes())["parts"])


def _add_episode(show: Path) -> None:
    src = show / "episodes" / f"{GUIDELINES}.mp3"
    (show / "episodes" / f"{NEW}.mp3").write_bytes(src.read_bytes())
    (show / "show_notes" / f"{NEW}.md").write_text(
        "---\ntitle: Sleep\ndate: 2026-11-01\nguid: 3f1c2a9e-0000-4000-8000-000000000001\n---\n"
        "A short note about somnolence.\n"
    )


def test_the_index_is_in_parts_of_whole_episodes_oldest_first(sample_show: Path) -> None:
    site = _build(sample_show)
    assert _parts(site) == ["part-0001/", "part-0002/"]
    for part in (FIRST, SECOND):
        assert (site / part / "pagefind.js").is_file()
        assert (site / part / "pagefind-entry.json").is_file()
    assert not (site / layout.SEARCH_DIR / "pagefind.js").exists()  # no bundle outside a part


def test_adding_the_newest_episode_indexes_only_the_newest_part(
    sample_show: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = _build(sample_show)
    before = snapshot(site)
    log = watch(tmp_path, monkeypatch)
    _add_episode(sample_show)
    _build(sample_show)
    after = snapshot(site)
    assert log.runs() == [
        sorted(
            [f"episodes/{GUIDELINES}.html", f"episodes/{GUIDELINES}.transcript.html"]
            + [f"episodes/{NEW}.html"]
        )
    ]
    assert _under(FIRST, set(before)) == _under(FIRST, set(after))
    assert _under(FIRST, written(before, after)) == set()  # the same files, the same stat
    assert _under(SECOND, differing(before, after)) != set()
    assert layout.SEARCH_PARTS_KEY not in written(before, after)  # still two parts


def test_an_unchanged_rebuild_runs_no_indexer_and_writes_nothing(
    sample_show: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = _build(sample_show)
    before = snapshot(site)
    log = watch(tmp_path, monkeypatch)
    _build(sample_show)
    assert log.runs() == []
    assert written(before, snapshot(site)) == set()


def test_removing_episodes_so_a_part_goes_removes_its_bundle(
    sample_show: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = _build(sample_show)
    for path in (sample_show / "episodes").glob(f"{GUIDELINES}.*"):
        path.unlink()
    (sample_show / "show_notes" / f"{GUIDELINES}.md").unlink()
    log = watch(tmp_path, monkeypatch)
    files = build.build(sample_show, now=FIXED_NOW, guid_mode="refuse", search_part=2).files
    assert _parts(site) == ["part-0001/"]
    assert not (site / SECOND).exists()
    assert not {f.key for f in files if f.key.startswith(SECOND)}
    # the red flags page lost its "newer" link, so the first part was indexed again; only it
    assert log.runs() == [[f"episodes/{IMAGING}.html", f"episodes/{RED}.html"]]


def test_a_tampered_bundle_file_is_indexed_again(
    sample_show: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = _build(sample_show)
    before = snapshot(site)
    entry = site / FIRST / "pagefind-entry.json"
    good = entry.read_bytes()
    entry.write_bytes(b"{}")
    stray = site / FIRST / "fragment" / "stray.pf_fragment"
    stray.write_bytes(b"left by hand")
    log = watch(tmp_path, monkeypatch)
    _build(sample_show)
    assert log.runs() == [[f"episodes/{IMAGING}.html", f"episodes/{RED}.html"]]
    assert entry.read_bytes() == good
    assert not stray.exists()
    assert _under(SECOND, written(before, snapshot(site))) == set()


def test_the_plan_groups_whole_episodes_and_keeps_earlier_parts_when_one_is_added() -> None:
    slugs = ["a", "b", "c", "d", "e"]
    built = {layout.page_key(s): f"hash-{s}" for s in slugs} | {
        layout.transcript_page_key("b"): "hash-bt"
    }
    parts = searchparts.plan(slugs, built, size=2)
    assert [p.folder for p in parts] == [FIRST, SECOND, layout.search_part_dir(3)]
    assert parts[0].pages == (
        ("episodes/a.html", "hash-a"),
        ("episodes/b.html", "hash-b"),
        ("episodes/b.transcript.html", "hash-bt"),
    )
    more = searchparts.plan([*slugs, "f"], built | {layout.page_key("f"): "hash-f"}, size=2)
    assert [p.fingerprint for p in more[:2]] == [p.fingerprint for p in parts[:2]]
    assert more[2].fingerprint != parts[2].fingerprint
    assert searchparts.parts_list(parts) == b'{"parts":["part-0001/","part-0002/","part-0003/"]}\n'


def test_a_part_of_no_episodes_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one episode, not 0"):
        searchparts.plan(["a"], {}, size=0)


def test_an_index_written_again_is_counted_among_the_files_written(sample_show: Path) -> None:
    site = _build(sample_show)
    shutil.rmtree(site / layout.SEARCH_DIR)
    again = build.build(sample_show, now=FIXED_NOW, guid_mode="refuse", search_part=2)
    index = [f for f in again.files if f.key.startswith(layout.SEARCH_DIR)]
    assert index and again.written == len(index)  # every file of it, and nothing else
