"""Audio file -> :class:`AudioInfo`: identify, measure and read the tags of one episode file.

This is the only module that imports mutagen. The format is decided from the content, never
from the extension; an MP3's duration is measured by walking its frames (see
:mod:`publisher.audio.mp3frames`) because its headers can be missing, estimated or stale; an M4A's
tracks and fragments are read from its boxes (see :mod:`publisher.audio.mp4boxes`); files cut short
of what their headers promise are refused. Every problem is one :class:`AudioError`
line naming the file.
"""

from __future__ import annotations

import mmap
import struct
from pathlib import Path
from typing import Any

from mutagen import MutagenError
from mutagen import id3 as _id3
from mutagen import mp4 as _mp4
from mutagen.id3 import CTOCFlags, ID3NoHeaderError
from mutagen.mp4 import MP4Cover

from publisher import layout
from publisher.audio import mp3frames, mp4boxes
from publisher.errors import AudioError
from publisher.model import AudioInfo, Chapter, Image

ACCEPTED: dict[str, str] = {fmt: layout.audio_type(fmt) for fmt in layout.AUDIO_FORMATS}
"""Accepted audio: format (the file extension) -> MIME type."""

_NAMES = {"mp3": "MP3", "m4a": "M4A/AAC"}
_ACCEPTED_HINT = "accepted: " + " or ".join(
    f"{_NAMES[ext]} (.{ext}, {mime})" for ext, mime in ACCEPTED.items()
)
# mutagen is only partly annotated; its objects are handled as Any here.
_ID3: Any = _id3.ID3
_MP4: Any = _mp4.MP4
_REDO = "re-export or re-upload the file"
# Errors mutagen (and the struct module under it) raise on damaged input.
_MUTAGEN_ERRORS = (MutagenError, struct.error, ValueError, IndexError, KeyError, EOFError)
# Boxes an MP4/QuickTime file starts with (old QuickTime files have no "ftyp").
_MP4_FIRST_BOXES = {b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip"}
# MP4 track codecs that are pictures (chapter images of "enhanced" podcasts), not video.
_PICTURE_CODECS = {b"jpeg", b"png ", b"mjpa"}


def read_audio(path: Path, *, measured: float | None = None) -> AudioInfo:
    """Read and measure one audio file.

    ``measured``: the duration this exact file (same size and mtime) was measured to have
    before, with no problem found; the MP3 frame walk is then skipped (tags are still read).

    Raises:
        AudioError (with ``path`` set): the file cannot be read, is empty, is not MP3 or
        M4A/AAC audio, has an extension that does not match its content, is truncated or
        otherwise damaged.
    """
    try:
        size = path.stat().st_size
        if size == 0:
            raise AudioError("audio file is empty: 0 bytes", path, hint=_REDO)
        with path.open("rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as buf:
            if buf[4:8] in _MP4_FIRST_BOXES:
                return _read_mp4(path, buf, size)
            return _read_mpeg(path, buf, size, measured)
    except OSError as e:
        raise AudioError(f"cannot read audio file: {e.strerror or e}", path) from e


# --- MP3 --------------------------------------------------------------------------------


def _read_mpeg(path: Path, buf: mmap.mmap, size: int, measured: float | None) -> AudioInfo:
    if measured is not None and mp3frames.first_frame(buf) is not None:
        _check_extension(path, "mp3")
        return _with_id3(path, size, measured)
    stream = mp3frames.scan(buf)
    if stream is None:
        tag_end = mp3frames.id3v2_end(buf)
        if tag_end > size:
            problem = f"its ID3 tag claims {tag_end:,} bytes but the file has {size:,}"
            raise AudioError(f"audio file is truncated: {problem}", path, hint=_REDO)
        other = _other_format(buf)
        if tag_end > 0 and other == "unrecognised data":
            raise AudioError("audio file holds an ID3 tag but no audio", path, hint=_REDO)
        raise _unsupported(path, other)
    if stream.layer != 3:
        roman = "I" * stream.layer
        raise _unsupported(path, f"MPEG Layer {roman} audio (MP{stream.layer})")
    if buf[:4] == b"RIFF":
        # A WAV file wrapping MP3 (format 0x55): players told "audio/mpeg" may refuse it.
        raise _unsupported(path, "MP3 audio in a WAV (RIFF) file")
    _check_extension(path, "mp3")
    if stream.truncated:
        raise _truncated_mp3(path, stream)
    if stream.switch is not None:
        raise _joined_mp3(path, stream, stream.switch)
    if stream.frames == 0:
        raise AudioError("audio file holds no audio frames", path, hint=_REDO)
    return _with_id3(path, size, stream.duration)


def _with_id3(path: Path, size: int, duration: float) -> AudioInfo:
    """An MP3's facts: its measured ``duration`` and what its ID3 tag says."""
    try:
        tags = _ID3(path)
    except ID3NoHeaderError:
        tags = None
    except _MUTAGEN_ERRORS as e:
        raise AudioError(f"damaged ID3 tag: {_said(e, path)}", path, hint="re-save the tags") from e
    if tags is None:
        return AudioInfo(path, size, ACCEPTED["mp3"], "mp3", duration)
    return AudioInfo(
        source=path,
        size=size,
        mime_type=ACCEPTED["mp3"],
        extension="mp3",
        duration=duration,
        title=_id3_text(tags.getall("TIT2")),
        artist=_id3_text(tags.getall("TPE1")),
        comment=_id3_comment(tags.getall("COMM")),
        chapters=_id3_chapters(tags),
        artwork=_id3_artwork(tags.getall("APIC")),
    )


def _truncated_mp3(path: Path, stream: mp3frames.Scan) -> AudioError:
    promised, present = stream.promised, stream.present
    info = stream.info
    if promised is not None and f"{promised:.1f}" != f"{present:.1f}":
        problem = f"header promises {promised:.1f} s but only {present:.1f} s is present"
    elif stream.cut_at is not None:
        problem = f"its last MP3 frame is cut short at {present:.1f} s"
    elif info is not None and info.frames is not None and info.frames > stream.frames:
        problem = f"header promises {info.frames} frames but only {stream.frames} are present"
    else:
        problem = (
            f"header promises {info.bytes if info else 0:,} bytes of audio but fewer are present"
        )
    return AudioError(f"audio file is truncated: {problem}", path, hint=_REDO)


def _joined_mp3(path: Path, stream: mp3frames.Scan, second: mp3frames.Frame) -> AudioError:
    # MPEG audio cannot change sample rate or layer mid-stream; players measure and seek by
    # the first part, and decoders disagree about the rest, so no length would be right.
    if second.sample_rate != stream.sample_rate:
        change = f"{stream.sample_rate:,} Hz, then {second.sample_rate:,} Hz"
    else:
        change = f"Layer {'I' * stream.layer}, then Layer {'I' * second.layer}"
    return AudioError(
        f"audio file joins two different MP3 streams at {stream.duration:.1f} s: {change}",
        path,
        hint="re-export it as one file",
    )


def _id3_text(frames: list[Any]) -> str | None:
    for frame in frames:
        value = _clean(" / ".join(str(t) for t in frame.text))
        if value is not None:
            return value
    return None


def _id3_comment(frames: list[Any]) -> str | None:
    # iTunes keeps machine data (iTunNORM, iTunSMPB...) in described COMM frames.
    frames = [f for f in frames if not str(f.desc).startswith("iTun")]
    frames.sort(key=lambda f: f.desc != "")
    return _id3_text(frames)


def _id3_chapters(tags: Any) -> tuple[Chapter, ...]:
    by_id = {str(c.element_id): c for c in tags.getall("CHAP")}
    tocs = tags.getall("CTOC")
    tocs.sort(key=lambda t: not t.flags & CTOCFlags.TOP_LEVEL)
    order = [i for i in (tocs[0].child_element_ids if tocs else []) if i in by_id]
    rest = sorted((c for i, c in by_id.items() if i not in order), key=lambda c: c.start_time)
    chapters = []
    for chap in [by_id[i] for i in dict.fromkeys(order)] + rest:
        start = chap.start_time / 1000
        end = chap.end_time / 1000 if chap.end_time > chap.start_time else None
        if chap.end_time == 0xFFFFFFFF:
            end = None
        links = [str(w.url) for w in chap.sub_frames.getall("WXXX") if str(w.url).strip()]
        title = _id3_text(chap.sub_frames.getall("TIT2")) or ""
        chapters.append(Chapter(start, title, end, links[0] if links else None))
    return tuple(chapters)


def _id3_artwork(frames: list[Any]) -> Image | None:
    pictures = [f for f in frames if f.mime != "-->"]  # "-->": a link, not a picture
    pictures.sort(key=lambda f: f.type != 3)  # the front cover first
    for pic in pictures:
        image = _image(bytes(pic.data), str(pic.mime))
        if image is not None:
            return image
    return None


# --- M4A --------------------------------------------------------------------------------


def _read_mp4(path: Path, buf: mmap.mmap, size: int) -> AudioInfo:
    top = list(mp4boxes.boxes(buf, 0, size))
    moov = next((b for b in top if b[0] == b"moov"), None)
    if moov is None or moov[2] > size:
        state = "missing" if moov is None else "cut short"
        message = f"audio file is truncated: its index ('moov' box) is {state}"
        raise AudioError(message, path, hint=_REDO)
    tracks = mp4boxes.tracks(buf, moov[1], moov[2])
    codecs = {handler: codec for handler, codec in reversed(tracks)}
    video = [c for h, c in tracks if h == b"vide" and c not in _PICTURE_CODECS]
    if b"soun" not in codecs:
        raise _unsupported(path, "MP4 video without audio" if video else "MP4 without audio")
    if video:
        raise _unsupported(path, "MP4 video")
    try:
        mp4 = _MP4(path)
    except _MUTAGEN_ERRORS as e:
        raise AudioError(f"damaged M4A file: {_said(e, path)}", path, hint=_REDO) from e
    codec = str(mp4.info.codec)
    if codec == "mp4a" and mp4boxes.qt_esds_is_aac(buf, moov):
        # A QuickTime-style sound entry (version 1, its 'esds' inside a 'wave' box), as
        # QuickTime and ffmpeg's mov muxer write them; mutagen does not look in there.
        codec = "mp4a.40"
    if not codec.startswith("mp4a.40"):
        raise _unsupported(path, _mp4_codec_name(codec, codecs[b"soun"]))
    _check_extension(path, "m4a")
    duration = float(mp4.info.length)
    if duration <= 0 and any(name == b"moof" for name, _, _ in top):
        # A fragmented MP4 (streaming/CMAF export) keeps its samples' durations in the
        # fragments, not in the index: the index says 0.
        duration = mp4boxes.fragmented_length(buf, moov, top)
    if duration <= 0:
        raise AudioError("audio file holds no audio (its length is 0)", path, hint=_REDO)
    for name, start, end in top:
        if end > size:
            raise _truncated_mp4(path, name, duration, (size - start) / (end - start), end - size)
    tags: Any = mp4.tags or {}
    return AudioInfo(
        source=path,
        size=size,
        mime_type=ACCEPTED["m4a"],
        extension="m4a",
        duration=duration,
        title=_mp4_text(tags.get("\xa9nam")),
        artist=_mp4_text(tags.get("\xa9ART")),
        # Apple's podcast tools put the episode text in "desc"/"ldes" rather than a comment.
        comment=_mp4_text(tags.get("\xa9cmt"))
        or _mp4_text(tags.get("desc"))
        or _mp4_text(tags.get("ldes")),
        chapters=tuple(Chapter(float(c.start), str(c.title)) for c in mp4.chapters or ()),
        artwork=_mp4_artwork(tags.get("covr")),
    )


def _truncated_mp4(
    path: Path, box: bytes, duration: float, fraction: float, missing: int
) -> AudioError:
    present = duration * max(0.0, fraction)
    if box != b"mdat":
        problem = f"its '{box.decode('latin-1')}' box is cut short"
    elif f"{present:.1f}" != f"{duration:.1f}":
        problem = f"header promises {duration:.1f} s but only about {present:.1f} s is present"
    else:
        problem = f"the last {missing:,} bytes of its audio ('mdat' box) are missing"
    return AudioError(f"audio file is truncated: {problem}", path, hint=_REDO)


def _mp4_codec_name(codec: str, fourcc: bytes) -> str:
    if codec in ("mp4a.6b", "mp4a.69"):
        return "MP3 audio in an MP4 container"
    known = {"alac": "Apple Lossless (ALAC)", "ac-3": "AC-3", "ec-3": "E-AC-3", "Opus": "Opus"}
    name = known.get(codec) or codec or fourcc.decode("latin-1").strip() or "unknown"
    return f"{name} audio in an MP4 container"


def _mp4_text(values: Any) -> str | None:
    for value in values or ():
        text = _clean(str(value))
        if text is not None:
            return text
    return None


def _mp4_artwork(covers: Any) -> Image | None:
    for cover in covers or ():
        declared = "png" if cover.imageformat == MP4Cover.FORMAT_PNG else "jpg"
        image = _image(bytes(cover), declared)
        if image is not None:
            return image
    return None


# --- shared -----------------------------------------------------------------------------


def _check_extension(path: Path, content: str) -> None:
    suffix = path.suffix.lower().lstrip(".")
    if suffix != content:
        named = f"named .{suffix}" if suffix else "named without an extension"
        raise AudioError(
            f"contains {_NAMES[content]} audio but is {named}",
            path,
            hint=f"rename it to {path.stem}.{content}",
        )


def _unsupported(path: Path, what: str) -> AudioError:
    suffix = path.suffix.lower().lstrip(".")
    named = f", although named .{suffix}" if suffix in ACCEPTED else ""
    return AudioError(f"unsupported audio format: {what}{named}", path, hint=_ACCEPTED_HINT)


def _other_format(buf: mmap.mmap) -> str:
    """A name for content that is neither MPEG audio nor MP4."""
    head = bytes(buf[:64])
    after_id3 = bytes(buf[mp3frames.id3v2_end(buf) :][:4])
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
    return "text" if _looks_like_text(bytes(buf[:4096])) else "unrecognised data"


def _looks_like_text(head: bytes) -> bool:
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as e:
        if e.start < len(head) - 3:
            return False
        text = head[: e.start].decode("utf-8")
    return all(c.isprintable() or c in "\t\r\n" for c in text)


def _image(data: bytes, declared: str) -> Image | None:
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


def _said(error: Exception, path: Path) -> str:
    """mutagen's message, without the path it sometimes repeats (ours already leads)."""
    text = str(error).replace(f"{str(path)!r} ", "").replace(str(path), "the file")
    return text.strip() or type(error).__name__


def _clean(text: str) -> str | None:
    text = text.strip()
    return text or None
