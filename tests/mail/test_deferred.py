"""Registration mail rendered through the task's mail merge reads exactly as rendered alone."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest
from flask import Flask
from itsdangerous.timed import TimestampSigner
from sqlalchemy import select

from eventhub import i18n
from eventhub.extensions import db
from eventhub.mail import merge
from eventhub.mail.deferred import DeferredRenders
from eventhub.mail.models import OutboxMessage
from eventhub.mail.outbox import (
    DeferredEmail,
    RenderedEmail,
    contexts_at_send_time,
    queue_message,
    render_deferred,
    render_email,
)
from eventhub.registration import messages, notify
from eventhub.registration.models import Registration, RegistrationStatus
from eventhub.registration.series import register_series
from eventhub.registration.services import Applicant
from tests.support.factories import Factories

# Names a template could mangle: markup, quotes, ampersands, another script, long ones.
NAMES = [
    "Ada Lovelace",
    '<b>O\'Brien</b> & "Co"',
    "陳大文",
    "Zoë Ångström-Þórsdóttir " * 3,
]
# Every status that has an email of its own.
STATUSES = [
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.WAITLISTED,
    RegistrationStatus.PENDING,
    RegistrationStatus.OFFERED,
    RegistrationStatus.DECLINED,
]


@pytest.fixture(autouse=True)
def _one_second(monkeypatch: pytest.MonkeyPatch) -> None:
    """Manage links carry the second they are signed in, and each render signs them anew."""
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: 1_800_000_000)


def _rows() -> list[Any]:
    return list(db.session.execute(select(OutboxMessage.__table__).order_by(OutboxMessage.id)))


def _every_kind(make: Factories, language: str) -> None:
    session = make.session(capacity=10, title="AI <and> industry")
    for name in NAMES:
        for status in STATUSES:
            registration = make.registration(session, status=status, name=name, language=language)
            notify.status_mail(registration)
            notify.resend(registration)
        confirmed = make.registration(session, name=name, language=language)
        notify.promoted(confirmed)
        notify.cancelled_by_attendee(confirmed, had_invite=True)
        confirmed.cancel_reason = "The <room> & the speaker are unavailable"
        notify.cancelled_by_organiser(confirmed, had_invite=True)
    db.session.flush()


def _same(merged: RenderedEmail | None, alone: RenderedEmail | None) -> None:
    assert merged is not None and alone is not None
    assert merged.subject == alone.subject
    assert merged.text == alone.text
    assert merged.html == alone.html


@pytest.mark.parametrize("language", ["en", "zh-Hant"])
def test_every_registration_email_reads_the_same_merged(
    app: Flask, make: Factories, language: str
) -> None:
    _every_kind(make, language)
    rows = _rows()
    assert len({r.render["template"] for r in rows}) == 8  # every registration template
    renders = DeferredRenders()
    for row in rows:
        _same(renders.render(row), render_deferred(row))


def test_one_render_per_template_and_shared_context(
    app: Flask, make: Factories, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = make.session(capacity=100)
    for n in range(40):
        registration = make.registration(
            session, name=f"Person {n}", timezone=["UTC", "Asia/Hong_Kong"][n % 2]
        )
        notify.status_mail(registration)
    db.session.flush()
    renders = DeferredRenders()
    rendered: list[str] = []
    real = merge.render_email

    def counting(template: str, **context: Any) -> RenderedEmail:
        rendered.append(template)
        return real(template, **context)

    monkeypatch.setattr(merge, "render_email", counting)
    for row in _rows():
        _same(renders.render(row), render_deferred(row))
    assert rendered == ["confirmation", "confirmation"]  # one per zone


def test_a_series_registrant_keeps_their_own_series_link(app: Flask, make: Factories) -> None:
    series = make.series()
    make.session(series, capacity=5)
    make.session(series, capacity=5)
    for n in range(2):
        register_series(
            series, Applicant(name=f"Person {n}", email=f"p{n}@example.org", timezone="UTC")
        )
    db.session.flush()
    rows = _rows()
    contexts = contexts_at_send_time(rows)
    assert rows and all(contexts[r.id]["series_manage_url"] for r in rows)
    renders = DeferredRenders()
    renders.prepare(rows)
    for row in rows:
        merged = renders.render(row)
        _same(merged, render_deferred(row))
        assert merged is not None
        assert contexts[row.id]["series_manage_url"] in merged.text
    registrations = db.session.scalars(select(Registration)).all()
    assert len(registrations) == 4


@pytest.mark.parametrize("language", ["en", "zh-Hant"])
def test_a_context_built_at_send_time_reads_as_the_snapshot_queued_with_the_row(
    app: Flask, make: Factories, language: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows keep no snapshot now; what the worker builds from them says, byte for byte, what
    the snapshot taken when the row was queued said (every kind, status, language, name)."""
    snapshots: dict[str, dict[str, Any]] = {}
    queue = messages.queue_for_registration

    def queue_and_snapshot(registration: Registration, *args: Any, **kwargs: Any) -> Any:
        # What the old code stored on the row, taken at the same moment (the same language).
        extra = {k: v for k, v in kwargs.items() if k not in ("with_ics", "attachments")}
        context = messages.mail_context(registration, **extra)
        snapshots[str(args[2])] = json.loads(json.dumps(messages.snapshot(context)))
        return queue(registration, *args, **kwargs)

    monkeypatch.setattr(messages, "queue_for_registration", queue_and_snapshot)
    monkeypatch.setattr(notify, "queue_for_registration", queue_and_snapshot)
    _every_kind(make, language)
    rows = _rows()
    assert rows and all("context" not in r.render for r in rows)
    assert {r.dedupe_key for r in rows} == set(snapshots)
    renders = DeferredRenders()
    renders.prepare(rows)
    for row in rows:
        old = snapshots[row.dedupe_key]
        with i18n.language(old["language"]):
            expected = render_email(row.render["template"], **old)
        _same(render_deferred(row), expected)
        _same(renders.render(row), expected)


def test_a_row_queued_with_a_snapshot_still_sends(app: Flask, make: Factories) -> None:
    """Rows written by the code before (a JSON snapshot of the context) render as they did."""
    from eventhub.mail import delivery
    from eventhub.mail.models import DevMailboxMessage, MessageKind

    session = make.session(title="Queued before")
    registration = make.registration(session, name="Ada Old", language="zh-Hant")
    context = messages.mail_context(registration)
    envelope = messages.registrant_envelope(
        registration,
        session,
        MessageKind.CONFIRMATION,
        messages.registration_key("x", registration),
    )
    stored = json.loads(json.dumps(messages.snapshot(context)))
    queue_message(envelope, DeferredEmail("confirmation", stored))
    db.session.commit()
    [row] = _rows()
    assert row.render["context"] == stored and "build" not in row.render
    expected = render_deferred(row)
    assert expected is not None and "Ada Old" in expected.text
    assert delivery.deliver_due(batch_size=10, max_batches=1)[0].sent == 1
    [received] = db.session.scalars(select(DevMailboxMessage)).all()
    [sent] = _rows()
    assert (sent.subject, sent.body_text, sent.body_html) == (
        expected.subject,
        expected.text,
        expected.html,
    )
    assert received.subject == expected.subject


def test_a_row_whose_registration_is_gone_fails_instead_of_sending_nothing(
    app: Flask, make: Factories
) -> None:
    registration = make.registration(make.session())
    notify.status_mail(registration)
    db.session.flush()
    [row] = _rows()
    gone = SimpleNamespace(**{**row._asdict(), "registration_id": registration.id + 1000})
    with pytest.raises(LookupError):
        DeferredRenders().render(gone)


class _Recording:
    """A transport that keeps what it is given; `refuse` raises instead for those rows."""

    def __init__(self, refuse: Exception | None = None) -> None:
        self.sent: dict[int | None, Any] = {}
        self.refuse = refuse

    def send(self, message: Any, outbox_id: int | None) -> None:
        if self.refuse is not None:
            raise self.refuse
        self.sent[outbox_id] = message

    def close(self) -> None:
        return None


def _registration_rows(make: Factories, n: int) -> list[Any]:
    session = make.session(capacity=n // 2)
    for i in range(n):
        notify.status_mail(make.registration(session, name=f"Person {i}"))
    db.session.commit()
    rows = _rows()
    assert len(rows) == n and all(r.render for r in rows)
    return rows


def test_a_rendered_row_is_marked_sent_and_stored_in_one_statement(
    app: Flask, make: Factories, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The text rendered at send time is stored by the sent mark itself (a statement of its
    own wrote every such row a second time)."""
    from eventhub.mail import delivery, transport
    from eventhub.mail.transport import LazyTransport
    from tests.support.statements import count_statements

    queued = _registration_rows(make, 4)
    expected = {r.id: render_deferred(r) for r in queued}
    fake = _Recording()
    monkeypatch.setattr(transport, "connect", lambda: fake)
    ids = delivery.claim_batch(10)
    with count_statements(db.engine) as log, LazyTransport() as lazy:
        assert delivery.deliver_claimed(ids, lazy).sent == 4
    writes = [s for s in log.statements if s.startswith("UPDATE outbox_messages")]
    assert len(writes) == 4
    sent = _rows()
    assert {r.status.value for r in sent} == {"sent"}
    for row in sent:
        email = expected[row.id]
        assert email is not None and row.render is None
        assert (row.subject, row.body_text, row.body_html) == (
            email.subject,
            email.text,
            email.html,
        )
        assert row.attempts == 1 and row.sent_at is not None
    # The confirmations' calendar invites are kept with them, as sent.
    confirmed = [r for r in sent if r.kind.value == "confirmation"]
    assert confirmed and all(
        [a["filename"][-4:] for a in r.attachments] == [".ics"] for r in confirmed
    )


def test_a_rendered_row_that_is_deferred_keeps_what_it_was_rendered_as(
    app: Flask, make: Factories, monkeypatch: pytest.MonkeyPatch
) -> None:
    from eventhub.mail import delivery, transport
    from eventhub.mail.transport import LazyTransport, TransientDeliveryError

    [queued] = _registration_rows(make, 1)
    expected = render_deferred(queued)
    refusing = _Recording(refuse=TransientDeliveryError("451 try again later"))
    monkeypatch.setattr(transport, "connect", lambda: refusing)
    ids = delivery.claim_batch(10)
    with LazyTransport() as lazy:
        assert delivery.deliver_claimed(ids, lazy).deferred == 1
    [row] = _rows()
    assert expected is not None and row.status.value == "deferred" and row.render is None
    assert (row.subject, row.body_text) == (expected.subject, expected.text)
