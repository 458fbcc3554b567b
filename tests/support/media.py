"""Tiny real media for the import tests: audio encoded with ffmpeg, artwork drawn with Pillow."""

from __future__ import annotations

import io
import subprocess
from dataclasses import dataclass
from pathlib import Path

import imageio_ffmpeg
from PIL import Image


@dataclass(frozen=True)
class Media:
    mp3: bytes  # 2 s, mono, 22,050 Hz
    mp3_long: bytes  # 3 s: a second size, so lengths can be told apart
    m4a: bytes  # 2 s AAC in MP4
    joined: bytes  # two MP3 encodes joined (22,050 Hz then 44,100 Hz): check refuses it
    art: bytes  # 1400 x 1400 RGB JPEG (C-03)
    art_png: bytes  # 1400 x 1400 RGB PNG
    small_art: bytes  # 300 x 300 JPEG: breaks C-03


def _ffmpeg(folder: Path, name: str, seconds: int, options: str) -> bytes:
    out = folder / name
    subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i",
         f"sine=f=440:d={seconds}:sample_rate=22050", *options.split(), str(out)],
        check=True,
    )  # fmt: skip
    return out.read_bytes()


def _image(size: int, fmt: str, colour: str) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (size, size), colour).save(buf, fmt)
    return buf.getvalue()


def make_media(folder: Path) -> Media:
    mp3 = _ffmpeg(folder, "a.mp3", 2, "-ac 1 -c:a libmp3lame -b:a 32k")
    stereo = _ffmpeg(folder, "b.mp3", 1, "-ac 2 -ar 44100 -c:a libmp3lame -b:a 64k")
    return Media(
        mp3=mp3,
        mp3_long=_ffmpeg(folder, "c.mp3", 3, "-ac 1 -c:a libmp3lame -b:a 32k"),
        m4a=_ffmpeg(folder, "d.m4a", 2, "-ac 1 -c:a aac -b:a 32k"),
        joined=mp3 + stereo,
        art=_image(1400, "JPEG", "navy"),
        art_png=_image(1400, "PNG", "teal"),
        small_art=_image(300, "JPEG", "red"),
    )
