"""MP3 files joined end to end at the same sample rate (issue 12, item 1).

Two encodes ``cat``-ed together play as one stream, but the first part's Xing/Info header
(which players trust) describes the first part only, and browsers estimate yet another length.
Every way to tell the join is covered: a second info frame (Xing, Info or VBRI, with or without
a LAME tag), a tag between the parts (the second part's ID3v2, the first part's ID3v1 or APE
tag), or the first header counting fewer frames than are present. The time named is the first
part's length as ffmpeg decodes it (less the encoder delay and padding its LAME tag states).
Single files of every kind must not be refused.
"""

from __future__ import annotations

import itertools
import re
import subprocess
from collections.abc import Callable
from functools import cache
from pathlib import Path

import imageio_ffmpeg
import pytest
from mutagen.apev2 import APEv2

from publisher.audio import mp3frames
from publisher.audio.reader import read_audio
from publisher.audio.window import FileBuffer
from publisher.errors import AudioError
from tests.support.paths import TESTS

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()
DATA = TESTS / "data" / "audio"
HINT = "(re-export it as one file)"
# Encodings of a part: VBR with a Xing header (and LAME tag), CBR with an Info header, and
# both without any header; each with or without a leading ID3v2 tag.
KINDS = {
    "vbr": "-c:a libmp3lame -q:a 5",
    "cbr": "-c:a libmp3lame -b:a 48k",
    "vbr_bare": "-c:a libmp3lame -q:a 5 -write_xing 0",
    "cbr_bare": "-c:a libmp3lame -b:a 48k -write_xing 0",
}


def ffmpeg(*args: str) -> None:
    subprocess.run([FFMPEG, "-v", "error", "-y", *args], check=True)


@cache
def decoded_seconds(path: Path) -> float:
    cmd = [FFMPEG, "-hide_banner", "-i", str(path), "-f", "null", "-"]
    err = subprocess.run(cmd, capture_output=True, text=True, check=True).stderr
    h, m, s = re.findall(r"time=(\d+):(\d+):([\d.]+)", err)[-1]
    return int(h) * 3600 + int(m) * 60 + float(s)


def joined_at(path: Path) -> float:
    """The time the error names (and checks the rest of the line)."""
    with pytest.raises(AudioError) as caught:
        read_audio(path)
    text = str(caught.value)
    found = re.fullmatch(rf"{re.escape(str(path))}: audio file joins two MP3 encodes at "
                         rf"(\d+\.\d) s {re.escape(HINT)}", text)  # fmt: skip
    assert found, text
    return float(found.group(1))


@pytest.fixture(scope="module")
def part(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str, float, bool], Path]:
    """``part(kind, seconds, id3)``: noise encoded once per module (mono, 22,050 Hz)."""
    folder = tmp_path_factory.mktemp("parts")

    @cache
    def make(kind: str, seconds: float, id3: bool) -> Path:
        path = folder / f"{kind}_{seconds}_{id3}.mp3"
        noise = f"anoisesrc=d={seconds}:c=pink:r=22050:a=0.4:s={int(seconds * 10)}"
        tags = [] if id3 else ["-id3v2_version", "0"]
        ffmpeg("-f", "lavfi", "-i", noise, "-ac", "1", *KINDS[kind].split(), *tags, str(path))
        return path

    return make


def test_the_reported_case_10_s_vbr_then_30_s(tmp_path: Path) -> None:
    parts = []
    for seconds, seed in ((10, 1), (30, 2)):
        path = tmp_path / f"{seconds}.mp3"
        noise = f"anoisesrc=d={seconds}:c=pink:r=44100:a=0.3:s={seed}"
        ffmpeg("-f", "lavfi", "-i", noise, "-c:a", "libmp3lame", "-q:a", "4", str(path))
        parts.append(path.read_bytes())
    path = tmp_path / "joined.mp3"
    path.write_bytes(parts[0] + parts[1])
    assert joined_at(path) == 10.0
    assert read_audio(tmp_path / "10.mp3").duration == pytest.approx(10.0)


@pytest.mark.parametrize(
    ("first", "second", "id3"),
    [
        (a, b, id3)
        for a, b in itertools.product(KINDS, KINDS)
        for id3 in (True, False)
        if not (a.endswith("_bare") and b.endswith("_bare") and not id3)
    ],
)
def test_every_join_of_two_encodes_is_refused(
    part: Callable[[str, float, bool], Path], tmp_path: Path, first: str, second: str, id3: bool
) -> None:
    one, two = part(first, 2.0, True), part(second, 3.0, id3)
    path = tmp_path / "joined.mp3"
    path.write_bytes(one.read_bytes() + two.read_bytes())
    expected = 2.0 if not first.endswith("_bare") else decoded_seconds(one)
    assert joined_at(path) == pytest.approx(expected, abs=0.06)


def test_two_bare_encodes_without_tags_are_one_stream(
    part: Callable[[str, float, bool], Path], tmp_path: Path
) -> None:
    """Nothing in the bytes marks this join: any reader sees one stream, measured whole."""
    path = tmp_path / "joined.mp3"
    one, two = part("vbr_bare", 2.0, False), part("cbr_bare", 3.0, False)
    path.write_bytes(one.read_bytes() + two.read_bytes())
    assert read_audio(path).duration == pytest.approx(decoded_seconds(path), abs=0.1)


@pytest.mark.parametrize("tail", ["id3v1", "ape", "lyrics3"])
@pytest.mark.parametrize("first", ["vbr", "vbr_bare"])
def test_a_first_file_with_a_trailing_tag(
    part: Callable[[str, float, bool], Path], tmp_path: Path, tail: str, first: str
) -> None:
    """The first file's trailing tag lies between the parts; the second has no header."""
    one = tmp_path / "one.mp3"
    one.write_bytes(part(first, 2.0, False).read_bytes())
    if tail == "ape":
        ape = APEv2()
        ape["Title"] = "first"
        ape.save(one)
    elif tail == "id3v1":
        with one.open("ab") as f:
            f.write(b"TAG" + b"first".ljust(30) + bytes(95))
    else:
        with one.open("ab") as f:
            f.write(b"LYRICSBEGIN" + b"IND0000210" + b"000021LYRICS200")
    path = tmp_path / "joined.mp3"
    path.write_bytes(one.read_bytes() + part("cbr_bare", 3.0, False).read_bytes())
    expected = 2.0 if first == "vbr" else decoded_seconds(part(first, 2.0, False))
    assert joined_at(path) == pytest.approx(expected, abs=0.06)
    assert read_audio(one).duration == pytest.approx(expected, abs=0.06)


def vbri(xing_part: bytes) -> bytes:
    """The part with its Xing frame made into a Fraunhofer VBRI frame (no tool writes one)."""
    start = mp3frames.first_frame(xing_part)
    scan = mp3frames.scan(xing_part)
    assert start is not None and scan is not None and scan.info is not None
    frame = mp3frames.decode_header(int.from_bytes(xing_part[start : start + 4], "big"))
    assert frame is not None
    body = bytearray(frame.length)
    body[:4] = xing_part[start : start + 4]
    stream = scan.audio_end - start
    body[36:54] = b"VBRI" + bytes([0, 1, 0, 0, 0, 50]) + stream.to_bytes(4, "big")
    body[50:54] = scan.frames.to_bytes(4, "big")
    return xing_part[:start] + bytes(body) + xing_part[start + frame.length :]


@pytest.mark.parametrize("first", ["vbr", "cbr_bare"])
def test_a_second_part_with_a_vbri_header(
    part: Callable[[str, float, bool], Path], tmp_path: Path, first: str
) -> None:
    two = vbri(part("vbr", 3.0, False).read_bytes())
    single = tmp_path / "vbri.mp3"
    single.write_bytes(two)
    assert read_audio(single).duration == pytest.approx(decoded_seconds(single), abs=0.1)
    path = tmp_path / "joined.mp3"
    path.write_bytes(part(first, 2.0, False).read_bytes() + two)
    expected = 2.0 if first == "vbr" else decoded_seconds(part(first, 2.0, False))
    assert joined_at(path) == pytest.approx(expected, abs=0.06)


@pytest.mark.parametrize("window", [100, 777, 4096])
def test_joins_are_found_across_window_boundaries(
    part: Callable[[str, float, bool], Path], tmp_path: Path, window: int
) -> None:
    data = part("cbr", 2.0, False).read_bytes() + part("vbr", 3.0, False).read_bytes()
    path = tmp_path / "joined.mp3"
    path.write_bytes(data)
    for shift in range(0, 70, 7):  # the second info frame at every place in a window
        shifted = bytes(shift) + data
        path.write_bytes(shifted)
        with path.open("rb") as f:
            scan = mp3frames.scan(FileBuffer(f, len(shifted), window=window))
        assert scan == mp3frames.scan(shifted)
        assert scan is not None and scan.joined_at == pytest.approx(2.0)


@pytest.mark.parametrize("id3", [True, False])
@pytest.mark.parametrize("kind", list(KINDS))
def test_single_files_are_not_refused(
    part: Callable[[str, float, bool], Path], tmp_path: Path, kind: str, id3: bool
) -> None:
    """Each kind alone, and with ID3v1 and APE tags at the end: one stream, its true length."""
    path = tmp_path / "single.mp3"
    path.write_bytes(part(kind, 5.0, id3).read_bytes())
    ape = APEv2()
    ape["Title"] = "single"
    for _ in range(2):
        assert read_audio(path).duration == pytest.approx(decoded_seconds(path), abs=0.1)
        ape.save(path)
        with path.open("ab") as f:
            f.write(b"TAG" + b"single".ljust(30) + bytes(95))


@pytest.mark.parametrize("name", sorted(p.name for p in DATA.glob("*.mp3")))
def test_the_fixtures_are_not_refused(name: str) -> None:
    assert read_audio(DATA / name).duration == pytest.approx(decoded_seconds(DATA / name), abs=0.1)
