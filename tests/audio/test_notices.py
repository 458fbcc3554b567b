"""Warnings the audio reader gives about files it accepts (``AudioInfo.notices``).

A VBR MP3 without a Xing/VBRI header (issue 12, item 2): our measured length is right, but
players estimate one from the first frame's bitrate; ``check`` names the file, what players
will show (the figure mutagen, which estimates that way, gives) and how to fix it.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import imageio_ffmpeg
import pytest
from mutagen.mp3 import MP3

from publisher import build
from publisher.audio.reader import read_audio
from publisher.errors import display_path
from tests.support.paths import TESTS
from tests.support.show import FIXED_NOW, copy_show

DATA = TESTS / "data" / "audio"
FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()
HINT = "(re-export it with a VBR header; LAME and ffmpeg write a Xing header unless told not to)"


def clock(seconds: float) -> str:
    whole = round(seconds)
    h, m, s = whole // 3600, whole // 60 % 60, whole % 60
    return f"{h}:{m:02}:{s:02}" if h else f"{m}:{s:02}"


def vbr_warning(path: Path, shown: str, true: str) -> str:
    return (
        f"{display_path(path)}: warning: VBR MP3 without a Xing/VBRI header: players estimate its length "
        f"from the first frame's bitrate and will show {shown} instead of {true} {HINT}"
    )


def encode(path: Path, source: str, options: str) -> Path:
    cmd = [FFMPEG, "-v", "error", "-y", "-f", "lavfi", "-i", source, *options.split(), str(path)]
    subprocess.run(cmd, check=True)
    return path


def test_vbr_without_header_warns_with_what_players_show() -> None:
    path = DATA / "vbr_noxing.mp3"
    info = read_audio(path)
    players = MP3(path).info.length
    assert abs(players - info.duration) > 10  # the fixture's point: the estimate is far off
    assert [str(n) for n in info.notices] == [
        vbr_warning(path, clock(players), clock(info.duration))
    ]
    # A length measured before (the build cache) gives the same warning.
    assert read_audio(path, measured=info.duration).notices == info.notices


@pytest.mark.parametrize("minutes", [1, 61])
def test_the_figures_are_those_of_players(tmp_path: Path, minutes: int) -> None:
    """Silence first, then loud noise: the first frame's bitrate is the lowest there is."""
    seconds = minutes * 60
    source = f"aevalsrc='if(lt(t,2),0,0.8*(random(0)*2-1))':s=8000:d={seconds}"
    path = encode(tmp_path / "x.mp3", source, "-ac 1 -c:a libmp3lame -q:a 0 -write_xing 0")
    info = read_audio(path)
    (notice,) = info.notices
    shown = re.search(r"will show (\S+) instead of (\S+)", notice.message)
    assert shown is not None
    assert shown.group(1) == clock(MP3(path).info.length)
    assert shown.group(2) == clock(info.duration) == clock(seconds)


@pytest.mark.parametrize(
    "options",
    [
        "-c:a libmp3lame -q:a 2",  # VBR with its Xing header
        "-c:a libmp3lame -b:a 32k -write_xing 0",  # CBR without a header: the estimate is right
        "-c:a libmp3lame -b:a 32k",
    ],
)
def test_no_warning_where_players_get_it_right(tmp_path: Path, options: str) -> None:
    source = "aevalsrc='if(lt(t,1.5),0,0.8*(random(0)*2-1))':s=22050:d=20"
    path = encode(tmp_path / "x.mp3", source, f"-ac 1 {options}")
    assert read_audio(path).notices == ()


@pytest.mark.parametrize(
    "name", ["cbr.mp3", "tagged.mp3", "vbr_xing.mp3", "big_id3.mp3", "aac.m4a"]
)
def test_fixtures_without_warnings(name: str) -> None:
    assert read_audio(DATA / name).notices == ()


def test_check_passes_audio_warnings_on(tmp_path: Path) -> None:
    root = copy_show(tmp_path / "show")
    path = root / "episodes" / "2026-09-01-imaging-without-pain.mp3"
    path.write_bytes((DATA / "vbr_noxing.mp3").read_bytes())
    checked = build.check(root, now=FIXED_NOW, guid_mode="ignore")
    (warning,) = (n for n in checked.notices if "Xing/VBRI" in n.message)
    assert warning == read_audio(path).notices[0]
