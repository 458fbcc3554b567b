"""An HTML transcript (often from a third-party service) is published sanitised, never
verbatim: on the show's own origin, ``<img src=x onerror=…>`` would run script. Other files
published as they are cannot carry script: text types (nosniff where we serve), validated
JSON, artwork only JPEG or PNG."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright import sync_api

from publisher import build, layout
from publisher.errors import PublisherError
from publisher.publish import run as deploy
from publisher.serve import make_server
from tests.support.show import FIXED_NOW
from tests.support.tools import CHROMIUM, CHROMIUM_ARGS, needs_chromium

SLUG = "2026-09-01-imaging-without-pain"
HOSTILE = """<!doctype html><html><head><title>evil title</title>
<script>window.pwned = "script"</script><style>body{display:none}</style></head><body>
<cite>Host:</cite> <time datetime="PT0S">0:00</time>
<p>Welcome to the show.<img src=x onerror="window.pwned = 'onerror'"></p>
<p onmouseover="window.pwned = 'hover'"><a href="javascript:window.pwned='link'">a link</a>
<a href="https://example.org/ok">a good link</a></p>
<svg onload="window.pwned = 'svg'"><circle r="1"/></svg>
<iframe src="javascript:parent.pwned='frame'"></iframe>
<object data="x.swf"></object><form action="https://evil.example/"><input name=q></form>
<cite>Guest:</cite> <time datetime="PT5S">0:05</time><p>Thanks for having me.</p>
</body></html>
"""


def with_html_transcript(show: Path) -> Path:
    (show / "episodes" / f"{SLUG}.html").write_text(HOSTILE, encoding="utf-8")
    return show


def test_an_html_transcript_is_published_sanitised(sample_show: Path) -> None:
    built = build.build(with_html_transcript(sample_show), now=FIXED_NOW, guid_mode="refuse")
    key = layout.transcript_key(SLUG, "html")
    assert key != layout.transcript_page_key(SLUG)  # no collision with the site's page
    f = built.file(key)
    assert f.content_type == "text/html; charset=utf-8"
    text = f.path.read_text(encoding="utf-8")
    for gone in (
        "<script",
        "onerror",
        "onmouseover",
        "javascript:",
        "<svg",
        "onload",
        "<iframe",
        "<object",
        "<form",
        "<input",
        "<style",
        "display:none",
        "evil title",
    ):
        assert gone not in text, gone  # fmt: skip
    for kept in (
        "<cite>Host:</cite>",
        '<time datetime="PT0S">0:00</time>',
        "<p>Thanks for having me.</p>",
        '<a href="https://example.org/ok">',
    ):
        assert kept in text, kept  # fmt: skip
    assert "Content-Security-Policy" in text and "default-src 'none'" in text
    # the feed names it as an HTML transcript, at that key
    feed = built.file(layout.FEED_KEY).path.read_text(encoding="utf-8")
    assert f'url="{layout.url(built.target.public_url, key)}" type="text/html"' in feed


def test_artwork_that_is_not_jpeg_or_png_is_refused(sample_show: Path) -> None:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)" width="3000"/>'
    (sample_show / "episodes" / f"{SLUG}.svg").write_bytes(svg)
    note = sample_show / "show_notes" / f"{SLUG}.md"
    text = note.read_text(encoding="utf-8")
    note.write_text(text.replace("\nseason:", f"\nimage: ../episodes/{SLUG}.svg\nseason:", 1))
    with pytest.raises(PublisherError) as info:
        build.check(sample_show, now=FIXED_NOW)
    assert "not a readable image" in str(info.value) and "[C-03]" in str(info.value)


@pytest.fixture
def served(sample_show: Path) -> Iterator[str]:
    show = with_html_transcript(sample_show)
    deploy.publish(build.build(show, now=FIXED_NOW, guid_mode="refuse"))
    server = make_server(show / "public", "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@needs_chromium
def test_no_script_runs_in_the_published_transcript(served: str) -> None:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page: Any = browser.new_page()
            dialogs: list[str] = []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            response = page.goto(served + layout.transcript_key(SLUG, "html"))
            assert response is not None and response.status == 200
            assert response.headers["x-content-type-options"] == "nosniff"
            page.wait_for_load_state("load")
            page.hover("p")
            page.click("text=a link")
            assert page.evaluate("window.pwned") is None
            assert dialogs == []
            assert "Thanks for having me." in page.inner_text("body")
        finally:
            browser.close()
