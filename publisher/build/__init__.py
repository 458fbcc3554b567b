"""Build stage: read the show, render it, write the site; then write minted GUIDs back.

config -> episodes (+ audio) -> notes -> feed + site -> files on disk, in three steps:
:func:`~publisher.build.read.read` does the reading (all I/O),
:func:`~publisher.build.render.render` is a pure function of what was read, and
:func:`~publisher.build.write.write_site` writes the rendered files as they come. Writing GUIDs
and ``podcast_guid`` back into the show is its own step, :func:`writeback`, that ``build`` runs
only once everything else succeeded and ``check`` never runs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from publisher import config, episodes, layout
from publisher.build.read import ShowRead, read
from publisher.build.render import Rendered, outputs, render
from publisher.build.write import (
    BUILD_MARKER,
    DRAFTS_MARKER,
    check_build_dir,
    search_files,
    write_site,
)
from publisher.errors import Notice
from publisher.filecache import CACHE_FILE, HashCache
from publisher.model import Build, Enclosure, Show, Target

__all__ = [
    "BUILD_MARKER",
    "DRAFTS_MARKER",
    "Checked",
    "Rendered",
    "ShowRead",
    "build",
    "check",
    "outputs",
    "read",
    "render",
    "writeback",
]


@dataclass(frozen=True)
class Checked:
    """What ``check`` found: the show as it would be published, and notices."""

    show: Show
    target: Target
    episodes: int  # episodes in the feed
    pages: int  # web pages
    notices: tuple[Notice, ...]


def check(
    root: Path,
    *,
    now: dt.datetime,
    target: Target | None = None,
    target_name: str | None = None,
    guid_mode: episodes.GuidMode = "ignore",
) -> Checked:
    """Read and render everything for a target, as ``build`` would; write nothing. A show
    with no episode due yet passes, with a warning (I-16).

    Raises PublisherError, or Problems with every problem found.
    """
    root = root.resolve()
    cache = HashCache(root / CACHE_FILE)  # read only: durations measured before
    shown = read(
        root, now=now, target=target, target_name=target_name, guid_mode=guid_mode, cache=cache
    )
    rendered = render(shown, allow_empty=True)
    pages = 0
    if rendered.items:
        pages = sum(1 for o in outputs(rendered) if layout.kind(o.key) == "page")
    return Checked(shown.show, shown.target, len(rendered.items), pages, rendered.notices)


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
    """Build the show for a target into ``out_dir`` (default ``<root>/_site``); then, with
    ``guid_mode="write"``, write minted GUIDs back into the show (:func:`writeback`). With
    ``drafts``: a local preview that includes drafts and scheduled episodes, marked; its
    Build is refused by publish.

    Raises PublisherError, or Problems with every problem found; nothing is written then.
    """
    root = root.resolve()
    out = (out_dir or root / "_site").resolve()
    check_build_dir(out, root)
    cache = HashCache(root / CACHE_FILE)
    shown = read(
        root,
        now=now,
        target=target,
        target_name=target_name,
        guid_mode=guid_mode,
        cache=cache,
        drafts=drafts,
    )
    rendered = render(shown)
    files = write_site(out, outputs(rendered), cache)
    if drafts:
        (out / DRAFTS_MARKER).write_text("a preview with drafts: never published\n")
    files += search_files(out)
    cache.save()
    notices = rendered.notices
    if guid_mode == "write":
        notices += writeback(shown)  # only now, with nothing else wrong
    enclosures = tuple(
        Enclosure(
            i.links.media_key,
            i.links.media_url,
            i.episode.audio.size,
            i.episode.audio.mime_type,
            i.episode.guid,
            i.episode.source,
        )
        for i in rendered.items
        if not i.episode.remote_url  # the old host serves it; nothing of ours to confirm
    )
    return Build(out, shown.target, files, enclosures, notices, drafts)


def writeback(shown: ShowRead) -> tuple[Notice, ...]:
    """Write what a ``guid_mode="write"`` read minted into the show's files: each new GUID into
    its note, a new ``podcast_guid`` into feed_config.yaml (one line each; every other byte
    stays). A read in another mode minted nothing to keep: then nothing is written."""
    if shown.guid_mode != "write":
        return ()
    notices: list[Notice] = []
    guid = shown.show.podcast_guid
    if shown.new_podcast_guid and guid:
        config.store_podcast_guid(shown.show, guid)
        notices.append(
            Notice(
                f"wrote 'podcast_guid: {guid}'; commit this file", shown.show.source, warning=False
            )
        )
    notices.extend(episodes.write_new_guids(shown.episodes))
    return tuple(notices)
