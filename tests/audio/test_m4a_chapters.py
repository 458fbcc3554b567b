"""M4A chapters in a QuickTime chapter track, in Nero 'chpl', or both (issue 12, item 3).

The files are made by ffmpeg from an ffmetadata chapter list; ``-movflags +disable_chpl``
leaves only the QuickTime chapter track (a text track named by the audio track's 'tref' >
'chap'), as Apple's tools and mp4chaps write. The right values are what ffmpeg itself reads
back from the file. Lists that disagree are made by editing the 'chpl' box in place.
"""

from __future__ import annotations

import random
import re
import subprocess
from pathlib import Path

import imageio_ffmpeg
import pytest

from publisher.audio.reader import read_audio
from publisher.errors import AudioError, display_path
from publisher.model import Chapter

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()
CHAPTERS = [(0, "Opening"), (10, "Evidence review"), (20, "Take-home points")]
EXPECTED = tuple(Chapter(float(start), title) for start, title in CHAPTERS)
DISAGREE = (
    "warning: the QuickTime chapter track (3 chapters) and the Nero 'chpl' chapters ({n}) "
    "disagree; the chapter track is used, as Apple Podcasts does "
    "(write both from one chapter list, or remove one)"
)


def make(folder: Path, name: str, options: str, chapters: list[tuple[float, str]]) -> Path:
    meta = folder / f"{name}.txt"
    lines = [";FFMETADATA1"]
    ends = [start for start, _ in chapters[1:]] + [30]
    for (start, title), end in zip(chapters, ends, strict=True):
        lines += ["[CHAPTER]", "TIMEBASE=1/1000", f"START={int(start * 1000)}",
                  f"END={int(end * 1000)}", f"title={title}"]  # fmt: skip
    meta.write_text("\n".join(lines) + "\n", encoding="utf-8")
    path = folder / f"{name}.m4a"
    subprocess.run(
        [FFMPEG, "-v", "error", "-y", "-f", "lavfi", "-i", "sine=d=30:sample_rate=22050",
         "-i", str(meta), "-map", "0:a", "-map_chapters", "1", "-c:a", "aac", "-b:a", "32k",
         *options.split(), str(path)],
        check=True,
    )  # fmt: skip
    return path


def ffmpeg_chapters(path: Path) -> tuple[Chapter, ...]:
    """The chapters ffmpeg reads from the file."""
    err = subprocess.run([FFMPEG, "-hide_banner", "-i", str(path)], capture_output=True,
                         text=True).stderr  # fmt: skip
    found = re.findall(r"Chapter #\d+:\d+: start ([\d.]+), end [\d.]+\n.*\n\s+title\s+: (.*)", err)
    return tuple(Chapter(float(start), title) for start, title in found)


@pytest.mark.parametrize(
    "options",
    [
        "-movflags +disable_chpl",  # the case reported: only the chapter track
        "-movflags +disable_chpl+faststart",
        "-f mov",  # QuickTime brand: a chapter track only
        "-f ipod -movflags +disable_chpl",
        "",  # ffmpeg's default: both, from one list
        "-f ipod",
    ],
)
def test_chapter_track_is_read(tmp_path: Path, options: str) -> None:
    path = make(tmp_path, "x", options, CHAPTERS)
    info = read_audio(path)
    assert info.chapters == EXPECTED == ffmpeg_chapters(path)
    assert info.notices == ()


def test_odd_times_and_titles(tmp_path: Path) -> None:
    chapters = [(0, "Ünïcode 🎙"), (1.25, "A"), (7.5, "x" * 300), (29.9, "Last")]
    path = make(tmp_path, "x", "-movflags +disable_chpl", chapters)
    info = read_audio(path)
    assert info.chapters == tuple(Chapter(float(s), t) for s, t in chapters)
    by_ffmpeg = ffmpeg_chapters(path)  # (ffmpeg prints long titles shortened)
    assert [c.start for c in info.chapters] == pytest.approx([c.start for c in by_ffmpeg], abs=1e-3)


def patch_chpl(path: Path, old: bytes, new: bytes) -> None:
    data = path.read_bytes()
    at = data.index(b"chpl")
    size = int.from_bytes(data[at - 4 : at], "big")
    box = data[at - 4 : at - 4 + size]
    assert old in box and len(old) == len(new)
    path.write_bytes(data[: at - 4] + box.replace(old, new) + data[at - 4 + size :])


def test_disagreeing_lists_prefer_the_chapter_track_and_warn(tmp_path: Path) -> None:
    path = make(tmp_path, "x", "", CHAPTERS)
    patch_chpl(path, b"Evidence review", b"Evidence REVIEW")
    info = read_audio(path)
    assert info.chapters == EXPECTED
    assert [str(n) for n in info.notices] == [f"{display_path(path)}: {DISAGREE.format(n=3)}"]


def test_a_start_that_disagrees(tmp_path: Path) -> None:
    path = make(tmp_path, "x", "", CHAPTERS)
    # 'chpl' starts are in 100 ns units: move the second chapter from 10 s to 11 s.
    patch_chpl(path, (10 * 10**7).to_bytes(8, "big"), (11 * 10**7).to_bytes(8, "big"))
    info = read_audio(path)
    assert info.chapters == EXPECTED
    assert len(info.notices) == 1 and "disagree" in info.notices[0].message


def test_nero_chapters_alone(tmp_path: Path) -> None:
    path = make(tmp_path, "x", "", CHAPTERS)
    data = path.read_bytes()
    at = data.index(b"tref")
    # Rename the reference so no track names a chapter track: only 'chpl' is left.
    path.write_bytes(data[: at + 8] + b"xxxx" + data[at + 12 :])
    info = read_audio(path)
    assert info.chapters == EXPECTED
    assert info.notices == ()


def test_damaged_chapter_tracks_never_escape_as_a_traceback(tmp_path: Path) -> None:
    """Bytes flipped in the index (where the chapter track's tables are) of such a file."""
    data = make(tmp_path, "x", "-movflags +disable_chpl", CHAPTERS).read_bytes()
    moov = data.index(b"moov") - 4
    rng = random.Random(12)
    path = tmp_path / "damaged.m4a"
    for _ in range(300):
        damaged = bytearray(data)
        for _ in range(rng.choice((1, 4, 16))):
            damaged[rng.randrange(moov, len(data))] = rng.randrange(256)
        path.write_bytes(bytes(damaged))
        try:
            read_audio(path)
        except AudioError as e:
            assert "\n" not in str(e)
