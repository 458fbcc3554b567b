"""publisher.audio.window: the walkers read files through bounded windows, so memory stays flat.

The windowed walk must give exactly what a walk over the whole file in memory gives (checked
with windows far smaller than the files, so every boundary case is crossed), and a subprocess
reading a ~200 MB MP3 must stay far below 200 MB of peak RSS.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import imageio_ffmpeg
import pytest

from publisher.audio import mp3frames
from publisher.audio.reader import read_audio
from publisher.audio.window import FileBuffer, search_at
from tests.support.paths import ROOT, TESTS

DATA = TESTS / "data" / "audio"
FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()


def test_file_buffer_reads_like_bytes(tmp_path: Path) -> None:
    data = bytes(range(256)) * 40
    path = tmp_path / "x.bin"
    path.write_bytes(data)
    with path.open("rb") as f:
        buf = FileBuffer(f, len(data), window=100)
        assert len(buf) == len(data)
        for start, stop in [(0, 4), (98, 103), (5000, 5300), (10230, 10250), (-4, None), (7, 7)]:
            assert buf[start:stop] == data[start:stop]
        assert [buf[i] for i in (0, 99, 100, 10239, -1)] == [data[i] for i in (0, 99, 100, -1, -1)]
        with pytest.raises(IndexError):
            buf[len(data)]


def test_search_finds_a_match_across_window_boundaries(tmp_path: Path) -> None:
    pattern = re.compile(rb"XYZ")
    for at in (0, 97, 98, 99, 100, 101, 250, 996):
        data = bytearray(1000)
        data[at : at + 3] = b"XYZ"
        path = tmp_path / "x.bin"
        path.write_bytes(bytes(data))
        with path.open("rb") as f:
            buf = FileBuffer(f, len(data), window=100)
            found = search_at(buf, pattern, 0, len(data), 3)
            assert found is not None and found[1] == at
            assert search_at(buf, pattern, at + 1, len(data), 3) is None
            assert search_at(buf, pattern, 0, at, 3) is None


@pytest.mark.parametrize("window", [64, 1000, 4099])
@pytest.mark.parametrize("name", ["cbr.mp3", "tagged.mp3", "vbr_xing.mp3", "big_id3.mp3"])
def test_windowed_scan_equals_the_scan_in_memory(name: str, window: int, tmp_path: Path) -> None:
    data = (DATA / name).read_bytes()
    first = mp3frames.first_frame(data)
    assert first is not None
    # Junk in the middle of the stream and zero fill after it cross window boundaries too.
    middle = first + (len(data) - first) // 2
    variants = [data, data[:middle] + b"\x00junk\xff\xfb" * 50 + data[middle:] + bytes(5000)]
    for variant in variants:
        path = tmp_path / name
        path.write_bytes(variant)
        with path.open("rb") as f:
            windowed = mp3frames.scan(FileBuffer(f, len(variant), window=window))
        assert windowed == mp3frames.scan(variant)


def big_mp3(folder: Path) -> tuple[Path, float]:
    """About 200 MB of CBR frames (one real encode, repeated without re-encoding)."""
    one = folder / "one.mp3"
    subprocess.run(
        [FFMPEG, "-v", "error", "-f", "lavfi", "-i", "sine=f=440:d=20", "-c:a", "libmp3lame",
         "-b:a", "320k", "-write_xing", "0", "-id3v2_version", "0", str(one)],
        check=True,
    )  # fmt: skip
    frames = one.read_bytes()
    big = folder / "big.mp3"
    repeats = 200_000_000 // len(frames)
    with big.open("wb") as f:
        for _ in range(repeats):
            f.write(frames)
    return big, read_audio(one).duration * repeats


def big_m4a(folder: Path) -> tuple[Path, float]:
    """About 180 MB of fragmented M4A (one real encode, looped by copying its packets)."""
    one = folder / "one.m4a"
    subprocess.run(
        [FFMPEG, "-v", "error", "-f", "lavfi", "-i", "anoisesrc=d=20:r=48000:a=0.3", "-ac", "2",
         "-c:a", "aac", "-b:a", "320k", str(one)],
        check=True,
    )  # fmt: skip
    big = folder / "big.m4a"
    subprocess.run(
        [FFMPEG, "-v", "error", "-stream_loop", "300", "-i", str(one), "-c", "copy",
         "-movflags", "frag_keyframe+empty_moov", str(big)],
        check=True,
    )  # fmt: skip
    return big, read_audio(one).duration * 301


@pytest.mark.parametrize("make", [big_mp3, big_m4a])
def test_peak_memory_of_a_big_file_stays_flat(
    tmp_path: Path, make: Callable[[Path], tuple[Path, float]]
) -> None:
    """A subprocess reads the file and reports its own peak RSS.

    The peak is the kernel's high-water mark of the child's own memory (``VmHWM``), not
    ``ru_maxrss``: Linux carries the parent's figure over a fork and exec into ``ru_maxrss``,
    so a child of a big pytest process reports at least the parent's size.
    """
    big, duration = make(tmp_path)
    size = big.stat().st_size
    script = textwrap.dedent(
        f"""
        import json, re, sys
        from pathlib import Path
        from publisher.audio.reader import read_audio
        info = read_audio(Path({str(big)!r}))
        status = Path("/proc/self/status").read_text()
        peak = int(re.search(r"VmHWM:\\s+(\\d+) kB", status).group(1)) * 1024
        json.dump({{"duration": info.duration, "peak": peak}}, sys.stdout)
        """
    )
    child = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert child.returncode == 0, child.stderr
    result = json.loads(child.stdout)
    assert result["duration"] == pytest.approx(duration, abs=0.5)
    assert result["peak"] < 100_000_000 < size, result
