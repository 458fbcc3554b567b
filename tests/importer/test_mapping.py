"""The pure mappings: legacy values, durations, categories, prefixes, slugs, HTML notes."""

from __future__ import annotations

import pytest

from publisher.importer import html, legacy


@pytest.mark.parametrize(
    ("raw", "seconds"),
    [("1834", 1834), ("1834.6", 1835), ("30:34", 1834), ("0:30:34", 1834), ("00:30:34.5", 1835),
     ("1:02:03", 3723), (" 45 ", 45), ("", None), ("abc", None), ("0", None), ("-5", None),
     ("1:2:3:4", None), ("nan", None)],
)  # fmt: skip
def test_durations_in_all_forms(raw: str, seconds: int | None) -> None:
    assert legacy.duration_seconds(raw) == seconds


@pytest.mark.parametrize(
    ("raw", "value"),
    [("yes", True), ("Yes", True), ("explicit", True), ("true", True), ("no", False),
     ("clean", False), ("false", False), ("maybe", None), (None, None)],
)  # fmt: skip
def test_explicit_values(raw: str | None, value: bool | None) -> None:
    assert legacy.explicit_value(raw) is value


@pytest.mark.parametrize(
    ("parent", "sub", "current"),
    [("Games & Hobbies", "Video Games", ("Leisure", "Video Games")),
     ("Games & Hobbies", None, ("Leisure", None)),
     ("Science & Medicine", "Medicine", ("Health & Fitness", "Medicine")),
     ("Technology", "Podcasting", ("Technology", None)),
     ("Health", "Self-Help", ("Education", "Self-Improvement")),
     ("Kids & family", None, ("Kids & Family", None)),
     ("Education", "How To", ("Education", "How To")),
     ("Education", "Nonsense", ("Education", None)),
     ("Sports & Recreation", "Outdoor", ("Sports", "Wilderness")),
     ("Podcasts", None, None)],
)  # fmt: skip
def test_pre_2019_categories_map_to_current_names(
    parent: str, sub: str | None, current: tuple[str, str | None] | None
) -> None:
    assert legacy.map_category(parent, sub) == current


@pytest.mark.parametrize(
    ("url", "split"),
    [("https://dts.podtrac.com/redirect.mp3/op3.dev/e/traffic.libsyn.com/s/a.mp3",
      ("https://dts.podtrac.com/redirect.mp3/op3.dev/e/", "https://traffic.libsyn.com/s/a.mp3")),
     ("https://op3.dev/e/https://cdn.example/a.mp3", ("https://op3.dev/e/", "https://cdn.example/a.mp3")),
     ("https://chrt.fm/track/ABC123/cdn.example/a.mp3?x=1",
      ("https://chrt.fm/track/ABC123/", "https://cdn.example/a.mp3?x=1")),
     ("https://pdst.fm/e/http://127.0.0.1:8000/a.mp3", ("https://pdst.fm/e/", "http://127.0.0.1:8000/a.mp3")),
     ("https://cdn.example/redirect.mp3/a.mp3", ("", "https://cdn.example/redirect.mp3/a.mp3"))],
)  # fmt: skip
def test_measurement_prefixes_are_found(url: str, split: tuple[str, str]) -> None:
    assert legacy.split_prefix(url) == split


def test_html_notes_become_markdown_keeping_structure() -> None:
    converted = html.to_markdown(
        "<h2 id='top'>Heading</h2><p>Some <strong>bold</strong>, <em>em</em> and "
        "<a href='https://example.org/x'>a link</a>.</p><ul><li>one</li><li>two</li></ul>"
        "<ol><li>first</li></ol><p><a href='#top'>Back up</a> or <a href='#gone'>nowhere</a>"
        "<sup>3</sup></p><script>alert(1)</script><style>p{}</style><p>[@smith] *x*</p>"
    )
    assert converted.markdown == (
        "## Heading\n\nSome **bold**, *em* and [a link](https://example.org/x).\n\n"
        "- one\n- two\n\n1. first\n\nBack up or nowhere[3]\n\n\\[@smith] \\*x\\*"
    )
    assert converted.dead_anchors == ("#gone",)
    assert converted.live_anchors == ("#top",)


def test_plain_text_notes_keep_their_paragraphs() -> None:
    assert html.to_markdown("One line.\n\n\n\nTwo [@a].").markdown == "One line.\n\nTwo \\[@a]."
    assert html.to_text("<p>A &amp; B</p><p>C<br>D</p>") == "A & B\n\nC\n\nD"
