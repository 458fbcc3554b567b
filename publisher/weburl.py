"""URLs from untrusted text, parsed without exceptions: the one place that splits a URL.

``urllib.parse`` raises ``ValueError`` for some strings a producer (or a fuzzer) writes: an
unbalanced ``[`` or ``]`` in the host (``http://[x/``, ``http://127.0.0.1:80]0/``: "Invalid
IPv6 URL"), and, when ``.port`` is read, a port that is not a number or is out of range.
Every URL read from the config, front matter, notes, chapters, the command line, the
environment or a request goes through :func:`parse` (or the predicates here), so a bad one is
a problem reported with its file, line and key, never a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import SplitResult, urljoin, urlsplit


@dataclass(frozen=True)
class WebURL:
    """A URL's parts, all checked: ``scheme`` and ``host`` lower-case (``host`` "" when the
    URL names none), ``port`` a number in 0-65535 or None, ``userinfo`` True when a user
    name or password precedes the host."""

    scheme: str
    netloc: str
    host: str
    port: int | None
    path: str
    query: str
    fragment: str
    userinfo: bool
    parts: SplitResult  # for geturl() and _replace()


def parse(text: str) -> WebURL | None:
    """``text`` (surrounding whitespace ignored) split into its parts, or None when
    ``urllib.parse`` cannot split it (unbalanced brackets, a bad port)."""
    try:
        parts = urlsplit(text.strip())
        port = parts.port  # raises ValueError for "http://host:x/" or ":99999"
        host = parts.hostname or ""
    except ValueError:
        return None
    return WebURL(
        parts.scheme.lower(), parts.netloc, host, port, parts.path, parts.query,
        parts.fragment, parts.username is not None or parts.password is not None, parts,
    )  # fmt: skip


def is_http(text: object) -> bool:
    """True for an absolute http(s) URL with a host."""
    url = parse(text) if isinstance(text, str) else None
    return url is not None and url.scheme in ("http", "https") and bool(url.host)


def is_https(text: object) -> bool:
    """True for an absolute, ASCII ``https://host/…`` URL (D-04: every podcast:* URL)."""
    if not isinstance(text, str) or not text.strip().isascii():
        return False
    url = parse(text)
    return url is not None and url.scheme == "https" and bool(url.host)


def host(text: str) -> str:
    """The lower-case host of ``text`` ("" when it has none or cannot be parsed)."""
    url = parse(text)
    return "" if url is None else url.host


def scheme(text: str) -> str:
    """The lower-case scheme of ``text`` ("" when it has none or cannot be parsed)."""
    url = parse(text)
    return "" if url is None else url.scheme


def join(base: str, href: str) -> str | None:
    """``href`` resolved against ``base`` (``urljoin``), or None when either cannot be
    parsed."""
    if parse(base) is None or parse(href) is None:
        return None
    try:
        return urljoin(base, href)
    except ValueError:
        return None


def without_userinfo(text: str) -> str:
    """``text`` with any ``user:password@`` removed (``text`` itself when it cannot be
    parsed: the caller has already refused it)."""
    url = parse(text)
    if url is None:
        return text
    return url.parts._replace(netloc=url.netloc.rpartition("@")[2]).geturl()
