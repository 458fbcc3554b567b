"""Tests for publisher.audio.reader (and publisher.audio.mp3frames) on tiny real files.

The fixtures are made by ``tests/data/make_audio.py``. A file's true length is what the
ffmpeg binary decodes from it; ``itunes:duration`` is ``round(duration)`` and must be within
max(1 s, 1 %) of that. Damaged files are derived from the fixtures in a temporary folder.
"""

from __future__ import annotations

import random
import re
import subprocess
from functools import cache
from pathlib import Path

import imageio_ffmpeg
import pytest
from mutagen.apev2 import APEv2
from mutagen.id3 import ID3
from mutagen.mp3 import MP3

from publisher.audio import mp3frames, mp3tags
from publisher.audio.reader import ACCEPTED, read_audio
from publisher.errors import AudioError
from publisher.model import Chapter
from tests.support.paths import TESTS

DATA = TESTS / "data" / "audio"
ACCEPTED_HINT = "(accepted: MP3 (.mp3, audio/mpeg) or M4A/AAC (.m4a, audio/x-m4a))"
REDO = "(re-export or re-upload the file)"


@cache
def decoded_seconds(path: Path) -> float:
    """The length the ffmpeg binary decodes (the last ``time=`` of a decode to null)."""
    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(path), "-f", "null", "-"]
    err = subprocess.run(cmd, capture_output=True, text=True, check=True).stderr
    h, m, s = re.findall(r"time=(\d+):(\d+):([\d.]+)", err)[-1]
    return int(h) * 3600 + int(m) * 60 + float(s)


def tolerance(seconds: float) -> float:
    return max(1.0, 0.01 * seconds)


@pytest.fixture
def show(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder with an ``episodes/`` folder; errors then name ``episodes/<file>``."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "episodes").mkdir()
    return tmp_path


def put(name: str, data: bytes) -> Path:
    path = Path("episodes") / name
    path.write_bytes(data)
    return path


def fixture_bytes(name: str) -> bytes:
    return (DATA / name).read_bytes()


def frame_offsets(data: bytes) -> list[int]:
    """Where each frame of an MP3 begins, walking headers from the first frame."""
    pos = mp3frames.first_frame(data)
    offsets = []
    while pos is not None and pos + 4 <= len(data):
        frame = mp3frames.decode_header(int.from_bytes(data[pos : pos + 4], "big"))
        if frame is None:
            break
        offsets.append(pos)
        pos += frame.length
    return offsets


def error_of(path: Path) -> str:
    with pytest.raises(AudioError) as info:
        read_audio(path)
    assert info.value.path == path
    return str(info.value)


# --- accepted files and their true length ------------------------------------------------


def test_accepted_types() -> None:
    assert ACCEPTED == {"mp3": "audio/mpeg", "m4a": "audio/x-m4a"}


@pytest.mark.parametrize(
    ("name", "mime"),
    [
        ("cbr.mp3", "audio/mpeg"),
        ("vbr_xing.mp3", "audio/mpeg"),
        ("vbr_noxing.mp3", "audio/mpeg"),
        ("big_id3.mp3", "audio/mpeg"),
        ("tagged.mp3", "audio/mpeg"),
        ("aac.m4a", "audio/x-m4a"),
        ("aac_faststart.m4a", "audio/x-m4a"),
    ],
)
def test_duration_is_the_decoded_length(name: str, mime: str) -> None:
    path = DATA / name
    info = read_audio(path)
    true = decoded_seconds(path)
    assert info.mime_type == mime
    assert info.extension == name.rsplit(".", 1)[1]
    assert info.size == path.stat().st_size
    assert info.source == path
    assert abs(info.seconds - true) <= tolerance(true)
    # Tighter than the feed needs: the measurement itself is right, not just the rounding.
    assert abs(info.duration - true) <= 0.1


def test_vbr_without_xing_fools_mutagen_but_not_us() -> None:
    path = DATA / "vbr_noxing.mp3"
    true = decoded_seconds(path)
    # Proves the fixture exercises the case: mutagen estimates from the first frame's bitrate.
    assert abs(MP3(path).info.length - true) > tolerance(true)
    assert abs(read_audio(path).duration - true) <= 0.1


def test_big_id3_fixture_has_a_big_v23_tag() -> None:
    data = fixture_bytes("big_id3.mp3")
    assert data[:4] == b"ID3\x03"
    assert mp3tags.id3v2_end(data) > 150_000
    assert len(read_audio(DATA / "big_id3.mp3").artwork.data) > 150_000  # type: ignore[union-attr]


def test_uppercase_extension_is_fine(show: Path) -> None:
    info = read_audio(put("LOUD.MP3", fixture_bytes("cbr.mp3")))
    assert (info.mime_type, info.extension) == ("audio/mpeg", "mp3")


def test_trailing_id3v1_and_ape_tags_are_not_audio(show: Path) -> None:
    path = put("tagged.mp3", fixture_bytes("cbr.mp3"))
    ape = APEv2()
    ape["Title"] = "ape"
    ape.save(path)
    with path.open("ab") as f:
        f.write(b"TAG" + b"ID3v1 title".ljust(30) + bytes(95))
    data = path.read_bytes()
    assert b"APETAGEX" in data[-200:] and data[-128:-125] == b"TAG"
    assert read_audio(path).duration == read_audio(DATA / "cbr.mp3").duration


def test_junk_between_frames_is_skipped(show: Path) -> None:
    data = fixture_bytes("cbr.mp3")
    scan = mp3frames.scan(data)
    assert scan is not None
    middle = scan.first_frame + 40 * 104  # 32 kbit/s at 22.05 kHz: 104/105-byte frames
    middle = data.index(b"\xff\xf3", middle)
    path = put("junk.mp3", data[:middle] + b"\x00junk\x00" * 20 + data[middle:])
    assert read_audio(path).duration == read_audio(DATA / "cbr.mp3").duration


# --- refused and damaged files: one exact line each ---------------------------------------


def test_empty(show: Path) -> None:
    path = put("x.mp3", b"")
    assert error_of(path) == f"episodes/x.mp3: audio file is empty: 0 bytes {REDO}"


def test_missing_file(show: Path) -> None:
    msg = "episodes/gone.mp3: cannot read audio file: No such file or directory"
    assert error_of(Path("episodes/gone.mp3")) == msg


def test_random_bytes(show: Path) -> None:
    path = put("x.mp3", random.Random(7).randbytes(20_000))
    msg = "unsupported audio format: unrecognised data, although named .mp3"
    assert error_of(path) == f"episodes/x.mp3: {msg} {ACCEPTED_HINT}"


@pytest.mark.parametrize(
    ("fixture", "name", "what"),
    [
        ("tone.wav", "x.wav", "WAV"),
        ("tone.flac", "x.flac", "FLAC"),
        ("tone.ogg", "x.ogg", "Ogg Vorbis"),
        ("tone.opus", "x.opus", "Opus (Ogg)"),
        ("tone.aac", "x.aac", "AAC in ADTS (.aac)"),
        ("video.mp4", "x.mp4", "MP4 video without audio"),
        ("tone.wav", "x.mp3", "WAV, although named .mp3"),
        ("tone.flac", "x.m4a", "FLAC, although named .m4a"),
        ("tone.mp2", "x.mp3", "MPEG Layer II audio (MP2), although named .mp3"),
        ("video.mp4", "x.m4a", "MP4 video without audio, although named .m4a"),
    ],
)
def test_refused_formats(show: Path, fixture: str, name: str, what: str) -> None:
    path = put(name, fixture_bytes(fixture))
    assert error_of(path) == f"episodes/{name}: unsupported audio format: {what} {ACCEPTED_HINT}"


def test_flac_behind_an_id3_tag(show: Path) -> None:
    path = put("x.flac", b"ID3\x04\x00\x00\x00\x00\x00\x00" + fixture_bytes("tone.flac"))
    assert error_of(path) == f"episodes/x.flac: unsupported audio format: FLAC {ACCEPTED_HINT}"


def test_pdf(show: Path) -> None:
    path = put("x.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")
    assert (
        error_of(path) == f"episodes/x.pdf: unsupported audio format: PDF document {ACCEPTED_HINT}"
    )


def test_text(show: Path) -> None:
    path = put("x.mp3", "Not audio: the show notes, über.\n".encode())
    msg = "unsupported audio format: text, although named .mp3"
    assert error_of(path) == f"episodes/x.mp3: {msg} {ACCEPTED_HINT}"


def test_mp3_named_m4a_contains_m4a(show: Path) -> None:
    path = put("ep1.mp3", fixture_bytes("aac.m4a"))
    msg = "contains M4A/AAC audio but is named .mp3 (rename it to ep1.m4a)"
    assert error_of(path) == f"episodes/ep1.mp3: {msg}"


def test_m4a_named_file_contains_mp3(show: Path) -> None:
    path = put("ep1.m4a", fixture_bytes("cbr.mp3"))
    msg = "contains MP3 audio but is named .m4a (rename it to ep1.mp3)"
    assert error_of(path) == f"episodes/ep1.m4a: {msg}"


def test_aac_named_mp4(show: Path) -> None:
    path = put("ep1.mp4", fixture_bytes("aac.m4a"))
    msg = "contains M4A/AAC audio but is named .mp4 (rename it to ep1.m4a)"
    assert error_of(path) == f"episodes/ep1.mp4: {msg}"


def test_truncated_mp3_with_info_header(show: Path) -> None:
    data = fixture_bytes("cbr.mp3")
    path = put("x.mp3", data[: len(data) // 2])
    msg = "audio file is truncated: header promises 3.1 s but only 1.5 s is present"
    assert error_of(path) == f"episodes/x.mp3: {msg} {REDO}"


def test_truncated_mp3_cut_between_frames(show: Path) -> None:
    data = fixture_bytes("cbr.mp3")
    offsets = frame_offsets(data)
    assert len(offsets) == 1 + 117  # the Info frame, then the 117 frames it promises
    # One frame short is let pass (encoders disagree whether the count includes the header).
    assert read_audio(put("x.mp3", data[: offsets[-1]])).duration > 3.0
    path = put("y.mp3", data[: offsets[-3]])  # cut exactly between frames: 3 missing
    assert mp3frames.scan(path.read_bytes()).cut_at is None  # type: ignore[union-attr]
    msg = "audio file is truncated: header promises 3.1 s but only 3.0 s is present"
    assert error_of(path) == f"episodes/y.mp3: {msg} {REDO}"


def test_truncated_inside_the_id3_tag(show: Path) -> None:
    path = put("x.mp3", fixture_bytes("big_id3.mp3")[:100_000])
    msg = "audio file is truncated: its ID3 tag claims 180,633 bytes but the file has 100,000"
    assert error_of(path) == f"episodes/x.mp3: {msg} {REDO}"


def test_id3_tag_without_audio(show: Path) -> None:
    data = fixture_bytes("tagged.mp3")
    path = put("x.mp3", data[: mp3tags.id3v2_end(data)])
    assert error_of(path) == f"episodes/x.mp3: audio file holds an ID3 tag but no audio {REDO}"


def test_mp3_with_cut_last_frame_and_no_header(show: Path) -> None:
    data = fixture_bytes("vbr_noxing.mp3")
    path = put("x.mp3", data[: len(data) // 2])
    msg = "audio file is truncated: its last MP3 frame is cut short at 2.9 s"
    assert error_of(path) == f"episodes/x.mp3: {msg} {REDO}"


def test_cut_last_frame_before_id3v1_tag(show: Path) -> None:
    data = fixture_bytes("vbr_noxing.mp3")
    path = put("x.mp3", data[:-50] + b"TAG" + bytes(125))
    msg = "audio file is truncated: its last MP3 frame is cut short at 4.5 s"
    assert error_of(path) == f"episodes/x.mp3: {msg} {REDO}"


def test_truncated_m4a_index_at_the_end(show: Path) -> None:
    data = fixture_bytes("aac.m4a")
    path = put("x.m4a", data[: len(data) // 2])
    msg = "audio file is truncated: its index ('moov' box) is missing"
    assert error_of(path) == f"episodes/x.m4a: {msg} {REDO}"
    path = put("y.m4a", data[:-100])
    msg = "audio file is truncated: its index ('moov' box) is cut short"
    assert error_of(path) == f"episodes/y.m4a: {msg} {REDO}"


def test_truncated_m4a_index_in_front(show: Path) -> None:
    data = fixture_bytes("aac_faststart.m4a")
    path = put("x.m4a", data[: len(data) // 2])
    msg = "audio file is truncated: header promises 3.0 s but only about 1.3 s is present"
    assert error_of(path) == f"episodes/x.m4a: {msg} {REDO}"
    path = put("y.m4a", data[:-100])
    msg = "audio file is truncated: the last 100 bytes of its audio ('mdat' box) are missing"
    assert error_of(path) == f"episodes/y.m4a: {msg} {REDO}"


def test_damaged_id3_tag(show: Path) -> None:
    data = bytearray(fixture_bytes("tagged.mp3"))
    data[3] = 5  # an ID3v2.5 tag, which does not exist
    path = put("x.mp3", bytes(data))
    msg = "damaged ID3 tag: ID3v2.5 not supported (re-save the tags)"
    assert error_of(path) == f"episodes/x.mp3: {msg}"


def test_damaged_m4a(show: Path) -> None:
    data = bytearray(fixture_bytes("aac.m4a"))
    data[data.index(b"mdhd") + 4] = 9  # an unknown version of the media header
    path = put("x.m4a", bytes(data))
    msg = "damaged M4A file: Unknown mdhd version 9"
    assert error_of(path) == f"episodes/x.m4a: {msg} {REDO}"


def test_m4a_with_other_codec(show: Path) -> None:
    data = bytearray(fixture_bytes("aac.m4a"))
    at = data.index(b"mp4a")
    data[at : at + 4] = b"alac"
    path = put("x.m4a", bytes(data))
    msg = "unsupported audio format: Apple Lossless (ALAC) audio in an MP4 container"
    assert error_of(path) == f"episodes/x.m4a: {msg}, although named .m4a {ACCEPTED_HINT}"


@pytest.mark.parametrize("name", sorted(p.name for p in DATA.iterdir()))
def test_damage_never_escapes_as_a_traceback(show: Path, name: str) -> None:
    """Cuts and flipped bytes anywhere give an AudioError or a result, nothing else."""
    data = fixture_bytes(name)
    rng = random.Random(name)
    variants = [data[: len(data) * k // 13] for k in range(1, 13)]
    for _ in range(12):
        damaged = bytearray(data)
        for _ in range(8):
            damaged[rng.randrange(min(len(data), 4096))] = rng.randrange(256)
        variants.append(bytes(damaged))
    for i, variant in enumerate(variants):
        path = put(f"v{i}{Path(name).suffix}", variant)
        try:
            read_audio(path)
        except AudioError as e:
            assert "\n" not in str(e)
            assert str(e).startswith(f"episodes/v{i}{Path(name).suffix}: ")


# --- tags, chapters, artwork --------------------------------------------------------------


def test_mp3_tags_are_stripped_but_otherwise_untouched() -> None:
    info = read_audio(DATA / "tagged.mp3")
    assert info.title == "Chapters & <b>tags</b>"
    assert info.artist == "Back to Evidence"
    assert info.comment == "A comment over two lines"  # one line: it may be the summary


def test_blank_tags_are_none(show: Path) -> None:
    path = put("x.mp3", fixture_bytes("tagged.mp3"))
    tags = ID3(path)
    tags["TIT2"].text = ["   "]
    tags.delall("COMM")
    tags.save(path)
    info = read_audio(path)
    assert (info.title, info.artist, info.comment) == (None, "Back to Evidence", None)


def test_untagged_mp3() -> None:
    info = read_audio(DATA / "vbr_noxing.mp3")
    assert (info.title, info.artist, info.comment) == (None, None, None)
    assert (info.chapters, info.artwork) == ((), None)


def test_mp3_chapters() -> None:
    assert read_audio(DATA / "tagged.mp3").chapters == (
        Chapter(0.0, "First", 1.0),
        Chapter(1.0, "Second", 2.0, "https://example.org/second"),
        Chapter(2.0, "Third", 3.0),
    )


def test_mp3_chapters_follow_the_ctoc(show: Path) -> None:
    path = put("x.mp3", fixture_bytes("tagged.mp3"))
    tags = ID3(path)
    tags.getall("CTOC")[0].child_element_ids = ["ch1", "ch2", "ch0"]
    tags.save(path)
    titles = [c.title for c in read_audio(path).chapters]
    assert titles == ["Second", "Third", "First"]


def test_mp3_chapters_without_ctoc_are_in_time_order(show: Path) -> None:
    path = put("x.mp3", fixture_bytes("tagged.mp3"))
    tags = ID3(path)
    assert [f.element_id for f in tags.getall("CHAP")] == ["ch0", "ch2", "ch1"]
    tags.delall("CTOC")
    tags.save(path)
    titles = [c.title for c in read_audio(path).chapters]
    assert titles == ["First", "Second", "Third"]


def test_mp3_artwork_prefers_the_front_cover() -> None:
    front = next(p for p in ID3(DATA / "tagged.mp3").getall("APIC") if p.type == 3)
    art = read_audio(DATA / "tagged.mp3").artwork
    assert art is not None
    assert (art.mime, art.data) == ("image/png", front.data)


def test_m4a_tags_chapters_and_artwork() -> None:
    info = read_audio(DATA / "aac.m4a")
    assert (info.title, info.artist, info.comment) == (
        "AAC fixture",
        "Back to Evidence",
        "An M4A comment",
    )
    assert info.chapters == (Chapter(0.0, "Opening"), Chapter(1.5, "Closing"))
    assert info.artwork is not None
    assert info.artwork.mime == "image/png"
    assert info.artwork.data.startswith(b"\x89PNG")


# --- the frame walker itself --------------------------------------------------------------


def test_frame_header_decoding() -> None:
    frame = mp3frames.decode_header(0xFFFB9064)  # MPEG-1 Layer III, 128 kbit/s, 44.1 kHz
    assert frame == mp3frames.Frame(417, 1152, 44100, 3, False)
    frame = mp3frames.decode_header(0xFFF380C4)  # MPEG-2 Layer III, 64 kbit/s, 22.05 kHz
    assert frame == mp3frames.Frame(208, 576, 22050, 3, True)
    assert mp3frames.decode_header(0xFFFB0064) is None  # free format
    assert mp3frames.decode_header(0xFFFBF064) is None  # bad bitrate index
    assert mp3frames.decode_header(0xFFE9_9064) is None  # reserved version


def test_xing_header_and_lame_gapless_info() -> None:
    scan = mp3frames.scan(fixture_bytes("vbr_xing.mp3"))
    assert scan is not None and scan.info is not None
    assert (scan.info.kind, scan.info.frames) == ("Xing", scan.frames)
    assert (scan.info.delay, scan.info.padding) == (576, 999)
    samples = scan.frames * scan.samples_per_frame - scan.info.delay - scan.info.padding
    assert scan.duration == samples / scan.sample_rate


def test_id3v2_footer_is_skipped() -> None:
    body = bytes(20)
    tag = b"ID3\x04\x00\x10\x00\x00\x00\x14" + body + b"3DI\x04\x00\x10\x00\x00\x00\x14"
    assert mp3tags.id3v2_end(tag + b"\xff\xfb") == len(tag)
