"""Measure an MPEG audio stream by walking its frame headers (no third-party imports).

An MP3's length cannot be read from one place: a VBR file without a Xing header has no total
at all, and a Xing/Info/VBRI header states what the encoder wrote, not what survived the
upload. So we count the frames that are really there. The walk jumps from header to header
through bounded windows of the file (:mod:`publisher.audio.window`; one 4-byte read per frame,
frame lengths cached per header pattern), which takes well under a second for a two-hour
episode and keeps memory flat however long the file is.

The layout facts used here are those of ISO/IEC 11172-3 and 13818-3 (frame headers), the
ID3v2.4 structure document (tag header, footer), and the Xing/LAME and VBRI header notes.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass

from publisher.audio.mp3tags import id3v2_end, tag_between, tags_start
from publisher.audio.window import Buffer, chunk, search_at, u32, view

_U32 = struct.Struct(">I")
_SYNC = 0xFFE00000
# Bits that must stay the same from frame to frame: sync, version, layer, sample rate.
_FIXED = 0xFFFE0C00
# How far past the ID3v2 tag(s) the first frame may be (some taggers leave stray padding).
_FIRST_FRAME_WINDOW = 128 * 1024
# Consecutive frames needed to believe a sync word found by searching (not by walking).
_CONFIRM = 4
# The first three bytes a frame header can start with: sync, a version and layer that exist, a
# bitrate index that is neither free format nor bad. Searching with this (in C) rather than for
# every 0xFF byte keeps junk cheap to skip, even the 0xFF fill of an erased memory card.
_CANDIDATE = re.compile(rb"\xff[\xe2-\xe7\xf2-\xf7\xfa-\xff][\x10-\xeb]")
# Bytes a window must hold past a frame's header to show a Xing/Info/VBRI word in it.
_MARGIN = 64
# Where a Xing/Info word can lie from a frame's start: after the header and the side
# information (9, 17 or 32 bytes, 2 more after a CRC). A VBRI word lies at 36.
_INFO_OFFSETS = (13, 21, 36, 15, 23, 38)
# Zero fill after a tag is not junk that could fake a sync word: it does not count against
# _FIRST_FRAME_WINDOW, however long it is.
_NOT_ZERO = re.compile(rb"[^\x00]")

# kbit/s by (MPEG-1?, layer bits) then bitrate index; layer bits 3 = I, 2 = II, 1 = III.
_BITRATES: dict[tuple[bool, int], tuple[int, ...]] = {
    (True, 3): (0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    (True, 2): (0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    (True, 1): (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    (False, 3): (0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
    (False, 2): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
    (False, 1): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
# Hz by version bits (3 = MPEG-1, 2 = MPEG-2, 0 = MPEG-2.5) then sample-rate index.
_RATES: dict[int, tuple[int, int, int]] = {
    3: (44100, 48000, 32000),
    2: (22050, 24000, 16000),
    0: (11025, 12000, 8000),
}


@dataclass(frozen=True)
class Frame:
    """What one frame header says."""

    length: int  # bytes, header included
    samples: int  # per channel
    sample_rate: int
    layer: int  # 1, 2 or 3
    mono: bool


def decode_header(h: int) -> Frame | None:
    """The frame a 4-byte header (as a big-endian int) describes, or None if it is invalid."""
    version = (h >> 19) & 3
    layer_bits = (h >> 17) & 3
    index = (h >> 12) & 15
    rate_index = (h >> 10) & 3
    if (h & _SYNC) != _SYNC or version == 1 or layer_bits == 0:
        return None
    if index in (0, 15) or rate_index == 3 or (h & 3) == 2:  # free format, bad, reserved
        return None
    mpeg1 = version == 3
    rate = _RATES[version][rate_index]
    bitrate = _BITRATES[(mpeg1, layer_bits)][index] * 1000
    padding = (h >> 9) & 1
    if layer_bits == 3:
        length, samples = (12 * bitrate // rate + padding) * 4, 384
    elif layer_bits == 2 or mpeg1:
        length, samples = 144 * bitrate // rate + padding, 1152
    else:
        length, samples = 72 * bitrate // rate + padding, 576
    return Frame(length, samples, rate, 4 - layer_bits, ((h >> 6) & 3) == 3)


def bitrate(h: int) -> int:
    """Bits per second a valid 4-byte frame header states."""
    version, layer_bits, index = (h >> 19) & 3, (h >> 17) & 3, (h >> 12) & 15
    return _BITRATES[(version == 3, layer_bits)][index] * 1000


@dataclass(frozen=True)
class InfoHeader:
    """A Xing/Info/VBRI header found in the first frame: what the encoder says it wrote."""

    kind: str  # "Xing", "Info" or "VBRI"
    frames: int | None  # audio frames, not counting the header's own frame
    bytes: int | None  # stream bytes, the header's own frame included
    delay: int = 0  # LAME tag: encoder delay and end padding, in samples
    padding: int = 0


@dataclass(frozen=True)
class Scan:
    """The result of walking an MPEG audio stream."""

    first_frame: int  # offset of the first frame (the info frame, if any)
    audio_end: int  # where trailing tags (ID3v1, APE, Lyrics3, ID3v2 footer) begin
    layer: int
    sample_rate: int
    samples_per_frame: int
    frames: int  # audio frames actually present (the info frame not counted)
    info: InfoHeader | None
    cut_at: int | None  # offset of a last frame that the data ends inside of
    skipped: int  # bytes of junk jumped over between frames
    # The first frame of a second, different stream (another sample rate or layer) that
    # follows this one, as when two encodes are joined with `cat`; the walk stops there.
    switch: Frame | None = None
    # Where a second encode of the same kind begins (its ID3/APE tag, the first file's
    # trailing tag, or its Xing/Info/VBRI frame between two frames); the walk stops there.
    second_encode: int | None = None

    @property
    def present(self) -> float:
        """Seconds of frames present, before any encoder delay/padding is removed."""
        return self.frames * self.samples_per_frame / self.sample_rate

    @property
    def promised(self) -> float | None:
        """Seconds the info header promises, when it states a frame or byte count."""
        if self.info is None:
            return None
        if self.info.frames is not None:
            return self.info.frames * self.samples_per_frame / self.sample_rate
        stream = self.audio_end - self.first_frame
        if self.info.bytes is not None and stream > 0:
            return self.present * self.info.bytes / stream
        return None

    @property
    def truncated(self) -> bool:
        """The header promises more than is there, or the last frame is cut short.

        One missing frame is let pass: encoders disagree on whether the count includes the
        header's own frame, and 26 ms is not worth refusing a good file for. The byte count
        is only used when there is no frame count, as some tools count tags in it.
        """
        info = self.info
        if self.cut_at is not None:
            return True
        if info is None:
            return False
        if info.frames is not None:
            return info.frames > self.frames + 1
        return info.bytes is not None and info.bytes > self.audio_end - self.first_frame

    @property
    def joined_at(self) -> float | None:
        """Seconds into the file where a second encode begins, if the stream is two joined.

        Seen by a tag or an info frame between frames (:attr:`second_encode`), or by the first
        header counting fewer frames than are present (the header of the first encode, which
        players trust and stop at). Two encodes with neither headers nor tags are one stream
        to any reader and cannot be told apart.
        """
        if self.second_encode is not None:
            return self.duration
        info = self.info
        if info is None or not info.frames or self.frames <= info.frames + 1:
            return None  # one frame of slack, as for truncation
        samples = info.frames * self.samples_per_frame
        trim = info.delay + info.padding
        return (samples - trim if 0 < trim < samples else samples) / self.sample_rate

    @property
    def duration(self) -> float:
        """Seconds of audio a decoder plays: the frames present, less the LAME delay/padding
        when the header's frame count matches what is present (so they describe this audio)."""
        samples = self.frames * self.samples_per_frame
        info = self.info
        if info is not None and info.frames == self.frames:
            trim = info.delay + info.padding
            if 0 < trim < samples:
                samples -= trim
        return samples / self.sample_rate


def _chain(buf: Buffer, pos: int, end: int, fixed: int, count: int) -> bool:
    """True if ``count`` consistent frames follow one another from ``pos`` (or reach ``end``)."""
    for _ in range(count):
        if pos == end:
            return True
        if pos + 4 > end:
            return False
        h = u32(buf, pos)
        frame = decode_header(h)
        if frame is None or (h & _FIXED) != fixed or pos + frame.length > end:
            return False
        pos += frame.length
    return True


def _search(buf: Buffer, pos: int, stop: int, end: int, confirm: int) -> int | None:
    """The first offset in [pos, stop) where ``confirm`` consistent frames begin."""
    while True:
        found = search_at(buf, _CANDIDATE, pos, min(stop, end), 3)
        if found is None:
            return None
        pos = found[1]
        if pos + 4 > end:
            return None
        h = u32(buf, pos)
        if decode_header(h) is not None and _chain(buf, pos, end, h & _FIXED, confirm):
            return pos
        pos += 1


def _info_header(buf: Buffer, pos: int, frame: Frame) -> InfoHeader | None:
    """The Xing/Info/VBRI header in the frame at ``pos``, if it holds one."""
    body = chunk(buf, pos, pos + frame.length)
    end = len(body)
    if body[36:40] == b"VBRI" and end >= 54:
        size, frames = struct.unpack_from(">II", body, 36 + 10)
        return InfoHeader("VBRI", frames, size)
    for kind in (b"Xing", b"Info"):
        at = body.find(kind, 4, min(end, 4 + 40))
        if at >= 0:
            break
    else:
        return None
    if at + 8 > end:
        return None
    flags = _U32.unpack_from(body, at + 4)[0]
    x = at + 8
    frames = byte_count = None
    if flags & 1 and x + 4 <= end:
        frames = _U32.unpack_from(body, x)[0]
        x += 4
    if flags & 2 and x + 4 <= end:
        byte_count = _U32.unpack_from(body, x)[0]
        x += 4
    x += (100 if flags & 4 else 0) + (4 if flags & 8 else 0)
    delay = padding = 0
    if x + 24 <= end and body[x : x + 4].isascii() and body[x] != 0:
        a, b, c = body[x + 21], body[x + 22], body[x + 23]
        delay, padding = (a << 4) | (b >> 4), ((b & 15) << 8) | c
    return InfoHeader(kind.decode(), frames, byte_count, delay, padding)


def first_frame(buf: Buffer) -> int | None:
    """Offset of the first frame of an MPEG audio stream (after any ID3v2 tag), or None."""
    start = id3v2_end(buf)
    end = tags_start(buf)
    data = search_at(buf, _NOT_ZERO, start, end, 1) if start < end else None
    if data is None:
        return None
    start = data[1]
    return _search(buf, start, min(end, start + _FIRST_FRAME_WINDOW), end, _CONFIRM)


def players_estimate(buf: Buffer) -> float | None:
    """Seconds a player shows for a stream whose first frame holds no Xing/Info/VBRI header:
    the stream's bytes at the first frame's bitrate (what mutagen, Chromium and most players
    do). None when there is a header (players then take its count) or no stream."""
    start = first_frame(buf)
    if start is None:
        return None
    h = u32(buf, start)
    frame = decode_header(h)
    assert frame is not None  # first_frame only returns decodable headers
    if frame.layer == 3 and _info_header(buf, start, frame) is not None:
        return None
    return (tags_start(buf) - start) * 8 / bitrate(h)


def scan(buf: Buffer) -> Scan | None:
    """Walk every frame of the MPEG audio stream in ``buf``; None when no stream is found.

    Junk between frames is skipped (and counted); the walk ends at the trailing tags, at
    data that holds no further frames, or at a frame the data ends inside of (``cut_at``).
    """
    end = tags_start(buf)
    start = first_frame(buf)
    if start is None:
        return None
    h0 = u32(buf, start)
    first = decode_header(h0)
    assert first is not None  # _search only returns decodable headers
    fixed = h0 & _FIXED
    info = _info_header(buf, start, first) if first.layer == 3 else None
    pos = start + first.length if info is not None else start

    lengths: dict[int, int] = {}  # header bits that decide the length -> length
    frames = skipped = 0
    cut_at: int | None = None
    switch: Frame | None = None
    second: int | None = None
    while pos + 4 <= end:
        data, base = view(buf, pos, _MARGIN)
        reach = base + len(data)
        limit = end - 4 if reach >= len(buf) else min(end - 4, reach - _MARGIN)
        count, pos, stopped = _walk(data, base, pos, end, limit, fixed, lengths)
        frames += count
        if stopped in ("cut", "info"):  # a frame cut short; a second encode's info frame
            cut_at, second = (pos, None) if stopped == "cut" else (None, pos)
            break
        if stopped == "window":
            continue
        found = _search(buf, pos + 1, end, end, 2)
        if found is None:
            break  # trailing data without frames: not audio, not ours to judge
        h = u32(buf, found)
        if (h & _FIXED) != fixed and _chain(buf, found, end, h & _FIXED, _CONFIRM):
            switch = decode_header(h)
            break
        if tag_between(buf, pos, found):
            second = pos
            break
        skipped += found - pos
        pos = found
    return Scan(
        first_frame=start,
        audio_end=end,
        layer=first.layer,
        sample_rate=first.sample_rate,
        samples_per_frame=first.samples,
        frames=frames,
        info=info,
        cut_at=cut_at,
        skipped=skipped,
        switch=switch,
        second_encode=second,
    )


def _is_info_frame(data: bytes, i: int) -> bool:
    """True if the frame at ``data[i:]`` (at least 64 bytes or up to the stream's end) is an
    encoder's info frame: its side information all zero up to a "Xing"/"Info" word (after
    the side information) or a "VBRI" word (at byte 36), as LAME, ffmpeg and Fraunhofer's
    encoders write them. Real audio frames hold such a word by chance now and then, but not
    behind 9 or more zero bytes."""
    zeros_from = i + (4 if data[i + 1] & 1 else 6)  # past the CRC of a protected frame
    if data[i + 36 : i + 40] == b"VBRI":
        return not any(data[zeros_from : i + 36])
    for k in _INFO_OFFSETS:
        if data[i + k : i + k + 4] in (b"Xing", b"Info"):
            return not any(data[zeros_from : i + k])
    return False


def _walk(
    data: bytes, base: int, pos: int, end: int, limit: int, fixed: int, lengths: dict[int, int]
) -> tuple[int, int, str]:
    """Walk the frames from ``pos`` whose headers begin at or before ``limit`` (each with 64
    bytes after it, or up to the stream's end, within ``data``, the window at ``base``).

    Returns (frames walked, where the walk stopped, why): "window" when the next header
    lies past ``limit``, "junk" at bytes that are not a frame of this stream, "cut" at a
    frame the stream (ending at ``end``) ends inside of, "info" at the info frame of a second
    encode. This is the hot loop: a dict lookup and a byte test per frame, no slicing. Only
    a frame whose side information starts with a zero byte (or that has a CRC) can be an
    info frame, so only those are looked into.
    """
    unpack = _U32.unpack_from
    i = pos - base
    last = limit - base
    stream_end = end - base
    frames = 0
    while i <= last:
        h = unpack(data, i)[0]
        if (h & _FIXED) != fixed:
            return frames, i + base, "junk"
        n = lengths.get(h >> 9)
        if n is None:
            frame = decode_header(h)
            n = lengths[h >> 9] = frame.length if frame is not None else 0
        if not n:
            return frames, i + base, "junk"
        if i + n > stream_end:
            return frames, i + base, "cut"
        if (not data[i + 4] or not h & 0x10000) and _is_info_frame(data, i):
            return frames, i + base, "info"
        frames += 1
        i += n
    return frames, i + base, "window"
