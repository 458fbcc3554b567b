"""Which pages the build gave Pagefind, run by run: the real Pagefind, behind a logging door.

:func:`watch` points ``PAGEFIND_BINARY_PATH`` (which Pagefind's own lookup, and so the build,
honours first) at a small script that writes one line per run into a log, the HTML files
under ``--site`` (relative, sorted, space-separated), then hands over to the installed
Pagefind binary with the same arguments. Nothing of Pagefind is replaced: the index is the
one Pagefind writes.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

_DOOR = """\
import os, sys
from pathlib import Path

args = sys.argv[1:]
gate = os.environ.get("PAGEFIND_GATE")
if gate:  # held until the test lets it go (a minute at most)
    import time
    deadline = time.monotonic() + 60
    while not os.path.exists(gate) and time.monotonic() < deadline:
        time.sleep(0.01)
site = Path(args[args.index("--site") + 1])
pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
with open(os.environ["PAGEFIND_LOG"], "a", encoding="utf-8") as log:
    log.write(" ".join(pages) + "\\n")
del os.environ["PAGEFIND_BINARY_PATH"]  # the installed Pagefind, as without the door
from pagefind.service import get_executable
real = str(get_executable())
os.execv(real, [real, *args])
"""


class PagefindLog:
    """The runs of Pagefind since :func:`watch` or the last :meth:`runs`."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def runs(self) -> list[list[str]]:
        """The pages of each run since the last call, in order; the log is emptied."""
        text = self.path.read_text(encoding="utf-8") if self.path.exists() else ""
        self.path.write_text("", encoding="utf-8")
        return [line.split() for line in text.splitlines()]


def watch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, gate: Path | None = None
) -> PagefindLog:
    """Log every Pagefind run a build started from now on (see the module's docstring).
    With ``gate``, each run waits until that file exists before it indexes anything."""
    if gate is not None:
        monkeypatch.setenv("PAGEFIND_GATE", str(gate))
    door = tmp_path / "pagefind-door"
    door.write_text(f"#!{sys.executable}\n{_DOOR}", encoding="utf-8")
    door.chmod(0o755)
    log = tmp_path / "pagefind.log"
    monkeypatch.setenv("PAGEFIND_LOG", str(log))
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(door))
    return PagefindLog(log)
