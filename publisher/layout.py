"""Where every published file lives: its key, its URL, its Content-Type and Cache-Control.

The one module that knows the shape of a published show. A *key* is a file's path below the
target (``media/<slug>-<hash>.mp3``, ``feed.xml``); its URL is the target's public URL
followed by the key. Build, site, serve, publish and the stores ask here instead of spelling
a key, a URL or a MIME type themselves, so that they cannot drift apart.

==================================  ==================================  ===========================
key                                 what                                Content-Type
==================================  ==================================  ===========================
``feed.xml``                        the RSS feed                        application/rss+xml
``feed-archive-<n>.xml``            its RFC 5005 archives (1 oldest)    application/rss+xml
``index.html``                      the website's home page             text/html
``episodes/<slug>.html``            one page per episode                text/html
``style.css``                       the website's stylesheet            text/css
``media/<slug>-<sha256:16>.<ext>``  an episode's audio, by content      audio/mpeg, audio/x-m4a
``artwork/<sha256:16>.<jpg|png>``   show and episode art, by content    image/jpeg, image/png
``chapters/<slug>.json``            JSON chapters 1.2.0 (I-15)          application/json+chapters
``transcripts/<slug>.<ext>``        a transcript (I-14)                 by its format
``all/<n>.html``, ``archive/…``,    the website's listings (all         text/html
``seasons/<n>.html``, ``404.html``  episodes, by month, by season)
``episodes/<slug>.transcript.html`` a transcript as a readable page     text/html
``captions/<slug>.vtt``             captions for the player             text/vtt
``references/<slug>.<ris|bib|json>`` an episode's references to take    RIS, BibTeX, CSL-JSON
``cite/<slug>.<ris|bib>``           the episode itself as a reference   RIS, BibTeX
``artwork/<hash>-<side>.jpg``       smaller renditions for pages        image/jpeg
``site.js``, ``sitemap.xml``,       the site's script, sitemap, robots  by suffix
``robots.txt``, icons, ``pagefind/`` file, icons and search index
``pagefind/parts.json``             the search index's parts            application/json
``pagefind/part-<nnnn>/…``          one part: a Pagefind bundle         by suffix
``.publisher/manifest.json``        what was published (never served)   application/json
``.publisher/lock.json``            the publish lock (never served)     application/json
==================================  ==================================  ===========================
"""

from __future__ import annotations

import hashlib
import mimetypes
import posixpath
import re
from collections.abc import Mapping
from typing import Final, Literal

from publisher import weburl

FileKind = Literal["media", "asset", "page", "feed"]
"""What a published file is, which decides its upload order and its Cache-Control."""

AudioFormat = Literal["mp3", "m4a"]
AUDIO_FORMATS: Final[tuple[AudioFormat, ...]] = ("mp3", "m4a")

# --- keys -------------------------------------------------------------------------------

FEED_KEY: Final = "feed.xml"
_ARCHIVE_KEY = re.compile(r"feed-archive-[1-9][0-9]*\.xml")


def archive_key(n: int) -> str:
    """``feed-archive-<n>.xml``: archive feed ``n`` (RFC 5005; 1 the oldest, so adding an
    episode never renames one; docs/feeds.md)."""
    return f"feed-archive-{n}.xml"


def is_feed(key: str) -> bool:
    """The main feed or one of its archives."""
    return key == FEED_KEY or _ARCHIVE_KEY.fullmatch(key) is not None


INDEX_KEY: Final = "index.html"  # the home page, and the page a folder URL shows
STYLESHEET_KEY: Final = "style.css"
META_DIR: Final = ".publisher/"  # the publisher's own records on a target; never served
MANIFEST_KEY: Final = META_DIR + "manifest.json"
MANIFEST_CHANGES_KEY: Final = META_DIR + "manifest-changes.json"  # since manifest.json
LOCK_KEY: Final = META_DIR + "lock.json"

_MEDIA_DIR = "media/"
_PAGES_DIR = "episodes/"
_ARTWORK_DIR = "artwork/"
_CHAPTERS_DIR = "chapters/"
_TRANSCRIPTS_DIR = "transcripts/"
_HASH_DIGITS = 16  # of a content-addressed key's sha256: 64 bits, no collision in a show
_HASHED_MEDIA = re.compile(r"^(?P<slug>.+)-[0-9a-f]{16}$")

# The website's own files (publisher.site renders them). Episode slugs are ASCII letters,
# digits, "-" and "_" (no dot), so episodes/<slug>.html and episodes/<slug>.transcript.html
# never meet, and no slug can name a listing.
SCRIPT_KEY: Final = "site.js"
ARCHIVE_INDEX_KEY: Final = "archive/index.html"
# the newest page of all episodes, at one address however many there are (the older pages
# are all_key(n)): every page links to it, and a new page of episodes changes no link
ALL_INDEX_KEY: Final = "all/index.html"
NOT_FOUND_KEY: Final = "404.html"
SITEMAP_KEY: Final = "sitemap.xml"
ROBOTS_KEY: Final = "robots.txt"
SEARCH_DIR: Final = "pagefind/"  # Pagefind's static search index, in parts
SEARCH_PARTS_KEY: Final = SEARCH_DIR + "parts.json"  # {"parts": ["part-0001/", …]}
FAVICON_KEY: Final = "favicon.png"
TOUCH_ICON_KEY: Final = "apple-touch-icon.png"


def search_part_dir(n: int) -> str:
    """``pagefind/part-<nnnn>/``: part ``n`` of the search index (1 indexes the oldest
    episodes), one whole Pagefind bundle; its folder name is relative to
    :data:`SEARCH_PARTS_KEY`'s, as that file lists it."""
    return f"{SEARCH_DIR}part-{n:04d}/"


def all_key(n: int) -> str:
    """``all/<n>.html``: page ``n`` of all episodes, 1 for the oldest (the newest page is
    :data:`ALL_INDEX_KEY`)."""
    return f"all/{n}.html"


def month_key(ym: str) -> str:
    """``archive/<YYYY-MM>.html``: one month of the archive."""
    return f"archive/{ym}.html"


def season_key(n: int) -> str:
    """``seasons/<n>.html``: one season's episodes."""
    return f"seasons/{n}.html"


def transcript_page_key(slug: str) -> str:
    """``episodes/<slug>.transcript.html``: the transcript as a readable page."""
    return f"{_PAGES_DIR}{slug}.transcript.html"


def captions_key(slug: str) -> str:
    """``captions/<slug>.vtt``: WebVTT captions for the player's ``<track>``."""
    return f"captions/{slug}.vtt"


def references_key(slug: str, extension: str) -> str:
    """``references/<slug>.<ris|bib|json>``: an episode's reference list to take away."""
    return f"references/{slug}.{extension}"


def cite_key(slug: str, extension: str) -> str:
    """``cite/<slug>.<ris|bib>``: the episode itself as a reference."""
    return f"cite/{slug}.{extension}"


def rendition_key(artwork: str, side: int) -> str:
    """``artwork/<hash>-<side>.jpg``: a smaller JPEG of the artwork at key ``artwork``."""
    return f"{artwork.rsplit('.', 1)[0]}-{side}.jpg"


def is_html(path_or_key: str) -> bool:
    """True for a file an HTML type is served for (``.html``, ``.htm``)."""
    return path_or_key.lower().endswith((".html", ".htm"))


def media_key(slug: str, sha256: str, audio_format: str) -> str:
    """``media/<slug>-<sha256:16>.<mp3|m4a>``: named by the episode and its content.

    ``sha256`` is the audio file's hex digest. A corrected file gets a new URL (the GUID, not
    the URL, is what stays, I-04), so an object a live or cached feed names is never
    overwritten: an app never finds an enclosure whose length differs from its feed's.
    """
    return f"{_MEDIA_DIR}{slug}-{sha256[:_HASH_DIGITS]}.{audio_format}"


def page_key(slug: str) -> str:
    """``episodes/<slug>.html``: the episode's web page."""
    return f"{_PAGES_DIR}{slug}.html"


def artwork_key(data: bytes, extension: str) -> str:
    """``artwork/<hash>.<jpg|png>``: named by content, so new art gets a new URL (C-03)."""
    return f"{_ARTWORK_DIR}{hashlib.sha256(data).hexdigest()[:_HASH_DIGITS]}.{extension}"


def chapters_key(slug: str) -> str:
    """``chapters/<slug>.json``: the episode's JSON chapters (I-15)."""
    return f"{_CHAPTERS_DIR}{slug}.json"


def transcript_key(slug: str, extension: str) -> str:
    """``transcripts/<slug>.<ext>``, ``ext`` one of :data:`TRANSCRIPT_EXTENSIONS`."""
    return f"{_TRANSCRIPTS_DIR}{slug}.{extension}"


def kind(key: str) -> FileKind:
    """The kind of the file published under ``key``."""
    if is_feed(key):
        return "feed"
    if key.startswith(_MEDIA_DIR):
        return "media"
    if key.endswith(".html"):
        return "page"
    return "asset"


def immutable(key: str) -> bool:
    """True for content-addressed keys (artwork and its renditions, media): what is
    published there never changes. Media published before keys were content-addressed
    (``media/<slug>.<ext>``) is no longer built, so it is never uploaded again either."""
    return key.startswith(_ARTWORK_DIR) or (
        key.startswith(_MEDIA_DIR) and media_slug(key) != _media_stem(key)
    )


def media_name(url: str) -> str:
    """The file name a media URL or key ends with: ``…/media/ep1-ab12….mp3?x=1`` ->
    ``ep1-ab12….mp3``."""
    parsed = weburl.parse(url)
    return posixpath.basename(parsed.path if parsed is not None else url.strip())


def media_slug(url: str) -> str:
    """The episode slug a media URL or key names, in either shape a feed may hold:
    ``media/<slug>-<sha256:16>.<ext>`` (today) or ``media/<slug>.<ext>`` (published before
    media keys were content-addressed). Whatever public URL it was published under, the slug
    tells an episode in a feed published earlier (the GUID guard, I-04)."""
    stem = _media_stem(url)
    hashed = _HASHED_MEDIA.match(stem)
    return hashed.group("slug") if hashed else stem


def _media_stem(url: str) -> str:
    return posixpath.splitext(media_name(url))[0]


# --- URLs -------------------------------------------------------------------------------


def url(public_url: str, key: str) -> str:
    """The URL apps and browsers reach ``key`` at; ``public_url`` always ends with "/"."""
    return public_url + key


def feed_url(public_url: str) -> str:
    """The URL of the feed."""
    return url(public_url, FEED_KEY)


def enclosure_url(media_url: str, prefix: str | None) -> str:
    """The URL the feed's ``<enclosure>`` names for audio published at ``media_url``: behind
    the show's ``enclosure_prefix`` (a measurement redirect such as ``https://op3.dev/e/``),
    written before the URL without its ``https://``, as OP3 and Podtrac document; the URL
    itself without a prefix."""
    if not prefix:
        return media_url
    return prefix + media_url.removeprefix("https://")


def public_url_of(address: str, key: str) -> str | None:
    """The public URL that ``address`` publishes ``key`` under (the inverse of :func:`url`),
    or None when ``address`` is not the URL of ``key``."""
    if key and address.endswith("/" + key):
        return address[: -len(key)]
    return None


# --- Content-Type -----------------------------------------------------------------------

FEED_TYPE: Final = "application/rss+xml"
"""The feed's media type: atom:link names it, and a served feed must carry it (D-07)."""
CHAPTERS_TYPE: Final = "application/json+chapters"
"""JSON chapters' media type, in podcast:chapters and on the wire (I-15)."""

_AUDIO_TYPES: Final[Mapping[str, str]] = {"mp3": "audio/mpeg", "m4a": "audio/x-m4a"}
_IMAGE_TYPES: Final[Mapping[str, str]] = {
    "jpg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
}
# A transcript's format as podcast:transcript names it (I-14), by its extension. The order is
# the order of preference when an episode has several.
_TRANSCRIPT_TYPES: Final[Mapping[str, str]] = {
    "vtt": "text/vtt",
    "srt": "application/x-subrip",
    "html": "text/html",
    "txt": "text/plain",
    "transcript.json": "application/json",
}
TRANSCRIPT_EXTENSIONS: Final = tuple(_TRANSCRIPT_TYPES)

_UTF8 = "; charset=utf-8"
# What a file is sent as, by its suffix. Text is always UTF-8, and says so.
_TYPES: Final[Mapping[str, str]] = {
    ".html": "text/html" + _UTF8,
    ".htm": "text/html" + _UTF8,
    ".css": "text/css" + _UTF8,
    ".vtt": "text/vtt" + _UTF8,
    ".srt": "application/x-subrip" + _UTF8,
    ".txt": "text/plain" + _UTF8,
    ".json": "application/json",
    ".xml": "application/xml",
    ".mp3": _AUDIO_TYPES["mp3"],
    ".m4a": _AUDIO_TYPES["m4a"],
    ".mp4": "video/mp4",
    ".jpg": _IMAGE_TYPES["jpg"],
    ".jpeg": _IMAGE_TYPES["jpg"],
    ".png": _IMAGE_TYPES["png"],
    ".gif": _IMAGE_TYPES["gif"],
    ".webp": _IMAGE_TYPES["webp"],
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
    ".js": "text/javascript" + _UTF8,
    ".ris": "application/x-research-info-systems" + _UTF8,
    ".bib": "application/x-bibtex" + _UTF8,
}
JSON_LD_TYPE: Final = "application/ld+json"
"""The type of a page's schema.org data block (never run: not a script type)."""
CSL_JSON_TYPE: Final = "application/vnd.citationstyles.csl+json"
"""CSL-JSON's media type, for the references download link."""
_UNKNOWN_TYPE = "application/octet-stream"
# The body of the WebSub publish ping sent after a publish (publisher.publish.notify).
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"


def content_type(key: str) -> str:
    """The Content-Type the file at ``key`` is published and served with."""
    if is_feed(key):
        return FEED_TYPE + _UTF8
    if key.startswith(_CHAPTERS_DIR) and key.endswith(".json"):
        return CHAPTERS_TYPE
    suffix = posixpath.splitext(key)[1].lower()
    if suffix in _TYPES:
        return _TYPES[suffix]
    guessed, _ = mimetypes.guess_type(key, strict=False)
    return guessed or _UNKNOWN_TYPE


# Other spellings of the audio types that feeds from other hosts carry, by format: read when
# a feed is imported (publisher import), never published.
_AUDIO_ALIASES: Final[Mapping[str, tuple[str, ...]]] = {
    "mp3": ("audio/mpeg", "audio/mp3", "audio/x-mp3", "audio/mpeg3", "audio/x-mpeg"),
    "m4a": ("audio/x-m4a", "audio/m4a", "audio/mp4", "audio/x-mp4", "audio/aac-mp4"),
}
_TRANSCRIPT_ALIASES: Final[Mapping[str, str]] = {"application/srt": "srt"}


def audio_format_of(given_type: str, address: str = "") -> AudioFormat | None:
    """The audio format an enclosure's ``type`` names, the spellings hosts use included; for
    an empty or generic type (``application/octet-stream``), the one the path of the URL
    ``address`` ends with. None: not MP3 or M4A audio (I-02)."""
    kind = given_type.strip().lower().split(";")[0].strip()
    for audio_format in AUDIO_FORMATS:
        if kind in _AUDIO_ALIASES[audio_format]:
            return audio_format
    if kind in ("", _UNKNOWN_TYPE):
        path = media_name(address).lower()
        return next((f for f in AUDIO_FORMATS if path.endswith("." + f)), None)
    return None


def transcript_extension_of(given_type: str) -> str | None:
    """The extension of a transcript whose podcast:transcript ``type`` is ``given_type``
    (I-14), spellings hosts use included; None for a format that is not published."""
    kind = given_type.strip().lower().split(";")[0].strip()
    by_type = {t: ext for ext, t in _TRANSCRIPT_TYPES.items()}
    return by_type.get(kind) or _TRANSCRIPT_ALIASES.get(kind)


def audio_type(audio_format: str) -> str:
    """The MIME type of ``"mp3"`` or ``"m4a"`` audio, as enclosures name it (I-02)."""
    return _AUDIO_TYPES[audio_format]


def image_type(extension: str) -> str:
    """The MIME type of a ``jpg`` (``jpeg``), ``png``, ``gif`` or ``webp`` image."""
    extension = extension.lower()
    return _IMAGE_TYPES["jpg" if extension == "jpeg" else extension]


def transcript_type(extension: str) -> str:
    """The format podcast:transcript names for a transcript with this extension (I-14)."""
    return _TRANSCRIPT_TYPES[extension]


# --- Cache-Control ----------------------------------------------------------------------

CACHE_CONTROL: Final[Mapping[FileKind | Literal["immutable"], str]] = {
    # The feed and pages change when an episode is added: apps and browsers re-check soon.
    "feed": "public, max-age=300",
    "page": "public, max-age=300",
    # Media published before keys were content-addressed; never uploaded again.
    "media": "public, max-age=86400",
    # CSS, chapters and transcripts: stable URLs, occasionally corrected.
    "asset": "public, max-age=3600",
    # Content-addressed artwork and media: new content gets a new URL, so the old one never
    # changes.
    "immutable": "public, max-age=31536000, immutable",
}
"""Cache-Control by kind of file; documented in docs/publishing.md."""

META_CACHE_CONTROL: Final = "no-store"
"""The manifest and the lock: never served from a cache."""


def cache_control(file_kind: FileKind, *, content_addressed: bool = False) -> str:
    """The Cache-Control a file of ``file_kind`` is published with."""
    return CACHE_CONTROL["immutable" if content_addressed else file_kind]
