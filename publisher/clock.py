"""The current time, from one place, so tests and reproducible builds can fix it."""

from __future__ import annotations

import datetime as dt
import os

from publisher.errors import PublisherError

ENV = "PUBLISHER_NOW"


def parse(text: str) -> dt.datetime:
    """An aware datetime from ISO 8601 text (a naive time is taken as UTC)."""
    try:
        when = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError as e:
        raise PublisherError(f"{text!r} is not a time like 2026-11-25T12:00:00+00:00") from e
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def now(fixed: str | None = None) -> dt.datetime:
    """``fixed`` if given, else $PUBLISHER_NOW if set, else the real time (UTC)."""
    text = fixed or os.environ.get(ENV)
    return parse(text) if text else dt.datetime.now(dt.UTC)
