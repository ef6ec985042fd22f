"""A new registration and its status mail's outbox row, written by one statement (PostgreSQL).

The sign-up's writes happen while the session's seat lock is held, and every sign-up of a busy
session waits for the one before it. The ORM's flush of the new registration (its unit of work,
~1 ms of CPU) and the outbox insert after it (a second round trip, under the lock) become one
prebuilt `WITH new_registration AS (INSERT … RETURNING id) INSERT INTO outbox_messages … SELECT`
whose dedupe key and registration id come from the new row. The registration object then joins
the ORM session as if loaded. Triggers (the seat counters) fire as for any insert, and a
same-email race still fails on the unique constraint (IntegrityError, retried by the caller).

SQLite has no INSERT inside WITH: there, and for every other write of a registration, the ORM's
flush and `notify.status_mail` as before.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import Select, String, Table, bindparam, select, true
from sqlalchemy import cast as sql_cast
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import make_transient_to_detached

from eventhub.clock import utcnow
from eventhub.extensions import db
from eventhub.mail.dedupe import DedupeKey
from eventhub.mail.erasure import is_erased_address
from eventhub.mail.models import OutboxMessage
from eventhub.mail.outbox import mark_pending, row_values
from eventhub.registration import notify
from eventhub.registration.locking import SessionFacts
from eventhub.registration.messages import built_at_send_time, registrant_envelope
from eventhub.registration.models import Registration
from eventhub.scheduling.models import Session

# Outbox columns the statement fills from the new registration, not from parameters.
_FROM_REGISTRATION = ("id", "dedupe_key", "registration_id")


def can_write(registration: Registration) -> bool:
    """Whether `write` takes this new registration (else: add, flush and `status_mail`)."""
    return (
        db.session.get_bind().dialect.name == "postgresql"
        and registration.series_registration is None
        # An erased person's placeholder gets no mail: queue_message's rule, kept there.
        and not is_erased_address(registration.email)
    )


def write(registration: Registration, session: Session | SessionFacts) -> None:
    """Insert the new (transient) registration and its status mail; it becomes persistent."""
    now = utcnow()
    mail = notify.status_mail_for(registration)
    registration.session_id = session.id
    registration.series_registration_id = None
    parameters = {f"r_{k}": v for k, v in _registration_values(registration, now).items()}
    # The envelope's key and registration id are placeholders: the statement writes both.
    envelope = registrant_envelope(registration, session, mail.kind, DedupeKey(mail.template))
    email = built_at_send_time(registration, mail.template, mail.with_ics, mail.extra)
    mail_values = {
        k: v for k, v in row_values(envelope, email, now).items() if k not in _FROM_REGISTRATION
    }
    parameters.update({f"o_{k}": v for k, v in mail_values.items()})
    key_parts = (f"v{registration.token_version}", *mail.suffix)
    parameters["key_prefix"] = DedupeKey(mail.template).prefix
    parameters["key_suffix"] = str(DedupeKey("", *key_parts))
    statement = _statement(tuple(mail_values))
    # On the connection: a Core statement, nothing for the ORM's execution layer to do.
    new_id, outbox_id = db.session.connection().execute(statement, parameters).one()
    registration.id = new_id
    # As if loaded: every value is what was written, nothing left to flush.
    make_transient_to_detached(registration)
    db.session.add(registration)
    if outbox_id is not None:
        mark_pending()


def _registration_values(registration: Registration, now: datetime) -> dict[str, Any]:
    """Every column but the id, from the object or the column's default (set on the object
    too, so that it reads as the row does)."""
    values: dict[str, Any] = {}
    state = registration.__dict__
    for column in _registrations().columns:
        key = column.key
        if key == "id":
            continue
        if key in ("created_at", "updated_at"):
            value: Any = now
        elif key in state:
            value = state[key]
        elif column.default is not None and column.default.is_scalar:
            value = column.default.arg  # type: ignore[attr-defined]
        elif column.default is not None and column.default.is_callable:
            value = column.default.arg(None)  # type: ignore[attr-defined]
        else:
            value = None
        if key not in state:
            setattr(registration, key, value)
        values[key] = value
    return values


def _registrations() -> Table:
    return cast(Table, Registration.__table__)


@cache
def _statement(mail_columns: tuple[str, ...]) -> Select[Any]:
    """Built once per process (and prepared by psycopg after a few runs), bound per call;
    the outbox row's `mail_columns` from parameters (the others take their defaults)."""
    registrations = _registrations()
    outbox = cast(Table, OutboxMessage.__table__)
    new = (
        pg_insert(registrations)
        .values(
            {
                c.key: bindparam(f"r_{c.key}", type_=c.type)
                for c in registrations.columns
                if c.key != "id"
            }
        )
        .returning(registrations.c.id)
        .cte("new_registration")
    )
    key = (
        bindparam("key_prefix", type_=String)
        + sql_cast(new.c.id, String)
        + bindparam("key_suffix", type_=String)
    )
    columns = [outbox.c[k] for k in ("dedupe_key", "registration_id", *mail_columns)]
    values: list[Any] = []
    for column in columns:
        if column.key == "registration_id":
            values.append(new.c.id)
        elif column.key == "dedupe_key":
            values.append(key)
        else:
            values.append(bindparam(f"o_{column.key}", type_=column.type))
    mail = (
        pg_insert(outbox)
        .from_select([c.key for c in columns], select(*values).select_from(new))
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(outbox.c.id)
        .cte("new_mail")
    )
    return select(new.c.id, mail.c.id).select_from(new.outerjoin(mail, true()))
