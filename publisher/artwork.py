"""Check show and episode artwork against Apple's rules (C-03, I-10): the only Pillow import."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, UnidentifiedImageError

from publisher.errors import ConfigError, PublisherError

MIN_SIDE = 1400
MAX_SIDE = 3000
_FORMATS = {"JPEG": "jpg", "PNG": "png"}  # Pillow's format name -> the extension published
_EXTENSIONS = {"jpg": "JPEG", "jpeg": "JPEG", "png": "PNG"}
# Written into the JPEG comment (COM) of the artwork ``publisher init`` makes, so ``check``
# knows it is still the placeholder whatever the file is called.
PLACEHOLDER_MARK = b"publisher placeholder artwork; replace it with the show's own"
PLACEHOLDER_SIDE = 1400


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


def placeholder(title: str) -> bytes:
    """A JPEG that meets C-03 (square, 1400 px, RGB) with ``title`` drawn on it and
    :data:`PLACEHOLDER_MARK` in its comment; the same title gives the same bytes."""
    side = PLACEHOLDER_SIDE
    img = Image.new("RGB", (side, side), (32, 58, 84))
    draw = ImageDraw.Draw(img)
    draw.rectangle((60, 60, side - 60, side - 60), outline=(236, 200, 120), width=12)
    lines = _wrap(title.strip() or "My podcast", 16)[:5]
    size = 150 if max(len(line) for line in lines) <= 12 else 110
    font = ImageFont.load_default(size=size)
    height = size * 1.25 * len(lines)
    y = (side - height) / 2
    for line in lines:
        width = draw.textlength(line, font=font)
        draw.text(((side - width) / 2, y), line, font=font, fill=(250, 246, 236))
        y += size * 1.25
    out = io.BytesIO()
    img.save(out, "JPEG", quality=90, comment=PLACEHOLDER_MARK)
    return out.getvalue()


def is_placeholder(data: bytes) -> bool:
    """Whether ``data`` is the placeholder :func:`placeholder` made (by its JPEG comment)."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            comment = img.info.get("comment", b"")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        return False
    return isinstance(comment, bytes) and comment.startswith(PLACEHOLDER_MARK)


def _wrap(text: str, width: int) -> list[str]:
    """Words of ``text`` in lines of about ``width`` characters."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [text]


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
