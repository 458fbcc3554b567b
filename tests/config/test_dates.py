"""Dates in the show's time zone: skipped and repeated local times are refused with the
right alternatives; a bare date is the first instant of that day, even where midnight is
skipped or repeated."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from publisher import audio, config, episodes
from publisher.config.dates import DateProblem, parse_date
from publisher.errors import EpisodeError
from tests.support.show import one_note

LONDON = ZoneInfo("Europe/London")


def tz(hours: float) -> dt.timezone:
    return dt.timezone(dt.timedelta(hours=hours))


@pytest.mark.parametrize(
    ("zone", "day", "instant"),
    [
        ("Europe/London", dt.date(2026, 9, 1), dt.datetime(2026, 9, 1, 0, 0, tzinfo=tz(1))),
        ("Europe/London", "2026-03-29", dt.datetime(2026, 3, 29, 0, 0, tzinfo=tz(0))),
        # midnight is skipped: the day starts at 01:00
        ("America/Havana", dt.date(2026, 3, 8), dt.datetime(2026, 3, 8, 1, 0, tzinfo=tz(-4))),
        ("America/Havana", "2026-03-08", dt.datetime(2026, 3, 8, 1, 0, tzinfo=tz(-4))),
        ("America/Santiago", dt.date(2026, 9, 6), dt.datetime(2026, 9, 6, 1, 0, tzinfo=tz(-3))),
        ("Asia/Beirut", dt.date(2010, 3, 28), dt.datetime(2010, 3, 28, 1, 0, tzinfo=tz(3))),
        ("America/Sao_Paulo", dt.date(2018, 11, 4), dt.datetime(2018, 11, 4, 1, 0, tzinfo=tz(-2))),
        # midnight happens twice: the day starts at the first
        ("America/Havana", dt.date(2026, 11, 1), dt.datetime(2026, 11, 1, 0, 0, tzinfo=tz(-4))),
        # the clocks went back the evening before: midnight happens once
        ("America/Santiago", dt.date(2026, 4, 5), dt.datetime(2026, 4, 5, 0, 0, tzinfo=tz(-4))),
    ],
)
def test_a_bare_date_is_the_first_instant_of_that_day(
    zone: str, day: dt.date | str, instant: dt.datetime
) -> None:
    found = parse_date(day, ZoneInfo(zone))
    assert found == instant
    assert found is not None and found.utcoffset() == instant.utcoffset()


@pytest.mark.parametrize(
    ("value", "instant"),
    [
        ("2026-03-29 00:59", dt.datetime(2026, 3, 29, 0, 59, tzinfo=tz(0))),
        ("2026-03-29 02:00", dt.datetime(2026, 3, 29, 2, 0, tzinfo=tz(1))),
        ("2026-10-25 00:59", dt.datetime(2026, 10, 25, 0, 59, tzinfo=tz(1))),
        ("2026-10-25 02:00", dt.datetime(2026, 10, 25, 2, 0, tzinfo=tz(0))),
        # an explicit offset names one instant, even inside the gap or the repeated hour
        ("2026-03-29T01:30:00+00:00", dt.datetime(2026, 3, 29, 1, 30, tzinfo=tz(0))),
        ("2026-10-25T01:30:00+00:00", dt.datetime(2026, 10, 25, 1, 30, tzinfo=tz(0))),
        (dt.datetime(2026, 10, 25, 1, 30, tzinfo=tz(1)), dt.datetime(2026, 10, 25, 1, 30, tzinfo=tz(1))),
    ],
)  # fmt: skip
def test_times_either_side_of_a_change_and_explicit_offsets(
    value: str | dt.datetime, instant: dt.datetime
) -> None:
    found = parse_date(value, LONDON)
    assert found == instant and found is not None and found.utcoffset() == instant.utcoffset()


GAP = (
    "the clocks go forward from 01:00 to 02:00 that day",
    "write the first valid time, 2026-03-29 02:00, or give an offset, e.g. ",
)
TWICE = (
    "the clocks go back from 02:00 to 01:00 that day",
    "give an offset: 2026-10-25T{t}+01:00 (the first, BST) or 2026-10-25T{t}+00:00 (the second, GMT)",
)


@pytest.mark.parametrize("time", ["01:00", "01:30", "01:59"])
def test_a_skipped_local_time_is_refused(time: str) -> None:
    with pytest.raises(DateProblem) as info:
        parse_date(f"2026-03-29 {time}", LONDON)
    assert (
        info.value.message == f"'date' 2026-03-29 {time} does not exist in Europe/London: {GAP[0]}"
    )
    assert info.value.hint == GAP[1] + f"2026-03-29T{time}:00+00:00"


@pytest.mark.parametrize(
    "value", ["2026-10-25 01:00", "2026-10-25 01:30:15", dt.datetime(2026, 10, 25, 1, 59)]
)
def test_a_repeated_local_time_is_refused(value: str | dt.datetime) -> None:
    with pytest.raises(DateProblem) as info:
        parse_date(value, LONDON)
    shown = value if isinstance(value, str) else "2026-10-25 01:59"
    assert info.value.message == f"'date' {shown} happens twice in Europe/London: {TWICE[0]}"
    time = (shown.split(" ")[1] + ":00")[:8]
    assert info.value.hint == TWICE[1].format(t=time)


def test_other_zones_and_sizes_of_change() -> None:
    with pytest.raises(DateProblem) as info:  # a half-hour change
        parse_date("2026-10-04 02:15", ZoneInfo("Australia/Lord_Howe"))
    assert info.value.message == (
        "'date' 2026-10-04 02:15 does not exist in Australia/Lord_Howe: the clocks go forward "
        "from 02:00 to 02:30 that day"
    )
    with pytest.raises(DateProblem) as info:  # the change at midnight
        parse_date("2026-11-01 00:30", ZoneInfo("America/Havana"))
    assert info.value.message == (
        "'date' 2026-11-01 00:30 happens twice in America/Havana: the clocks go back from 01:00 "
        "to 00:00 that day"
    )
    assert info.value.hint == (
        "give an offset: 2026-11-01T00:30:00-04:00 (the first, CDT) or "
        "2026-11-01T00:30:00-05:00 (the second, CST)"
    )


@pytest.mark.parametrize(
    "written", ["2026-03-29 01:30", "2026-03-29 01:30:00", "'2026-03-29 01:30'"]
)
def test_the_note_names_file_and_line(sample_show: Path, written: str) -> None:
    note = one_note(sample_show, f"title: One\nguid: g\ndate: {written}\n")
    show = config.load(sample_show)
    assert show.timezone == "Europe/London"
    with pytest.raises(EpisodeError) as info:
        episodes.read_episodes(show, audio.read_audio, guid_mode="refuse")
    assert (info.value.path, info.value.line) == (note, 4)
    shown = "2026-03-29 01:30"
    assert info.value.message == f"'date' {shown} does not exist in Europe/London: {GAP[0]}"
