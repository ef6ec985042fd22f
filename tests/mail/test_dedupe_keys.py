"""The dedupe keys render exactly the strings written by hand before `DedupeKey` existed.

Outbox rows queued by an older release keep their keys; a message queued again after the
upgrade must collide with them (ON CONFLICT DO NOTHING), so each kind's string is pinned here.
"""

from __future__ import annotations

from datetime import timedelta

from eventhub.clock import utcnow
from eventhub.emails import announcements, follow_ups, guards, reminders
from eventhub.extensions import db
from eventhub.mail.dedupe import DedupeKey
from eventhub.mail.models import MessageKind
from eventhub.registration import notify
from eventhub.registration.messages import registration_key
from eventhub.registration.models import RegistrationStatus
from eventhub.speakers.notices import cancelled, rescheduled
from tests.mail.support import outbox
from tests.support.factories import Factories


def test_a_key_is_its_parts_joined_by_colons() -> None:
    key = DedupeKey("reminder", 7, 2, 60)
    assert str(key) == "reminder:7:2:60"
    assert key.prefix == "reminder:7:2:60:"
    assert str(key.child(12)) == "reminder:7:2:60:12"
    assert key.child(12) == DedupeKey("reminder", "7", "2", "60", "12")
    assert guards.reminder_sequence(str(key.child(12))) == 2


def test_every_kind_renders_the_string_it_always_had(make: Factories) -> None:
    session = make.session(starts_at=utcnow() + timedelta(days=3))
    session.sequence = 3
    speaker = make.speaker(email="s@example.org")
    seated = make.registration(session, email="Ada@Example.org")
    seated.token_version = 2
    offered = make.registration(session, status=RegistrationStatus.OFFERED)
    db.session.flush()
    s, r, o, p = session.id, seated.id, offered.id, speaker.id
    stamp = int(offered.offer_expires_at.timestamp()) if offered.offer_expires_at else 0
    previous = session.starts_at - timedelta(days=1)
    person = announcements.Recipient(email="Ada@Example.org", name="Ada")
    cases: list[tuple[DedupeKey, str]] = [
        (registration_key("confirmation", seated), f"confirmation:{r}:v2"),
        (registration_key("confirmation", seated, "resend", 9), f"confirmation:{r}:v2:resend:9"),
        (registration_key("promoted", seated, 1700000000), f"promoted:{r}:v2:1700000000"),
        (rescheduled(session, previous).key(seated.email), f"rescheduled:{s}:Ada@Example.org:seq3"),
        (cancelled(session).key(seated.email), f"session_cancelled:{s}:Ada@Example.org:cancel"),
        (rescheduled(session, previous).key("speaker", p), f"rescheduled:{s}:speaker:{p}:seq3"),
        (cancelled(session).key("speaker", p), f"session_cancelled:{s}:speaker:{p}:cancel"),
        (reminders.reminder_key(session, 1440).child(r), f"reminder:{s}:3:1440:{r}"),
        (follow_ups.follow_up_key(s).child(r), f"follow-up:{s}:{r}"),
        (
            announcements.announcement_key(session.series, "b1", person),
            f"announcement:{session.series_id}:b1:ada@example.org",
        ),
    ]
    assert [str(key) for key, _ in cases] == [expected for _, expected in cases]
    # The status mails, as queued: the key names the template, the registration and its
    # token version (a seat offer also its expiry).
    notify.status_mail(seated)
    notify.status_mail(offered)
    notify.cancelled_by_attendee(seated)
    notify.cancelled_by_organiser(seated)
    keys = {row.kind: row.dedupe_key for row in outbox()}
    assert keys == {
        MessageKind.CONFIRMATION: f"confirmation:{r}:v2",
        MessageKind.SEAT_OFFERED: f"seat_offered:{o}:v0:{stamp}",
        MessageKind.CANCELLED_BY_ATTENDEE: f"cancelled_by_attendee:{r}:v2",
        MessageKind.CANCELLED_BY_ORGANISER: f"cancelled_by_organiser:{r}:v2",
    }
