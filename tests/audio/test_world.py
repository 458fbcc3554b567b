"""publisher.audio.reader against real-world shapes the checked-in fixtures do not cover.

Every file here is made at test time with the ffmpeg binary (and mutagen, or by hand where
no tool writes the shape) into a session-wide temporary folder: a few seconds of audio each,
at a low bitrate. A file's true length is what ffmpeg decodes from it (the last ``time=`` of a
decode to null); ``itunes:duration`` is the rounded duration and must be within
max(1 s, 1 %) of that, and the measurement itself within 0.1 s (0.2 s for AAC, where the
encoder's priming samples are counted by the index but trimmed by the decoder).

Decisions taken for ambiguous shapes (each has a test below):

* two encodes joined with ``cat`` at different sample rates: refused, one line naming the
  point and the two rates; at the same sample rate, refused too, naming the point (every
  kind of such join is in ``test_joined.py``);
* MP3 wrapped in a WAV (RIFF) file: refused as not being an MP3 file;
* ALAC in an M4A: refused (the issue accepts AAC only), with the existing message;
* a fragmented M4A (streaming/CMAF export): accepted, its length summed over the fragments;
* a QuickTime-branded file with AAC named .m4a: accepted;
* an M4A's comment falls back to Apple's ``desc``/``ldes`` description tags.
"""

from __future__ import annotations

import os
import random
import re
import struct
import subprocess
from collections.abc import Callable
from functools import cache
from pathlib import Path

import imageio_ffmpeg
import pytest
from mutagen.apev2 import APEv2
from mutagen.id3 import COMM, ID3, TIT2, TPE1
from mutagen.id3._util import unsynch
from mutagen.mp4 import MP4, MP4Cover

from publisher.audio import mp3frames, mp3tags
from publisher.audio.reader import read_audio
from publisher.errors import AudioError
from publisher.model import Chapter

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()
ACCEPTED_HINT = "(accepted: MP3 (.mp3, audio/mpeg) or M4A/AAC (.m4a, audio/x-m4a))"
# 3 s of two tones that change pitch, so the encoders have something to do.
TONE = (
    "aevalsrc='0.5*sin(2*PI*(300+100*floor(2*t))*t)"
    "|0.4*sin(2*PI*(500+50*floor(3*t))*t)':s=44100:d=3"
)
# 1 s of silence, then loud noise: VBR frames from the lowest to a high bitrate.
SILENCE_THEN_NOISE = "aevalsrc='if(lt(t,1),0,0.8*(random(0)*2-1))|0.3*random(1)':s=44100:d=3"


def ffmpeg(*args: str) -> None:
    subprocess.run([FFMPEG, "-v", "error", "-y", *args], check=True)


@cache
def decoded_seconds(path: Path) -> float:
    cmd = [FFMPEG, "-hide_banner", "-i", str(path), "-map", "0:a:0", "-f", "null", "-"]
    err = subprocess.run(cmd, capture_output=True, text=True, check=True).stderr
    h, m, s = re.findall(r"time=(\d+):(\d+):([\d.]+)", err)[-1]
    return int(h) * 3600 + int(m) * 60 + float(s)


def assert_true_length(path: Path, close: float = 0.1) -> None:
    info = read_audio(path)
    true = decoded_seconds(path)
    assert abs(info.seconds - true) <= max(1.0, 0.01 * true)
    assert abs(info.duration - true) <= close, (info.duration, true)


def error_of(path: Path) -> str:
    with pytest.raises(AudioError) as caught:
        read_audio(path)
    assert caught.value.path == path
    return str(caught.value)


def syncsafe(n: int) -> bytes:
    return bytes([(n >> 21) & 127, (n >> 14) & 127, (n >> 7) & 127, n & 127])


@pytest.fixture(scope="session")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("world")


@pytest.fixture(scope="session")
def encode(folder: Path) -> Callable[[str, str], Path]:
    """``encode(name, ffmpeg output options)``: the tone encoded once per session."""

    @cache
    def make(name: str, options: str) -> Path:
        path = folder / name
        source = SILENCE_THEN_NOISE if "-q:a" in options else TONE
        ffmpeg("-f", "lavfi", "-i", source, *options.split(), str(path))
        return path

    return make


@pytest.fixture(scope="session")
def plain(encode: Callable[[str, str], Path]) -> bytes:
    """MPEG-2 mono CBR with an Info frame and no tags at all."""
    path = encode("plain.mp3", "-ac 1 -ar 22050 -c:a libmp3lame -b:a 32k -id3v2_version 0")
    return path.read_bytes()


@pytest.fixture
def put(folder: Path, request: pytest.FixtureRequest) -> Callable[[str, bytes], Path]:
    def write(name: str, data: bytes) -> Path:
        sub = folder / re.sub(r"\W", "_", request.node.name)
        sub.mkdir(exist_ok=True)
        path = sub / name
        path.write_bytes(data)
        return path

    return write


# --- MP3 stream shapes ------------------------------------------------------------------


@pytest.mark.parametrize(
    "options",
    [
        "-ac 1 -ar 22050 -b:a 32k",  # MPEG-2
        "-ac 2 -ar 16000 -b:a 24k",  # MPEG-2, stereo
        "-ac 1 -ar 11025 -b:a 16k",  # MPEG-2.5
        "-ac 1 -ar 8000 -b:a 8k",  # MPEG-2.5, the lowest there is
        "-ac 1 -ar 8000 -b:a 8k -write_xing 0",
        "-ac 2 -ar 44100 -b:a 64k -joint_stereo 1",
        "-ac 2 -ar 44100 -b:a 64k -joint_stereo 0",
        "-ac 2 -ar 48000 -b:a 320k",
        "-ac 2 -ar 44100 -q:a 9",
        "-ac 2 -ar 44100 -q:a 0",
        "-ac 2 -ar 44100 -q:a 9 -write_xing 0",
        "-ac 2 -ar 44100 -q:a 0 -write_xing 0",
        "-ac 1 -ar 11025 -q:a 5 -write_xing 0",
        "-ac 2 -ar 44100 -b:a 96k -abr 1",
    ],
)
def test_mp3_encodings(encode: Callable[[str, str], Path], options: str) -> None:
    name = re.sub(r"\W+", "_", options) + ".mp3"
    assert_true_length(encode(name, f"{options} -c:a libmp3lame"))


def test_ten_minutes_at_8_kbps_does_not_drift(folder: Path) -> None:
    path = folder / "long.mp3"
    ffmpeg("-f", "lavfi", "-i", "sine=f=300:d=600:sample_rate=8000", "-ac", "1", "-c:a", "libmp3lame",
           "-b:a", "8k", "-write_xing", "0", str(path))  # fmt: skip
    assert_true_length(path)


def test_leading_zero_fill_of_any_length(plain: bytes, put: Callable[[str, bytes], Path]) -> None:
    for fill in (1_000, 300_000):
        assert read_audio(put(f"zero{fill}.mp3", bytes(fill) + plain)).duration == pytest.approx(
            read_audio(put("plain.mp3", plain)).duration, abs=0.1
        )
    # Zero fill after an ID3 tag, past the padding the tag declares.
    tag = ID3()
    tag.add(TIT2(encoding=3, text=["Padded"]))
    path = put("tagged.mp3", plain)
    tag.save(path)
    data = path.read_bytes()
    end = mp3tags.id3v2_end(data)
    path = put("tagged_zero.mp3", data[:end] + bytes(300_000) + data[end:])
    info = read_audio(path)
    assert info.title == "Padded"
    assert abs(info.duration - decoded_seconds(path)) <= 0.1


def test_leading_junk_before_the_first_frame(
    plain: bytes, put: Callable[[str, bytes], Path]
) -> None:
    assert_true_length(put("junk.mp3", b"<html>oops</html>\n" * 50 + plain))


def test_trailing_junk_zeros_and_erased_card_fill(
    plain: bytes, put: Callable[[str, bytes], Path]
) -> None:
    for name, tail in [("r", os.urandom(3000)), ("z", bytes(3000)), ("f", b"\xff" * 300_000)]:
        assert read_audio(put(f"{name}.mp3", plain + tail)).duration == pytest.approx(
            read_audio(put("plain.mp3", plain)).duration
        )


def test_id3_tag_claiming_a_wrong_size(plain: bytes, put: Callable[[str, bytes], Path]) -> None:
    path = put("tagged.mp3", plain)
    tag = ID3()
    tag.add(TIT2(encoding=3, text=["Sized"]))
    tag.save(path, v2_version=3, padding=lambda info: 0)
    data = path.read_bytes()
    size = mp3tags.id3v2_end(data) - 10
    for delta in (-5, 5, 300):
        wrong = data[:6] + syncsafe(size + delta) + data[10:]
        assert_true_length(put(f"d{delta}.mp3", wrong))


def test_two_encodes_at_different_sample_rates_are_refused(
    plain: bytes, encode: Callable[[str, str], Path], put: Callable[[str, bytes], Path]
) -> None:
    stereo = encode("st44.mp3", "-ac 2 -ar 44100 -c:a libmp3lame -b:a 64k").read_bytes()
    path = put("joined.mp3", plain + stereo)
    msg = "audio file joins two different MP3 streams at 3.0 s: 22,050 Hz, then 44,100 Hz"
    assert error_of(path) == f"{path}: {msg} (re-export it as one file)"
    # The same encode joined to itself: its second Info frame marks the join.
    path = put("twice.mp3", plain + plain)
    msg = "audio file joins two MP3 encodes at 3.0 s"
    assert error_of(path) == f"{path}: {msg} (re-export it as one file)"


def test_mp3_inside_a_wav_file_is_refused(plain: bytes, put: Callable[[str, bytes], Path]) -> None:
    fmt = struct.pack("<HHIIHHHHIHHH", 0x55, 1, 22050, 4000, 1, 0, 12, 1, 2, 0, 1, 0)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
    body += b"data" + struct.pack("<I", len(plain)) + plain
    path = put("wav.mp3", b"RIFF" + struct.pack("<I", len(body)) + body)
    msg = "unsupported audio format: MP3 audio in a WAV (RIFF) file, although named .mp3"
    assert error_of(path) == f"{path}: {msg} {ACCEPTED_HINT}"


def test_info_frame_without_audio_is_truncated(
    plain: bytes, put: Callable[[str, bytes], Path]
) -> None:
    scan = mp3frames.scan(plain)
    assert scan is not None and scan.info is not None
    first = mp3frames.decode_header(int.from_bytes(plain[:4], "big"))
    assert first is not None
    path = put("x.mp3", plain[: first.length])
    assert "audio file is truncated" in error_of(path)


def test_symlink_and_directory(plain: bytes, put: Callable[[str, bytes], Path]) -> None:
    target = put("real.mp3", plain)
    link = target.with_name("link.mp3")
    link.symlink_to(target)
    assert read_audio(link).duration == read_audio(target).duration
    folder = target.with_name("folder.mp3")
    folder.mkdir()
    assert error_of(folder).startswith(f"{folder}: cannot read audio file: ")


# --- tags around the MP3 stream ---------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n" + bytes(40)
JPEG = b"\xff\xd8\xff\xe0" + b"\xff\x00\xff\xe1" * 20 + b"\xff\xd9"


def v22_frame(fid: bytes, body: bytes) -> bytes:
    return fid + len(body).to_bytes(3, "big") + body


def v23_frame(fid: bytes, body: bytes) -> bytes:
    return fid + len(body).to_bytes(4, "big") + b"\x00\x00" + body


def test_id3v22_tag(plain: bytes, put: Callable[[str, bytes], Path]) -> None:
    body = (
        v22_frame(b"TT2", b"\x00Title 2.2\x00")
        + v22_frame(b"TP1", b"\x00Artist 2.2")
        + v22_frame(b"COM", b"\x00eng\x00Comment 2.2")
        + v22_frame(b"PIC", b"\x00PNG\x03\x00" + PNG)
        + bytes(64)
    )
    path = put("v22.mp3", b"ID3\x02\x00\x00" + syncsafe(len(body)) + body + plain)
    info = read_audio(path)
    assert (info.title, info.artist, info.comment) == ("Title 2.2", "Artist 2.2", "Comment 2.2")
    assert info.artwork is not None and info.artwork.mime == "image/png"
    assert_true_length(path)


def test_id3v23_unsynchronised_with_a_picture(
    plain: bytes, put: Callable[[str, bytes], Path]
) -> None:
    raw = v23_frame(b"TIT2", b"\x00Unsync") + v23_frame(
        b"APIC", b"\x00image/jpeg\x00\x03\x00" + JPEG
    )
    body = unsynch.encode(raw)
    assert body != raw
    path = put("unsync.mp3", b"ID3\x03\x00\x80" + syncsafe(len(body)) + body + plain)
    info = read_audio(path)
    assert info.title == "Unsync"
    assert info.artwork is not None and info.artwork.data == JPEG
    assert_true_length(path)


def test_id3_extended_headers(plain: bytes, put: Callable[[str, bytes], Path]) -> None:
    ext = (6).to_bytes(4, "big") + bytes(6)
    body = ext + v23_frame(b"TIT2", b"\x00Ext 2.3") + bytes(20)
    path = put("v23.mp3", b"ID3\x03\x00\x40" + syncsafe(len(body)) + body + plain)
    assert read_audio(path).title == "Ext 2.3"
    assert_true_length(path)
    frame = b"TIT2" + syncsafe(9) + b"\x00\x00" + b"\x03Ext 2.4"
    body = syncsafe(6) + b"\x01\x00" + frame + bytes(20)
    path = put("v24.mp3", b"ID3\x04\x00\x40" + syncsafe(len(body)) + body + plain)
    assert read_audio(path).title == "Ext 2.4"


def test_id3v24_footer(plain: bytes, put: Callable[[str, bytes], Path]) -> None:
    body = b"TIT2" + syncsafe(7) + b"\x00\x00" + b"\x03Footer"
    head = b"ID3\x04\x00\x10" + syncsafe(len(body))
    path = put("footer.mp3", head + body + b"3DI" + head[3:] + plain)
    assert read_audio(path).title == "Footer"
    assert_true_length(path)


ID3V1 = (
    b"TAG"
    + b"V1 title".ljust(30, b"\0")
    + b"V1 artist".ljust(30, b"\0")
    + bytes(30)
    + b"2020"
    + b"V1 comment".ljust(30, b"\0")
    + b"\x0c"
)
LYRICS = b"LYRICSBEGIN" + b"IND00003110" + b"LYR00005hello"
LYRICS3V2 = LYRICS + str(len(LYRICS)).zfill(6).encode() + b"LYRICS200"


def test_id3v1_only(plain: bytes, put: Callable[[str, bytes], Path]) -> None:
    info = read_audio(put("v1.mp3", plain + ID3V1))
    assert (info.title, info.artist, info.comment) == ("V1 title", "V1 artist", "V1 comment")
    assert info.duration == read_audio(put("plain.mp3", plain)).duration


@pytest.mark.parametrize("order", ["ape-lyrics", "lyrics-ape", "lyrics3v1"])
def test_trailing_ape_lyrics3_and_id3v1(
    plain: bytes, put: Callable[[str, bytes], Path], order: str
) -> None:
    with_ape = put("ape.mp3", plain)
    ape = APEv2()
    ape["Title"] = "APE title"
    ape.save(with_ape)
    ape_tag = with_ape.read_bytes()[len(plain) :]
    tails = {
        "ape-lyrics": ape_tag + LYRICS3V2,
        "lyrics-ape": LYRICS3V2 + ape_tag,
        "lyrics3v1": b"LYRICSBEGINsome lyrics\r\nLYRICSEND",
    }
    path = put("x.mp3", plain + tails[order] + ID3V1)
    assert read_audio(path).duration == read_audio(put("plain.mp3", plain)).duration
    assert read_audio(path).title == "V1 title"


def test_unicode_and_hostile_text_stays_plain(
    plain: bytes, put: Callable[[str, bytes], Path]
) -> None:
    path = put("x.mp3", plain)
    tags = ID3()
    tags.add(TIT2(encoding=1, text=["🎙️ <script>alert(1)</script> & ü"]))
    tags.add(TPE1(encoding=3, text=["Ä"]))
    tags.add(COMM(encoding=1, lang="eng", desc="iTunNORM", text=[" 00000A"]))
    tags.add(COMM(encoding=3, lang="eng", desc="", text=["<b>real</b>"]))
    tags.save(path, v2_version=3)
    info = read_audio(path)
    assert (info.title, info.artist, info.comment) == (
        "🎙️ <script>alert(1)</script> & ü",
        "Ä",
        "<b>real</b>",
    )


# --- M4A ----------------------------------------------------------------------------------

AAC = "-ac 1 -ar 22050 -c:a aac -b:a 32k"


@pytest.mark.parametrize(
    "options",
    [
        f"{AAC} -f ipod",
        f"{AAC} -f ipod -movflags +faststart",
        f"{AAC} -f mp4",
        f"{AAC} -f mov",  # QuickTime brand, 'esds' inside a 'wave' box
        f"{AAC} -f mp4 -movflags frag_keyframe+empty_moov",
        f"{AAC} -f mp4 -movflags +dash+empty_moov+default_base_moof",
        "-ac 2 -ar 44100 -c:a aac -b:a 64k -f ipod",
    ],
)
def test_m4a_shapes(encode: Callable[[str, str], Path], options: str) -> None:
    path = encode(re.sub(r"\W+", "_", options) + ".m4a", options)
    info = read_audio(path)
    assert (info.mime_type, info.extension) == ("audio/x-m4a", "m4a")
    assert_true_length(path, close=0.2)


def test_m4a_with_two_audio_tracks_is_measured_by_the_first(folder: Path) -> None:
    path = folder / "two.m4a"
    ffmpeg("-f", "lavfi", "-i", TONE, "-f", "lavfi", "-i", "sine=d=1", "-map", "0:a",
           "-map", "1:a", *AAC.split(), "-f", "ipod", str(path))  # fmt: skip
    assert_true_length(path, close=0.2)


def test_alac_is_refused(encode: Callable[[str, str], Path]) -> None:
    path = encode("alac.m4a", "-ac 1 -ar 22050 -c:a alac -f ipod")
    msg = "unsupported audio format: Apple Lossless (ALAC) audio in an MP4 container"
    assert error_of(path) == f"{path}: {msg}, although named .m4a {ACCEPTED_HINT}"


@pytest.mark.parametrize("muxer", ["ipod", "mp4"])
def test_m4a_chapters_cover_and_tags(folder: Path, muxer: str) -> None:
    """ffmpeg writes QuickTime chapter tracks for ipod, and Nero 'chpl' chapters too for mp4."""
    meta = folder / "chapters.txt"
    meta.write_text(
        ";FFMETADATA1\ntitle=Meta title\n"
        "[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=1500\ntitle=Opening ü\n"
        "[CHAPTER]\nTIMEBASE=1/1000\nSTART=1500\nEND=3000\ntitle=Closing 🎙\n",
        encoding="utf-8",
    )
    cover = folder / f"cover_{muxer}.jpg"
    ffmpeg("-f", "lavfi", "-i", "color=c=red:s=16x16", "-frames:v", "1", str(cover))
    path = folder / f"chapters.{muxer}.m4a"
    ffmpeg("-f", "lavfi", "-i", TONE, "-i", str(cover), "-i", str(meta), "-map", "0:a",
           "-map", "1:v", "-map_chapters", "2", "-map_metadata", "2", "-c:v", "copy",
           "-disposition:v", "attached_pic", *AAC.split(), "-metadata", "artist=Art",
           "-f", muxer, str(path))  # fmt: skip
    renamed = path.with_name(f"{muxer}.m4a")
    path.rename(renamed)
    info = read_audio(renamed)
    assert (info.title, info.artist) == ("Meta title", "Art")
    assert info.chapters == (Chapter(0.0, "Opening ü"), Chapter(1.5, "Closing 🎙"))
    assert info.artwork is not None
    assert (info.artwork.mime, info.artwork.data) == ("image/jpeg", cover.read_bytes())
    assert_true_length(renamed, close=0.2)


def test_apple_style_tags(
    encode: Callable[[str, str], Path], put: Callable[[str, bytes], Path]
) -> None:
    path = put("apple.m4a", encode("apple_src.m4a", f"{AAC} -f ipod").read_bytes())
    tags = MP4(path)
    tags["\xa9nam"] = ["  🎙️ <script>x</script> "]
    tags["\xa9ART"] = ["Ä"]
    tags["desc"] = ["The description"]
    # Declared PNG but JPEG bytes: the bytes decide.
    tags["covr"] = [MP4Cover(JPEG, imageformat=MP4Cover.FORMAT_PNG)]
    tags.save()
    info = read_audio(path)
    assert (info.title, info.artist, info.comment) == (
        "🎙️ <script>x</script>",
        "Ä",
        "The description",
    )
    assert info.artwork is not None and info.artwork.mime == "image/jpeg"
    tags = MP4(path)
    tags["\xa9cmt"] = ["The comment"]
    tags.save()
    assert read_audio(path).comment == "The comment"


@pytest.mark.parametrize(
    "options",
    [
        f"{AAC} -f mov",
        f"{AAC} -f mp4 -movflags frag_keyframe+empty_moov",
        f"{AAC} -f mp4 -movflags +dash+empty_moov+default_base_moof",
        "-ac 1 -ar 8000 -c:a libmp3lame -b:a 8k",
    ],
)
def test_damaged_shapes_never_escape_as_a_traceback(
    encode: Callable[[str, str], Path], put: Callable[[str, bytes], Path], options: str
) -> None:
    suffix = ".mp3" if "mp3" in options else ".m4a"
    data = encode(re.sub(r"\W+", "_", options) + suffix, options).read_bytes()
    rng = random.Random(options)
    variants = [data[: len(data) * k // 17] for k in range(1, 17)]
    for _ in range(16):
        damaged = bytearray(data)
        for _ in range(8):
            damaged[rng.randrange(len(data))] = rng.randrange(256)
        variants.append(bytes(damaged))
    for i, variant in enumerate(variants):
        path = put(f"v{i}{suffix}", variant)
        try:
            read_audio(path)
        except AudioError as e:
            assert "\n" not in str(e)
