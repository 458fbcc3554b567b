"""Check show and episode artwork against Apple's rules (C-03, I-10): the only Pillow import."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from publisher.errors import ConfigError, PublisherError

MIN_SIDE = 1400
MAX_SIDE = 3000
_FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png")}
_EXTENSIONS = {"jpg": "JPEG", "jpeg": "JPEG", "png": "PNG"}


@dataclass(frozen=True)
class Artwork:
    """An image that meets C-03: square, 1400-3000 px, RGB JPEG or PNG."""

    source: Path
    extension: str  # "jpg" or "png"
    mime_type: str
    width: int
    height: int


def problems(data: bytes, extension: str | None) -> list[str]:
    """What is wrong with an image for Apple (C-03), as phrases; empty when it is fine."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            fmt, mode, (w, h) = img.format or "?", img.mode, img.size
    except (UnidentifiedImageError, OSError) as e:
        return [f"not a readable image ({e.__class__.__name__})"]
    found: list[str] = []
    if fmt not in _FORMATS:
        found.append(f"is {fmt}; use JPEG or PNG")
    elif extension is not None and _EXTENSIONS.get(extension.lower()) != fmt:
        found.append(f"is {fmt} but named .{extension}; rename it .{_FORMATS[fmt][0]}")
    if w != h:
        found.append(f"is {w}x{h} px; it must be square, {MIN_SIDE}-{MAX_SIDE} px a side")
    elif not MIN_SIDE <= w <= MAX_SIDE:
        found.append(f"is {w}x{h} px; use {MIN_SIDE}-{MAX_SIDE} px a side")
    if mode != "RGB":
        what = {
            "CMYK": "CMYK",
            "P": "a palette image",
            "RGBA": "RGB with alpha",
            "LA": "grey with alpha",
        }
        found.append(f"is {what.get(mode, mode)}; save it as RGB without transparency")
    return found


def check(
    path: Path,
    *,
    source: Path | None = None,
    line: int | None = None,
    error: type[PublisherError] = ConfigError,
) -> Artwork:
    """Check the artwork at ``path``; raises ``error`` naming ``source``:``line`` (C-03)."""
    where: Path = source or path
    try:
        data = path.read_bytes()
    except FileNotFoundError as e:
        raise error(f"artwork {path.name!r} not found", where, line, f"looked for {path}") from e
    except OSError as e:
        raise error(f"cannot read artwork {path.name!r}: {e.strerror}", where, line) from e
    found = problems(data, path.suffix.lstrip("."))
    if found:
        raise error(f"artwork {path.name!r} " + "; ".join(found) + " [C-03]", where, line)
    with Image.open(io.BytesIO(data)) as img:
        ext, mime = _FORMATS[img.format or ""]
        return Artwork(path, ext, mime, img.width, img.height)


def embedded_usable(data: bytes) -> str | None:
    """The extension ("jpg"/"png") of embedded cover art that meets C-03, else None."""
    if problems(data, None):
        return None
    with Image.open(io.BytesIO(data)) as img:
        return _FORMATS[img.format or ""][0]
