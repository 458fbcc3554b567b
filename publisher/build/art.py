"""The artwork a build publishes: the show's and each episode's, checked, with its smaller
renditions and icons, each resized once per version of its file (kept in the build cache)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from publisher import artwork, layout
from publisher.errors import EpisodeError
from publisher.filecache import BuildCache
from publisher.model import Episode, Show


@dataclass(frozen=True)
class Art:
    """Artwork checked against C-03, under its content-addressed key: a file to copy, or the
    bytes of cover art embedded in an episode's audio."""

    key: str
    source: Path | None = None
    data: bytes | None = None
    # smaller JPEGs for pages, (side in px, bytes), smallest first (layout.rendition_key)
    renditions: tuple[tuple[int, bytes], ...] = ()
    icons: tuple[tuple[int, bytes], ...] = ()  # PNG icons of show art: favicon, touch icon
    placeholder: bool = False  # the placeholder 'publisher init' made (artwork.is_placeholder)


def show_art(show: Show, cache: BuildCache) -> Art:
    data = show.image.read_bytes()  # config checked it (C-03)
    return Art(
        layout.artwork_key(data, artwork.extension(data)),
        source=show.image,
        renditions=_renditions(data, cache, show.image),
        icons=tuple(
            (side, _derived(cache, show.image, "icon", artwork.icon, data, side))
            for side in artwork.ICON_SIDES
        ),
        placeholder=artwork.is_placeholder(data),
    )


def _renditions(data: bytes, cache: BuildCache, path: Path) -> tuple[tuple[int, bytes], ...]:
    """The artwork ``data`` (from the file ``path``: an image, or audio with art inside) at
    each rendition's side, each made once per version of the file."""
    return tuple(
        (side, _derived(cache, path, "rendition", artwork.rendition, data, side))
        for side in artwork.RENDITION_SIDES
    )


def _derived(
    cache: BuildCache,
    path: Path,
    kind: str,
    make: Callable[[bytes, int], bytes],
    data: bytes,
    side: int,
) -> bytes:
    """``make(data, side)`` (a resized image of the file ``path``), kept in the cache for the
    version of the file it was made from (its stat) and made again for any other."""
    name = f"{kind}-{side}"
    kept, keep = cache.kept(path, name)
    if cache.use and isinstance(kept, str) and (found := cache.blob(kept)) is not None:
        return found
    made = make(data, side)
    keep(cache.remember_blob(made))
    return made


def episode_art(ep: Episode, cache: BuildCache) -> Art | None:
    """The episode's own artwork file, else usable cover art embedded in its audio."""
    if ep.image is not None:
        named = ep.line("image")  # else a same-stem file in episodes/
        data = artwork.check(
            ep.image, source=ep.source if named else None, line=named, error=EpisodeError
        )
        key = layout.artwork_key(data, artwork.extension(data))
        return Art(key, source=ep.image, renditions=_renditions(data, cache, ep.image))
    embedded = ep.audio.artwork
    if embedded is not None and artwork.embedded_usable(embedded.data):
        key = layout.artwork_key(embedded.data, artwork.extension(embedded.data))
        renditions = _renditions(embedded.data, cache, ep.audio.source)
        return Art(key, data=embedded.data, renditions=renditions)
    return None
