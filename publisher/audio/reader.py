"""Audio file -> :class:`AudioInfo`: identify, measure and read the tags of one episode file.

This is the only module that imports mutagen. The format is decided from the content, never
from the extension; an MP3's duration is measured by walking its frames (see
:mod:`publisher.audio.mp3frames`) because its headers can be missing, estimated or stale; an M4A's
tracks and fragments are read from its boxes (see :mod:`publisher.audio.mp4boxes`); files cut short
of what their headers promise are refused. Every problem is one :class:`AudioError`
line naming the file.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

from mutagen import MutagenError
from mutagen import id3 as _id3
from mutagen import mp4 as _mp4
from mutagen.id3 import CTOCFlags, ID3NoHeaderError
from mutagen.mp4 import MP4Cover

from publisher.audio import mp3frames, mp3tags, mp4boxes
from publisher.audio.formats import (
    ACCEPTED,
    check_extension,
    mp4_codec_name,
    other_format,
    picture,
    unsupported,
)
from publisher.audio.tagtext import TagText
from publisher.audio.window import Buffer, FileBuffer, chunk
from publisher.errors import AudioError, Notice
from publisher.model import AudioInfo, Chapter, Image

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
        with path.open("rb") as f:
            buf = FileBuffer(f, size)
            if chunk(buf, 4, 8) in _MP4_FIRST_BOXES:
                return _read_mp4(path, buf, size)
            return _read_mpeg(path, buf, size, measured)
    except OSError as e:
        raise AudioError(f"cannot read audio file: {e.strerror or e}", path) from e


# --- MP3 --------------------------------------------------------------------------------


def _read_mpeg(path: Path, buf: Buffer, size: int, measured: float | None) -> AudioInfo:
    if measured is not None and mp3frames.first_frame(buf) is not None:
        check_extension(path, "mp3")
        return _with_id3(path, size, measured, _no_vbr_header(path, buf, measured))
    stream = mp3frames.scan(buf)
    if stream is None:
        tag_end = mp3tags.id3v2_end(buf)
        if tag_end > size:
            problem = f"its ID3 tag claims {tag_end:,} bytes but the file has {size:,}"
            raise AudioError(f"audio file is truncated: {problem}", path, hint=_REDO)
        other = other_format(buf)
        if tag_end > 0 and other == "unrecognised data":
            raise AudioError("audio file holds an ID3 tag but no audio", path, hint=_REDO)
        raise unsupported(path, other)
    if stream.layer != 3:
        roman = "I" * stream.layer
        raise unsupported(path, f"MPEG Layer {roman} audio (MP{stream.layer})")
    if chunk(buf, 0, 4) == b"RIFF":
        # A WAV file wrapping MP3 (format 0x55): players told "audio/mpeg" may refuse it.
        raise unsupported(path, "MP3 audio in a WAV (RIFF) file")
    check_extension(path, "mp3")
    if stream.truncated:
        raise _truncated_mp3(path, stream)
    if stream.switch is not None:
        raise _joined_mp3(path, stream, stream.switch)
    joined_at = stream.joined_at
    if joined_at is not None:
        # Players trust the first encode's header (or the first part alone) and stop or seek
        # wrongly at the join, and browsers estimate yet another length: no length is right.
        message = f"audio file joins two MP3 encodes at {joined_at:.1f} s"
        raise AudioError(message, path, hint="re-export it as one file")
    if stream.frames == 0:
        raise AudioError("audio file holds no audio frames", path, hint=_REDO)
    duration = stream.duration
    return _with_id3(path, size, duration, _no_vbr_header(path, buf, duration))


def _no_vbr_header(path: Path, buf: Buffer, duration: float) -> tuple[Notice, ...]:
    """A warning when players will show another length than ``duration``, the true one.

    Without a Xing/VBRI header, players estimate the length from the first frame's bitrate:
    right for CBR, wrong for VBR (by a factor of two when the file starts with silence).
    The warning is given when that estimate is off by more than the error ``itunes:duration``
    is allowed, max(1 s, 1 %), so it depends on the file, not on whether it was measured now
    or before.
    """
    estimate = mp3frames.players_estimate(buf)
    if estimate is None or abs(estimate - duration) <= max(1.0, 0.01 * duration):
        return ()
    message = (
        f"VBR MP3 without a Xing/VBRI header: players estimate its length from the first "
        f"frame's bitrate and will show {_clock(estimate)} instead of {_clock(duration)}"
    )
    hint = "re-export it with a VBR header; LAME and ffmpeg write a Xing header unless told not to"
    return (Notice(message, path, hint=hint),)


def _clock(seconds: float) -> str:
    """``1:05:09`` or ``4:05``, as players show a length."""
    whole = int(seconds + 0.5)
    h, m, s = whole // 3600, whole // 60 % 60, whole % 60
    return f"{h}:{m:02}:{s:02}" if h else f"{m}:{s:02}"


def _with_id3(
    path: Path, size: int, duration: float, notices: tuple[Notice, ...] = ()
) -> AudioInfo:
    """An MP3's facts: its measured ``duration`` and what its ID3 tag says."""
    try:
        tags = _ID3(path)
    except ID3NoHeaderError:
        tags = None
    except _MUTAGEN_ERRORS as e:
        raise AudioError(f"damaged ID3 tag: {_said(e, path)}", path, hint="re-save the tags") from e
    if tags is None:
        return AudioInfo(path, size, ACCEPTED["mp3"], "mp3", duration, notices=notices)
    text = TagText(path)
    return AudioInfo(
        source=path,
        size=size,
        mime_type=ACCEPTED["mp3"],
        extension="mp3",
        duration=duration,
        title=_id3_text(tags.getall("TIT2"), text, "title (ID3 TIT2)"),
        artist=_id3_text(tags.getall("TPE1"), text, "artist (ID3 TPE1)"),
        comment=_id3_comment(tags.getall("COMM"), text),
        chapters=_id3_chapters(tags, text),
        artwork=_id3_artwork(tags.getall("APIC")),
        notices=notices + tuple(text.notices),
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


def _id3_text(frames: list[Any], text: TagText, tag: str) -> str | None:
    for frame in frames:
        value = text.one_line(" / ".join(str(t) for t in frame.text), tag)
        if value is not None:
            return value
    return None


def _id3_comment(frames: list[Any], text: TagText) -> str | None:
    # iTunes keeps machine data (iTunNORM, iTunSMPB...) in described COMM frames.
    frames = [f for f in frames if not str(f.desc).startswith("iTun")]
    frames.sort(key=lambda f: f.desc != "")
    return _id3_text(frames, text, "comment (ID3 COMM)")


def _id3_chapters(tags: Any, text: TagText) -> tuple[Chapter, ...]:
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
        tag = f"chapter title (ID3 CHAP {str(chap.element_id)!r})"
        title = _id3_text(chap.sub_frames.getall("TIT2"), text, tag) or ""
        chapters.append(Chapter(start, title, end, links[0] if links else None))
    return tuple(chapters)


def _id3_artwork(frames: list[Any]) -> Image | None:
    pictures = [f for f in frames if f.mime != "-->"]  # "-->": a link, not a picture
    pictures.sort(key=lambda f: f.type != 3)  # the front cover first
    for pic in pictures:
        image = picture(bytes(pic.data), str(pic.mime))
        if image is not None:
            return image
    return None


# --- M4A --------------------------------------------------------------------------------


def _read_mp4(path: Path, buf: Buffer, size: int) -> AudioInfo:
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
        raise unsupported(path, "MP4 video without audio" if video else "MP4 without audio")
    if video:
        raise unsupported(path, "MP4 video")
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
        raise unsupported(path, mp4_codec_name(codec, codecs[b"soun"]))
    check_extension(path, "m4a")
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
    text = TagText(path)
    chapters, chapter_notices = _mp4_chapters(path, buf, moov, mp4, text)
    return AudioInfo(
        source=path,
        size=size,
        mime_type=ACCEPTED["m4a"],
        extension="m4a",
        duration=duration,
        title=_mp4_text(tags.get("\xa9nam"), text, "title (MP4 \xa9nam)"),
        artist=_mp4_text(tags.get("\xa9ART"), text, "artist (MP4 \xa9ART)"),
        # Apple's podcast tools put the episode text in "desc"/"ldes" rather than a comment.
        comment=_mp4_text(tags.get("\xa9cmt"), text, "comment (MP4 \xa9cmt)")
        or _mp4_text(tags.get("desc"), text, "description (MP4 desc)")
        or _mp4_text(tags.get("ldes"), text, "long description (MP4 ldes)"),
        chapters=chapters,
        artwork=_mp4_artwork(tags.get("covr")),
        notices=chapter_notices + tuple(text.notices),
    )


def _mp4_chapters(
    path: Path, buf: Buffer, moov: tuple[bytes, int, int], mp4: Any, text: TagText
) -> tuple[tuple[Chapter, ...], tuple[Notice, ...]]:
    """An M4A's chapters: its QuickTime chapter track, else its Nero 'chpl' list.

    The QuickTime chapter track is preferred because it is what Apple's own tools write and
    what Apple Podcasts and iOS read; 'chpl' (read by mutagen) comes from Nero and is read by
    other players. ffmpeg writes both from one list; when both are there and disagree (in
    number, a start by more than 0.1 s, or a title), the track is used and a warning says so.
    """
    nero = [(float(c.start), str(c.title)) for c in mp4.chapters or ()]
    track = list(mp4boxes.qt_chapters(buf, moov))
    chosen, kind = (track, "QuickTime chapter track") if track else (nero, "Nero chapters")
    chapters = tuple(
        Chapter(start, text.one_line(title, f"chapter {n} title ({kind})") or "")
        for n, (start, title) in enumerate(chosen, start=1)
    )
    if not track or not nero:
        return chapters, ()
    other = TagText(path)  # the ignored list's titles, compared as they would be shown
    ignored = [(start, other.one_line(title, "") or "") for start, title in nero]
    same = len(ignored) == len(chapters) and all(
        abs(a.start - start) <= 0.1 and a.title == title
        for a, (start, title) in zip(chapters, ignored, strict=True)
    )
    if same:
        return chapters, ()
    message = (
        f"the QuickTime chapter track ({len(track)} chapters) and the Nero 'chpl' chapters "
        f"({len(nero)}) disagree; the chapter track is used, as Apple Podcasts does"
    )
    hint = "write both from one chapter list, or remove one"
    return chapters, (Notice(message, path, hint=hint),)


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


def _mp4_text(values: Any, text: TagText, tag: str) -> str | None:
    for value in values or ():
        cleaned = text.one_line(str(value), tag)
        if cleaned is not None:
            return cleaned
    return None


def _mp4_artwork(covers: Any) -> Image | None:
    for cover in covers or ():
        declared = "png" if cover.imageformat == MP4Cover.FORMAT_PNG else "jpg"
        image = picture(bytes(cover), declared)
        if image is not None:
            return image
    return None


# --- shared -----------------------------------------------------------------------------


def _said(error: Exception, path: Path) -> str:
    """mutagen's message, without the path it sometimes repeats (ours already leads)."""
    text = str(error).replace(f"{str(path)!r} ", "").replace(str(path), "the file")
    return text.strip() or type(error).__name__
