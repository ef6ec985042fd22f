"""Deliver due outbox rows: claim a batch, send it over one connection, record each outcome.

Claimed rows are leased: a worker renews its lease (a heartbeat) while it sends, and rows whose
lease ran out are claimed again by any worker, so a killed worker's batch resumes within
LEASE + the sweep interval (90 s). Each message is marked sent (one UPDATE, which also stores
the text rendered for a row rendered at send time; committed without waiting for the WAL)
before the next is sent, so a worker killed mid-batch re-sends at most the one message each
pool child had in flight.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import time
from collections.abc import Callable
from contextlib import closing, suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any, cast

from flask import current_app
from sqlalchemy import Connection, Table, bindparam, or_, select, text, union_all, update

from eventhub.clock import utcnow
from eventhub.database import begin_immediate_options
from eventhub.extensions import db
from eventhub.mail.compose import UnsendableMessage, build_wire
from eventhub.mail.deferred import DeferredRenders
from eventhub.mail.guards import SeriesSender, series_senders, suppression_reasons
from eventhub.mail.models import (
    DUE_PREDICATE,
    LEASED_PREDICATE,
    MessageStatus,
    OutboxMessage,
)
from eventhub.mail.outbox import (
    attachments_at_send_time,
)
from eventhub.mail.transport import (
    ConnectionLost,
    LazyTransport,
    PermanentDeliveryError,
    TransientDeliveryError,
)

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BASE_BACKOFF_SECONDS = 30
MAX_BACKOFF_SECONDS = 2 * 3600
MARK_EVERY = 1
# A claim is a lease: renewed every HEARTBEAT while its worker lives, free for anyone after
# LEASE. LEASE outlasts one SMTP send (SMTP_TIMEOUT_SECONDS) plus a heartbeat.
LEASE = timedelta(seconds=60)
HEARTBEAT = timedelta(seconds=15)
STALE_AFTER = LEASE
DELIVERABLE = (MessageStatus.QUEUED, MessageStatus.DEFERRED)


@dataclass
class BatchResult:
    claimed: int = 0
    sent: int = 0
    deferred: int = 0
    failed: int = 0
    suppressed: int = 0
    released: int = 0
    # The server could not be reached at all: stop claiming until the next sweep.
    unreachable: bool = False

    def add(self, other: BatchResult) -> None:
        for name in ("claimed", "sent", "deferred", "failed", "suppressed", "released"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.unreachable = self.unreachable or other.unreachable


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def backoff(attempts: int) -> timedelta:
    """Exponential backoff with jitter (half to the full ceiling), capped."""
    ceiling = min(MAX_BACKOFF_SECONDS, BASE_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0))
    return timedelta(seconds=random.uniform(ceiling / 2, ceiling))


def bookkeeping_commit() -> None:
    """Commit claims and marks without waiting for PostgreSQL to flush its WAL.

    Only a crash of the database server itself could lose such a commit, and losing one
    means a row is claimed or sent again: the at-least-once delivery the outbox gives
    anyway. It spares a WAL flush per claim and per group of marks. New outbox rows and
    everything else commit durably as usual.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL synchronous_commit TO OFF"))
    db.session.commit()


def claim_batch(limit: int, now: datetime | None = None) -> list[int]:
    """Mark up to `limit` due rows `sending` for this worker and commit; return their ids."""
    return [row.id for row in claim(limit, now)]


def claim(limit: int, now: datetime | None = None, writer: _MarkWriter | None = None) -> list[Any]:
    """Claim up to `limit` rows for this worker, committed; return them (plain rows, by id).

    Rows whose lease ran out (a worker died mid-batch, no heartbeat) come first, then due
    rows in due order. One statement claims and loads them (`_claim_statement`): on
    PostgreSQL through the batch's autocommit `writer` when given (one round trip, no BEGIN,
    SET LOCAL or COMMIT). PostgreSQL skips rows another worker has locked; SQLite serialises
    claimers with BEGIN IMMEDIATE. Either way a row is claimed by one worker only.
    """
    now = now or utcnow()
    statement = _claim_statement(limit, now)
    params = {"claim_at": utcnow(), "claimer": worker_name()}
    if db.session().in_transaction():
        # What the session holds first (the claim committed it too when it went through it).
        db.session.commit()
    if db.session.get_bind().dialect.name == "postgresql":
        # Through a marks writer (its settings are what the claim's plan relies on): the
        # task's own, or one for this claim alone (tests, tools).
        own = writer is None or not writer.separate
        claimer = _MarkWriter() if own else writer
        assert claimer is not None
        try:
            rows = claimer.execute(statement, params).all()
        finally:
            if own:
                claimer.close()
    else:
        # The claim must open its own transaction to take the write lock at BEGIN.
        db.session.connection(execution_options=begin_immediate_options())
        rows = db.session.execute(statement, params).all()
        db.session.commit()
    return sorted(rows, key=lambda row: row.id)


def _claim_statement(limit: int, now: datetime) -> Any:
    """UPDATE … SET status = 'sending' … WHERE id IN (expired leases UNION ALL due rows
    LIMIT n) RETURNING every column.

    Each branch is an ordered scan of its own partial index (mail/models.py) that stops at its
    LIMIT; as one `status IN (…) OR lease expired` query it was a bitmap scan that visited
    every dead index entry sent rows had left. The predicates are literal SQL, as in the
    indexes, so even a prepared statement's generic plan can use them. The outer LIMIT pulls
    due rows only as far as the expired leases leave room, and a row is locked (SKIP LOCKED)
    only when pulled, so no row is held back from another claimer for nothing.
    """
    c = _TABLE.c
    leased = (
        select(c.id)
        .where(text(LEASED_PREDICATE), c.claimed_at < now - LEASE)
        .order_by(c.claimed_at, c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .subquery("expired")
    )
    due = (
        select(c.id)
        .where(text(DUE_PREDICATE), c.due_at <= now)
        .order_by(c.due_at, c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .subquery("due")
    )
    chosen = union_all(select(leased.c.id), select(due.c.id)).limit(limit)
    return (
        update(_TABLE)
        .where(c.id.in_(chosen))
        .values(
            status=MessageStatus.SENDING,
            claimed_at=bindparam("claim_at"),
            claimed_by=bindparam("claimer"),
        )
        .returning(*c)
    )


_TABLE = cast(Table, OutboxMessage.__table__)
# Built once per process: a mark per message, and building the ORM statement each time cost
# more CPU than executing it.
_SENT: dict[str, Any] = {
    "status": MessageStatus.SENT,
    "sent_at": bindparam("mark_at"),
    "attempts": _TABLE.c.attempts + 1,
    "last_error": "",
}
_MARK_SENT = (
    update(_TABLE)
    .where(
        _TABLE.c.id.in_(bindparam("mark_ids", expanding=True)),
        _TABLE.c.status == MessageStatus.SENDING,
    )
    .values(_SENT)
)
# One row at a time (MARK_EVERY = 1): no expanding IN list to render on every call.
_MARK_ONE_SENT = (
    update(_TABLE)
    .where(_TABLE.c.id == bindparam("mark_id"), _TABLE.c.status == MessageStatus.SENDING)
    .values(_SENT)
)
# What the worker rendered for a row, kept on it (organiser pages show sent mail) in the
# statement that records the row's outcome: stored by a statement of its own before sending,
# each such row was written twice, a new version of a wide row and an entry in every index.
_STORED: dict[str, Any] = {
    "subject": bindparam("new_subject"),
    "body_html": bindparam("new_html"),
    "body_text": bindparam("new_text"),
    # The snapshot goes: the stored text is now the message, as for eagerly rendered rows.
    "render": None,
    "attachments": bindparam("new_attachments"),
}
_MARK_ONE_SENT_STORING = (
    update(_TABLE)
    .where(_TABLE.c.id == bindparam("mark_id"), _TABLE.c.status == MessageStatus.SENDING)
    .values({**_SENT, **_STORED})
)
_RENEW_LEASE = (
    update(_TABLE)
    .where(
        _TABLE.c.id.in_(bindparam("renew_ids", expanding=True)),
        _TABLE.c.status == MessageStatus.SENDING,
    )
    .values(claimed_at=bindparam("renew_at"))
)


class _MarkWriter:
    """Where a batch's claims and marks go.

    On PostgreSQL: a connection of the batch's own in autocommit with `synchronous_commit`
    off, so a mark is one round trip (through the session it was four: BEGIN, SET LOCAL,
    UPDATE, COMMIT) and is committed the moment it is written, as before. Elsewhere (SQLite,
    one writer at a time) through the session, committed with the rest of the bookkeeping.

    Bitmap scans are off on that connection: the planner, expecting a handful of due rows,
    read the claim's partial index with a bitmap scan and a sort, which visits the heap for
    every dead entry sent rows left in the index (hundreds of pages a claim during a burst,
    until autovacuum) and never learns they are dead; an ordered index scan stops at its
    LIMIT and marks the dead entries it steps over, so the next claim skips them. Everything
    else this connection runs looks rows up by primary key.
    """

    def __init__(self) -> None:
        self.separate = db.session.get_bind().dialect.name == "postgresql"
        self._connection: Connection | None = None

    def execute(self, statement: Any, params: dict[str, Any] | list[dict[str, Any]]) -> Any:
        if not self.separate:
            return db.session.execute(statement, params)
        if self._connection is None:
            connection = db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            connection.exec_driver_sql("SET synchronous_commit TO OFF")
            connection.exec_driver_sql("SET enable_bitmapscan TO off")
            self._connection = connection
        return self._connection.execute(statement, params)

    def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        # The settings are the connection's, and the connection goes back to the pool; one that
        # cannot be reset is discarded instead.
        try:
            connection.exec_driver_sql("RESET synchronous_commit")
            connection.exec_driver_sql("RESET enable_bitmapscan")
        except Exception:
            with suppress(Exception):
                connection.invalidate()
        with suppress(Exception):
            connection.close()


@dataclass
class _Marks:
    """Outcomes not yet written; flushed every MARK_EVERY rows and at the end.

    A batch outlives its LEASE whenever sending takes a while; the lease of the rows still to
    send is renewed every HEARTBEAT so no other worker takes them over meanwhile.
    """

    claimed: list[int]
    # Rendered at send time and not yet stored (row id -> _STORED's parameters).
    stored: dict[int, dict[str, Any]] = field(default_factory=dict)
    sent: list[int] = field(default_factory=list)
    renewed_at: datetime = field(default_factory=utcnow)
    # Not yet handed to the transport (what a crash mid-batch gives back).
    unsent: set[int] = field(default_factory=set)
    writer: _MarkWriter = field(default_factory=_MarkWriter)

    def __post_init__(self) -> None:
        self.unsent = set(self.claimed)

    def flush(self, now: datetime) -> None:
        separate = self.writer.separate
        if separate and (db.session().in_transaction() or db.session.new):
            # The session's own outcomes (failed, deferred rows; dev mailbox copies) first:
            # its open transaction holds those rows, which the lease renewal below touches.
            bookkeeping_commit()
        if now - self.renewed_at > HEARTBEAT:
            self.writer.execute(_RENEW_LEASE, {"renew_ids": self.claimed, "renew_at": now})
            self.renewed_at = now
        storing = [i for i in self.sent if i in self.stored]
        plain = [i for i in self.sent if i not in self.stored]
        if storing:
            self.writer.execute(
                _MARK_ONE_SENT_STORING,
                [{"mark_id": i, "mark_at": now, **self.stored.pop(i)} for i in storing],
            )
        if len(plain) == 1:
            self.writer.execute(_MARK_ONE_SENT, {"mark_id": plain[0], "mark_at": now})
        elif plain:
            self.writer.execute(_MARK_SENT, {"mark_ids": plain, "mark_at": now})
        self.sent.clear()
        if not separate:
            bookkeeping_commit()


def deliver_claimed(
    ids: list[int],
    transport: LazyTransport,
    now: datetime | None = None,
    renders: DeferredRenders | None = None,
    writer: _MarkWriter | None = None,
    rows: list[Any] | None = None,
) -> BatchResult:
    """Send claimed rows over the task's connection, recording each outcome.

    `renders` is the task's mail merge and `writer` where it writes marks, both kept across
    its batches (a writer given here is the caller's to close). `rows`: the claimed rows as
    the claim returned them (else they are loaded by id).
    """
    result = BatchResult(claimed=len(ids))
    if not ids:
        return result
    now = now or utcnow()
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    if rows is None:
        # Plain rows, not ORM objects: the commits below expire nothing and reload nothing.
        rows = list(
            db.session.execute(
                select(OutboxMessage.__table__)
                .where(OutboxMessage.id.in_(ids))
                .order_by(OutboxMessage.id)
            )
        )
    senders = series_senders({r.series_id for r in rows if r.series_id})
    reasons = suppression_reasons(rows, now)
    for row in rows:
        if row.id in reasons:
            _finish(row, MessageStatus.SUPPRESSED, reasons[row.id])
            result.suppressed += 1
    pending, stored = _render_deferred(
        [r for r in rows if r.id not in reasons], result, renders or DeferredRenders()
    )
    own_writer = writer is None
    marks = _Marks(claimed=[r.id for r in pending], stored=stored, writer=writer or _MarkWriter())
    try:
        try:
            _send_all(pending, transport, sender, senders, marks, result)
        except BaseException:
            # A bug or a database error mid-batch: keep what was sent, give back what was
            # not, so neither a duplicate nor a ten-minute wait for the sweep follows.
            db.session.rollback()
            with suppress(Exception):
                sent = set(marks.sent)
                marks.flush(utcnow())
                _release([r for r in pending if r.id not in sent and r.id in marks.unsent])
                db.session.commit()
            raise
        marks.flush(utcnow())
    finally:
        if own_writer:
            marks.writer.close()
    return result


def _render_deferred(
    rows: list[Any], result: BatchResult, renders: DeferredRenders
) -> tuple[list[Any], dict[int, dict[str, Any]]]:
    """Render the rows queued with a context snapshot (and build their attachments); return
    the sendable rows (rendered ones as they will be sent) and, per rendered row, what to
    store on it with its outcome (`_STORED`'s parameters).

    Ends the reading transaction first: no lock (on SQLite, in a task, the database's write
    lock) is held while rendering or sending. A row that cannot be rendered (a template
    error) fails for good, like an unbuildable one, committed before returning.
    """
    attachments = attachments_at_send_time(rows)
    renders.prepare(rows)
    db.session.commit()
    stored: dict[int, dict[str, Any]] = {}
    broken: list[tuple[Any, str]] = []
    ready: list[Any] = []
    for row in rows:
        try:
            email = renders.render(row)
        except Exception as exc:  # any template error: this row fails, the batch goes on
            log.exception("outbox row %s cannot be rendered", row.id)
            broken.append((row, f"cannot render the message: {exc}"))
            continue
        if email is None:
            ready.append(row)
            continue
        values = {
            **row._asdict(),
            "subject": email.subject,
            "body_html": email.html,
            "body_text": email.text,
        }
        if row.id in attachments:
            values["attachments"] = [*(row.attachments or []), *attachments[row.id]]
        stored[row.id] = {
            "new_subject": email.subject,
            "new_html": email.html,
            "new_text": email.text,
            "new_attachments": values["attachments"],
        }
        ready.append(SimpleNamespace(**values))
    for row, error in broken:
        _finish(row, MessageStatus.FAILED, error, True)
        result.failed += 1
    if broken:
        bookkeeping_commit()
    return ready, stored


def _send_all(
    pending: list[Any],
    transport: LazyTransport,
    sender: str,
    senders: dict[int, SeriesSender],
    marks: _Marks,
    result: BatchResult,
) -> None:
    for index, row in enumerate(pending):
        marks.unsent.discard(row.id)
        try:
            connection = transport.get()
        except ConnectionLost as exc:
            # The server cannot be reached at all: everything left waits with backoff.
            for waiting in pending[index:]:
                _defer(waiting, str(exc), result, marks.stored.pop(waiting.id, None))
            result.unreachable = True
            break
        try:
            series = senders.get(row.series_id)
            message = build_wire(
                row,
                sender,
                utcnow(),
                default_reply_to=series.reply_to if series else None,
                sender_name=series.name if series else None,
            )
        except (UnsendableMessage, ValueError, TypeError, KeyError) as exc:
            _finish(
                row,
                MessageStatus.FAILED,
                f"cannot build the message: {exc}",
                True,
                marks.stored.pop(row.id, None),
            )
            result.failed += 1
            marks.flush(utcnow())
            continue
        try:
            connection.send(message, row.id)
        except PermanentDeliveryError as exc:
            _finish(row, MessageStatus.FAILED, str(exc), True, marks.stored.pop(row.id, None))
            result.failed += 1
            marks.flush(utcnow())
        except ConnectionLost as exc:
            transport.drop()
            _defer(row, str(exc), result, marks.stored.pop(row.id, None))
            # The rest were never tried: back to the queue for the next claim, no attempt spent.
            result.released += _release(pending[index + 1 :])
            break
        except TransientDeliveryError as exc:
            _defer(row, str(exc), result, marks.stored.pop(row.id, None))
            marks.flush(utcnow())
        else:
            marks.sent.append(row.id)
            result.sent += 1
            if len(marks.sent) >= MARK_EVERY:
                marks.flush(utcnow())


def _finish(
    row: Any,
    status: MessageStatus,
    error: str,
    attempted: bool = False,
    stored: dict[str, Any] | None = None,
) -> None:
    """Record a final outcome; `stored`: the text rendered for the row, kept on it as a sent
    row's is (what a failed message said stays on the organisers' pages)."""
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row.id)
        .values(
            status=status,
            last_error=error,
            attempts=OutboxMessage.attempts + (1 if attempted else 0),
            claimed_at=None,
            **_stored_values(stored),
        )
    )


def _defer(row: Any, error: str, result: BatchResult, stored: dict[str, Any] | None = None) -> None:
    """Back to the queue with backoff; the text rendered for it stays, as before a retry it
    did (the retry sends what was rendered the first time)."""
    attempts = row.attempts + 1
    if attempts >= MAX_ATTEMPTS:
        _finish(
            row, MessageStatus.FAILED, f"gave up after {attempts} attempts: {error}", True, stored
        )
        result.failed += 1
        return
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row.id)
        .values(
            status=MessageStatus.DEFERRED,
            attempts=attempts,
            last_error=error,
            due_at=utcnow() + backoff(attempts),
            claimed_at=None,
            **_stored_values(stored),
        )
    )
    result.deferred += 1


def _stored_values(stored: dict[str, Any] | None) -> dict[str, Any]:
    """_STORED's parameters as column values of an ORM update."""
    if stored is None:
        return {}
    return {
        "subject": stored["new_subject"],
        "body_html": stored["new_html"],
        "body_text": stored["new_text"],
        "render": None,
        "attachments": stored["new_attachments"],
    }


def _release(rows: list[Any]) -> int:
    if not rows:
        return 0
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_([r.id for r in rows]))
        .values(status=MessageStatus.QUEUED, claimed_at=None, claimed_by=None)
    )
    return len(rows)


def deliver_due(
    batch_size: int,
    max_batches: int,
    now: datetime | None = None,
    on_backlog: Callable[[], object] | None = None,
    linger: float = 0.0,
) -> tuple[BatchResult, bool]:
    """Claim and send batch after batch over one connection; True when rows may remain.

    `on_backlog` is called once if the first claim finds a full batch: the task wakes another
    (wake-ups are coalesced, so one waits at most, and each that also finds a full batch
    calls the next), and a backlog is sent by every pool child.

    `linger`: seconds to wait before claiming again after a claim that found some rows but
    not a full batch. During a burst rows arrive a few at a time; claiming them as they come
    made batches of two or three rows, and a batch costs about a dozen round trips besides
    its rows (claim, load, sender and suppression checks, invites, stored text), so the
    worker spent several times the CPU per email it spends on a backlog.
    """
    total = BatchResult()
    renders = DeferredRenders()
    writer = _MarkWriter()
    with LazyTransport() as transport, closing(writer):
        for number in range(max_batches):
            rows = claim(batch_size, now, writer)
            ids = [row.id for row in rows]
            if not ids:
                return total, False
            if number == 0 and len(ids) == batch_size and on_backlog is not None:
                on_backlog()
            result = deliver_claimed(ids, transport, now, renders, writer, rows)
            total.add(result)
            if result.unreachable:
                # Each further batch would wait for the same connect timeout; the rows are
                # deferred with backoff and the sweep comes back for them.
                return total, False
            if linger and len(ids) < batch_size and number + 1 < max_batches:
                time.sleep(linger)
    return total, True


def requeue_stale(now: datetime | None = None, older_than: timedelta = STALE_AFTER) -> int:
    """Put back rows a dead worker left `sending`; the sweep calls this."""
    cutoff = (now or utcnow()) - older_than
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            text(LEASED_PREDICATE),
            or_(OutboxMessage.claimed_at.is_(None), OutboxMessage.claimed_at < cutoff),
        )
        .values(status=MessageStatus.QUEUED, claimed_at=None, claimed_by=None)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def has_due(now: datetime | None = None) -> bool:
    now = now or utcnow()
    query = (
        select(OutboxMessage.id).where(text(DUE_PREDICATE), OutboxMessage.due_at <= now).limit(1)
    )
    return db.session.scalar(query) is not None


def retry(message_id: int, now: datetime | None = None) -> bool:
    """An organiser asks for a failed or deferred row to be tried again now."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.status.in_((MessageStatus.FAILED, MessageStatus.DEFERRED)),
        )
        .values(status=MessageStatus.QUEUED, due_at=now or utcnow(), attempts=0, claimed_at=None)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
