"""Download an imported show's files: several at a time, resumable, verified.

Only ``http`` and ``https`` (redirects included). Each file is written to ``<name>.part``
first and renamed when complete; an interrupted transfer resumes with an HTTP ``Range``
request, in the same run (a few tries) or the next one. A file is complete when its size is
the length the server reported (``Content-Length``, or the total of ``Content-Range``).
A failed download is named in its result and the others continue. Progress is reported as
events (bytes, rate, time left); the library never prints.
"""

from __future__ import annotations

import http.client
import re
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from publisher import __version__, interruptible, weburl
from publisher.errors import PublisherError
from publisher.importer.model import Fetch

USER_AGENT = f"publisher/{__version__} (podcast import)"
MAX_FEED_BYTES = 50_000_000  # a feed larger than this is not a podcast feed
_CHUNK = 64 * 1024
_TRIES = 4
_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+|\*)")


@dataclass(frozen=True)
class Started:
    fetch: Fetch
    index: int  # 1-based
    total: int  # files in this run


@dataclass(frozen=True)
class Progress:
    """All transfers together: bytes so far, of ``total_bytes`` known so far."""

    done_bytes: int
    total_bytes: int
    rate: float  # bytes per second since the run started
    seconds_left: float | None


@dataclass(frozen=True)
class Done:
    fetch: Fetch
    size: int
    resumed: bool  # continued a partial file with a Range request


@dataclass(frozen=True)
class Failed:
    fetch: Fetch
    reason: str


Event = Started | Progress | Done | Failed


@dataclass(frozen=True)
class Result:
    fetch: Fetch
    path: Path | None  # None: failed
    size: int = 0
    content_type: str = ""
    error: str | None = None
    resumed: bool = False


class _Refused(Exception):
    pass


class _SafeRedirects(urllib.request.HTTPRedirectHandler):
    """Redirects to http(s) only, named in our words (urllib also allows ftp)."""

    def http_error_302(self, req: Any, fp: Any, code: int, msg: str, headers: Any) -> Any:
        href = headers.get("location") or headers.get("uri") or ""
        target = weburl.join(req.full_url, href) or href
        if weburl.scheme(target) not in ("http", "https"):
            raise _Refused(f"redirected to a non-http(s) URL: {target}")
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


def _opener() -> urllib.request.OpenerDirector:
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.HTTPHandler(),
        urllib.request.HTTPSHandler(),
        _SafeRedirects(),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


def _request(url: str, headers: dict[str, str] | None = None, method: str = "GET") -> Any:
    if weburl.scheme(url) not in ("http", "https"):
        raise _Refused(f"not an http(s) URL: {url}")
    request = urllib.request.Request(
        url, headers={"User-Agent": USER_AGENT, **(headers or {})}, method=method
    )
    return _opener().open(request, timeout=30)


def fetch_bytes(url: str) -> bytes:
    """GET ``url`` (http/https only), at most 50 MB. Raises PublisherError in one line."""
    try:
        with _request(url) as response:
            data: bytes = response.read(MAX_FEED_BYTES + 1)
    except (OSError, http.client.HTTPException, _Refused) as e:
        raise PublisherError(f"cannot fetch {url}: {_reason(e)}") from None
    if len(data) > MAX_FEED_BYTES:
        raise PublisherError(f"{url} is over 50 MB: not a podcast feed")
    return data


def content_length(url: str) -> int | None:
    """The size the server reports for ``url`` (HEAD), or None."""
    try:
        with _request(url, method="HEAD") as response:
            length = response.headers.get("Content-Length")
    except (OSError, http.client.HTTPException, _Refused):
        return None
    return int(length) if length and length.isdigit() and int(length) > 0 else None


def download_all(
    fetches: Sequence[Fetch],
    root: Path,
    *,
    workers: int = 4,
    events: Callable[[Event], None] | None = None,
) -> tuple[Result, ...]:
    """Download each fetch to ``root/fetch.dest`` (never outside ``root``); results in order."""
    run = _Run(len(fetches), events or (lambda e: None))
    numbered = enumerate(fetches, start=1)
    return tuple(interruptible.map_threads(lambda n: run.one(n[1], n[0], root), numbered, workers))


class _Run:
    """Shared progress of the transfers of one run."""

    def __init__(self, total: int, emit: Callable[[Event], None]) -> None:
        self.total, self._emit = total, emit
        self.lock = threading.Lock()
        self.started = time.monotonic()
        self.done_bytes = 0
        self.known_bytes = 0
        self.sized: set[str] = set()  # destinations whose total is counted in known_bytes

    def emit(self, event: Event) -> None:
        with self.lock:
            self._emit(event)

    def add(self, done: int = 0, known: int = 0) -> None:
        with self.lock:
            self.done_bytes += done
            self.known_bytes += known
            elapsed = max(time.monotonic() - self.started, 1e-6)
            rate = self.done_bytes / elapsed
            left = max(self.known_bytes - self.done_bytes, 0)
            self._emit(
                Progress(self.done_bytes, self.known_bytes, rate, left / rate if rate else None)
            )

    def one(self, fetch: Fetch, index: int, root: Path) -> Result:
        self.emit(Started(fetch, index, self.total))
        dest = (root / fetch.dest).resolve()
        if not dest.is_relative_to(root.resolve()):
            return self._failed(fetch, "its file would lie outside the show folder")
        dest.parent.mkdir(parents=True, exist_ok=True)
        part = dest.with_name(dest.name + ".part")
        resumed = part.exists() and part.stat().st_size > 0
        error = "no answer"
        for _ in range(_TRIES):
            try:
                size, ctype = self._transfer(fetch, part)
            except _Refused as e:
                return self._failed(fetch, str(e))
            except urllib.error.HTTPError as e:
                if e.code == 416:  # our partial file is longer than the file: start again
                    part.unlink(missing_ok=True)
                    error = "HTTP 416"
                    continue
                return self._failed(fetch, f"HTTP {e.code} {e.reason}")
            except (OSError, http.client.HTTPException) as e:
                error = _reason(e)
                resumed = resumed or (part.exists() and part.stat().st_size > 0)
                continue
            part.replace(dest)
            self.emit(Done(fetch, size, resumed))
            return Result(fetch, dest, size, ctype, None, resumed)
        kept = part.stat().st_size if part.exists() else 0
        note = f"; {kept} bytes kept, a rerun resumes" if kept else ""
        return self._failed(fetch, error + note)

    def _failed(self, fetch: Fetch, reason: str) -> Result:
        self.emit(Failed(fetch, reason))
        return Result(fetch, None, error=reason)

    def _transfer(self, fetch: Fetch, part: Path) -> tuple[int, str]:
        """Fetch ``url`` into ``part``, resuming it; the size and Content-Type when complete.

        Raises OSError (or HTTPException) when the transfer stops short; ``part`` keeps what
        arrived.
        """
        have = part.stat().st_size if part.exists() else 0
        headers = {"Range": f"bytes={have}-"} if have else {}
        with _request(fetch.url, headers) as response:
            ctype = response.headers.get("Content-Type", "")
            total: int | None
            if response.status == 206:
                m = _CONTENT_RANGE.match(response.headers.get("Content-Range", ""))
                if m is None or int(m.group(1)) != have:
                    raise ConnectionError("the server answered the wrong range")
                total = int(m.group(3)) if m.group(3) != "*" else None
                mode = "ab"
            else:
                length = response.headers.get("Content-Length")
                total = int(length) if length and length.isdigit() else None
                have, mode = 0, "wb"
            if fetch.dest not in self.sized:
                self.sized.add(fetch.dest)
                self.add(known=(total or 0) - have)
            with part.open(mode) as out:
                while chunk := response.read(_CHUNK):
                    out.write(chunk)
                    self.add(done=len(chunk))
        size = part.stat().st_size
        if total is not None and size != total:
            raise ConnectionError(f"got {size} of {total} bytes")
        return size, ctype


def _reason(e: BaseException) -> str:
    if isinstance(e, urllib.error.HTTPError):
        return f"HTTP {e.code} {e.reason}"
    if isinstance(e, urllib.error.URLError):
        return str(e.reason)
    if isinstance(e, socket.timeout | TimeoutError):
        return "timed out"
    if isinstance(e, http.client.IncompleteRead):
        return "the connection closed early"
    return str(e) or type(e).__name__
