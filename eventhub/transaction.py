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

from collections.abc import Callable
from types import TracebackType
from typing import Any, NoReturn

from flask import flash

from eventhub.extensions import db
from eventhub.refusal import Refusal


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
