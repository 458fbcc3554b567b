"""The sample show, copied for a test to change, and the fixed "now" the tests build at."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from pathlib import Path
from typing import Any

from publisher import build, layout
from publisher.filecache import CACHE_DIR
from publisher.model import Build
from tests.support.paths import ROOT

FIXED_NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)
SHOW_PARTS = ("feed_config.yaml", "artwork.jpg", "episodes", "show_notes")


def copy_show(dest: Path) -> Path:
    """Copy the sample show (config, artwork, episodes, notes) into ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    for part in SHOW_PARTS:
        src = ROOT / part
        if src.is_dir():
            shutil.copytree(src, dest / part)
        else:
            shutil.copy2(src, dest / part)
    return dest


def one_note(show: Path, front: str) -> Path:
    """Leave ``show`` with one episode: ``show_notes/one.md`` with the front matter ``front``
    (lines ending in newlines) and a body, and a short MP3 as its audio. Returns the note."""
    for p in [*(show / "show_notes").glob("*.md"), *(show / "episodes").iterdir()]:
        p.unlink()
    shutil.copy(ROOT / "tests" / "data" / "audio" / "cbr.mp3", show / "episodes" / "one.mp3")
    note = show / "show_notes" / "one.md"
    note.write_text(f"---\n{front}---\nBody\n", encoding="utf-8")
    return note


def media_key(show: Path, slug: str) -> str:
    """The key the episode ``slug`` of ``show`` publishes its audio under (content-addressed:
    ``media/<slug>-<sha256:16>.<ext>``), from its file in ``episodes/``."""
    (audio,) = (p for p in (show / "episodes").glob(f"{slug}.*") if p.suffix in (".mp3", ".m4a"))
    digest = hashlib.sha256(audio.read_bytes()).hexdigest()
    return layout.media_key(slug, digest, audio.suffix[1:])


def full_build(show: Path, **options: Any) -> Build:
    """``build.build`` with the last build's record forgotten, so that the full (incremental)
    build runs even when nothing changed: what tests of its caches need."""
    for record in (show / CACHE_DIR).glob("last-build-*.json"):
        record.unlink()
    return build.build(show, **options)
