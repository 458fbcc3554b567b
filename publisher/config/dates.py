"""Publication dates from front matter: aware datetimes in the show's time zone.

A date and time without an offset is local time in the show's ``timezone``
(feed_config.yaml). A local time that the clocks skip (spring forward) or show twice (fall
back) names no single instant, so it is refused with the times that would be right. A bare
date means the first instant of that day there, which is not always midnight: some zones
change their clocks at midnight (America/Havana, America/Santiago, Asia/Beirut).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

FORMS = "a date like 2026-09-01 or 2026-09-01 08:30"


class DateProblem(ValueError):
    """A date that names no single instant; ``hint`` says what to write instead."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message, self.hint = message, hint


def parse_date(value: Any, zone: ZoneInfo) -> dt.datetime | None:
    """The instant a YAML ``date`` value names, or None when it is not a date at all.

    ``value`` is a date, a datetime (aware or local), or text in ISO 8601 form. Raises
    DateProblem for a local time that is skipped or repeated in ``zone``.
    """
    if isinstance(value, str):
        text = value.strip()
        try:
            value = dt.date.fromisoformat(text)
        except ValueError:
            try:
                value = dt.datetime.fromisoformat(text)
            except ValueError:
                return None
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else local_instant(value, zone)
    if isinstance(value, dt.date):
        return first_instant(value, zone)
    return None


def first_instant(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    """The first instant of ``day`` in ``zone``: midnight, or the end of a gap at midnight."""
    midnight = dt.datetime.combine(day, dt.time(0, 0))
    early = midnight.replace(tzinfo=zone, fold=0)
    if early.utcoffset() == midnight.replace(tzinfo=zone, fold=1).utcoffset():
        return early
    if _exists(early):
        # Midnight happens twice: its first time, with a fixed offset, since Python never
        # finds an ambiguous zoned time equal to any time in another zone (PEP 495).
        return early.astimezone(dt.timezone(early.utcoffset() or dt.timedelta()))
    return _transition(midnight, zone).astimezone(zone)


def local_instant(local: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """The one instant the wall-clock time ``local`` names in ``zone``.
    Raises DateProblem when the clocks skip it or show it twice."""
    early, late = local.replace(tzinfo=zone, fold=0), local.replace(tzinfo=zone, fold=1)
    if early.utcoffset() == late.utcoffset():
        return early
    shown = local.isoformat(" ", "seconds" if local.second else "minutes")
    change = _transition(local, zone)
    old = (change - dt.timedelta(seconds=1)).astimezone(zone).utcoffset() or dt.timedelta()
    jump_from = change.replace(tzinfo=None) + old  # the wall clock just before the change
    jump_to = change.astimezone(zone)  # and just after it
    when = f"the clocks go {{}} from {jump_from:%H:%M} to {jump_to:%H:%M} that day"
    if not _exists(early):
        example = local.replace(tzinfo=dt.timezone(old)).isoformat()
        raise DateProblem(
            f"'date' {shown} does not exist in {zone.key}: " + when.format("forward"),
            f"write the first valid time, {jump_to:%Y-%m-%d %H:%M}, or give an offset, "
            f"e.g. {example}",
        )
    raise DateProblem(
        f"'date' {shown} happens twice in {zone.key}: " + when.format("back"),
        f"give an offset: {early.isoformat()} (the first, {early.tzname()}) or "
        f"{late.isoformat()} (the second, {late.tzname()})",
    )


def _exists(aware: dt.datetime) -> bool:
    """True when the wall-clock time of ``aware`` really happens in its zone."""
    back = aware.astimezone(dt.UTC).astimezone(aware.tzinfo)
    return back.replace(tzinfo=None) == aware.replace(tzinfo=None)


def _transition(local: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """The UTC instant of the clock change around the skipped or repeated time ``local``."""
    a = local.replace(tzinfo=zone, fold=0).astimezone(dt.UTC)
    b = local.replace(tzinfo=zone, fold=1).astimezone(dt.UTC)
    lo, hi = min(a, b), max(a, b)  # the offsets differ at lo and hi; find where they change
    after = hi.astimezone(zone).utcoffset()
    while hi - lo > dt.timedelta(seconds=1):
        mid = (lo + (hi - lo) / 2).replace(microsecond=0)
        if mid.astimezone(zone).utcoffset() == after:
            hi = mid
        else:
            lo = mid
    return hi
