"""S3 timestamps read fast and right (stores.s3session)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from publisher.stores.s3session import _timestamp


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-30T06:55:01.000Z", datetime(2026, 11, 30, 6, 55, 1, tzinfo=UTC)),
        ("2026-11-30T06:55:01Z", datetime(2026, 11, 30, 6, 55, 1, tzinfo=UTC)),
        ("2026-11-30T06:55:01.123456Z", datetime(2026, 11, 30, 6, 55, 1, 123456, tzinfo=UTC)),
        (
            "2026-11-30T07:55:01+01:00",
            datetime(2026, 11, 30, 7, 55, 1, tzinfo=timezone(timedelta(hours=1))),
        ),
        ("Mon, 30 Nov 2026 06:55:01 GMT", datetime(2026, 11, 30, 6, 55, 1, tzinfo=UTC)),
    ],
)
def test_timestamps_are_timezone_aware_instants(text: str, expected: datetime) -> None:
    found = _timestamp(text)
    assert found == expected and found.tzinfo is not None
