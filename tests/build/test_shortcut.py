"""The whole build skipped when nothing changed (build.shortcut), and never when anything did.

Each test builds the sample show, changes one thing (or nothing), builds again, and tells
whether the second build was the kept one (its information notice) and whether its result is
the one a build from scratch gives.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest

from publisher import build
from publisher.build import shortcut
from publisher.build.shortcut import FORMAT
from publisher.filecache import CACHE_DIR
from publisher.model import Build
from tests.support.show import FIXED_NOW
from tests.support.sitefiles import snapshot, written

RED = "2026-09-15-red-flags"
IMAGING = "2026-09-01-imaging-without-pain"


def _build(show: Path, **kw: object) -> Build:
    return build.build(show, now=kw.pop("now", FIXED_NOW), guid_mode="refuse", **kw)  # type: ignore[arg-type]


def _kept(result: Build) -> bool:
    return any(n.message == build.UNCHANGED for n in result.notices)


def _same_result(a: Build, b: Build) -> None:
    assert a.files == b.files
    assert a.enclosures == b.enclosures
    assert a.target == b.target
    assert a.guids == b.guids
    assert [n for n in a.notices if n.message != build.UNCHANGED] == [
        n for n in b.notices if n.message != build.UNCHANGED
    ]


def test_an_unchanged_rebuild_is_the_last_build_and_writes_nothing(sample_show: Path) -> None:
    first = _build(sample_show)
    assert not _kept(first)
    before = snapshot(first.site_dir)
    cache = {p: p.stat().st_mtime_ns for p in (sample_show / CACHE_DIR).rglob("*")}
    again = _build(sample_show)
    assert _kept(again)
    _same_result(first, again)
    assert written(before, snapshot(again.site_dir)) == set()
    assert {p: p.stat().st_mtime_ns for p in (sample_show / CACHE_DIR).rglob("*")} == cache


def test_a_build_recorded_a_few_rows_at_a_time_is_kept_whole(
    sample_show: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shortcut, "JSON_SLICE", 2)  # its files and enclosures in many slices
    first = _build(sample_show)
    again = _build(sample_show)
    assert _kept(again) and len(first.enclosures) > 2
    _same_result(first, again)


def _edit(path: Path) -> None:
    path.write_text(path.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")


def _copy_keeping_mtime(src: Path, dest: Path) -> None:
    """``cp -p`` of a file of the same size over ``dest``: size and mtime as they were."""
    st = dest.stat()
    data = src.read_bytes()[: st.st_size]
    data += b"\0" * (st.st_size - len(data))
    with dest.open("r+b") as f:  # the same inode
        f.write(data)
    os.utime(dest, ns=(st.st_atime_ns, st.st_mtime_ns))


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda s: _edit(s / "show_notes" / f"{RED}.md"), id="note edited"),
        pytest.param(lambda s: _edit(s / "show_notes" / "references.bib"), id="bibliography"),
        pytest.param(lambda s: _edit(s / "feed_config.yaml"), id="config"),
        pytest.param(
            lambda s: _copy_keeping_mtime(
                s / "episodes" / f"{RED}.m4a", s / "episodes" / f"{IMAGING}.mp3"
            ),
            id="same-size audio, mtime kept",
        ),
        pytest.param(
            lambda s: os.utime(s / "episodes" / f"{IMAGING}.mp3"), id="audio only touched"
        ),
        pytest.param(
            lambda s: (s / "templates").mkdir() or (s / "templates" / "x.html").write_text("x"),
            id="template folder added",
        ),
        pytest.param(
            lambda s: (s / "show_notes" / "draft.md").write_text(
                "---\ntitle: x\ndraft: true\n---\n"
            ),
            id="a note added",
        ),
        pytest.param(lambda s: (s / "_site" / "feed.xml").write_text("broken"), id="output edited"),
        pytest.param(lambda s: (s / "_site" / "feed.xml").unlink(), id="output removed"),
        pytest.param(lambda s: (s / "_site" / "extra.html").write_text("x"), id="output added"),
    ],
)
def test_any_change_runs_the_full_build(sample_show: Path, change: object) -> None:
    first = _build(sample_show)
    change(sample_show)  # type: ignore[operator]
    try:
        again = _build(sample_show)
    except Exception:  # a change the full build refuses (the config's extra line) was seen
        return
    assert not _kept(again)
    # and what it built is what a build that trusts nothing builds
    fresh = _build(sample_show, use_cache=False)
    assert not _kept(fresh)
    assert [(f.key, f.sha256) for f in again.files] == [(f.key, f.sha256) for f in fresh.files]
    assert first.site_dir == again.site_dir


def test_an_output_edited_is_put_right(sample_show: Path) -> None:
    first = _build(sample_show)
    feed = first.site_dir / "feed.xml"
    good = feed.read_bytes()
    feed.write_bytes(b"broken")
    _build(sample_show)
    assert feed.read_bytes() == good


def test_a_scheduled_episode_that_falls_due_is_built(sample_show: Path) -> None:
    note = sample_show / "show_notes" / f"{RED}.md"
    text = note.read_text(encoding="utf-8")
    later = FIXED_NOW + dt.timedelta(days=2)
    note.write_text(text.replace("date: 2026-09-15", f"date: {later.date()}"), encoding="utf-8")
    first = _build(sample_show)
    assert RED not in {e.slug for e in first.enclosures}
    assert _kept(_build(sample_show, now=FIXED_NOW + dt.timedelta(days=1)))
    due = _build(sample_show, now=FIXED_NOW + dt.timedelta(days=3))
    assert not _kept(due)
    assert RED in {e.slug for e in due.enclosures}
    # and back before it was due: the build without it, not the one with it
    before = _build(sample_show, now=FIXED_NOW)
    assert not _kept(before)
    assert RED not in {e.slug for e in before.enclosures}


def test_a_build_before_the_newest_episode_was_due_is_not_kept(sample_show: Path) -> None:
    _build(sample_show)
    earlier = dt.datetime(2026, 9, 20, tzinfo=dt.UTC)  # the October episode not yet due
    result = _build(sample_show, now=earlier)
    assert not _kept(result)
    assert len(result.enclosures) == 2


def test_other_options_and_folders_are_other_builds(sample_show: Path, tmp_path: Path) -> None:
    _build(sample_show)
    other = _build(sample_show, out_dir=tmp_path / "other")
    assert not _kept(other)
    assert _kept(_build(sample_show, out_dir=tmp_path / "other"))
    # building elsewhere hard-linked the audio again, which changes its ctime: not trusted
    first = _build(sample_show)
    assert _kept(_build(sample_show))
    assert first.site_dir == sample_show / "_site"
    drafts = build.build(sample_show, now=FIXED_NOW, guid_mode="preview", drafts=True)
    assert not _kept(drafts)


def test_no_cache_trusts_nothing(sample_show: Path) -> None:
    _build(sample_show)
    assert not _kept(_build(sample_show, use_cache=False))


@pytest.mark.parametrize(
    "record",
    [b"", b"{not json", b"[]", b'{"format": 999}', f'{{"format": {FORMAT}}}'.encode()],
)
def test_a_corrupt_or_foreign_record_is_ignored(sample_show: Path, record: bytes) -> None:
    first = _build(sample_show)
    for path in (sample_show / CACHE_DIR).glob("last-build-*.json"):
        path.write_bytes(record)
    again = _build(sample_show)
    assert not _kept(again)
    _same_result(first, again)
    assert _kept(_build(sample_show))  # and recorded afresh


@pytest.mark.parametrize("where", ["outside", "hidden"])
def test_a_bibliography_the_walk_does_not_see_is_an_input(
    sample_show: Path, tmp_path: Path, where: str
) -> None:
    """Outside the show folder, or in a hidden folder of it (which the walk leaves out)."""
    folder = tmp_path / "library" if where == "outside" else sample_show / ".zotero"
    outside = folder / "references.bib"
    outside.parent.mkdir()
    shutil.move(sample_show / "show_notes" / "references.bib", outside)
    config = sample_show / "feed_config.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace("bibliography: show_notes/references.bib", f"bibliography: {outside}"),
        encoding="utf-8",
    )
    _build(sample_show)
    assert _kept(_build(sample_show))
    _edit(outside)
    assert not _kept(_build(sample_show))
    assert _kept(_build(sample_show))


def test_a_build_that_writes_guids_back_is_not_kept(sample_show: Path) -> None:
    note = sample_show / "show_notes" / f"{RED}.md"
    lines = note.read_text(encoding="utf-8").splitlines(keepends=True)
    note.write_text("".join(x for x in lines if not x.startswith("guid:")), encoding="utf-8")
    first = build.build(sample_show, now=FIXED_NOW, guid_mode="write")
    assert "guid:" in note.read_text(encoding="utf-8")
    second = build.build(sample_show, now=FIXED_NOW, guid_mode="write")
    assert not _kept(second)  # the note changed under the first build: it wrote it
    third = build.build(sample_show, now=FIXED_NOW, guid_mode="write")
    assert _kept(third)
    assert first.guids == third.guids
