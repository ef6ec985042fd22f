"""Telling registrants that their session moved or was cancelled: a batched mail merge.

The organiser's request costs the same statements for 5 registrants as for 50 (the rows are
written in chunks, one INSERT … ON CONFLICT DO NOTHING each), every registrant still gets their
own message (the calendar update or cancel only where they held a seat), and writing the same
fan-out again creates nothing twice.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from flask.testing import FlaskClient

from eventhub.clock import utcnow
from eventhub.extensions import db
from eventhub.mail.models import MessageKind
from eventhub.registration import notices
from eventhub.registration.models import RegistrationStatus
from eventhub.scheduling.models import Session
from tests.mail.support import outbox
from tests.support.factories import Factories, LoginHelper
from tests.support.statements import count_statements

MIX = (
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.WAITLISTED,
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.PENDING,
    RegistrationStatus.OFFERED,
)


def _session_with(make: Factories, registrants: int) -> Session:
    session = make.session(capacity=1000, starts_at=utcnow() + timedelta(days=5))
    make.link(session, make.speaker(email="speaker@example.org"))
    zones = ("Europe/London", "Asia/Hong_Kong", "America/New_York")
    for n in range(registrants):
        make.registration(
            session,
            email=f"r{n}@example.org",
            name=f"Reader {n}",
            status=MIX[n % len(MIX)],
            timezone=zones[n % len(zones)],
            language=("en", "zh_Hant")[n % 2],
        )
    make.registration(session, email="gone@example.org", status=RegistrationStatus.CANCELLED)
    db.session.commit()
    return session


def _statements(client: FlaskClient, url: str, data: dict[str, str]) -> list[str]:
    db.session.remove()
    with count_statements(db.engine) as log:
        response = client.post(url, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:400]
    return [s for s in log.statements if not s.startswith(("BEGIN", "SAVEPOINT", "RELEASE"))]


def _reschedule(client: FlaskClient, session: Session) -> list[str]:
    new_start = (session.starts_at + timedelta(days=1)).astimezone(
        ZoneInfo(session.series.timezone)
    )
    return _statements(
        client,
        f"/organiser/sessions/{session.id}/reschedule",
        {
            "starts_at": new_start.strftime("%Y-%m-%dT%H:%M"),
            "timezone": session.series.timezone,
            "duration_minutes": "60",
            "reason": "The speaker's flight moved.",
        },
    )


@pytest.mark.parametrize("action", ["reschedule", "cancel"])
def test_the_organisers_request_costs_the_same_for_5_or_50_registrants(
    client: FlaskClient, make: Factories, login: LoginHelper, action: str
) -> None:
    few_session = _session_with(make, 5)
    many_session = _session_with(make, 50)
    login(make.organiser())
    few_id, many_id = few_session.id, many_session.id
    counts = []
    for session_id in (few_id, many_id):
        session = db.session.get(Session, session_id)
        assert session is not None
        if action == "reschedule":
            log = _reschedule(client, session)
        else:
            log = _statements(
                client,
                f"/organiser/sessions/{session_id}/cancel",
                {"reason": "Venue closed.", "confirm": "y"},
            )
        counts.append(log)
    few, many = counts
    assert len(few) == len(many), "\n".join(s[:100] for s in many)
    kind = MessageKind.RESCHEDULED if action == "reschedule" else MessageKind.SESSION_CANCELLED
    # Everyone still expecting to hear (not the cancelled one), and the speaker.
    assert len(outbox(kind, session_id=few_id)) == 5 + 1
    assert len(outbox(kind, session_id=many_id)) == 50 + 1


def test_each_registrant_gets_their_own_message_and_only_seats_get_an_invite(
    make: Factories,
) -> None:
    session = _session_with(make, 10)
    previous = session.starts_at
    session.starts_at = previous + timedelta(days=1)
    session.sequence += 1
    db.session.flush()
    assert notices.tell_registrants_rescheduled(session, previous) == 10
    db.session.commit()
    rows = [r for r in outbox(MessageKind.RESCHEDULED) if r.registration_id is not None]
    assert len(rows) == 10
    for row in rows:
        n = int(row.recipient_email[1:].split("@")[0])
        # The greeting names them, in their own language.
        assert f"Reader {n}" in row.body_text and f"Reader {n}" in row.body_html
        assert f"Reader {n + 1}" not in row.body_text
        assert "\x00" not in row.subject + row.body_text + row.body_html
        assert (row.attachments != []) is (MIX[n % len(MIX)] is RegistrationStatus.CONFIRMED)
        assert row.dedupe_key == f"rescheduled:{session.id}:r{n}@example.org:seq1"
        assert "/manage" in row.body_text


def test_a_fan_out_written_twice_creates_nothing_twice(make: Factories) -> None:
    session = _session_with(make, 7)
    assert notices.tell_registrants_cancelled(session) == 7
    assert notices.tell_registrants_cancelled(session) == 0
    db.session.commit()
    assert len(outbox(MessageKind.SESSION_CANCELLED)) == 7


def test_a_fan_out_larger_than_a_chunk_is_written_chunk_by_chunk(
    make: Factories, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(notices, "CHUNK", 3)
    session_id = _session_with(make, 8).id
    db.session.remove()
    session = db.session.get(Session, session_id)
    assert session is not None
    with count_statements(db.engine) as log:
        assert notices.tell_registrants_cancelled(session) == 8
    inserts = [s for s in log.statements if s.lstrip().upper().startswith("INSERT")]
    assert len(inserts) == 3
    db.session.commit()
    assert len({r.recipient_email for r in outbox(MessageKind.SESSION_CANCELLED)}) == 8


def test_a_retry_after_part_was_written_adds_only_the_rest(make: Factories) -> None:
    session = _session_with(make, 4)
    assert notices.tell_registrants_cancelled(session) == 4
    db.session.commit()
    # Two more registrants appear (as rows a crashed attempt had not reached would be).
    for n in (4, 5):
        make.registration(session, email=f"r{n}@example.org", name=f"Reader {n}")
    db.session.commit()
    assert notices.tell_registrants_cancelled(session) == 2
    db.session.commit()
    rows = outbox(MessageKind.SESSION_CANCELLED)
    assert sorted(r.recipient_email for r in rows) == [f"r{n}@example.org" for n in range(6)]
