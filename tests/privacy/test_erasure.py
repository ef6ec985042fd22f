"""Erase me: nothing personal is left in any table or outbox row; the figures do not move."""

from __future__ import annotations

from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy import select

from eventhub.activity.models import ActivityEntry
from eventhub.emails import reminders
from eventhub.extensions import db
from eventhub.mail import delivery
from eventhub.mail.models import DevMailboxMessage, MessageKind, MessageStatus, OutboxMessage
from eventhub.privacy.erasure import SELF_ERASURE, address_digest, erase_person
from eventhub.registration.models import Registration
from tests.privacy.support import (
    EMAIL,
    build,
    everything,
    figures,
    traces,
    with_waitlist_place_withdrawn,
)
from tests.support.factories import Factories, LoginHelper


def test_the_scenario_holds_the_person_everywhere_before(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    """The scan finds what it should: otherwise a clean result after erasure proves nothing."""
    build(make, client, login)
    tables = {t.split(".")[0] for t in traces()}
    assert {
        "registrations",
        "series_registrations",
        "outbox_messages",
        "dev_mailbox_messages",
        "unsubscribes",
        "activity_entries",
    } <= tables


def test_erasing_from_the_manage_page_leaves_nothing_personal_and_keeps_the_figures(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    world = build(make, client, login)
    before = figures()
    page = client.get(f"/manage/{world.token}/erase")
    # In the language of their emails (they chose Traditional Chinese).
    assert page.status_code == 200 and "刪除我的資料" in page.get_data(as_text=True)
    assert traces() != []  # a GET only asks

    response = client.post(f"/manage/{world.token}/erase")

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/privacy/erased?lang=zh-Hant")
    assert "你的資料已刪除" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert traces() == []
    # Counts kept; only the place on the waitlist of a session yet to start is given up.
    assert figures() == with_waitlist_place_withdrawn(before, world.full.id)
    db.session.expire_all()
    # The queued announcement will not go; the sent confirmations stay counted as sent.
    rows = db.session.scalars(select(OutboxMessage)).all()
    mine = [r for r in rows if r.recipient_email.endswith("@erased.invalid")]
    assert {r.kind for r in mine if r.status is MessageStatus.SUPPRESSED} == {
        MessageKind.ANNOUNCEMENT
    }
    assert any(r.status is MessageStatus.SENT for r in mine)
    assert all(r.headers == {} and r.render is None and r.body_html == "" for r in mine)
    assert db.session.scalars(select(DevMailboxMessage)).all() != []  # the other person's
    # The manage link, its download and the erase page itself are gone.
    for path in ("", "/my-data.json", "/erase", "/cancel"):
        assert client.get(f"/manage/{world.token}{path}").status_code == 404
    # The log keeps that an erasure happened, under a hash of the address.
    entries = db.session.scalars(
        select(ActivityEntry).where(ActivityEntry.action == SELF_ERASURE)
    ).all()
    assert {e.series_id for e in entries} == {world.series_a.id, world.series_b.id}
    assert {e.target for e in entries} == {f"Person {address_digest(EMAIL)}"}


def test_no_further_mail_goes_to_an_erased_person(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    world = build(make, client, login)
    client.post(f"/manage/{world.token}/erase")
    # The day before the session, reminders go to everyone confirmed — the seat is still
    # counted, but the erased registration gets none; nor does anything already queued go.
    reminders.create_due_reminders(world.open.starts_at - timedelta(hours=23))
    db.session.expire_all()
    queued = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.status == MessageStatus.QUEUED)
    ).all()
    # Every session starts at the same time: only the other person's reminder is written.
    assert [(r.kind, r.recipient_email) for r in queued] == [
        (MessageKind.REMINDER, "other@example.org")
    ]
    result, _ = delivery.deliver_due(batch_size=50, max_batches=5)
    assert result.sent == 1
    db.session.expire_all()
    erased = db.session.get(Registration, world.registration_id)
    assert erased is not None and erased.is_attended and erased.name == "[erased]"


def test_erasing_twice_changes_nothing_more(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    world = build(make, client, login)
    client.post(f"/manage/{world.token}/erase")
    snapshot = everything()
    again = erase_person(EMAIL, series_ids=None, actor=None, action=SELF_ERASURE)
    db.session.commit()
    assert not again.found_anything
    assert everything() == snapshot
