"""The kinds of the fields ``publisher import`` writes: ``enclosure_prefix`` and
``imported_from`` in feed_config.yaml, ``enclosure`` and ``duration`` in front matter.

``enclosure`` and ``duration`` describe the old host's file of an episode imported with
``--keep-remote-media``; they are published as given (I-02, I-08), never measured.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from publisher import layout
from publisher.config.schema import Context, Kind, Mismatch, check_keys
from publisher.config.targets import ASCII_URL_HINT, is_http_url

# The enclosure types a remote file may have (the layout's audio types) -> its format.
REMOTE_TYPES = {layout.audio_type(f): f for f in layout.AUDIO_FORMATS}
PREFIX_HINT = "e.g. https://op3.dev/e/ or https://dts.podtrac.com/redirect.mp3/"
ENCLOSURE_EXAMPLE = (
    "enclosure: {url: https://media.example.com/episode-1.mp3, length: 12345678, "
    f"type: {next(iter(REMOTE_TYPES))}}}"
)


@dataclass(frozen=True)
class RemoteEnclosure:
    """The old host's file as a note's ``enclosure:`` gives it: its absolute ASCII http(s)
    URL, its length in bytes and its MIME type (a key of ``REMOTE_TYPES``)."""

    url: str
    length: int
    type: str

    @property
    def extension(self) -> str:
        """``mp3`` or ``m4a``, as ``type`` says."""
        return REMOTE_TYPES[self.type]


def _enclosure(value: Any, context: Context) -> RemoteEnclosure | None:
    if not isinstance(value, dict):
        raise Mismatch
    check_keys(value, ("url", "length", "type"), context.fail)
    url, length, mime = value.get("url"), value.get("length"), value.get("type")
    ok = True
    if not isinstance(url, str) or not is_http_url(url):
        context.fail(
            "'enclosure.url' must be an absolute http(s) URL [I-02]",
            "url",
            hint="write the old host's address of the file, e.g. "
            "'url: https://media.example.com/episode-1.mp3'",
        )
        ok = False
    elif not url.isascii():
        context.fail("'enclosure.url' must be ASCII [D-05]", "url", hint=ASCII_URL_HINT)
        ok = False
    if isinstance(length, bool) or not isinstance(length, int) or length < 1:
        context.fail(
            "'enclosure.length' must be the file's size in bytes [I-02]",
            "length",
            hint="write e.g. 'length: 12345678', as the old feed gave it",
        )
        ok = False
    if mime not in REMOTE_TYPES:
        context.fail(
            f"'enclosure.type' must be {' or '.join(REMOTE_TYPES)} [I-02]",
            "type",
            hint=f"write e.g. 'type: {next(iter(REMOTE_TYPES))}'",
        )
        ok = False
    if not ok or not isinstance(length, int):
        return None
    return RemoteEnclosure(str(url).strip(), length, str(mime))


def _seconds(value: Any, _: Context) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise Mismatch
    return float(value)


def _prefix(value: Any, context: Context) -> str | None:
    if not isinstance(value, str):
        raise Mismatch
    prefix = value.strip()
    if not (is_http_url(prefix) and prefix.isascii()):
        context.fail(
            "'enclosure_prefix' must be an absolute http(s) URL in ASCII [D-05]", hint=PREFIX_HINT
        )
        return None
    if not prefix.endswith("/"):
        context.fail(
            "'enclosure_prefix' must end with '/'; each enclosure URL follows it",
            hint=f"write '{prefix}/'",
        )
        return None
    return prefix


def old_feed_url(text: str) -> str | None:
    """The check of ``imported_from``: None for an absolute ASCII http(s) URL."""
    return None if is_http_url(text) and text.isascii() else "must be the old feed's http(s) URL"


ENCLOSURE = Kind("a mapping of url, length and type", _enclosure)
SECONDS = Kind("the audio's length in seconds", _seconds)
PREFIX = Kind("an absolute http(s) URL ending in '/'", _prefix)
