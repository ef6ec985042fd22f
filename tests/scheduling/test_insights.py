"""The series dashboard's charts: sign-ups per day, attendance, email by status."""

from __future__ import annotations

from datetime import timedelta

from flask.testing import FlaskClient

from eventhub.clock import utcnow
from eventhub.extensions import db
from eventhub.insights.series import SIGNUP_WINDOW_DAYS, series_insights
from eventhub.mail.models import MessageKind, MessageStatus
from eventhub.mail.outbox import Envelope, RenderedEmail, queue_message
from eventhub.registration.models import RegistrationStatus
from tests.support.factories import Factories, LoginHelper


def test_signups_attendance_and_mail(make: Factories) -> None:
    now = utcnow()
    series = make.series()
    past = make.session(series, starts_at=now - timedelta(days=3))
    upcoming = make.session(series, starts_at=now + timedelta(days=3))
    for index in range(4):
        make.registration(past, is_attended=index < 3, created_at=now - timedelta(days=10))
    make.registration(past, status=RegistrationStatus.WAITLISTED, created_at=now)
    make.registration(upcoming, created_at=now)
    make.registration(upcoming, created_at=now - timedelta(days=1))
    make.registration(make.session(make.series()), created_at=now)  # another series
    queue_message(
        Envelope(
            kind=MessageKind.ANNOUNCEMENT,
            dedupe_key="insights-test",
            recipient_email="a@example.org",
            series_id=series.id,
        ),
        RenderedEmail(subject="s", html="h", text="t"),
    )
    db.session.flush()

    found = series_insights(series, now=now)

    assert len(found.signups) == SIGNUP_WINDOW_DAYS
    assert found.signups_total == 7
    assert found.signups[-1].value == 2
    assert found.signups[-2].value == 1
    assert found.signups[-11].value == 4
    assert [(bar.label, bar.value, bar.part) for bar in found.attendance] == [
        (f"Webinar {past.number}", 4, 3)
    ]
    assert found.attendance_rate == 0.75
    assert found.mail.totals == {MessageStatus.QUEUED: 1}


def test_dashboard_draws_the_charts(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    series = make.series()
    session = make.session(series, starts_at=utcnow() - timedelta(days=2))
    make.registration(session, is_attended=True)
    login(make.organiser())
    page = client.get(f"/organiser/series/{series.id}").get_data(as_text=True)
    assert "How the series is doing" in page
    assert 'role="img" aria-label="New registrations per day"' in page
    assert "100% of confirmed registrants attended" in page
    assert "No email sent yet" in page
