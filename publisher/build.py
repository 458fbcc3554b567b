"""Run the stages in order and write the complete output for one target.

config -> episodes (+ audio) -> notes -> feed + site -> files on disk. ``check`` runs the same
stages and writes nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from publisher import artwork, audio, config, episodes, feed, notes, site
from publisher.episodes.chapters import chapters_json
from publisher.errors import (
    ConfigError,
    EpisodeError,
    FeedError,
    Notice,
    Problems,
    PublisherError,
    display_path,
    raise_all,
)
from publisher.filecache import CACHE_FILE, HashCache
from publisher.model import (
    AudioInfo,
    Build,
    Chapter,
    Enclosure,
    Episode,
    FileKind,
    Item,
    ItemLinks,
    Show,
    ShowLinks,
    SiteFile,
    Target,
)
from publisher.site import keys as site_keys
from publisher.site import search

BUILD_MARKER = ".publisher-build"
DRAFTS_MARKER = ".publisher-drafts"  # in a build with drafts: publish refuses it
_SEARCH_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
}
_TEXT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".vtt": "text/vtt; charset=utf-8",
    ".srt": "application/x-subrip; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".json": "application/json",
    ".js": "text/javascript; charset=utf-8",
    ".xml": "application/xml",
    ".ris": "application/x-research-info-systems; charset=utf-8",
    ".bib": "application/x-bibtex; charset=utf-8",
    ".png": "image/png",
    ".jpg": "image/jpeg",
}


@dataclass(frozen=True)
class Output:
    """One file of the build before it is written: bytes, or a source file to copy."""

    key: str
    kind: FileKind
    content_type: str
    data: bytes | None = None
    source: Path | None = None
    immutable: bool = False


@dataclass(frozen=True)
class Plan:
    """Everything a build decided, before anything is written."""

    show: Show
    target: Target
    items: tuple[Item, ...]
    outputs: tuple[Output, ...]
    notices: tuple[str, ...]
    pending: tuple[episodes.Pending, ...] = ()  # notes not yet due that are no Episode yet


def prepare(
    root: Path,
    *,
    now: dt.datetime,
    target: Target | None = None,
    target_name: str | None = None,
    guid_mode: episodes.GuidMode = "write",
    cache: HashCache | None = None,
    drafts: bool = False,
    allow_empty: bool = False,
) -> Plan:
    """Read and render everything for ``target``; writes only missing GUIDs.

    ``cache`` supplies durations measured before (default: the show's cache, read only).
    Episodes not yet due (drafts, future dates) are read and rendered too, their problems
    kept as warnings; ``drafts`` puts them into the output, marked (a local preview).
    ``allow_empty`` (``check``) lets a show with no episode due pass with a warning (I-16).
    Raises PublisherError, or Problems with every problem found.
    """
    root = root.resolve()
    cache = cache or HashCache(root / CACHE_FILE)
    show = config.load(root)
    notices: list[str] = [str(n) for n in config.identity_notices(show)]
    new_podcast_guid = show.podcast_guid is None
    show = _ensure_podcast_guid(show, guid_mode, notices)
    if target is None:
        target = config.find_target(show, target_name, ad_hoc_hint=True)
    read = episodes.read_episodes(
        show, _audio_reader(cache), guid_mode=guid_mode, raise_problems=False, now=now
    )
    notices.extend(read.notices)
    notices.extend(_held_notices(read, now, drafts))
    show_art = show.image.read_bytes()  # config checked it (C-03)
    if artwork.is_placeholder(show_art):
        notices.append(
            str(
                Notice(
                    f"artwork {show.image.name!r} is the placeholder 'publisher init' made",
                    show.source,
                    show.line("artwork"),
                    "replace it with the show's own square 1400-3000 px RGB JPEG or PNG [C-03]",
                )
            )
        )
    art_key = _artwork_key(show_art)
    outputs: list[Output] = [_artwork_output(art_key, show_art)]
    renditions = _renditions(show_art, art_key, target.public_url, outputs)
    icon_keys = []
    for side, name in zip(
        artwork.ICON_SIDES, (site_keys.FAVICON, site_keys.TOUCH_ICON), strict=True
    ):
        outputs.append(Output(name, "asset", "image/png", artwork.icon(show_art, side)))
        icon_keys.append((side, name))
    show_links = ShowLinks(
        target.public_url + "index.html",
        target.feed_url,
        target.public_url + art_key,
        art_key,
        renditions,
        tuple(icon_keys),
    )
    style_holder: list[notes.CitationStyle] = []
    chosen = sorted(read.episodes, key=lambda e: (e.date, e.slug), reverse=True)
    rendered = _items(show, target, chosen, list(read.problems), style_holder, now, notices)
    if not drafts:  # episodes not yet due were rendered only for their warnings
        rendered = [(i, extra) for i, extra in rendered if i.preview_label is None]
    items = [i for i, _ in rendered]
    for _, extra in rendered:
        outputs.extend(extra)
    if not items and allow_empty:
        notices.append(
            str(
                Notice(
                    "no published episodes yet: build and publish need at least one [I-16]",
                    show.source,
                    None,
                    'publisher new "Episode title", then put its audio in episodes/',
                )
            )
        )
        return Plan(show, target, (), tuple(outputs), tuple(notices), read.pending)
    if not items:
        held: list[tuple[bool, dt.datetime | None]] = [
            (e.draft, e.date) for e in read.episodes if e.draft or e.date > now
        ]
        held += [(p.draft, p.date) for p in read.pending]
        later = sorted(date for draft, date in held if not draft and date is not None)
        raise FeedError(
            "no published episodes: a feed needs at least one [I-16]",
            show.source,
            None,
            f"{len(held) - len(later)} draft(s); {len(later)} scheduled"
            + (f", the first for {later[0].isoformat()}" if later else "")
            + "; publish again once one is due"
            if held
            else "add an episode: episodes/<slug>.mp3 and show_notes/<slug>.md",
        )
    notices.extend(feed.title_warnings(show, items))
    feed_xml, feed_notice = feed.fit_feed(show, show_links, items)
    if feed_notice:
        notices.append(feed_notice)
    outputs.append(Output("feed.xml", "feed", feed.FEED_CONTENT_TYPE, feed_xml))
    cite = None
    if style_holder:
        style = style_holder[0]

        def cite(item: Mapping[str, Any]) -> str:
            return style.render_entries([item])[0]

    for key, data in site.render_site(show, show_links, items, cite_episode=cite):
        kind: FileKind = "page" if key.endswith(".html") else "asset"
        outputs.append(Output(key, kind, _content_type(key), data))
    if guid_mode == "write":
        # Only now, with nothing else wrong: a failed run writes no file at all.
        if new_podcast_guid and show.podcast_guid:
            config.store_podcast_guid(show, show.podcast_guid)
            notices.append(
                f"{display_path(show.source)}: wrote 'podcast_guid: {show.podcast_guid}'; "
                "commit this file"
            )
        notices.extend(episodes.write_new_guids(read.episodes))
    return Plan(show, target, tuple(items), tuple(outputs), tuple(notices), read.pending)


def build(
    root: Path,
    *,
    now: dt.datetime,
    out_dir: Path | None = None,
    target: Target | None = None,
    target_name: str | None = None,
    guid_mode: episodes.GuidMode = "write",
    drafts: bool = False,
) -> Build:
    """Build the show for a target into ``out_dir`` (default ``<root>/_site``); with
    ``drafts``, a local preview that includes drafts and scheduled episodes, marked (its
    Build refuses to be published)."""
    out = (out_dir or root / "_site").resolve()
    _check_build_dir(out, root.resolve())
    cache = HashCache(root.resolve() / CACHE_FILE)
    plan = prepare(
        root,
        now=now,
        target=target,
        target_name=target_name,
        guid_mode=guid_mode,
        cache=cache,
        drafts=drafts,
    )
    _clean(out)
    files: list[SiteFile] = []
    for o in plan.outputs:
        dest = out / o.key
        dest.parent.mkdir(parents=True, exist_ok=True)
        if o.source is not None:
            _link_or_copy(o.source, dest)
            size, digest = cache.digest(o.source)
        else:
            assert o.data is not None
            dest.write_bytes(o.data)
            size, digest = len(o.data), hashlib.sha256(o.data).hexdigest()
        files.append(SiteFile(o.key, dest, size, digest, o.content_type, o.kind, o.immutable))
    for path in search.index(out):
        data = path.read_bytes()
        key = path.relative_to(out).as_posix()
        ctype = _SEARCH_TYPES.get(path.suffix, "application/octet-stream")
        files.append(
            SiteFile(key, path, len(data), hashlib.sha256(data).hexdigest(), ctype, "asset")
        )
    cache.save()
    enclosures = tuple(
        Enclosure(
            i.links.media_key,
            i.links.media_url,
            i.episode.audio.size,
            i.episode.audio.mime_type,
            i.episode.guid,
            i.episode.source,
        )
        for i in plan.items
    )
    if drafts:
        (out / DRAFTS_MARKER).write_text("a preview with drafts: never published\n")
    return Build(out, plan.target, tuple(files), enclosures, plan.notices, drafts)


def _held_notices(read: episodes.ReadResult, now: dt.datetime, drafts: bool) -> list[str]:
    """One line per episode not yet due: left out (or, in a drafts preview, included)."""
    what = "included in this preview, marked" if drafts else "left out"
    found: list[tuple[dt.datetime | None, str, str]] = []
    for e in read.episodes:
        if e.draft or e.date > now:
            found.append((e.date, e.slug, f"{display_path(e.source)}: {_label(e)}, {what}"))
    for p in read.pending:
        label = "draft" if p.draft else f"scheduled for {p.date.isoformat() if p.date else '?'}"
        found.append((p.date, p.slug, f"{display_path(p.source)}: {label}, left out"))
    epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
    return [text for _, _, text in sorted(found, key=lambda f: (f[0] or epoch, f[1]))]


def _label(e: Episode) -> str:
    return "draft" if e.draft else f"scheduled for {e.date.isoformat()}"


def _audio_reader(cache: HashCache) -> episodes.AudioReader:
    """read_audio that skips measuring a file measured before (same size and mtime)."""

    def read(path: Path) -> AudioInfo:
        info = audio.read_audio(path, measured=cache.duration(path))
        cache.remember_duration(path, info.duration)
        return info

    return read


def _ensure_podcast_guid(show: Show, mode: episodes.GuidMode, notices: list[str]) -> Show:
    """The show with the podcast:guid its feed carries (C-12): the stored one, else the
    recipe's value for the production feed URL; a show with no production target yet has
    none (its feeds are previews)."""
    if show.podcast_guid:
        return show
    guid = config.feed_guid(show)
    if guid is None:
        return show
    if mode == "refuse":
        raise ConfigError(
            "no 'podcast_guid' yet [C-12]",
            show.source,
            None,
            "run 'publisher build' locally to write it, then commit feed_config.yaml",
        )
    if mode == "preview":
        notices.append(f"{display_path(show.source)}: a real publish writes 'podcast_guid: {guid}'")
    return dataclasses.replace(show, podcast_guid=guid)


def _items(
    show: Show,
    target: Target,
    chosen: Sequence[Episode],
    problems: list[PublisherError],
    style_holder: list[notes.CitationStyle],
    now: dt.datetime,
    notices: list[str],
) -> list[tuple[Item, list[Output]]]:
    """Items for ``chosen`` episodes with their own files; raises every problem found so far
    with those of the due episodes. An episode not yet due gets a ``preview_label``, and its
    problems are appended to ``notices`` as warnings.

    When a bibliography or the style cannot be loaded, notes that use it are not rendered:
    each citation would otherwise be reported as an unknown key, burying the real problem.
    """
    bib_line = show.line("bibliography")
    style_line = show.line("citation_style")
    show_bib: notes.Bibliography | None = notes.Bibliography.empty()
    style = None
    try:
        show_bib = notes.load_bibliography(show.bibliography, source=show.source, line=bib_line)
    except PublisherError as e:
        problems.append(e)
        show_bib = None
    try:
        style = notes.load_style(
            show.citation_style, base_dir=show.root, source=show.source, line=style_line
        )
    except PublisherError as e:
        problems.append(e)
    if style is not None:
        style_holder.append(style)
    items: list[tuple[Item, list[Output]]] = []
    for ep in chosen:
        label = _label(ep) if ep.draft or ep.date > now else None
        try:
            links, extra, marks = _episode_files(ep, target)
            bib = show_bib
            if ep.bibliography:
                line = ep.line("bibliography")
                own = notes.load_bibliography(ep.bibliography, source=ep.source, line=line)
                bib = show_bib.merge(own, source=ep.source, line=line) if show_bib else None
            if style is None or bib is None:
                continue
            rendered = notes.render_notes(
                ep.body,
                source=ep.source,
                first_line=ep.body_line,
                bibliography=bib,
                style=style,
                page_url=links.page_url,
                references_title=show.references_title,
                summary=ep.summary,
            )
        except PublisherError as e:
            if label is None:
                problems.append(e)
            else:
                flat = e.problems if isinstance(e, Problems) else (e,)
                notices.extend(episodes.not_due_notice(p) for p in flat)
            continue
        cited = tuple((r.key, bib.items[r.key]) for r in rendered.references if r.key in bib.items)
        items.append((Item(ep, rendered, links, marks, cited, label), extra))
    raise_all(problems)
    return items


def _episode_files(
    ep: Episode, target: Target
) -> tuple[ItemLinks, list[Output], tuple[Chapter, ...]]:
    base = target.public_url
    a = ep.audio
    media_key = f"media/{ep.slug}.{a.extension}"
    extra = [Output(media_key, "media", a.mime_type, source=a.source)]
    image_url = None
    image_renditions: tuple[tuple[int, str], ...] = ()
    if ep.image is not None:
        named = ep.line("image")  # else a same-stem file in episodes/
        data = artwork.check(
            ep.image,
            source=ep.source if named else None,
            line=named,
            error=EpisodeError,
        )
        key = _artwork_key(data)
        extra.append(_artwork_output(key, data))
        image_url = base + key
        image_renditions = _renditions(data, key, base, extra)
    elif a.artwork is not None and artwork.embedded_usable(a.artwork.data):
        key = _artwork_key(a.artwork.data)
        extra.append(_artwork_output(key, a.artwork.data))
        image_url = base + key
        image_renditions = _renditions(a.artwork.data, key, base, extra)
    transcript_url = transcript_type = None
    if ep.transcript is not None:
        ext = ep.transcript.name.partition(".")[2].lower()
        transcript_type = episodes.TRANSCRIPT_TYPES[ext]
        _check_transcript(ep.transcript, ext)
        key = f"transcripts/{ep.slug}.{ext}"
        ctype = _TEXT_TYPES.get("." + ext.rsplit(".", 1)[-1], transcript_type)
        extra.append(Output(key, "asset", ctype, source=ep.transcript))
        transcript_url = base + key
    chapters_url = None
    chapters, marks = chapters_json(ep)
    if chapters is not None:
        key = f"chapters/{ep.slug}.json"
        extra.append(Output(key, "asset", "application/json+chapters", chapters))
        chapters_url = base + key
    page_key = f"episodes/{ep.slug}.html"
    links = ItemLinks(
        page_key,
        base + page_key,
        media_key,
        base + media_key,
        image_url,
        transcript_url,
        transcript_type,
        chapters_url,
        image_renditions,
    )
    return links, extra, marks


def _check_transcript(path: Path, ext: str) -> None:
    """Refuse a transcript an app cannot read (I-14): not UTF-8, or not the format it is named."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as e:
        raise EpisodeError("transcript is not UTF-8 text", path, None, "save it as UTF-8") from e
    problem = None
    if ext == "vtt" and not text.startswith("WEBVTT"):
        problem = "a WebVTT transcript must start with a 'WEBVTT' line"
    elif ext == "srt" and "-->" not in text:
        problem = "an SRT transcript needs cues like '00:00:01,000 --> 00:00:04,000'"
    elif ext == "transcript.json":
        try:
            json.loads(text)
        except json.JSONDecodeError as e:
            raise EpisodeError(f"transcript is not valid JSON: {e.msg}", path, e.lineno) from e
    if problem:
        raise EpisodeError(problem + " [I-14]", path, 1)


def _artwork_output(key: str, data: bytes) -> Output:
    mime = "image/png" if key.endswith(".png") else "image/jpeg"
    return Output(key, "asset", mime, data, immutable=True)


def _renditions(
    data: bytes, key: str, base: str, outputs: list[Output]
) -> tuple[tuple[int, str], ...]:
    """Smaller JPEGs of artwork for pages (``artwork/<hash>-<side>.jpg``), smallest first."""
    stem = key.rsplit(".", 1)[0]
    found = []
    for side in artwork.RENDITION_SIDES:
        rkey = f"{stem}-{side}.jpg"
        outputs.append(
            Output(rkey, "asset", "image/jpeg", artwork.rendition(data, side), immutable=True)
        )
        found.append((side, base + rkey))
    return tuple(found)


def _artwork_key(data: bytes) -> str:
    """A content-addressed name: new art gets a new URL (C-03), named by its real format."""
    return f"artwork/{hashlib.sha256(data).hexdigest()[:16]}.{artwork.extension(data)}"


def _content_type(key: str) -> str:
    return _TEXT_TYPES.get(Path(key).suffix, "application/octet-stream")


def _check_build_dir(out: Path, root: Path) -> None:
    """Refuse a build folder that is not ours or that holds the show (before anything is
    written, GUIDs included)."""
    if out == root or out in root.parents or (out / config.CONFIG_NAME).exists():
        raise ConfigError(
            f"refusing to build into {out}: it holds the show itself",
            None,
            None,
            "pick an empty folder, e.g. _site",
        )
    if out.exists() and any(out.iterdir()) and not (out / BUILD_MARKER).exists():
        raise ConfigError(
            f"refusing to empty {out}: it is not a folder this tool built",
            None,
            None,
            "pick an empty folder, e.g. _site",
        )


def _clean(out: Path) -> None:
    """Empty the build folder (checked by :func:`_check_build_dir`) and mark it as ours."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    (out / BUILD_MARKER).write_text("built by publisher; emptied on every build\n")


def _link_or_copy(src: Path, dest: Path) -> None:
    try:
        os.link(src, dest)
    except OSError:
        shutil.copyfile(src, dest)
