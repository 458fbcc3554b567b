"""Search over an index in parts, in a real Chromium: the sample show built with one episode a
part (three Pagefind bundles, listed by pagefind/parts.json) and served by ``publisher serve``.
One search box finds a word of the oldest part's episode and one of the newest part's, under
the site's Content-Security-Policy."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from playwright import sync_api

from publisher import build, layout, serve
from publisher.publish import run as deploy
from tests.support.browser import PageWatch
from tests.support.show import FIXED_NOW, copy_show
from tests.support.sitebuild import local_target
from tests.support.tools import CHROMIUM, CHROMIUM_ARGS, needs_chromium

pytestmark = needs_chromium
OLDEST = "episodes/2026-09-01-imaging-without-pain.html"
NEWEST = "episodes/2026-10-01-what-guidelines-advise.html"


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    show = copy_show(tmp_path_factory.mktemp("parts") / "show")
    public = show / "public"
    public.mkdir()
    server = serve.make_server(public, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    built = build.build(
        show, now=FIXED_NOW, target=local_target(public, url), guid_mode="refuse", search_part=1
    )
    deploy.publish(built, verify=False)
    parts = json.loads((public / layout.SEARCH_PARTS_KEY).read_bytes())["parts"]
    assert parts == ["part-0001/", "part-0002/", "part-0003/"]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield url
    server.shutdown()
    server.server_close()


def _results(page: Any, word: str) -> list[str]:
    box = page.locator("form.search input[type=search]")
    box.fill(word)
    output = page.locator("form.search output")
    output.locator("p").wait_for(state="visible", timeout=10_000)
    page.wait_for_function(
        "w => document.querySelector('input[type=search]').value === w"
        " && document.querySelector('form.search output p') !== null",
        arg=word,
    )
    return [str(a.get_attribute("href")) for a in output.locator("a").all()]


def test_one_box_finds_words_of_the_first_and_the_last_part(base_url: str) -> None:
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page()
        watch = PageWatch(page)
        page.goto(base_url + "archive/index.html", wait_until="load")
        page.locator("form.search input[type=search]").wait_for(state="visible")
        first = _results(page, "annular")  # in the oldest episode's notes only: part 1
        page.locator("form.search output").evaluate("o => o.replaceChildren()")
        last = _results(page, "paracetamol")  # in the newest episode's notes only: part 3
        fetched = {r.url.removeprefix(base_url) for r in watch.responses}
        browser.close()
    assert watch.errors == []  # no script error, no Content-Security-Policy violation
    assert first == [base_url + OLDEST]
    assert last == [base_url + NEWEST]
    for n in (1, 2, 3):  # every part's index was loaded into the one search
        assert layout.search_part_dir(n) + "pagefind-entry.json" in {
            u.split("?")[0] for u in fetched
        }


def test_the_parts_are_merged_at_once_not_one_after_another(base_url: str) -> None:
    """Over a slow link every part's files are asked for before any has come: one by one,
    200 parts (10,000 episodes) took 26 s at a 50 ms round trip."""
    events: list[tuple[str, str]] = []
    entries = [layout.search_part_dir(n) + "pagefind-entry.json" for n in (2, 3)]

    def note(kind: str, url: str) -> None:
        key = url.removeprefix(base_url).split("?")[0]
        if key in entries:
            events.append((kind, key))

    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page()
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send(
            "Network.emulateNetworkConditions",
            {"offline": False, "latency": 400, "downloadThroughput": -1, "uploadThroughput": -1},
        )
        page.on("request", lambda r: note("asked", r.url))
        page.on("requestfinished", lambda r: note("came", r.url))
        page.goto(base_url + "archive/index.html", wait_until="load")
        page.locator("form.search input[type=search]").wait_for(state="visible")
        assert _results(page, "paracetamol") == [base_url + NEWEST]
        browser.close()
    assert sorted(events[:2]) == [("asked", e) for e in entries], events
