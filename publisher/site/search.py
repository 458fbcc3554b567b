"""Full-text search for a static host: Pagefind's index of the built pages.

Pagefind (PyPI's ``pagefind[extended]`` ships its binary; the extended build segments CJK text)
indexes the elements marked ``data-pagefind-body`` (episode pages: titles, notes and references;
transcript pages) into ``pagefind/``, which the site's script loads on demand. The same pages
give the same index files. The parts of Pagefind's bundle that we do not load (its prebuilt UIs)
are removed so they are never uploaded.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from publisher import layout
from publisher.errors import SiteError

_UNUSED = (
    "pagefind-ui.*",
    "pagefind-component-ui.*",
    "pagefind-modular-ui.*",
    "pagefind-highlight.js",
)


def index(site_dir: Path) -> list[Path]:
    """Index the HTML under ``site_dir`` into ``site_dir/pagefind/``; returns its files.

    Raises SiteError when Pagefind is missing or fails (its message, one line).
    """
    out = site_dir / layout.SEARCH_DIR.rstrip("/")
    if out.exists():
        shutil.rmtree(out)
    command = [sys.executable, "-m", "pagefind", "--site", str(site_dir), "--silent"]
    try:
        run = subprocess.run(command, capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise SiteError(f"the search index could not be built: {e}", None, None) from e
    if run.returncode != 0:
        said = (run.stderr or run.stdout).strip().splitlines()
        raise SiteError(
            "the search index could not be built: "
            + (said[-1] if said else f"exit {run.returncode}"),
            None,
            None,
            "pip install 'pagefind[extended]'",
        )
    for pattern in _UNUSED:
        for path in out.glob(pattern):
            path.unlink()
    return sorted(p for p in out.rglob("*") if p.is_file())
