"""Check show and episode artwork against Apple's rules (C-03, I-10): the only Pillow import."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from publisher.errors import ConfigError, PublisherError

MIN_SIDE = 1400
MAX_SIDE = 3000
_FORMATS = {"JPEG": "jpg", "PNG": "png"}  # Pillow's format name -> the extension published
_EXTENSIONS = {"jpg": "JPEG", "jpeg": "JPEG", "png": "PNG"}


def _inspect(data: bytes) -> tuple[str, str, int, int] | str:
    """(format, mode, width, height) read from the header only, or why it cannot be read."""
    try:
        # A huge image is refused before anything is decoded; Pillow's own warning about
        # it would otherwise be printed by the library.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                return img.format or "?", img.mode, img.width, img.height
    except Image.DecompressionBombError:
        return "far too large to be artwork (over 170 megapixels)"
    except (UnidentifiedImageError, OSError) as e:
        return f"not a readable image ({e.__class__.__name__})"


def problems(data: bytes, extension: str | None) -> list[str]:
    """What is wrong with an image for Apple (C-03), as phrases; empty when it is fine."""
    facts = _inspect(data)
    if isinstance(facts, str):
        return [facts]
    fmt, mode, w, h = facts
    found: list[str] = []
    if fmt not in _FORMATS:
        found.append(f"is {fmt}; use JPEG or PNG")
    elif extension is not None and _EXTENSIONS.get(extension.lower()) != fmt:
        found.append(f"is {fmt} but named .{extension}; rename it .{_FORMATS[fmt]}")
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
) -> bytes:
    """The bytes of the artwork at ``path`` when it meets C-03; else raises ``error`` naming
    ``source``:``line`` (the file itself when no source is given)."""
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
    return data


def extension(data: bytes) -> str:
    """ "jpg" or "png": the extension of artwork that :func:`check` or :func:`problems` passed."""
    facts = _inspect(data)
    return _FORMATS[facts[0]] if not isinstance(facts, str) and facts[0] in _FORMATS else "jpg"


def embedded_usable(data: bytes) -> str | None:
    """The extension ("jpg"/"png") of embedded cover art that meets C-03, else None."""
    return None if problems(data, None) else extension(data)


RENDITION_SIDES = (160, 320, 640)  # CSS px 160 at 1x, 2x, 4x; and the Open Graph card
ICON_SIDES = (32, 180)  # favicon; apple-touch-icon


def rendition(data: bytes, side: int) -> bytes:
    """A square ``side`` px JPEG (quality 85) of artwork that passed :func:`check`, so pages
    never send a 3000 px image to a phone. Deterministic: same input, same bytes."""
    with Image.open(io.BytesIO(data)) as img:
        small = img.convert("RGB").resize((side, side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    small.save(out, format="JPEG", quality=85, optimize=True, progressive=False)
    return out.getvalue()


def icon(data: bytes, side: int) -> bytes:
    """A square ``side`` px PNG icon (favicon, apple-touch-icon) of the artwork."""
    with Image.open(io.BytesIO(data)) as img:
        small = img.convert("RGB").resize((side, side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    small.save(out, format="PNG", optimize=True)
    return out.getvalue()
