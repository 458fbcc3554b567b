"""``publisher serve``: the local target over HTTP, the way a podcast app and a browser reach it.

A stdlib :class:`~http.server.ThreadingHTTPServer` with what players depend on: byte ranges
(``206``/``416``, ``Accept-Ranges``), ``HEAD``, the feed's and media's content types. It serves
files only: no directory listings, nothing outside the root (``..``, symlinks leading out), and
nothing whose path has a segment starting with a dot (the ``.publisher/`` manifest).
"""

from __future__ import annotations

import logging
import mimetypes
import os
import re
import socket
from email.utils import formatdate, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote, unquote, urlsplit

from publisher.errors import PublisherError
from publisher.publish.plan import manifest_from_json
from publisher.stores.base import MANIFEST_KEY

__all__ = ["content_type", "make_server", "serve_forever"]

log = logging.getLogger(__name__)

_CHUNK = 64 * 1024
_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".xml": "application/xml",
    ".json": "application/json",
    ".mp3": "audio/mpeg",
    ".m4a": "audio/x-m4a",
    ".mp4": "video/mp4",
    ".vtt": "text/vtt; charset=utf-8",
    ".srt": "application/x-subrip",
    ".txt": "text/plain; charset=utf-8",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
    ".js": "text/javascript; charset=utf-8",
    ".ris": "application/x-research-info-systems; charset=utf-8",
    ".bib": "application/x-bibtex; charset=utf-8",
}
_RANGE_RE = re.compile(r"^bytes=\s*(\d*)\s*-\s*(\d*)\s*$")


def content_type(name: str) -> str:
    """The Content-Type this server sends for a file called ``name``."""
    if name == "feed.xml":
        return "application/rss+xml; charset=utf-8"
    suffix = os.path.splitext(name)[1].lower()
    if suffix in _TYPES:
        return _TYPES[suffix]
    guessed, _ = mimetypes.guess_type(name, strict=False)
    return guessed or "application/octet-stream"


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """The inclusive ``(first, last)`` byte positions a single-range ``Range`` header asks for.

    Returns None when the header is to be ignored (not a single ``bytes`` range: the whole file
    is sent with 200, as RFC 9110 allows). Raises ValueError when the range is unsatisfiable.
    """
    match = _RANGE_RE.match(header.strip())
    if match is None:
        return None
    first_text, last_text = match.groups()
    if not first_text:
        if not last_text:
            return None  # "bytes=-" is malformed
        suffix = int(last_text)
        if suffix == 0 or size == 0:
            raise ValueError("empty suffix range")
        return max(0, size - suffix), size - 1
    first = int(first_text)
    last = int(last_text) if last_text else size - 1
    if last_text and last < first:
        return None  # syntactically invalid: ignore, do not refuse
    if first >= size:
        raise ValueError("range starts past the end")
    return first, min(last, size - 1)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, root: Path, address: tuple[str, int]) -> None:
        self.root = root
        # (manifest stamp, key -> Content-Type), replaced as one tuple: request threads read
        # and refresh it concurrently, and must never see one stamp with another's types.
        self._types: tuple[tuple[int, int] | None, dict[str, str]] = (None, {})
        super().__init__(address, _Handler)

    def published_type(self, path: Path) -> str:
        """The Content-Type the build decided for ``path`` (kept in the target's manifest,
        e.g. ``application/json+chapters``, I-15), else one guessed from the name."""
        manifest = self.root / MANIFEST_KEY
        stamp, types = self._types
        try:
            st = manifest.stat()
            now = (st.st_mtime_ns, st.st_size)
            if now != stamp:
                entries = manifest_from_json(manifest.read_bytes())
                types = {k: e.content_type for k, e in entries.items() if e.content_type}
                self._types = (now, types)
        except (OSError, ValueError, KeyError, TypeError):  # no manifest (yet), or damaged
            types = {}
            self._types = (None, types)
        key = path.relative_to(self.root).as_posix()
        return types.get(key) or content_type(path.name)

    def handle_error(self, request: object, client_address: object) -> None:
        # the stdlib prints every failed request to stderr; the library never prints
        log.exception("error while serving %s", client_address)


class _Server6(_Server):
    address_family = socket.AF_INET6


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "publisher"
    # HTTP/1.1 keeps a player's many range requests on one connection; every response below
    # carries a Content-Length, which 1.1 needs
    protocol_version = "HTTP/1.1"

    def version_string(self) -> str:
        return self.server_version

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib's name
        # the library never prints; the CLI says where it serves, that is enough on a terminal
        log.debug("%s - %s", self.address_string(), format % args)

    def _respond(self, *, send_body: bool) -> None:
        url_path = urlsplit(self.path).path
        path = self._resolve(url_path)
        if path is None:
            self._error(HTTPStatus.NOT_FOUND, send_body)
            return
        if url_path.endswith("/") and not path.is_dir():
            self._error(HTTPStatus.NOT_FOUND, send_body)  # "/feed.xml/" is not the feed
            return
        if path.is_dir():
            if not url_path.endswith("/"):
                # so that relative links in the folder's index.html resolve inside the folder
                self._redirect(url_path + "/", send_body)
                return
            path = path / "index.html"
            if not path.is_file() or self._resolve(url_path + "index.html") is None:
                self._error(HTTPStatus.NOT_FOUND, send_body)  # no listings
                return
        try:
            handle = path.open("rb")
        except OSError:
            self._error(HTTPStatus.NOT_FOUND, send_body)
            return
        with handle:
            self._send_file(handle, path, send_body)

    def _resolve(self, url_path: str) -> Path | None:
        """The file or folder ``url_path`` names under the root; None when it is not served."""
        try:
            text = unquote(url_path, errors="strict")
        except UnicodeDecodeError:
            return None
        if "\x00" in text or "\\" in text:
            return None
        segments = [s for s in text.split("/") if s]
        if any(s.startswith(".") for s in segments):  # "..", ".publisher", dotfiles
            return None
        root: Path = self.server.root
        try:
            resolved = root.joinpath(*segments).resolve(strict=True)
            relative = resolved.relative_to(root)
        except (OSError, ValueError, RuntimeError):
            return None  # missing, a symlink out of the root, or a symlink loop
        if any(part.startswith(".") for part in relative.parts):  # a symlink into .publisher/
            return None
        return resolved

    def _send_file(self, handle: BinaryIO, path: Path, send_body: bool) -> None:
        stat = os.fstat(handle.fileno())
        size = stat.st_size
        etag = f'"{stat.st_mtime_ns:x}-{size:x}"'
        modified = formatdate(stat.st_mtime, usegmt=True)
        if self._not_modified(etag, stat.st_mtime):
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return

        status = HTTPStatus.OK
        first, last = 0, size - 1
        range_header = self.headers.get("Range")
        if range_header and self._if_range_holds(etag, modified):
            try:
                wanted = parse_range(range_header, size)
            except ValueError:
                self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
                self.send_header("Content-Range", f"bytes */{size}")
                self.send_header("Accept-Ranges", "bytes")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if wanted is not None:
                status = HTTPStatus.PARTIAL_CONTENT
                first, last = wanted

        length = max(0, last - first + 1)
        self.send_response(status)
        self.send_header("Content-Type", self.server.published_type(path))
        self.send_header("Content-Length", str(length))
        self.send_header("Accept-Ranges", "bytes")
        if status == HTTPStatus.PARTIAL_CONTENT:
            self.send_header("Content-Range", f"bytes {first}-{last}/{size}")
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", modified)
        # a preview of a site that is rebuilt often: always revalidate (cheap, with the ETag)
        self.send_header("Cache-Control", "no-cache")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if not send_body or length == 0:
            return
        handle.seek(first)
        remaining = length
        try:
            while remaining:
                chunk = handle.read(min(_CHUNK, remaining))
                if not chunk:
                    break  # the file shrank while being sent; the client sees a short body
                self.wfile.write(chunk)
                remaining -= len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            # players abandon range requests all the time when the listener seeks
            self.close_connection = True

    def _not_modified(self, etag: str, mtime: float) -> bool:
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
            return "*" in tags or etag in tags
        since = self.headers.get("If-Modified-Since")
        if since:
            try:
                return int(mtime) <= parsedate_to_datetime(since).timestamp()
            except (TypeError, ValueError, IndexError, OverflowError):
                return False
        return False

    def _if_range_holds(self, etag: str, modified: str) -> bool:
        """False when an ``If-Range`` says the client's partial copy is of another version."""
        if_range = self.headers.get("If-Range")
        return if_range is None or if_range.strip() in (etag, modified)

    def _redirect(self, location: str, send_body: bool) -> None:
        self.send_response(HTTPStatus.MOVED_PERMANENTLY)
        self.send_header("Location", quote(location, safe="/%:@!$&'()*+,;=-._~"))
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _error(self, status: HTTPStatus, send_body: bool) -> None:
        body = f"{status.value} {status.phrase}\n".encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if send_body:
            self.wfile.write(body)


def make_server(root: Path, host: str, port: int) -> ThreadingHTTPServer:
    """A server for the files under ``root`` at ``host``:``port`` (port 0: any free one), unstarted.

    The bound address is ``server.server_address``. Raises :class:`PublisherError` when ``root``
    is not a folder or the address cannot be bound (in use, not this machine's).
    """
    if not root.is_dir():
        raise PublisherError(
            "nothing to serve: the folder does not exist",
            path=root,
            hint="publish the show to the local target first",
        )
    server_class = _Server6 if ":" in host else _Server
    try:
        return server_class(root.resolve(), (host, port))
    except OSError as e:
        raise PublisherError(
            f"cannot serve at {host}:{port}: {e.strerror or e}",
            hint="choose another port with --port" if port else None,
        ) from e


def serve_forever(root: Path, host: str, port: int) -> None:
    """Serve ``root`` at ``host``:``port`` until interrupted (Ctrl-C), then return.

    Raises :class:`PublisherError` as :func:`make_server` does.
    """
    server = make_server(root, host, port)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass  # Ctrl-C is how a preview ends: not an error
    finally:
        server.server_close()
