"""A real HTTP server on loopback for the import tests: feeds, media (with Range), images,
redirects, and responses cut off midway, with a log of every request it answered."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

_RANGE = re.compile(r"bytes=(\d+)-(\d*)$")


@dataclass
class Route:
    body: bytes = b""
    content_type: str = "application/octet-stream"
    redirect: str | None = None  # a path or URL answered with 302
    cut_after: int | None = None  # send only this many bytes of a full (200) answer, then hang up
    cuts_left: int = 0  # how many answers are cut so
    status: int = 200  # e.g. 404, 500: the route always fails


@dataclass
class Server:
    """Routes by path; ``base`` is ``http://127.0.0.1:PORT``."""

    routes: dict[str, Route] = field(default_factory=dict)
    folders: dict[str, Path] = field(default_factory=dict)  # URL prefix -> folder
    log: list[tuple[str, str, str | None]] = field(default_factory=list)  # method, path, Range
    base: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, path: str, body: bytes, content_type: str = "application/octet-stream") -> str:
        """Serve ``body`` at ``path``; returns its absolute URL."""
        self.routes[path] = Route(body, content_type)
        return self.base + path

    def url(self, path: str) -> str:
        return self.base + path

    def requests(self, path: str) -> list[tuple[str, str, str | None]]:
        with self.lock:
            return [r for r in self.log if r[1] == path]

    def find(self, path: str) -> Route | None:
        if path in self.routes:
            return self.routes[path]
        for prefix, folder in self.folders.items():
            if path.startswith(prefix):
                file = (folder / unquote(path[len(prefix) :])).resolve()
                if file.is_file() and file.is_relative_to(folder.resolve()):
                    return Route(file.read_bytes(), _type(file.name))
        return None


def _type(name: str) -> str:
    for ext, ctype in (
        (".xml", "application/rss+xml; charset=utf-8"),
        (".mp3", "audio/mpeg"),
        (".m4a", "audio/x-m4a"),
        (".jpg", "image/jpeg"),
        (".png", "image/png"),
        (".json", "application/json"),
        (".vtt", "text/vtt"),
        (".html", "text/html; charset=utf-8"),
    ):
        if name.endswith(ext):
            return ctype
    return "application/octet-stream"


def _handler(server: Server) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_HEAD(self) -> None:
            self._answer(head=True)

        def do_GET(self) -> None:
            self._answer(head=False)

        def _answer(self, head: bool) -> None:
            path = urlsplit(self.path).path
            wanted = self.headers.get("Range")
            with server.lock:
                server.log.append((self.command, path, wanted))
                route = server.find(path)
                cut = None
                if route is not None and route.cuts_left > 0 and not head:
                    route.cuts_left -= 1
                    cut = route.cut_after
            if route is None:
                self.send_error(404)
                return
            if route.redirect is not None:
                self.send_response(302)
                self.send_header("Location", route.redirect)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if route.status != 200:
                self.send_error(route.status)
                return
            body, status = route.body, 200
            start, end = 0, len(body) - 1
            m = _RANGE.match(wanted or "")
            if m:
                start = int(m.group(1))
                end = int(m.group(2)) if m.group(2) else len(body) - 1
                if start >= len(body):
                    self.send_response(416)
                    self.send_header("Content-Range", f"bytes */{len(body)}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                status = 206
            part = body[start : end + 1]
            self.send_response(status)
            self.send_header("Content-Type", route.content_type)
            self.send_header("Accept-Ranges", "bytes")
            self.send_header("Content-Length", str(len(part)))
            if status == 206:
                self.send_header("Content-Range", f"bytes {start}-{end}/{len(body)}")
            self.end_headers()
            if head:
                return
            self.wfile.write(part if cut is None else part[:cut])
            self.wfile.flush()
            self.close_connection = True

    return Handler


@contextmanager
def serving() -> Iterator[Server]:
    """A started server on 127.0.0.1 (a free port), stopped afterwards."""
    state = Server()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    httpd.daemon_threads = True
    state.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
