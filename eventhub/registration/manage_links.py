"""Manage links: signed, purpose-bound tokens naming a registration and its token version."""

from __future__ import annotations

from eventhub.extensions import db
from eventhub.registration.models import Registration, SeriesRegistration
from eventhub.tokens import InvalidToken, make_token, read_token
from eventhub.urls import external_url

PURPOSE = "registration.manage"
SERIES_PURPOSE = "registration.manage-series"
# Links stay usable well past the session (recordings, unsubscribing), but not for ever.
MAX_AGE_SECONDS = 400 * 24 * 3600


def manage_token(registration: Registration) -> str:
    return make_token(PURPOSE, [registration.id, registration.token_version])


def manage_url(registration: Registration) -> str:
    return external_url("registration.manage", token=manage_token(registration))


def registration_for_token(token: str) -> Registration | None:
    """The registration a token names, or None if invalid, expired, foreign or revoked."""
    try:
        payload = read_token(PURPOSE, token, max_age_seconds=MAX_AGE_SECONDS)
    except InvalidToken:
        return None
    if not (
        isinstance(payload, list) and len(payload) == 2 and all(type(v) is int for v in payload)
    ):
        return None
    registration = db.session.get(Registration, payload[0])
    if registration is None or registration.token_version != payload[1]:
        return None
    return registration


def series_token(series_registration: SeriesRegistration) -> str:
    return make_token(SERIES_PURPOSE, [series_registration.id, series_registration.email])


def series_manage_url(series_registration: SeriesRegistration) -> str:
    return external_url("registration.manage_series", token=series_token(series_registration))


def series_registration_for_token(token: str) -> SeriesRegistration | None:
    try:
        payload = read_token(SERIES_PURPOSE, token, max_age_seconds=MAX_AGE_SECONDS)
    except InvalidToken:
        return None
    if not (isinstance(payload, list) and len(payload) == 2 and type(payload[0]) is int):
        return None
    found = db.session.get(SeriesRegistration, payload[0])
    if found is None or found.email != payload[1]:
        return None
    return found
