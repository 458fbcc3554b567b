"""A note that names the old host's file (``enclosure:`` and ``duration:``, written by
``publisher import --keep-remote-media``): read as given, checked, replaced by a file in
episodes/, and built as given, with one notice."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from publisher import audio, build, config, episodes
from publisher.errors import Problems, PublisherError
from tests.support.paths import TESTS
from tests.support.show import FIXED_NOW, copy_show

REMOTE = "https://old.example/media/ep%201.mp3?x=1"
FRONT = (
    "title: Remote\ndate: 2019-03-04T05:06:07-05:00\nguid: old-1\n"
    f"enclosure:\n  url: {REMOTE}\n  length: 123456\n  type: audio/mpeg\nduration: 1834\n"
)


@pytest.fixture
def show(tmp_path: Path) -> Path:
    root = copy_show(tmp_path / "show")
    (root / "show_notes" / "2019-03-04-remote.md").write_text(f"---\n{FRONT}---\nNotes.\n")
    return root


def read(root: Path) -> episodes.ReadResult:
    return episodes.read_episodes(config.load(root), audio.read_audio, guid_mode="refuse")


def test_a_remote_enclosure_is_read_as_given(show: Path) -> None:
    ep = next(e for e in read(show).episodes if e.slug == "2019-03-04-remote")
    assert ep.remote_url == REMOTE
    assert (ep.audio.size, ep.audio.mime_type, ep.audio.seconds) == (123456, "audio/mpeg", 1834)


def test_it_builds_as_given_and_check_says_so_once(show: Path) -> None:
    checked = build.check(show, now=FIXED_NOW, guid_mode="refuse")
    said = [str(n) for n in checked.notices if "publish the old host's file as given" in n.message]
    assert said == [
        f"{show / 'feed_config.yaml'}: warning: 1 episode(s) publish the old host's file as given "
        "(their notes' 'enclosure:'); its length and duration are the old feed's, not measured "
        "(put the audio in episodes/, or run 'publisher import --update', to replace it)"
    ]
    result = build.build(show, now=FIXED_NOW)
    feed = result.file("feed.xml").path.read_text()
    assert (
        f'<enclosure url="{REMOTE.replace("&", "&amp;")}" length="123456" type="audio/mpeg"/>'
        in feed
    )
    assert not (result.site_dir / "media" / "2019-03-04-remote.mp3").exists()
    assert all(e.guid != "old-1" for e in result.enclosures)  # nothing of ours to confirm


def test_a_dropped_in_file_replaces_it(show: Path) -> None:
    shutil.copy(TESTS / "data" / "audio" / "cbr.mp3", show / "episodes" / "2019-03-04-remote.mp3")
    ep = next(e for e in read(show).episodes if e.slug == "2019-03-04-remote")
    assert ep.remote_url is None and ep.audio.size == (TESTS / "data/audio/cbr.mp3").stat().st_size


@pytest.mark.parametrize(
    ("enclosure", "line", "message"),
    [("enclosure:\n  url: ftp://x/a.mp3\n  length: 5\n  type: audio/mpeg\n", 6,
      "'enclosure.url' must be an absolute http(s) URL [I-02] (write the old host's address of "
      "the file, e.g. 'url: https://media.example.com/episode-1.mp3')"),
     ("enclosure:\n  url: https://x/é.mp3\n  length: 5\n  type: audio/mpeg\n", 6,
      "'enclosure.url' must be ASCII [D-05] (write the host in its xn-- form and percent-encode "
      "the rest, e.g. 'é' as %C3%A9)"),
     ("enclosure:\n  url: https://x/a.mp3\n  length: 0\n  type: audio/mpeg\n", 7,
      "'enclosure.length' must be the file's size in bytes [I-02] (write e.g. 'length: "
      "12345678', as the old feed gave it)"),
     ("enclosure:\n  url: https://x/a.ogg\n  length: 5\n  type: audio/ogg\n", 8,
      "'enclosure.type' must be audio/mpeg or audio/x-m4a [I-02] (write e.g. 'type: audio/mpeg')"),
     ("enclosure: https://x/a.mp3\n", 5,
      "'enclosure' must be a mapping of url, length and type, not 'https://x/a.mp3' [I-02] "
      "(write e.g. 'enclosure: {url: https://media.example.com/episode-1.mp3, length: 12345678, "
      "type: audio/mpeg}')"),
     ("enclosure:\n  url: https://x/a.mp3\n  length: 5\n  type: audio/mpeg\nduration: '1:02'\n", 9,
      "'duration' must be the audio's length in seconds, not '1:02' [I-08] "
      "(write e.g. 'duration: 1834')"),
     ("enclosure:\n  url: https://x/a.mp3\n  length: 5\n  type: audio/mpeg\nduration: -3\n", 9,
      "'duration' must be the audio's length in seconds, not -3 [I-08] "
      "(write e.g. 'duration: 1834')"),
     ("enclosure:\n  url: https://x/a.mp3\n  length: 5\n  type: audio/mpeg\n  size: 5\n", 9,
      "unknown key 'size' (allowed: url, length, type)")],
)  # fmt: skip
def test_a_wrong_enclosure_is_one_line_with_its_line(
    tmp_path: Path, enclosure: str, line: int, message: str
) -> None:
    root = copy_show(tmp_path / "show")
    note = root / "show_notes" / "2019-03-04-bad.md"
    note.write_text(f"---\ntitle: Bad\ndate: 2019-03-04\nguid: b\n{enclosure}---\nNotes.\n")
    with pytest.raises(PublisherError) as e:
        read(root)
    found = e.value.problems if isinstance(e.value, Problems) else (e.value,)
    assert [str(p) for p in found] == [f"{note}:{line}: {message}"]


@pytest.mark.parametrize("front", ["", "enclosure:\n", "enclosure: ''\n"])
def test_a_note_with_neither_audio_nor_enclosure_says_so(tmp_path: Path, front: str) -> None:
    root = copy_show(tmp_path / "show")
    note = root / "show_notes" / "2019-03-04-bare.md"
    note.write_text(f"---\ntitle: Bare\ndate: 2019-03-04\nguid: b\n{front}---\nNotes.\n")
    with pytest.raises(PublisherError) as e:
        read(root)
    assert str(e.value) == (
        f"{note}: no audio for this note; expected episodes/2019-03-04-bare.mp3 or .m4a"
        " (put the audio there, or add 'draft: true' to the note until it is ready)"
    )


def test_notes_without_an_episodes_folder_may_all_be_remote(show: Path) -> None:
    for path in (show / "show_notes").glob("*.md"):
        if path.name != "2019-03-04-remote.md":
            path.unlink()
    shutil.rmtree(show / "episodes")
    assert [e.remote_url for e in read(show).episodes] == [REMOTE]


def test_the_prefix_goes_before_our_files_only(show: Path) -> None:
    source = show / "feed_config.yaml"
    source.write_text(source.read_text() + "enclosure_prefix: https://op3.dev/e/\n")
    result = build.build(show, now=FIXED_NOW)
    feed = result.file("feed.xml").path.read_text()
    urls = re.findall(r'<enclosure url="([^"]+)"', feed)
    assert REMOTE.replace("&", "&amp;") in urls  # the old feed's URL, as given
    ours = [u for u in urls if u != REMOTE.replace("&", "&amp;")]
    assert ours and all(
        u.startswith("https://op3.dev/e/http://127.0.0.1:8000/media/") for u in ours
    )
    page = (result.site_dir / "episodes" / "2019-03-04-remote.html").read_text()
    assert f'src="{REMOTE.replace("&", "&amp;")}"' in page  # the player plays the old file
