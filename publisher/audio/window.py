"""Random access to an audio file through one bounded window (no third-party imports).

The frame and box walkers used to map the whole file. A mapped file's pages count towards the
process's resident memory as they are touched, so walking a 1 GB episode showed as ~1 GB RSS,
which is what a CI job's memory limit sees. A :class:`FileBuffer` instead keeps at most one
window of :data:`WINDOW` bytes (plus whatever the caller still holds), read with ordinary
``read`` calls; the walkers ask it for the window around the offset they are at.

``bytes`` works wherever a :data:`Buffer` is taken (the tests pass file contents directly).
"""

from __future__ import annotations

import re
from typing import BinaryIO

# Big enough that the per-window overhead vanishes beside the walk (a window holds ~10,000
# frames), small enough that memory stays flat whatever the file's size.
WINDOW = 4 << 20
# What a small read (a box header, a tag's size) reads ahead: jumping from box to box over a
# long M4A must not read 4 MB at each jump.
_SMALL = 64 << 10


class FileBuffer:
    """The bytes of an open file, read one window at a time.

    Supports ``len()``, integer indexing and slicing (without a step), like ``bytes``; a slice
    longer than a window is read directly and not kept.
    """

    def __init__(self, file: BinaryIO, size: int, window: int = WINDOW) -> None:
        self._file = file
        self._size = size
        self._window = window
        self._base = 0
        self._data = b""

    def __len__(self) -> int:
        return self._size

    def window(self, pos: int, need: int, ahead: int | None = None) -> tuple[bytes, int]:
        """``(data, base)``: a window holding ``[pos, pos + need)`` (as far as the file goes)
        at ``data[pos - base:]``. The window is reused while it covers the range; a new one
        holds ``ahead`` bytes (default: a whole window)."""
        base, data = self._base, self._data
        if base <= pos and pos + need <= base + len(data):
            return data, base
        if base <= pos and base + len(data) == self._size:
            return data, base  # the window already reaches the end of the file
        self._file.seek(pos)
        self._data = self._file.read(max(need, min(ahead or self._window, self._window)))
        self._base = pos
        return self._data, pos

    def __getitem__(self, key: int | slice) -> bytes | int:
        if isinstance(key, int):
            if key < 0:
                key += self._size
            if not 0 <= key < self._size:
                raise IndexError("FileBuffer index out of range")
            data, base = self.window(key, 1, _SMALL)
            return data[key - base]
        start, stop, _ = key.indices(self._size)
        if stop <= start:
            return b""
        if stop - start > self._window:
            self._file.seek(start)
            return self._file.read(stop - start)
        data, base = self.window(start, stop - start, _SMALL)
        return data[start - base : stop - base]


Buffer = bytes | FileBuffer


def view(buf: Buffer, pos: int, need: int) -> tuple[bytes, int]:
    """``(data, base)`` with ``[pos, pos + need)`` at ``data[pos - base:]`` (as far as it goes)."""
    if isinstance(buf, FileBuffer):
        return buf.window(pos, need)
    return buf, 0


def chunk(buf: Buffer, start: int, stop: int) -> bytes:
    """``buf[start:stop]`` as bytes."""
    if isinstance(buf, FileBuffer):
        data = buf[start:stop]
        assert isinstance(data, bytes)
        return data
    return buf[start:stop]


def byte(buf: Buffer, pos: int) -> int:
    """``buf[pos]`` as an int."""
    value = buf[pos]
    assert isinstance(value, int)
    return value


def u32(buf: Buffer, pos: int) -> int:
    """The big-endian 32-bit integer at ``pos`` (0 where the data ends first)."""
    return int.from_bytes(chunk(buf, pos, pos + 4).ljust(4, b"\0"), "big")


def search_at(
    buf: Buffer, pattern: re.Pattern[bytes], start: int, stop: int, longest: int
) -> tuple[re.Match[bytes], int] | None:
    """``(match, offset in buf)`` of the first match of ``pattern`` starting in [start, stop)."""
    pos = start
    stop = min(stop, len(buf))
    while pos < stop:
        data, base = view(buf, pos, longest)
        limit = min(stop + longest - 1, base + len(data), len(buf))
        found = pattern.search(data, pos - base, limit - base)
        if found is not None and found.start() + base < stop:
            return found, found.start() + base
        if limit >= min(stop + longest - 1, len(buf)):
            return None
        pos = max(pos + 1, limit - longest + 1)  # overlap: a match may span the boundary
    return None
