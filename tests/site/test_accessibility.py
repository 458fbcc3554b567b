"""The sample show's published pages, checked by axe-core in a real Chromium (WCAG 2.x A/AA)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import axe_playwright_python as axe_package
import pytest
from playwright import sync_api

from publisher import build, serve
from publisher.publish import run as deploy
from tests.support.show import FIXED_NOW, copy_show
from tests.support.tools import CHROMIUM, CHROMIUM_ARGS, needs_chromium

pytestmark = needs_chromium
AXE = Path(axe_package.__file__).parent / "axe.min.js"
PAGES = [
    "index.html",
    "episodes/2026-09-01-imaging-without-pain.html",
    "episodes/2026-09-15-red-flags.html",
    "episodes/2026-10-01-what-guidelines-advise.html",
    "episodes/2026-10-01-what-guidelines-advise.transcript.html",
    "all/index.html",
    "archive/index.html",
    "archive/2026-09.html",
    "seasons/1.html",
    "404.html",
]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    show = copy_show(tmp_path_factory.mktemp("a11y") / "show")
    deploy.publish(build.build(show, now=FIXED_NOW, guid_mode="refuse"))
    server = serve.make_server(show / "public", "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("page_key", PAGES)
def test_no_accessibility_violations(
    base_url: str, browser: Any, page_key: str, scheme: str
) -> None:
    # The pages admit only their own scripts (CSP); the test's axe is let in by bypassing it.
    context = browser.new_context(bypass_csp=True, color_scheme=scheme)
    page = context.new_page()
    try:
        page.goto(base_url + page_key)
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
        result = page.evaluate(
            "() => axe.run(document, {runOnly: {type: 'tag', values: "
            "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
        )
    finally:
        context.close()
    problems = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]
    assert problems == []


def test_the_checker_sees_a_violation(browser: Any, tmp_path: Path) -> None:
    """A control: the same harness on a page with an unlabelled image reports it."""
    page_file = tmp_path / "bad.html"
    page_file.write_text('<!doctype html><html lang="en"><title>x</title><img src="x.png"></html>')
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(page_file.as_uri())
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
        result = page.evaluate("() => axe.run(document, {runOnly: ['image-alt']})")
    finally:
        context.close()
    assert [v["id"] for v in result["violations"]] == ["image-alt"]
