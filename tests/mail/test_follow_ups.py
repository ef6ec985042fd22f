"""Follow-ups: after the session and the recap, attended vs missed, with the next sessions."""

from __future__ import annotations

from datetime import timedelta

from eventhub.clock import utcnow
from eventhub.emails import follow_ups
from eventhub.extensions import db
from eventhub.mail.models import MessageKind
from eventhub.recaps.models import Recap
from eventhub.registration.models import RegistrationStatus
from eventhub.scheduling.models import Series, Session
from tests.mail.support import outbox
from tests.support.factories import Factories


def _past_session_with_recap(
    make: Factories, published: bool = True
) -> tuple[Series, Session, Recap]:
    series = make.series(follow_up_delay_minutes=120, title="Re-industrialization")
    start = (utcnow() - timedelta(days=1)).replace(microsecond=0)
    session = make.session(series=series, starts_at=start, title="Opportunities and challenges")
    make.session(series=series, starts_at=utcnow() + timedelta(days=20), title="How does AI help?")
    recap = Recap(
        session_id=session.id,
        headline="Re-industrialization is about innovation",
        lead="Four speakers shared their views.",
        recording_url="https://video.example.org/webinar-1",
        slides_url="https://files.example.org/slides-1.pdf",
        published_at=start + timedelta(hours=3) if published else None,
    )
    db.session.add(recap)
    db.session.flush()
    return series, session, recap


def test_attended_and_missed_variants_with_recap_recording_and_next_sessions(
    make: Factories,
) -> None:
    series, session, _recap = _past_session_with_recap(make)
    came = make.registration(session, is_attended=True)
    missed = make.registration(session)
    make.registration(session, status=RegistrationStatus.WAITLISTED)
    db.session.commit()

    assert follow_ups.create_due_follow_ups(utcnow()) == 2
    assert follow_ups.create_due_follow_ups(utcnow()) == 0

    attended = outbox(MessageKind.FOLLOW_UP_ATTENDED)
    sorry = outbox(MessageKind.FOLLOW_UP_MISSED)
    assert [r.registration_id for r in attended] == [came.id]
    assert [r.registration_id for r in sorry] == [missed.id]
    thanks, apology = attended[0], sorry[0]
    assert thanks.subject.startswith("Thank you for joining")
    assert "/series/" in thanks.body_text and "/recap" in thanks.body_text
    assert "slides-1.pdf" in thanks.body_html
    assert apology.subject.startswith("Sorry we missed you")
    assert "https://video.example.org/webinar-1" in apology.body_html
    for row in (thanks, apology):
        assert "How does AI help?" in row.body_html and "Read more" in row.body_html
        assert "Register" in row.body_text
        assert row.headers["List-Unsubscribe"].startswith("<http://eventhub.test/unsubscribe/")
        assert row.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert "Unsubscribe from Re-industrialization emails" in row.body_text
        assert row.series_id == series.id


def test_waits_for_the_delay_and_for_the_recap(make: Factories) -> None:
    _series, session, recap = _past_session_with_recap(make, published=False)
    make.registration(session, is_attended=True)
    db.session.commit()
    assert follow_ups.create_due_follow_ups(utcnow()) == 0  # no recap yet
    recap.published_at = utcnow()
    db.session.commit()
    assert follow_ups.create_due_follow_ups(utcnow()) == 1


def test_not_before_the_follow_up_delay(make: Factories) -> None:
    _series, session, recap = _past_session_with_recap(make)
    make.registration(session)
    db.session.commit()
    ends = session.ends_at
    recap.published_at = ends  # published the minute it ended
    db.session.commit()
    assert follow_ups.create_due_follow_ups(ends + timedelta(minutes=119)) == 0
    assert follow_ups.create_due_follow_ups(ends + timedelta(minutes=120)) == 1
