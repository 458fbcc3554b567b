"""Fake-but-real builds for the publish tests: real files on disk, a real RSS feed.

The lead's build stage makes the real thing; these tests only need a ``Build`` whose files
exist, whose hashes are right and whose feed lists its enclosures.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Mapping
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from publisher.model import Build, Enclosure, FileKind, SiteFile, Target

CONTENT_TYPES = {
    "mp3": "audio/mpeg",
    "m4a": "audio/x-m4a",
    "html": "text/html; charset=utf-8",
    "css": "text/css; charset=utf-8",
    "json": "application/json",
    "jpg": "image/jpeg",
    "xml": "application/rss+xml; charset=utf-8",
    "vtt": "text/vtt; charset=utf-8",
}


def media_bytes(slug: str, size: int) -> bytes:
    """Deterministic, incompressible-looking bytes for a fake audio file."""
    out = bytearray()
    seed = slug.encode()
    counter = 0
    while len(out) < size:
        out += hashlib.sha256(seed + counter.to_bytes(8, "big")).digest()
        counter += 1
    return bytes(out[:size])


def local_target(folder: Path, public_url: str = "http://127.0.0.1:8000/") -> Target:
    return Target(name="local", kind="local", location=str(folder), public_url=public_url)


def make_build(
    site_dir: Path,
    target: Target,
    episodes: Mapping[str, int],
    *,
    title: str = "A Test Show",
    extra_assets: Mapping[str, bytes] | None = None,
    artwork: bytes = b"\xff\xd8\xff\xe0 fake jpeg \xff\xd9",
    guids: Mapping[str, str] | None = None,
) -> Build:
    """Write a small site for ``episodes`` (slug -> media size in bytes) and describe it.

    An episode's GUID is its slug unless ``guids`` (slug -> GUID) says otherwise; its note is
    named ``show_notes/<slug>.md`` (relative: no such file is needed).

    Media, pages and feed are deterministic: the same arguments give byte-identical files.
    The folder is emptied first, as the real build does.
    """
    if site_dir.exists():
        shutil.rmtree(site_dir)
    site_dir.mkdir(parents=True)
    files: dict[str, bytes] = {}
    art_key = f"artwork/{hashlib.sha256(artwork).hexdigest()[:16]}.jpg"
    files[art_key] = artwork
    files["css/site.css"] = b"body { font-family: serif; }\n"
    items = []
    enclosures = []
    for slug in sorted(episodes):
        media_key = f"media/{slug}.mp3"
        data = media_bytes(slug, episodes[slug])
        files[media_key] = data
        files[f"episodes/{slug}.html"] = (
            f"<!doctype html><title>{slug}</title><audio src='../{media_key}'></audio>\n"
        ).encode()
        files[f"chapters/{slug}.json"] = b'{"version": "1.2.0", "chapters": []}\n'
        url = target.public_url + media_key
        guid = (guids or {}).get(slug, slug)
        note = Path("show_notes") / f"{slug}.md"
        enclosures.append(Enclosure(media_key, url, len(data), "audio/mpeg", guid, note))
        items.append(
            f"<item><title>{slug}</title><guid isPermaLink='false'>{escape(guid)}</guid>"
            f"<enclosure url={quoteattr(url)} length='{len(data)}' type='audio/mpeg'/></item>"
        )
    for key, data in (extra_assets or {}).items():
        files[key] = data
    links = "".join(f"<li><a href='episodes/{s}.html'>{s}</a></li>" for s in sorted(episodes))
    files["index.html"] = f"<!doctype html><title>{title}</title><ul>{links}</ul>\n".encode()
    files["feed.xml"] = (
        "<?xml version='1.0' encoding='UTF-8'?>\n<rss version='2.0'><channel>"
        f"<title>{title}</title>{''.join(items)}</channel></rss>\n"
    ).encode()

    site_files = []
    for key in sorted(files):
        path = site_dir / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(files[key])
        site_files.append(
            SiteFile(
                key=key,
                path=path,
                size=len(files[key]),
                sha256=hashlib.sha256(files[key]).hexdigest(),
                content_type=CONTENT_TYPES[key.rsplit(".", 1)[1]],
                kind=_kind(key),
                immutable=key.startswith("artwork/"),
            )
        )
    return Build(site_dir, target, tuple(site_files), tuple(enclosures))


def _kind(key: str) -> FileKind:
    if key == "feed.xml":
        return "feed"
    if key.startswith("media/"):
        return "media"
    if key.endswith(".html"):
        return "page"
    return "asset"


def tree(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` (POSIX keys), except the publisher's own records."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".publisher" not in p.relative_to(folder).parts
    }
