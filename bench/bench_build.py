"""Benchmark: a whole build of a 100-episode show, next to what a static generator does.

The comparison is the approach of dropcaster/genRSS-style generators: read each file's header
duration with mutagen and write RSS with feedgen, nothing else (no measured durations, no
notes, no references, no site). Prints figures; asserts nothing.

Run: .venv/bin/python bench/bench_build.py [--episodes 100]
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from publisher import build  # noqa: E402

NOTE = """---
title: Episode {i}
date: 2026-01-01T00:00:00+00:00
guid: bench-{i}
---
## Findings

Disc degeneration is common in people without pain.[@brinjikji2015] Red flags alone are
weak tests.[@henschke2013; @downie2013] Guidelines agree on staying active.[@koes2010;
@dagenais2010; @pillastrini2012]

- Early imaging: worse outcomes in workers.[@webster2010; @webster2013]
- Follow-up MRI does not separate outcomes.[@elbarzouhi2013]
"""


def make_show(folder: Path, episodes: int) -> Path:
    for part in ("feed_config.yaml", "artwork.jpg"):
        shutil.copy(ROOT / part, folder / part)
    (folder / "show_notes").mkdir()
    (folder / "episodes").mkdir()
    shutil.copy(ROOT / "show_notes" / "references.bib", folder / "show_notes" / "references.bib")
    sources = sorted((ROOT / "episodes").glob("*.*"))
    for i in range(episodes):
        src = sources[i % len(sources)]
        slug = f"ep-{i:04d}"
        (folder / "episodes" / f"{slug}{src.suffix}").write_bytes(src.read_bytes())
        (folder / "show_notes" / f"{slug}.md").write_text(NOTE.format(i=i))
    return folder


def baseline(folder: Path) -> bytes:
    """What a simple generator does: header durations and an RSS file."""
    import lxml.etree  # noqa: F401  (feedgen needs it first)
    import mutagen
    from feedgen.feed import FeedGenerator

    fg = FeedGenerator()
    fg.load_extension("podcast")
    fg.title("Bench")
    fg.link(href="http://127.0.0.1:8000/")
    fg.description("bench")
    for audio in sorted((folder / "episodes").iterdir()):
        info = mutagen.File(audio)
        fe = fg.add_entry()
        fe.title(audio.stem)
        fe.guid(audio.stem)
        fe.enclosure(f"http://127.0.0.1:8000/{audio.name}", str(audio.stat().st_size), "audio/mpeg")
        fe.podcast.itunes_duration(int(info.info.length))
    data: bytes = fg.rss_str()
    return data


def timed(label: str, fn: object) -> float:
    start = time.perf_counter()
    fn()  # type: ignore[operator]
    took = time.perf_counter() - start
    print(f"  {label:<58} {took * 1000:8.0f} ms")
    return took


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--episodes", type=int, default=100)
    n = parser.parse_args().episodes
    now = dt.datetime(2026, 11, 25, tzinfo=dt.UTC)
    with tempfile.TemporaryDirectory() as tmp:
        show = make_show(Path(tmp), n)
        print(f"{n} episodes (MP3 and M4A, ~90 KB each), notes with 10 citations each")
        timed("publisher build (cold: hashes every file)",
              lambda: build.build(show, now=now, guid_mode="refuse"))  # fmt: skip
        timed(
            "publisher build (warm: hash cache)",
            lambda: build.build(show, now=now, guid_mode="refuse"),
        )
        timed("publisher check (renders everything, writes nothing)",
              lambda: build.check(show, now=now, guid_mode="refuse"))  # fmt: skip
        timed("baseline: mutagen header durations + feedgen RSS only", lambda: baseline(show))


if __name__ == "__main__":
    main()
