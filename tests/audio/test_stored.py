"""Audio facts kept in the build cache (issue 11): a rebuild reads no unchanged audio.

A cached read must give exactly what a fresh read gives (tags, chapters, artwork bytes,
warnings), only for the file as it was read (its stat), and never trust an entry it cannot
decode. That the cache is what answers is shown by editing the kept entry: the edit comes
back.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

from publisher import build
from publisher.audio import stored
from publisher.audio.reader import read_audio
from publisher.filecache import CACHE_FILE, BuildCache
from publisher.model import AudioInfo
from tests.support.paths import TESTS
from tests.support.show import FIXED_NOW, copy_show

DATA = TESTS / "data" / "audio"


def put(root: Path, name: str) -> Path:
    path = root / "episodes" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(DATA / name, path)
    return path


def read_twice(root: Path, path: Path) -> tuple[AudioInfo, AudioInfo]:
    """A read into a fresh cache, saved, then a read through the cache loaded back."""
    first = BuildCache(root)
    fresh = stored.read_cached(path, first)
    first.save()
    return fresh, stored.read_cached(path, BuildCache(root))


def edit_entry(root: Path, path: Path, **changes: object) -> None:
    """Change the kept entry of ``path`` in the cache file."""
    cache_file = root / CACHE_FILE
    data = json.loads(cache_file.read_bytes())
    data["files"][os.path.abspath(path)][stored.KIND].update(changes)
    cache_file.write_text(json.dumps(data), encoding="utf-8")


@pytest.mark.parametrize(
    "name",
    [
        "tagged.mp3",  # ID3 tags, CHAP chapters with a link, two APIC pictures
        "aac.m4a",  # MP4 tags, chapters and cover art
        "big_id3.mp3",  # a ~200 KB picture
        "vbr_noxing.mp3",  # a warning
        "cbr.mp3",  # no tags at all
    ],
)
def test_a_cached_read_is_a_fresh_read(tmp_path: Path, name: str) -> None:
    path = put(tmp_path, name)
    fresh, cached = read_twice(tmp_path, path)
    assert fresh == read_audio(path)
    assert cached == fresh
    if fresh.artwork is not None:
        assert cached.artwork is not None and cached.artwork.data == fresh.artwork.data


def test_the_fixtures_cover_what_is_kept(tmp_path: Path) -> None:
    tagged = read_audio(DATA / "tagged.mp3")
    m4a = read_audio(DATA / "aac.m4a")
    assert tagged.chapters and tagged.artwork and tagged.title and tagged.comment
    assert any(c.url for c in tagged.chapters) and any(c.end for c in tagged.chapters)
    assert m4a.chapters and m4a.artwork and m4a.extension == "m4a"
    assert read_audio(DATA / "vbr_noxing.mp3").notices


def test_the_cache_is_what_answers(tmp_path: Path) -> None:
    path = put(tmp_path, "tagged.mp3")
    read_twice(tmp_path, path)
    edit_entry(tmp_path, path, title="From the cache")
    assert stored.read_cached(path, BuildCache(tmp_path)).title == "From the cache"
    assert stored.read_cached(path, BuildCache(tmp_path, use=False)).title != "From the cache"


def test_warnings_survive_a_cached_read(tmp_path: Path) -> None:
    path = put(tmp_path, "vbr_noxing.mp3")
    fresh, cached = read_twice(tmp_path, path)
    edit_entry(tmp_path, path, title="From the cache")  # what follows is a cached read
    again = stored.read_cached(path, BuildCache(tmp_path))
    assert again.title == "From the cache"
    assert again.notices == cached.notices == fresh.notices == read_audio(path).notices
    (warning,) = again.notices
    assert "Xing/VBRI" in warning.message and warning.path == path


def test_a_same_size_copy_with_the_mtime_kept_is_read_afresh(tmp_path: Path) -> None:
    path = put(tmp_path, "tagged.mp3")
    read_twice(tmp_path, path)
    data = bytearray(path.read_bytes())
    at = data.index(b"Chapters &")
    data[at] = ord("K")
    other = tmp_path / "other.mp3"
    other.write_bytes(bytes(data))
    st = path.stat()
    shutil.copy2(other, path)  # into the same inode, then the mtime set back
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (st.st_size, st.st_mtime_ns)
    info = stored.read_cached(path, BuildCache(tmp_path))
    assert info.title == "Khapters & <b>tags</b>"
    assert info == read_audio(path)


@pytest.mark.parametrize(
    "damage",
    [
        {"size": "big"},
        {"chapters": [[0, "only two"]]},
        {"notices": "none"},
        {"artwork": ["image/png", "0" * 64]},  # no such blob
        {"artwork": ["image/png", "../../../etc/passwd"]},
        {"duration": None},
    ],
)
def test_a_damaged_entry_is_discarded(tmp_path: Path, damage: dict[str, object]) -> None:
    path = put(tmp_path, "tagged.mp3")
    read_twice(tmp_path, path)
    edit_entry(tmp_path, path, **damage)
    cache = BuildCache(tmp_path)
    assert stored.read_cached(path, cache) == read_audio(path)
    cache.save()  # and the entry is replaced by a good one
    assert stored.from_json(BuildCache(tmp_path).kept(path, stored.KIND)[0], path, cache.blob)


def test_damaged_artwork_is_read_afresh(tmp_path: Path) -> None:
    path = put(tmp_path, "tagged.mp3")
    fresh, _ = read_twice(tmp_path, path)
    (blob,) = BuildCache(tmp_path).blobs_dir.iterdir()
    blob.write_bytes(blob.read_bytes()[:-1] + b"\0")
    cached = stored.read_cached(path, BuildCache(tmp_path))
    assert cached == fresh
    assert BuildCache(tmp_path).blob(blob.name) is not None  # written again


def test_a_rebuild_keeps_the_audio_warnings(tmp_path: Path) -> None:
    root = copy_show(tmp_path / "show")
    path = root / "episodes" / "2026-09-01-imaging-without-pain.mp3"
    path.write_bytes((DATA / "vbr_noxing.mp3").read_bytes())
    builds = [build.build(root, now=FIXED_NOW, guid_mode="refuse") for _ in range(2)]
    entry = BuildCache(root).kept(path, stored.KIND)[0]
    assert entry is not None and entry["notices"]  # the second build read it from there
    first, second = ([n for n in b.notices if "Xing/VBRI" in n.message] for b in builds)
    assert first == second == list(read_audio(path).notices)


def test_artwork_no_audio_file_holds_is_not_kept(tmp_path: Path) -> None:
    root = copy_show(tmp_path / "show")
    path = root / "episodes" / "2026-09-01-imaging-without-pain.mp3"

    def kept() -> set[str]:
        return {p.name for p in BuildCache(root).blobs_dir.iterdir()}

    def embedded() -> set[str]:
        found = (read_audio(p).artwork for p in (root / "episodes").glob("*.mp3"))
        return {hashlib.sha256(a.data).hexdigest() for a in found if a is not None}

    shutil.copyfile(DATA / "tagged.mp3", path)
    build.build(root, now=FIXED_NOW, guid_mode="refuse")
    first = embedded()  # kept beside the renditions made of the artwork
    assert first and first <= kept()
    shutil.copyfile(DATA / "big_id3.mp3", path)  # other artwork
    build.build(root, now=FIXED_NOW, guid_mode="refuse")
    assert embedded() <= kept() and embedded() != first
    assert not (first - embedded()) & kept()  # what no audio file holds is gone
