"""The show's identity: which target is production, and the ``podcast:guid`` it gives.

A show's ``podcast:guid`` (C-12) is computed once by the Podcasting 2.0 recipe from its
*production* feed URL, and never from a URL only this machine or this network can reach:
every show previewed at ``http://127.0.0.1:8000/`` would otherwise claim one identity in
Podcast Index, forever. Pure functions; no I/O (no DNS lookups: a name is judged by its form).
"""

from __future__ import annotations

import ipaddress
import re
import uuid
from collections.abc import Sequence
from pathlib import Path

from publisher import weburl
from publisher.errors import Notice
from publisher.layout import feed_url
from publisher.model import Show, Target

# Namespace of the podcast:guid recipe (FEED_RULES.md, C-12).
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
# Names that never reach the public internet (RFC 6761, RFC 6762, ICANN's .internal).
_PRIVATE_SUFFIXES = (".localhost", ".local", ".internal", ".localdomain", ".home.arpa")
# Ports a local preview is commonly served on: a stored podcast_guid equal to the recipe's
# value for one of these loopback feeds is the mistake C-12's check looks for.
_PREVIEW_PORTS = (None, 80, 443, 1313, 3000, 4000, 5000, 8000, 8001, 8080, 8888)


def podcast_guid(feed_url: str) -> str:
    """The Podcasting 2.0 ``podcast:guid`` for ``feed_url`` (C-12 recipe: UUIDv5 of the URL
    without its scheme and trailing slashes)."""
    bare = re.sub(r"^[A-Za-z][A-Za-z0-9+.-]*://", "", feed_url).rstrip("/")
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, bare))


def is_public_host(host: str) -> bool:
    """False for loopback, private, link-local and other non-global addresses, ``localhost``,
    single-label names and ``*.local`` / ``*.internal`` (and similar) names; else True."""
    name = host.strip().strip("[]").rstrip(".").lower()
    if not name:
        return False
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return "." in name and name != "localhost" and not name.endswith(_PRIVATE_SUFFIXES)
    return address.is_global and not address.is_multicast


def is_public(url: str) -> bool:
    """Whether ``url``'s host is public (:func:`is_public_host`)."""
    return is_public_host(weburl.host(url))


def is_public_https(url: str) -> bool:
    """A public ``https://`` URL: the only kind a show's identity may come from."""
    return weburl.scheme(url) == "https" and is_public(url)


def production_target(targets: Sequence[Target]) -> Target | None:
    """The target marked ``production: true``, else the first whose public URL is public
    https, else None (the show has only previews so far)."""
    marked = [t for t in targets if t.production]
    if marked:
        return marked[0]
    return next((t for t in targets if is_public_https(t.public_url)), None)


def production_problems(targets: Sequence[Target]) -> list[tuple[Target, str]]:
    """(target, message) for each misuse of ``production: true``: on two targets, or on one
    whose public URL is not public https."""
    found: list[tuple[Target, str]] = []
    marked = [t for t in targets if t.production]
    for t in marked[1:]:
        found.append(
            (t, f"targets {marked[0].name!r} and {t.name!r} are both marked 'production: true'")
        )
    for t in marked:
        if not is_public_https(t.public_url):
            found.append(
                (
                    t,
                    f"target {t.name!r} is marked 'production: true' but its public_url "
                    f"{t.public_url} is not a public https:// address [C-12]",
                )
            )
    return found


def feed_guid(show: Show) -> str | None:
    """What the feed carries as ``podcast:guid``: the stored value, else the recipe's value
    for the production feed URL, else None (a preview)."""
    if show.podcast_guid:
        return show.podcast_guid
    production = production_target(show.targets)
    return podcast_guid(production.feed_url) if production else None


def identity_notices(show: Show) -> tuple[Notice, ...]:
    """Warnings about the show's identity and its URLs (C-12, D-04), each said once."""
    found: list[Notice] = []
    where: Path = show.source
    if show.podcast_guid and (url := _private_url_with_guid(show, show.podcast_guid)):
        found.append(
            Notice(
                f"'podcast_guid' {show.podcast_guid} is the recipe's value for {url}, a "
                "feed only this machine or network can reach; every show previewed there "
                "would claim it [C-12]",
                where,
                show.line("podcast_guid"),
                "if this show was never published under it, delete the line and add a target "
                "with your public https URL (or 'production: true'); the next build computes "
                "the right one",
            )
        )
    elif feed_guid(show) is None:
        found.append(
            Notice(
                "no production target yet: feeds are previews and carry no podcast:guid [C-12]",
                where,
                show.line("targets"),
                "add a target whose public_url is your public https address",
                warning=False,
            )
        )
    for t in show.targets:
        if weburl.scheme(t.public_url) == "http" and is_public(t.public_url):
            found.append(
                Notice(
                    f"target {t.name!r} publishes at plain http:// ({t.public_url}); apps and "
                    "Podcasting 2.0 tags expect https:// [D-04]",
                    where,
                    t.line,
                    "use the https:// address of the same host or CDN",
                )
            )
    return tuple(found)


def _private_url_with_guid(show: Show, guid: str) -> str | None:
    """A non-public feed URL whose recipe value is ``guid`` (the show's own preview targets,
    and loopback previews on common ports), if any."""
    candidates = [t.feed_url for t in show.targets if not is_public(t.public_url)]
    for host in ("127.0.0.1", "localhost", "[::1]"):
        for port in _PREVIEW_PORTS:
            netloc = host if port is None else f"{host}:{port}"
            candidates += [feed_url(f"http://{netloc}/"), feed_url(f"http://{netloc}/public/")]
    return next((url for url in candidates if podcast_guid(url) == guid), None)
