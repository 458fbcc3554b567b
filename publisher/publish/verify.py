"""Reach a published show the way a podcast app does (standard library only).

GET the feed (200, ``application/rss+xml``, rule D-07); for every enclosure a HEAD (200,
``Content-Length`` equal to the feed's ``length``) and a ``Range: bytes=0-1`` GET answered
206 with ``Content-Range: bytes 0-1/<length>`` (rule D-03: apps seek and resume by range);
a HEAD of every other URL the feed names (artwork, chapters, transcripts) answered 200.
Checking everything (``publisher verify``, ``publish --verify-all``) follows the feed's RFC 5005
archive feeds (``prev-archive``, from archive to archive) and checks each the same way.
:func:`manifest_checks` adds what the target's manifest says of each published object (its
size and ETag compared with the store's listing, issue 13 item 11).
"""

from __future__ import annotations

import concurrent.futures
import http.client
import urllib.error
import urllib.request
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from email.message import Message
from pathlib import Path

from publisher import interruptible, layout, weburl
from publisher.errors import VerifyError
from publisher.feed.reader import PublishedFeed, read_feed
from publisher.model import Build, Enclosure
from publisher.publish.plan import Manifest, UploadPlan

_USER_AGENT = "publisher-verify/1 (like a podcast app)"
_PEEK = 16  # bytes read of a range answer: a server that ignores Range sends the whole episode

# Everything a request can fail with short of an answer: no connection, a timeout, a bad URL,
# or a reply that is not valid HTTP (garbage status line, body cut short, hang-up).
_NETWORK_ERRORS = (urllib.error.URLError, OSError, ValueError, http.client.HTTPException)
_CHANGED = "a publish was interrupted or the file was changed elsewhere"
_RERUN_HINT = "run publish again: it uploads every file that differs from what was published"
PUBLIC_URL_HINT = "check the target's public_url and that the bucket allows public reads"


@dataclass(frozen=True)
class Check:
    """One request an app would make, and whether it was answered as an app needs."""

    url: str
    what: str  # "feed GET", "HEAD", "range GET"
    ok: bool
    detail: str  # what was answered, e.g. "200, 1234 bytes" or "404 Not Found"


@dataclass(frozen=True)
class Uploaded:
    """The feed a publish has just uploaded: the ETag the store returned, and the built
    file (the same bytes)."""

    etag: str
    path: Path


@dataclass(frozen=True)
class VerifyReport:
    feed_url: str
    checks: tuple[Check, ...]

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def failures(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if not c.ok)

    def summary(self) -> str:
        """One line naming the feed URL checked."""
        n = len(self.checks)
        if self.ok:
            checks = "1 check" if n == 1 else f"{n} checks"
            return f"verified {self.feed_url}: {checks} answered as a podcast app needs"
        return f"{len(self.failures)} of {n} checks of {self.feed_url} failed: " + _describe(
            self.failures
        )

    @property
    def changed_elsewhere(self) -> bool:
        """True when a failure is content that differs from what was published."""
        return any(_CHANGED in c.detail for c in self.failures)

    @property
    def failed_elsewhere(self) -> tuple[Check, ...]:
        """The failures of URLs the target does not serve: an imported episode's audio left
        on the old host (its note's ``enclosure:``, ``import --keep-remote-media``)."""
        return tuple(c for c in self.failures if not _served_by_target(c.url, self.feed_url))

    def hint(self) -> str | None:
        """What to do about the failures: one part for the target's own files (the
        :data:`PUBLIC_URL_HINT`, or re-run publish), one for files on an old host."""
        elsewhere = self.failed_elsewhere
        parts = []
        if len(elsewhere) < len(self.failures):
            parts.append(_RERUN_HINT if self.changed_elsewhere else PUBLIC_URL_HINT)
        if elsewhere:
            hosts = ", ".join(sorted({weburl.host(c.url) or c.url for c in elsewhere}))
            parts.append(
                f"the old host ({hosts}) no longer serves what an imported episode's note names "
                "as its 'enclosure:'; run 'publisher import --update' to take the current URLs "
                "from the old feed, or put the audio in episodes/ (named like its note) and "
                "publish again"
            )
        return "; ".join(parts) or None


def verify(
    feed_url: str,
    enclosures: Sequence[Enclosure] | None = None,
    *,
    timeout: float = 15.0,
    workers: int = 8,
    raise_on_failure: bool = True,
    published: Sequence[Check] = (),
    archives: bool | None = None,
    only: Collection[str] | None = None,
    uploaded: Uploaded | None = None,
) -> VerifyReport:
    """Check the feed, every enclosure and every other URL it names over HTTP, as a podcast
    app would; ``published`` are :func:`manifest_checks`' results, reported with them.

    ``enclosures`` default to those listed in the fetched feed and its archive feeds. With
    ``archives`` (default: when ``enclosures`` is None) the archive feeds the feed links
    (``prev-archive``) are fetched too, and the other URLs they name checked. Raises
    :class:`VerifyError` (one line naming the feed URL and what could not be reached) when a
    check fails, unless ``raise_on_failure`` is False. With ``only``, of the other URLs the
    feeds name only those in it are checked (a publish: the files it uploaded). Enclosures
    given are checked (``workers`` requests at a time) while the feeds download. With
    ``uploaded`` (the feed a publish has just uploaded), the feed is asked for as apps poll
    it, conditionally (``If-None-Match``, RFC 9110): an answer 304 says the server holds
    exactly those bytes (their type was set at the upload), so they are not sent again.
    """
    follow = enclosures is None if archives is None else archives
    if enclosures is None:  # the feeds say which
        checks, enclosures, others = _read_feeds(feed_url, timeout, follow, uploaded)
        checks += _enclosure_checks(enclosures, timeout, workers)
    else:  # known: each HEAD and range GET runs while the feeds download
        with interruptible.meanwhile(_read_feeds, feed_url, timeout, follow, uploaded) as reading:
            known = _enclosure_checks(enclosures, timeout, workers)
            checks, _, others = interruptible.result(reading)
        checks += known
    if only is not None:
        others = tuple(u for u in others if u in only)
    checks.extend(interruptible.map_threads(lambda u: _head_url(u, timeout), others, workers))
    checks.extend(published)
    report = VerifyReport(feed_url, tuple(checks))
    if raise_on_failure and not report.ok:
        raise VerifyError(
            f"a podcast app could not reach the show: {report.summary()}",
            None,
            hint=report.hint(),
        )
    return report


def _read_feeds(
    feed_url: str, timeout: float, follow: bool, uploaded: Uploaded | None = None
) -> tuple[list[Check], tuple[Enclosure, ...], tuple[str, ...]]:
    """GET the feed (and, with ``follow``, its archive feeds, newest first): a check for each,
    the enclosures they list, and the other URLs they name (each once)."""
    checks: list[Check] = []
    enclosures: list[Enclosure] = []
    others: dict[str, None] = {}
    url: str | None = feed_url
    seen: set[str] = set()
    while url is not None and url not in seen:
        seen.add(url)
        check, body = _get_feed(url, timeout, uploaded if url == feed_url else None)
        checks.append(check)
        if body is None:
            break
        feed = _read(body, url)
        enclosures.extend(_enclosures_in(feed))
        others.update(dict.fromkeys(feed.urls))
        url = weburl.join(url, feed.prev_archive) if follow and feed.prev_archive else None
    return checks, tuple(enclosures), tuple(others)


def manifest_checks(manifest: Manifest, location: str) -> tuple[Check, ...]:
    """One check per object the manifest lists: failed when the store found it missing or
    of another size or ETag (a folder: inode or mtime) than was published."""
    return tuple(
        Check(
            location + key,
            "published",
            entry.problem is None,
            "as published" if entry.problem is None else f"{entry.problem}: {_CHANGED}",
        )
        for key, entry in sorted(manifest.items())
    )


class PublishVerification:
    """The check, after a publish to S3, that the feed and what this publish uploaded answer
    from the public URL (every enclosure with ``verify_all``): begun in a thread once the new
    feed is live (:meth:`start`), else when its result is asked for."""

    def __init__(self, build: Build, the_plan: UploadPlan, verify_all: bool) -> None:
        uploaded = {a.key for a in the_plan.uploads}
        base = build.target.public_url
        self._feed_url = build.target.feed_url
        self._feed_path = next((f.path for f in build.files if f.key == layout.FEED_KEY), None)
        self._enclosures = [e for e in build.enclosures if verify_all or e.key in uploaded]
        self._archives = verify_all
        self._only = None if verify_all else {layout.url(base, k) for k in uploaded}
        self._pool: concurrent.futures.ThreadPoolExecutor | None = None
        self._future: concurrent.futures.Future[VerifyReport] | None = None

    def start(self, etag: str | None = None) -> None:
        """Begin, once; ``etag``: the store's for the built feed, now live (the feed is
        then asked for conditionally, see :func:`verify`)."""
        if self._future is None:
            path = self._feed_path
            uploaded = Uploaded(etag, path) if etag and path is not None else None
            self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
            self._future = self._pool.submit(
                verify,
                self._feed_url,
                self._enclosures,
                raise_on_failure=False,
                archives=self._archives,
                only=self._only,
                uploaded=uploaded,
            )

    def result(self) -> VerifyReport:
        self.start()
        assert self._future is not None and self._pool is not None
        try:
            return interruptible.result(self._future)
        finally:
            self._pool.shutdown(wait=False)


# --- requests ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Answer:
    status: int
    reason: str
    headers: Message
    body: bytes


def _request(
    url: str,
    method: str,
    timeout: float,
    headers: dict[str, str] | None = None,
    *,
    limit: int | None = None,
) -> _Answer:
    """One request; reads at most ``limit`` bytes of a GET's body (None: all of it), then
    closes the connection without reading the rest."""
    req = urllib.request.Request(
        url, method=method, headers={"User-Agent": _USER_AGENT, **(headers or {})}
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            body = b""
            if method == "GET":
                body = resp.read() if limit is None else resp.read(limit)
            return _Answer(resp.status, resp.reason, resp.headers, body)
    except urllib.error.HTTPError as e:
        e.close()  # its body (an error page, or a whole episode) is never read
        return _Answer(e.code, str(e.reason), e.headers, b"")


def _get_feed(url: str, timeout: float, uploaded: Uploaded | None) -> tuple[Check, bytes | None]:
    asked = {"If-None-Match": uploaded.etag} if uploaded is not None else None
    try:
        a = _request(url, "GET", timeout, asked)
    except _NETWORK_ERRORS as e:
        return Check(url, "feed GET", False, _unreachable(e)), None
    if uploaded is not None and a.status == 304:
        detail = f"304 Not Modified: the feed as uploaded (ETag {uploaded.etag})"
        return Check(url, "feed GET", True, detail), uploaded.path.read_bytes()
    ctype = a.headers.get("Content-Type", "")
    if a.status != 200:
        return Check(url, "feed GET", False, f"answered {a.status} {a.reason}"), None
    if not ctype.lower().startswith(layout.FEED_TYPE):
        detail = f"Content-Type is {ctype or 'missing'}, not {layout.FEED_TYPE} (D-07)"
        return Check(url, "feed GET", False, detail), a.body
    return Check(url, "feed GET", True, f"200, {len(a.body)} bytes, {ctype}"), a.body


def _enclosure_checks(enclosures: Sequence[Enclosure], timeout: float, workers: int) -> list[Check]:
    """The HEAD and the range GET of each enclosure, in that order, ``workers`` at a time."""
    asks = [(ask, enc) for enc in enclosures for ask in (_head, _range)]
    return list(interruptible.map_threads(lambda a: a[0](a[1], timeout), asks, workers))


def _head(enc: Enclosure, timeout: float) -> Check:
    try:
        a = _request(enc.url, "HEAD", timeout)
    except _NETWORK_ERRORS as e:
        return Check(enc.url, "HEAD", False, _unreachable(e))
    if a.status != 200:
        return Check(enc.url, "HEAD", False, f"answered {a.status} {a.reason}")
    length = a.headers.get("Content-Length")
    if length is None:
        return Check(enc.url, "HEAD", False, f"no Content-Length, the feed says {enc.length}")
    if length != str(enc.length):
        return Check(
            enc.url,
            "HEAD",
            False,
            f"Content-Length is {length}, the feed says {enc.length}: {_CHANGED}",
        )
    return Check(enc.url, "HEAD", True, f"200, {length} bytes")


def _head_url(url: str, timeout: float) -> Check:
    """Artwork, chapters or a transcript the feed names: answered 200."""
    try:
        a = _request(url, "HEAD", timeout)
    except _NETWORK_ERRORS as e:
        return Check(url, "HEAD", False, _unreachable(e))
    if a.status != 200:
        return Check(url, "HEAD", False, f"answered {a.status} {a.reason}")
    return Check(url, "HEAD", True, "200")


def _range(enc: Enclosure, timeout: float) -> Check:
    try:
        a = _request(enc.url, "GET", timeout, {"Range": "bytes=0-1"}, limit=_PEEK)
    except _NETWORK_ERRORS as e:
        return Check(enc.url, "range GET", False, _unreachable(e))
    want = f"bytes 0-1/{enc.length}" if enc.length >= 2 else None
    got = a.headers.get("Content-Range")
    if a.status != 206:
        return Check(enc.url, "range GET", False, f"answered {a.status} {a.reason}, not 206 (D-03)")
    if want is not None and got != want:
        return Check(enc.url, "range GET", False, f"Content-Range is {got!r}, not {want!r}")
    return Check(enc.url, "range GET", True, f"206, {got}")


def _read(body: bytes, feed_url: str) -> PublishedFeed:
    try:
        return read_feed(body)
    except ValueError as e:
        raise VerifyError(f"the feed at {feed_url} is {e}") from e


def _enclosures_in(feed: PublishedFeed) -> tuple[Enclosure, ...]:
    return tuple(
        Enclosure(
            key="", url=i.enclosure.url, length=i.enclosure.length, mime_type=i.enclosure.type
        )
        for i in feed.items
        if i.enclosure is not None and i.enclosure.length is not None
    )


def _unreachable(e: BaseException) -> str:
    if isinstance(e, http.client.IncompleteRead):
        return f"the answer was cut short after {len(e.partial)} bytes (IncompleteRead)"
    if isinstance(e, http.client.HTTPException) and not isinstance(e, OSError):
        # The text of BadStatusLine and the like is whatever the server sent: not repeated.
        return f"not a valid HTTP response ({type(e).__name__})"
    reason = e.reason if isinstance(e, urllib.error.URLError) else e
    return f"unreachable ({reason})"


def _served_by_target(url: str, feed_url: str) -> bool:
    """True when ``url`` is in the feed's folder on the target, also behind a measurement
    prefix (``enclosure_prefix``: the URL follows it without its scheme)."""
    folder = weburl.join(feed_url, ".") or feed_url
    return folder.partition("://")[2] in url


def _describe(failures: Sequence[Check], limit: int = 3) -> str:
    parts = [f"{c.what} {c.url}: {c.detail}" for c in failures[:limit]]
    if len(failures) > limit:
        parts.append(f"and {len(failures) - limit} more")
    return "; ".join(parts)
