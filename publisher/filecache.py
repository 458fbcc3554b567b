"""Facts about large media files, reused while their size and mtime are unchanged.

Hashing a two-hour episode, or walking its MP3 frames to measure its true length, on every
build would dominate the build of a show with a long back catalogue. What was found is kept
in the show's git-ignored ``.publisher/`` folder and is only ever a shortcut: a file whose
size or mtime changed is read again, and a cache that cannot be read is ignored.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

CACHE_FILE = Path(".publisher") / "hash-cache.json"


class HashCache:
    """SHA-256 and measured duration of files, per path, valid for one (size, mtime)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries: dict[str, dict[str, Any]] = {}
        self.dirty = False
        try:
            loaded = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            loaded = None
        if isinstance(loaded, dict):
            self.entries = {k: v for k, v in loaded.items() if isinstance(v, dict)}

    def _entry(self, src: Path) -> tuple[dict[str, Any], os.stat_result]:
        st = src.stat()
        key = str(src.resolve())
        entry = self.entries.get(key)
        if entry is None or [entry.get("size"), entry.get("mtime_ns")] != [
            st.st_size,
            st.st_mtime_ns,
        ]:
            entry = self.entries[key] = {"size": st.st_size, "mtime_ns": st.st_mtime_ns}
        return entry, st

    def digest(self, src: Path) -> tuple[int, str]:
        """The size and SHA-256 of ``src``, from the cache when its size and mtime match."""
        entry, st = self._entry(src)
        if isinstance(entry.get("sha256"), str):
            return st.st_size, str(entry["sha256"])
        h = hashlib.sha256()
        with src.open("rb") as f:
            while chunk := f.read(1 << 20):
                h.update(chunk)
        entry["sha256"] = h.hexdigest()
        self.dirty = True
        return st.st_size, h.hexdigest()

    def duration(self, src: Path) -> float | None:
        """The duration measured before for ``src`` as it is now, else None."""
        entry, _ = self._entry(src)
        value = entry.get("duration")
        return float(value) if isinstance(value, int | float) else None

    def remember_duration(self, src: Path, seconds: float) -> None:
        entry, _ = self._entry(src)
        if entry.get("duration") != seconds:
            entry["duration"] = seconds
            self.dirty = True

    def save(self) -> None:
        """Write the cache back if anything was learnt (failures only cost time later)."""
        if not self.dirty:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(self.entries, sort_keys=True), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError:
            pass  # a cache that cannot be written only costs time
