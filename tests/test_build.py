"""Build stage: extras (artwork, transcript, chapters), naming, safety of the build folder."""

from __future__ import annotations

import io
import json
import os
import shutil
from pathlib import Path

import pytest
from lxml import etree
from PIL import Image

from publisher import build
from publisher.errors import ConfigError, EpisodeError, FeedError, NotesError
from publisher.model import Build, SiteFile
from tests.support.show import FIXED_NOW, full_build

NS = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "podcast": "https://podcastindex.org/namespace/1.0",
}
SLUG = "2026-09-15-red-flags"


def item(site: Path, slug: str) -> etree._Element:
    feed = etree.parse(str(site / "feed.xml"))
    (found,) = feed.xpath(f"/rss/channel/item[link[contains(., '{slug}')]]")
    return found  # type: ignore[no-any-return]


def jpeg(size: int = 1400, colour: str = "red") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (size, size), colour).save(buf, "JPEG")
    return buf.getvalue()


def test_same_stem_extras_are_published(sample_show: Path) -> None:
    episodes = sample_show / "episodes"
    (episodes / f"{SLUG}.jpg").write_bytes(jpeg())
    (episodes / f"{SLUG}.vtt").write_text("WEBVTT\n\n00:00.000 --> 00:02.000\nHello\n")
    (episodes / f"{SLUG}.chapters.json").write_text(
        json.dumps(
            {
                "version": "1.2.0",
                "chapters": [
                    {"startTime": 0, "title": "Intro"},
                    {"startTime": 4.5, "title": "<b>Flags</b>"},
                ],
            }
        )
    )
    result = build.build(sample_show, now=FIXED_NOW, guid_mode="refuse")
    it = item(result.site_dir, SLUG)
    base = "http://127.0.0.1:8000/"
    image = it.xpath("itunes:image/@href", namespaces=NS)[0]
    assert image.startswith(base + "artwork/") and image.endswith(".jpg")
    transcript = it.xpath("podcast:transcript", namespaces=NS)[0]
    assert transcript.get("url") == f"{base}transcripts/{SLUG}.vtt"
    assert transcript.get("type") == "text/vtt"
    chapters = it.xpath("podcast:chapters", namespaces=NS)[0]
    assert chapters.get("url") == f"{base}chapters/{SLUG}.json"
    assert chapters.get("type") == "application/json+chapters"
    data = json.loads((result.site_dir / "chapters" / f"{SLUG}.json").read_text())
    assert data["version"] == "1.2.0" and data["chapters"][1]["title"] == "<b>Flags</b>"
    kinds = {f.key: (f.kind, f.content_type, f.immutable) for f in result.files}
    assert kinds[f"chapters/{SLUG}.json"] == ("asset", "application/json+chapters", False)
    assert kinds[f"transcripts/{SLUG}.vtt"] == ("asset", "text/vtt; charset=utf-8", False)
    assert kinds[image.removeprefix(base)] == ("asset", "image/jpeg", True)
    # new artwork gets a new URL (content-addressed)
    (episodes / f"{SLUG}.jpg").write_bytes(jpeg(colour="blue"))
    again = build.build(sample_show, now=FIXED_NOW, guid_mode="refuse")
    assert item(again.site_dir, SLUG).xpath("itunes:image/@href", namespaces=NS)[0] != image


def test_embedded_chapters_become_json_chapters(sample_show: Path) -> None:
    result = build.build(sample_show, now=FIXED_NOW, guid_mode="refuse")
    slug = "2026-09-01-imaging-without-pain"
    url = item(result.site_dir, slug).xpath("podcast:chapters/@url", namespaces=NS)
    assert url == [f"http://127.0.0.1:8000/chapters/{slug}.json"]
    data = json.loads((result.site_dir / "chapters" / f"{slug}.json").read_text())
    starts = [c["startTime"] for c in data["chapters"]]
    assert data["version"] == "1.2.0" and starts == sorted(starts) and len(starts) >= 2


def test_bad_chapters_file(sample_show: Path) -> None:
    path = sample_show / "episodes" / f"{SLUG}.chapters.json"
    path.write_text('{"chapters": [{"title": "no start"}]}')
    with pytest.raises(EpisodeError) as info:
        build.build(sample_show, now=FIXED_NOW, guid_mode="refuse")
    assert str(info.value) == f"{path}: chapter 1 ('no start') has no 'startTime' [I-15]"


def test_bad_episode_artwork(sample_show: Path) -> None:
    (sample_show / "episodes" / f"{SLUG}.jpg").write_bytes(jpeg(size=500))
    with pytest.raises(EpisodeError) as info:
        build.build(sample_show, now=FIXED_NOW, guid_mode="refuse")
    assert f"artwork '{SLUG}.jpg' is 500x500 px; use 1400-3000 px a side [C-03]" in str(info.value)


def test_numbered_titles_warn(sample_show: Path) -> None:
    note = sample_show / "show_notes" / f"{SLUG}.md"
    text = note.read_text(encoding="utf-8")
    note.write_text(
        text.replace('title: "Red flags', 'title: "Ep 2 - Red flags', 1), encoding="utf-8"
    )
    result = build.build(sample_show, now=FIXED_NOW, guid_mode="refuse")
    (warning,) = map(str, result.notices)
    assert warning.endswith(
        f"{SLUG}.md:2: warning: title 'Ep 2 - Red flags: what they can and "
        "cannot tell you' carries an episode or season number; put it in "
        "'episode:'/'season:' instead [I-01]"
    )


def test_ordinary_numbers_do_not_warn(sample_show: Path) -> None:
    note = sample_show / "show_notes" / f"{SLUG}.md"
    text = note.read_text(encoding="utf-8")
    note.write_text(
        text.replace('title: "Red flags', 'title: "Top 10 red flags', 1), encoding="utf-8"
    )
    assert build.build(sample_show, now=FIXED_NOW, guid_mode="refuse").notices == ()


def test_refuses_to_empty_a_folder_it_did_not_build(sample_show: Path, tmp_path: Path) -> None:
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.txt").write_text("years of work")
    with pytest.raises(ConfigError) as info:
        build.build(sample_show, now=FIXED_NOW, out_dir=precious, guid_mode="refuse")
    assert str(info.value).startswith(
        f"error: refusing to empty {precious}"
    ) or f"refusing to empty {precious}: it is not a folder this tool built" in str(info.value)
    assert (precious / "thesis.txt").exists()
    with pytest.raises(ConfigError):
        build.build(sample_show, now=FIXED_NOW, out_dir=sample_show, guid_mode="refuse")


def test_missing_podcast_guid_is_computed_and_stored_once(sample_show: Path) -> None:
    cfg = sample_show / "feed_config.yaml"
    text = cfg.read_text(encoding="utf-8")
    stripped = "".join(
        x for x in text.splitlines(keepends=True) if not x.startswith("podcast_guid")
    )
    cfg.write_text(stripped, encoding="utf-8")
    result = build.build(sample_show, now=FIXED_NOW, guid_mode="write")
    assert cfg.read_text(encoding="utf-8") == text  # the same single line, above targets:
    assert any("wrote 'podcast_guid: 27f3405e" in str(n) for n in result.notices)
    shutil.rmtree(result.site_dir)


def test_plain_http_public_url_warns(sample_show: Path) -> None:
    cfg = sample_show / "feed_config.yaml"
    cfg.write_text(cfg.read_text().replace("http://127.0.0.1:8000/", "http://podcast.example.org/"))
    result = build.build(sample_show, now=FIXED_NOW, guid_mode="refuse")
    line = next(
        i for i, x in enumerate(cfg.read_text().splitlines(), 1) if x.startswith("  local:")
    )
    assert tuple(map(str, result.notices)) == (
        f"{cfg}:{line}: warning: target 'local' publishes at plain http:// "
        "(http://podcast.example.org/); apps and Podcasting 2.0 tags expect https:// [D-04] "
        "(use the https:// address of the same host or CDN)",
    )


def test_media_hash_is_reused_while_the_file_stat_holds(sample_show: Path) -> None:
    def media(result: Build) -> SiteFile:
        (f,) = (f for f in result.files if f.key.startswith(f"media/{SLUG}-"))
        assert f.key == f"media/{SLUG}-{f.sha256[:16]}.m4a"  # named by its content
        return f

    first = media(full_build(sample_show, now=FIXED_NOW, guid_mode="refuse")).sha256
    cache = sample_show / ".publisher" / "build-cache.json"
    data = json.loads(cache.read_text())
    entries = data["files"]
    (path,) = [p for p in entries if p.endswith(f"{SLUG}.m4a")]
    entries[path]["sha256"] = "0" * 64  # a cached hash is trusted while the file's stat holds
    cache.write_text(json.dumps(data))
    assert media(full_build(sample_show, now=FIXED_NOW, guid_mode="refuse")).sha256 == "0" * 64
    audio = sample_show / "episodes" / f"{SLUG}.m4a"
    os.utime(audio, ns=(audio.stat().st_atime_ns, audio.stat().st_mtime_ns + 1_000_000_000))
    assert media(full_build(sample_show, now=FIXED_NOW, guid_mode="refuse")).sha256 == first


def test_corrected_audio_gets_a_new_url_and_keeps_its_guid(sample_show: Path) -> None:
    """Issue 13 item 1: a fix after release never overwrites what the live feed names."""
    before = build.build(sample_show, now=FIXED_NOW, guid_mode="refuse")
    again = build.build(sample_show, now=FIXED_NOW, guid_mode="refuse")
    assert [e.key for e in again.enclosures] == [e.key for e in before.enclosures]  # stable
    other = sample_show / "episodes" / "2026-09-01-imaging-without-pain.mp3"
    (sample_show / "episodes" / "2026-10-01-what-guidelines-advise.mp3").write_bytes(
        other.read_bytes()
    )
    fixed = build.build(sample_show, now=FIXED_NOW, guid_mode="refuse")
    old = {e.slug: e for e in before.enclosures}
    new = {e.slug: e for e in fixed.enclosures}
    changed = "2026-10-01-what-guidelines-advise"
    assert new[changed].key != old[changed].key and new[changed].guid == old[changed].guid
    assert new[changed].key.startswith(f"media/{changed}-")
    assert all(new[s].key == old[s].key for s in new if s != changed)


def test_measured_duration_is_reused_while_the_file_stat_holds(sample_show: Path) -> None:
    slug = "2026-09-01-imaging-without-pain"
    first = full_build(sample_show, now=FIXED_NOW, guid_mode="refuse")
    cache = sample_show / ".publisher" / "build-cache.json"
    data = json.loads(cache.read_text())
    entries = data["files"]
    (path,) = [p for p in entries if p.endswith(f"{slug}.mp3")]
    assert abs(entries[path]["duration"] - 14.1) < 0.2
    entries[path]["duration"] = 1234.0  # trusted while the file is unchanged: no frame walk
    entries[path]["audio"]["duration"] = 1234.0  # and so is every fact the read found
    cache.write_text(json.dumps(data))

    def duration(result: Build) -> str:
        feed = etree.parse(str(result.site_dir / "feed.xml"))
        (value,) = feed.xpath(f"//item[contains(link, '{slug}')]/itunes:duration/text()",
                              namespaces=NS)  # fmt: skip
        return str(value)

    assert duration(full_build(sample_show, now=FIXED_NOW, guid_mode="refuse")) == "1234"
    audio = sample_show / "episodes" / f"{slug}.mp3"
    os.utime(audio, ns=(audio.stat().st_atime_ns, audio.stat().st_mtime_ns + 1_000_000_000))
    assert duration(full_build(sample_show, now=FIXED_NOW, guid_mode="refuse")) == duration(first)


def test_unknown_citation_key_names_file_line_and_close_key(sample_show: Path) -> None:
    note = sample_show / "show_notes" / f"{SLUG}.md"
    lines = note.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.append("\nA claim.[@brinjikji2016]\n")
    note.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(NotesError) as info:
        build.build(sample_show, now=FIXED_NOW, guid_mode="refuse")
    assert str(info.value) == (
        f"{note}:{len(lines) + 1}: unknown citation key 'brinjikji2016' (did you mean 'brinjikji2015'?)"
    )


def test_episode_bibliography_is_merged_and_clashes_reported(sample_show: Path) -> None:
    note = sample_show / "show_notes" / f"{SLUG}.md"
    extra = sample_show / "show_notes" / "extra.json"
    extra.write_text(json.dumps([{"id": "nice2016", "type": "report", "title": "Low back pain and "
                                  "sciatica in over 16s", "publisher": "NICE", "issued": {
                                      "date-parts": [[2016]]}}]))  # fmt: skip
    text = note.read_text(encoding="utf-8")
    note.write_text(text.replace("\nseason:", "\nbibliography: extra.json\nseason:", 1)
                    + "\nSee the guideline.[@nice2016]\n", encoding="utf-8")  # fmt: skip
    result = build.build(sample_show, now=FIXED_NOW, guid_mode="refuse")
    page = (result.site_dir / "episodes" / f"{SLUG}.html").read_text(encoding="utf-8")
    # AMA title-cases a report and, with no author, moves the title to the front (once: as
    # pandoc does; citeproc-py alone printed it twice)
    assert "<em>Low Back Pain and Sciatica in over 16s</em>. NICE; 2016." in page
    assert page.count("Sciatica in over 16s") == 1
    extra.write_text(json.dumps([{"id": "koes2010", "type": "report", "title": "Clash"}]))
    with pytest.raises(NotesError) as info:
        build.build(sample_show, now=FIXED_NOW, guid_mode="refuse")
    assert "koes2010" in str(info.value) and str(info.value).startswith(str(sample_show))


def test_drafts_and_scheduled_episodes_are_named(sample_show: Path) -> None:
    import datetime as dt

    note = sample_show / "show_notes" / f"{SLUG}.md"
    note.write_text(note.read_text(encoding="utf-8").replace("\ndate:", "\ndraft: true\ndate:", 1))
    early = dt.datetime(2026, 9, 20, tzinfo=dt.UTC)
    result = build.build(sample_show, now=early, guid_mode="refuse")
    assert tuple(map(str, result.notices)) == (
        f"{note}: draft, left out",
        f"{sample_show / 'show_notes' / '2026-10-01-what-guidelines-advise.md'}: scheduled for "
        "2026-10-01T00:00:00+01:00, left out",
    )


def test_chapters_file_shows_on_the_episode_page(sample_show: Path) -> None:
    (sample_show / "episodes" / f"{SLUG}.chapters.json").write_text(json.dumps(
        {"version": "1.2.0", "chapters": [{"startTime": 0, "title": "Intro"},
                                          {"startTime": 5, "title": "<i>Flags</i>"},
                                          {"startTime": 8, "title": "hidden", "toc": False}]}))  # fmt: skip
    result = build.build(sample_show, now=FIXED_NOW, guid_mode="refuse")
    page = (result.site_dir / "episodes" / f"{SLUG}.html").read_text(encoding="utf-8")
    assert "0:05</time></a> <span>&lt;i&gt;Flags&lt;/i&gt;</span>" in page
    assert ">hidden<" not in page  # a chapter with toc: false is not listed


def test_no_episode_due_yet_says_which_are_held_back(sample_show: Path) -> None:
    import datetime as dt

    with pytest.raises(FeedError) as info:
        build.build(sample_show, now=dt.datetime(2026, 8, 1, tzinfo=dt.UTC), guid_mode="refuse")
    assert str(info.value) == (
        f"{sample_show / 'feed_config.yaml'}: no published episodes: a feed needs at least one "
        "[I-16] (0 draft(s); 3 scheduled, the first for 2026-09-01T00:00:00+01:00; publish again "
        "once one is due)"
    )


def test_repeated_episode_numbers_warn(sample_show: Path) -> None:
    note = sample_show / "show_notes" / "2026-10-01-what-guidelines-advise.md"
    note.write_text(note.read_text(encoding="utf-8").replace("episode: 3", "episode: 2"))
    result = build.build(sample_show, now=FIXED_NOW, guid_mode="refuse")
    assert tuple(map(str, result.notices)) == (
        f"{note}: warning: season 1, episode 2 is also "
        f"{sample_show / 'show_notes' / '2026-09-15-red-flags.md'} [I-12]",
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (f"{SLUG}.vtt", "hello", "a WebVTT transcript must start with a 'WEBVTT' line [I-14]"),
        (f"{SLUG}.srt", "hello", "an SRT transcript needs cues like '00:00:01,000 --> 00:00:04,000' [I-14]"),
        (f"{SLUG}.chapters.json", '{"chapters": [{"startTime": 99, "title": "late"}]}',
         "chapter 1 ('late') starts at 99 s, after the audio ends (12.5 s) [I-15]"),
    ],
)  # fmt: skip
def test_broken_extras_are_refused(
    sample_show: Path, name: str, content: str, message: str
) -> None:
    path = sample_show / "episodes" / name
    path.write_text(content)
    with pytest.raises(EpisodeError) as info:
        build.build(sample_show, now=FIXED_NOW, guid_mode="refuse")
    assert info.value.path == path and info.value.message == message
