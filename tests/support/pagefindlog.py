"""Which pages the build gave Pagefind, run by run: the real Pagefind, behind a logging door.

:func:`watch` puts a ``pagefind`` package first on ``PYTHONPATH`` (so first for the child
``python -m pagefind`` the build starts, and for nothing in the test's own process). Its
``__main__`` writes one line per run into a log, the HTML files under ``--site`` (relative,
sorted, space-separated), then hands over to the installed Pagefind with the same arguments.
Nothing of Pagefind is replaced: the index is the one Pagefind writes.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

_MAIN = """\
import os, runpy, sys
from pathlib import Path

door = Path(__file__).resolve().parent.parent
args = sys.argv[1:]
site = Path(args[args.index("--site") + 1])
pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
with open(os.environ["PAGEFIND_LOG"], "a", encoding="utf-8") as log:
    log.write(" ".join(pages) + "\\n")
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != door]
for name in [m for m in sys.modules if m.split(".")[0] == "pagefind"]:
    del sys.modules[name]
runpy.run_module("pagefind", run_name="__main__", alter_sys=True)
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


def watch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> PagefindLog:
    """Log every Pagefind run a build started from now on (see the module's docstring)."""
    door = tmp_path / "pagefind-door"
    (door / "pagefind").mkdir(parents=True)
    (door / "pagefind" / "__init__.py").write_text("", encoding="utf-8")
    (door / "pagefind" / "__main__.py").write_text(_MAIN, encoding="utf-8")
    log = tmp_path / "pagefind.log"
    monkeypatch.setenv("PAGEFIND_LOG", str(log))
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join(filter(None, [str(door), os.environ.get("PYTHONPATH")]))
    )
    return PagefindLog(log)
