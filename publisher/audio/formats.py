"""What kind of file an upload is, in words a producer understands (no third-party imports).

The accepted audio types, the refusal messages for the rest (naming what the file really
is: WAV, FLAC, Ogg, a PDF, text …), and the picture types found in tags.
"""

from __future__ import annotations

from pathlib import Path

from publisher import layout
from publisher.audio import mp3tags
from publisher.audio.window import Buffer, chunk
from publisher.errors import AudioError
from publisher.model import Image

ACCEPTED: dict[str, str] = {fmt: layout.audio_type(fmt) for fmt in layout.AUDIO_FORMATS}
"""Accepted audio: format (the file extension) -> MIME type."""

_NAMES = {"mp3": "MP3", "m4a": "M4A/AAC"}
_ACCEPTED_HINT = "accepted: " + " or ".join(
    f"{_NAMES[ext]} (.{ext}, {mime})" for ext, mime in ACCEPTED.items()
)


def check_extension(path: Path, content: str) -> None:
    """Raises AudioError when the extension does not name the ``content`` found."""
    suffix = path.suffix.lower().lstrip(".")
    if suffix != content:
        named = f"named .{suffix}" if suffix else "named without an extension"
        raise AudioError(
            f"contains {_NAMES[content]} audio but is {named}",
            path,
            hint=f"rename it to {path.stem}.{content}",
        )


def unsupported(path: Path, what: str) -> AudioError:
    """The error refusing a file that holds ``what``."""
    suffix = path.suffix.lower().lstrip(".")
    named = f", although named .{suffix}" if suffix in ACCEPTED else ""
    return AudioError(f"unsupported audio format: {what}{named}", path, hint=_ACCEPTED_HINT)


def other_format(buf: Buffer) -> str:
    """A name for content that is neither MPEG audio nor MP4."""
    head = chunk(buf, 0, 64)
    tag_end = mp3tags.id3v2_end(buf)
    after_id3 = chunk(buf, tag_end, tag_end + 4)
    signatures = [
        (head[:4] == b"RIFF" and head[8:12] == b"WAVE", "WAV"),
        (head[:4] == b"FORM" and head[8:11] == b"AIF", "AIFF"),
        (head[:4] == b"fLaC" or after_id3 == b"fLaC", "FLAC"),
        (head[:4] == b"OggS" and b"OpusHead" in head, "Opus (Ogg)"),
        (head[:4] == b"OggS" and b"\x01vorbis" in head, "Ogg Vorbis"),
        (head[:4] == b"OggS" and b"\x7fFLAC" in head, "FLAC (Ogg)"),
        (head[:4] == b"OggS", "Ogg"),
        (head[:4] == b"\x30\x26\xb2\x75", "WMA (ASF)"),
        (head[:5] == b"%PDF-", "PDF document"),
        (
            len(after_id3) == 4
            and (after_id3[0] << 4 | after_id3[1] >> 4) == 0xFFF
            and after_id3[1] & 6 == 0,
            "AAC in ADTS (.aac)",
        ),
    ]
    for matched, name in signatures:
        if matched:
            return name
    return "text" if _looks_like_text(chunk(buf, 0, 4096)) else "unrecognised data"


def _looks_like_text(head: bytes) -> bool:
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as e:
        if e.start < len(head) - 3:
            return False
        text = head[: e.start].decode("utf-8")
    return all(c.isprintable() or c in "\t\r\n" for c in text)


def picture(data: bytes, declared: str) -> Image | None:
    """Image bytes with their MIME type, taken from the bytes when they are recognisable,
    else from ``declared`` (a MIME type, or an extension such as ``jpg``)."""
    if not data:
        return None
    sniffed = [
        (data.startswith(b"\xff\xd8\xff"), "jpg"),
        (data.startswith(b"\x89PNG\r\n\x1a\n"), "png"),
        (data[:6] in (b"GIF87a", b"GIF89a"), "gif"),
        (data[:4] == b"RIFF" and data[8:12] == b"WEBP", "webp"),
    ]
    for matched, extension in sniffed:
        if matched:
            return Image(layout.image_type(extension), data)
    declared = declared.strip().lower()
    mime = layout.image_type(declared) if declared in ("jpg", "jpeg", "png") else declared
    return Image(mime, data) if "/" in mime else None


def mp4_codec_name(codec: str, fourcc: bytes) -> str:
    """A name for an MP4 audio codec we refuse."""
    if codec in ("mp4a.6b", "mp4a.69"):
        return "MP3 audio in an MP4 container"
    known = {"alac": "Apple Lossless (ALAC)", "ac-3": "AC-3", "ec-3": "E-AC-3", "Opus": "Opus"}
    name = known.get(codec) or codec or fourcc.decode("latin-1").strip() or "unknown"
    return f"{name} audio in an MP4 container"
