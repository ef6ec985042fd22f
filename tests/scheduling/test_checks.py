"""Warnings before publishing: double-booked speakers, overlapping sessions, past reminders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from eventhub.scheduling.checks import publish_warnings
from eventhub.scheduling.models import Session, SessionStatus
from tests.support.factories import Factories

START = datetime(2027, 3, 12, 6, 0, tzinfo=UTC)


def _codes(session: Session) -> list[str]:
    return [w.code for w in publish_warnings(session, now=START - timedelta(days=30))]


def test_speaker_booked_twice_is_named(make: Factories) -> None:
    speaker = make.speaker(full_name="Sunny Chai")
    elsewhere = make.session(make.series(title="Other"), starts_at=START + timedelta(minutes=30))
    make.link(elsewhere, speaker)
    session = make.session(make.series(), starts_at=START, status=SessionStatus.DRAFT)
    make.link(session, speaker)
    warnings = publish_warnings(session, now=START - timedelta(days=30))
    (clash,) = [w for w in warnings if w.code == "speaker_overlap"]
    assert "Sunny Chai" in clash.message and "Other" in clash.message


def test_no_warning_for_back_to_back_or_cancelled(make: Factories) -> None:
    speaker = make.speaker()
    series = make.series()
    after = make.session(series, starts_at=START + timedelta(minutes=60))
    cancelled = make.session(series, starts_at=START, status=SessionStatus.CANCELLED)
    make.link(after, speaker)
    make.link(cancelled, speaker)
    session = make.session(series, starts_at=START, status=SessionStatus.DRAFT)
    make.link(session, speaker)
    assert "speaker_overlap" not in _codes(session)
    assert "series_overlap" not in _codes(session)


def test_sessions_of_one_series_overlapping(make: Factories) -> None:
    series = make.series()
    make.session(series, starts_at=START + timedelta(minutes=15))
    session = make.session(series, starts_at=START, status=SessionStatus.DRAFT)
    assert "series_overlap" in _codes(session)


def test_reminder_that_would_be_past(make: Factories) -> None:
    session = make.session(starts_at=START, status=SessionStatus.DRAFT)
    warnings = publish_warnings(session, now=START - timedelta(hours=2))
    past = [w for w in warnings if w.code == "reminder_in_past"]
    assert len(past) == 1 and "24 h reminder" in past[0].message
