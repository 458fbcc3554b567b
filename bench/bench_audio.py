"""Benchmark publisher.audio.reader.read_audio on long episodes (prints figures; asserts nothing).

Generates, in a temporary folder, a long ~128 kbit/s VBR MP3 *without* a Xing header (the
case where headers cannot give the length and every frame has to be walked) and an AAC M4A
of the same length, then prints for each, side by side:

* ``read_audio``: our time and duration;
* mutagen alone (``mutagen.File(...).info.length``): its time, duration and error;
* ffmpeg decoding the whole file to null (``ffmpeg -i f -f null -``), the ground truth.

Run from the repository root (generation takes a minute or two)::

    .venv/bin/python bench/bench_audio.py [--minutes 60] [--keep DIR]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import imageio_ffmpeg
import mutagen

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from publisher.audio.reader import read_audio  # noqa: E402

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()
T = TypeVar("T")


def generate(folder: Path, minutes: float) -> list[Path]:
    seconds = minutes * 60
    # Two seconds of silence, then stereo pink noise whose loudness drifts: VBR frames vary
    # widely and the first frame's bitrate says nothing about the average.
    noise = f"anoisesrc=d={seconds}:c=pink:r=44100:a=0.5"
    source = (
        f"{noise}:s=1[l];{noise}:s=2[r];[l][r]join=inputs=2:channel_layout=stereo,"
        "volume='if(lt(t,2),0,0.15+0.85*abs(sin(t/9)))':eval=frame[out0]"
    )
    mp3, m4a = folder / "long_vbr_noxing.mp3", folder / "long.m4a"
    common = [FFMPEG, "-v", "error", "-y", "-f", "lavfi", "-i", source]
    for out, codec in (
        (mp3, ["-c:a", "libmp3lame", "-abr", "1", "-b:a", "128k", "-write_xing", "0"]),
        (m4a, ["-c:a", "aac", "-b:a", "128k"]),
    ):
        started = time.perf_counter()
        subprocess.run([*common, *codec, str(out)], check=True)
        print(f"generated {out.name}: {out.stat().st_size / 1e6:.1f} MB "
              f"in {time.perf_counter() - started:.0f} s")  # fmt: skip
    return [mp3, m4a]


def timed(fn: Callable[[], T], repeat: int = 3) -> tuple[float, T]:
    """Best wall time of ``repeat`` runs, and the result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    assert result is not None
    return best, result


def ffmpeg_decode(path: Path) -> float:
    cmd = [FFMPEG, "-hide_banner", "-i", str(path), "-f", "null", "-"]
    err = subprocess.run(cmd, capture_output=True, text=True, check=True).stderr
    h, m, s = re.findall(r"time=(\d+):(\d+):([\d.]+)", err)[-1]
    return int(h) * 3600 + int(m) * 60 + float(s)


def bench(path: Path) -> None:
    ours_t, info = timed(lambda: read_audio(path))
    mut_t, mut_len = timed(lambda: float(mutagen.File(path).info.length))
    ff_t, true = timed(lambda: ffmpeg_decode(path), repeat=1)
    size = path.stat().st_size / 1e6
    print(f"\n{path.name} ({size:.1f} MB, {info.mime_type})")
    print(f"  {'method':<24}{'time':>10}{'duration':>14}{'error':>12}")
    rows = [
        ("publisher read_audio", ours_t, info.duration),
        ("mutagen alone", mut_t, mut_len),
        ("ffmpeg decode to null", ff_t, true),
    ]
    for name, t, d in rows:
        print(f"  {name:<24}{t * 1000:>8.0f} ms{d:>12.2f} s{d - true:>+10.2f} s")
    print(f"  itunes:duration {info.seconds} s; allowed error max(1 s, 1 %) = "
          f"{max(1.0, 0.01 * true):.1f} s")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--keep", type=Path, help="generate into (and keep) this folder")
    args = parser.parse_args()
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        for path in generate(args.keep, args.minutes):
            bench(path)
        return
    with tempfile.TemporaryDirectory() as tmp:
        for path in generate(Path(tmp), args.minutes):
            bench(path)


if __name__ == "__main__":
    main()
