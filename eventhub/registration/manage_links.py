"""Manage links: signed, purpose-bound tokens naming a registration and its token version."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from flask import abort

from eventhub.extensions import db
from eventhub.registration.models import Registration, SeriesRegistration
from eventhub.tokens import InvalidToken, make_token, read_token
from eventhub.urls import external_url

# Links stay usable well past the session (recordings, unsubscribing), but not for ever.
MAX_AGE_SECONDS = 400 * 24 * 3600

Linked = TypeVar("Linked", Registration, SeriesRegistration)


@dataclass(frozen=True)
class ManageLink(Generic[Linked]):
    """One kind of manage link: its token carries the row's id and a stamp taken when issued,
    and the link works while the stamp still matches."""

    purpose: str
    endpoint: str
    model: type[Linked]
    stamp: Callable[[Linked], int | str]

    def token(self, row: Linked) -> str:
        return make_token(self.purpose, [row.id, self.stamp(row)])

    def url(self, row: Linked) -> str:
        return external_url(self.endpoint, token=self.token(row))

    def row_for(self, token: str) -> Linked | None:
        """The row a token names, or None if invalid, expired, foreign or revoked."""
        try:
            payload = read_token(self.purpose, token, max_age_seconds=MAX_AGE_SECONDS)
        except InvalidToken:
            return None
        if not (isinstance(payload, list) and len(payload) == 2 and type(payload[0]) is int):
            return None
        row = db.session.get(self.model, payload[0])
        if row is None:
            return None
        stamp = self.stamp(row)
        return row if type(payload[1]) is type(stamp) and payload[1] == stamp else None


# Bumping a registration's token version revokes every link to it issued so far.
SESSION_LINK = ManageLink(
    "registration.manage", "registration.manage", Registration, lambda r: r.token_version
)
SERIES_LINK = ManageLink(
    "registration.manage-series",
    "registration.manage_series",
    SeriesRegistration,
    lambda r: r.email,
)

manage_token = SESSION_LINK.token
manage_url = SESSION_LINK.url


def manage_url_at(registration_id: int, token_version: int) -> str:
    """`manage_url` as issued while the registration had `token_version` (a queued mail's)."""
    token = make_token(SESSION_LINK.purpose, [registration_id, token_version])
    return external_url(SESSION_LINK.endpoint, token=token)


registration_for_token = SESSION_LINK.row_for
series_token = SERIES_LINK.token
series_manage_url = SERIES_LINK.url
series_registration_for_token = SERIES_LINK.row_for


def registration_for_token_or_404(token: str) -> Registration:
    """The registration a manage link names; any other link is a page that does not exist."""
    registration = registration_for_token(token)
    if registration is None:
        abort(404)
    return registration
