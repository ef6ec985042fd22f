"""The request boundary's one commit: run a service change, commit it, or roll back a refusal.

    with change(show=form.show_errors) as done:
        series = series_service.create_series(data, user)
    if done.ok:
        return redirect(...)

The block's change is committed once when it ends; a `Refusal` raised inside is rolled back and
shown — flashed by default, given to `show` (a form's field errors), or turned by `show` into an
HTTP error (the APIs' JSON 4xx) — and the block is left without it. Anything else propagates
(and is rolled back by the error handlers).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from types import TracebackType
from typing import Any, NoReturn

from flask import flash
from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import SessionTransaction

from eventhub.extensions import db
from eventhub.refusal import Refusal

log = logging.getLogger(__name__)


def flash_refusal(refusal: Refusal, category: str = "error") -> None:
    flash(refusal.summary(), category)


def keep_quiet(refusal: Refusal) -> None:
    """Show nothing: the view reads `done.refusal` and answers itself."""


def reraise(refusal: Refusal) -> NoReturn:
    """Roll back, then let the app's Refusal handler answer (JSON for the API; status_code)."""
    raise refusal


class Boundary:
    """Commit the block's change once, or roll it back and show its refusal (see module doc)."""

    def __init__(
        self,
        *,
        show: Callable[[Any], object] = flash_refusal,
        refusals: type[Refusal] | tuple[type[Refusal], ...] = Refusal,
    ) -> None:
        self.show = show
        # Narrower than Refusal when only some refusals belong to this page; others propagate.
        self.refusals = refusals
        self.refusal: Refusal | None = None

    @property
    def ok(self) -> bool:
        return self.refusal is None

    def __enter__(self) -> Boundary:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool:
        if error is None:
            try:
                db.session.commit()
            except BaseException:
                # A failed flush leaves the session unusable until it is rolled back.
                db.session.rollback()
                raise
            return False
        if not isinstance(error, self.refusals):
            return False
        db.session.rollback()
        self.refusal = error
        # `show` may raise (an API's 409/422): the refusal then leaves as that HTTP error.
        self.show(error)
        return True


def change(
    *,
    show: Callable[[Any], object] = flash_refusal,
    refusals: type[Refusal] | tuple[type[Refusal], ...] = Refusal,
) -> Boundary:
    """The request's (or task's) one commit around a `with` block; see the module doc."""
    return Boundary(show=show, refusals=refusals)


# --- What runs when the transaction ends ----------------------------------------------------
#
# Rows that belong to whatever the transaction changed (the organiser activity log) are added
# by `before_commit` callbacks, inside the transaction, just before it commits.
# Work that must wait for the commit (waking the mail worker, dropping cached public pages,
# deleting files a change stopped pointing at) is registered here by the code that caused it,
# and runs once after the application session's outermost transaction commits — in a request or
# in a Celery task alike. A rollback (or a session closed without a commit) discards it and runs
# the `after_rollback` callbacks instead. The listeners sit on the application's session only:
# other SQLAlchemy sessions in the process (kombu's broker transport) never see them.

_BEFORE_COMMIT = "eventhub.before_commit"
_ON_COMMIT = "eventhub.after_commit"
_ON_ROLLBACK = "eventhub.after_rollback"
_AT_END = "eventhub.at_transaction_end"

Callback = Callable[[], object]


def _register(slot: str, callback: Callback, key: str | None) -> None:
    # A key makes a second registration of the same work (one wake-up per commit) a no-op.
    callbacks: dict[object, Callback] = db.session.info.setdefault(slot, {})
    callbacks.setdefault(key if key is not None else object(), callback)


def before_commit(callback: Callback, *, key: str | None = None) -> None:
    """Run `callback` inside the current transaction just before it commits (it may add rows;
    an error it raises fails the commit). Discarded if the transaction rolls back."""
    _register(_BEFORE_COMMIT, callback, key)


def after_commit(callback: Callback, *, key: str | None = None) -> None:
    """Run `callback` once after the current transaction commits (never if it rolls back)."""
    _register(_ON_COMMIT, callback, key)


def after_rollback(callback: Callback, *, key: str | None = None) -> None:
    """Run `callback` once if the current transaction ends without committing."""
    _register(_ON_ROLLBACK, callback, key)


def at_transaction_end(callback: Callback, *, key: str | None = None) -> None:
    """Run `callback` once when the current transaction ends, committed or not."""
    _register(_AT_END, callback, key)


def _run(callbacks: dict[object, Callback]) -> None:
    for callback in callbacks.values():
        try:
            callback()
        except Exception:
            # The change is already committed (or already undone): a failed follow-up is logged,
            # it must not turn a saved change into an error page.
            log.exception("a transaction-end callback failed")


def _committing(session: OrmSession) -> None:
    # Unlike the callbacks after the transaction, these are part of it: an error propagates.
    for callback in session.info.pop(_BEFORE_COMMIT, {}).values():
        callback()


def _committed(session: OrmSession) -> None:
    if session.in_nested_transaction():
        return  # a savepoint: the outer transaction may still roll back
    session.info.pop(_ON_ROLLBACK, None)
    _run(session.info.pop(_ON_COMMIT, {}))


def _ended(session: OrmSession, transaction: SessionTransaction) -> None:
    if transaction.parent is not None:
        return
    session.info.pop(_BEFORE_COMMIT, None)  # registered by a transaction that is over
    session.info.pop(_ON_COMMIT, None)  # still here: the transaction did not commit
    _run(session.info.pop(_ON_ROLLBACK, {}))
    _run(session.info.pop(_AT_END, {}))


def install_transaction_hooks() -> None:
    """Attach the listeners to the application's session (safe to call twice)."""
    for name, listener in (
        ("before_commit", _committing),
        ("after_commit", _committed),
        ("after_transaction_end", _ended),
    ):
        if not event.contains(db.session, name, listener):
            event.listen(db.session, name, listener)
