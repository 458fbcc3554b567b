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
from typing import IO

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
    return _start(site_dir, output or site_dir / layout.SEARCH_DIR.rstrip("/")).result()


class Indexing:
    """Pagefind running (:func:`start_pages`): :meth:`result` waits for it and returns the
    bundle's files; :meth:`stop` ends it unread. Once it is done (``result``, ``stop``, or
    :meth:`running` finding it done), what it was given to index is removed and the file of
    what it said closed: a build that starts many holds none of theirs open."""

    def __init__(
        self,
        process: subprocess.Popen[bytes] | None,
        out: Path,
        said: IO[bytes] | None,
        error: SiteError | None = None,
        pages: str | None = None,
    ) -> None:
        self._process, self._out, self._said, self._error = process, out, said, error
        self._pages = pages  # the folder of copies it indexes, removed once it is done

    def result(self, timeout: float = 600) -> list[Path]:
        """The bundle's files (Pagefind's prebuilt UIs removed), once Pagefind is done.
        Raises SiteError when Pagefind is missing, fails or takes over ``timeout`` seconds."""
        try:
            if self._process is not None and self._said is not None:  # not yet done
                try:
                    self._process.wait(timeout=timeout)
                except subprocess.TimeoutExpired as e:
                    self._process.kill()
                    self._process.wait()
                    self._error = _failed(str(e))
                self._settle()
        finally:
            self._done()
        if self._error is not None or self._process is None:
            raise self._error or SiteError("the search index was stopped", None, None)
        for pattern in _UNUSED:
            for path in self._out.glob(pattern):
                path.unlink()
        return sorted(p for p in self._out.rglob("*") if p.is_file())

    def running(self) -> bool:
        """Whether Pagefind is still at work (when it is not, it is settled: see above)."""
        if self._process is None or self._process.poll() is None:
            return self._process is not None
        self._settle()
        return False

    def stop(self) -> None:
        """End Pagefind if it still runs, and remove the copies it was given."""
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()
            self._error = SiteError("the search index was stopped", None, None)
        self._done()

    def _settle(self) -> None:
        """Pagefind is done: keep why when it failed (its last line), then let go."""
        assert self._process is not None  # only a started Pagefind is done
        code = self._process.returncode
        if code != 0 and self._error is None and self._said is not None:
            self._said.seek(0)
            lines = self._said.read().decode("utf-8", "replace").strip().splitlines()
            self._error = _failed(lines[-1] if lines else f"exit {code}")
        self._done()

    def _done(self) -> None:
        if self._said is not None:
            self._said.close()
            self._said = None
        if self._pages is not None:
            shutil.rmtree(self._pages, ignore_errors=True)
            self._pages = None


def _failed(why: str) -> SiteError:
    return SiteError(f"the search index could not be built: {why}", None, None, _INSTALL)


def _start(site_dir: Path, out: Path, pages: str | None = None) -> Indexing:
    """Start Pagefind over ``site_dir`` into ``out`` (emptied first). What it says goes to a
    temporary file, never a pipe: a pipe read only at the end could fill and stall it."""
    if out.exists():
        shutil.rmtree(out)
    said = tempfile.TemporaryFile()  # noqa: SIM115 (closed by Indexing, once it is done)
    try:
        command = [str(_executable()), "--site", str(site_dir), "--silent"]
        command += ["--output-path", str(out.resolve())]
        process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=said, stderr=subprocess.STDOUT
        )
    except OSError as e:
        said.close()
        return Indexing(None, out, None, _failed(str(e)), pages)
    return Indexing(process, out, said, pages=pages)


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
    return start_pages(site_dir, keys, output).result()


def start_pages(site_dir: Path, keys: Iterable[str], output: Path) -> Indexing:
    """:func:`index_pages`, started: the pages are copied now, into a temporary folder beside
    ``output``, and Pagefind runs while the caller goes on (a build writes its other files
    meanwhile, on another core). Raises OSError when the pages cannot be copied."""
    pages = tempfile.mkdtemp(dir=output.parent, prefix=".pages-")
    try:
        for key in keys:
            dest = Path(pages, key)
            dest.parent.mkdir(parents=True, exist_ok=True)
            # A copy, not a hard link: linking changes the page's ctime, and the build
            # cache knows a built page by its stat (ctime included).
            shutil.copyfile(site_dir / key, dest)
    except BaseException:
        shutil.rmtree(pages, ignore_errors=True)
        raise
    return _start(Path(pages), output, pages)
