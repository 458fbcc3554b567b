"""The website's HTML and CSS, checked by the W3C Nu Html Checker (vnu.jar, the checker
behind validator.w3.org/nu). `make test` installs it with npm ci in tests/node; it runs on
the machine's Java."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import yaml

from publisher import build
from tests.support.show import FIXED_NOW, copy_show
from tests.support.tools import VNU, needs_java_vnu

pytestmark = needs_java_vnu
SLUG = "2026-09-15-red-flags"


def check(files: list[Path]) -> list[str]:
    run = subprocess.run(
        ["java", "-jar", str(VNU), "--format", "json", "--also-check-css", *map(str, files)],
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    messages = json.loads(run.stderr or '{"messages": []}')["messages"]
    # Checked from file: URLs, 'self' in the pages' CSP does not match: an artefact of the
    # check, not of the pages (served over http(s) the same resources are allowed).
    return [
        f"{m.get('url', '').rsplit('/', 1)[-1]}:{m.get('lastLine')}: {m['type']}: {m['message']}"
        for m in messages
        if "Content Security Policy" not in m["message"]
    ]


def test_every_page_and_the_stylesheet_are_valid(tmp_path: Path) -> None:
    show = copy_show(tmp_path / "show")
    cfg = show / "feed_config.yaml"
    data = yaml.safe_load(cfg.read_text(encoding="utf-8"))
    data["persons"] = [{"name": "Ana <Host>", "href": "https://ana.example.org/"}]
    cfg.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    episodes = show / "episodes"
    (episodes / f"{SLUG}.vtt").write_text("WEBVTT\n\n00:00.000 --> 00:02.000\nHello\n")
    (episodes / f"{SLUG}.chapters.json").write_text(json.dumps(
        {"version": "1.2.0", "chapters": [{"startTime": 0, "title": "Intro & <more>"},
                                          {"startTime": 5, "title": "Flags", "url": "https://e.org/"}]}))  # fmt: skip
    note = show / "show_notes" / SLUG
    note = note.with_suffix(".md")
    note.write_text(
        note.read_text(encoding="utf-8")
        + '\n# A top heading\n\nTerm\n: Definition.\n\n<script>alert(1)</script> & "quotes"\n',
        encoding="utf-8",
    )
    site = build.build(show, now=FIXED_NOW, guid_mode="refuse").site_dir
    pages = sorted(p for p in site.rglob("*.html") if "pagefind" not in p.parts)
    kinds = {p.relative_to(site).parts[0] for p in pages}
    assert {"index.html", "404.html", "all", "archive", "seasons", "episodes"} <= kinds
    assert any(p.name.endswith(".transcript.html") for p in pages)
    assert check([*pages, site / "style.css"]) == []


def test_the_checker_sees_an_error(tmp_path: Path) -> None:
    """A control: an invalid page is reported, so an empty result above means valid pages."""
    bad = tmp_path / "bad.html"
    bad.write_text("<!doctype html><html lang=en><title>x</title><p><div></p></div>")
    assert any(": error: " in m for m in check([bad]))
