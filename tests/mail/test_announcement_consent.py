"""The "tell me about future sessions" consent decides who hears about new sessions."""

from __future__ import annotations

from flask.testing import FlaskClient

from eventhub.clock import utcnow
from eventhub.emails.announcements import Audience, Topic, send_announcement
from eventhub.extensions import db
from eventhub.mail.models import MessageKind
from tests.mail.support import outbox
from tests.support.factories import Factories, LoginHelper


def _announce(series_id: int, client: FlaskClient, **fields: str) -> int:
    form = {
        "subject": "Webinar 3 is open",
        "body": "Registration is open.",
        "audience": "all",
        "session_id": "",
        "batch_id": fields.pop("batch_id", "b1"),
        "send": "Send",
        **fields,
    }
    return client.post(f"/organiser/mail/series/{series_id}/announce", data=form).status_code


def test_news_of_new_sessions_goes_only_to_people_who_asked_for_it(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    """Before, every registrant got it, whether or not they ticked the box."""
    series = make.series()
    one, two = make.session(series), make.session(series)
    make.registration(one, "yes@example.org", is_marketing_consent=True)
    make.registration(one, "no@example.org", is_marketing_consent=False)
    make.registration(one, "changed@example.org", is_marketing_consent=True)
    # The latest registration's answer counts: this person no longer wants the news.
    make.registration(two, "Changed@example.org", is_marketing_consent=False)
    login(make.organiser(is_admin=True))
    assert _announce(series.id, client) == 302
    assert [r.recipient_email for r in outbox(MessageKind.ANNOUNCEMENT)] == ["yes@example.org"]


def test_a_message_about_their_sessions_still_reaches_everyone(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    series = make.series()
    session = make.session(series)
    make.registration(session, "yes@example.org", is_marketing_consent=True)
    make.registration(session, "no@example.org", is_marketing_consent=False)
    login(make.organiser(is_admin=True))
    assert _announce(series.id, client, topic=Topic.THEIR_SESSIONS.value) == 302
    assert sorted(r.recipient_email for r in outbox(MessageKind.ANNOUNCEMENT)) == [
        "no@example.org",
        "yes@example.org",
    ]


def test_the_default_topic_is_news_and_needs_consent(make: Factories) -> None:
    series = make.series()
    make.registration(make.session(series), "no@example.org", is_marketing_consent=False)
    make.registration(make.session(series), "yes@example.org", is_marketing_consent=True)
    queued = send_announcement(
        series,
        subject="New webinar",
        body_markdown="x",
        audience=Audience.ALL,
        session_id=None,
        batch_id="b",
        now=utcnow(),
    )
    db.session.commit()
    assert queued == 1
    assert [r.recipient_email for r in outbox(MessageKind.ANNOUNCEMENT)] == ["yes@example.org"]
