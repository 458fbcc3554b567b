"""``publisher/weburl.py`` is the one URL parser: no other module splits or joins a URL with
``urllib.parse`` (which raises ``ValueError`` on ``http://[x/`` and bad ports), so a bad URL in
a show is a reported problem, never a traceback."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from publisher import layout
from publisher.config.identity import is_public, is_public_https
from publisher.importer.legacy import fetchable, is_https
from publisher.importer.source import is_url
from publisher.stores.s3errors import redact
from tests.support.paths import ROOT

PARSERS = {"urlsplit", "urlparse", "urljoin", "urlunsplit", "urlunparse", "urldefrag"}


def parser_uses(path: Path) -> list[str]:
    """``line: name`` for each import or attribute use of a urllib.parse URL parser."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module == "urllib.parse":
            found += [f"{node.lineno}: {a.name}" for a in node.names if a.name in PARSERS]
        elif isinstance(node, ast.Attribute) and node.attr in PARSERS:
            found.append(f"{node.lineno}: .{node.attr}")
    return found


def test_only_weburl_parses_urls() -> None:
    package = ROOT / "publisher"
    offenders = {
        str(path.relative_to(ROOT)): uses
        for path in sorted(package.rglob("*.py"))
        if path != package / "weburl.py" and (uses := parser_uses(path))
    }
    assert offenders == {}
    assert parser_uses(package / "weburl.py")  # the check sees an import when there is one


BAD = ["http://[x/a.mp3", "http://127.0.0.1:80]0/a.mp3", "https://host:99999/a.mp3"]


@pytest.mark.parametrize("url", BAD)
def test_urls_urllib_refuses_are_answered_not_raised(url: str) -> None:
    assert layout.media_name(url) == "a.mp3"
    assert layout.audio_format_of("", url) == "mp3"
    assert not is_public(url) and not is_public_https(url)
    assert not fetchable(url) and not is_https(url) and not is_url(url)
    assert redact(url) == url
