"""Tell apps at once that the feed changed: a WebSub hub and a publish-notify endpoint.

After a publish that changed ``feed.xml``, the hub named by ``websub_hub`` gets the WebSub
publish ping (a form POST of ``hub.mode=publish`` and ``hub.url=<feed URL>``, the convention
hubs such as pubsubhubbub.appspot.com and Podcast Index's accept), and the endpoint named
by ``podcast_index_notify`` gets ``?url=<feed URL>`` (Podcast Index's documented pubnotify
API: https://api.podcastindex.org/api/1.0/hub/pubnotify?url=…). A failed notification is a
warning naming the endpoint and the HTTP status, never a failed publish: the feed is out,
and apps still find it on their next poll.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from publisher import __version__, layout, weburl
from publisher.config.identity import is_public
from publisher.errors import Notice
from publisher.model import Show

TIMEOUT = 10.0  # seconds per notification; a slow hub must not hold a finished publish


@dataclass(frozen=True)
class Ping:
    """One notification to send: where, how, and what."""

    what: str  # "WebSub hub", "publish-notify endpoint"
    url: str  # the request URL
    body: bytes | None  # a form body to POST, or None for a GET


def pings(show: Show, feed_url: str) -> tuple[Ping, ...]:
    """The notifications for a changed feed at ``feed_url``. A feed only this machine or
    network can reach is announced only to endpoints that are themselves not public (a
    local hub): a public service could not fetch it."""
    found: list[Ping] = []
    if show.websub_hub and _reachable(show.websub_hub, feed_url):
        body = urlencode({"hub.mode": "publish", "hub.url": feed_url}).encode()
        found.append(Ping("WebSub hub", show.websub_hub, body))
    if show.podcast_index_notify and _reachable(show.podcast_index_notify, feed_url):
        found.append(
            Ping("publish-notify endpoint", _with_url(show.podcast_index_notify, feed_url), None)
        )
    return tuple(found)


def send(all_pings: Sequence[Ping], timeout: float = TIMEOUT) -> tuple[Notice, ...]:
    """Send each ping; a warning for each that failed (endpoint and HTTP status or cause),
    an information line for each that was accepted."""
    out: list[Notice] = []
    for ping in all_pings:
        request = urllib.request.Request(
            ping.url,
            data=ping.body,
            method="POST" if ping.body is not None else "GET",
            headers={"User-Agent": f"publisher/{__version__}"}
            | ({"Content-Type": layout.FORM_CONTENT_TYPE} if ping.body else {}),
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                status = response.status
        except urllib.error.HTTPError as e:
            out.append(_failed(ping, f"HTTP {e.code}"))
            continue
        except (urllib.error.URLError, OSError, ValueError) as e:
            reason = getattr(e, "reason", e)
            out.append(_failed(ping, f"no answer ({reason})"))
            continue
        if 200 <= status < 300:
            out.append(
                Notice(f"told the {ping.what} {_endpoint(ping.url)}: HTTP {status}", warning=False)
            )
        else:
            out.append(_failed(ping, f"HTTP {status}"))
    return tuple(out)


def _failed(ping: Ping, status: str) -> Notice:
    return Notice(
        f"could not tell the {ping.what} {_endpoint(ping.url)} that the feed changed: {status}",
        hint="the publish itself succeeded; apps find the new feed on their next poll",
    )


def _endpoint(url: str) -> str:
    """The endpoint without user info or query (never echo a key someone put in them)."""
    parsed = weburl.parse(url)
    if parsed is None:
        return "(an endpoint URL that cannot be parsed)"
    host = parsed.netloc.rpartition("@")[2]
    return parsed.parts._replace(netloc=host, query="", fragment="").geturl()


def _with_url(endpoint: str, feed_url: str) -> str:
    parsed = weburl.parse(endpoint)
    query = (parsed.query + "&" if parsed is not None and parsed.query else "") + urlencode(
        {"url": feed_url}
    )
    if parsed is None:  # the config refuses such an endpoint; never a traceback here
        return endpoint
    return parsed.parts._replace(query=query).geturl()


def _reachable(endpoint: str, feed_url: str) -> bool:
    return is_public(feed_url) or not is_public(endpoint)
