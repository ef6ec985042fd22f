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

from dataclasses import dataclass
from datetime import datetime
from functools import cache, lru_cache
from typing import Any, cast

from sqlalchemy import (
    JSON,
    Integer,
    Interval,
    Select,
    String,
    Table,
    and_,
    bindparam,
    case,
    literal_column,
    null,
    or_,
    select,
    true,
    type_coerce,
)
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
from eventhub.registration.locking import DECISION_COLUMNS, SessionFacts
from eventhub.registration.messages import SessionIds, built_at_send_time, registrant_envelope
from eventhub.registration.models import Registration, RegistrationStatus
from eventhub.scheduling.models import Session, SessionStatus

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
    registration.session_id = session.id
    registration.series_registration_id = None
    parameters = {f"r_{k}": v for k, v in _registration_values(registration, now).items()}
    mail_values = _mail_values(registration, session, now)
    parameters.update({f"o_{k}": v for k, v in mail_values.items()})
    statement = _statement(tuple(k for k in mail_values if k not in _KEY_PARTS))
    # On the connection: a Core statement, nothing for the ORM's execution layer to do.
    new_id, outbox_id = db.session.connection().execute(statement, parameters).one()
    registration.id = new_id
    _attach(registration, outbox_id)


def _attach(registration: Registration, outbox_id: int | None) -> None:
    # Written outside a transaction: by a statement of its own, committed already.
    committed = not db.session().in_transaction()
    # As if loaded: every value is what was written, nothing left to flush.
    make_transient_to_detached(registration)
    db.session.add(registration)
    if outbox_id is not None:
        mark_pending(committed=committed)


# The dedupe key's parts around the new registration's id (the statement joins them).
_KEY_PARTS = ("key_prefix", "key_suffix")


def _mail_values(registration: Registration, session: SessionIds, now: datetime) -> dict[str, Any]:
    """The status mail's outbox values but those the statement fills, and the key's parts."""
    mail = notify.status_mail_for(registration)
    # The envelope's key and registration id are placeholders: the statement writes both.
    envelope = registrant_envelope(registration, session, mail.kind, DedupeKey(mail.template))
    email = built_at_send_time(registration, mail.template, mail.with_ics, mail.extra)
    values = {
        k: v for k, v in row_values(envelope, email, now).items() if k not in _FROM_REGISTRATION
    }
    key_parts = (f"v{registration.token_version}", *mail.suffix)
    values["key_prefix"] = DedupeKey(mail.template).prefix
    values["key_suffix"] = str(DedupeKey("", *key_parts))
    return values


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
        bindparam("o_key_prefix", type_=String)
        + sql_cast(new.c.id, String)
        + bindparam("o_key_suffix", type_=String)
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


# --- The sign-up in the seat lock's statement ---------------------------------------------
#
# A new sign-up's two round trips under the lock (the lock with its decision read, then this
# module's write) become one: the lock query (locking's lock query) is the first CTE of a
# statement that also decides the newcomer's place from the locked row — exactly
# services._place and window_problem, in SQL — and inserts the registration and its mail when
# the session takes sign-ups now and the email has no registration there (ON CONFLICT on the
# unique index). Otherwise nothing is written and services.register decides in Python under
# the lock, as before (a repeat, a closed window; a disagreement between the two only costs a
# second round trip). Sent outside a transaction, the statement is one of its own and the lock
# ends with it (locking.lock_for_signup, database.execute_alone).

# The places a newcomer can get (services._place); one mail variant each.
_NEWCOMER_PLACES = (
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.WAITLISTED,
    RegistrationStatus.PENDING,
)
# Registration columns the statement fills from the locked row.
_DECIDED = ("status", "confirmed_at", "waitlisted_at")


@dataclass(frozen=True)
class _Where:
    """The envelope's session: its id (the series id comes from the locked row)."""

    id: int
    series_id: int = 0


def newcomer(registration: Registration, session_id: int, now: datetime) -> Newcomer | None:
    """The write for `lock_for_signup`, if this new (transient) registration can be written by
    the lock's statement: on PostgreSQL, outside a series registration, not an erased person."""
    if not can_write(registration):
        return None
    return Newcomer(registration, session_id, now)


class Newcomer:
    """A new registration and its status mail, written by the seat lock's statement.

    Its values are bound compactly: psycopg converts and caches a statement's placeholders
    only up to 4096 bytes and 50 parameters (re-parsing a longer one cost more than the round
    trip it saved), so a value that is `now` is bound once, a None is written as NULL, and the
    mail's values that differ by place (kind, template, key) are one JSON parameter.
    """

    def __init__(self, registration: Registration, session_id: int, now: datetime) -> None:
        self.registration = registration
        self.now = now
        registration.session_id = session_id
        registration.series_registration_id = None
        registration.offer_expires_at = None
        values = _registration_values(registration, now)
        del values["session_id"]
        for name in _DECIDED:
            del values[name]
        variants = []
        for place in _NEWCOMER_PLACES:
            # What the mail's kind, template, invite and key are read from.
            registration.status = place
            variants.append(_mail_values(registration, _Where(session_id), now))
        uniform = variants[0]
        del uniform["series_id"]  # the locked row's
        varying = tuple(k for k in uniform if any(v[k] != uniform[k] for v in variants))
        parameters: dict[str, Any] = {"now": now}
        shape: list[tuple[str, str]] = []
        for prefix, given in (("r", values), ("o", {k: uniform[k] for k in uniform})):
            for name, value in given.items():
                if prefix == "o" and name in varying:
                    continue
                how = "null" if value is None else "now" if value is now else "param"
                shape.append((f"{prefix}_{name}", how))
                if how == "param":
                    parameters[f"{prefix}_{name}"] = value
        parameters["variants"] = {
            place.value: {k: v[k] for k in varying}
            for place, v in zip(_NEWCOMER_PLACES, variants, strict=True)
        }
        self.parameters = parameters
        self._shape = tuple(shape)
        self._varying = varying

    def statement(self, lock: Select[Any]) -> Select[Any]:
        return _lock_and_write(lock, self._shape, self._varying)

    def written(self, row: Any) -> Registration | None:
        """The registration, persistent as if loaded, if the lock's statement (`row`) wrote it."""
        if row is None or row.new_id is None:
            return None
        registration = self.registration
        registration.id = row.new_id
        place = registration.status = row.new_status
        registration.confirmed_at = self.now if place is RegistrationStatus.CONFIRMED else None
        registration.waitlisted_at = self.now if place is RegistrationStatus.WAITLISTED else None
        _attach(registration, row.outbox_id)
        return registration


def _sql_text(value: str, type_: Any = None) -> Any:
    """A constant written into the statement, not bound (see Newcomer)."""
    return literal_column("'" + value.replace("'", "''") + "'", type_)


@lru_cache(maxsize=32)
def _lock_and_write(
    lock: Select[Any], shape: tuple[tuple[str, str], ...], varying: tuple[str, ...]
) -> Select[Any]:
    """`lock` (the seat lock's decision query) writing the newcomer: built once per process
    and shape of values (`Newcomer`), bound per call."""
    sessions = cast(Table, Session.__table__)
    registrations = _registrations()
    outbox = cast(Table, OutboxMessage.__table__)
    status_type = registrations.c.status.type
    now = bindparam("now", type_=registrations.c.created_at.type)

    def status(place: RegistrationStatus) -> Any:
        return _sql_text(place.value, status_type)

    # services._place: a seat only if one is free and nobody waits; approval holds it.
    place = case(
        (
            or_(
                sessions.c.waitlisted_count > literal_column("0"),
                and_(
                    sessions.c.capacity.is_not(None),
                    sessions.c.seats_held >= sessions.c.capacity,
                ),
            ),
            status(RegistrationStatus.WAITLISTED),
        ),
        (sessions.c.requires_approval, status(RegistrationStatus.PENDING)),
        else_=status(RegistrationStatus.CONFIRMED),
    )
    # `now` and the mail values by place bound once, for every column that takes them.
    locked = lock.add_columns(
        place.label("place"),
        now.label("now"),
        bindparam("variants", type_=JSON).label("variants"),
    ).cte("l")
    # services.window_problem is None (on the locked row).
    minute = literal_column("interval '1 minute'", Interval)
    opens, closes = locked.c.registration_opens_at, locked.c.registration_closes_at
    is_open = and_(
        locked.c.status == _sql_text(SessionStatus.PUBLISHED.value),
        locked.c.series_is_published.is_(True),
        locked.c.starts_at + locked.c.duration_minutes * minute > locked.c.now,
        or_(opens.is_(None), opens <= locked.c.now),
        or_(closes.is_(None), locked.c.now < closes),
    )
    how = dict(shape)

    def given(name: str, type_: Any) -> Any:
        if how[name] == "null":
            return null()
        if how[name] == "now":
            return locked.c.now
        return bindparam(name, type_=type_)

    def at(when: RegistrationStatus) -> Any:
        return case((locked.c.place == status(when), locked.c.now), else_=null())

    columns = [c for c in registrations.columns if c.key != "id"]
    values: list[Any] = []
    for column in columns:
        if column.key == "session_id":
            values.append(bindparam("session_id", type_=Integer))
        elif column.key == "status":
            values.append(locked.c.place)
        elif column.key == "confirmed_at":
            values.append(at(RegistrationStatus.CONFIRMED))
        elif column.key == "waitlisted_at":
            values.append(at(RegistrationStatus.WAITLISTED))
        else:
            values.append(given(f"r_{column.key}", column.type))
    taken = select(*values).where(is_open)
    # A repeat (the email has a registration here, in any state) is found by the insert itself,
    # through the (session, email) unique index: nothing is written, and services.register
    # decides in Python. No lookup of the email before it: the index probe is one the insert
    # makes anyway. A twin's insert in progress is waited for, then skipped if it commits.
    new = (
        pg_insert(registrations)
        .from_select([c.key for c in columns], taken)
        .on_conflict_do_nothing(index_elements=["session_id", "email"])
        .returning(registrations.c.id, registrations.c.status)
        .cte("nr")
    )

    def value(name: str, type_: Any) -> Any:
        if name not in varying:
            return given(f"o_{name}", type_)
        mail = locked.c.variants.op("->", return_type=JSON)(new.c.status)
        if isinstance(type_, JSON):
            return type_coerce(mail.op("->", return_type=JSON)(_sql_text(name)), type_)
        return mail.op("->>", return_type=String)(_sql_text(name))

    key = value("key_prefix", String) + sql_cast(new.c.id, String) + value("key_suffix", String)
    mail_columns = [
        name[2:] for name, _how in shape if name.startswith("o_") and name[2:] not in _KEY_PARTS
    ]
    mail_columns += [k for k in varying if k not in _KEY_PARTS]
    mail_values = [key, new.c.id, locked.c.series_id]
    mail_values += [value(k, outbox.c[k].type) for k in mail_columns]
    written_mail = (
        pg_insert(outbox)
        .from_select(
            ["dedupe_key", "registration_id", "series_id", *mail_columns],
            select(*mail_values).select_from(new.join(locked, true())),
        )
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(outbox.c.id)
        .cte("nm")
    )
    return select(
        *(locked.c[name] for name in DECISION_COLUMNS),
        locked.c.series_is_published,
        new.c.id.label("new_id"),
        new.c.status.label("new_status"),
        written_mail.c.id.label("outbox_id"),
    ).select_from(locked.outerjoin(new, true()).outerjoin(written_mail, true()))
