"""The site layout has one owner: every published key pattern, URL and Content-Type is spelt
in publisher/layout.py and nowhere else, and it answers for each kind of file."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from publisher import layout

PACKAGE = Path(layout.__file__).parent
MIME = re.compile(r"\b(?:audio|video|image|text|application)/[a-z0-9.+-]+")
KEY_PREFIXES = ("media/", "episodes/", "artwork/", "chapters/", "transcripts/", ".publisher/")
KEY_NAMES = ("feed.xml", "index.html", "style.css", "manifest.json", "lock.json")


def literals(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """Every string constant in code (f-string parts included), docstrings left out."""
    docstrings = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        first = body[0] if isinstance(body, list) and body else None
        if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
            docstrings.add(id(first.value))
    for node in ast.walk(tree):
        is_text = isinstance(node, ast.Constant) and isinstance(node.value, str)
        if is_text and id(node) not in docstrings:
            yield node.lineno, node.value


def spelt_outside_layout() -> list[str]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == PACKAGE / "layout.py":
            continue
        for line, text in literals(ast.parse(path.read_text(encoding="utf-8"))):
            where = f"{path.relative_to(PACKAGE.parent)}:{line}: {text!r}"
            if MIME.search(text) or text.startswith(KEY_PREFIXES) or text in KEY_NAMES:
                found.append(where)
    for path in sorted((PACKAGE / "site" / "templates").glob("*.html")):
        for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if any(f"'{name}'" in text or f'"{name}"' in text for name in KEY_NAMES):
                found.append(f"{path.relative_to(PACKAGE.parent)}:{n}: {text.strip()}")
    return found


def test_keys_and_content_types_are_spelt_in_layout_only() -> None:
    assert spelt_outside_layout() == []


def test_the_check_itself_finds_what_it_looks_for() -> None:
    tree = ast.parse('"""Docs may say audio/mpeg."""\nx = f"media/{slug}.mp3"\ny = "text/html"\n')
    assert sorted(text for _, text in literals(tree)) == [".mp3", "media/", "text/html"]


@pytest.mark.parametrize(
    ("key", "content_type"),
    [
        ("feed.xml", "application/rss+xml; charset=utf-8"),
        ("index.html", "text/html; charset=utf-8"),
        ("episodes/ep1.html", "text/html; charset=utf-8"),
        ("style.css", "text/css; charset=utf-8"),
        ("media/ep1.mp3", "audio/mpeg"),
        ("media/ep1.m4a", "audio/x-m4a"),
        ("artwork/0123456789abcdef.jpg", "image/jpeg"),
        ("artwork/0123456789abcdef.png", "image/png"),
        ("chapters/ep1.json", "application/json+chapters"),
        ("transcripts/ep1.vtt", "text/vtt; charset=utf-8"),
        ("transcripts/ep1.srt", "application/x-subrip; charset=utf-8"),
        ("transcripts/ep1.txt", "text/plain; charset=utf-8"),
        ("transcripts/ep1.html", "text/html; charset=utf-8"),
        ("transcripts/ep1.transcript.json", "application/json"),
        (".publisher/manifest.json", "application/json"),
        ("notes.bin", "application/octet-stream"),
    ],
)
def test_content_type_of_each_key(key: str, content_type: str) -> None:
    assert layout.content_type(key) == content_type


def test_keys_urls_and_kinds() -> None:
    base = "https://cdn.example.org/show/"
    key = layout.media_key("ep1", "mp3")
    assert key == "media/ep1.mp3" and layout.kind(key) == "media"
    assert layout.url(base, key) == base + "media/ep1.mp3"
    assert layout.public_url_of(base + key, key) == base
    assert layout.public_url_of(base + "other.mp3", key) is None
    assert layout.media_name(base + key + "?x=1") == layout.media_name(key) == "ep1.mp3"
    assert layout.kind(layout.page_key("ep1")) == "page"
    assert layout.kind(layout.FEED_KEY) == "feed" and layout.feed_url(base) == base + "feed.xml"
    art = layout.artwork_key(b"art", "png")
    assert re.fullmatch(r"artwork/[0-9a-f]{16}\.png", art) and layout.immutable(art)
    assert layout.kind(art) == "asset" and not layout.immutable(layout.chapters_key("ep1"))
    assert layout.transcript_key("ep1", "transcript.json") == "transcripts/ep1.transcript.json"
    assert layout.transcript_type("srt") == "application/x-subrip"
    assert layout.audio_type("m4a") == "audio/x-m4a" and layout.image_type("jpeg") == "image/jpeg"


def test_cache_control_by_kind() -> None:
    assert layout.cache_control("feed") == "public, max-age=300"
    assert layout.cache_control("media") == "public, max-age=86400"
    assert layout.cache_control("asset", content_addressed=True) == (
        "public, max-age=31536000, immutable"
    )
    assert layout.META_CACHE_CONTROL == "no-store"


def test_an_enclosure_url_behind_a_measurement_prefix() -> None:
    url = "https://cdn.example.org/show/media/ep1.mp3"
    assert layout.enclosure_url(url, None) == layout.enclosure_url(url, "") == url
    assert layout.enclosure_url(url, "https://op3.dev/e/") == (
        "https://op3.dev/e/cdn.example.org/show/media/ep1.mp3"
    )
    plain = "http://127.0.0.1:8000/media/ep1.mp3"  # OP3 and Podtrac keep an http:// scheme
    assert layout.enclosure_url(plain, "https://dts.podtrac.com/redirect.mp3/") == (
        "https://dts.podtrac.com/redirect.mp3/http://127.0.0.1:8000/media/ep1.mp3"
    )


@pytest.mark.parametrize(
    ("given", "url", "audio_format"),
    [("audio/mpeg", "", "mp3"), ("Audio/MP3; charset=x", "", "mp3"), ("audio/x-mpeg", "", "mp3"),
     ("audio/x-m4a", "", "m4a"), ("audio/mp4", "", "m4a"), ("audio/aac-mp4", "", "m4a"),
     ("", "https://x/a.M4A?x=1", "m4a"), ("application/octet-stream", "https://x/a.mp3", "mp3"),
     ("application/octet-stream", "https://x/a.ogg", None), ("audio/ogg", "https://x/a.mp3", None),
     ("video/mp4", "https://x/a.m4a", None)],
)  # fmt: skip
def test_the_audio_format_a_feed_names(given: str, url: str, audio_format: str | None) -> None:
    assert layout.audio_format_of(given, url) == audio_format


def test_the_transcript_format_a_feed_names() -> None:
    for ext in layout.TRANSCRIPT_EXTENSIONS:
        assert layout.transcript_extension_of(layout.transcript_type(ext)) == ext
    assert layout.transcript_extension_of(" Application/SRT ") == "srt"
    assert layout.transcript_extension_of("application/pdf") is None
