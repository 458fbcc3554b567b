"""An app that polls a public feed while a publish runs, and checks every URL in it.

:class:`FeedWatch` runs a thread that GETs the feed every ~20 ms over HTTP on loopback (the
folder target's ``publisher serve``, or SeaweedFS's public S3 endpoint) and, at every poll,
checks every reference of **every feed it has seen so far**: an app or a CDN may hold any of
them. An enclosure must answer a HEAD with 200 and the ``Content-Length`` the feed's ``length``
says; chapters, transcripts and artwork must answer 200; and a URL must never change its
content (its ``ETag``) once seen. Whatever breaks is collected in :attr:`FeedWatch.broken`,
one line per problem and URL, with the poll it was seen at.

Issue 13's promise: at no moment does an app find a URL in the live (or a cached) feed that
is missing or differs from what the feed says.
"""

from __future__ import annotations

import http.client
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import TracebackType

from lxml import etree

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST = "https://podcastindex.org/namespace/1.0"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
_FAILURES = (urllib.error.URLError, OSError, http.client.HTTPException)


@dataclass(frozen=True)
class Ref:
    """A URL a feed names, and the length it promises (enclosures only)."""

    url: str
    what: str  # "enclosure", "chapters", "transcript", "artwork"
    length: int | None = None


def references(feed: bytes) -> tuple[Ref, ...]:
    """Every URL an app fetches from ``feed``. Raises ``ValueError`` for a feed that is not
    XML (a half-written feed is broken too)."""
    try:
        root = etree.fromstring(feed, _PARSER)
    except etree.XMLSyntaxError as e:
        raise ValueError(f"not XML: {e}") from e
    refs: list[Ref] = []
    for enc in root.iter("enclosure"):
        refs.append(Ref(enc.get("url", ""), "enclosure", int(enc.get("length", "-1"))))
    for el in root.iter(f"{{{PODCAST}}}chapters"):
        refs.append(Ref(el.get("url", ""), "chapters"))
    for el in root.iter(f"{{{PODCAST}}}transcript"):
        refs.append(Ref(el.get("url", ""), "transcript"))
    for el in root.iter(f"{{{ITUNES}}}image"):
        refs.append(Ref(el.get("href", ""), "artwork"))
    for el in root.iterfind("channel/image/url"):
        refs.append(Ref((el.text or "").strip(), "artwork"))
    return tuple(refs)


@dataclass
class FeedWatch:
    """Polls ``feed_url`` every ``interval`` seconds on a thread; a context manager."""

    feed_url: str
    interval: float = 0.02
    timeout: float = 5.0
    polls: int = 0
    feeds: list[bytes] = field(default_factory=list)  # each distinct feed seen, in order
    broken: list[str] = field(default_factory=list)
    refs: dict[str, Ref] = field(default_factory=dict)  # every URL any feed seen named
    etags: dict[str, str] = field(default_factory=dict)  # the ETag first seen per URL
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __enter__(self) -> FeedWatch:
        self._thread = threading.Thread(target=self._run, name="feed-watch", daemon=True)
        self._thread.start()
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop polling after one last complete poll (so the final state is checked too)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=60)
            assert not self._thread.is_alive(), "the feed watch did not stop"
        self.poll()

    def wait_polls(self, n: int) -> None:
        """Block until ``n`` more polls completed (an Event per poll, no sleeping on timers)."""
        target = self.polls + n
        while self.polls < target and self._thread is not None and self._thread.is_alive():
            self._stop.wait(self.interval)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.poll()
            self._stop.wait(self.interval)

    def poll(self) -> None:
        """One poll: GET the feed, learn its references, check every reference known."""
        with self._lock:
            self.polls += 1
            feed = self._get_feed()
            if feed is not None and (not self.feeds or self.feeds[-1] != feed):
                self.feeds.append(feed)
                try:
                    for ref in references(feed):
                        self.refs.setdefault(ref.url, ref)
                except ValueError as e:
                    self._broke(self.feed_url, f"the feed is {e}")
            for ref in list(self.refs.values()):
                self._check(ref)

    def _get_feed(self) -> bytes | None:
        try:
            with urllib.request.urlopen(self.feed_url, timeout=self.timeout) as r:
                data: bytes = r.read()
                return data
        except urllib.error.HTTPError as e:
            e.close()
            if e.code == 404 and not self.feeds:
                return None  # nothing published yet
            self._broke(self.feed_url, f"feed answered {e.code}")
        except _FAILURES as e:
            self._broke(self.feed_url, f"feed unreachable ({e})")
        return None

    def _check(self, ref: Ref) -> None:
        req = urllib.request.Request(ref.url, method="HEAD")
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as r:
                length, etag = r.headers.get("Content-Length"), r.headers.get("ETag")
        except urllib.error.HTTPError as e:
            e.close()
            self._broke(ref.url, f"{ref.what} answered {e.code}")
            return
        except _FAILURES as e:
            self._broke(ref.url, f"{ref.what} unreachable ({e})")
            return
        if ref.length is not None and length != str(ref.length):
            self._broke(ref.url, f"{ref.what} is {length} bytes, a feed says {ref.length}")
        if etag is not None and self.etags.setdefault(ref.url, etag) != etag:
            self._broke(ref.url, f"{ref.what} changed its content (ETag) at a URL a feed names")

    def _broke(self, url: str, problem: str) -> None:
        self.broken.append(f"poll {self.polls}: {url}: {problem}")

    def enclosures(self) -> Iterator[Ref]:
        """The enclosures of every feed seen."""
        return (r for r in self.refs.values() if r.what == "enclosure")
