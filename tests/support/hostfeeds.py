"""Feeds written by us in the styles of the major hosts, served by the loopback server.

Each style keeps what its host is known for: namespaces, CDATA habits, GUID forms (URLs,
``tag:`` URIs, host IDs, none at all), legacy values (``yes``/``clean``, pre-2019 categories),
HTML notes, ``itunes:duration`` in all its forms, redirecting and prefixed enclosure URLs.
:class:`HostFeed` says what an import of it must keep and report.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from publisher.config.show import podcast_guid
from tests.support.httpserver import Route, Server
from tests.support.media import Media

NAMESPACES = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "atom": "http://www.w3.org/2005/Atom",
    "podcast": "https://podcastindex.org/namespace/1.0",
    "googleplay": "http://www.google.com/schemas/play-podcasts/1.0",
    "dc": "http://purl.org/dc/elements/1.1/",
    "anchor": "https://anchor.fm/xmlns",
    "acast": "https://schema.acast.com/1.0/",
    "spotify": "http://www.spotify.com/ns/rss",
    "media": "http://search.yahoo.com/mrss/",
    "rawvoice": "http://www.rawvoice.com/rawvoiceRssModule/",
}


@dataclass(frozen=True)
class Expected:
    """What one original item must keep after import and build."""

    guid: str  # as apps see it: the enclosure URL when the item has none
    instant: dt.datetime
    url: str  # the enclosure URL exactly as the feed gives it
    length: int  # the length a keep-remote import publishes (the feed's, or the server's)
    size: int  # the served file's true size (what a download import publishes)
    draft: bool = False  # a duplicate GUID: imported as a draft


@dataclass
class HostFeed:
    name: str
    path: str  # of the feed on the server
    expected: list[Expected] = field(default_factory=list)
    mapped: list[str] = field(default_factory=list)  # the summary must name each
    left_out: list[str] = field(default_factory=list)
    podcast_guid: str = ""
    prefix: str | None = None
    items: list[str] = field(default_factory=list)
    channel: str = ""
    ns: tuple[str, ...] = ()


def _date(n: int, offset_hours: int) -> dt.datetime:
    tz = dt.timezone(dt.timedelta(hours=offset_hours))
    return dt.datetime(2019, 1, 7, 9, 30, tzinfo=tz) + dt.timedelta(days=7 * n, seconds=n)


def _rfc2822(when: dt.datetime) -> str:
    return email.utils.format_datetime(when)


def _cdata(text: str) -> str:
    return f"<![CDATA[{text}]]>"


class Maker:
    """Builds one host's feed on a server: items, their files, what to expect."""

    def __init__(self, server: Server, media: Media, name: str, *ns: str) -> None:
        self.s, self.m = server, media
        self.feed = HostFeed(name, f"/{name}/feed.xml", ns=("itunes", "atom", *ns))

    def file(self, path: str, body: bytes, ctype: str) -> str:
        return self.s.add(f"/{self.feed.name}/{path}", body, ctype)

    def channel(self, xml: str, *, self_link: bool = True, guid: str | None = None) -> None:
        url = self.s.url(self.feed.path)
        art = self.file("art.jpg", self.m.art, "image/jpeg")
        link = (
            f'<atom:link href="{url}" rel="self" type="application/rss+xml"/>' if self_link else ""
        )
        self.feed.channel = f"{link}<itunes:image href={quoteattr(art)}/>{xml}"
        self.feed.podcast_guid = guid or podcast_guid(url)

    def item(
        self,
        n: int,
        xml: str,
        *,
        guid: str | None,
        offset: int = 0,
        audio: str = "mp3",
        length: Callable[[int], str] = str,
        url: Callable[[str], str] = lambda u: u,
        draft: bool = False,
        guid_attr: str = ' isPermaLink="false"',
        wrap: Callable[[str], str] = escape,
        ctype: str | None = None,
        when: dt.datetime | None = None,
    ) -> None:
        body = {"mp3": self.m.mp3, "m4a": self.m.m4a, "long": self.m.mp3_long}[audio]
        ext = "m4a" if audio == "m4a" else "mp3"
        served = "audio/x-m4a" if ext == "m4a" else "audio/mpeg"
        media_url = self.file(f"media/{n}.{ext}", body, served)
        enclosure = url(media_url)
        when = when or _date(n, offset)
        written_length = length(len(body))
        given = int(written_length) if written_length.isdigit() and int(written_length) > 0 else 0
        g = f"<guid{guid_attr}>{wrap(guid)}</guid>" if guid is not None else ""
        self.feed.items.append(
            f"<item>{xml}{g}<pubDate>{_rfc2822(when)}</pubDate>"
            f"<enclosure url={quoteattr(enclosure)} length={quoteattr(written_length)} "
            f"type={quoteattr(ctype or served)}/></item>"
        )
        self.feed.expected.append(
            Expected(guid or enclosure, when, enclosure, given or len(body), len(body), draft)
        )

    def raw_item(self, xml: str) -> None:
        self.feed.items.append(f"<item>{xml}</item>")

    def done(self, title: str = "") -> HostFeed:
        decl = " ".join(f'xmlns:{p}="{NAMESPACES[p]}"' for p in self.feed.ns)
        xml = (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" {decl}><channel>'
            f"{self.feed.channel}{''.join(reversed(self.feed.items))}</channel></rss>"
        )
        self.s.routes[self.feed.path] = Route(xml.encode(), "application/rss+xml; charset=utf-8")
        return self.feed


OWNER = (
    "<itunes:owner><itunes:name>Pat Host</itunes:name>"
    "<itunes:email>pat@example.org</itunes:email></itunes:owner>"
)


def _channel(title: str, description: str, extra: str, language: str = "en") -> str:
    return (
        f"<title>{escape(title)}</title><description>{description}</description>"
        f"<language>{language}</language><itunes:author>Pat Host</itunes:author>{OWNER}{extra}"
    )


def libsyn(s: Server, m: Media) -> HostFeed:
    """CDATA everywhere (GUIDs too), HH:MM:SS, `no`/`clean`, the Podcasting subcategory, and
    an OP3 prefix in front of every enclosure."""
    k = Maker(s, m, "libsyn", "content", "googleplay")
    k.channel(_channel(
        "Lib Show", _cdata("<p>Stories <b>from</b> the library.</p>"),
        '<itunes:category text="Technology"><itunes:category text="Podcasting"/>'
        "</itunes:category><itunes:explicit>clean</itunes:explicit><copyright>© 2019 Lib</copyright>",
    ))  # fmt: skip
    op3 = "https://op3.dev/e/"
    for n in range(1, 4):
        notes = _cdata(
            f"<p>Part <em>{n}</em>, with <a href='https://example.org/{n}'>a link</a>.</p>"
        )
        k.item(n, f"<title>{_cdata(f'Stories from the stacks {n}')}</title>"
               f"<description>{notes}</description><content:encoded>{notes}</content:encoded>"
               f"<itunes:duration>00:00:0{n}</itunes:duration><itunes:explicit>no</itunes:explicit>",
               guid=f"8a7b6c5d-{n:04d}-libsyn-{n}", wrap=_cdata, offset=-5, url=lambda u: op3 + u)  # fmt: skip
    k.feed.prefix = op3
    k.feed.mapped = [
        "category 'Technology > Podcasting' -> 'Technology'", "explicit: 'clean' -> false",
        "explicit 'no' -> false", "duration '00:00:01' -> 1 seconds",
        f"enclosure_prefix: the old feed put {op3} in front of 3 of 3",
        "description: HTML converted to plain text",
    ]  # fmt: skip
    return k.done()


def anchor(s: Server, m: Media) -> HostFeed:
    """Anchor / Spotify for Creators: a redirecting play URL, M4A, `No`, dc:creator, notes
    only in the description."""
    k = Maker(s, m, "anchor", "dc", "anchor", "podcast")
    k.channel(_channel(
        "Anchor Talk", _cdata("Talk about <i>anchors</i>."),
        '<itunes:category text="Education"/><itunes:category text="Kids &amp; family"/>'
        "<itunes:explicit>No</itunes:explicit><podcast:locked>no</podcast:locked>",
    ))  # fmt: skip

    def play(n: int) -> Callable[[str], str]:
        def redirect(u: str) -> str:
            s.routes[f"/anchor/play/{n}"] = Route(redirect=u)
            return s.url(f"/anchor/play/{n}")

        return redirect

    for n in range(1, 4):
        k.item(n, f"<title>Anchors away {n}</title><description>{_cdata(f'<p>Notes {n}</p><p>More</p>')}"
               "</description><dc:creator>Pat</dc:creator><itunes:explicit>No</itunes:explicit>"
               "<itunes:duration>00:00:02</itunes:duration><itunes:episodeType>full</itunes:episodeType>",
               guid=f"1f0e2d3c-4b5a-6978-8a9b-0c1d2e3f40{n:02d}", audio="m4a", url=play(n), offset=0)  # fmt: skip
    k.feed.mapped = ["explicit: 'No' -> false", "category 'Kids & family' -> 'Kids & Family'",
                     "explicit 'No' -> false"]  # fmt: skip
    return k.done()


def buzzsprout(s: Server, m: Media) -> HostFeed:
    """Buzzsprout: `Buzzsprout-N` GUIDs, seconds, podcast:guid, several transcripts, chapters
    with an http link, funding, locked, persons."""
    k = Maker(s, m, "buzzsprout", "content", "podcast")
    guid = "2bd8f1c8-5d9c-5e8e-9f3c-1a2b3c4d5e6f"
    chapters = k.file("chapters.json", json.dumps({"version": "1.2.0", "chapters": [
        {"startTime": 0, "title": "Intro", "url": "http://example.org/intro"},
        {"startTime": 1, "title": "Main", "url": "https://example.org/main"}]}).encode(),
        "application/json+chapters")  # fmt: skip
    vtt = k.file("t.vtt", b"WEBVTT\n\n00:00.000 --> 00:01.000\nHello\n", "text/vtt")
    srt = k.file("t.srt", b"1\n00:00:00,000 --> 00:00:01,000\nHello\n", "application/x-subrip")
    k.channel(_channel(
        "Buzz Cast", "Plain text description.",
        '<itunes:category text="Health &amp; Fitness"><itunes:category text="Medicine"/>'
        '</itunes:category><itunes:explicit>false</itunes:explicit>'
        f'<podcast:guid>{guid}</podcast:guid><podcast:locked owner="pat@example.org">yes</podcast:locked>'
        '<podcast:funding url="https://buzz.example/support">Support us</podcast:funding>'
        '<podcast:person role="host" img="https://buzz.example/pat.jpg">Pat Host</podcast:person>'
        '<podcast:person role="host">Sam Co</podcast:person>',
    ), guid=guid)  # fmt: skip
    for n in range(1, 4):
        k.item(n, f"<title>Buzz {n}</title><content:encoded>{_cdata(f'<p>Buzz notes {n}</p>')}</content:encoded>"
               f"<itunes:duration>{n}</itunes:duration><itunes:episode>{n}</itunes:episode>"
               f'<podcast:transcript url="{vtt}" type="text/vtt"/>'
               f'<podcast:transcript url="{srt}" type="application/x-subrip"/>'
               f'<podcast:chapters url="{chapters}" type="application/json+chapters"/>'
               '<podcast:person role="guest">Guest One</podcast:person>'
               '<podcast:person role="guest">Guest Two</podcast:person>',
               guid=f"Buzzsprout-{1000 + n}", offset=-4)  # fmt: skip
    k.feed.mapped = ["chapters: 1 link(s) that were not https dropped"]
    k.feed.left_out = [f"transcript {srt} (application/x-subrip): one transcript per episode"]
    return k.done()


def podbean(s: Server, m: Media) -> HostFeed:
    """Podbean: MM:SS, `yes`, episode 0, episode art (one too small), Games & Hobbies."""
    k = Maker(s, m, "podbean", "content")
    small = k.file("small.jpg", m.small_art, "image/jpeg")
    good = k.file("ep.png", m.art_png, "image/png")
    k.channel(_channel(
        "Bean Pod", _cdata("<p>Beans &amp; more.</p>"),
        '<itunes:category text="Games &amp; Hobbies"><itunes:category text="Other Games"/>'
        "</itunes:category><itunes:explicit>yes</itunes:explicit>",
    ))  # fmt: skip
    for n, image in ((1, small), (2, good), (3, None)):
        art = f'<itunes:image href="{image}"/>' if image else ""
        k.item(n, f"<title>Bean {n}</title><description>{_cdata(f'<p>Bean {n}</p><p><br></p>')}</description>"
               f"<itunes:duration>00:0{n}</itunes:duration><itunes:explicit>yes</itunes:explicit>"
               f"<itunes:episode>{n - 1}</itunes:episode>{art}",
               guid=f"bean.podbean.com/e/bean-{n}/", offset=8, length=lambda size: "0")  # fmt: skip
    k.feed.mapped = ["category 'Games & Hobbies > Other Games' -> 'Leisure > Games'",
                     "explicit: 'yes' -> true", "episode '0' dropped", "duration '00:01' -> 1 seconds"]  # fmt: skip
    k.feed.left_out = ["episode image is 300x300 px"]
    return k.done()


def squarespace(s: Server, m: Media) -> HostFeed:
    """Squarespace: escaped (not CDATA) HTML, subtitle and summary, fractional durations,
    `en-US`, News & Politics, no atom:link (the old feed URL is the URL imported)."""
    k = Maker(s, m, "squarespace")
    k.channel(_channel(
        "Square Sounds", escape("<p>Sounds from the <strong>square</strong>.</p>"),
        '<itunes:category text="News &amp; Politics"/><itunes:subtitle>Square</itunes:subtitle>',
        language="en-US",
    ), self_link=False)  # fmt: skip
    k.feed.channel = k.feed.channel  # no atom:link rel="self"
    for n in range(1, 4):
        k.item(n, f"<title>Square {n}</title><description>{escape(f'<p>Square <b>{n}</b></p>')}</description>"
               f"<itunes:subtitle>Sub {n}</itunes:subtitle><itunes:summary>Summary {n}</itunes:summary>"
               f"<itunes:duration>{n}.4</itunes:duration>",
               guid=f"5c2f1a0b8a922d1a7e3c4b5d:5c2f1a0b8a922d1a7e3c4b60:5c2f1a0b8a922d1a7e3c4b6{n}",
               offset=-8, guid_attr="")  # fmt: skip
    k.feed.mapped = ["language: 'en-US' -> 'en-us'", "category 'News & Politics' -> 'News > Politics'",
                     "duration '1.4' -> 1 seconds"]  # fmt: skip
    return k.done()


def powerpress(s: Server, m: Media) -> HostFeed:
    """WordPress PowerPress: ?p=N GUIDs, an item without a GUID, full HTML notes with in-page
    links (one dead), H:MM:SS, `clean`, keywords, legacy categories."""
    k = Maker(s, m, "powerpress", "content", "dc", "googleplay", "rawvoice", "podcast")
    k.channel(_channel(
        "Press Play", "A WordPress show.",
        '<itunes:category text="Society &amp; Culture"><itunes:category text="History"/>'
        '</itunes:category><itunes:category text="Games &amp; Hobbies"/>'
        "<rawvoice:frequency>Weekly</rawvoice:frequency>", language="en-GB",
    ))  # fmt: skip
    html = ('<h2>Topics</h2><ol><li>One <a href="#ref-1">[1]</a></li><li>Two <a href="#ref-9">[9]</a></li></ol>'
            '<p id="ref-1">1. A source.</p><p><strong>Bold</strong> &amp; <em>em</em></p>')  # fmt: skip
    for n in range(1, 4):
        k.item(n, f"<title>Press {n}</title><content:encoded>{_cdata(html)}</content:encoded>"
               f"<description>{_cdata('Short.')}</description><itunes:duration>0:00:0{n}</itunes:duration>"
               f"<itunes:explicit>clean</itunes:explicit><itunes:keywords>press, play, {n}</itunes:keywords>",
               guid=None if n == 2 else f"https://press.example.org/?p={100 + n}", offset=1)  # fmt: skip
    k.feed.mapped = ["category 'Society & Culture > History' -> 'History'",
                     "category 'Games & Hobbies' -> 'Leisure'", "explicit 'clean' -> false",
                     "in-page link to #ref-9, which does not exist: made plain text",
                     "no guid in the feed: the enclosure URL is its GUID", "language: 'en-GB' -> 'en-gb'"]  # fmt: skip
    return k.done()


def simplecast(s: Server, m: Media) -> HostFeed:
    """Simplecast: UUID GUIDs, trailer and bonus, seasons, notes over 4000 bytes, query
    strings on enclosure URLs."""
    k = Maker(s, m, "simplecast", "content", "podcast")
    k.channel(_channel("Simple Cast", "Simple.", '<itunes:category text="Business"><itunes:category '
                       'text="Management &amp; Marketing"/></itunes:category><itunes:type>episodic</itunes:type>'))  # fmt: skip
    long = "".join(f"<p>Paragraph {i}: " + "words " * 40 + "</p>" for i in range(30))
    for n, kind in ((1, "trailer"), (2, "full"), (3, "bonus")):
        k.item(n, f"<title>Simple {n}</title><content:encoded>{_cdata(long)}</content:encoded>"
               f"<itunes:summary>Short summary {n}</itunes:summary><itunes:episodeType>{kind}</itunes:episodeType>"
               f"<itunes:season>2</itunes:season><itunes:duration>00:00:02</itunes:duration>",
               guid=f"6d1c7a52-0b0e-4b8e-8f1d-3a4b5c6d7e{n:02d}", url=lambda u: u + "?aid=rss_feed&feed=abc",
               audio="long", offset=-7)  # fmt: skip
    k.feed.mapped = ["category 'Business > Management & Marketing' -> 'Business > Management'",
                     "over the feed description's 4000"]  # fmt: skip
    return k.done()


def megaphone(s: Server, m: Media) -> HostFeed:
    """Megaphone: host IDs as GUIDs, a serial show missing episode numbers, a GUID used twice,
    `?updated=` on enclosure URLs."""
    k = Maker(s, m, "megaphone", "content")
    k.channel(_channel("Mega Serial", "A serial.", '<itunes:category text="True Crime"/>'
                       "<itunes:type>serial</itunes:type><itunes:explicit>no</itunes:explicit>"))  # fmt: skip
    for n in range(1, 5):
        number = f"<itunes:episode>{n}</itunes:episode>" if n == 1 else ""
        k.item(n, f"<title>Chapter {['', 'One', 'Two', 'Three', 'Again'][n]}</title>"
               f"<description>{_cdata(f'<p>Mega {n}</p>')}</description><itunes:season>1</itunes:season>{number}"
               "<itunes:duration>2</itunes:duration>",
               guid=f"ADL{9876543210 + (1 if n == 4 else n)}", url=lambda u: u + "?updated=1550000000",
               draft=n == 4, offset=-5)  # fmt: skip
    k.feed.mapped = ["serial show: no episode number; numbered 2 in date order"]
    return k.done()


def transistor(s: Server, m: Media) -> HostFeed:
    """Transistor: podcast:guid, persons with an http image, an HTML transcript, funding."""
    k = Maker(s, m, "transistor", "content", "podcast")
    guid = "0f5c2a9e-7c1b-5d3e-a4f6-8b9c0d1e2f3a"
    html = k.file("t.html", b"<p>Transcript</p>", "text/html")
    k.channel(_channel(
        "Transistor Radio", "Radio.",
        '<itunes:category text="Technology"/><podcast:locked owner="pat@example.org">yes</podcast:locked>'
        f'<podcast:guid>{guid}</podcast:guid><podcast:funding url="http://insecure.example/give">Give</podcast:funding>'
        '<podcast:person role="host" img="http://insecure.example/p.jpg" href="https://pat.example">Pat</podcast:person>',
    ), guid=guid)  # fmt: skip
    for n in range(1, 4):
        k.item(n, f"<title>Radio {n}</title><content:encoded>{_cdata(f'<p>Radio {n}</p>')}</content:encoded>"
               f'<itunes:duration>{n * 60}</itunes:duration><podcast:transcript url="{html}" type="text/html"/>'
               '<podcast:person role="guest" href="https://guest.example">Guest</podcast:person>',
               guid=f"c2b1a0f9-e8d7-4c6b-a5f4-e3d2c1b0a9{n:02d}", offset=2)  # fmt: skip
    k.feed.mapped = ["person 'Pat': img 'http://insecure.example/p.jpg' dropped"]
    k.feed.left_out = ["funding 'http://insecure.example/give': not an https URL"]
    return k.done()


def acast(s: Server, m: Media) -> HostFeed:
    """Acast: 24-hex IDs, acast: elements, `<br>` notes, a video, an item without enclosure,
    an unreadable date, a title with no ASCII, and two episodes whose stems collide."""
    k = Maker(s, m, "acast", "acast", "content")
    k.channel(_channel("Acast Hour", _cdata("Hour<br/>by hour"), '<itunes:category text="Comedy"/>'
                       "<acast:showId>5e1f2a3b4c5d6e7f8a9b0c1d</acast:showId><acast:settings>xyz</acast:settings>"))  # fmt: skip
    same = _date(2, 1)
    for n, title in ((1, "日本語のエピソード"), (2, "Same day"), (3, "Same day")):
        k.item(n, f"<title>{title}</title><description>{_cdata(f'Line one<br>line {n}')}</description>"
               f"<acast:episodeId>{n:024x}</acast:episodeId><itunes:duration>00:00:02</itunes:duration>",
               guid=f"{0x61a2b3c4d5e6f7a8b9c0d100 + n:024x}", offset=1, when=same if n > 1 else None)  # fmt: skip
    video = k.file("v.mp4", m.mp3, "video/mp4")
    k.raw_item(f'<title>A video</title><guid>vid</guid><pubDate>Mon, 04 Mar 2019 10:00:00 +0100</pubDate>'
               f'<enclosure url="{video}" length="10" type="video/mp4"/>')  # fmt: skip
    k.raw_item(
        "<title>No media</title><guid>none</guid><pubDate>Mon, 04 Mar 2019 10:00:00 +0100</pubDate>"
    )
    k.raw_item(f'<title>Bad date</title><guid>bad</guid><pubDate>the 32nd of Smarch</pubDate>'
               f'<enclosure url="{s.url("/acast/media/1.mp3")}" length="10" type="audio/mpeg"/>')  # fmt: skip
    k.feed.left_out = ["item 3 'A video': not imported: the enclosure is not MP3 or M4A audio (type video/mp4)",
                       "item 2 'No media': not imported: no enclosure",
                       "item 1 'Bad date': not imported: date 'the 32nd of Smarch' cannot be read"]  # fmt: skip
    return k.done()


def big(s: Server, m: Media, count: int = 300) -> HostFeed:
    """A long back catalogue: ``count`` items with tag: URI GUIDs."""
    k = Maker(s, m, "big", "content")
    k.channel(_channel("Big Back Catalogue", "Years of it.", '<itunes:category text="History"/>'))
    for n in range(1, count + 1):
        k.item(n, f"<title>Day {n}</title><description>{_cdata(f'<p>Day {n}</p>')}</description>"
               "<itunes:duration>2</itunes:duration>", guid=f"tag:big.example,2019:{n}", offset=0)  # fmt: skip
    return k.done()


HOSTS: dict[str, Callable[[Server, Media], HostFeed]] = {
    "libsyn": libsyn,
    "anchor": anchor,
    "buzzsprout": buzzsprout,
    "podbean": podbean,
    "squarespace": squarespace,
    "powerpress": powerpress,
    "simplecast": simplecast,
    "megaphone": megaphone,
    "transistor": transistor,
    "acast": acast,
}
