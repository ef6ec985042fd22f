"""The public programme: home, series and session pages as a visitor sees them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient

from eventhub.clock import utcnow
from eventhub.extensions import db
from eventhub.registration.models import RegistrationStatus
from eventhub.scheduling.models import SessionStatus
from eventhub.speakers.models import SpeakerRole
from tests.support.factories import Factories
from tests.support.programme import install_recap_page


def test_series_page_shows_cards_with_speakers_and_actions(
    app: Flask, client: FlaskClient, make: Factories
) -> None:
    install_recap_page(app)
    series = make.series(title="Re-industrialization", slug="reind", summary="Four webinars.")
    past = make.session(
        series, starts_at=utcnow() - timedelta(days=30), title="University role", slug="uni"
    )
    full = make.session(series, title="AI in Hong Kong", capacity=1)
    open_ = make.session(series, title="Textile roadmap", capacity=40)
    make.session(series, title="Hidden draft", status=SessionStatus.DRAFT)
    moderator = make.speaker(full_name="Bobby Lui", organisation="Young Industrialists Council")
    make.link(open_, make.speaker(full_name="Sunny Chai", honorific="Dr"))
    make.link(open_, moderator, role=SpeakerRole.MODERATOR)
    make.registration(full)
    make.registration(open_)
    make.recap(past)
    db.session.commit()

    html = client.get("/series/reind").get_data(as_text=True)

    assert "<h1>Re-industrialization</h1>" in html
    assert "Hidden draft" not in html
    assert html.index("Upcoming webinars") < html.index("AI in Hong Kong")
    assert html.index("Past webinars") < html.index("University role")
    assert "Join the waitlist" in html
    assert "39 seats left" in html
    assert "Dr Sunny Chai" in html and "Moderator" in html
    assert "Young Industrialists Council" in html
    assert "/series/reind/uni/recap" in html and "Read more" in html
    assert '<time datetime="' in html
    assert 'property="og:title"' in html
    assert "/series/reind/calendar.ics" in html


def test_read_more_only_once_the_recap_is_published(
    app: Flask, client: FlaskClient, make: Factories
) -> None:
    install_recap_page(app)
    series = make.series(slug="s")
    past = make.session(series, starts_at=utcnow() - timedelta(days=3))
    recap = make.recap(past, published=False)
    db.session.commit()
    assert "Read more" not in client.get("/series/s").get_data(as_text=True)
    recap.published_at = utcnow()
    db.session.commit()
    assert "Read more" in client.get("/series/s").get_data(as_text=True)


def test_unpublished_series_and_draft_sessions_are_not_public(
    client: FlaskClient, make: Factories
) -> None:
    hidden = make.series(slug="hidden", is_published=False)
    make.session(hidden, slug="w1")
    series = make.series(slug="open")
    make.session(series, slug="draft", status=SessionStatus.DRAFT)
    db.session.commit()
    assert client.get("/series/hidden").status_code == 404
    assert client.get("/series/hidden/w1").status_code == 404
    assert client.get("/series/open/draft").status_code == 404
    assert client.get("/series/open/draft/calendar.ics").status_code == 404


def test_session_page_has_the_full_content(client: FlaskClient, make: Factories) -> None:
    series = make.series(slug="s", title="Series")
    session = make.session(
        series,
        slug="ai",
        title="AI reinvents industry",
        abstract="How **AI** changes <script>alert(1)</script> factories.",
        capacity=10,
    )
    make.link(session, make.speaker(full_name="Man Hau-chung", short_bio="Dean of Engineering."))
    make.session(series, slug="next", title="The next one")
    db.session.commit()

    response = client.get("/series/s/ai")
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert "<strong>AI</strong>" in html and "<script>alert" not in html
    assert "Dean of Engineering." in html
    assert "10 seats left" in html
    assert 'id="register"' in html
    assert "/series/s/ai/calendar.ics" in html
    assert "calendar.google.com" in html and "outlook.live.com" in html
    assert "More in this series" in html and "The next one" in html
    assert "<title>AI reinvents industry · Series · eventhub</title>" in html


def test_cancelled_session_says_so_with_the_reason(client: FlaskClient, make: Factories) -> None:
    series = make.series(slug="s")
    make.session(
        series, slug="w", status=SessionStatus.CANCELLED, status_reason="The speaker is ill."
    )
    db.session.commit()
    html = client.get("/series/s/w").get_data(as_text=True)
    assert "This webinar is cancelled." in html and "The speaker is ill." in html
    assert "Register" not in html.split("More in this series")[0].split("<main")[1]


def test_registration_window_decides_the_action(client: FlaskClient, make: Factories) -> None:
    series = make.series(slug="s")
    make.session(series, slug="later", registration_opens_at=utcnow() + timedelta(days=2))
    make.session(series, slug="closed", registration_closes_at=utcnow() - timedelta(hours=1))
    db.session.commit()
    html = client.get("/series/s").get_data(as_text=True)
    assert "Registration opens" in html
    assert "Registration closed" in html


def test_home_lists_upcoming_sessions_across_published_series(
    client: FlaskClient, make: Factories
) -> None:
    make.session(make.series(title="Open series"), title="Coming soon")
    make.session(make.series(is_published=False), title="Secret")
    make.session(make.series(), title="Long ago", starts_at=datetime(2020, 1, 1, tzinfo=UTC))
    db.session.commit()
    html = client.get("/").get_data(as_text=True)
    assert "Coming soon" in html and "Open series" in html
    assert "Secret" not in html and "Long ago" not in html
    assert "Register" in html


def test_waitlisted_do_not_take_seats_pending_hold_theirs(
    client: FlaskClient, make: Factories
) -> None:
    # The registration domain's rule: a pending approval holds its seat while the organiser
    # decides (so approving never overbooks, and a decline frees a seat for the waitlist).
    series = make.series(slug="s")
    session = make.session(series, slug="w", capacity=3)
    make.registration(session, status=RegistrationStatus.WAITLISTED)
    make.registration(session, status=RegistrationStatus.PENDING)
    make.registration(session)
    db.session.commit()
    assert "1 seat left" in client.get("/series/s/w").get_data(as_text=True)


def test_more_in_this_series_shows_next_sessions_first(
    client: FlaskClient, make: Factories
) -> None:
    series = make.series(slug="s")
    now = utcnow()
    current = make.session(series, slug="current", starts_at=now + timedelta(days=1))
    make.session(series, title="Old past", starts_at=now - timedelta(days=20))
    make.session(series, title="Recent past", starts_at=now - timedelta(days=2))
    make.session(series, title="Far future", starts_at=now + timedelta(days=30))
    make.session(series, title="Next week", starts_at=now + timedelta(days=7))
    db.session.commit()
    html = client.get(f"/series/s/{current.slug}").get_data(as_text=True)
    more = html.split("More in this series")[1]
    assert more.index("Next week") < more.index("Far future") < more.index("Recent past")
    assert "Old past" not in more
