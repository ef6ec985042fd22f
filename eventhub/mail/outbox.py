"""Writing to the outbox, inside the caller's transaction, and waking a worker after commit."""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from flask import render_template
from sqlalchemy import Table, insert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from eventhub import signals
from eventhub.clock import utcnow
from eventhub.extensions import db
from eventhub.i18n import language
from eventhub.mail.dispatch import wake_delivery
from eventhub.mail.erasure import is_erased_address
from eventhub.mail.models import MessageKind, MessageStatus, OutboxMessage
from eventhub.transaction import after_commit, at_transaction_end

log = logging.getLogger(__name__)

_PENDING_KEY = "eventhub.outbox_pending"


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes

    def as_json(self) -> dict[str, str]:
        return {
            "filename": self.filename,
            "content_type": self.content_type,
            "data_base64": base64.b64encode(self.data).decode("ascii"),
        }


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    html: str
    text: str


@dataclass
class Envelope:
    """Who a message goes to and what it is about; the outbox row's identity."""

    kind: MessageKind
    dedupe_key: str
    recipient_email: str
    recipient_name: str = ""
    reply_to: str | None = None
    series_id: int | None = None
    session_id: int | None = None
    registration_id: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    attachments: list[Attachment] = field(default_factory=list)
    due_at: datetime | None = None


@dataclass(frozen=True)
class DeferredEmail:
    """An email rendered at send time by the worker, from a JSON snapshot of its context or
    from a context built then (`build`, `building_contexts`).

    The registration emails are written while the session's seat lock is held; rendering
    their three templates there (~3 ms) made every sign-up of a busy session wait for the one
    before it, and building their context (~1.5 ms) did too. The row keeps its kind,
    registration id and what the context is built from instead, and the worker builds and
    renders it just before sending (`render_deferred`), then stores what it sent with the
    row's outcome (mail/delivery.py).
    """

    template: str
    # A snapshot of the context (rows queued before contexts were built at send time, and
    # other senders), or None with `build` set.
    context: dict[str, Any] | None
    # What to attach at send time, built by a receiver of `building_attachments` (the
    # registration's own calendar invite: building it took longer than rendering the mail).
    attach: str | None = None
    # Instead of a snapshot: the few values a receiver of `building_contexts` builds the
    # context from at send time (the registration emails: building it took ~1.5 ms a row
    # under the seat lock, and the worker builds each session's part once per batch).
    build: dict[str, Any] | None = None


def render_email(template: str, **context: Any) -> RenderedEmail:
    """Render templates/mail/<template>.subject.txt, .html and .txt with one context."""
    subject = render_template(f"mail/{template}.subject.txt", **context)
    return RenderedEmail(
        subject=" ".join(subject.split()),
        html=render_template(f"mail/{template}.html", **context),
        text=render_template(f"mail/{template}.txt", **context),
    )


def row_values(
    envelope: Envelope, email: RenderedEmail | DeferredEmail, now: datetime
) -> dict[str, Any]:
    """The outbox row's column values (a statement of the caller's own writes them)."""
    return _values(envelope, email, now)


def _values(
    envelope: Envelope, email: RenderedEmail | DeferredEmail, now: datetime
) -> dict[str, Any]:
    if isinstance(email, DeferredEmail):
        content = {"subject": "", "body_html": "", "body_text": ""}
        spec: dict[str, Any] = {"template": email.template}
        if email.context is not None:
            spec["context"] = email.context
        if email.build is not None:
            spec["build"] = email.build
        if email.attach:
            spec["attach"] = email.attach
        render: dict[str, Any] | None = spec
    else:
        content = {"subject": email.subject, "body_html": email.html, "body_text": email.text}
        render = None
    return {
        "kind": envelope.kind,
        "dedupe_key": envelope.dedupe_key,
        "recipient_email": envelope.recipient_email,
        "recipient_name": envelope.recipient_name,
        "reply_to": envelope.reply_to,
        "series_id": envelope.series_id,
        "session_id": envelope.session_id,
        "registration_id": envelope.registration_id,
        **content,
        "render": render,
        "headers": envelope.headers,
        "attachments": [a.as_json() for a in envelope.attachments],
        "status": MessageStatus.QUEUED,
        "due_at": envelope.due_at or now,
        "attempts": 0,
        "last_error": "",
        "created_at": now,
        "updated_at": now,
    }


def queue_message(envelope: Envelope, email: RenderedEmail | DeferredEmail) -> int | None:
    """Insert one outbox row unless its dedupe key exists; return its id, or None if deduped.

    The row joins the caller's transaction: it exists exactly when the change that caused it
    commits. A worker is woken only after that commit (see mark_pending).
    An erased person's placeholder address gets nothing (None), whatever wrote to it.
    """
    if is_erased_address(envelope.recipient_email):
        return None
    # The values as bound parameters of one statement built the same way every time: its
    # cache key is not recomputed over every value on each call (this runs in the seat lock).
    statement = _insert_ignoring_duplicates(None)
    row = db.session.execute(statement, _values(envelope, email, utcnow())).first()
    if row is None:
        return None
    mark_pending()
    return int(row[0])


def queue_many(messages: list[tuple[Envelope, RenderedEmail]]) -> int:
    """Insert many rows in one batched statement (a fan-out); return how many were new."""
    messages = [(e, m) for e, m in messages if not is_erased_address(e.recipient_email)]
    if not messages:
        return 0
    now = utcnow()
    statement = _insert_ignoring_duplicates(None)
    result = db.session.execute(statement, [_values(e, m, now) for e, m in messages])
    inserted = len(result.all())
    if inserted:
        mark_pending()
    return inserted


def _insert_ignoring_duplicates(values: dict[str, Any] | None) -> Any:
    """INSERT … ON CONFLICT (dedupe_key) DO NOTHING RETURNING id; values=None for executemany."""
    dialect = db.session.get_bind().dialect.name
    # The table, not the mapped class: a plain Core executemany, no ORM bulk bookkeeping.
    table = cast(Table, OutboxMessage.__table__)
    if dialect == "postgresql":
        statement: Any = pg_insert(table)
    elif dialect == "sqlite":
        statement = sqlite_insert(table)
    else:
        statement = insert(table)
    if values is not None:
        statement = statement.values(**values)
    if dialect in ("postgresql", "sqlite"):
        statement = statement.on_conflict_do_nothing(index_elements=["dedupe_key"])
    return statement.returning(table.c.id)


def render_deferred(row: Any) -> RenderedEmail | None:
    """A row's email rendered from its snapshot, or None when it was rendered when queued."""
    spec = row.render
    if not spec:
        return None
    context = deferred_context(row, contexts_at_send_time([row]))
    # In the language of the person it is for (stored with the snapshot), not the worker's.
    with language(context.get("language")):
        return render_email(spec["template"], **context)


def contexts_at_send_time(rows: list[Any]) -> dict[int, dict[str, Any]]:
    """The contexts of the deferred rows queued without a snapshot, as the snapshot would
    read (JSON values); one signal for the rows (each receiver reads its rows at once)."""
    wanting = [r for r in rows if r.render and r.render.get("build") is not None]
    found: dict[int, dict[str, Any]] = {}
    if not wanting:
        return found
    for _, built in signals.building_contexts.send(rows=wanting):
        found.update(built)
    return found


def deferred_context(row: Any, built: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """A deferred row's context: its snapshot, or the one built for it at send time."""
    spec = row.render
    if "context" in spec:
        return cast(dict[str, Any], spec["context"])
    if row.id not in built:
        # Its registration is gone (erased): nothing to say, and nobody to say it to.
        raise LookupError(f"no context could be built for outbox row {row.id}")
    return built[row.id]


def content_of(row: Any) -> RenderedEmail:
    """What a row says (or will say once sent): for pages that show a message."""
    return render_deferred(row) or RenderedEmail(row.subject, row.body_html, row.body_text)


def attachments_at_send_time(rows: list[Any]) -> dict[int, list[dict[str, str]]]:
    """The attachments of deferred rows that ask for them, as stored on rows; one signal."""
    wanting = [r for r in rows if r.render and r.render.get("attach")]
    found: dict[int, list[dict[str, str]]] = {}
    if not wanting:
        return found
    for _, built in signals.building_attachments.send(rows=wanting):
        for row_id, attachments in built.items():
            found[row_id] = [a.as_json() for a in attachments]
    return found


def mark_pending(*, committed: bool = False) -> None:
    """Ask for one worker wake-up after this transaction commits (none if it rolls back).

    `committed`: the rows were written by a statement that committed on its own
    (database.execute_alone); they wake the worker when the request's transaction ends, even if
    it then rolls back, since nothing takes them back.
    """
    if committed:
        at_transaction_end(wake_delivery, key=_PENDING_KEY)
    else:
        after_commit(wake_delivery, key=_PENDING_KEY)


def commit_each_chunk(chunks: Iterable[int]) -> int:
    """Commit after every chunk of queued rows, so delivery starts while the rest are written.

    This is the unit of work of the beat's fan-out tasks; returns how many rows were new.
    """
    created = 0
    for count in chunks:
        db.session.commit()
        created += count
    return created
