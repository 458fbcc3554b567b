"""``publisher serve``: the local target over HTTP, the way a podcast app and a browser reach it.

The standard library's :class:`~http.server.SimpleHTTPRequestHandler` on a threading server,
with only what it lacks added: byte ranges (``206``/``416``, suffix ranges, ``If-Range``), ETags,
the Content-Types the build decided (the target's manifest, else the layout's), and the site's
own ``404.html`` for a missing path. It serves
files only: no directory listings, nothing outside the root (``..``, symlinks leading out), and
nothing whose path has a segment starting with a dot (the ``.publisher/`` manifest).
"""

from __future__ import annotations

import logging
import os
import re
import socket
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import unquote

from publisher import layout, weburl
from publisher.errors import PublisherError
from publisher.publish.plan import manifest_from_json

__all__ = ["make_server", "parse_range"]

log = logging.getLogger(__name__)

_CHUNK = 64 * 1024
_RANGE_RE = re.compile(r"^bytes=\s*(\d*)\s*-\s*(\d*)\s*$")


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
        e.g. ``application/json+chapters``, I-15), else the layout's for its key."""
        manifest = self.root / layout.MANIFEST_KEY
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
        return types.get(key) or layout.content_type(key)

    def handle_error(self, request: object, client_address: object) -> None:
        # the stdlib prints every failed request to stderr; the library never prints
        log.exception("error while serving %s", client_address)


class _Server6(_Server):
    address_family = socket.AF_INET6


class _Handler(SimpleHTTPRequestHandler):
    """The stdlib's file handler (GET/HEAD, folder redirects, errors), plus what players and
    this publisher need: byte ranges, ETags, no listings, no dot-files, the published types."""

    server: _Server
    server_version = "publisher"
    # HTTP/1.1 keeps a player's many range requests on one connection; every response below
    # carries a Content-Length, which 1.1 needs
    protocol_version = "HTTP/1.1"

    def __init__(self, request: Any, client_address: Any, server: _Server) -> None:
        self._length = 0  # bytes of the file copyfile() sends
        super().__init__(request, client_address, server, directory=str(server.root))

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib's name
        # the library never prints; the CLI says where it serves, that is enough on a terminal
        log.debug("%s - %s", self.address_string(), format % args)

    def end_headers(self) -> None:
        self.send_header("X-Content-Type-Options", "nosniff")
        super().end_headers()

    def list_directory(self, path: str | os.PathLike[str]) -> None:
        self.send_error(HTTPStatus.NOT_FOUND)  # no listings
        return None

    def guess_type(self, path: str | os.PathLike[str]) -> str:
        return self.server.published_type(Path(path))

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """A 404 answers with the site's own ``404.html`` (status 404, its published type), as
        the public host does; the stdlib's page only when the site has none, or other errors."""
        page = self._resolve("/" + layout.NOT_FOUND_KEY) if code == HTTPStatus.NOT_FOUND else None
        try:
            body = page.read_bytes() if page is not None and page.is_file() else None
        except OSError:
            body = None
        if page is None or body is None:
            super().send_error(code, message, explain)
            return
        self.send_response(code, message)
        self.send_header("Content-Type", self.guess_type(page))
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_head(self) -> BinaryIO | None:
        parsed = weburl.parse(self.path)
        url_path = parsed.path if parsed is not None else "/\0"  # unparsable: not found
        path = self._resolve(url_path)
        if path is not None and path.is_dir():
            if not url_path.endswith("/"):
                # the stdlib's redirect, so that relative links in the folder's page resolve
                return super().send_head()
            url_path += layout.INDEX_KEY
            path = self._resolve(url_path)
        if path is None or url_path.endswith("/") or not path.is_file():
            self.send_error(HTTPStatus.NOT_FOUND)  # "/feed.xml/" is not the feed either
            return None
        try:
            handle = path.open("rb")
        except OSError:
            self.send_error(HTTPStatus.NOT_FOUND)
            return None
        try:
            return self._head_of(handle, path)
        except BaseException:
            handle.close()
            raise

    def copyfile(self, source: Any, outputfile: Any) -> None:
        """Send :attr:`_length` bytes of ``source`` from where :meth:`send_head` left it."""
        remaining = self._length
        try:
            while remaining:
                chunk = source.read(min(_CHUNK, remaining))
                if not chunk:
                    break  # the file shrank while being sent; the client sees a short body
                outputfile.write(chunk)
                remaining -= len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            # players abandon range requests all the time when the listener seeks
            self.close_connection = True

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

    def _head_of(self, handle: BinaryIO, path: Path) -> BinaryIO | None:
        """Send the headers for ``path`` (200, 206, 304 or 416); the open file to send from,
        positioned at the first byte, or None (and ``handle`` closed) when there is no body."""
        stat = os.fstat(handle.fileno())
        size = stat.st_size
        etag = f'"{stat.st_mtime_ns:x}-{size:x}"'
        modified = self.date_time_string(int(stat.st_mtime))
        if self._not_modified(etag, stat.st_mtime):
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            handle.close()
            return None
        status, first, last = HTTPStatus.OK, 0, size - 1
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
                handle.close()
                return None
            if wanted is not None:
                status, (first, last) = HTTPStatus.PARTIAL_CONTENT, wanted
        self._length = max(0, last - first + 1)
        self.send_response(status)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Length", str(self._length))
        self.send_header("Accept-Ranges", "bytes")
        if status == HTTPStatus.PARTIAL_CONTENT:
            self.send_header("Content-Range", f"bytes {first}-{last}/{size}")
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", modified)
        # a preview of a site that is rebuilt often: always revalidate (cheap, with the ETag)
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        handle.seek(first)
        return handle

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
