"""Pairing episodes/ with show_notes/, front matter, GUID minting: exact messages."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from publisher import audio, config, episodes
from publisher.errors import EpisodeError, Problems, PublisherError
from tests.support.paths import TESTS
from tests.support.show import copy_show

AUDIO = TESTS / "data" / "audio"


def note(show: Path, slug: str, front: str, body: str = "Some notes.\n") -> Path:
    path = show / "show_notes" / f"{slug}.md"
    path.write_text(f"---\n{front}---\n{body}", encoding="utf-8")
    return path


@pytest.fixture
def show(tmp_path: Path) -> Path:
    root = copy_show(tmp_path / "show")
    for p in (root / "show_notes").glob("*.md"):
        p.unlink()
    for p in (root / "episodes").iterdir():
        p.unlink()
    return root


def read(root: Path, mode: episodes.GuidMode = "refuse") -> episodes.ReadResult:
    return episodes.read_episodes(config.load(root), audio.read_audio, guid_mode=mode)


def messages(e: PublisherError) -> list[str]:
    return [str(p) for p in (e.problems if isinstance(e, Problems) else (e,))]


def test_reads_front_matter_and_audio(show: Path) -> None:
    shutil.copy(AUDIO / "cbr.mp3", show / "episodes" / "one.mp3")
    note(
        show,
        "one",
        "title: One\ndate: 2026-09-01\nguid: g-1\nseason: 1\nepisode: 2\n"
        "keywords: a, b\nexplicit: true\n",
    )
    (ep,) = read(show).episodes
    assert ep.title == "One" and ep.guid == "g-1" and (ep.season, ep.episode) == (1, 2)
    # a date without a time is 00:00 in the show's time zone (Europe/London, BST in September)
    assert ep.date == dt.datetime(2026, 9, 1, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert ep.keywords == ("a", "b") and ep.explicit is True
    assert ep.audio.mime_type == "audio/mpeg"
    assert episodes.read_body(ep.source, ep.body_sha256) == "Some notes.\n" and ep.body_line == 10


def test_audio_whose_name_is_a_typo_of_a_note_says_which(show: Path) -> None:
    note(show, "2026-11-30-sleep-and-back-pain", "title: Sleep\ndate: 2026-09-01\nguid: g-9\n")
    shutil.copy(AUDIO / "cbr.mp3", show / "episodes" / "2026-11-30-sleep-and-back-pian.mp3")
    with pytest.raises(Problems) as info:
        read(show)
    (typo,) = [m for m in messages(info.value) if "audio without a note" in m]
    assert typo.endswith(
        "(did you mean 2026-11-30-sleep-and-back-pain? rename it "
        "2026-11-30-sleep-and-back-pain.mp3; or create it with: publisher new --slug "
        '2026-11-30-sleep-and-back-pian "Title")'
    )


def test_pairing_problems_reported_together(show: Path) -> None:
    shutil.copy(AUDIO / "cbr.mp3", show / "episodes" / "orphan.mp3")
    shutil.copy(AUDIO / "cbr.mp3", show / "episodes" / "twice.mp3")
    shutil.copy(AUDIO / "aac.m4a", show / "episodes" / "twice.m4a")
    shutil.copy(AUDIO / "tone.wav", show / "episodes" / "wave.wav")
    note(show, "lonely", "title: Lonely\ndate: 2026-09-01\nguid: g-2\n")
    note(show, "twice", "title: Twice\ndate: 2026-09-01\nguid: g-3\n")
    note(show, "wave", "title: Wave\ndate: 2026-09-01\nguid: g-4\n")
    (show / "show_notes" / "bad name.md").write_text("---\ntitle: x\n---\n")
    with pytest.raises(Problems) as info:
        read(show)
    e, n = "episodes", "show_notes"
    assert sorted(messages(info.value)) == sorted(
        [
            f"{show}/{n}/bad name.md: 'bad name.md' is not a safe episode name [D-05] (use ASCII "
            "letters, digits, '-' and '_' only, e.g. 2026-09-01-imaging)",
            f"{show}/{e}/orphan.mp3: audio without a note; expected show_notes/orphan.md (create it "
            'with: publisher new --slug orphan "Title")',
            f"{show}/{e}/twice.m4a: two audio files for one episode: twice.m4a and twice.mp3 (keep one)",
            f"{show}/{e}/wave.wav: unsupported audio format: WAV (accepted: MP3 (.mp3, audio/mpeg) "
            "or M4A/AAC (.m4a, audio/x-m4a))",
            f"{show}/{n}/lonely.md: no audio for this note; expected episodes/lonely.mp3 or .m4a"
            " (put the audio there, or add 'draft: true' to the note until it is ready)",
        ]
    )


def test_unsafe_audio_name_and_a_master_beside_the_audio(show: Path) -> None:
    shutil.copy(AUDIO / "cbr.mp3", show / "episodes" / "Sleep and back pain.mp3")
    shutil.copy(AUDIO / "cbr.mp3", show / "episodes" / "one.mp3")
    shutil.copy(AUDIO / "tone.wav", show / "episodes" / "one.wav")
    note(show, "one", "title: One\ndate: 2026-09-01\nguid: g\n")
    with pytest.raises(Problems) as info:
        read(show)
    assert messages(info.value) == [
        f"{show}/episodes/Sleep and back pain.mp3: 'Sleep and back pain.mp3' is not a safe episode "
        "name [D-05] (rename it with ASCII letters, digits, '-' and '_' only, e.g. "
        "2026-09-01-imaging.mp3)",
        f"{show}/episodes/one.wav: unsupported audio format: WAV (a master beside the episode's "
        "audio? keep masters outside episodes/)",
    ]


def test_front_matter_errors_name_field_and_line(show: Path) -> None:
    shutil.copy(AUDIO / "cbr.mp3", show / "episodes" / "one.mp3")
    path = note(
        show,
        "one",
        "title: One\ndate: someday\nguid: g\nseason: 0\nepisode_type: teaser\nsubtitle: x\n",
    )
    with pytest.raises(Problems) as info:
        read(show)
    assert messages(info.value) == [
        f"{path}:7: unknown key 'subtitle' (did you mean 'title'?)",
        f"{path}:3: 'date' must be a date like 2026-09-01 or 2026-09-01 08:30, not 'someday' "
        "(or with an offset: 2026-09-01T08:30:00+01:00)",
        f"{path}:5: 'season' must be a whole number from 1 up, not 0 [I-12] "
        "(write e.g. 'season: 1')",
        f"{path}:6: 'episode_type' must be full, trailer or bonus, not 'teaser' [I-13] "
        "(write e.g. 'episode_type: full')",
    ]


def test_broken_front_matter(show: Path) -> None:
    shutil.copy(AUDIO / "cbr.mp3", show / "episodes" / "one.mp3")
    shutil.copy(AUDIO / "cbr.mp3", show / "episodes" / "two.mp3")
    shutil.copy(AUDIO / "cbr.mp3", show / "episodes" / "three.mp3")
    one = note(show, "one", "title: [unclosed\ndate: 2026-09-01\n")
    two = show / "show_notes" / "two.md"
    two.write_text("no front matter here\n")
    three = show / "show_notes" / "three.md"
    three.write_text("---\ntitle: x\n")
    with pytest.raises(Problems) as info:
        read(show)
    got = messages(info.value)
    assert got[0].startswith(f"{one}:2: invalid YAML: while parsing a flow sequence")
    assert got[1:] == [
        f"{three}:1: front matter is not closed (add a '---' line after its last field)",
        f"{two}:1: no front matter; the note must start with a '---' line (see README: front matter)",
    ]


def test_missing_guid_is_written_once_leaving_other_bytes(show: Path) -> None:
    shutil.copy(AUDIO / "cbr.mp3", show / "episodes" / "one.mp3")
    path = show / "show_notes" / "one.md"
    original = b"---\r\ntitle: One # comment kept\r\ndate: 2026-09-01\r\n---\r\nBody\r\n"
    path.write_bytes(original)
    result = read(show, "write")
    guid = result.episodes[0].guid
    assert result.episodes[0].guid_is_new and path.read_bytes() == original  # minted, not written
    (notice,) = episodes.write_new_guids(result.episodes)
    assert path.read_bytes() == original.replace(
        b"---\r\nBody", f"guid: {guid}\r\n---\r\nBody".encode()
    )
    assert str(notice).endswith(
        f"one.md: wrote 'guid: {guid}' into the front matter; commit this file"
    )
    again = read(show, "write")
    assert again.episodes[0].guid == guid and not again.episodes[0].guid_is_new
    assert episodes.write_new_guids(again.episodes) == ()


@pytest.mark.parametrize("empty", ["guid:", "guid:   ", "guid: ~", "guid: ''", "guid: null # x"])
def test_an_empty_guid_line_is_filled_in_not_repeated(show: Path, empty: str) -> None:
    shutil.copy(AUDIO / "cbr.mp3", show / "episodes" / "one.mp3")
    path = note(show, "one", f"title: One\n{empty}\ndate: 2026-09-01\n")
    result = read(show, "write")
    guid = result.episodes[0].guid
    assert result.episodes[0].guid_is_new
    episodes.write_new_guids(result.episodes)
    assert path.read_text(encoding="utf-8") == (
        f"---\ntitle: One\nguid: {guid}\ndate: 2026-09-01\n---\nSome notes.\n"
    )
    again = read(show, "write")
    assert again.episodes[0].guid == guid and not again.episodes[0].guid_is_new


def test_ci_mode_refuses_to_write_a_guid(show: Path) -> None:
    shutil.copy(AUDIO / "cbr.mp3", show / "episodes" / "one.mp3")
    path = note(show, "one", "title: One\ndate: 2026-09-01\n")
    before = path.read_bytes()
    with pytest.raises(EpisodeError) as info:
        read(show, "refuse")
    assert str(info.value) == (
        f"{path}:2: no 'guid' in the front matter [I-04] (run 'publisher "
        "build' locally to write one, then commit the note)"
    )
    assert path.read_bytes() == before


def test_duplicate_guids(show: Path) -> None:
    for slug in ("a", "b"):
        shutil.copy(AUDIO / "cbr.mp3", show / "episodes" / f"{slug}.mp3")
        note(show, slug, "title: T\ndate: 2026-09-01\nguid: same\n")
    with pytest.raises(EpisodeError) as info:
        read(show)
    assert str(info.value) == (
        f"{show}/show_notes/b.md:4: guid 'same' is also used by a.md [I-04] "
        "(each episode needs its own; delete this line to mint one)"
    )


@pytest.mark.parametrize(
    ("guids", "warned"),
    [
        (("abc-DEF", "ABC-def"), [("b", "ABC-def", "a", "abc-DEF")]),
        (("Guid", "gUID", "GUID"), [("b", "gUID", "a", "Guid"), ("c", "GUID", "a", "Guid")]),
        (("ß-x", "SS-X"), [("b", "SS-X", "a", "ß-x")]),  # case folding, not only lower()
        (("one", "two"), []),
        (("same-Case", "other"), []),
    ],
)
def test_guids_differing_only_in_case_are_a_warning(
    show: Path, guids: tuple[str, ...], warned: list[tuple[str, str, str, str]]
) -> None:
    for slug, guid in zip("abc", guids, strict=False):
        shutil.copy(AUDIO / "cbr.mp3", show / "episodes" / f"{slug}.mp3")
        note(show, slug, f"title: T\ndate: 2026-09-01\nguid: {guid}\n")
    result = read(show)
    assert len(result.episodes) == len(guids)
    assert [str(n) for n in result.notices] == [
        f"{show}/show_notes/{s}.md:4: warning: guid {g!r} differs from the guid of {o}.md "
        f"({og!r}) only in letter case [I-04] (apps take them for two episodes; if one is a "
        "typo, fix it before it is published)"
        for s, g, o, og in warned
    ]


def test_title_and_summary_fall_back_to_tags(show: Path) -> None:
    shutil.copy(AUDIO / "tagged.mp3", show / "episodes" / "one.mp3")
    note(show, "one", "date: 2026-09-01\nguid: g\n")
    (ep,) = read(show).episodes
    assert ep.title == ep.audio.title and ep.title
    assert ep.summary == ep.audio.comment


def test_one_bad_audio_does_not_hide_others(show: Path) -> None:
    (show / "episodes" / "empty.mp3").write_bytes(b"")
    note(show, "empty", "title: Empty\ndate: 2026-09-01\nguid: g1\n")
    shutil.copy(AUDIO / "cbr.mp3", show / "episodes" / "fine.mp3")
    path = note(show, "fine", "title: Fine\ndate: 2026-09-01\nguid: g2\nexplicit: maybe\n")
    with pytest.raises(Problems) as info:
        read(show)
    got = messages(info.value)
    assert len(got) == 2
    assert got[0].startswith(f"{show}/episodes/empty.mp3: ")
    assert got[1] == (
        f"{path}:5: 'explicit' must be true or false, not 'maybe' (write e.g. 'explicit: false')"
    )


def test_windows_shaped_note_bom_and_crlf(show: Path) -> None:
    shutil.copy(AUDIO / "cbr.mp3", show / "episodes" / "one.mp3")
    path = show / "show_notes" / "one.md"
    path.write_bytes(
        "\ufeff---\r\ntitle: Caf\u00e9 \u2014 one\r\ndate: 2026-09-01 08:30\r\n---\r\nBody\r\n".encode()
    )
    result = read(show, "write")
    (ep,) = result.episodes
    episodes.write_new_guids(result.episodes)
    assert ep.title == "Caf\u00e9 \u2014 one"
    assert (ep.date.hour, ep.date.minute) == (8, 30)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf---\r\ntitle:")
    assert f"guid: {ep.guid}\r\n---\r\nBody\r\n".encode() in path.read_bytes()


def test_note_that_is_not_utf8(show: Path) -> None:
    shutil.copy(AUDIO / "cbr.mp3", show / "episodes" / "one.mp3")
    path = show / "show_notes" / "one.md"
    path.write_bytes("---\ntitle: Caf\u00e9\ndate: 2026-09-01\nguid: g\n---\n".encode("cp1252"))
    with pytest.raises(EpisodeError) as info:
        read(show)
    assert str(info.value) == f"{path}: not UTF-8 text (save the note as UTF-8)"


def test_line_numbers_count_newlines_only(show: Path) -> None:
    shutil.copy(AUDIO / "cbr.mp3", show / "episodes" / "one.mp3")
    path = show / "show_notes" / "one.md"
    path.write_text('---\ntitle: "A\u2028B"\ndate: 2026-09-01\n---\nBody\n', encoding="utf-8")
    result = read(show, "write")
    (ep,) = result.episodes
    assert ep.body_line == 5 and ep.title == "A\u2028B"
    episodes.write_new_guids(result.episodes)
    text = path.read_text(encoding="utf-8")
    assert text == f'---\ntitle: "A\u2028B"\ndate: 2026-09-01\nguid: {ep.guid}\n---\nBody\n'


def test_front_matter_problems_say_what_to_write(show: Path) -> None:
    shutil.copy(AUDIO / "cbr.mp3", show / "episodes" / "listed.mp3")
    shutil.copy(AUDIO / "vbr_xing.mp3", show / "episodes" / "untitled.mp3")  # no title tag
    listed = note(show, "listed", "- title: Sleep\n- date: 2026-09-01\n")
    untitled = note(show, "untitled", "date: 2026-09-01\nguid: g\n")
    with pytest.raises(Problems) as info:
        read(show)
    assert messages(info.value) == [
        f"{listed}:2: front matter must be a mapping of fields to values (write one 'field: "
        "value' per line, e.g. 'title: Sleep and back pain' and 'date: 2026-09-01')",
        f"{untitled}:2: no title: the front matter has none, and the audio has no title tag "
        "either (add e.g. 'title: Sleep and back pain' to the front matter)",
    ]
