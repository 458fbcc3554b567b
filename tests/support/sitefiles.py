"""What a build left on disk, to tell which files a rebuild wrote: stat and bytes of each."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Snap:
    """One file of a build folder: its inode, mtime (ns) and SHA-256."""

    ino: int
    mtime_ns: int
    sha256: str


def snapshot(site: Path) -> dict[str, Snap]:
    """Every file under ``site`` by its key (POSIX path relative to ``site``)."""
    out = {}
    for path in sorted(site.rglob("*")):
        if path.is_file():
            st = path.stat()
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            out[path.relative_to(site).as_posix()] = Snap(st.st_ino, st.st_mtime_ns, digest)
    return out


def written(before: dict[str, Snap], after: dict[str, Snap]) -> set[str]:
    """Keys added, removed, or whose file was written again (another inode or mtime)."""
    keys = before.keys() | after.keys()
    return {
        k
        for k in keys
        if k not in before
        or k not in after
        or (before[k].ino, before[k].mtime_ns) != (after[k].ino, after[k].mtime_ns)
    }


def differing(before: dict[str, Snap], after: dict[str, Snap]) -> set[str]:
    """Keys added, removed, or whose bytes differ."""
    keys = before.keys() | after.keys()
    return {
        k for k in keys if k not in before or k not in after or before[k].sha256 != after[k].sha256
    }
