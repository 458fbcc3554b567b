"""Notes rendered on a process pool: the same bytes as rendered one after another."""

from __future__ import annotations

from pathlib import Path

import pytest

from publisher import build
from publisher.build import parallel
from publisher.errors import NotesError, Problems, PublisherError
from tests.support.show import FIXED_NOW
from tests.support.sitefiles import snapshot

SLUG = "2026-09-15-red-flags"


def test_a_pooled_build_is_byte_identical_to_a_serial_one(
    sample_show: Path, tmp_path: Path
) -> None:
    serial = build.build(
        sample_show, now=FIXED_NOW, out_dir=tmp_path / "one", guid_mode="refuse",
        use_cache=False, processes=1,
    )  # fmt: skip
    pooled = build.build(
        sample_show, now=FIXED_NOW, out_dir=tmp_path / "two", guid_mode="refuse",
        use_cache=False, processes=2,
    )  # fmt: skip
    one, two = snapshot(serial.site_dir), snapshot(pooled.site_dir)
    assert len(one) > 40
    assert {k: s.sha256 for k, s in one.items()} == {k: s.sha256 for k, s in two.items()}
    assert serial.files == tuple(
        f.__class__(f.key, serial.site_dir / f.key, f.size, f.sha256, f.content_type, f.kind,
                    f.immutable)
        for f in pooled.files
    )  # fmt: skip


def _square_or_refuse(n: int) -> int:
    if n == 3:
        raise NotesError("three is refused", Path("three.md"), 3, "pick another")
    if n == 5:
        raise Problems([NotesError("five", Path("a.md"), 1), NotesError("again", Path("b.md"), 2)])
    return n * n


def test_problems_cross_from_the_workers_whole_and_in_order() -> None:
    pooled = parallel.render_each(_square_or_refuse, list(range(8)), processes=2)
    serial = parallel.render_each(_square_or_refuse, list(range(8)), processes=1)
    assert [str(x) if not isinstance(x, tuple) else [str(p) for p in x] for x in pooled] == [
        str(x) if not isinstance(x, tuple) else [str(p) for p in x] for x in serial
    ]
    assert pooled[:3] == [0, 1, 4]
    (three,) = pooled[3]  # type: ignore[misc]
    assert (three.path, three.line, three.hint) == (Path("three.md"), 3, "pick another")
    assert [p.message for p in pooled[5]] == ["five", "again"]  # type: ignore[union-attr]


def test_a_broken_note_is_reported_from_a_pooled_build(sample_show: Path) -> None:
    note = sample_show / "show_notes" / f"{SLUG}.md"
    note.write_text(note.read_text(encoding="utf-8") + "\nA claim.[@nosuchkey2020]\n")
    with pytest.raises(NotesError) as info:
        build.build(sample_show, now=FIXED_NOW, guid_mode="refuse", processes=2)
    assert "unknown citation key 'nosuchkey2020'" in str(info.value)
    assert info.value.path == note


def test_a_broken_template_found_in_a_pooled_build_names_its_file_and_line(
    sample_show: Path,
) -> None:
    override = sample_show / "templates" / "meta.html"
    override.parent.mkdir()
    override.write_text("<p>\n\n{{ view.no_such_thing.x }}\n</p>\n", encoding="utf-8")
    with pytest.raises(PublisherError) as raised:
        build.build(sample_show, now=FIXED_NOW, guid_mode="refuse", processes=2)
    assert str(raised.value).startswith(f"{override}:3: template error:")
