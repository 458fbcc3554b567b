"""The website: every page of the listeners' site (the only jinja2 import).

Pages: home (``index.html``), all episodes (``all/N.html``), the archive by month
(``archive/index.html``, ``archive/YYYY-MM.html``), seasons (``seasons/N.html``), one page per
episode with its transcript page, captions and references to take away, ``404.html``,
``sitemap.xml``, ``robots.txt``, the stylesheet and the one small script. Reading and playing
work with no JavaScript and from ``file://``; the script only enhances (chapter links seek the
player, the copy button, the search box). Every string except the notes' already-sanitised
``web_html`` is autoescaped. The same inputs give byte-identical files.

A show may override any template with a file of the same name in its ``templates/`` folder; a
broken override is a :class:`~publisher.errors.SiteError` naming its file and line.
"""

from __future__ import annotations

import hashlib
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from markupsafe import Markup

from publisher import layout
from publisher.errors import SiteError
from publisher.model import Item, Show, ShowLinks
from publisher.site import formats, pages, references, structured, transcript
from publisher.site.qr import qr_svg
from publisher.site.theme import SUBSCRIBE_APPS
from publisher.site.urls import base_url, content_security_policy, href, relative

__all__ = ["render_site"]

HOME_EPISODES = 10
TEMPLATES_DIR = "templates"  # a show's template overrides, beside feed_config.yaml


@dataclass(frozen=True)
class EpisodeView:
    """One item with the display strings its pages need (computed once, used on many pages)."""

    item: Item
    datetime: str
    date: str
    duration: str
    duration_iso: str
    summary: str
    size: str
    format: str
    numbering: str
    kind: str


def _view(item: Item, zone: ZoneInfo | None) -> EpisodeView:
    episode = item.episode
    date = pages.local_date(episode.date, zone)
    numbers = []
    if episode.season is not None:
        numbers.append(f"Season {episode.season}")
    if episode.episode is not None:
        numbers.append(f"Episode {episode.episode}")
    return EpisodeView(
        item=item,
        datetime=date.isoformat(),
        date=formats.human_date(date),
        duration=formats.human_duration(episode.audio.duration),
        duration_iso=formats.iso_duration(episode.audio.duration),
        summary=episode.summary or formats.first_paragraph(item.notes.web_html),
        size=formats.human_size(episode.audio.size),
        format=episode.audio.extension.upper(),
        numbering=", ".join(numbers),
        kind="" if episode.episode_type == "full" else episode.episode_type.capitalize(),
    )


def render_site(
    show: Show,
    links: ShowLinks,
    items: Sequence[Item],
    *,
    cite_episode: Callable[[Mapping[str, Any]], str] | None = None,
) -> Iterator[tuple[str, bytes]]:
    """Yield the website's files as ``(key, content)``, one at a time, in a fixed order.

    ``items`` are newest first. ``cite_episode`` formats a CSL item in the show's citation
    style (for "Cite this episode"); without it the block is left out.
    Raises SiteError for a broken template override (file and line), nothing else a producer
    can fix: every other input was validated by earlier stages.
    """
    site = _Site(show, links, items, cite_episode)
    yield from site.files()


class _Site:
    """The shared context of one rendering: environment, stylesheet, base URL, policy."""

    def __init__(
        self,
        show: Show,
        links: ShowLinks,
        items: Sequence[Item],
        cite_episode: Callable[[Mapping[str, Any]], str] | None,
    ) -> None:
        self.show, self.links, self.items = show, links, items
        self.cite_episode = cite_episode
        self.env = _environment(_overrides(show))
        self.css = _stylesheet(show.accent_color)
        self.script = _script()
        self.base = base_url(links, items)
        self.csp = content_security_policy(links, items)
        self.zone = formats.zone(show.timezone)
        self.views = [_view(item, self.zone) for item in items]
        self.by_slug = {v.item.episode.slug: v for v in self.views}
        self.all_pages = pages.all_pages(items, max(1, show.episodes_per_page))
        self.months = pages.month_pages(items, self.zone)
        self.seasons = pages.season_pages(items)
        self.subscribe = tuple(
            (SUBSCRIBE_APPS[name], url) for name, url in show.subscribe if name in SUBSCRIBE_APPS
        )
        self.qr = qr_svg(links.feed_url, f"QR code of the feed address {links.feed_url}")
        self.page_keys: list[str] = []
        self.series = structured.series(show, links)

    def files(self) -> Iterator[tuple[str, bytes]]:
        yield self.page("home.html", layout.INDEX_KEY, items=self.views[:HOME_EPISODES], home=True)
        for listing in self.all_pages:
            yield self.listing(listing, "all")
        yield self.page(
            "archive_index.html",
            layout.ARCHIVE_INDEX_KEY,
            months=pages.months(self.months),
            seasons=self.seasons,
        )
        for listing in self.months:
            yield self.listing(listing, "month")
        for listing in self.seasons:
            yield self.listing(listing, "season")
        for i, view in enumerate(self.views):
            yield from self.episode(i, view)
        yield self.page("404.html", layout.NOT_FOUND_KEY, in_sitemap=False)
        yield layout.SITEMAP_KEY, self.sitemap()
        yield layout.ROBOTS_KEY, self.robots()
        yield layout.STYLESHEET_KEY, self.css
        yield layout.SCRIPT_KEY, self.script

    def page(
        self, template: str, key: str, in_sitemap: bool = True, **context: Any
    ) -> tuple[str, bytes]:
        """Render one page. A page outside the sitemap (404) is served at any path, so its
        links are absolute."""
        if in_sitemap:
            self.page_keys.append(key)

        def rel(target_key: str) -> str:
            return relative(key, target_key) if in_sitemap else self.base + target_key

        def link(url: str) -> str:
            return href(self.base, key, url) if in_sitemap else url

        try:
            html = self.env.get_template(template).render(
                show=self.show,
                links=self.links,
                key=key,
                href=link,
                rel=rel,
                abs=lambda target_key: self.base + target_key,
                stylesheet=f"{rel(layout.STYLESHEET_KEY)}?v={_version(self.css)}",
                script=f"{rel(layout.SCRIPT_KEY)}?v={_version(self.script)}",
                search_bundle=rel(layout.SEARCH_PARTS_KEY),
                csp=self.csp,
                subscribe=self.subscribe,
                qr=self.qr,
                all_pages=self.all_pages,
                keys=layout,
                jsonld=structured.script,
                **{"structured": self.series, **context},
            )
        except jinja2.TemplateError as e:
            raise _template_error(e, self.show) from e
        return key, html.encode("utf-8")

    def listing(self, listing: pages.Listing, kind: str) -> tuple[str, bytes]:
        views = [self.by_slug[i.episode.slug] for i in listing.items]
        return self.page("listing.html", listing.key, listing=listing, items=views, kind=kind)

    def episode(self, i: int, view: EpisodeView) -> Iterator[tuple[str, bytes]]:
        item = view.item
        slug = item.episode.slug
        cues = None
        if item.episode.transcript is not None and not layout.is_html(item.episode.transcript.name):
            cues = transcript.read_cues(item.episode.transcript)
        cited = [c for _, c in item.cited]
        own = _episode_csl(self.show, item)
        citation = Markup(self.cite_episode(own)) if self.cite_episode else None
        yield self.page(
            "episode.html",
            item.links.page_key,
            item=item,
            view=view,
            newer=self.views[i - 1] if i > 0 else None,
            older=self.views[i + 1] if i + 1 < len(self.views) else None,
            month=layout.month_key(view.datetime[:7]),
            has_transcript_page=cues is not None,
            has_captions=bool(cues and any(c.end > c.start for c in cues)),
            coins=[references.coins(c) for c in cited],
            citation=citation,
            structured=structured.episode(
                self.show, self.links, item, description=view.summary, cited=cited
            ),
        )
        if cues is not None:
            yield self.page(
                "transcript.html",
                layout.transcript_page_key(slug),
                item=item,
                view=view,
                turns=transcript.turns(cues),
                timed=any(c.end > c.start for c in cues),
            )
            if any(c.end > c.start for c in cues):
                yield layout.captions_key(slug), transcript.to_vtt(cues)
        if item.cited:
            yield layout.references_key(slug, "ris"), references.ris(cited)
            yield layout.references_key(slug, "bib"), references.bibtex(item.cited)
            yield layout.references_key(slug, "json"), references.csl_json(item.cited)
        yield layout.cite_key(slug, "ris"), references.ris([own])
        yield layout.cite_key(slug, "bib"), references.bibtex([(slug, own)])

    def sitemap(self) -> bytes:
        rows = "".join(
            f"<url><loc>{_xml_escape(self.base + key)}</loc></url>\n" for key in self.page_keys
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            f"{rows}</urlset>\n"
        ).encode()

    def robots(self) -> bytes:
        return f"User-agent: *\nAllow: /\nSitemap: {self.base}{layout.SITEMAP_KEY}\n".encode()


def _episode_csl(show: Show, item: Item) -> dict[str, Any]:
    """The episode itself as a CSL item, for "Cite this episode" (CSL type ``broadcast``)."""
    ep = item.episode
    date = ep.date
    return {
        "id": ep.slug,
        "type": "broadcast",
        "title": ep.title,
        "container-title": show.title,
        "author": [{"literal": show.author}],
        "medium": "Podcast audio",
        "genre": "Podcast",
        "issued": {"date-parts": [[date.year, date.month, date.day]]},
        "URL": item.links.page_url,
        "publisher": show.owner.name,
    }


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _version(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:10]


def _overrides(show: Show) -> str | None:
    folder = show.root / TEMPLATES_DIR
    return str(folder) if folder.is_dir() else None


@cache
def _environment(overrides: str | None) -> jinja2.Environment:
    package = jinja2.PackageLoader("publisher.site", "templates")
    loader: jinja2.BaseLoader = package
    if overrides:
        loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(overrides), package])
    env = jinja2.Environment(
        loader=loader,
        autoescape=True,  # everything but the sanitised notes is untrusted
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["clock"] = formats.clock
    env.filters["iso_duration"] = formats.iso_duration
    env.filters["paragraphs"] = formats.paragraphs
    env.filters["http_url"] = formats.http_url
    env.filters["excerpt"] = formats.excerpt
    return env


def _template_error(e: jinja2.TemplateError, show: Show) -> SiteError:
    """A broken override named by file and line (jinja's own lines point into the template)."""
    folder = show.root / TEMPLATES_DIR
    if isinstance(e, jinja2.TemplateSyntaxError) and e.filename:
        return SiteError(f"template error: {e.message}", Path(e.filename), e.lineno)
    for frame in reversed(traceback.extract_tb(e.__traceback__)):
        if frame.filename.startswith(str(folder)):
            return SiteError(f"template error: {e}", Path(frame.filename), frame.lineno)
    return SiteError(f"template error: {e}", folder, None, "check the show's template overrides")


@cache
def _package_css() -> bytes:
    return resources.files("publisher.site").joinpath("static", layout.STYLESHEET_KEY).read_bytes()


def _stylesheet(accent: tuple[str, str] | None) -> bytes:
    css = _package_css()
    if accent is None:
        return css
    light, dark = accent
    return (
        css
        + (
            f"\n/* the show's accent_color */\n:root {{ --link: {light}; }}\n"
            f"@media (prefers-color-scheme: dark) {{ :root {{ --link: {dark}; }} }}\n"
        ).encode()
    )


@cache
def _script() -> bytes:
    return resources.files("publisher.site").joinpath("static", layout.SCRIPT_KEY).read_bytes()
