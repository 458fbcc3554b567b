"""``publisher new``'s note: its text, its slug, the bibliography it names, and refusals."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from publisher import config, episodes
from publisher.episodes.frontmatter import read_front_matter
from publisher.errors import PublisherError

DAY = dt.date(2026, 11, 20)


def test_writes_the_note_it_returns_naming_the_configured_bibliography(sample_show: Path) -> None:
    made = episodes.new_note(config.load(sample_show), "Sleep & back pain: what's known?", DAY)
    assert made.slug == "2026-11-20-sleep-back-pain-what-s-known"
    assert made.note == sample_show / "show_notes" / f"{made.slug}.md"
    assert made.audio_stem == sample_show / "episodes" / made.slug
    assert made.note.read_text(encoding="utf-8") == made.text
    front, body, _ = episodes.split_front_matter(made.text, made.note)
    assert front.startswith(
        "title: 'Sleep & back pain: what''s known?'\ndate: 2026-11-20T00:00:00+00:00\nguid: "
    )  # a day: its first instant in the show's zone (Europe/London), with the offset
    assert body == (
        "\n" + episodes.PLACEHOLDER + "\n`[@key1; @key2]`, where each key is in the "
        "bibliography (show_notes/references.bib).\n"
    )


def test_names_every_configured_bibliography_or_says_how_to_add_one(sample_show: Path) -> None:
    path = sample_show / "feed_config.yaml"
    text = path.read_text(encoding="utf-8")
    two = text.replace(
        "bibliography: show_notes/references.bib",
        "bibliography: [show_notes/references.bib, refs/extra.json]",
    )
    path.write_text(two, encoding="utf-8")
    body = episodes.placeholder_text(config.load(sample_show))
    assert "in the bibliography (show_notes/references.bib, refs/extra.json)." in body
    path.write_text(text.replace("bibliography: show_notes/references.bib\n", ""), "utf-8")
    body = episodes.placeholder_text(config.load(sample_show))
    assert body.endswith(
        "in the bibliography (none is configured yet: add `bibliography: "
        "show_notes/references.bib` to feed_config.yaml).\n"
    )


SAFE = "use ASCII letters, digits, '-' and '_' only, e.g. --slug sleep-and-back-pain"


@pytest.mark.parametrize(
    ("title", "slug", "message", "hint"),
    [
        ("", None, "publisher new: the title is empty",
         'pass the episode\'s title in quotes, e.g. publisher new "Sleep and back pain"'),
        ("  ", None, "publisher new: the title is empty",
         'pass the episode\'s title in quotes, e.g. publisher new "Sleep and back pain"'),
        ("睡眠と腰痛", None, "publisher new: cannot make a file name from the title '睡眠と腰痛'",
         "pass one with --slug, e.g. --slug sleep"),
        ("x", "bad slug", "publisher new: --slug 'bad slug' is not a safe episode name [D-05]", SAFE),
        ("x", "../escape", "publisher new: --slug '../escape' is not a safe episode name [D-05]", SAFE),
        ("x", "", "publisher new: --slug '' is not a safe episode name [D-05]", SAFE),
    ],
)  # fmt: skip
def test_refusals_write_nothing_and_say_where_and_what_to_pass(
    sample_show: Path, title: str, slug: str | None, message: str, hint: str
) -> None:
    before = sorted((sample_show / "show_notes").iterdir())
    with pytest.raises(PublisherError) as info:
        episodes.new_note(config.load(sample_show), title, DAY, slug)
    assert (info.value.path, info.value.message, info.value.hint) == (None, message, hint)
    assert sorted((sample_show / "show_notes").iterdir()) == before


def test_an_existing_note_is_never_overwritten(sample_show: Path) -> None:
    show = config.load(sample_show)
    made = episodes.new_note(show, "Sleep", DAY)
    made.note.write_text("mine", encoding="utf-8")
    with pytest.raises(PublisherError) as info:
        episodes.new_note(show, "Sleep", DAY)
    assert (info.value.path, info.value.message, info.value.hint) == (
        made.note,
        "already exists; new never overwrites a note",
        "pick another title, or pass another file name with --slug",
    )
    assert made.note.read_text(encoding="utf-8") == "mine"


@pytest.mark.parametrize(
    ("title", "slug"),
    [("Red flags: what they can and cannot tell you", "red-flags-what-they-can-and-cannot-tell-you"),
     ("Café naïve — Größe", "cafe-naive-groe"), ("日本語", ""), ("../../etc/passwd", "etc-passwd"),
     ("word " * 30, "-".join(["word"] * 12)), ("x" * 70 + " y", "x" * 60)],
)  # fmt: skip
def test_slugs_are_safe_ascii_ending_at_a_whole_word(title: str, slug: str) -> None:
    assert episodes.slugify(title) == slug


def test_a_long_title_gives_a_slug_of_whole_words(sample_show: Path) -> None:
    title = "Sleep and back pain: what the trials say, what they do not, plus reasons"
    made = episodes.new_note(config.load(sample_show), title, DAY)
    assert made.slug == "2026-11-20-sleep-and-back-pain-what-the-trials-say-what-they-do-not"


@pytest.mark.parametrize(
    ("when", "slug", "written"),
    [(dt.datetime(2026, 7, 1, 17, 5, 9, 654321, tzinfo=dt.UTC), "2026-07-01-sleep",
      "2026-07-01T18:05:09+01:00"),  # summer time in the show's zone, to the second
     (dt.datetime(2026, 7, 1, 23, 30, tzinfo=dt.UTC), "2026-07-02-sleep",
      "2026-07-02T00:30:00+01:00"),  # already the next day there: so is the file name
     (dt.datetime(2026, 11, 20, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
      "2026-11-20-sleep", "2026-11-20T13:00:00+00:00"),
     (dt.date(2026, 3, 29), "2026-03-29-sleep", "2026-03-29T00:00:00+00:00")],
)  # fmt: skip
def test_the_date_is_the_instant_with_its_offset_in_the_shows_zone(
    sample_show: Path, when: dt.datetime | dt.date, slug: str, written: str
) -> None:
    made = episodes.new_note(config.load(sample_show), "Sleep", when)
    assert made.slug == slug
    assert f"\ndate: {written}\n" in made.text
    front = read_front_matter(made.note, ZoneInfo("Europe/London"))
    assert [p.message for p in front.problems] == [  # only its placeholder body
        "the note still holds the placeholder text from 'publisher new'"
    ]
    assert front.values["date"] == dt.datetime.fromisoformat(written)


def test_two_notes_made_on_one_day_have_two_times_in_the_order_they_were_made(
    sample_show: Path,
) -> None:
    show = config.load(sample_show)
    morning = episodes.new_note(show, "Morning", dt.datetime(2026, 11, 20, 9, 0, 1, tzinfo=dt.UTC))
    evening = episodes.new_note(show, "Evening", dt.datetime(2026, 11, 20, 9, 0, 2, tzinfo=dt.UTC))
    dates = [
        read_front_matter(m.note, ZoneInfo(show.timezone)).values["date"]
        for m in (morning, evening)
    ]
    assert dates[0] < dates[1] and dates[0].date() == dates[1].date()
