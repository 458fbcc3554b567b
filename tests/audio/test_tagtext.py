"""Control characters in tags (issue 12, item 4), in every one-line field of ID3 and MP4.

Whitespace-like controls (tab, VT, FF, CR, LF, U+0085, U+2028, U+2029) become one space, with
the spaces around them; any other control is dropped with a warning naming the file and the
tag. The tags are written with mutagen (ID3v2.3 in UTF-16, ID3v2.4 in UTF-8) and with ffmpeg
(M4A chapters), onto files made by ffmpeg.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import imageio_ffmpeg
import pytest
from mutagen.id3 import CHAP, COMM, ID3, TIT2, TPE1
from mutagen.mp4 import MP4

from publisher.audio.reader import read_audio
from publisher.errors import display_path
from publisher.model import Chapter
from tests.support.paths import TESTS

DATA = TESTS / "data" / "audio"
FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()
HINT = "(correct the tag in a tag editor)"
BREAKS = ["\t", "\n", "\v", "\f", "\r", "\r\n", "\x85", "\u2028", "\u2029", " \r\n\t "]
DROPPED = ["\x07", "\x1b", "\x1f", "\x7f", "\x9b", "\ufffe"]  # (NUL separates values in ID3)


def warning(path: Path, tag: str, codes: str) -> str:
    plural = "s" if "," in codes else ""
    return (
        f"{display_path(path)}: warning: the {tag} tag holds control character{plural} "
        f"{codes}; dropped {HINT}"
    )


def id3_file(tmp_path: Path, version: int, title: str, artist: str, comment: str) -> Path:
    path = tmp_path / f"v2{version}.mp3"
    path.write_bytes((DATA / "cbr.mp3").read_bytes())
    tags = ID3()
    encoding = 1 if version == 3 else 3
    tags.add(TIT2(encoding=encoding, text=[title]))
    tags.add(TPE1(encoding=encoding, text=[artist]))
    tags.add(COMM(encoding=encoding, lang="eng", desc="", text=[comment]))
    subs = [TIT2(encoding=encoding, text=[title])]
    tags.add(CHAP(element_id="c1", start_time=0, end_time=1000, sub_frames=subs))
    tags.save(path, v2_version=version)
    return path


@pytest.mark.parametrize("version", [3, 4])
@pytest.mark.parametrize("brk", BREAKS)
def test_id3_breaks_become_one_space(tmp_path: Path, version: int, brk: str) -> None:
    text = f"Guidelines{brk}what they advise"
    info = read_audio(id3_file(tmp_path, version, text, f"A{brk}B", f"{brk}one{brk}two{brk}"))
    assert (info.title, info.artist, info.comment) == (
        "Guidelines what they advise",
        "A B",
        "one two",
    )
    assert info.chapters == (Chapter(0.0, "Guidelines what they advise", 1.0),)
    assert info.notices == ()


@pytest.mark.parametrize("version", [3, 4])
@pytest.mark.parametrize("char", DROPPED)
def test_id3_other_controls_are_dropped_with_a_warning(
    tmp_path: Path, version: int, char: str
) -> None:
    path = id3_file(tmp_path, version, f"Bell{char}s", f"A{char}", f"C{char}\x07")
    info = read_audio(path)
    assert (info.title, info.artist, info.comment) == ("Bells", "A", "C")
    assert info.chapters == (Chapter(0.0, "Bells", 1.0),)
    code = f"U+{ord(char):04X}"
    both = ", ".join(sorted({code, "U+0007"}))
    assert [str(n) for n in info.notices] == [
        warning(path, "title (ID3 TIT2)", code),
        warning(path, "artist (ID3 TPE1)", code),
        warning(path, "comment (ID3 COMM)", both),
        warning(path, "chapter title (ID3 CHAP 'c1')", code),
    ]


def m4a_file(tmp_path: Path, chapter_title: str) -> Path:
    for special in "\\=;#\r\n":  # the ffmetadata format escapes these with a backslash
        chapter_title = chapter_title.replace(special, "\\" + special)
    meta = tmp_path / "meta.txt"
    meta.write_text(
        f";FFMETADATA1\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=1000\ntitle={chapter_title}\n",
        encoding="utf-8",
    )
    path = tmp_path / "x.m4a"
    subprocess.run(
        [FFMPEG, "-v", "error", "-y", "-f", "lavfi", "-i", "sine=d=2:sample_rate=22050",
         "-i", str(meta), "-map", "0:a", "-map_chapters", "1", "-c:a", "aac", "-b:a", "32k",
         str(path)],
        check=True,
    )  # fmt: skip
    return path


@pytest.mark.parametrize("brk", ["\t", "\n", "\v", "\f", "\r", "\x85", "\u2028", "\u2029"])
def test_m4a_breaks_become_one_space(tmp_path: Path, brk: str) -> None:
    path = m4a_file(tmp_path, f"Take-home{brk}points")
    tags = MP4(path)
    tags["\xa9nam"] = [f"Title{brk}{brk}two"]
    tags["\xa9ART"] = [f"{brk}Artist"]
    tags["desc"] = [f"Line one\r\nline two{brk}"]
    tags.save()
    info = read_audio(path)
    assert (info.title, info.artist, info.comment) == ("Title two", "Artist", "Line one line two")
    assert info.chapters == (Chapter(0.0, "Take-home points"),)
    assert info.notices == ()


@pytest.mark.parametrize("char", ["\x01", "\x08", "\x1b", "\x7f", "\x90"])
def test_m4a_other_controls_are_dropped_with_a_warning(tmp_path: Path, char: str) -> None:
    path = m4a_file(tmp_path, f"Take{char}-home")
    tags = MP4(path)
    tags["\xa9nam"] = [f"T{char}itle"]
    tags["\xa9ART"] = [f"Artist{char}"]
    tags["\xa9cmt"] = [f"{char}"]  # nothing left: the description is used instead
    tags["desc"] = [f"Desc{char}"]
    tags.save()
    info = read_audio(path)
    assert (info.title, info.artist, info.comment) == ("Title", "Artist", "Desc")
    assert info.chapters == (Chapter(0.0, "Take-home"),)
    code = f"U+{ord(char):04X}"
    assert [str(n) for n in info.notices] == [
        warning(path, "chapter 1 title (QuickTime chapter track)", code),
        warning(path, "title (MP4 \xa9nam)", code),
        warning(path, "artist (MP4 \xa9ART)", code),
        warning(path, "comment (MP4 \xa9cmt)", code),
        warning(path, "description (MP4 desc)", code),
    ]
