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
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from publisher import layout
from publisher.errors import SiteError
from publisher.model import Item, Show, ShowLinks
from publisher.site import formats, pages, references, structured
from publisher.site.digests import Digests
from publisher.site.qr import Kept, qr_svg
from publisher.site.theme import SUBSCRIBE_APPS, script, stylesheet
from publisher.site.urls import base_url, content_security_policy, href, relative
from publisher.site.views import EpisodeView, episode_csl, view_of

__all__ = ["Part", "render_site", "site_parts"]

HOME_EPISODES = 10
TEMPLATES_DIR = "templates"  # a show's template overrides, beside feed_config.yaml


@dataclass(frozen=True)
class Part:
    """One file of the website before it is rendered: its key, a hash of everything it is
    made of (:mod:`publisher.site.digests`; None: not known, so it is always made), and how
    to make its bytes (raises SiteError for a broken template override)."""

    key: str
    digest: str | None
    make: Callable[[], bytes]


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
    for part in site_parts(show, links, items, cite_episode=cite_episode):
        yield part.key, part.make()


def site_parts(
    show: Show,
    links: ShowLinks,
    items: Sequence[Item],
    *,
    cite_episode: Callable[[Mapping[str, Any]], str] | None = None,
    inputs: str = "",
    file_digest: Callable[[Path], str] | None = None,
    compiled: Path | None = None,
    kept: Kept | None = None,
) -> Iterator[Part]:
    """The files of :func:`render_site`, in the same order, each with the hash of what it is
    made of, rendered only when its ``make`` is called. ``inputs`` hashes what the pages are
    made of beyond the show and its items (the code, the show's template overrides, the
    citation style); ``file_digest(path)`` gives a file's content hash (a transcript's).
    ``compiled``: an existing folder where jinja keeps compiled templates between runs
    (its ``FileSystemBytecodeCache``, checked against each template's source); ``kept``:
    where the feed's QR code is kept between runs (:func:`publisher.site.qr.qr_svg`)."""
    site = _Site(show, links, items, cite_episode, inputs, file_digest, compiled, kept)
    yield from site.files()


class _Site:
    """The shared context of one rendering: environment, stylesheet, base URL, policy."""

    def __init__(
        self,
        show: Show,
        links: ShowLinks,
        items: Sequence[Item],
        cite_episode: Callable[[Mapping[str, Any]], str] | None,
        inputs: str = "",
        file_digest: Callable[[Path], str] | None = None,
        compiled: Path | None = None,
        kept: Kept | None = None,
    ) -> None:
        self.show, self.links, self.items = show, links, items
        self.cite_episode = cite_episode
        self.env = _environment(_overrides(show), str(compiled) if compiled else None)
        self.css = stylesheet(show.accent_color)
        self.script = script()
        self.base = base_url(links, items)
        self.csp = content_security_policy(links, items)
        self.zone = formats.zone(show.timezone)
        self.views = [view_of(item, self.zone) for item in items]
        self.by_slug = {v.item.episode.slug: v for v in self.views}
        self.all_pages = pages.all_pages(items, max(1, show.episodes_per_page))
        self.months = pages.month_pages(items, self.zone)
        self.seasons = pages.season_pages(items)
        self.subscribe = tuple(
            (SUBSCRIBE_APPS[name], url) for name, url in show.subscribe if name in SUBSCRIBE_APPS
        )
        # here, not in a worker: once made, it is kept for the next build (made again only
        # for a new feed URL)
        self.qr = qr_svg(links.feed_url, f"QR code of the feed address {links.feed_url}", kept)
        self.page_keys: list[str] = []
        self.series = structured.series(show, links)
        # every page links to the first "All episodes" page; only those pages list them all
        first = self.all_pages[0].key if self.all_pages else None
        shared = (self.css, self.script, self.base, self.csp, first)
        self.digests = Digests(inputs, show, links, shared, file_digest)
        self.all_keys = [(p.key, p.number) for p in self.all_pages]
        if _overrides(show):  # a template of the show's may show any item on any page
            self.digests.widen([self.digests.item(i) for i in items])

    def files(self) -> Iterator[Part]:
        home = self.views[:HOME_EPISODES]
        yield self.page(
            "home.html",
            layout.INDEX_KEY,
            [self.digests.item(v.item) for v in home],
            items=home,
            home=True,
        )
        for listing in self.all_pages:
            yield self.listing(listing, "all")
        months = pages.months(self.months)
        yield self.page(
            "archive_index.html",
            layout.ARCHIVE_INDEX_KEY,
            [months, [self._listing_digest(s) for s in self.seasons]],
            months=months,
            seasons=self.seasons,
        )
        for listing in self.months:
            yield self.listing(listing, "month")
        for listing in self.seasons:
            yield self.listing(listing, "season")
        for i, view in enumerate(self.views):
            yield from self.episode(i, view)
        yield self.page("404.html", layout.NOT_FOUND_KEY, [], in_sitemap=False)
        sitemap, robots = self.sitemap(), self.robots()
        yield Part(layout.SITEMAP_KEY, None, lambda: sitemap)
        yield Part(layout.ROBOTS_KEY, None, lambda: robots)
        yield Part(layout.STYLESHEET_KEY, None, lambda: self.css)
        yield Part(layout.SCRIPT_KEY, None, lambda: self.script)

    def page(
        self,
        template: str,
        key: str,
        made_of: list[object],
        in_sitemap: bool = True,
        more: Callable[[], dict[str, Any]] | None = None,
        **context: Any,
    ) -> Part:
        """One page: made of what every page shares, its template and key and ``made_of``
        (what of its ``context``, and of the context ``more`` computes when it is rendered,
        is not derived from the items hashed there). A page outside the sitemap (404) is
        served at any path, so its links are absolute."""
        if in_sitemap:
            self.page_keys.append(key)
        digest = self.digests.part(key, template, in_sitemap, *made_of)
        return Part(key, digest, lambda: self._render(template, key, in_sitemap, context, more))

    def _render(
        self,
        template: str,
        key: str,
        in_sitemap: bool,
        context: dict[str, Any],
        more: Callable[[], dict[str, Any]] | None,
    ) -> bytes:
        if more is not None:
            context = {**context, **more()}

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
        return html.encode("utf-8")

    def _listing_digest(self, listing: pages.Listing) -> list[object]:
        fields = (listing.key, listing.title, listing.number)
        neighbours = (
            listing.newer_key,
            listing.older_key,
            listing.newer_title,
            listing.older_title,
        )
        return [fields, neighbours, [self.digests.item(i) for i in listing.items]]

    def listing(self, listing: pages.Listing, kind: str) -> Part:
        views = [self.by_slug[i.episode.slug] for i in listing.items]
        return self.page(
            "listing.html",
            listing.key,
            [kind, self._listing_digest(listing), self.all_keys if kind == "all" else None],
            listing=listing,
            items=views,
            kind=kind,
        )

    # long: one episode's files in order (page, transcript page, captions, references to take
    # away, "cite this episode"), each with what it is made of; splitting it scatters them.
    def episode(self, i: int, view: EpisodeView) -> Iterator[Part]:
        item = view.item
        slug = item.episode.slug
        cues = None
        if item.episode.transcript is not None and not layout.is_html(item.episode.transcript.name):
            from publisher.site import transcript  # srt, webvtt: only for a show with them

            cues = transcript.read_cues(item.episode.transcript)
        timed = bool(cues and any(c.end > c.start for c in cues))
        cited = [c for _, c in item.cited]
        own = episode_csl(self.show, item)
        newer = self.views[i - 1] if i > 0 else None
        older = self.views[i + 1] if i + 1 < len(self.views) else None
        made_of = self.digests.item(item)

        def more() -> dict[str, Any]:
            citation = Markup(self.cite_episode(own)) if self.cite_episode else None
            return {
                "coins": [references.coins(c) for c in cited],
                "citation": citation,
                "structured": structured.episode(
                    self.show, self.links, item, description=view.summary, cited=cited
                ),
            }

        yield self.page(
            "episode.html",
            item.links.page_key,
            [made_of, *(self.digests.item(v.item if v else None) for v in (newer, older))],
            more=more,
            item=item,
            view=view,
            newer=newer,
            older=older,
            month=layout.month_key(view.datetime[:7]),
            has_transcript_page=cues is not None,
            has_captions=timed,
        )
        if cues is not None:
            yield self.page(
                "transcript.html",
                layout.transcript_page_key(slug),
                [made_of],
                more=lambda: {"turns": transcript.turns(cues)},
                item=item,
                view=view,
                timed=timed,
            )
            if timed:
                yield self._file(
                    layout.captions_key(slug), made_of, lambda: transcript.to_vtt(cues)
                )
        if item.cited:
            yield self._file(
                layout.references_key(slug, "ris"), made_of, lambda: references.ris(cited)
            )
            yield self._file(
                layout.references_key(slug, "bib"), made_of, lambda: references.bibtex(item.cited)
            )
            yield self._file(
                layout.references_key(slug, "json"),
                made_of,
                lambda: references.csl_json(item.cited),
            )
        yield self._file(layout.cite_key(slug, "ris"), made_of, lambda: references.ris([own]))
        yield self._file(
            layout.cite_key(slug, "bib"), made_of, lambda: references.bibtex([(slug, own)])
        )

    def _file(self, key: str, made_of: str, make: Callable[[], bytes]) -> Part:
        return Part(key, self.digests.part(key, made_of), make)

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


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _version(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:10]


def _overrides(show: Show) -> str | None:
    folder = show.root / TEMPLATES_DIR
    return str(folder) if folder.is_dir() else None


@cache
def _environment(overrides: str | None, compiled: str | None = None) -> jinja2.Environment:
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
        bytecode_cache=jinja2.FileSystemBytecodeCache(compiled) if compiled else None,
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
