"""Recording organiser actions as they commit.

A request to an organiser endpoint that changes something (or exports registrants) is an
action. While it runs, every flush notes what changed on the rows worth auditing (before →
after per column; listeners on the application's session, like the public cache's); just
before the request's one commit, one entry per series touched is added to the same
transaction (a `transaction.before_commit` callback the action registers when it starts) — so a
refused or rolled-back action leaves no entry, and a committed one cannot lose its entry.
Exports change nothing and are recorded on their own.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session as OrmSession

from eventhub.activity.models import ActivityEntry
from eventhub.extensions import db
from eventhub.registration.models import Registration
from eventhub.scheduling.models import Series, Session
from eventhub.teams.access import Need, current_actor, series_of
from eventhub.transaction import at_transaction_end, before_commit

# GET endpoints that are actions all the same: they hand out personal data.
READ_ACTIONS = frozenset(
    {
        "registration_admin.session_export",
        "registration_admin.series_export",
    }
)
# Never copied into an entry: secrets (even encrypted or hashed) and bookkeeping.
SKIPPED_COLUMNS = frozenset(
    {
        "updated_at",
        "created_at",
        "password_hash",
        "nonce",
        "token_hash",
        "code_hash",
        "totp_secret",
        "totp_last_step",
    }
)


@dataclass
class Pending:
    action: str
    target: str
    series_ids: set[int] = field(default_factory=set)
    changes: dict[str, list[Any]] = field(default_factory=dict)
    written: bool = False


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, list | dict):
        return value
    return str(value)


def _label(obj: Any) -> str:
    name = type(obj).__name__
    ident = getattr(obj, "id", None)
    return f"{name} {ident}" if ident is not None else name


def _series_id_of(obj: Any) -> int | None:
    if isinstance(obj, Series):
        return obj.id
    series_id = getattr(obj, "series_id", None)
    if series_id is not None:
        return int(series_id)
    session = getattr(obj, "session", None)
    return getattr(session, "series_id", None) if session is not None else None


def _pending() -> Pending | None:
    if not has_request_context():
        return None
    pending: Pending | None = g.get("activity")
    return pending


def _note_flush(session: OrmSession, _context: Any, _instances: Any) -> None:
    pending = _pending()
    if pending is None:
        return
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        if isinstance(obj, ActivityEntry):
            continue
        series_id = _series_id_of(obj)
        if series_id is not None:
            pending.series_ids.add(series_id)
        state = inspect(obj)
        for attr in state.mapper.column_attrs:
            if attr.key in SKIPPED_COLUMNS:
                continue
            history = state.attrs[attr.key].history
            if obj in session.dirty and history.has_changes():
                before = history.deleted[0] if history.deleted else None
                after = history.added[0] if history.added else None
                if before != after:
                    pending.changes[f"{_label(obj)} {attr.key}"] = [_plain(before), _plain(after)]
        if obj in session.new:
            pending.changes.setdefault(f"{_label(obj)}", [None, "created"])
        if obj in session.deleted:
            pending.changes[f"{_label(obj)}"] = ["existed", None]


def _after_flush(session: OrmSession, _context: Any) -> None:
    # New rows have ids only now: a series created by this request is its own target.
    pending = _pending()
    if pending is None:
        return
    for obj in session.new:
        series_id = _series_id_of(obj)
        if series_id is not None:
            pending.series_ids.add(series_id)


_KEY = "eventhub.activity"


def _arm() -> None:
    """Write the action's entries at the next commit; once written, the request is done."""
    pending = _pending()
    if pending is None or pending.written:
        return
    before_commit(_write_entries, key=_KEY)
    # A transaction that ended without entries (rolled back, or nothing to its series yet):
    # the request's next one may still commit its action.
    at_transaction_end(_arm, key=_KEY)


def _write_entries() -> None:
    pending = _pending()
    if pending is None or pending.written:
        return
    session = db.session
    session.flush()
    if not pending.series_ids:
        return
    pending.written = True
    actor = current_actor()
    for series_id in sorted(pending.series_ids):
        # A series deleted by this very action keeps its entry, at installation level.
        exists = session.get(Series, series_id) is not None
        session.add(
            ActivityEntry(
                series_id=series_id if exists else None,
                actor_id=getattr(actor, "id", None),
                actor_email=getattr(actor, "email", ""),
                action=pending.action,
                target=pending.target,
                changes=pending.changes,
            )
        )


def describe(args: dict[str, Any]) -> str:
    """What a URL's arguments name, in words: “Session 2: Title”, a registrant, a series."""
    words = []
    if "registration_id" in args:
        registration = db.session.get(Registration, args["registration_id"])
        if registration is not None:
            words.append(f"Registration of {registration.email}")
    if "session_id" in args:
        session = db.session.get(Session, args["session_id"])
        if session is not None:
            words.append(f"Session {session.number}: {session.title}")
    if "series_id" in args and not words:
        series = db.session.get(Series, args["series_id"])
        if series is not None:
            words.append(series.title)
    words += [f"{k} {v}" for k, v in sorted(args.items()) if k in ("email", "user_id")]
    return "; ".join(words)[:300]


def _start() -> None:
    g.pop("activity", None)  # a test's shared app context must not carry the last action
    endpoint = request.endpoint or ""
    needs = current_app.extensions.get("access_needs", {})
    # Public endpoints (a registration through the API) are attendees' actions, not an
    # organiser's: they stay out of the log and out of the seat lock's transaction.
    if needs.get(endpoint, Need.PUBLIC) is Need.PUBLIC:
        return
    changes = request.method not in ("GET", "HEAD", "OPTIONS")
    if not changes and endpoint not in READ_ACTIONS:
        return
    args = request.view_args or {}
    target = describe(args)
    pending = Pending(action=endpoint, target=target)
    series_id = series_of(args)
    if series_id is not None:
        pending.series_ids.add(series_id)
    g.activity = pending
    _arm()
    if not changes:
        # An export changes nothing: its entry is this request's one commit, made before
        # the rows stream out.
        pending.changes = {"query": [None, request.query_string.decode("ascii", "replace")]}
        db.session.commit()


def install(app: Flask) -> None:
    """Record actions of `app`'s organiser endpoints (after the access check has run)."""
    app.before_request(_start)
    for name, listener in (("before_flush", _note_flush), ("after_flush", _after_flush)):
        if not event.contains(db.session, name, listener):
            event.listen(db.session, name, listener)
