"""The sample show's whole site in a real Chromium, served by ``publisher serve`` as a
listener would use it: every page type, chapters that seek, search, downloads, square art."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urljoin
from urllib.request import urlopen

import pytest
from playwright import sync_api
from pybtex.database import parse_string

from publisher import build, serve
from publisher.publish import run as deploy
from tests.support.show import FIXED_NOW, copy_show
from tests.support.sitebuild import local_target
from tests.support.tools import CHROMIUM, CHROMIUM_ARGS, needs_chromium

pytestmark = needs_chromium
GUIDELINES = "episodes/2026-10-01-what-guidelines-advise"
PAGE_TYPES = [
    "index.html",
    "all/1.html",
    "archive/index.html",
    "archive/2026-09.html",
    "seasons/1.html",
    GUIDELINES + ".html",
    GUIDELINES + ".transcript.html",
    "404.html",
]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    show = copy_show(tmp_path_factory.mktemp("site") / "show")
    public = show / "public"
    public.mkdir()
    server = serve.make_server(public, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.server_address[1]}/"  # served on its own public URL
    target = local_target(public, url)
    deploy.publish(
        build.build(show, now=FIXED_NOW, target=target, guid_mode="refuse"), verify=False
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield url
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


def open_page(browser: Any, url: str, width: int = 1280) -> tuple[Any, Any, list[str]]:
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url, wait_until="load")
    return context, page, errors


@pytest.mark.parametrize("key", PAGE_TYPES)
def test_every_page_type_renders_without_console_errors(
    base_url: str, browser: Any, key: str
) -> None:
    context, page, errors = open_page(browser, base_url + key)
    try:
        assert page.locator("h1").count() == 1
        page.wait_for_load_state("networkidle")
    finally:
        context.close()
    assert errors == []


@pytest.mark.parametrize("width", [390, 768, 1280])
@pytest.mark.parametrize("key", ["index.html", GUIDELINES + ".html"])
def test_cover_art_is_square_at_every_width(
    base_url: str, browser: Any, width: int, key: str
) -> None:
    context, page, _ = open_page(browser, base_url + key, width)
    try:
        box = page.locator("img.artwork").first.bounding_box()
        natural = page.evaluate("() => document.querySelector('img.artwork').currentSrc")
    finally:
        context.close()
    assert box is not None and abs(box["width"] - box["height"]) < 1, box
    assert box["width"] >= 100
    assert re.search(r"-(160|320|640)\.jpg$", natural), natural  # never the full-size image


def test_a_chapter_link_seeks_the_player(base_url: str, browser: Any) -> None:
    context, page, errors = open_page(
        browser, base_url + "episodes/2026-09-01-imaging-without-pain.html"
    )
    try:
        links = page.locator("a.seek")
        assert links.count() >= 2
        target = float(links.nth(1).get_attribute("data-seek") or "0")
        assert target > 0
        links.nth(1).click()
        page.wait_for_function(
            f"() => document.getElementById('player').currentTime >= {target - 0.5}"
        )
        assert page.url.endswith(".html")  # no navigation to the audio file
    finally:
        context.close()
    assert errors == []


def test_search_finds_a_word_of_one_episode_and_links_to_it(base_url: str, browser: Any) -> None:
    context, page, errors = open_page(browser, base_url + "archive/index.html")
    try:
        box = page.locator("form.search input[type=search]")
        box.wait_for(state="visible")
        box.fill("paracetamol")  # in that episode's notes only
        result = page.locator("form.search output a").first
        result.wait_for(state="visible", timeout=10_000)
        links = [a.get_attribute("href") for a in page.locator("form.search output a").all()]
        result.click()
        page.wait_for_load_state("load")
        url = page.url
    finally:
        context.close()
    assert errors == []
    assert len(links) == 1
    assert url == base_url + GUIDELINES + ".html"


def test_search_box_is_hidden_without_script(base_url: str, browser: Any) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(base_url + "index.html")
        assert not page.locator("form.search").is_visible()
        assert page.locator("audio").count() >= 1
    finally:
        context.close()


def test_reference_downloads_hold_every_doi_of_the_page(base_url: str, browser: Any) -> None:
    context, page, _ = open_page(browser, base_url + GUIDELINES + ".html")
    try:
        dois = set(
            re.sub(r"^https://doi\.org/", "", a.get_attribute("href") or "").lower()
            for a in page.locator('section.notes a[href^="https://doi.org/"]').all()
        )
        hrefs = {
            a.inner_text(): a.get_attribute("href") for a in page.locator("p.take-away a").all()
        }
        coins = [parse_qs(s.get_attribute("title") or "") for s in page.locator("span.Z3988").all()]
    finally:
        context.close()
    assert dois
    page_url = base_url + GUIDELINES + ".html"
    ris = urlopen(urljoin(page_url, hrefs["RIS"])).read().decode()
    bib = parse_string(urlopen(urljoin(page_url, hrefs["BibTeX"])).read().decode(), "bibtex")
    assert {d.lower() for d in re.findall(r"^DO  - (.+?)\r$", ris, re.M)} == dois
    assert {e.fields["doi"].lower() for e in bib.entries.values() if "doi" in e.fields} == dois
    coin_dois = {
        i.removeprefix("info:doi/").lower()
        for c in coins
        for i in c["rft_id"]
        if i.startswith("info:doi/")
    }
    assert coin_dois == dois
    assert all(c["ctx_ver"] == ["Z39.88-2004"] for c in coins)
