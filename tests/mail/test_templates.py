"""Emails read well in common clients: inline CSS, no remote fonts, absolute links, two zones."""

from __future__ import annotations

import re
from datetime import timedelta

from eventhub.clock import utcnow
from eventhub.emails import follow_ups, reminders
from eventhub.emails.announcements import Audience, send_announcement
from eventhub.extensions import db
from eventhub.recaps.models import Recap
from tests.mail.support import outbox
from tests.support.factories import Factories


def _all_kinds(make: Factories) -> None:
    series = make.series(title="Re-industrialization")
    past = make.session(series=series, starts_at=utcnow() - timedelta(days=1))
    ahead = make.session(series=series, starts_at=utcnow() + timedelta(days=3))
    db.session.add(
        Recap(session_id=past.id, headline="What we learnt", lead="x", published_at=utcnow())
    )
    make.registration(past, email="ada@example.org", is_attended=True, is_marketing_consent=True)
    make.registration(past, email="bob@example.org", is_marketing_consent=True)
    make.registration(
        ahead, email="cy@example.org", at=utcnow() - timedelta(days=1), is_marketing_consent=True
    )
    db.session.commit()
    reminders.create_due_reminders(ahead.starts_at - timedelta(hours=24))
    follow_ups.create_due_follow_ups(utcnow())
    send_announcement(
        series,
        subject="News",
        body_markdown="See [the programme](https://example.org/p).",
        audience=Audience.ALL,
        session_id=None,
        batch_id="b",
        now=utcnow(),
    )
    db.session.commit()


def test_every_email_is_self_contained_with_absolute_links(make: Factories) -> None:
    _all_kinds(make)
    rows = outbox()
    assert {r.kind.value for r in rows} == {
        "reminder",
        "follow_up_attended",
        "follow_up_missed",
        "announcement",
    }
    for row in rows:
        html = row.body_html
        assert "<link" not in html and "@import" not in html and "<script" not in html
        assert "<style" not in html  # inline styles only: clients strip <style> blocks
        for href in re.findall(r'href="([^"]+)"', html):
            assert href.startswith(("http://eventhub.test/", "https://")), (row.kind, href)
        assert re.search(r"<img[^>]+src=\"http", html) is None  # no remote images
        assert row.body_text.strip() and "<p" not in row.body_text
        assert "\n" not in row.subject


def test_times_name_the_readers_zone_and_the_series_zone(make: Factories) -> None:
    series = make.series(timezone="Asia/Hong_Kong")
    session = make.session(
        series=series, starts_at=utcnow().replace(microsecond=0) + timedelta(days=2)
    )
    make.registration(session, timezone="America/New_York", at=utcnow() - timedelta(days=1))
    make.registration(session, timezone="Asia/Hong_Kong", at=utcnow() - timedelta(days=1))
    db.session.commit()
    reminders.create_due_reminders(session.starts_at - timedelta(hours=24))
    new_york, hong_kong = outbox()
    assert re.search(r"\d\d:\d\d E[SD]T \(.*\d\d:\d\d HKT\)", new_york.body_text)
    assert "HKT (" not in hong_kong.body_text  # one zone when they are the same
