"""The processes of this machine as Linux's /proc shows them (for tests of child processes)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Proc:
    pid: int
    state: str  # "R", "S", "T" (stopped), "Z" (ended, not yet reaped), …
    ppid: int
    pgrp: int
    session: int


def processes() -> Iterator[Proc]:
    """Every process still listed (proc(5): the fields after the command's name)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        found = _read(stat)
        if found is not None:
            yield found


def process(pid: int) -> Proc | None:
    """Process ``pid``, or None when it is gone (reaped)."""
    return _read(Path(f"/proc/{pid}/stat"))


def _read(stat: Path) -> Proc | None:
    try:
        fields = stat.read_text().rpartition(")")[2].split()
        return Proc(int(stat.parent.name), fields[0], *(int(f) for f in fields[1:4]))
    except (OSError, ValueError, IndexError):  # gone meanwhile
        return None
