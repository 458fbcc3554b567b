"""A real HTTP receiver on loopback that records the pings it gets (a WebSub hub, a
publish-notify endpoint) and answers with a chosen status."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Receiver:
    """What the receiver got: (method, path, form or query fields) per request."""

    url: str
    status: int = 204
    received: list[tuple[str, str, dict[str, list[str]]]] = field(default_factory=list)


@contextmanager
def receiver(status: int = 204, path: str = "/hub") -> Iterator[Receiver]:
    """A receiver at ``http://127.0.0.1:<port><path>`` answering ``status``; stopped after."""
    got = Receiver("", status)

    class Handler(BaseHTTPRequestHandler):
        def _record(self, body: bytes) -> None:
            parts = urlsplit(self.path)
            fields = parse_qs(body.decode() if body else parts.query)
            got.received.append((self.command, parts.path, fields))
            self.send_response(got.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            length = int(self.headers.get("Content-Length") or 0)
            self._record(self.rfile.read(length))

        def do_GET(self) -> None:  # noqa: N802
            self._record(b"")

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    got.url = f"http://127.0.0.1:{server.server_address[1]}{path}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield got
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
