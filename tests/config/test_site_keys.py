"""The website's config keys read through feed_config.yaml: errors name the file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from publisher import config
from publisher.errors import Problems, PublisherError


def set_keys(show: Path, text: str) -> None:
    cfg = show / "feed_config.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8") + text, encoding="utf-8")


def strip_subscribe(show: Path) -> None:
    cfg = show / "feed_config.yaml"
    lines = cfg.read_text(encoding="utf-8").splitlines(keepends=True)
    out, skipping = [], False
    for line in lines:
        if line.startswith("episodes_per_page:"):
            continue
        if line.startswith("subscribe:"):
            skipping = True
            continue
        if skipping and line.startswith("  "):
            continue
        skipping = False
        out.append(line)
    cfg.write_text("".join(out), encoding="utf-8")


def test_the_sample_shows_subscribe_links_are_read_in_order(sample_show: Path) -> None:
    show = config.load(sample_show)
    assert [name for name, _ in show.subscribe] == ["apple_podcasts", "spotify", "pocket_casts"]
    assert show.episodes_per_page == 20 and show.accent_color is None


def test_bad_website_keys_are_reported_together_with_their_lines(sample_show: Path) -> None:
    strip_subscribe(sample_show)
    cfg = sample_show / "feed_config.yaml"
    before = len(cfg.read_text(encoding="utf-8").splitlines())
    set_keys(
        sample_show,
        "subscribe:\n  apple_podcast: https://podcasts.apple.com/x\n"
        "episodes_per_page: 0\naccent_color: {light: '#ffff00', dark: '#8ab8ff'}\n",
    )
    with pytest.raises(PublisherError) as caught:
        config.load(sample_show)
    problems = caught.value.problems if isinstance(caught.value, Problems) else (caught.value,)
    said = {(p.line, p.message.split(" (")[0]) for p in problems}
    assert (before + 2, "unknown app 'apple_podcast' in 'subscribe'") in said
    assert any(line == before + 3 and "episodes_per_page" in m for line, m in said)
    assert any(line == before + 4 and "contrast" in m for line, m in said)
    hints = [p.hint for p in problems if "apple_podcast" in p.message]
    assert hints == ["did you mean 'apple_podcasts'?"]
