"""The listeners' site beyond the episode page: listings, archive, subscribe, take-away
references, transcripts, structured data, template overrides (hand-built model objects)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs

import pytest
import segno
from pybtex.database import parse_string

from publisher.config.site import accent_color, subscribe
from publisher.errors import SiteError
from publisher.site import pages, references, transcript
from publisher.site.theme import contrast
from tests.support.models import BASE, make_item, make_links, make_show, one, parse, render

CITED = (
    (
        "brinjikji2015",
        {
            "type": "article-journal",
            "title": "Systematic literature review of imaging features {in} asymptomatic people",
            "author": [
                {"family": "Brinjikji", "given": "W."},
                {"family": "O'Luebbers", "given": "P. H."},
            ],
            "container-title": "AJNR Am J Neuroradiol",
            "issued": {"date-parts": [[2015, 4]]},
            "volume": "36",
            "issue": "4",
            "page": "811-816",
            "DOI": "10.3174/ajnr.A4173",
            "PMID": "25430861",
        },
    ),
    (
        "odd_key%2",
        {
            "type": "book",
            "title": "A } brace, a % percent & more\nover two lines",
            "author": [{"literal": "WHO Guideline Group"}],
            "issued": {"date-parts": [[2023]]},
            "DOI": "10.1000/x_{y}",
        },
    ),
)


def weekly(n: int, start: datetime = datetime(2019, 1, 2, 9, 0, tzinfo=UTC)) -> list:
    """``n`` items a week apart, newest first (as the build hands them over)."""
    items = [make_item(f"ep{i}", date=start + timedelta(weeks=i)) for i in range(n)]
    return list(reversed(items))


# --- listings --------------------------------------------------------------------------------


def test_all_pages_are_numbered_from_the_oldest_so_a_new_episode_changes_only_the_newest() -> None:
    before = pages.all_pages(weekly(45), 20)
    assert [p.key for p in before] == ["all/index.html", "all/2.html", "all/1.html"]
    assert [len(p.items) for p in before] == [5, 20, 20]
    assert before[-1].items[-1].episode.slug == "ep0"  # page 1 ends with the oldest
    after = pages.all_pages(weekly(46), 20)
    assert [p.items for p in after[1:]] == [p.items for p in before[1:]]
    assert after[0].items[0].episode.slug == "ep45"


@pytest.mark.parametrize("count", [19, 20, 21, 40])
def test_a_new_episode_changes_only_the_pages_that_show_it(count: int) -> None:
    """Also when it starts a new page of all episodes (20 a page): every page links to the
    newest one at one address, so the older episodes' pages stay byte for byte the same."""
    show = make_show(episodes_per_page=20)
    before, after = (
        render(show=show, items=weekly(count)),
        render(show=show, items=weekly(count + 1)),
    )
    changed = {k for k in before if before[k] != after.get(k)} | (after.keys() - before.keys())
    newest, previous = f"ep{count}", f"ep{count - 1}"
    listings = {k for k in changed if k.startswith(("all/", "archive/", "seasons/"))}
    expected = {"index.html", "sitemap.xml", f"episodes/{previous}.html"}
    assert changed - listings - {k for k in changed if newest in k} == expected
    assert len(listings) <= (3 if count % 20 else 2 + count // 20 + 1)


def test_all_episodes_pages_link_every_page_and_their_neighbours() -> None:
    site = render(show=make_show(episodes_per_page=20), items=weekly(45))
    doc = parse(site["all/2.html"])
    assert one(doc, "//h1").text_content() == "All episodes, page 2"
    assert one(doc, '//a[@rel="prev"]/@href') == "index.html"
    assert one(doc, '//a[@rel="next"]/@href') == "1.html"
    numbers = doc.xpath('//nav[@class="pager"]//li[@class="number"]')
    assert [n.text_content() for n in numbers] == ["3", "2", "1"]
    assert one(doc, '//*[@aria-current="page"]').text == "2"
    titles = [a.text for a in doc.xpath("//main//article/h2/a")]
    assert titles == [f"Episode ep{i}" for i in range(39, 19, -1)]


def test_home_shows_the_newest_ten_with_players_that_do_not_preload() -> None:
    doc = parse(render(items=weekly(25))["index.html"])
    cards = doc.xpath('//ol[@class="episode-list"]/li')
    assert len(cards) == 10
    assert [a.get("preload") for a in doc.xpath("//main//audio")] == ["none"] * 10
    assert doc.xpath('//a[@href="all/index.html"]') and doc.xpath('//a[@href="archive/index.html"]')


def test_archive_by_month_in_the_shows_time_zone() -> None:
    # 23:30 UTC on 30 April is 00:30 on 1 May in London: a May episode
    items = [
        make_item("may", date=datetime(2019, 4, 30, 23, 30, tzinfo=UTC)),
        make_item("apr2", date=datetime(2019, 4, 20, 9, tzinfo=UTC)),
        make_item("apr1", date=datetime(2019, 4, 7, 9, tzinfo=UTC)),
        make_item("feb", date=datetime(2019, 2, 1, 9, tzinfo=UTC)),
    ]
    site = render(items=items)
    index = parse(site["archive/index.html"])
    rows = [" ".join(li.text_content().split()) for li in index.xpath('//ul[@class="months"]/li')]
    assert rows == ["May 2019 (1 episode)", "April 2019 (2 episodes)", "February 2019 (1 episode)"]
    april = parse(site["archive/2019-04.html"])
    assert one(april, "//h1").text_content() == "Now displaying: April 2019"
    assert [a.text for a in april.xpath("//main//article/h2/a")] == ["Episode apr2", "Episode apr1"]
    assert one(april, '//a[@rel="prev"]/@href') == "2019-05.html"
    assert one(april, '//a[@rel="next"]/@href') == "2019-02.html"
    assert len(april.xpath("//main//audio[@preload='none']")) == 2
    assert "archive/2019-03.html" not in site


def test_seasons_get_pages_only_when_the_show_uses_them() -> None:
    assert not any(k.startswith("seasons/") for k in render(items=weekly(3)))
    items = [make_item("b", season=2), make_item("a", season=1)]
    site = render(items=items)
    assert one(parse(site["seasons/2.html"]), "//h1").text_content() == "Season 2"
    assert parse(site["episodes/b.html"]).xpath('//a[@href="../seasons/2.html"]')


# --- subscribe -------------------------------------------------------------------------------


def test_subscribe_buttons_feed_url_and_qr_code_on_home_and_episode_pages() -> None:
    apps = (
        ("apple_podcasts", "https://podcasts.apple.com/podcast/id1"),
        ("overcast", "https://overcast.fm/itunes1"),
    )
    site = render(show=make_show(subscribe=apps))
    for key in ("index.html", "episodes/ep1.html"):
        doc = parse(site[key])
        box = one(doc, '//div[@class="subscribe-box"]')
        buttons = [(a.text, a.get("href")) for a in box.xpath('.//ul[@class="apps"]/li/a')]
        assert buttons == [
            ("Subscribe in Apple Podcasts", "https://podcasts.apple.com/podcast/id1"),
            ("Subscribe in Overcast", "https://overcast.fm/itunes1"),
            ("RSS feed", BASE + "feed.xml"),
        ]
        assert one(box, './/code[@class="copy"]').text == BASE + "feed.xml"
        svg = one(box, ".//*[local-name()='svg']")
        assert svg.get("role") == "img" and BASE + "feed.xml" in svg.get("aria-label")
    # the QR code is segno's code of the feed URL, drawn at scale 4 with the quiet zone of 4
    # modules ISO/IEC 18004 asks for
    expected = segno.make(BASE + "feed.xml", error="m", micro=False)
    side = (expected.symbol_size(scale=1, border=4))[0] * 4
    assert f'width="{side}"' in site["index.html"].decode()


def test_subscribe_config_refuses_unknown_apps_with_a_suggestion_and_non_https_urls() -> None:
    said: list[tuple[str, str | None]] = []

    def fail(message: str, *path: object, hint: str | None = None) -> None:
        said.append((message, hint))

    found = subscribe(
        {"apple_podcast": "https://x.example/1", "spotify": "http://open.spotify.com/show/1",
         "castro": "https://castro.fm/podcast/1"},
        fail,
    )  # fmt: skip
    assert found == (("castro", "https://castro.fm/podcast/1"),)
    assert said == [
        ("unknown app 'apple_podcast' in 'subscribe'", "did you mean 'apple_podcasts'?"),
        (
            "'subscribe.spotify' must be an https:// URL",
            "write the https:// address of the show's page in that app",
        ),
    ]


@pytest.mark.parametrize(
    ("light", "dark", "ok"),
    [("#0b57b0", "#8ab8ff", True), ("#ffcc00", "#8ab8ff", False), ("#0b57b0", "#222", False)],
)
def test_accent_colours_need_4_5_to_1_contrast(light: str, dark: str, ok: bool) -> None:
    said: list[str] = []
    result = accent_color({"light": light, "dark": dark}, lambda m, *p, hint=None: said.append(m))
    assert (result == (light, dark)) is ok
    assert bool(said) is not ok
    assert round(contrast("#000", "#fff"), 2) == 21.0


def test_accent_colour_is_written_into_the_stylesheet_only() -> None:
    site = render(show=make_show(accent_color=("#0b57b0", "#8ab8ff")))
    css = site["style.css"].decode()
    assert ":root { --link: #0b57b0; }" in css and "--link: #8ab8ff;" in css
    assert "style=" not in site["index.html"].decode()


# --- references to take away ----------------------------------------------------------------


def test_episode_references_as_ris_bibtex_csl_json_and_coins() -> None:
    site = render(items=[make_item(cited=CITED)])
    ris = site["references/ep1.ris"].decode()
    records = [r for r in ris.split("ER  - ") if r.strip()]
    assert len(records) == 2
    assert re.findall(r"^DO  - (.+?)\r$", ris, re.M) == ["10.3174/ajnr.A4173", "10.1000/x_{y}"]
    assert "TY  - JOUR" in ris and "AU  - Brinjikji, W." in ris and "SP  - 811\r\nEP  - 816" in ris
    assert all(re.match(r"^[A-Z][A-Z0-9]  - ", line) for line in ris.splitlines() if line)
    bib = parse_string(site["references/ep1.bib"].decode(), "bibtex")
    assert sorted(e.fields["doi"] for e in bib.entries.values()) == [
        "10.1000/x_%7By%7D",
        "10.3174/ajnr.A4173",
    ]
    assert list(bib.entries) == ["brinjikji2015", "odd_key2"]
    assert bib.entries["odd_key2"].fields["title"] == (
        r"A {\textbraceright} brace, a \% percent \& more over two lines"
    )
    csl = json.loads(site["references/ep1.json"])
    assert [c["id"] for c in csl] == ["brinjikji2015", "odd_key%2"]
    assert csl[0]["DOI"] == "10.3174/ajnr.A4173"
    page = parse(site["episodes/ep1.html"])
    spans = page.xpath('//span[@class="Z3988"]/@title')
    assert len(spans) == 2
    first = parse_qs(spans[0])
    assert first["ctx_ver"] == ["Z39.88-2004"]
    assert "info:doi/10.3174/ajnr.A4173" in first["rft_id"]
    assert first["rft.aulast"] == ["Brinjikji", "O'Luebbers"]
    assert (
        first["rft.jtitle"] == ["AJNR Am J Neuroradiol"]
        and first["rft.spage" if "rft.spage" in first else "rft.pages"]
    )
    links = {a.get("href") for a in page.xpath('//p[@class="take-away"]/a')}
    assert links == {"../references/ep1.ris", "../references/ep1.bib", "../references/ep1.json"}


def test_an_episode_without_references_offers_no_empty_downloads() -> None:
    site = render(items=[make_item()])
    assert not any(k.startswith("references/") for k in site)
    assert parse(site["episodes/ep1.html"]).xpath('//p[@class="take-away"]') == []


def test_cite_this_episode_block_and_its_own_ris_and_bibtex() -> None:
    from publisher.model import Item
    from publisher.site.render import render_site

    seen = []

    def cite(item: dict) -> str:
        seen.append(item)
        return f"<i>{item['container-title']}</i>. {item['title']}."

    item: Item = make_item()
    site = dict(render_site(make_show(), make_links(), [item], cite_episode=cite))
    assert seen[0]["type"] == "broadcast" and seen[0]["URL"] == BASE + "episodes/ep1.html"
    doc = parse(site["episodes/ep1.html"])
    assert one(doc, '//section[@class="cite-this"]/p[@class="citation"]').text_content() == (
        "Evidence Matters. Episode ep1."
    )
    ris = site["cite/ep1.ris"].decode()
    assert (
        "TY  - SOUND" in ris
        and "TI  - Episode ep1" in ris
        and f"UR  - {BASE}episodes/ep1.html" in ris
    )
    bib = parse_string(site["cite/ep1.bib"].decode(), "bibtex")
    assert bib.entries["ep1"].fields["title"] == "Episode ep1"


# --- transcripts -----------------------------------------------------------------------------

VTT = """WEBVTT

00:00:00.000 --> 00:00:04.000
<v Dr Ana Lee>Welcome <b>back</b>.

00:00:04.000 --> 00:00:06.500
<v Dr Ana Lee>Still me.

00:01:06.500 --> 00:01:09.000
<v Host>A &lt;question&gt; --&gt; here?
"""
SRT = """1
00:00:00,000 --> 00:00:02,000
HOST: Hello <i>there</i>.

2
00:00:02,000 --> 00:00:05,250
GUEST: <script>alert(1)</script>Hi.
"""
JSON = {"version": "1.0.0", "segments": [
    {"speaker": "Ana", "startTime": 0, "endTime": 3.5, "body": "One."},
    {"speaker": "Ana", "startTime": 3.5, "endTime": 5, "body": "Two."},
    {"speaker": "Bo", "startTime": 5, "endTime": 9, "body": "Three."},
]}  # fmt: skip


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("ep1.vtt", VTT, [(0.0, "Dr Ana Lee", "Welcome back. Still me."), (66.5, "Host", "A <question> --> here?")]),
        ("ep1.srt", SRT, [(0.0, "HOST", "Hello there."), (2.0, "GUEST", "alert(1)Hi.")]),
        ("ep1.transcript.json", json.dumps(JSON), [(0.0, "Ana", "One. Two."), (5.0, "Bo", "Three.")]),
        ("ep1.txt", "First paragraph\nwraps.\n\nSecond.", [(0.0, None, "First paragraph wraps. Second.")]),
    ],
)  # fmt: skip
def test_transcripts_are_read_into_speaker_turns(
    tmp_path: Path, name: str, text: str, expected: list
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    turns = transcript.turns(transcript.read_cues(path))
    assert [(t.start, t.speaker, t.text) for t in turns] == expected


@pytest.mark.parametrize("name", ["ep1.vtt", "ep1.srt"])
def test_transcript_page_and_captions_track(tmp_path: Path, name: str) -> None:
    import webvtt

    path = tmp_path / name
    path.write_text(VTT if name.endswith(".vtt") else SRT, encoding="utf-8")
    site = render(items=[make_item(transcript=path)])
    episode = parse(site["episodes/ep1.html"])
    assert one(episode, '//a[normalize-space()="Transcript"]/@href') == "ep1.transcript.html"
    track = one(episode, "//audio/track")
    assert track.get("kind") == "captions" and track.get("src") == "../captions/ep1.vtt"
    page = parse(site["episodes/ep1.transcript.html"])
    assert one(page, "//h1").text == "Transcript: Episode ep1"
    assert page.xpath("//script[not(@src) and not(@type)]") == []
    assert "<script>" not in site["episodes/ep1.transcript.html"].decode().split("</head>")[1]
    captions = site["captions/ep1.vtt"].decode()
    parsed = list(webvtt.from_string(captions).captions) if hasattr(webvtt, "from_string") else None
    if parsed is None:  # webvtt-py 0.5
        import io

        parsed = list(webvtt.read_buffer(io.StringIO(captions)))
    assert [c.start for c in parsed][:2] == [
        "00:00:00.000",
        "00:00:04.000" if name.endswith(".vtt") else "00:00:02.000",
    ]
    assert all("<script" not in c.raw_text for c in parsed)


def test_a_broken_transcript_is_an_error_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "ep1.srt"
    path.write_text("1\nnot a time line\nHello\n", encoding="utf-8")
    with pytest.raises(Exception) as caught:
        render(items=[make_item(transcript=path)])
    assert str(path.name) in str(caught.value)


# --- structured data, sitemap, robots, 404 ---------------------------------------------------


def test_json_ld_podcast_series_and_episode_with_citations() -> None:
    site = render(items=[make_item(cited=CITED, episode=3, season=1)])
    home = json.loads(one(parse(site["index.html"]), '//script[@type="application/ld+json"]').text)
    assert home["@type"] == "PodcastSeries" and home["webFeed"] == BASE + "feed.xml"
    data = json.loads(
        one(parse(site["episodes/ep1.html"]), '//script[@type="application/ld+json"]').text
    )
    assert data["@type"] == "PodcastEpisode"
    assert data["associatedMedia"] == {
        "@type": "MediaObject", "contentUrl": BASE + "media/ep1.mp3", "encodingFormat": "audio/mpeg",
        "duration": "PT0H12M5S", "contentSize": "12345678",
    }  # fmt: skip
    assert data["partOfSeries"]["name"] == "Evidence Matters"
    assert data["datePublished"] == "2024-04-07T08:30:00+00:00"
    assert data["episodeNumber"] == 3 and data["partOfSeason"]["seasonNumber"] == 1
    first, second = data["citation"]
    assert first["@type"] == "ScholarlyArticle"
    assert first["identifier"] == {
        "@type": "PropertyValue",
        "propertyID": "DOI",
        "value": "10.3174/ajnr.A4173",
    }
    assert first["url"] == "https://doi.org/10.3174/ajnr.A4173"
    assert second["@type"] == "Book"


def test_sitemap_lists_every_page_and_robots_points_to_it() -> None:
    site = render(items=weekly(3))
    sitemap = site["sitemap.xml"].decode()
    locs = re.findall(r"<loc>(.*?)</loc>", sitemap)
    html_keys = sorted(k for k in site if k.endswith(".html") and k != "404.html")
    assert sorted(loc.removeprefix(BASE) for loc in locs) == html_keys
    assert site["robots.txt"].decode().endswith(f"Sitemap: {BASE}sitemap.xml\n")


def test_404_page_links_absolutely_since_it_is_served_at_any_path() -> None:
    doc = parse(render()["404.html"])
    hrefs = [a.get("href") for a in doc.xpath("//main//a")]
    assert hrefs and all(h.startswith(BASE) for h in hrefs)
    assert one(doc, '//link[@rel="stylesheet"]/@href').startswith(BASE + "style.css")


# --- producer control ------------------------------------------------------------------------


def test_a_template_override_replaces_the_packaged_one(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "meta.html").write_text(
        '<p class="meta">custom {{ view.date }}</p>\n'
    )
    site = render(show=make_show(root=tmp_path), items=[make_item()])
    assert one(parse(site["episodes/ep1.html"]), '//p[@class="meta"]').text == "custom 7 April 2024"


@pytest.mark.parametrize(
    ("text", "line", "said"),
    [
        ("<p>\n{% if %}\n</p>\n", 2, "template error: Expected an expression"),
        ("<p>\n\n{{ view.no_such_thing.x }}\n</p>\n", 3, "template error:"),
    ],
)
def test_a_broken_override_names_its_file_and_line(
    tmp_path: Path, text: str, line: int, said: str
) -> None:
    (tmp_path / "templates").mkdir()
    override = tmp_path / "templates" / "meta.html"
    override.write_text(text)
    with pytest.raises(SiteError) as caught:
        render(show=make_show(root=tmp_path), items=[make_item()])
    assert caught.value.path == override
    assert caught.value.line == line
    assert caught.value.message.startswith(said)


def test_ris_and_bibtex_values_stay_on_one_line_and_inside_their_field() -> None:
    hostile = {"type": "article-journal", "title": "T\r\nER  - \r\nTY  - JOUR", "DOI": "10.1/x}"}
    ris = references.ris([hostile]).decode()
    assert ris.count("ER  - ") == 1 and ris.count("TY  - ") == 1
    bib = parse_string(references.bibtex([("k", hostile)]).decode(), "bibtex")
    assert list(bib.entries) == ["k"]
