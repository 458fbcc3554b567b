"""Network faults on loopback for the store tests: a server that never answers, and an HTTP
proxy that cuts chosen responses inside their headers or their body."""

from __future__ import annotations

import contextlib
import socket
import threading
from dataclasses import dataclass


class SilentServer:
    """Accepts TCP connections on 127.0.0.1, reads whatever is sent, never answers (a
    storage server that is frozen, not dead)."""

    def __init__(self) -> None:
        self._server = socket.socket()
        self._server.bind(("127.0.0.1", 0))
        self._server.listen(64)
        self.port: int = self._server.getsockname()[1]
        self.accepted = 0
        self._conns: list[socket.socket] = []
        self._closed = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            self.accepted += 1
            self._conns.append(conn)
            threading.Thread(target=self._drain, args=(conn,), daemon=True).start()

    def _drain(self, conn: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while conn.recv(65536):
                pass

    def close(self) -> None:
        self._closed.set()
        with contextlib.suppress(OSError):
            self._server.close()
        for conn in self._conns:
            with contextlib.suppress(OSError):
                conn.close()


@dataclass(frozen=True)
class Cut:
    """Which response to cut, and where.

    The first ``times`` responses to requests with ``method`` whose path contains
    ``path_part`` are cut: before the header line named ``before_header`` (case-insensitive;
    the rest of the head and the body are dropped), or, when that is None, after
    ``body_bytes`` bytes of the body. Then the connection is closed."""

    method: str
    path_part: str
    before_header: str | None = None
    body_bytes: int = 0
    times: int = 1


class HeaderCuttingProxy:
    """An HTTP/1.1 proxy on 127.0.0.1 to ``upstream_port``, one request per connection
    (``Connection: close`` both ways), that cuts the responses ``cut`` names."""

    def __init__(self, upstream_port: int, cut: Cut) -> None:
        self.upstream_port = upstream_port
        self.cut = cut
        self.cuts_done = 0
        self._lock = threading.Lock()
        self._server = socket.socket()
        self._server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._server.bind(("127.0.0.1", 0))
        self._server.listen(64)
        self.port: int = self._server.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        try:
            with client:
                request = self._read_request(client)
                if request is None:
                    return
                line, data = request
                response = self._forward(data)
                client.sendall(self._maybe_cut(line, response))
        except OSError:
            return

    def _read_request(self, client: socket.socket) -> tuple[str, bytes] | None:
        buf = b""
        while b"\r\n\r\n" not in buf:
            chunk = client.recv(65536)
            if not chunk:
                return None
            buf += chunk
        head, _, body = buf.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        kept, length, expect = [lines[0]], 0, False
        for h in lines[1:]:
            name, _, value = h.partition(":")
            lname = name.strip().lower()
            if lname == "content-length":
                length = int(value.strip())
            if lname == "expect":
                expect = True
                continue
            if lname == "connection":
                continue
            kept.append(h)
        kept.append("Connection: close")
        if expect:
            client.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        while len(body) < length:
            chunk = client.recv(65536)
            if not chunk:
                return None
            body += chunk
        return lines[0], ("\r\n".join(kept) + "\r\n\r\n").encode("latin-1") + body

    def _forward(self, request: bytes) -> bytes:
        with socket.create_connection(("127.0.0.1", self.upstream_port), timeout=30) as up:
            up.sendall(request)
            out = b""
            while chunk := up.recv(65536):
                out += chunk
        return out

    def _maybe_cut(self, request_line: str, response: bytes) -> bytes:
        method, path = (request_line.split(" ") + ["", ""])[:2]
        with self._lock:
            if (
                method != self.cut.method
                or self.cut.path_part not in path
                or self.cuts_done >= self.cut.times
            ):
                return response
            self.cuts_done += 1
        head, _, body = response.partition(b"\r\n\r\n")
        if self.cut.before_header is None:
            return head + b"\r\n\r\n" + body[: self.cut.body_bytes]
        at = head.lower().find(b"\r\n" + self.cut.before_header.lower().encode() + b":")
        assert at >= 0, f"no {self.cut.before_header} header in {head!r}"
        return head[: at + 2]

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._server.close()


class RefusingS3:
    """A loopback HTTP server that answers every request as an S3 service refusing it with
    ``code`` and ``status`` (e.g. ``RequestTimeTooSkewed``, 403): the XML error body S3
    sends, none for HEAD (as S3 does)."""

    def __init__(self, code: str, status: int = 403) -> None:
        import http.server

        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error><Code>{code}</Code><Message>refused</Message></Error>"
        ).encode()

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self, with_body: bool) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                self.send_response(status)
                self.send_header("Content-Type", "application/xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if with_body:
                    self.wfile.write(body)

            def do_HEAD(self) -> None:  # noqa: N802 - the stdlib's naming
                self._answer(False)

            def do_GET(self) -> None:  # noqa: N802
                self._answer(True)

            def do_PUT(self) -> None:  # noqa: N802
                self._answer(True)

            def do_POST(self) -> None:  # noqa: N802
                self._answer(True)

            def do_DELETE(self) -> None:  # noqa: N802
                self._answer(True)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                return

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port: int = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
