"""Large, valid MP3 files made fast: a few seconds encoded once by ffmpeg, its frames repeated.

A CBR MP3 stream without tags or a Xing frame is a plain run of frames, so repeating it is
still a valid MP3 (every frame stands alone); a different tone makes each file's bytes (and
so its SHA-256) differ.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import imageio_ffmpeg


def large_mp3(path: Path, mib: int, frequency: int = 440) -> Path:
    """Write an MP3 of about ``mib`` MiB (a whole number of frames) to ``path``."""
    seed = path.with_suffix(".seed.mp3")
    subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi",
         "-i", f"sine=frequency={frequency}:sample_rate=44100:duration=20",
         "-ac", "1", "-c:a", "libmp3lame", "-b:a", "320k", "-write_xing", "0",
         "-id3v2_version", "0", "-write_id3v1", "0", str(seed)],
        check=True,
    )  # fmt: skip
    frames = seed.read_bytes()
    seed.unlink()
    with path.open("wb") as out:
        for _ in range(max(1, (mib << 20) // len(frames))):
            out.write(frames)
    return path
