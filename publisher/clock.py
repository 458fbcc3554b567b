"""The current time, from one place, so tests and reproducible builds can fix it."""

from __future__ import annotations

import datetime as dt
import os

from publisher.errors import PublisherError

ENV = "PUBLISHER_NOW"


def parse(text: str, where: str = "--now") -> dt.datetime:
    """An aware datetime from ISO 8601 text (a naive time is taken as UTC). Raises
    PublisherError naming ``where`` the text came from (``--now``, or ``$PUBLISHER_NOW``)."""
    try:
        when = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError as e:
        fix = "pass" if where.startswith("-") else "set it to"
        raise PublisherError(
            f"{where} {text!r} is not a time like 2026-11-25T12:00:00+00:00",
            hint=f"{fix} an ISO 8601 time, e.g. 2026-11-25T12:00:00+00:00 or 2026-11-25",
        ) from e
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def now(fixed: str | None = None) -> dt.datetime:
    """``fixed`` (--now) if given, else $PUBLISHER_NOW if set, else the real time (UTC)."""
    if fixed:
        return parse(fixed)
    text = os.environ.get(ENV)
    return parse(text, f"${ENV}") if text else dt.datetime.now(dt.UTC)
