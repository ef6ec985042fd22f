"""EVENTHUB_REQUIRE_2FA: an organiser without the second factor reaches only its enrolment.

Checked before every browser request (the API goes by bearer token, not by this login). The
hook runs before the access policy, and lets through only what enrolling needs: the enrolment
pages, logging out, the language switcher and static files.
"""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

ENROLMENT_ENDPOINTS = frozenset(
    {
        "security.two_factor",
        "security.two_factor_start",
        "accounts.logout",
        "accounts.logout_everywhere",
        "language.choose",
        "static",
    }
)


def _gate() -> ResponseReturnValue | None:
    if not current_app.config.get("EVENTHUB_REQUIRE_2FA"):
        return None
    if request.endpoint in ENROLMENT_ENDPOINTS or request.path.startswith("/api/"):
        return None
    if not current_user.is_authenticated or not current_user.is_organiser:
        return None
    if current_user.has_second_factor:
        return None
    return redirect(url_for("security.two_factor"))


def install(blueprint: Blueprint) -> None:
    """Guard every request of the application that registers `blueprint`."""
    blueprint.before_app_request(_gate)
