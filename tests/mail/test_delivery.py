"""Delivery: claiming, outcomes per reply class, backoff, stale rows, suppression."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event
from sqlalchemy.pool import QueuePool

from eventhub.clock import utcnow
from eventhub.emails.unsubscribe import unsubscribe
from eventhub.extensions import db
from eventhub.mail import delivery, transport
from eventhub.mail.models import DevMailboxMessage, MessageKind, MessageStatus, OutboxMessage
from eventhub.mail.outbox import Envelope, RenderedEmail, queue_message
from eventhub.mail.transport import ConnectionLost, LazyTransport, TransientDeliveryError
from tests.mail.support import outbox
from tests.support.factories import Factories
from tests.support.rows import fresh
from tests.support.smtp import SmtpServer
from tests.support.statements import count_statements


def _queue(n: int = 1, kind: MessageKind = MessageKind.CONFIRMATION, **fields: Any) -> list[int]:
    ids = []
    for i in range(n):
        envelope = Envelope(
            kind=kind,
            dedupe_key=f"test:{kind.value}:{i}:{fields.get('series_id')}",
            recipient_email=fields.pop("email", None) or f"person{i}@example.org",
            recipient_name=f"Person {i}",
            **fields,
        )
        row_id = queue_message(
            envelope, RenderedEmail(subject=f"Message {i}", html="<p>x</p>", text="x")
        )
        assert row_id is not None
        ids.append(row_id)
    db.session.commit()
    return ids


def _deliver_all() -> delivery.BatchResult:
    result, _ = delivery.deliver_due(batch_size=50, max_batches=10)
    return result


@pytest.fixture
def with_smtp(app: Flask, smtp: SmtpServer) -> Iterator[SmtpServer]:
    smtp.clear()
    app.config.update(smtp.config())
    yield smtp
    smtp.clear()


@pytest.mark.smtp
def test_a_batch_goes_over_one_connection_and_rows_are_marked_sent(
    with_smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    connections = []
    real_connect = transport.connect

    def counting_connect() -> transport.Transport:
        connections.append(1)
        return real_connect()

    monkeypatch.setattr(transport, "connect", counting_connect)
    _queue(60)
    result = _deliver_all()
    assert result.sent == 60
    assert len(with_smtp.wait_for(60)) == 60
    assert len(connections) == 1
    rows = outbox()
    assert {r.status for r in rows} == {MessageStatus.SENT}
    assert all(r.attempts == 1 and r.sent_at is not None for r in rows)


@pytest.mark.smtp
def test_451_defers_with_backoff_and_the_retry_delivers(with_smtp: SmtpServer) -> None:
    [row_id] = _queue(1)
    with_smtp.reply_next("451 4.3.0 Try again later")
    assert _deliver_all().deferred == 1
    row = db.session.get(OutboxMessage, row_id)
    assert row is not None and row.status is MessageStatus.DEFERRED
    assert row.last_error.startswith("451")
    assert row.due_at > utcnow() + timedelta(seconds=10)
    assert _deliver_all().sent == 0  # not due yet
    result, _ = delivery.deliver_due(50, 10, now=utcnow() + timedelta(minutes=5))
    assert result.sent == 1
    assert fresh(row).status is MessageStatus.SENT and row.attempts == 2 and row.last_error == ""


@pytest.mark.smtp
def test_550_fails_with_the_servers_answer(with_smtp: SmtpServer) -> None:
    [row_id] = _queue(1)
    with_smtp.reply_next("550 5.1.1 Mailbox unavailable")
    assert _deliver_all().failed == 1
    row = db.session.get(OutboxMessage, row_id)
    assert row is not None and row.status is MessageStatus.FAILED
    assert row.last_error == "550 5.1.1 Mailbox unavailable"


def test_backoff_grows_with_jitter_and_is_capped() -> None:
    first = [delivery.backoff(1).total_seconds() for _ in range(50)]
    later = [delivery.backoff(5).total_seconds() for _ in range(50)]
    assert all(15 <= s <= 30 for s in first) and len(set(first)) > 1
    assert all(240 <= s <= 480 for s in later)
    assert delivery.backoff(50).total_seconds() <= delivery.MAX_BACKOFF_SECONDS


def test_server_unreachable_defers_the_whole_batch(app: Flask) -> None:
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=1)  # nothing listens there
    _queue(3)
    result = _deliver_all()
    assert result.deferred == 3 and result.sent == 0 and result.unreachable
    assert {r.status for r in outbox()} == {MessageStatus.DEFERRED}
    assert all("cannot connect" in r.last_error for r in outbox())


class _DroppingTransport:
    def __init__(self, fail_at: int) -> None:
        self.sent: list[EmailMessage] = []
        self.fail_at = fail_at

    def send(self, message: EmailMessage, outbox_id: int | None) -> None:
        if len(self.sent) == self.fail_at:
            self.fail_at = -1
            raise ConnectionLost("connection lost: server closed the connection")
        self.sent.append(message)

    def close(self) -> None:
        return None


def test_a_dropped_connection_defers_one_row_and_releases_the_rest(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = _DroppingTransport(fail_at=2)
    monkeypatch.setattr(transport, "connect", lambda: fake)
    _queue(5)
    ids = delivery.claim_batch(10)
    with LazyTransport() as lazy:
        result = delivery.deliver_claimed(ids, lazy)
    assert (result.sent, result.deferred, result.released) == (2, 1, 2)
    assert [r.status for r in outbox()] == [
        MessageStatus.SENT,
        MessageStatus.SENT,
        MessageStatus.DEFERRED,
        MessageStatus.QUEUED,
        MessageStatus.QUEUED,
    ]
    assert _deliver_all().sent == 2


def test_gives_up_after_max_attempts(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=1)
    [row_id] = _queue(1)
    row = db.session.get(OutboxMessage, row_id)
    assert row is not None
    row.attempts = delivery.MAX_ATTEMPTS - 1
    db.session.commit()
    assert _deliver_all().failed == 1
    db.session.expire_all()
    assert row.status is MessageStatus.FAILED and "gave up" in row.last_error


def test_two_claims_never_share_a_row(app: Flask) -> None:
    _queue(30)
    first = delivery.claim_batch(20)
    second = delivery.claim_batch(20)
    assert len(first) == 20 and len(second) == 10 and not set(first) & set(second)
    assert delivery.claim_batch(20) == []


def test_sweep_requeues_rows_a_dead_worker_left_sending(app: Flask) -> None:
    _queue(2)
    delivery.claim_batch(10)  # and then the worker died
    assert delivery.requeue_stale() == 0  # a live worker may still be sending
    assert delivery.requeue_stale(now=utcnow() + timedelta(minutes=11)) == 2
    db.session.commit()
    assert _deliver_all().sent == 2
    assert db.session.query(DevMailboxMessage).count() == 2


def test_retry_puts_a_failed_row_back(app: Flask) -> None:
    [row_id] = _queue(1)
    db.session.get_one(OutboxMessage, row_id).status = MessageStatus.FAILED
    db.session.commit()
    assert delivery.retry(row_id)
    db.session.commit()
    assert _deliver_all().sent == 1


def test_unsubscribed_address_is_suppressed_for_series_mail_only(
    app: Flask, make: Factories
) -> None:
    series = make.series()
    unsubscribe(series.id, "Person0@Example.org")
    db.session.commit()
    _queue(1, kind=MessageKind.ANNOUNCEMENT, series_id=series.id, email="person0@example.org")
    _queue(1, kind=MessageKind.CONFIRMATION, series_id=series.id, email="person0@example.org")
    result = _deliver_all()
    assert (result.sent, result.suppressed) == (1, 1)
    by_kind = {r.kind: r for r in outbox()}
    assert by_kind[MessageKind.ANNOUNCEMENT].status is MessageStatus.SUPPRESSED
    assert by_kind[MessageKind.CONFIRMATION].status is MessageStatus.SENT


def test_dev_mailbox_receives_when_no_server_is_set(app: Flask) -> None:
    assert not app.config["MAIL_SERVER"]
    _queue(1)
    assert _deliver_all().sent == 1
    [stored] = db.session.query(DevMailboxMessage).all()
    assert stored.subject == "Message 0" and b"Message 0" in stored.raw


@pytest.mark.smtp
def test_replies_go_to_the_series_organiser_when_the_row_names_nobody(
    with_smtp: SmtpServer, make: Factories
) -> None:
    organiser = make.organiser(email="team@polyu.example", display_name="Webinar Team")
    series = make.series(organiser_id=organiser.id)
    db.session.commit()
    _queue(1, kind=MessageKind.CONFIRMATION, series_id=series.id)
    assert _deliver_all().sent == 1
    [mail] = with_smtp.wait_for(1)
    assert mail.message["Reply-To"] == "Webinar Team <team@polyu.example>"
    assert mail.message["From"].addresses[0].addr_spec == "no-reply@eventhub.localhost"
    assert mail.envelope_from == "no-reply@eventhub.localhost"


def test_a_slow_batch_renews_its_claim_so_the_sweep_leaves_it_alone(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    from eventhub import clock

    requeued_meanwhile: list[int] = []

    class SlowTransport(_DroppingTransport):
        def send(self, message: EmailMessage, outbox_id: int | None) -> None:
            # Each message takes 40 s (less than a lease); the batch outlives many leases.
            clock.move(timedelta(seconds=40))
            if len(self.sent) == 11:  # 8 minutes in: what a sweep elsewhere would do
                requeued_meanwhile.append(delivery.requeue_stale())
            super().send(message, outbox_id)

    monkeypatch.setattr(transport, "connect", lambda: SlowTransport(fail_at=-1))
    monkeypatch.setattr(delivery, "MARK_EVERY", 1)
    _queue(12)
    ids = delivery.claim_batch(20)
    with LazyTransport() as lazy:
        assert delivery.deliver_claimed(ids, lazy).sent == 12
    assert requeued_meanwhile == [0]
    assert {r.status for r in outbox()} == {MessageStatus.SENT}


def test_an_unexpected_error_mid_batch_keeps_sent_marks_and_gives_back_the_rest(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Exploding(_DroppingTransport):
        def send(self, message: EmailMessage, outbox_id: int | None) -> None:
            if len(self.sent) == 2:
                raise RuntimeError("a bug")
            super().send(message, outbox_id)

    monkeypatch.setattr(transport, "connect", lambda: Exploding(fail_at=-1))
    _queue(5)
    ids = delivery.claim_batch(10)
    with pytest.raises(RuntimeError), LazyTransport() as lazy:
        delivery.deliver_claimed(ids, lazy)
    assert [r.status for r in outbox()] == [
        MessageStatus.SENT,
        MessageStatus.SENT,
        MessageStatus.SENDING,  # unknown fate: the stale sweep decides later
        MessageStatus.QUEUED,
        MessageStatus.QUEUED,
    ]


def test_a_row_that_cannot_become_a_message_fails_without_stopping_the_batch(
    app: Flask,
) -> None:
    _queue(1)
    _queue(1, kind=MessageKind.ORGANISER_MESSAGE, email="not an address")
    result = _deliver_all()
    assert (result.sent, result.failed) == (1, 1)
    failed = [r for r in outbox() if r.status is MessageStatus.FAILED]
    assert "not an email address" in failed[0].last_error


def test_an_unreachable_server_stops_the_task_after_one_batch(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    attempts: list[int] = []

    def refuse() -> transport.Transport:
        attempts.append(1)
        raise ConnectionLost("cannot connect to smtp.example.org: timed out")

    monkeypatch.setattr(transport, "connect", refuse)
    _queue(30)
    result, more = delivery.deliver_due(batch_size=10, max_batches=5)
    assert (len(attempts), result.deferred, more) == (1, 10, False)
    assert sum(1 for r in outbox() if r.status is MessageStatus.QUEUED) == 20


@pytest.mark.postgres
def test_a_sent_mark_is_one_statement_and_the_connection_goes_back_as_it_came(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each mark went through the session: BEGIN, SET LOCAL synchronous_commit, UPDATE,
    # COMMIT, four round trips per message. Now one UPDATE on an autocommit connection.
    fake = _DroppingTransport(fail_at=-1)
    monkeypatch.setattr(transport, "connect", lambda: fake)
    _queue(5)
    ids = delivery.claim_batch(10)
    with count_statements(db.engine) as log, LazyTransport() as lazy:
        assert delivery.deliver_claimed(ids, lazy).sent == 5
    marks = [s for s in log.statements if s.startswith("UPDATE outbox_messages SET status")]
    assert len(marks) == 5
    assert not [s for s in log.statements if "SET LOCAL" in s]
    assert {r.status for r in outbox()} == {MessageStatus.SENT}
    assert all(r.attempts == 1 and r.sent_at is not None for r in outbox())
    # No pooled connection keeps the marks' relaxed commit for whoever checks it out next.
    db.session.remove()
    pool = db.engine.pool
    assert isinstance(pool, QueuePool)
    with ExitStack() as stack:
        connections = [stack.enter_context(db.engine.connect()) for _ in range(pool.checkedin())]
        settings = {c.exec_driver_sql("SHOW synchronous_commit").scalar() for c in connections}
        plans = {c.exec_driver_sql("SHOW enable_bitmapscan").scalar() for c in connections}
    assert settings <= {"on"} and plans <= {"on"}


@contextmanager
def _lock_timeout() -> Iterator[None]:
    """Every connection checked out meanwhile gives up on a lock after 5 s (a wait on a lock
    of the test's own thread fails the test instead of hanging it)."""

    def limit(connection: Any, *_args: Any) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '5s'")
        connection.commit()

    event.listen(db.engine.pool, "checkout", limit)
    try:
        yield
    finally:
        event.remove(db.engine.pool, "checkout", limit)


@pytest.mark.postgres
def test_a_deferred_row_and_a_lease_renewal_in_one_batch_do_not_wait_on_each_other(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The session's transaction holds a deferred row while the marks' own connection renews
    the lease of every row still `sending`: the session commits first, or the renewal would
    wait for a lock its own worker holds."""
    from eventhub import clock

    class DeferringSlowTransport(_DroppingTransport):
        def send(self, message: Any, outbox_id: int | None) -> None:
            clock.move(timedelta(seconds=20))  # a renewal every other message
            if len(self.sent) == 1:
                self.sent.append(message)
                raise TransientDeliveryError("451 try again later")
            super().send(message, outbox_id)

    monkeypatch.setattr(transport, "connect", lambda: DeferringSlowTransport(fail_at=-1))
    _queue(4)
    ids = delivery.claim_batch(10)
    with _lock_timeout(), LazyTransport() as lazy:
        result = delivery.deliver_claimed(ids, lazy)
    assert (result.sent, result.deferred) == (3, 1)
    assert [r.status for r in outbox()].count(MessageStatus.SENT) == 3


@pytest.mark.postgres
def test_a_task_keeps_one_marks_connection_for_all_its_batches(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = _DroppingTransport(fail_at=-1)
    monkeypatch.setattr(transport, "connect", lambda: fake)
    _queue(6)
    with count_statements(db.engine) as log:
        result, _ = delivery.deliver_due(batch_size=2, max_batches=10)
    assert result.sent == 6
    assert log.statements.count("SET synchronous_commit TO OFF") == 1
    assert [s for s in log.statements if s.startswith("RESET")] == [
        "RESET synchronous_commit",
        "RESET enable_bitmapscan",
    ]


def test_an_under_full_claim_lingers_so_rows_arriving_meanwhile_go_in_one_batch(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = _DroppingTransport(fail_at=-1)
    monkeypatch.setattr(transport, "connect", lambda: fake)
    claims: list[int] = []
    real_claim = delivery.claim

    def counting_claim(limit: int, now: Any = None, writer: Any = None) -> list[Any]:
        rows = real_claim(limit, now, writer)
        claims.append(len(rows))
        return rows

    waits: list[float] = []

    def wait(seconds: float) -> None:
        # Sign-ups committing while the task waits.
        waits.append(seconds)
        if len(waits) == 1:
            _queue(5, kind=MessageKind.WAITLISTED)

    monkeypatch.setattr(delivery, "claim", counting_claim)
    monkeypatch.setattr(delivery.time, "sleep", wait)
    _queue(2)
    result, more = delivery.deliver_due(batch_size=50, max_batches=10, linger=0.2)
    assert (result.sent, more) == (7, False)
    assert claims == [2, 5, 0]
    assert waits == [0.2, 0.2]
    # Without linger (the default, and the embedded broker's tasks) no claim waits.
    waits.clear()
    _queue(1, kind=MessageKind.PENDING)
    assert delivery.deliver_due(batch_size=50, max_batches=10)[0].sent == 1
    assert waits == []
