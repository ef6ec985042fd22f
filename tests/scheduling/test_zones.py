"""Wall-clock readings: DST gaps refused, overlaps asked about, never silently shifted."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from eventhub.scheduling.zones import LocalTimeProblem, WallClock, to_utc, to_wall_clock


def test_ordinary_time_converts() -> None:
    assert to_utc(datetime(2027, 3, 12, 14, 30), "Asia/Hong_Kong") == datetime(
        2027, 3, 12, 6, 30, tzinfo=UTC
    )


def test_gap_is_refused() -> None:
    with pytest.raises(LocalTimeProblem, match="does not exist") as caught:
        to_utc(datetime(2027, 3, 28, 1, 30), "Europe/London")
    assert not caught.value.ambiguous


def test_overlap_needs_a_choice() -> None:
    reading = datetime(2027, 10, 31, 1, 30)
    with pytest.raises(LocalTimeProblem, match="happens twice") as caught:
        to_utc(reading, "Europe/London")
    assert caught.value.ambiguous
    assert to_utc(reading, "Europe/London", WallClock.EARLIER) == datetime(
        2027, 10, 31, 0, 30, tzinfo=UTC
    )
    assert to_utc(reading, "Europe/London", WallClock.LATER) == datetime(
        2027, 10, 31, 1, 30, tzinfo=UTC
    )


def test_wall_clock_round_trip_remembers_the_fold() -> None:
    later = datetime(2027, 10, 31, 1, 30, tzinfo=UTC)
    assert to_wall_clock(later, "Europe/London") == (datetime(2027, 10, 31, 1, 30), WallClock.LATER)
    plain = datetime(2027, 6, 1, 9, 0, tzinfo=UTC)
    assert to_wall_clock(plain, "Europe/London") == (datetime(2027, 6, 1, 10, 0), None)
