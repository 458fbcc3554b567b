"""Walk the boxes of an MP4/QuickTime file: tracks, codecs, fragments (no third-party imports).

mutagen reads the tags and the length of an M4A; what it does not look at is read here from
the raw boxes, through a bounded window of the file (:mod:`publisher.audio.window`): each
track's handler and first sample entry (to tell audio from video and chapter pictures),
whether a QuickTime-style sound entry holds AAC, and the length of a fragmented MP4, whose
index says 0. Box layouts are those of ISO/IEC 14496-12 (the ISO base media file format)
and 14496-1 (the 'esds' descriptors).
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

from publisher.audio.window import Buffer, byte, chunk, u32


def boxes(buf: Buffer, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """(type, body start, box end) of the boxes between ``start`` and ``end``.

    A box may claim to end past ``end``: that is how truncation shows, so it is yielded as is
    and the walk stops there.
    """
    pos, end = start, min(end, len(buf))
    while pos + 8 <= end:
        size, name = struct.unpack(">I4s", chunk(buf, pos, pos + 8))
        body = pos + 8
        if size == 1 and pos + 16 <= end:
            size, body = int.from_bytes(chunk(buf, pos + 8, pos + 16), "big"), pos + 16
        elif size == 0:  # "extends to the end of the file"
            size = end - pos
        if size < body - pos:
            return  # damaged; mutagen will say so if it matters
        yield name, body, pos + size
        pos += size


def tracks(buf: Buffer, start: int, end: int) -> list[tuple[bytes, bytes]]:
    """(handler type, first sample-entry type) of each track in a moov box body."""
    tracks = []
    for name, body, box_end in boxes(buf, start, end):
        if name != b"trak":
            continue
        handler = codec = b""
        for mdia, mdia_body, mdia_end in boxes(buf, body, box_end):
            if mdia != b"mdia":
                continue
            for sub, sub_body, sub_end in boxes(buf, mdia_body, mdia_end):
                if sub == b"hdlr" and sub_body + 12 <= sub_end:
                    handler = chunk(buf, sub_body + 8, sub_body + 12)
                elif sub == b"minf":
                    codec = _first_sample_entry(buf, sub_body, sub_end)
        tracks.append((handler, codec))
    return tracks


def fragmented_length(
    buf: Buffer, moov: tuple[bytes, int, int], top: list[tuple[bytes, int, int]]
) -> float:
    """Seconds of the first audio track of a fragmented MP4: its samples' durations summed
    over every fragment ('moof' > 'traf' > 'trun'), with the defaults of 'tfhd' and 'trex'."""
    track_id = timescale = None
    defaults: dict[int, int] = {}  # track ID -> default sample duration ('trex')
    for name, body, end in boxes(buf, moov[1], moov[2]):
        if name == b"trak" and track_id is None:
            track_id, timescale = _audio_track_id_and_timescale(buf, body, end)
        elif name == b"mvex":
            for sub, sub_body, sub_end in boxes(buf, body, end):
                if sub == b"trex" and sub_body + 16 <= sub_end:
                    tid, _, default = struct.unpack(">III", chunk(buf, sub_body + 4, sub_body + 16))
                    defaults[tid] = default
    if track_id is None or not timescale:
        return 0.0
    total = 0
    for name, body, end in top:
        if name != b"moof" or end > len(buf):
            continue  # a cut fragment: the truncation check names it
        for traf, traf_body, traf_end in boxes(buf, body, end):
            if traf != b"traf":
                continue
            default = defaults.get(track_id, 0)
            for sub, at, sub_end in boxes(buf, traf_body, traf_end):
                sub_end = min(sub_end, len(buf))
                if sub == b"tfhd" and at + 8 <= sub_end:
                    flags, tid = struct.unpack(">II", chunk(buf, at, at + 8))
                    if tid != track_id:
                        break  # another track's fragment
                    at += 8 + (8 if flags & 1 else 0) + (4 if flags & 2 else 0)
                    if flags & 8 and at + 4 <= sub_end:
                        default = u32(buf, at)
                elif sub == b"trun" and at + 8 <= sub_end:
                    total += _trun_duration(buf, at, sub_end, default)
    return total / timescale


def _audio_track_id_and_timescale(
    buf: Buffer, start: int, end: int
) -> tuple[int | None, int | None]:
    track_id = timescale = None
    end = min(end, len(buf))
    sound = False
    for name, body, box_end in boxes(buf, start, end):
        if name == b"tkhd" and body + 24 <= box_end:
            track_id = u32(buf, body + (20 if byte(buf, body) == 1 else 12))
        elif name == b"mdia":
            for sub, sub_body, sub_end in boxes(buf, body, box_end):
                if sub == b"mdhd" and sub_body + 24 <= sub_end:
                    at = sub_body + (20 if byte(buf, sub_body) == 1 else 12)
                    timescale = u32(buf, at)
                elif sub == b"hdlr" and sub_body + 12 <= sub_end:
                    sound = chunk(buf, sub_body + 8, sub_body + 12) == b"soun"
    return (track_id, timescale) if sound else (None, None)


def _trun_duration(buf: Buffer, at: int, end: int, default: int) -> int:
    flags: int
    count: int
    flags, count = struct.unpack(">II", chunk(buf, at, at + 8))
    if not flags & 0x100:
        return count * default
    at += 8 + (4 if flags & 1 else 0) + (4 if flags & 4 else 0)
    stride = 4 * sum(1 for bit in (0x100, 0x200, 0x400, 0x800) if flags & bit)
    count = min(count, max(0, end - at) // stride)
    table = chunk(buf, at, at + count * stride)
    return sum(int.from_bytes(table[i : i + 4], "big") for i in range(0, count * stride, stride))


def qt_esds_is_aac(buf: Buffer, moov: tuple[bytes, int, int]) -> bool:
    """True if the first 'esds' in the index describes MPEG-4 audio (object type 0x40)."""
    index = chunk(buf, moov[1], moov[2])
    at = index.find(b"esds")
    if at < 0:
        return False
    end = len(index)
    pos = at + 8  # past the name, version and flags
    for tag in (3, 4):  # ES_Descriptor, then the DecoderConfigDescriptor inside it
        if pos >= end or index[pos] != tag:
            return False
        pos += 1
        while pos < end and index[pos] & 0x80:  # the length: 1 to 4 bytes of 7 bits
            pos += 1
        pos += 1
        if tag == 3 and pos + 3 <= end:
            flags = index[pos + 2]
            pos += 3 + (2 if flags & 0x80 else 0) + (2 if flags & 0x20 else 0)
            if flags & 0x40 and pos < end:
                pos += 1 + index[pos]
    return pos < end and index[pos] == 0x40


def _first_sample_entry(buf: Buffer, start: int, end: int) -> bytes:
    for name, body, box_end in boxes(buf, start, end):
        if name == b"stbl":
            for sub, sub_body, sub_end in boxes(buf, body, box_end):
                if sub == b"stsd" and sub_body + 16 <= sub_end:
                    return chunk(buf, sub_body + 12, sub_body + 16)
    return b""


# A chapter list longer than this is damage, not chapters (and would cost time to read).
_MAX_CHAPTERS = 10_000


def qt_chapters(buf: Buffer, moov: tuple[bytes, int, int]) -> tuple[tuple[float, str], ...]:
    """(start in seconds, title) of each chapter in a QuickTime chapter track.

    That is a text track another track names in its 'tref' > 'chap' box, as Apple's tools,
    mp4chaps and ffmpeg write it: one text sample per chapter (a 16-bit length, then UTF-8
    or, after a byte-order mark, UTF-16 text), starting where the samples before it end.
    Empty when there is none or it cannot be read.
    """
    traks: dict[int, tuple[int, int]] = {}
    wanted: list[int] = []
    for name, body, end in boxes(buf, moov[1], moov[2]):
        if name != b"trak":
            continue
        end = min(end, moov[2])
        for sub, sub_body, sub_end in boxes(buf, body, end):
            if sub == b"tkhd" and sub_body + 24 <= sub_end:
                at = sub_body + (20 if byte(buf, sub_body) == 1 else 12)
                traks[u32(buf, at)] = (body, end)
            elif sub == b"tref":
                for ref, ref_body, ref_end in boxes(buf, sub_body, sub_end):
                    if ref == b"chap":
                        ids = range(ref_body, min(ref_end, sub_end) - 3, 4)
                        wanted.extend(u32(buf, at) for at in ids)
    for track_id in dict.fromkeys(wanted):
        if track_id in traks:
            found = _text_samples(buf, *traks[track_id])
            if found:
                return found
    return ()


def _text_samples(buf: Buffer, start: int, end: int) -> tuple[tuple[float, str], ...]:
    """The timed text samples of a text track ('trak' body at [start, end))."""
    timescale = 0
    handler = b""
    tables: dict[bytes, bytes] = {}
    for name, body, box_end in boxes(buf, start, end):
        if name != b"mdia":
            continue
        for sub, sub_body, sub_end in boxes(buf, body, min(box_end, end)):
            if sub == b"mdhd" and sub_body + 24 <= sub_end:
                timescale = u32(buf, sub_body + (20 if byte(buf, sub_body) == 1 else 12))
            elif sub == b"hdlr":
                handler = chunk(buf, sub_body + 8, sub_body + 12)
            elif sub == b"minf":
                for stbl, stbl_body, stbl_end in boxes(buf, sub_body, sub_end):
                    if stbl == b"stbl":
                        for table, at, table_end in boxes(buf, stbl_body, stbl_end):
                            if table in (b"stts", b"stsc", b"stsz", b"stco", b"co64"):
                                tables[table] = chunk(buf, at, min(table_end, stbl_end))
    if handler not in (b"text", b"sbtl") or not timescale:
        return ()
    starts = _sample_starts(tables.get(b"stts", b""))
    places = _sample_places(tables)
    chapters = []
    for begin, (offset, size) in zip(starts, places, strict=False):
        sample = chunk(buf, offset, offset + min(size, 2 + 4096))
        length = int.from_bytes(sample[:2], "big")
        raw = sample[2 : 2 + length]
        if raw.startswith((b"\xfe\xff", b"\xff\xfe")):
            title = raw.decode("utf-16", errors="replace")
        else:
            title = raw.decode("utf-8", errors="replace")
        # Milliseconds: the track's timescale is often the sample rate, whose ticks do not
        # fall on the millisecond the chapter list gave (1.25 s is 1.2500227 s at 22,050 Hz).
        chapters.append((round(begin / timescale, 3), title))
    return tuple(chapters)


def _entries(table: bytes, first: int, width: int) -> list[tuple[int, ...]]:
    """The fixed-width big-endian u32 entries of a sample table (count at ``first - 4``)."""
    count = int.from_bytes(table[first - 4 : first], "big")
    count = max(0, min(count, (len(table) - first) // (4 * width), _MAX_CHAPTERS))
    fmt = f">{count * width}I"
    flat = struct.unpack_from(fmt, table, first) if count else ()
    return [tuple(flat[i : i + width]) for i in range(0, len(flat), width)]


def _sample_starts(stts: bytes) -> list[int]:
    starts: list[int] = []
    time = 0
    for count, delta in _entries(stts, 8, 2):
        for _ in range(min(count, _MAX_CHAPTERS - len(starts))):
            starts.append(time)
            time += delta
    return starts


def _sample_places(tables: dict[bytes, bytes]) -> list[tuple[int, int]]:
    """(file offset, size) of each sample, from the chunk offsets, samples per chunk and sizes."""
    stsz = tables.get(b"stsz", b"")
    fixed = int.from_bytes(stsz[4:8], "big")
    count = min(int.from_bytes(stsz[8:12], "big"), _MAX_CHAPTERS)
    sizes = [fixed] * count if fixed else [s for (s,) in _entries(stsz, 12, 1)]
    if b"co64" in tables:
        co64 = tables[b"co64"]
        n = max(0, min(int.from_bytes(co64[4:8], "big"), (len(co64) - 8) // 8, _MAX_CHAPTERS))
        offsets = [int.from_bytes(co64[8 + 8 * i : 16 + 8 * i], "big") for i in range(n)]
    else:
        offsets = [o for (o,) in _entries(tables.get(b"stco", b""), 8, 1)]
    runs = _entries(tables.get(b"stsc", b""), 8, 3)  # (first chunk, samples per chunk, -)
    places: list[tuple[int, int]] = []
    for index, offset in enumerate(offsets, start=1):
        per_chunk = next((n for first, n, _ in reversed(runs) if first <= index), 1)
        for _ in range(min(per_chunk, len(sizes) - len(places))):
            size = sizes[len(places)]
            places.append((offset, size))
            offset += size
    return places
