"""The current time: --now, else $PUBLISHER_NOW, else the clock; a bad one says which it was."""

from __future__ import annotations

import datetime as dt

import pytest

from publisher import clock
from publisher.errors import PublisherError


def test_now_is_the_option_else_the_environment_else_the_clock(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(clock.ENV, "2026-11-25T12:00:00+01:00")
    assert clock.now("2026-11-20") == dt.datetime(2026, 11, 20, tzinfo=dt.UTC)
    assert clock.now() == dt.datetime(2026, 11, 25, 11, 0, tzinfo=dt.UTC)
    monkeypatch.delenv(clock.ENV)
    assert clock.now().tzinfo is dt.UTC


def test_a_bad_time_names_where_it_came_from_and_what_to_give(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(PublisherError) as info:
        clock.now("tomorrow")
    assert str(info.value) == (
        "--now 'tomorrow' is not a time like 2026-11-25T12:00:00+00:00 (pass an ISO 8601 time, "
        "e.g. 2026-11-25T12:00:00+00:00 or 2026-11-25)"
    )
    monkeypatch.setenv(clock.ENV, "soon")
    with pytest.raises(PublisherError) as info:
        clock.now()
    assert str(info.value) == (
        "$PUBLISHER_NOW 'soon' is not a time like 2026-11-25T12:00:00+00:00 (set it to an ISO "
        "8601 time, e.g. 2026-11-25T12:00:00+00:00 or 2026-11-25)"
    )
