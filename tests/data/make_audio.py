"""Regenerate the tiny audio fixtures in ``tests/data/audio/``.

Run from the repository root::

    .venv/bin/python tests/data/make_audio.py

Everything is made with the ffmpeg binary that ``imageio_ffmpeg`` ships (libmp3lame, aac,
flac, libvorbis, libopus, libx264) from its ``sine``/``anoisesrc``/``aevalsrc`` sources; ID3
chapters and extra pictures are added with mutagen, the way a producer's tagger would.
The files are deliberately small (2-6 s, low bitrate, mono); only ``big_id3.mp3`` carries a
~200 KB picture. The tests compute each file's true length by decoding it, so nothing here
needs to be recorded by hand.

What each file is for:

``cbr.mp3``         CBR 32 kbps with a Xing "Info" frame (promises its frame count); tags.
``tagged.mp3``      ID3v2.4: title/artist/comment, 3 CHAP frames + CTOC (order differs from
                    the frames' order in the tag), a WXXX chapter link, two APIC pictures
                    ("other" first, then the front cover).
``vbr_xing.mp3``    VBR with a Xing header.
``vbr_noxing.mp3``  the same VBR stream without a Xing header (``-write_xing 0``): starts with
                    silence, so the first frame's bitrate is far below the average and
                    mutagen's estimate from it is wrong.
``big_id3.mp3``     ID3v2.3 tag with a ~200 KB APIC picture in front of the audio.
``aac.m4a``         AAC-LC in M4A with title/artist/comment, two chapters and a cover;
                    its index (moov box) is at the end, after the audio.
``aac_faststart.m4a`` the same with the index in front (``-movflags +faststart``).
``tone.wav`` ``tone.flac`` ``tone.ogg`` ``tone.opus`` ``tone.aac`` ``tone.mp2`` ``video.mp4``
                    formats that must be refused (0.2 s each).
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import imageio_ffmpeg
from mutagen.id3 import APIC, CHAP, COMM, CTOC, ID3, TIT2, TPE1, WXXX, CTOCFlags
from mutagen.mp4 import MP4, MP4Cover

OUT = Path(__file__).parent / "audio"
FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()

# 3 s of a tone that changes pitch, so the encoders have something to do.
TONE = "aevalsrc='0.5*sin(2*PI*(300+100*floor(2*t))*t)':s=22050:d=3"
# 1.5 s of silence, then 3 s of loud noise: VBR frames go from the lowest to a high bitrate.
SILENCE_THEN_NOISE = "aevalsrc='if(lt(t,1.5),0,0.8*(random(0)*2-1))':s=22050:d=4.5"


def ffmpeg(*args: str) -> None:
    cmd = [FFMPEG, "-v", "error", "-y", *args]
    subprocess.run(cmd, check=True)


def opts(text: str) -> list[str]:
    return text.split()


def lavfi(source: str) -> list[str]:
    return ["-f", "lavfi", "-i", source]


def png(path: Path, size: str, noise: bool) -> Path:
    src = f"color=c=0x2a6f97:s={size}" + (",noise=alls=100:allf=u" if noise else "")
    ffmpeg(*lavfi(src), "-frames:v", "1", "-c:v", "png", "-bitexact", str(path))
    return path


def add_id3(path: Path, cover: bytes, other: bytes) -> None:
    """Tags, chapters (CTOC order differs from the CHAP frames' order) and two pictures."""
    id3 = ID3()
    id3.add(TIT2(encoding=3, text=["  Chapters & <b>tags</b>  "]))
    id3.add(TPE1(encoding=3, text=["Back to Evidence"]))
    id3.add(COMM(encoding=3, lang="eng", desc="", text=["A comment\nover two lines"]))
    chapters = [
        ("ch2", 2000, 3000, "Third"),
        ("ch0", 0, 1000, "First"),
        ("ch1", 1000, 2000, "Second"),
    ]
    for cid, start, end, title in chapters:
        subs = [TIT2(encoding=3, text=[title])]
        if cid == "ch1":
            subs.append(WXXX(encoding=3, desc="", url="https://example.org/second"))
        id3.add(CHAP(element_id=cid, start_time=start, end_time=end, sub_frames=subs))
    flags = CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED
    ids = ["ch0", "ch1", "ch2"]
    id3.add(CTOC(element_id="toc", flags=flags, child_element_ids=ids, sub_frames=[]))
    id3.add(APIC(encoding=3, mime="image/png", type=0, desc="other", data=other))
    id3.add(APIC(encoding=3, mime="image/png", type=3, desc="cover", data=cover))
    id3.save(path, v2_version=4)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    mono22 = opts("-ac 1 -ar 22050 -bitexact")
    cbr32 = [*mono22, *opts("-c:a libmp3lame -b:a 32k")]
    vbr = [*mono22, *opts("-c:a libmp3lame -q:a 2")]
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        small_png = png(t / "small.png", "16x16", noise=False)
        other_png = png(t / "other.png", "8x8", noise=False)
        big_png = png(t / "big.png", "256x256", noise=True)

        # CBR with an "Info" frame (ffmpeg writes one by default).
        tags = ["-metadata", "title=CBR fixture", "-metadata", "artist=Back to Evidence"]
        ffmpeg(*lavfi(TONE), *cbr32, *tags, str(OUT / "cbr.mp3"))

        tagged = OUT / "tagged.mp3"
        ffmpeg(*lavfi(TONE), *cbr32, str(tagged))
        add_id3(tagged, small_png.read_bytes(), other_png.read_bytes())

        ffmpeg(*lavfi(SILENCE_THEN_NOISE), *vbr, str(OUT / "vbr_xing.mp3"))
        ffmpeg(*lavfi(SILENCE_THEN_NOISE), *vbr, "-write_xing", "0", str(OUT / "vbr_noxing.mp3"))

        # A ~200 KB picture in an ID3v2.3 tag, as ffmpeg writes it.
        picture = [*opts("-c:v copy -id3v2_version 3 -metadata:s:v"), "comment=Cover (front)"]
        ffmpeg(*lavfi(TONE), "-i", str(big_png), "-map", "0:a", "-map", "1:v", *cbr32,
               *picture, str(OUT / "big_id3.mp3"))  # fmt: skip

        meta = t / "chapters.txt"
        meta.write_text(
            ";FFMETADATA1\n"
            "[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=1500\ntitle=Opening\n"
            "[CHAPTER]\nTIMEBASE=1/1000\nSTART=1500\nEND=3000\ntitle=Closing\n",
            encoding="utf-8",
        )
        m4a = OUT / "aac.m4a"
        m4a_tags = ["title=AAC fixture", "artist=Back to Evidence", "comment=An M4A comment"]
        ffmpeg(*lavfi(TONE), "-i", str(meta), "-map", "0:a", "-map_chapters", "1", *mono22,
               "-c:a", "aac", "-b:a", "32k", *(a for m in m4a_tags for a in ("-metadata", m)),
               str(m4a))  # fmt: skip
        mp4 = MP4(m4a)
        mp4["covr"] = [MP4Cover(small_png.read_bytes(), imageformat=MP4Cover.FORMAT_PNG)]
        mp4.save()
        # The same with the index (moov) in front, as "fast start" web exports have it.
        faststart = opts("-c copy -movflags +faststart")
        ffmpeg("-i", str(m4a), *faststart, str(OUT / "aac_faststart.m4a"))

        # Formats that must be refused.
        short = lavfi("sine=f=440:d=0.2:sample_rate=8000")
        refused = {
            "tone.wav": "-c:a pcm_s16le",
            "tone.flac": "-c:a flac",
            "tone.ogg": "-c:a libvorbis",
            "tone.opus": "-ar 48000 -c:a libopus -b:a 8k",
            "tone.aac": "-c:a aac -b:a 16k",
            "tone.mp2": "-ar 16000 -c:a mp2 -b:a 32k -f mp2",
        }
        for name, args in refused.items():
            ffmpeg(*short, "-ac", "1", "-bitexact", *args.split(), str(OUT / name))
        video = opts("-an -c:v libx264 -bitexact -pix_fmt yuv420p")
        ffmpeg(*lavfi("testsrc=s=32x32:d=0.2:r=5"), *video, str(OUT / "video.mp4"))

    total = sum(p.stat().st_size for p in OUT.iterdir())
    for p in sorted(OUT.iterdir()):
        print(f"{p.stat().st_size:>8}  {p.name}")
    print(f"{total:>8}  total")


if __name__ == "__main__":
    main()
