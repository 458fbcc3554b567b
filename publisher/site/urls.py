"""Links between pages and the Content-Security-Policy (pure).

Pages work from ``file://`` and under any public URL: links between pages, to the stylesheet
and to media published under the same base URL are relative; canonical, feed and Open Graph
URLs are absolute.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Sequence

from markupsafe import Markup

from publisher import layout, weburl
from publisher.model import Item, ShowLinks

# Only these origins may be written into the Content-Security-Policy (a URL from the config
# must not be able to smuggle a ";" or another directive into it).
_ORIGIN_RE = re.compile(r"^https?://(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$")
# The only inline styles allowed: markdown-it writes table column alignment as these exact
# style attributes. 'unsafe-hashes' with their hashes admits them and nothing else.
_ALLOWED_STYLE_ATTRIBUTES = ("text-align:left", "text-align:center", "text-align:right")


def relative(from_key: str, to_key: str) -> str:
    """The relative URL from the page at ``from_key`` to ``to_key`` (both site keys)."""
    from_dir = from_key.split("/")[:-1]
    to = to_key.split("/")
    common = 0
    while common < len(from_dir) and common < len(to) - 1 and from_dir[common] == to[common]:
        common += 1
    return "../" * (len(from_dir) - common) + "/".join(to[common:])


def base_url(links: ShowLinks, items: Sequence[Item]) -> str:
    """The URL that site keys are published under, learnt from a URL whose key is known."""
    pairs = [(links.artwork_url, links.artwork_key)]
    pairs += [(i.links.page_url, i.links.page_key) for i in items]
    for url, key in pairs:
        base = layout.public_url_of(url, key)
        if base is not None:
            return base
    site = links.site_url
    return site if site.endswith("/") else site.rsplit("/", 1)[0] + "/"


def href(base: str, from_key: str, url: str) -> str:
    """A link from the page at ``from_key`` to ``url``: relative when it lies under ``base``."""
    if not url.startswith(base):
        return url  # another origin (a CDN, a transcript host): absolute
    parts = weburl.parse(url[len(base) :])
    if parts is None:
        return url
    target = parts.path or layout.INDEX_KEY
    if target.endswith("/"):
        target += layout.INDEX_KEY  # a folder opened from file:// would list, not show the page
    rel = relative(from_key, target)
    return (
        rel
        + (f"?{parts.query}" if parts.query else "")
        + (f"#{parts.fragment}" if parts.fragment else "")
    )


def _origin(url: str | None) -> str | None:
    if not url:
        return None
    parts = weburl.parse(url)
    if parts is None:
        return None
    origin = f"{parts.scheme}://{parts.netloc.lower()}"
    return origin if _ORIGIN_RE.match(origin) else None


def content_security_policy(links: ShowLinks, items: Sequence[Item]) -> Markup:
    """Scripts only from this site (ours, and Pagefind's search with its WebAssembly:
    ``'wasm-unsafe-eval'``); images and media from this site, https, and the show's own origins.

    Styles come from the site's stylesheet, plus the table-alignment attributes of the notes.

    ``https:`` already admits a CDN on https; an ``http://`` public URL (a local preview, a
    LAN server) is named explicitly so its artwork still loads.
    """
    image_urls = [links.artwork_url, links.site_url] + [i.links.image_url for i in items]
    # media-src admits every http: and https: origin already; only img-src needs naming them
    image_origins = sorted({o for o in map(_origin, image_urls) if o and o.startswith("http:")})
    img_src = " ".join(["'self'", "https:", "data:", *image_origins])
    style_hashes = [
        "'sha256-" + base64.b64encode(hashlib.sha256(style.encode()).digest()).decode() + "'"
        for style in _ALLOWED_STYLE_ATTRIBUTES
    ]
    style_src = " ".join(["'self'", "'unsafe-hashes'", *style_hashes])
    # Markup: the directives are fixed and the origins matched _ORIGIN_RE, so nothing to escape
    return Markup(
        "; ".join(
            [
                "default-src 'self'",
                "connect-src 'self'",
                "script-src 'self' 'wasm-unsafe-eval'",
                "object-src 'none'",
                "base-uri 'none'",
                "form-action 'none'",
                f"img-src {img_src}",
                "media-src 'self' https: http:",
                f"style-src {style_src}",
            ]
        )
    )
