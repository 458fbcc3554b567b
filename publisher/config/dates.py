"""Publication dates from front matter: aware datetimes in the show's time zone.

A date without an offset is local time in the show's ``timezone`` (feed_config.yaml).
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

    Raises DateProblem for a local time that names no single instant in ``zone``.
    """
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=zone)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(0, 0), tzinfo=zone)
    return None
