"""The request boundary's one commit: run a service change, commit it or roll back on refusal."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from flask import flash

from eventhub.extensions import db

T = TypeVar("T")


@dataclass(frozen=True)
class Attempt(Generic[T]):
    result: T | None = None
    refusal: Exception | None = None

    @property
    def ok(self) -> bool:
        return self.refusal is None


def commit_unless_refused(
    change: Callable[[], T],
    refusals: tuple[type[Exception], ...],
    *,
    flash_category: str = "error",
    describe: Callable[[Exception], str] = str,
) -> Attempt[T]:
    """Commit what `change` did, or roll back and flash the refusal (a domain exception)."""
    try:
        result = change()
    except refusals as refusal:
        db.session.rollback()
        flash(describe(refusal), flash_category)
        return Attempt(refusal=refusal)
    db.session.commit()
    return Attempt(result=result)


def commit_or_reraise(change: Callable[[], T], refusals: tuple[type[Exception], ...]) -> T:
    """Commit what `change` did, or roll back and re-raise its refusal for the caller to show
    (on a form field, as a JSON error)."""
    try:
        result = change()
    except refusals:
        db.session.rollback()
        raise
    db.session.commit()
    return result


def commit() -> None:
    """Commit a change that cannot be refused (the request's one commit)."""
    db.session.commit()
