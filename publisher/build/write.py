"""Write a rendered site into its build folder, one file at a time as they come."""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterable
from pathlib import Path

from publisher import config, layout
from publisher.build.render import Output
from publisher.errors import ConfigError
from publisher.filecache import HashCache
from publisher.model import SiteFile
from publisher.site import search

BUILD_MARKER = ".publisher-build"
DRAFTS_MARKER = ".publisher-drafts"  # in a build with drafts: publish refuses it


def check_build_dir(out: Path, root: Path) -> None:
    """Refuse a build folder that is not ours or that holds the show (before anything is
    written, GUIDs included). Raises ConfigError."""
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


def write_site(out: Path, outputs: Iterable[Output], cache: HashCache) -> tuple[SiteFile, ...]:
    """Empty ``out`` (checked by :func:`check_build_dir`), then write each output as it comes:
    bytes are written, source files hard-linked (or copied). Returns what was written, with
    sizes, hashes (known ones from ``cache``) and the layout's kind and Content-Type."""
    _clean(out)
    files: list[SiteFile] = []
    for o in outputs:
        dest = out / o.key
        dest.parent.mkdir(parents=True, exist_ok=True)
        if o.source is not None:
            _link_or_copy(o.source, dest)
            size, digest = cache.digest(o.source)
        else:
            assert o.data is not None  # an Output is bytes or a file
            dest.write_bytes(o.data)
            size, digest = len(o.data), hashlib.sha256(o.data).hexdigest()
        kind = layout.kind(o.key)
        ctype = layout.content_type(o.key)
        files.append(SiteFile(o.key, dest, size, digest, ctype, kind, layout.immutable(o.key)))
    return tuple(files)


def search_files(out: Path) -> tuple[SiteFile, ...]:
    """Index the written pages for search (:mod:`publisher.site.search`); its files."""
    files = []
    for path in search.index(out):
        data = path.read_bytes()
        key = path.relative_to(out).as_posix()
        digest = hashlib.sha256(data).hexdigest()
        ctype = layout.content_type(key)
        files.append(SiteFile(key, path, len(data), digest, ctype, layout.kind(key)))
    return tuple(files)


def _clean(out: Path) -> None:
    """Empty the build folder and mark it as ours."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    (out / BUILD_MARKER).write_text("built by publisher; emptied on every build\n")


def _link_or_copy(src: Path, dest: Path) -> None:
    try:
        os.link(src, dest)
    except OSError:
        shutil.copyfile(src, dest)
