"""The website renderer, on hand-built model objects: page structure, links, escaping."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from importlib import resources

import pytest

from publisher.model import (
    Chapter,
)
from publisher.site import formats
from publisher.site.formats import clock, human_duration, human_size, iso_duration
from publisher.site.render import render_site
from tests.support.models import (
    BASE,
    HOSTILE,
    make_item,
    make_links,
    make_show,
    one,
    parse,
    render,
)

# --- the set of files ------------------------------------------------------------------------


def test_keys_in_order_and_stylesheet_is_the_package_file() -> None:
    items = [make_item("ep2"), make_item("ep1")]
    pairs = tuple(render_site(make_show(), make_links(), items))
    assert [k for k, _ in pairs] == [
        "index.html",
        "all/index.html",
        "archive/index.html",
        "archive/2024-04.html",
        "episodes/ep2.html",
        "cite/ep2.ris",
        "cite/ep2.bib",
        "episodes/ep1.html",
        "cite/ep1.ris",
        "cite/ep1.bib",
        "404.html",
        "sitemap.xml",
        "robots.txt",
        "style.css",
        "site.js",
    ]
    css = resources.files("publisher.site").joinpath("static", "style.css").read_bytes()
    assert dict(pairs)["style.css"] == css


def test_output_is_deterministic() -> None:
    items = [make_item("ep2"), make_item("ep1")]
    assert tuple(render_site(make_show(), make_links(), items)) == tuple(
        render_site(make_show(), make_links(), items)
    )


# --- index ---------------------------------------------------------------------------------


def test_index_head_has_absolute_feed_canonical_and_relative_stylesheet() -> None:
    doc = parse(render()["index.html"])
    assert one(doc, "/html/@lang") == "en-GB"
    alt = one(doc, '//head/link[@rel="alternate"]')
    assert alt.get("type") == "application/rss+xml"
    assert alt.get("href") == BASE + "feed.xml"
    assert alt.get("title") == "Evidence Matters"
    assert one(doc, '//head/link[@rel="canonical"]/@href') == BASE
    css = one(doc, '//head/link[@rel="stylesheet"]/@href')
    assert css.startswith("style.css?v=")
    assert one(doc, '//meta[@property="og:image"]/@content') == BASE + "artwork/cover-0123abcd.jpg"
    assert one(doc, '//meta[@name="viewport"]') is not None
    # our one script (deferred, same origin), and the JSON-LD data block
    assert one(doc, "//script[@src]/@src").startswith("site.js?v=")
    assert one(doc, "//script[@src]").get("defer") is not None
    assert one(doc, '//script[@type="application/ld+json"]') is not None
    assert len(doc.xpath("//script")) == 2


def test_content_security_policy_admits_only_our_scripts() -> None:
    doc = parse(render()["index.html"])
    csp = one(doc, '//meta[@http-equiv="Content-Security-Policy"]/@content')
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self' 'wasm-unsafe-eval'"  # ours and Pagefind's
    assert directives["connect-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert directives["img-src"] == "'self' https: data:"
    assert directives["media-src"] == "'self' https: http:"
    # the stylesheet, and only the exact table-alignment attributes markdown-it writes
    assert directives["style-src"] == (
        "'self' 'unsafe-hashes' 'sha256-De7agAeYqm6ANIVvRRW6HFWi52AJW8inhFE0gSdgXnI=' "
        "'sha256-kFAIUwypIt04FgLyVU63Lcmp2AQimPh/TdYjy04Flxs=' "
        "'sha256-XzJlZKVo+ff9ozww9Sr2p/2TbJXITZuaWMZ9p53zN1U='"
    )
    assert set(directives) == {
        "default-src", "connect-src", "script-src", "object-src", "base-uri", "form-action",
        "img-src", "media-src", "style-src",
    }  # fmt: skip


def test_content_security_policy_admits_an_http_public_origin_for_images() -> None:
    base = "http://127.0.0.1:8000/"
    cdn = "http://cdn.example.net:8080/art/ep1.jpg"
    item = make_item(base=base, links={"image_url": cdn})
    doc = parse(render(links=make_links(base), items=[item])["index.html"])
    csp = one(doc, '//meta[@http-equiv="Content-Security-Policy"]/@content')
    img_src = next(d for d in csp.split("; ") if d.startswith("img-src "))
    assert (
        img_src == "img-src 'self' https: data: http://127.0.0.1:8000 http://cdn.example.net:8080"
    )


def test_index_shows_the_show_and_a_visible_subscribe_link() -> None:
    doc = parse(render()["index.html"])
    assert one(doc, "//main//h1").text_content() == "Evidence Matters"
    img = one(doc, '//main//img[contains(@class, "artwork")]')
    assert img.get("src") == "artwork/cover-0123abcd.jpg"
    assert img.get("alt") == "Cover art of Evidence Matters"
    assert img.get("width") and img.get("height")
    paragraphs = [p.text_content() for p in doc.xpath('//section[@class="show"]//p')]
    assert "Short, careful episodes." in paragraphs
    assert "Second paragraph & more." in paragraphs
    subscribe = doc.xpath('//main//div[@class="subscribe-box"]//a[normalize-space()="RSS feed"]')
    assert [a.get("href") for a in subscribe] == [BASE + "feed.xml"]
    assert one(doc, '//main//code[@class="copy"]').text == BASE + "feed.xml"


def test_index_lists_episodes_newest_first_with_date_duration_summary() -> None:
    items = [
        make_item("ep2", date=datetime(2024, 7, 1, 23, 30, tzinfo=UTC), title="Second"),
        make_item("ep1", title="First", audio={"duration": 17.2}),
    ]
    doc = parse(render(items=items)["index.html"])
    cards = doc.xpath('//ol[@class="episode-list"]/li/article')
    assert [one(c, ".//h3/a").text for c in cards] == ["Second", "First"]
    assert [one(c, ".//h3/a/@href") for c in cards] == ["episodes/ep2.html", "episodes/ep1.html"]
    times = cards[0].xpath(".//time")
    # shown in the show's time zone: 23:30 UTC on 1 July is 00:30 on 2 July in London
    assert times[0].get("datetime") == "2024-07-02T00:30:00+01:00"
    assert times[0].text == "2 July 2024"
    assert times[1].get("datetime") == "PT12M5S"
    assert times[1].text == "12 min 5 s"
    assert cards[1].xpath(".//time")[1].text == "17 s"
    assert one(cards[0], './/p[@class="summary"]').text == "Summary of ep2."


def test_index_without_episodes() -> None:
    doc = parse(render(items=[])["index.html"])
    assert "No episodes yet." in doc.text_content()


def test_summary_falls_back_to_the_first_paragraph_of_the_notes() -> None:
    doc = parse(render(items=[make_item(summary=None)])["index.html"])
    summary = one(doc, '//p[@class="summary"]').text
    assert summary == "Imaging finds degeneration in people without pain. More."


# --- episode page ----------------------------------------------------------------------------


def test_episode_page_player_download_and_relative_links() -> None:
    doc = parse(render()["episodes/ep1.html"])
    assert one(doc, "//main//h1").text == "Episode ep1"
    audio = one(doc, "//audio")
    assert audio.get("preload") == "none"
    assert audio.get("controls") is not None
    assert audio.get("src") == "../media/ep1.mp3"
    download = one(doc, "//a[@download]")
    assert download.get("href") == "../media/ep1.mp3"
    assert download.text == "Download MP3"
    assert "12.3 MB, audio/mpeg" in download.getparent().text_content()
    assert one(doc, '//head/link[@rel="stylesheet"]/@href').startswith("../style.css?v=")
    assert one(doc, '//head/link[@rel="canonical"]/@href') == BASE + "episodes/ep1.html"
    assert one(doc, '//meta[@property="og:audio"]/@content') == BASE + "media/ep1.mp3"
    assert doc.xpath('//a[@href="../index.html"]')
    assert one(doc, '//img[contains(@class, "artwork")]/@src') == "../artwork/cover-0123abcd.jpg"


def test_episode_page_inserts_the_rendered_notes_with_citation_links() -> None:
    doc = parse(render()["episodes/ep1.html"])
    notes = one(doc, '//section[@class="notes"]')
    assert one(notes, ".//sup/a/@href") == "#ref-1"
    assert one(notes, './/li[@id="ref-1"]/a/@href') == "https://doi.org/10.3174/ajnr.A4173"


def test_episode_page_chapters_transcript_and_episode_artwork() -> None:
    item = make_item(
        audio={"chapters": (Chapter(0.0, "Intro"), Chapter(3725.9, "Evidence"))},
        links={
            "transcript_url": BASE + "media/ep1.vtt",
            "transcript_type": "text/vtt",
            "image_url": BASE + "artwork/ep1-99.jpg",
        },
    )
    doc = parse(render(items=[item])["episodes/ep1.html"])
    rows = doc.xpath('//section[@class="chapters"]//li')
    assert [" ".join(r.text_content().split()) for r in rows] == ["0:00 Intro", "1:02:05 Evidence"]
    assert rows[1].xpath(".//time/@datetime") == ["PT1H2M5S"]
    transcript = one(doc, '//a[normalize-space()="Transcript"]')
    assert transcript.get("href") == "../media/ep1.vtt"
    assert transcript.get("type") == "text/vtt"
    img = one(doc, '//img[contains(@class, "artwork")]')
    assert img.get("src") == "../artwork/ep1-99.jpg"
    assert img.get("alt") == "Artwork of Episode ep1"


def test_media_on_another_origin_is_linked_absolutely() -> None:
    cdn = "https://cdn.example.net/ep1.mp3"
    doc = parse(render(items=[make_item(links={"media_url": cdn})])["episodes/ep1.html"])
    assert one(doc, "//audio/@src") == cdn
    assert one(doc, "//a[@download]/@href") == cdn


def test_pager_links_newer_and_older_episodes() -> None:
    pages = render(items=[make_item("ep3"), make_item("ep2"), make_item("ep1")])
    doc = parse(pages["episodes/ep2.html"])
    assert one(doc, '//a[@rel="prev"]/@href') == "ep3.html"
    assert one(doc, '//a[@rel="next"]/@href') == "ep1.html"


def test_headings_are_in_order_and_landmarks_present() -> None:
    item = make_item(audio={"chapters": (Chapter(0.0, "Intro"),)})
    for key, content in render(items=[item]).items():
        if not key.endswith(".html"):
            continue
        doc = parse(content)
        levels = [int(h.tag[1]) for h in doc.xpath("//h1|//h2|//h3|//h4|//h5|//h6")]
        assert levels[0] == 1 and levels.count(1) == 1, key
        assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), (key, levels)
        assert one(doc, "//body/header") is not None
        assert one(doc, '//body/main[@id="main"]') is not None
        assert one(doc, "//body/footer") is not None
        assert one(doc, '//body/a[@class="skip"]/@href') == "#main"


# --- escaping --------------------------------------------------------------------------------


def test_hostile_strings_are_escaped_everywhere() -> None:
    hostile_fields = ("title", "description", "author", "copyright", "funding_label")
    show = make_show(
        funding_url="https://example.org/give", **dict.fromkeys(hostile_fields, HOSTILE)
    )
    item = make_item(
        title=HOSTILE,
        summary=HOSTILE,
        keywords=(HOSTILE, "ok"),
        audio={"chapters": (Chapter(0.0, HOSTILE, url="javascript:window.pwned=1"),)},
        web_html="<p>Safe notes.</p>",
    )
    pages = render(show=show, items=[item])
    for key in ("index.html", "episodes/ep1.html", "all/index.html", "archive/2024-04.html"):
        doc = parse(pages[key])
        scripts = doc.xpath("//script")
        assert [s.get("src", "").split("?")[0] for s in scripts if s.get("src")] == [
            "site.js" if "/" not in key else "../site.js"
        ], key
        for data in doc.xpath('//script[@type="application/ld+json"]'):
            assert "<" not in data.text, key  # written as \\u003c: it cannot close the element
            assert HOSTILE in _strings(json.loads(data.text)), key
        assert doc.xpath("//*[@onerror]") == [], key
        assert doc.xpath('//img[@src="x"]') == [], key
        assert doc.xpath('//a[starts-with(@href, "javascript:")]') == [], key
        assert HOSTILE in doc.text_content(), key  # shown literally, as text
        assert HOSTILE in one(doc, "//title").text
        assert one(doc, '//link[@rel="alternate"]/@title') == HOSTILE
    episode = parse(pages["episodes/ep1.html"])
    assert HOSTILE in one(episode, '//section[@class="chapters"]//li').text_content()
    assert HOSTILE in [t.text for t in episode.xpath('//span[@class="tag"]')]


def test_only_the_notes_html_is_inserted_as_html() -> None:
    item = make_item(web_html='<p>Notes with <em>emphasis</em> and <a href="#ref-1">1</a>.</p>')
    doc = parse(render(items=[item])["episodes/ep1.html"])
    assert one(doc, '//section[@class="notes"]//em').text == "emphasis"


def test_a_funding_link_that_is_not_http_is_left_out() -> None:
    show = make_show(funding_url="javascript:alert(1)", funding_label="Give")
    doc = parse(render(show=show)["index.html"])
    assert doc.xpath('//a[normalize-space()="Give"]') == []


# --- formatting ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "human", "iso"),
    [
        (0, "", "PT0S"),  # unknown: no words; iso_duration also dates a chapter at 0:00
        (17.2, "17 s", "PT17S"),
        (59.6, "1 min", "PT1M"),
        (725.4, "12 min 5 s", "PT12M5S"),
        (3600, "1 h", "PT1H"),
        (3725, "1 h 2 min", "PT1H2M5S"),
    ],
)
def test_durations(seconds: float, human: str, iso: str) -> None:
    assert human_duration(seconds) == human
    assert iso_duration(seconds) == iso


@pytest.mark.parametrize(
    ("seconds", "text"), [(0, "0:00"), (17.9, "0:17"), (725, "12:05"), (3725, "1:02:05")]
)
def test_clock(seconds: float, text: str) -> None:
    assert clock(seconds) == text


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (512, "512 bytes"),
        (850_000, "850 KB"),
        (1_500, "1.5 KB"),
        (12_345_678, "12.3 MB"),
        (123_456_789, "123 MB"),
    ],
)
def test_human_size(size: int, text: str) -> None:
    assert human_size(size) == text


def _strings(value: object) -> list[str]:
    """Every string in a parsed JSON value."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


@pytest.mark.parametrize(
    ("html", "summary"),
    [
        (
            "<p>As Walker put it, sleep matters <sup><a>1</a></sup>. See also <sup>2,3</sup>.</p>",
            "As Walker put it, sleep matters. See also.",
        ),
        (
            "<p>Sleep matters<sup>1</sup>, a lot<sup>2</sup> and more.</p>",
            "Sleep matters, a lot and more.",
        ),
        ("<p>Trials <sup>1</sup> and reviews <sup>2</sup>!</p>", "Trials and reviews!"),
        ("<p>Pourquoi ? Parce que.</p>", "Pourquoi ? Parce que."),  # the text's own spacing
    ],
)
def test_a_summary_from_the_notes_leaves_no_space_where_a_citation_was(
    html: str, summary: str
) -> None:
    assert formats.first_paragraph(html) == summary
