"""Who may reach what: organiser-only and speaker-only areas."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, abort
from flask_login import current_user

from eventhub.accounts.models import Role
from eventhub.extensions import login_manager

F = TypeVar("F", bound=Callable[..., Any])


def _check(role: Role) -> Any:
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if current_user.role is not role:
        abort(403)
    return None


def require_role_for_blueprint(blueprint: Blueprint, role: Role) -> None:
    """Protect every route of a blueprint, including ones added later."""

    @blueprint.before_request
    def _guard() -> Any:
        return _check(role)


def organiser_required(view: F) -> F:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        refusal = _check(Role.ORGANISER)
        if refusal is not None:
            return refusal
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]
