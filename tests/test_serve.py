"""``publisher serve`` over real HTTP on a loopback port: files, ranges, types, refusals."""

from __future__ import annotations

import http.client
import os
import socket
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

from publisher.errors import PublisherError
from publisher.serve import make_server, parse_range

MEDIA = bytes(range(256)) * 40  # 10,240 bytes, every offset distinguishable


@pytest.fixture(scope="module")
def public(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("public")
    (root / "index.html").write_text("<!doctype html><title>Show</title>\n", encoding="utf-8")
    (root / "feed.xml").write_bytes(b"<?xml version='1.0'?><rss version='2.0'/>\n")
    (root / "style.css").write_bytes(b"body{}\n")
    (root / "episodes").mkdir()
    (root / "episodes" / "ep1.html").write_bytes(b"<!doctype html><title>Ep 1</title>\n")
    (root / "media").mkdir()
    (root / "media" / "ep1.mp3").write_bytes(MEDIA)
    (root / "media" / "ep1.m4a").write_bytes(b"m4a")
    (root / "media" / "ep1.vtt").write_bytes(b"WEBVTT\n")
    (root / "media" / "ep1.srt").write_bytes(b"1\n")
    (root / "media" / "ep1.chapters.json").write_bytes(b"{}")
    (root / "media" / "empty.mp3").write_bytes(b"")
    (root / "artwork").mkdir()
    (root / "artwork" / "cover.jpg").write_bytes(b"\xff\xd8\xff")
    (root / "artwork" / "cover.png").write_bytes(b"\x89PNG")
    (root / "nolisting").mkdir()
    (root / "nolisting" / "a.txt").write_bytes(b"a")
    (root / ".publisher").mkdir()
    (root / ".publisher" / "manifest.json").write_bytes(b'{"secret": true}')
    outside = tmp_path_factory.mktemp("outside")
    (outside / "secret.txt").write_bytes(b"secret")
    os.symlink(outside / "secret.txt", root / "leak.txt")
    os.symlink(outside, root / "leakdir")
    os.symlink(root / ".publisher", root / "manifest-link")
    os.symlink(root / "media" / "ep1.mp3", root / "alias.mp3")  # inside: served
    return root


@pytest.fixture(scope="module")
def server(public: Path) -> Iterator[ThreadingHTTPServer]:
    srv = make_server(public, "127.0.0.1", 0)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()
    thread.join(5)


def request(
    server: ThreadingHTTPServer, path: str, method: str = "GET", **headers: str
) -> tuple[http.client.HTTPResponse, bytes]:
    host, port = server.server_address[:2]
    conn = http.client.HTTPConnection(str(host), int(port), timeout=5)
    try:
        # http.client sends the path as given: "..", "%2e%2e" reach the server unchanged
        conn.request(method, path, headers={k.replace("_", "-"): v for k, v in headers.items()})
        response = conn.getresponse()
        body = response.read()
        return response, body
    finally:
        conn.close()


# --- files and types --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/feed.xml", "application/rss+xml; charset=utf-8"),
        ("/index.html", "text/html; charset=utf-8"),
        ("/episodes/ep1.html", "text/html; charset=utf-8"),
        ("/style.css", "text/css; charset=utf-8"),
        ("/media/ep1.mp3", "audio/mpeg"),
        ("/media/ep1.m4a", "audio/x-m4a"),
        ("/media/ep1.vtt", "text/vtt; charset=utf-8"),
        ("/media/ep1.srt", "application/x-subrip; charset=utf-8"),  # as build publishes it
        ("/media/ep1.chapters.json", "application/json"),
        ("/artwork/cover.jpg", "image/jpeg"),
        ("/artwork/cover.png", "image/png"),
    ],
)
def test_content_types(server: ThreadingHTTPServer, path: str, content_type: str) -> None:
    response, _ = request(server, path)
    assert response.status == 200
    assert response.getheader("Content-Type") == content_type
    assert response.getheader("Accept-Ranges") == "bytes"


def test_get_whole_file(server: ThreadingHTTPServer) -> None:
    response, body = request(server, "/media/ep1.mp3")
    assert response.status == 200
    assert body == MEDIA
    assert response.getheader("Content-Length") == str(len(MEDIA))
    assert response.getheader("Content-Range") is None


def test_head_has_headers_and_no_body(server: ThreadingHTTPServer) -> None:
    response, body = request(server, "/media/ep1.mp3", "HEAD")
    assert response.status == 200
    assert body == b""
    assert response.getheader("Content-Length") == str(len(MEDIA))
    assert response.getheader("Content-Type") == "audio/mpeg"
    assert response.getheader("Accept-Ranges") == "bytes"


def test_folder_serves_its_index_and_root_is_index(server: ThreadingHTTPServer) -> None:
    response, body = request(server, "/")
    assert response.status == 200
    assert body.startswith(b"<!doctype html><title>Show</title>")
    assert response.getheader("Content-Type") == "text/html; charset=utf-8"


def test_folder_without_slash_redirects(server: ThreadingHTTPServer) -> None:
    response, _ = request(server, "/episodes")
    assert response.status == 301
    assert response.getheader("Location") == "/episodes/"


def test_no_directory_listing(server: ThreadingHTTPServer) -> None:
    response, body = request(server, "/nolisting/")
    assert response.status == 404
    assert b"a.txt" not in body


def test_missing_file_is_404(server: ThreadingHTTPServer) -> None:
    response, _ = request(server, "/media/nope.mp3")
    assert response.status == 404


def test_query_string_is_ignored(server: ThreadingHTTPServer) -> None:
    response, body = request(server, "/style.css?v=0123456789")
    assert response.status == 200
    assert body == b"body{}\n"


def test_etag_revalidation(server: ThreadingHTTPServer) -> None:
    first, _ = request(server, "/style.css")
    etag = first.getheader("ETag")
    assert etag
    again, body = request(server, "/style.css", If_None_Match=etag)
    assert again.status == 304
    assert body == b""


# --- ranges -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [
        ("bytes=0-99", 0, 99),
        ("bytes=100-", 100, len(MEDIA) - 1),
        ("bytes=-100", len(MEDIA) - 100, len(MEDIA) - 1),
        ("bytes=10000-99999", 10000, len(MEDIA) - 1),  # last past the end is clipped
        ("bytes=-99999", 0, len(MEDIA) - 1),  # suffix longer than the file: all of it
        ("bytes=0-0", 0, 0),
    ],
)
def test_range_gives_206_with_exact_bytes(
    server: ThreadingHTTPServer, header: str, first: int, last: int
) -> None:
    response, body = request(server, "/media/ep1.mp3", Range=header)
    assert response.status == 206
    assert response.getheader("Content-Range") == f"bytes {first}-{last}/{len(MEDIA)}"
    assert response.getheader("Content-Length") == str(last - first + 1)
    assert response.getheader("Accept-Ranges") == "bytes"
    assert response.getheader("Content-Type") == "audio/mpeg"
    assert body == MEDIA[first : last + 1]


def test_head_with_range(server: ThreadingHTTPServer) -> None:
    response, body = request(server, "/media/ep1.mp3", "HEAD", Range="bytes=0-1")
    assert response.status == 206
    assert response.getheader("Content-Range") == f"bytes 0-1/{len(MEDIA)}"
    assert body == b""


@pytest.mark.parametrize("header", ["bytes=10240-", "bytes=99999-100000", "bytes=-0"])
def test_unsatisfiable_range_is_416(server: ThreadingHTTPServer, header: str) -> None:
    response, body = request(server, "/media/ep1.mp3", Range=header)
    assert response.status == 416
    assert response.getheader("Content-Range") == f"bytes */{len(MEDIA)}"
    assert body == b""


def test_any_range_of_an_empty_file_is_416(server: ThreadingHTTPServer) -> None:
    response, _ = request(server, "/media/empty.mp3", Range="bytes=0-")
    assert response.status == 416
    assert response.getheader("Content-Range") == "bytes */0"


@pytest.mark.parametrize("header", ["bytes=0-1,4-5", "items=0-1", "bytes=5-1", "bytes=-", "junk"])
def test_ranges_we_do_not_serve_give_the_whole_file(
    server: ThreadingHTTPServer, header: str
) -> None:
    response, body = request(server, "/media/ep1.mp3", Range=header)
    assert response.status == 200
    assert body == MEDIA


def test_if_range_with_an_old_etag_gives_the_whole_file(server: ThreadingHTTPServer) -> None:
    response, body = request(server, "/media/ep1.mp3", Range="bytes=0-1", If_Range='"old"')
    assert response.status == 200
    assert body == MEDIA
    current = response.getheader("ETag")
    assert current
    response, body = request(server, "/media/ep1.mp3", Range="bytes=0-1", If_Range=current)
    assert response.status == 206
    assert body == MEDIA[:2]


def test_parse_range() -> None:
    assert parse_range("bytes=0-", 10) == (0, 9)
    assert parse_range("bytes=2-3", 10) == (2, 3)
    assert parse_range("bytes=-3", 10) == (7, 9)
    assert parse_range("bytes=0-1,2-3", 10) is None
    with pytest.raises(ValueError):
        parse_range("bytes=10-", 10)


# --- what is never served ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/../outside/secret.txt",
        "/media/../../secret.txt",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/media/%2E%2E/%2E%2E/etc/passwd",
        "/..%2f..%2fetc%2fpasswd",
        "/media/..%5c..%5cetc%5cpasswd",
        "/leak.txt",
        "/leakdir/secret.txt",
        "/.publisher/manifest.json",
        "/.publisher/",
        "/%2epublisher/manifest.json",
        "/manifest-link/manifest.json",
        "/media/ep1.mp3%00.html",
        "/%ff%fe",
        "//etc/passwd",
        "/feed.xml/",
    ],
)
def test_never_serves_outside_the_root_or_hidden_files(
    server: ThreadingHTTPServer, path: str
) -> None:
    response, body = request(server, path)
    assert response.status in (403, 404)
    assert b"secret" not in body
    assert b"root:" not in body


def test_symlink_inside_the_root_is_served(server: ThreadingHTTPServer) -> None:
    response, body = request(server, "/alias.mp3")
    assert response.status == 200
    assert body == MEDIA


def test_other_methods_are_refused(server: ThreadingHTTPServer) -> None:
    response, _ = request(server, "/index.html", "POST")
    assert response.status == 501
    response, _ = request(server, "/index.html", "PUT")
    assert response.status == 501


def test_server_survives_a_client_that_hangs_up(server: ThreadingHTTPServer) -> None:
    host, port = server.server_address[:2]
    with socket.create_connection((str(host), int(port)), timeout=5) as sock:
        sock.sendall(b"GET /media/ep1.mp3 HTTP/1.1\r\nHost: x\r\n\r\n")
        sock.recv(10)
    response, body = request(server, "/media/ep1.mp3")
    assert response.status == 200
    assert body == MEDIA


# --- errors -----------------------------------------------------------------------------------


def test_missing_root_is_a_publisher_error(tmp_path: Path) -> None:
    with pytest.raises(PublisherError) as info:
        make_server(tmp_path / "public", "127.0.0.1", 0)
    assert str(info.value).endswith(
        "public: nothing to serve: the folder does not exist "
        "(publish the show to the local target first)"
    )


def test_port_in_use_is_a_publisher_error(server: ThreadingHTTPServer, public: Path) -> None:
    port = int(server.server_address[1])
    with pytest.raises(PublisherError) as info:
        make_server(public, "127.0.0.1", port)
    assert str(info.value).startswith(f"cannot serve at 127.0.0.1:{port}: ")
    assert str(info.value).endswith("(choose another port with --port)")


def test_published_types_stay_consistent_under_concurrent_requests(tmp_path: Path) -> None:
    # Request threads share the manifest's types: each answer is the old or the new type,
    # never a mix of one manifest's stamp with another's (or no) types.
    from publisher.publish.plan import ManifestEntry, manifest_to_json
    from publisher.stores.base import MANIFEST_KEY

    (tmp_path / ".publisher").mkdir()
    (tmp_path / "ch.json").write_bytes(b"{}")

    def manifest(ctype: str) -> bytes:
        return manifest_to_json({"ch.json": ManifestEntry("0" * 64, 2, "asset", ctype)})

    srv = make_server(tmp_path, "127.0.0.1", 0)
    try:
        types = ("application/json+chapters", "text/vtt")
        seen: set[str] = set()
        errors: list[BaseException] = []

        def ask() -> None:
            try:
                for _ in range(200):
                    seen.add(srv.published_type(tmp_path / "ch.json"))  # type: ignore[attr-defined]
            except BaseException as e:  # noqa: BLE001 - reported below
                errors.append(e)

        for ctype in types * 3:
            (tmp_path / MANIFEST_KEY).write_bytes(manifest(ctype))
            threads = [threading.Thread(target=ask) for _ in range(8)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert srv.published_type(tmp_path / "ch.json") == ctype  # type: ignore[attr-defined]
        assert errors == [] and seen <= set(types)
    finally:
        srv.server_close()


# --- the site's own 404 page ------------------------------------------------------------------

NOT_FOUND_PAGE = b"<!doctype html><title>Not found - Show</title><p>No such page.\n"


@pytest.fixture(scope="module")
def site_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ThreadingHTTPServer]:
    root = tmp_path_factory.mktemp("site404")
    (root / "index.html").write_bytes(b"<!doctype html><title>Show</title>\n")
    (root / "404.html").write_bytes(NOT_FOUND_PAGE)
    (root / "nolisting").mkdir()
    (root / "nolisting" / "a.txt").write_bytes(b"a")
    srv = make_server(root, "127.0.0.1", 0)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()
    thread.join(5)


@pytest.mark.parametrize("path", ["/episodes/nope.html", "/nolisting/", "/.publisher/x", "/a/b/"])
def test_missing_path_gets_the_sites_404_page(site_server: ThreadingHTTPServer, path: str) -> None:
    response, body = request(site_server, path)
    assert response.status == 404
    assert body == NOT_FOUND_PAGE
    assert response.getheader("Content-Type") == "text/html; charset=utf-8"
    assert response.getheader("Content-Length") == str(len(NOT_FOUND_PAGE))


def test_head_of_a_missing_path_has_no_body(site_server: ThreadingHTTPServer) -> None:
    response, body = request(site_server, "/nope.mp3", "HEAD")
    assert response.status == 404
    assert body == b""
    assert response.getheader("Content-Length") == str(len(NOT_FOUND_PAGE))


def test_without_a_404_page_the_stdlib_page_is_sent(server: ThreadingHTTPServer) -> None:
    response, body = request(server, "/media/nope.mp3")
    assert response.status == 404
    assert b"Error response" in body
    assert response.getheader("Content-Type") == "text/html;charset=utf-8"
