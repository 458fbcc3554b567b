"""Regenerate the sample show's audio in ``episodes/``: short spoken intros, one per episode.

Needs espeak-ng (Debian: ``apt-get install espeak-ng``) and the ffmpeg binary that the
``imageio-ffmpeg`` test dependency ships. Run from the repository root::

    .venv/bin/python scripts/make_sample_audio.py

Each episode is two sentences spoken by espeak-ng, joined with a short pause and encoded
mono at 48 kbit/s: MP3 (libmp3lame) or AAC in M4A. Title, artist and album are set; the first
episode also gets two ID3 chapters (CHAP, one per sentence) and a table of contents (CTOC).
The output is byte-for-byte the same on every run with the same espeak-ng and ffmpeg.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import wave
from pathlib import Path

import imageio_ffmpeg
from mutagen.id3 import CHAP, CTOC, ID3, TIT2, CTOCFlags

ROOT = Path(__file__).resolve().parent.parent
SHOW = "Back to Evidence"
PAUSE = 0.6  # seconds of silence between the two sentences

# slug -> (episode title, [sentence, sentence], chapter titles or None)
EPISODES: dict[str, tuple[str, list[str], list[str] | None]] = {
    "2026-09-01-imaging-without-pain.mp3": (
        "Imaging findings in people without back pain",
        [
            "Welcome to Back to Evidence. Today: what a spine scan shows in people who have "
            "no back pain at all.",
            "Disc bulges and wear are common with age, so a finding on a report is not always "
            "the cause of the pain.",
        ],
        ["Welcome", "What scans show"],
    ),
    "2026-09-15-red-flags.m4a": (
        "Red flags: what they can and cannot tell you",
        [
            "This is Back to Evidence, and this episode is about red flags in low back pain.",
            "They are meant to catch rare serious causes, but on their own, most of them are "
            "weak at telling who has one.",
        ],
        None,
    ),
    "2026-10-01-what-guidelines-advise.mp3": (
        "What clinical guidelines advise",
        [
            "Welcome back to Back to Evidence. Today we compare clinical guidelines for low "
            "back pain.",
            "Most of them agree: reassure, stay active, avoid routine imaging, and keep "
            "medicines for when they are really needed.",
        ],
        None,
    ),
}


def run(*cmd: str) -> None:
    subprocess.run(cmd, check=True)


def speak(text: str, out: Path) -> float:
    """Speak ``text`` into a WAV file; return its length in seconds."""
    run("espeak-ng", "-v", "en-gb", "-s", "155", "-w", str(out), text)
    with wave.open(str(out)) as w:
        return w.getnframes() / w.getframerate()


def encode(parts: list[Path], title: str, out: Path) -> None:
    inputs = [a for p in parts for a in ("-i", str(p))]
    joined = f"[0:a]apad=pad_dur={PAUSE}[a0];[a0][1:a]concat=n=2:v=0:a=1[out]"
    codec = ["-c:a", "libmp3lame"] if out.suffix == ".mp3" else ["-c:a", "aac"]
    run(imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y", *inputs,
        "-filter_complex", joined, "-map", "[out]", "-ac", "1", "-ar", "44100", *codec,
        "-b:a", "48k", "-metadata", f"title={title}", "-metadata", f"artist={SHOW}",
        "-metadata", f"album={SHOW}", "-map_metadata", "-1", "-bitexact", str(out))  # fmt: skip


def add_chapters(path: Path, titles: list[str], starts: list[float], end: float) -> None:
    tags = ID3(path)
    ms = [round(s * 1000) for s in starts] + [round(end * 1000)]
    ids = [f"chp{i}" for i in range(len(titles))]
    for i, (cid, title) in enumerate(zip(ids, titles, strict=True)):
        sub = [TIT2(encoding=3, text=[title])]
        tags.add(CHAP(element_id=cid, start_time=ms[i], end_time=ms[i + 1], sub_frames=sub))
    flags = CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED
    tags.add(CTOC(element_id="toc", flags=flags, child_element_ids=ids, sub_frames=[]))
    tags.save(path, v2_version=3)


def main() -> None:
    sys.path.insert(0, str(ROOT))
    from publisher.audio.reader import read_audio

    out_dir = ROOT / "episodes"
    out_dir.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name, (title, sentences, chapters) in EPISODES.items():
            wavs = [Path(tmp) / f"{name}.{i}.wav" for i in range(len(sentences))]
            lengths = [speak(text, wav) for text, wav in zip(sentences, wavs, strict=True)]
            out = out_dir / name
            encode(wavs, title, out)
            if chapters:
                second = lengths[0] + PAUSE
                add_chapters(out, chapters, [0.0, second], second + lengths[1])
            info = read_audio(out)
            print(f"{out.relative_to(ROOT)}: {info.duration:.2f} s, {info.size:,} bytes")


if __name__ == "__main__":
    main()
