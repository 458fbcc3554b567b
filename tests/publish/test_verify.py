"""verify(): reach a show as an app would, against small real HTTP servers."""

from __future__ import annotations

import functools
import http.server
import socket
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from publisher import build as builder
from publisher.errors import VerifyError
from publisher.model import Enclosure
from publisher.publish.run import publish
from publisher.publish.verify import manifest_checks, verify
from publisher.serve import make_server
from publisher.stores.local import LocalStore
from tests.support.s3server import Bucket, SeaweedS3, stored_manifest
from tests.support.show import FIXED_NOW, copy_show, media_key
from tests.support.sitebuild import local_target, make_build


class _Handler(http.server.SimpleHTTPRequestHandler):
    """A plain static server: no Range support, feed served as application/xml."""

    extensions_map = {".xml": "application/xml", ".mp3": "audio/mpeg"}

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def static_site(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(_Handler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", root
    finally:
        server.shutdown()
        server.server_close()


def test_verify_reads_enclosures_from_the_feed_and_names_each_failure(
    static_site: tuple[str, Path],
) -> None:
    url, root = static_site
    (root / "ep1.mp3").write_bytes(b"x" * 100)
    (root / "feed.xml").write_text(
        f"<rss version='2.0'><channel><item><enclosure url='{url}ep1.mp3' length='100' "
        f"type='audio/mpeg'/></item><item><enclosure url='{url}gone.mp3' length='5' "
        "type='audio/mpeg'/></item></channel></rss>"
    )
    report = verify(url + "feed.xml", raise_on_failure=False)
    assert [(c.what, c.ok, c.detail) for c in report.checks] == [
        (
            "feed GET",
            False,
            "Content-Type is application/xml, not application/rss+xml (D-07)",
        ),
        ("HEAD", True, "200, 100 bytes"),
        ("range GET", False, "answered 200 OK, not 206 (D-03)"),
        ("HEAD", False, "answered 404 File not found"),
        ("range GET", False, "answered 404 File not found, not 206 (D-03)"),
    ]
    with pytest.raises(VerifyError) as e:
        verify(url + "feed.xml")
    assert str(e.value).startswith(
        f"a podcast app could not reach the show: 4 of 5 checks of {url}feed.xml failed: "
        f"feed GET {url}"
        "feed.xml: Content-Type is application/xml"
    )
    assert str(e.value).endswith(
        "and 1 more (check the target's public_url and that the bucket allows public reads)"
    )


def test_wrong_length_and_unreachable_host() -> None:
    enc = Enclosure("media/a.mp3", "http://127.0.0.1:9/a.mp3", 10, "audio/mpeg")
    report = verify("http://127.0.0.1:9/feed.xml", [enc], raise_on_failure=False, timeout=2)
    assert not report.ok
    assert all(c.detail.startswith("unreachable (") for c in report.checks)


def test_verify_a_published_s3_show(admin_env: SeaweedS3, bucket: Bucket, tmp_path: Path) -> None:
    build = make_build(tmp_path / "site", bucket.target(), {"ep1": 5000, "ep2": 1})
    publish(build, verify=False)
    report = verify(build.target.feed_url, build.enclosures)
    assert report.ok and report.summary() == (
        f"verified {build.target.feed_url}: 5 checks answered as a podcast app needs"
    )
    # Standalone (``publisher verify``): enclosures come from the served feed.
    assert verify(build.target.feed_url).checks == report.checks
    # An enclosure whose length disagrees with the object is named.
    short = Enclosure("media/ep1.mp3", build.enclosures[0].url, 4999, "audio/mpeg")
    bad = verify(build.target.feed_url, [short], raise_on_failure=False)
    assert [c.detail for c in bad.failures] == [
        "Content-Length is 5000, the feed says 4999: a publish was interrupted or the file was "
        "changed elsewhere",
        "Content-Range is 'bytes 0-1/5000', not 'bytes 0-1/4999'",
    ]
    with pytest.raises(VerifyError) as e:
        verify(build.target.feed_url, [short])
    assert "check the public" not in str(e.value) and str(e.value).endswith(
        "(run publish again: it uploads every file that differs from what was published)"
    )


# --- servers that misbehave -----------------------------------------------------------------

BIG = 128 * 1024 * 1024  # an episode's worth; never held in memory on either side


class _IgnoresRange(http.server.BaseHTTPRequestHandler):
    """Answers every GET of the episode with 200 and the whole body, Range or not."""

    sent: list[int]
    done: threading.Event

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_HEAD(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "audio/mpeg")
        self.send_header("Content-Length", str(BIG))
        self.end_headers()

    def do_GET(self) -> None:
        if self.path == "/feed.xml":
            feed = b"<rss version='2.0'><channel/></rss>"
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(feed)))
            self.end_headers()
            self.wfile.write(feed)
            return
        self.do_HEAD()
        chunk, sent = b"\0" * 65536, 0
        try:
            while sent < BIG:
                self.wfile.write(chunk)
                sent += len(chunk)
        except OSError:  # the client hung up
            pass
        finally:
            self.sent.append(sent)
            self.done.set()


def test_range_ignored_fails_without_downloading_the_episode() -> None:
    handler = type("H", (_IgnoresRange,), {"sent": [], "done": threading.Event()})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        enc = Enclosure("media/ep.mp3", url + "ep.mp3", BIG, "audio/mpeg")
        report = verify(url + "feed.xml", [enc], raise_on_failure=False, timeout=10)
        assert [(c.what, c.ok, c.detail) for c in report.checks] == [
            ("feed GET", True, "200, 35 bytes, application/rss+xml"),
            ("HEAD", True, f"200, {BIG} bytes"),
            ("range GET", False, "answered 200 OK, not 206 (D-03)"),
        ]
        assert handler.done.wait(10)
        # Hung up after a few bytes: what was sent is what the socket buffers took.
        assert len(handler.sent) == 1 and handler.sent[0] < BIG // 4
    finally:
        server.shutdown()
        server.server_close()


Replies = dict[str, list[bytes]]


@pytest.fixture
def raw_server() -> Iterator[tuple[str, Replies]]:
    """A TCP server on loopback answering each request with the next of the replies listed
    for its request line's method and path (``"GET /feed.xml"``): bytes sent as they are,
    then the connection is closed; nothing for a request with none left."""
    listener = socket.create_server(("127.0.0.1", 0))
    replies: Replies = {}

    def answer(conn: socket.socket) -> None:
        with conn:
            data = b""
            while b"\r\n\r\n" not in data and (more := conn.recv(4096)):
                data += more
            asked = " ".join(data.split(b"\r\n", 1)[0].decode("latin-1").split(" ")[:2])
            left = replies.get(asked, [])
            conn.sendall(left.pop(0) if left else b"")

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=answer, args=(conn,), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/", replies
    finally:
        listener.close()


def test_answers_that_are_not_http_are_failed_checks(raw_server: tuple[str, Replies]) -> None:
    url, replies = raw_server
    enc = Enclosure("media/ep.mp3", url + "ep.mp3", 100, "audio/mpeg")
    replies["GET /feed.xml"] = [
        b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: 1000\r\n\r\n<rss"
    ]
    replies["HEAD /ep.mp3"] = [b"garbage\r\n\r\n"]  # and the range GET: a hang-up, no word
    report = verify(url + "feed.xml", [enc], raise_on_failure=False, timeout=5)
    assert [(c.what, c.detail) for c in report.checks] == [
        ("feed GET", "the answer was cut short after 4 bytes (IncompleteRead)"),
        ("HEAD", "not a valid HTTP response (BadStatusLine)"),
        ("range GET", "unreachable (Remote end closed connection without response)"),
    ]
    for asked in ("GET /feed.xml", "HEAD /ep.mp3", "GET /ep.mp3"):
        replies[asked] = [b"garbage\r\n\r\n"]
    with pytest.raises(VerifyError) as e:
        verify(url + "feed.xml", [enc], timeout=5)
    assert "\n" not in str(e.value)
    assert str(e.value).startswith(
        f"a podcast app could not reach the show: 3 of 3 checks of {url}feed.xml failed: "
        f"feed GET {url}feed.xml: not a valid HTTP response (BadStatusLine); "
    )


def test_artwork_chapters_and_transcripts_are_checked_too(static_site: tuple[str, Path]) -> None:
    """Item 13: verify checks every URL an app fetches, not only the enclosures."""
    url, root = static_site
    (root / "art.jpg").write_bytes(b"jpeg")
    (root / "ch.json").write_bytes(b"{}")
    (root / "feed.xml").write_text(
        "<rss version='2.0' xmlns:itunes='http://www.itunes.com/dtds/podcast-1.0.dtd' "
        "xmlns:podcast='https://podcastindex.org/namespace/1.0'><channel>"
        f"<itunes:image href='{url}art.jpg'/><item>"
        f"<podcast:chapters url='{url}ch.json' type='application/json+chapters'/>"
        f"<podcast:transcript url='{url}gone.vtt' type='text/vtt'/>"
        "</item></channel></rss>"
    )
    report = verify(url + "feed.xml", raise_on_failure=False)
    assert [(c.url, c.what, c.ok, c.detail) for c in report.checks[1:]] == [
        (f"{url}art.jpg", "HEAD", True, "200"),
        (f"{url}ch.json", "HEAD", True, "200"),
        (f"{url}gone.vtt", "HEAD", False, "answered 404 File not found"),
    ]


def test_same_size_corruption_is_reported_from_the_manifest(tmp_path: Path) -> None:
    """Items 11 and 13: a file changed in place after publishing (same size) fails verify."""
    out = tmp_path / "public"
    build = make_build(tmp_path / "site", local_target(out), {"ep1": 100})
    publish(build)
    store = LocalStore(out)
    assert all(c.ok for c in manifest_checks(store.read_manifest(), store.location))
    (out / "media" / "ep1.mp3").unlink()
    (out / "media" / "ep1.mp3").write_bytes(b"\0" * 100)  # the same size, another file
    (bad,) = (c for c in manifest_checks(store.read_manifest(), store.location) if not c.ok)
    assert bad.url == f"{out}media/ep1.mp3" or bad.url.endswith("media/ep1.mp3")
    assert bad.detail == (
        "changed on the target since it was published (another inode or mtime): "
        "a publish was interrupted or the file was changed elsewhere"
    )
    report = verify("http://127.0.0.1:9/feed.xml", [], published=(bad,), raise_on_failure=False)
    assert bad in report.failures


# --- archive feeds (RFC 5005) ---------------------------------------------------------------


def test_verify_follows_the_archive_feeds_and_checks_their_enclosures(tmp_path: Path) -> None:
    show = copy_show(tmp_path / "show")
    cfg = show / "feed_config.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8") + "feed:\n  max_items: 1\n", encoding="utf-8")
    public = tmp_path / "public"
    public.mkdir()
    server = make_server(public, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        built = builder.build(show, now=FIXED_NOW, target=local_target(public, url))
        publish(built)
        archives = sorted(p.name for p in public.glob("feed-archive-*.xml"))
        assert archives, "the policy made no archive"
        report = verify(url + "feed.xml")
        assert report.ok, report.summary()
        assert [c.url for c in report.checks if c.what == "feed GET"] == [
            url + "feed.xml",
            *(url + name for name in reversed(archives)),
        ]
        media = {c.url for c in report.checks if c.what == "range GET"}
        assert media == {e.url for e in built.enclosures} and len(media) == 3
        oldest = media_key(show, "2026-09-01-imaging-without-pain")
        (public / oldest).unlink()  # its episode is listed only in an archive
        with pytest.raises(VerifyError) as e:
            verify(url + "feed.xml")
        assert f"HEAD {url}{oldest}: answered 404 Not Found" in str(e.value)
    finally:
        server.shutdown()
        server.server_close()


class _HeldFeed(_Handler):
    """Holds the feed's answer until the enclosure has been asked for (or 5 s pass)."""

    extensions_map = {".xml": "application/rss+xml", ".mp3": "audio/mpeg"}
    asked = threading.Event()
    waited: list[bool] = []  # per feed GET: whether the enclosure was asked for meanwhile

    def do_HEAD(self) -> None:
        if self.path.endswith(".mp3"):
            type(self).asked.set()
        super().do_HEAD()

    def do_GET(self) -> None:
        if self.path.endswith("feed.xml"):
            type(self).waited.append(type(self).asked.wait(5))
        super().do_GET()


def test_known_enclosures_are_checked_while_the_feed_downloads(tmp_path: Path) -> None:
    root = tmp_path / "www"
    root.mkdir()
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_HeldFeed, directory=str(root))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    (root / "ep1.mp3").write_bytes(b"x" * 100)
    (root / "feed.xml").write_text(
        f"<rss version='2.0'><channel><item><guid>g</guid><enclosure url='{url}ep1.mp3' "
        "length='100' type='audio/mpeg'/></item></channel></rss>"
    )
    enc = Enclosure("ep1.mp3", url + "ep1.mp3", 100, "audio/mpeg", "g")
    _HeldFeed.asked.clear()
    _HeldFeed.waited.clear()
    try:
        report = verify(url + "feed.xml", [enc], raise_on_failure=False, timeout=10)
    finally:
        server.shutdown()
        server.server_close()
    assert _HeldFeed.waited == [True]  # the HEAD came while the feed was held
    # in order whatever answered first: the feed, then each enclosure's HEAD and range GET
    assert [c.what for c in report.checks] == ["feed GET", "HEAD", "range GET"]
    assert report.checks[0].ok and report.checks[1].ok


class _Forwarding(http.server.BaseHTTPRequestHandler):
    """A public URL in front of the S3 server: forwards GET and HEAD, noting each path."""

    upstream = ""
    asked: list[str] = []
    feed_fetched = threading.Event()

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_HEAD(self) -> None:
        self._forward("HEAD")

    def do_GET(self) -> None:
        self._forward("GET")

    def _forward(self, method: str) -> None:
        type(self).asked.append(f"{method} {self.path}")
        headers = {"Range": self.headers["Range"]} if self.headers["Range"] else {}
        req = urllib.request.Request(self.upstream + self.path, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                status, got, body = resp.status, resp.headers, resp.read()
        except urllib.error.HTTPError as e:
            status, got, body = e.code, e.headers, e.read()
        self.send_response(status)
        for name in ("Content-Type", "Content-Length", "Content-Range", "ETag"):
            if got[name]:
                self.send_header(name, got[name])
        self.end_headers()
        if method == "GET":
            self.wfile.write(body)
            if self.path.endswith("/feed.xml"):
                type(self).feed_fetched.set()


class _ReleaseAfterTheFeedIsFetched:
    """A store that holds the release of its lock until the public feed has been fetched (at
    most 5 s), noting whether it was."""

    def __init__(self, inner: object, fetched: threading.Event) -> None:
        self.inner, self.fetched, self.waited = inner, fetched, list[bool]()

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)

    def delete_lock(self, *args: object) -> bool:
        self.waited.append(self.fetched.wait(5))
        return bool(self.inner.delete_lock(*args))  # type: ignore[attr-defined]


def test_a_publish_verifies_while_it_releases_the_lock(
    admin_env: SeaweedS3, bucket: Bucket, tmp_path: Path
) -> None:
    from publisher.stores.s3 import S3Store

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Forwarding)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Forwarding.upstream, _Forwarding.asked = admin_env.endpoint, []
    _Forwarding.feed_fetched.clear()
    try:
        public = f"http://127.0.0.1:{server.server_address[1]}/{bucket.name}/show/"
        build = make_build(tmp_path / "site", bucket.target(public_url=public), {"ep1": 5000})
        store = _ReleaseAfterTheFeedIsFetched(S3Store(build.target), _Forwarding.feed_fetched)
        report = publish(build, store=store)  # type: ignore[arg-type]
    finally:
        server.shutdown()
        server.server_close()
    assert store.waited == [True]  # the feed was fetched before the lock was given back
    assert report.verification is not None and report.verification.ok
    assert f"GET /{bucket.name}/show/feed.xml" in _Forwarding.asked


def test_a_publish_asks_for_its_feed_as_apps_poll_it_conditionally(
    admin_env: SeaweedS3, bucket: Bucket, tmp_path: Path
) -> None:
    """The feed a publish uploaded is asked for with its ETag (If-None-Match): the server's
    304 says it holds exactly those bytes, and they are not sent again."""
    build = make_build(tmp_path / "site", bucket.target(), {"ep1": 5000, "ep2": 1})
    report = publish(build)
    assert report.verification is not None and report.verification.ok
    (feed,) = [c for c in report.verification.checks if c.what == "feed GET"]
    etag = stored_manifest(bucket)["files"]["feed.xml"].get("etag")
    assert etag is None  # the manifest went up with the feed: its ETag came after
    assert feed.detail.startswith('304 Not Modified: the feed as uploaded (ETag "')
    # the files it names are still checked from the built feed's bytes (the same)
    assert {c.what for c in report.verification.checks} == {"feed GET", "HEAD", "range GET"}
    assert len(report.verification.checks) == 1 + 2 * 2


def test_a_stale_or_unconditional_answer_is_checked_in_full(
    admin_env: SeaweedS3, bucket: Bucket, tmp_path: Path
) -> None:
    """A public URL that does not honour If-None-Match (or serves another version, as a
    cache may) answers 200 with the feed, which is checked as any app's fetch would be."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Forwarding)  # drops it
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Forwarding.upstream, _Forwarding.asked = admin_env.endpoint, []
    try:
        public = f"http://127.0.0.1:{server.server_address[1]}/{bucket.name}/show/"
        build = make_build(tmp_path / "site", bucket.target(public_url=public), {"ep1": 5000})
        report = publish(build)
    finally:
        server.shutdown()
        server.server_close()
    assert report.verification is not None and report.verification.ok
    (feed,) = [c for c in report.verification.checks if c.what == "feed GET"]
    size = (build.site_dir / "feed.xml").stat().st_size
    assert feed.detail == f"200, {size} bytes, application/rss+xml; charset=utf-8"
