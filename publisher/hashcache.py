"""SHA-256 of built files, reused for large media while size and mtime are unchanged.

Hashing a two-hour episode on every build would dominate the build; the cache lives in the
show's git-ignored ``.publisher/`` folder and is only ever a shortcut: a miss re-hashes.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

CACHE_FILE = Path(".publisher") / "hash-cache.json"


class HashCache:
    """SHA-256 of files, reused while their size and mtime are unchanged."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries: dict[str, list[object]] = {}
        self.dirty = False
        try:
            loaded = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(loaded, dict):
                self.entries = loaded
        except (OSError, ValueError):
            pass

    def digest(self, src: Path) -> tuple[int, str]:
        """The size and SHA-256 of ``src``, from the cache when its size and mtime match."""
        st = src.stat()
        key = str(src.resolve())
        hit = self.entries.get(key)
        if isinstance(hit, list) and hit[:2] == [st.st_size, st.st_mtime_ns]:
            return st.st_size, str(hit[2])
        h = hashlib.sha256()
        with src.open("rb") as f:
            while chunk := f.read(1 << 20):
                h.update(chunk)
        self.entries[key] = [st.st_size, st.st_mtime_ns, h.hexdigest()]
        self.dirty = True
        return st.st_size, h.hexdigest()

    def save(self) -> None:
        """Write the cache back if anything was hashed (failures only cost time later)."""
        if not self.dirty:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(self.entries, sort_keys=True), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError:
            pass  # a cache that cannot be written only costs time
