"""The worker's claim: due rows and expired leases, one worker per row, on partial indexes."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import cast

import pytest
from flask import Flask
from sqlalchemy import Table, insert, text

from eventhub.clock import utcnow
from eventhub.extensions import db
from eventhub.mail import delivery
from eventhub.mail.models import MessageKind, MessageStatus, OutboxMessage
from eventhub.mail.outbox import Envelope, RenderedEmail, queue_message
from tests.mail.support import outbox


def _queue(n: int, start: int = 0) -> list[int]:
    ids = []
    for i in range(start, start + n):
        envelope = Envelope(
            kind=MessageKind.CONFIRMATION,
            dedupe_key=f"claim-test:{i}",
            recipient_email=f"person{i}@example.org",
        )
        row_id = queue_message(envelope, RenderedEmail(f"Message {i}", "<p>x</p>", "x"))
        assert row_id is not None
        ids.append(row_id)
    db.session.commit()
    return ids


def test_an_expired_lease_is_claimed_again(app: Flask) -> None:
    ids = _queue(2)
    assert delivery.claim_batch(10) == ids  # and then its worker died
    first = {r.id: r.claimed_at for r in outbox()}
    later = utcnow() + delivery.LEASE + timedelta(seconds=1)
    rows = delivery.claim(10, now=later)
    assert [r.id for r in rows] == ids
    # Claimed afresh: a new lease, and the claim hands back the rows it took.
    assert all(r.status == MessageStatus.SENDING for r in rows)
    assert all(r.claimed_at is not None and r.claimed_at >= first[r.id] for r in rows)
    assert {r.status for r in outbox()} == {MessageStatus.SENDING}


def test_a_live_lease_is_not_claimed(app: Flask) -> None:
    ids = _queue(2)
    assert delivery.claim_batch(10) == ids
    assert delivery.claim_batch(10) == []
    # Still within the lease, by the claim's own clock.
    assert delivery.claim_batch(10, now=utcnow() + delivery.LEASE - timedelta(seconds=5)) == []


def test_expired_leases_go_first_and_the_limit_counts_both(app: Flask) -> None:
    leased = _queue(2)
    assert delivery.claim_batch(10) == leased
    [due] = _queue(1, start=2)
    later = utcnow() + delivery.LEASE + timedelta(seconds=1)
    assert delivery.claim_batch(2, now=later) == leased
    assert delivery.claim_batch(2) == [due]
    assert delivery.claim_batch(2) == []


def test_a_claim_takes_no_row_not_yet_due_nor_finished(app: Flask) -> None:
    ids = _queue(4)
    rows = {r.id: r for r in outbox()}
    rows[ids[0]].due_at = utcnow() + timedelta(seconds=30)
    rows[ids[1]].status = MessageStatus.SENT
    rows[ids[2]].status = MessageStatus.FAILED
    rows[ids[3]].status = MessageStatus.DEFERRED
    db.session.commit()
    assert delivery.claim_batch(10) == [ids[3]]
    # Due by then, and the lease taken above still runs.
    assert delivery.claim_batch(10, now=utcnow() + timedelta(seconds=40)) == [ids[0]]


@pytest.mark.postgres
def test_a_claim_skips_rows_another_claimer_holds(app: Flask) -> None:
    ids = _queue(4)
    with db.engine.connect() as other:
        # Another worker mid-claim: its rows locked, not yet marked.
        other.execute(
            text("SELECT id FROM outbox_messages WHERE id IN (:a, :b) FOR UPDATE"),
            {"a": ids[0], "b": ids[1]},
        )
        assert delivery.claim_batch(10) == ids[2:]
        other.rollback()
    assert delivery.claim_batch(10) == ids[:2]


@pytest.mark.postgres
def test_concurrent_claimers_never_share_a_row(app: Flask) -> None:
    ids = _queue(120)
    claimed: list[list[int]] = []
    errors: list[BaseException] = []

    def claimer() -> None:
        mine: list[int] = []
        try:
            with app.app_context():
                while batch := delivery.claim_batch(7):
                    mine.extend(batch)
                db.session.remove()
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)
        claimed.append(mine)

    threads = [threading.Thread(target=claimer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    every = [row_id for mine in claimed for row_id in mine]
    assert sorted(every) == ids  # each row once, none left behind


@pytest.mark.postgres
def test_the_claim_reads_its_partial_indexes_past_thousands_of_sent_rows(app: Flask) -> None:
    """Sent rows not yet vacuumed: their dead entries made the old claim's bitmap scan visit
    the heap for each of them. The claim is an ordered index scan of each partial index."""
    now = utcnow()
    sent = {
        "kind": MessageKind.CONFIRMATION,
        "recipient_email": "someone@example.org",
        "recipient_name": "",
        "subject": "s",
        "body_html": "",
        "body_text": "",
        "headers": {},
        "attachments": [],
        "status": MessageStatus.QUEUED,
        "due_at": now - timedelta(hours=1),
        "attempts": 0,
        "last_error": "",
        "created_at": now,
        "updated_at": now,
    }
    table = cast(Table, OutboxMessage.__table__)
    db.session.execute(insert(table), [{**sent, "dedupe_key": f"old:{i}"} for i in range(3000)])
    db.session.commit()
    db.session.execute(text("ANALYZE outbox_messages"))
    db.session.commit()
    # Claimed and sent, as a burst leaves them: every row a dead version in the due index.
    while delivery.claim_batch(500):
        pass
    db.session.execute(text("UPDATE outbox_messages SET status = 'sent'"))
    db.session.commit()
    _queue(3)
    writer = delivery._MarkWriter()
    try:
        statement = delivery._claim_statement(200, utcnow()).values(
            claimed_at=utcnow(), claimed_by="explain"
        )
        compiled = statement.compile(
            dialect=db.engine.dialect, compile_kwargs={"literal_binds": True}
        )
        writer.execute(text("SELECT 1"), {})  # the writer's connection, with its settings
        connection = writer._connection
        assert connection is not None
        plan = "\n".join(r[0] for r in connection.exec_driver_sql(f"EXPLAIN {compiled}"))
    finally:
        writer.close()
    assert "Index Scan using ix_outbox_messages_due" in plan
    assert "Index Scan using ix_outbox_messages_leased" in plan
    assert "Bitmap" not in plan
    assert len(delivery.claim_batch(200)) == 3
