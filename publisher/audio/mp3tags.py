"""The tags around an MPEG audio stream: where they begin and end (no third-party imports).

An MP3 file may start with ID3v2 tag(s) and end with ID3v1, APEv2, Lyrics3v2 and appended
ID3v2 tags; the frame walker (:mod:`publisher.audio.mp3frames`) measures what lies between.
Layouts are those of the ID3v2.4 structure document, the ID3v1, APEv2 and Lyrics3v2 notes.
"""

from __future__ import annotations

from publisher.audio.window import Buffer, byte, chunk


def id3v2_end(buf: Buffer, start: int = 0) -> int:
    """Offset just past the ID3v2 tag(s) at ``start`` (``start`` itself when there are none).

    It lies past the end of ``buf`` when the tag claims more bytes than there are.
    """
    pos = start
    while chunk(buf, pos, pos + 3) == b"ID3" and len(buf) >= pos + 10:
        size_bytes = chunk(buf, pos + 6, pos + 10)
        if any(b & 0x80 for b in size_bytes):
            break  # not a valid syncsafe size: leave it to the frame search
        size = (size_bytes[0] << 21) | (size_bytes[1] << 14) | (size_bytes[2] << 7) | size_bytes[3]
        footer = 10 if byte(buf, pos + 5) & 0x10 else 0
        pos += 10 + size + footer
    return pos


def tags_start(buf: Buffer) -> int:
    """Where the trailing tags begin: ID3v1, APEv2, Lyrics3v2 and appended ID3v2 are skipped."""
    end = len(buf)
    if end >= 128 and chunk(buf, end - 128, end - 125) == b"TAG":
        end -= 128
    while True:
        if end >= 32 and chunk(buf, end - 32, end - 24) == b"APETAGEX":
            size = int.from_bytes(chunk(buf, end - 20, end - 16), "little")
            flags = int.from_bytes(chunk(buf, end - 12, end - 8), "little")
            total = size + (32 if flags & 0x80000000 else 0)
            if 32 <= total <= end:
                end -= total
                continue
        if end >= 15 and chunk(buf, end - 9, end) == b"LYRICS200":
            digits = chunk(buf, end - 15, end - 9)
            if digits.isdigit() and int(digits) + 15 <= end:
                end -= int(digits) + 15
                continue
        if end >= 10 and chunk(buf, end - 10, end - 7) == b"3DI":
            raw = chunk(buf, end - 4, end)
            size = (raw[0] << 21) | (raw[1] << 14) | (raw[2] << 7) | raw[3]
            if size + 20 <= end:
                end -= size + 20
                continue
        return end


def tag_between(buf: Buffer, pos: int, found: int) -> bool:
    """True if the junk in [pos, found) between two frames is a tag: the trailing tag of a
    first file (ID3v1, APEv2, Lyrics3) or the leading ID3v2 tag of a second one."""
    head = chunk(buf, pos, pos + 11)
    if head[:3] == b"ID3" and len(head) >= 4 and 2 <= head[3] <= 4:
        return True
    if head[:3] == b"TAG" or head[:8] == b"APETAGEX" or head == b"LYRICSBEGIN":
        return True
    if found - pos >= 32 and chunk(buf, found - 32, found - 24) == b"APETAGEX":
        return True
    return found - pos >= 128 and chunk(buf, found - 128, found - 125) == b"TAG"
