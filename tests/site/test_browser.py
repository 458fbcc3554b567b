"""The built site in a real Chromium, served by ``publisher serve``, used as a listener would."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import imageio_ffmpeg
import pytest
from playwright import sync_api

from publisher.episodes import body_digest
from publisher.model import (
    AudioInfo,
    Category,
    Chapter,
    Episode,
    Item,
    ItemLinks,
    Owner,
    RenderedNotes,
    Show,
    ShowLinks,
)
from publisher.serve import make_server
from publisher.site.render import render_site
from tests.support.browser import PageWatch
from tests.support.tools import CHROMIUM, CHROMIUM_ARGS, needs_chromium

pytestmark = needs_chromium
HOSTILE_TITLE = '<script>window.pwned=1</script><img src=x onerror="window.pwned=1">'
# What a broken sanitiser could let through; the page's CSP must still stop it.
HOSTILE_NOTES = (
    '<p>Notes.<img src="data:," onerror="window.pwned=1"></p><script>window.pwned=1</script>'
    '<a href="javascript:window.pwned=1" id="js-link">click</a>'
)
SECONDS = 4


def _notes() -> str:
    filler = "".join(
        f"<p>Paragraph {i} of the discussion, long enough to scroll.</p>" for i in range(60)
    )
    table = (  # as markdown-it writes an aligned table
        '<table><thead><tr><th>Finding</th><th style="text-align:right">Age 50</th></tr></thead>'
        '<tbody><tr><td>Disc bulge</td><td style="text-align:right">60%</td></tr></tbody></table>'
    )
    return (
        table + "<p>Imaging finds degeneration in people without pain."
        '<sup><a href="#ref-1" id="cite-1">1</a></sup></p>'
        + filler
        + '<h2>References</h2><ol class="references"><li id="ref-1">Brinjikji W, et al. '
        '<a href="https://doi.org/10.3174/ajnr.A4173">doi:10.3174/ajnr.A4173</a></li></ol>'
    )


def _ffmpeg(*args: str) -> None:
    exe = imageio_ffmpeg.get_ffmpeg_exe()
    subprocess.run([exe, "-loglevel", "error", "-y", *args], check=True, timeout=60)


@dataclass
class Site:
    root: Path
    base: str
    server: ThreadingHTTPServer
    media_requests: list[tuple[str, int, str | None]] = field(default_factory=list)


def _item(
    base: str, slug: str, title: str, summary: str, notes: str, media: Path, **kw: Any
) -> Item:
    audio = AudioInfo(
        source=media,
        size=media.stat().st_size,
        mime_type="audio/mpeg",
        extension="mp3",
        duration=float(SECONDS),
        chapters=(Chapter(0.0, "Intro"), Chapter(2.0, "Evidence")),
    )
    episode = Episode(
        slug=slug,
        source=Path(f"show_notes/{slug}.md"),
        audio=audio,
        title=title,
        date=kw.pop("date"),
        guid=slug,
        body_sha256=body_digest(""),
        body_line=1,
        summary=summary,
        episode=kw.pop("number"),
    )
    links = ItemLinks(
        page_key=f"episodes/{slug}.html",
        page_url=f"{base}episodes/{slug}.html",
        media_key=f"media/{slug}.mp3",
        media_url=f"{base}media/{slug}.mp3",
    )
    return Item(episode, RenderedNotes(episode.source, notes, "", ""), links)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    root = tmp_path_factory.mktemp("public")
    server = make_server(root, "127.0.0.1", 0)  # bound first: the pages need its URL
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    (root / "media").mkdir()
    (root / "artwork").mkdir()
    _ffmpeg(
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=600x600",
        "-frames:v",
        "1",
        str(root / "artwork/cover.jpg"),
    )
    for slug in ("ep1", "ep2"):
        _ffmpeg(
            "-f", "lavfi", "-i", f"sine=frequency=440:duration={SECONDS}",
            "-ac", "1", "-ar", "22050", "-b:a", "32k", str(root / f"media/{slug}.mp3"),
        )  # fmt: skip
    show = Show(
        source=Path("feed_config.yaml"),
        root=Path("."),
        title="Evidence Matters",
        description="Short, careful episodes about what the evidence says.",
        author="Dr A. Author",
        owner=Owner("A. Author", "a@example.org"),
        language="en",
        categories=(Category("Science"),),
        explicit=False,
        image=Path("cover.jpg"),
        timezone="UTC",
        targets=(),
        default_target="local",
    )
    links = ShowLinks(base, base + "feed.xml", base + "artwork/cover.jpg", "artwork/cover.jpg")
    items = [
        _item(base, "ep2", HOSTILE_TITLE, HOSTILE_TITLE, HOSTILE_NOTES, root / "media/ep2.mp3",
              date=datetime(2024, 5, 1, tzinfo=UTC), number=2),
        _item(base, "ep1", "Imaging and back pain", "What scans show.", _notes(),
              root / "media/ep1.mp3", date=datetime(2024, 4, 1, tzinfo=UTC), number=1),
    ]  # fmt: skip
    for key, content in render_site(show, links, items):
        (root / key).parent.mkdir(parents=True, exist_ok=True)
        (root / key).write_bytes(content)
    (root / "feed.xml").write_bytes(b"<?xml version='1.0'?><rss version='2.0'><channel/></rss>\n")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Site(root, base, server)
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    playwright = sync_api.sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    finally:
        playwright.stop()


@pytest.fixture
def watched(browser: Any) -> Iterator[PageWatch]:
    context = browser.new_context(viewport={"width": 1000, "height": 800})
    yield PageWatch(context.new_page())
    context.close()


def test_index_lists_episodes_with_a_visible_feed_link(site: Site, watched: PageWatch) -> None:
    page = watched.page
    page.goto(site.base)
    titles = page.locator(".episode-list h3 a").all_inner_texts()
    assert titles == [HOSTILE_TITLE, "Imaging and back pain"]
    feed = page.locator(".subscribe-box").get_by_role("link", name="RSS feed")
    assert feed.is_visible()
    assert feed.get_attribute("href") == site.base + "feed.xml"
    assert page.locator("code.copy").inner_text() == site.base + "feed.xml"
    # the stylesheet and the artwork loaded despite the CSP
    assert page.evaluate("getComputedStyle(document.body).maxWidth") != "none"
    assert page.evaluate("document.querySelector('img.artwork').naturalWidth") == 600
    assert watched.errors == []


def test_clicking_an_episode_opens_its_page(site: Site, watched: PageWatch) -> None:
    page = watched.page
    page.goto(site.base)
    page.get_by_role("link", name="Imaging and back pain", exact=True).click()
    page.wait_for_url(site.base + "episodes/ep1.html")
    assert page.locator("main h1").inner_text() == "Imaging and back pain"
    page.get_by_role("navigation", name="Site").get_by_role("link", name="All episodes").click()
    page.wait_for_url(site.base + "all/index.html")
    assert watched.errors == []


def test_audio_loads_nothing_until_played_then_plays_and_seeks(
    site: Site, watched: PageWatch
) -> None:
    page = watched.page
    page.goto(site.base + "episodes/ep1.html")
    page.wait_for_load_state("networkidle")
    media_url = site.base + "media/ep1.mp3"
    assert [r for r in watched.responses if r.url == media_url] == []  # preload="none"
    audio = page.locator("audio")
    assert audio.get_attribute("preload") == "none"
    assert page.evaluate("document.querySelector('audio').readyState") == 0  # HAVE_NOTHING

    # muted playback needs no user gesture, so this is what a click on play does
    page.evaluate(
        "() => { const a = document.querySelector('audio'); a.muted = true; return a.play(); }"
    )
    page.wait_for_function(
        "() => Number.isFinite(document.querySelector('audio').duration)", timeout=10_000
    )
    duration = page.evaluate("document.querySelector('audio').duration")
    assert abs(duration - SECONDS) < 0.5
    page.wait_for_function("() => document.querySelector('audio').currentTime > 0", timeout=10_000)
    page.evaluate(
        """() => new Promise(resolve => {
            const a = document.querySelector('audio');
            a.addEventListener('seeked', () => resolve(a.currentTime), {once: true});
            a.currentTime = 3;
        })"""
    )
    assert page.evaluate("document.querySelector('audio').currentTime") >= 3
    statuses = [r.status for r in watched.responses if r.url == media_url]
    assert 206 in statuses, statuses
    assert watched.errors == []


def test_citation_links_jump_to_the_reference(site: Site, watched: PageWatch) -> None:
    page = watched.page
    page.goto(site.base + "episodes/ep1.html")
    page.locator('sup a[href="#ref-1"]').click()
    page.wait_for_url(site.base + "episodes/ep1.html#ref-1")
    assert page.evaluate("document.querySelector(':target').id") == "ref-1"
    page.wait_for_function(
        "() => { const r = document.getElementById('ref-1').getBoundingClientRect();"
        " return r.top >= 0 && r.bottom <= innerHeight; }",
        timeout=5_000,
    )
    assert watched.errors == []


def test_table_alignment_applies_without_csp_errors(site: Site, watched: PageWatch) -> None:
    page = watched.page
    page.goto(site.base + "episodes/ep1.html")
    cells = page.locator(".notes td")
    assert cells.nth(0).evaluate("e => getComputedStyle(e).textAlign") in ("left", "start")
    assert cells.nth(1).evaluate("e => getComputedStyle(e).textAlign") == "right"
    assert watched.errors == []


def test_hostile_titles_and_notes_never_execute(site: Site, watched: PageWatch) -> None:
    page = watched.page
    for path in ("", "episodes/ep2.html"):
        page.goto(site.base + path)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("typeof window.pwned") == "undefined", path
    assert page.locator("main h1").inner_text() == HOSTILE_TITLE  # shown as text
    page.locator("#js-link").click()
    assert page.evaluate("typeof window.pwned") == "undefined"
    # the CSP is what stopped the notes' script and handler (and says so in the console)
    assert any("Content Security Policy" in e for e in watched.errors)


def test_pages_work_from_file_urls(site: Site, watched: PageWatch) -> None:
    page = watched.page
    page.goto((site.root / "index.html").as_uri())
    assert page.evaluate("getComputedStyle(document.body).maxWidth") != "none"
    assert page.evaluate("document.querySelector('img.artwork').naturalWidth") == 600
    page.get_by_role("link", name="Imaging and back pain", exact=True).click()
    page.wait_for_url((site.root / "episodes" / "ep1.html").as_uri())
    assert page.evaluate("document.querySelector('img.artwork').naturalWidth") == 600
    assert watched.errors == []


def test_keyboard_skip_link_reaches_main(site: Site, watched: PageWatch) -> None:
    page = watched.page
    page.goto(site.base + "episodes/ep1.html")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip")
    assert page.evaluate("document.activeElement.className") == "skip"
    box = skip.bounding_box()
    assert box is not None and box["y"] >= 0  # shown when focused
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"
    page.keyboard.press("Enter")
    page.wait_for_url(site.base + "episodes/ep1.html#main")
    assert page.evaluate("document.activeElement.id") == "main"


def test_layout_fits_a_phone_in_dark_mode(site: Site, browser: Any, tmp_path: Path) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740}, color_scheme="dark")
    try:
        page = context.new_page()
        for path in ("", "episodes/ep1.html", "episodes/ep2.html"):
            page.goto(site.base + path)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 360, f"{path or 'index'} scrolls sideways: {width}px"
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(22, 23, 26)"
        page.screenshot(path=str(tmp_path / "phone-dark.png"), full_page=True)
    finally:
        context.close()


class _SlowIconHandler(BaseHTTPRequestHandler):
    """Two pages; the icon of the first is answered only once the test has left that page."""

    server: _SlowIconServer

    def do_GET(self) -> None:
        if self.path == "/icon.png":
            self.server.icon_requested.set()
            self.server.release.wait(30)
            body, ctype = self.server.icon, "image/png"
        elif self.path in ("/a.html", "/b.html"):
            body, ctype = self.server.pages[self.path].encode(), "text/html; charset=utf-8"
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(OSError):  # the browser gave up on the icon: the point here
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _SlowIconServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, pages: dict[str, str], icon: bytes) -> None:
        super().__init__(("127.0.0.1", 0), _SlowIconHandler)
        self.pages, self.icon = pages, icon
        self.icon_requested, self.release = threading.Event(), threading.Event()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def test_watch_ignores_only_requests_left_behind_by_a_navigation(site: Site, browser: Any) -> None:
    # Chromium fetches <link rel="icon"> after the load event, so a click right after load
    # cancels it (what made test_clicking_an_episode_opens_its_page fail now and then). Here
    # the icon is held back until the click, so the cancel happens every time.
    broken = f"http://127.0.0.1:{_closed_port()}/nothing.png"
    pages = {
        "/a.html": '<!doctype html><title>a</title><link rel="icon" href="/icon.png">'
        '<a href="/b.html">next</a>',
        "/b.html": '<!doctype html><title>b</title><link rel="icon" href="data:,">'
        f'<img src="{broken}" alt="">',
    }
    server = _SlowIconServer(pages, (site.root / "artwork/cover.jpg").read_bytes())
    base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    context = browser.new_context()
    try:
        watch = PageWatch(context.new_page())
        watch.page.goto(base + "/a.html")
        assert server.icon_requested.wait(10), "Chromium never asked for the page's icon"
        with watch.page.expect_event("requestfailed", lambda r: r.url == base + "/icon.png"):
            watch.page.get_by_role("link", name="next").click()
        watch.page.wait_for_url(base + "/b.html")
        assert watch.page.evaluate("document.images[0].complete")  # its failure is reported
    finally:
        server.release.set()
        context.close()
        server.shutdown()
        server.server_close()
        thread.join(5)
    assert watch.left_behind == [base + "/icon.png"]
    assert sorted(watch.errors) == [  # a real failure still counts, in the console too
        "Failed to load resource: net::ERR_CONNECTION_REFUSED",
        f"failed: {broken} (net::ERR_CONNECTION_REFUSED)",
    ]
