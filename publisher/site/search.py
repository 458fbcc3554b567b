"""Full-text search for a static host: Pagefind's index of the built pages.

Pagefind (PyPI's ``pagefind[extended]`` ships its binary; the extended build segments CJK text)
indexes the elements marked ``data-pagefind-body`` (episode pages: titles, notes and references;
transcript pages) into a bundle, which the site's script loads on demand. The same pages
give the same index files. The parts of Pagefind's bundle that we do not load (its prebuilt UIs)
are removed so they are never uploaded.

The site's index is made of parts (:mod:`publisher.build.searchparts`), each a bundle of some
of the pages: :func:`index_pages` indexes only the pages given, from a temporary folder of copies
of them at the same relative paths, so Pagefind's URLs are the site's and its memory
grows with the part, not with the site.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path

from publisher import layout
from publisher.errors import SiteError

_INSTALL = "pip install 'pagefind[extended]'"
_UNUSED = (
    "pagefind-ui.*",
    "pagefind-component-ui.*",
    "pagefind-modular-ui.*",
    "pagefind-highlight.js",
)


def index(site_dir: Path, *, output: Path | None = None) -> list[Path]:
    """Index the HTML under ``site_dir`` into ``output`` (default ``site_dir/pagefind/``,
    emptied first); returns its files.

    Raises SiteError when Pagefind is missing or fails (its message, one line).
    """
    out = output or site_dir / layout.SEARCH_DIR.rstrip("/")
    if out.exists():
        shutil.rmtree(out)
    try:
        command = [str(_executable()), "--site", str(site_dir), "--silent"]
        command += ["--output-path", str(out.resolve())]
        run = subprocess.run(command, capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise SiteError(f"the search index could not be built: {e}", None, None, _INSTALL) from e
    if run.returncode != 0:
        said = (run.stderr or run.stdout).strip().splitlines()
        raise SiteError(
            "the search index could not be built: "
            + (said[-1] if said else f"exit {run.returncode}"),
            None,
            None,
            _INSTALL,
        )
    for pattern in _UNUSED:
        for path in out.glob(pattern):
            path.unlink()
    return sorted(p for p in out.rglob("*") if p.is_file())


def _executable() -> Path:
    """Pagefind's binary, as ``python -m pagefind`` finds it ($PAGEFIND_BINARY_PATH, then the
    extended build's package, the plain one's, the PATH), run directly: a Python interpreter
    started only to start it cost 50 ms or more a part. Raises FileNotFoundError."""
    from pagefind.service import get_executable

    found = get_executable()
    if found is None:
        raise FileNotFoundError("the pagefind binary is not installed")
    return found


def index_pages(site_dir: Path, keys: Iterable[str], output: Path) -> list[Path]:
    """Index only the pages at ``keys`` (relative to ``site_dir``) into ``output`` (emptied
    first), as :func:`index` would index a site holding just them: their URLs are the same.
    Returns the bundle's files. Raises SiteError (Pagefind missing or failing) or OSError."""
    with tempfile.TemporaryDirectory(dir=output.parent, prefix=".pages-") as tmp:
        for key in keys:
            dest = Path(tmp, key)
            dest.parent.mkdir(parents=True, exist_ok=True)
            # A copy, not a hard link: linking changes the page's ctime, and the build
            # cache knows a built page by its stat (ctime included).
            shutil.copyfile(site_dir / key, dest)
        return index(Path(tmp), output=output)
