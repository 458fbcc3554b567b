"""A synthetic long-running show on disk, for bench/bench_catalogue.py.

N episodes with distinct ~1 MB MP3s (one clip encoded once with ffmpeg; each file gets its
own ID3 tag in front of the same valid MPEG frames), notes of ~5 KB citing 10 keys each of a
500-entry bibliography, JSON chapters on every tenth episode, and a config with the targets
the benchmark publishes to. Also the same notes as a Hugo site.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import uuid
from pathlib import Path

import imageio_ffmpeg
import yaml

from tests.support.catalogue import bibliography_bib, note_body, summary
from tests.support.paths import ROOT

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)
HEADROOM = 100  # days left before NOW for episodes the benchmark adds


def encode_clip(folder: Path, kilobytes: int) -> bytes:
    """MPEG frames of a ~``kilobytes`` KB 128 kbit/s CBR tone, without an ID3 tag."""
    seconds = max(1.0, kilobytes * 1000 * 8 / 128_000)
    out = folder / "clip.mp3"
    subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(),
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            f"sine=frequency=440:duration={seconds:.2f}",
            "-ac",
            "1",
            "-c:a",
            "libmp3lame",
            "-b:a",
            "128k",
            "-id3v2_version",
            "0",
            "-write_id3v1",
            "0",
            str(out),
        ],
        check=True,
    )
    data = out.read_bytes()
    out.unlink()
    return data


def id3_tag(title: str) -> bytes:
    """An ID3v2.3 tag holding only a TIT2 title: what makes each file's bytes distinct."""
    text = b"\x00" + title.encode("latin-1")
    frame = b"TIT2" + len(text).to_bytes(4, "big") + b"\x00\x00" + text
    n = len(frame)
    size = bytes([(n >> 21) & 0x7F, (n >> 14) & 0x7F, (n >> 7) & 0x7F, n & 0x7F])
    return b"ID3\x03\x00\x00" + size + frame


def slug_of(i: int) -> str:
    return f"ep-{i:05d}"


def write_episode(show: Path, i: int, count: int, clip: bytes) -> None:
    """Episode ``i`` of ``count`` (0 the oldest, a day apart; ``HEADROOM`` days are left
    before NOW for the episodes added later)."""
    slug = slug_of(i)
    (show / "episodes" / f"{slug}.mp3").write_bytes(id3_tag(f"Episode {i}") + clip)
    date = NOW - dt.timedelta(days=count + HEADROOM - i)
    front = {
        "title": f"What the studies say, part {i + 1}",
        "date": date.isoformat(),
        "guid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"bench/{slug}")),
        "summary": summary(i),
    }
    dumped = yaml.safe_dump(front, sort_keys=False, width=10_000)
    (show / "show_notes" / f"{slug}.md").write_text(
        f"---\n{dumped}---\n{note_body(i)}", encoding="utf-8"
    )
    if i % 10 == 0:
        seconds = len(clip) * 8 / 128_000  # 128 kbit/s CBR
        starts = (0, round(seconds * 0.3, 1), round(seconds * 0.7, 1))
        titles = ("Introduction", "The studies", "What it means")
        chapters = {
            "version": "1.2.0",
            "chapters": [{"startTime": t, "title": x} for t, x in zip(starts, titles, strict=True)],
        }
        (show / "episodes" / f"{slug}.chapters.json").write_text(json.dumps(chapters))


def make_show(show: Path, count: int, clip: bytes, targets: dict[str, dict[str, str]]) -> Path:
    """A show folder of ``count`` episodes publishing to ``targets`` (name -> target spec)."""
    (show / "episodes").mkdir(parents=True)
    (show / "show_notes").mkdir()
    shutil.copy(ROOT / "artwork.jpg", show / "artwork.jpg")
    (show / "show_notes" / "references.bib").write_text(bibliography_bib(), encoding="utf-8")
    config = yaml.safe_load((ROOT / "feed_config.yaml").read_text(encoding="utf-8"))
    config["targets"] = targets
    config["default_target"] = next(iter(targets))
    config.pop("podcast_guid", None)
    config["podcast_guid"] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"bench/{show}"))
    (show / "feed_config.yaml").write_text(
        yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    for i in range(count):
        write_episode(show, i, count, clip)
    return show


def make_hugo_site(site: Path, show: Path) -> Path:
    """The show's notes as Hugo content pages, with the smallest layouts that render them."""
    (site / "content" / "episodes").mkdir(parents=True)
    (site / "layouts" / "_default").mkdir(parents=True)
    (site / "hugo.toml").write_text(
        'baseURL = "https://podcast.example.org/show/"\ntitle = "Bench"\n'
        'disableKinds = ["taxonomy", "term"]\n'
    )
    page = '<!doctype html><html><head><title>{{ .Title }}</title></head><body>{{ block "main" . }}{{ end }}</body></html>\n'  # noqa: E501
    (site / "layouts" / "_default" / "baseof.html").write_text(page)
    (site / "layouts" / "_default" / "single.html").write_text(
        '{{ define "main" }}<h1>{{ .Title }}</h1><p>{{ .Date.Format "2006-01-02" }}</p>'
        "{{ .Content }}{{ end }}\n"
    )
    (site / "layouts" / "_default" / "list.html").write_text(
        '{{ define "main" }}<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">'
        "{{ .Title }}</a> {{ .Summary }}</li>{{ end }}</ul>{{ end }}\n"
    )
    for note in (show / "show_notes").glob("*.md"):
        shutil.copyfile(note, site / "content" / "episodes" / note.name)
    return site
