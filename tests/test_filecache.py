"""The build cache's record of written files, one compact row each, and its JSON written a
slice at a time (issue 11)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from publisher import filecache
from publisher.filecache import CACHE_FILE, BuildCache, json_chunks


def test_a_written_file_is_known_by_its_stat_until_it_changes(tmp_path: Path) -> None:
    page = tmp_path / "_site" / "index.html"
    page.parent.mkdir()
    page.write_bytes(b"<p>one</p>")
    cache = BuildCache(tmp_path)
    cache.remember_written(str(page), page.stat(), "a" * 64)
    cache.save()
    again = BuildCache(tmp_path)
    assert again.written(str(page), page.stat()) == "a" * 64
    assert json.loads((tmp_path / CACHE_FILE).read_bytes())["outputs"][str(page)][4] == "a" * 64
    st = page.stat()
    os.utime(page, ns=(st.st_atime_ns, st.st_mtime_ns + 1))  # same size, touched
    assert again.written(str(page), page.stat()) is None
    assert again.written(str(tmp_path / "other.html"), st) is None
    assert again.output(str(page)) is None  # a written file's row is no other record


def test_other_records_are_kept_beside_the_rows(tmp_path: Path) -> None:
    cache = BuildCache(tmp_path)
    cache.remember_output("part-0001", {"pages": "f" * 64})
    cache.save()
    again = BuildCache(tmp_path)
    assert again.output("part-0001") == {"pages": "f" * 64}
    assert again.written("part-0001", (tmp_path / CACHE_FILE).stat()) is None


@pytest.mark.parametrize("slice_size", [1, 2, 3, 4096])
def test_json_in_slices_is_the_json_of_the_whole(
    monkeypatch: pytest.MonkeyPatch, slice_size: int
) -> None:
    monkeypatch.setattr(filecache, "JSON_SLICE", slice_size)
    value = {
        "format": 3,
        "outputs": {f"/site/{n}.html": [n, 2, 3, 4, "ab"] for n in range(7, 0, -1)},
        "site": {"made": [["index.html", "a", None], ["b.html", "c", "d"], ["e", "f", "g"]]},
        "files": {"z": {"stat": [1], "audio": {"b": 1, "a": "é"}}, "y": {}},
        "empty": {},
        "rows": [],
    }
    assert b"".join(json_chunks(value)) == json.dumps(value, sort_keys=True).encode()
    assert json.loads(b"".join(json_chunks(value))) == value
