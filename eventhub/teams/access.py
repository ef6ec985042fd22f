"""The one authorisation check: who may reach an organiser page or API call, for which series.

Every endpoint under /organiser/ and /api/v1/ has a `Need` in `eventhub.access_policy.NEEDS`;
one before-request hook (`enforce`) reads it, finds the series the URL is about from its view
arguments and compares the caller's role there. An endpoint missing from the table is refused
to everyone, admins included, so a new route cannot be reachable without a decision.
Non-members get 404 (the series' existence is not confirmed); members whose role is too low 403.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask, abort, current_app, g, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import ColumnElement, Select, false, select, true
from sqlalchemy.orm import InstrumentedAttribute
from werkzeug.exceptions import Forbidden, NotFound

from eventhub.accounts.bearer import token_organiser
from eventhub.accounts.models import User
from eventhub.extensions import db, login_manager
from eventhub.teams.models import MemberRole, Membership

log = logging.getLogger(__name__)


class Need(enum.Enum):
    PUBLIC = "public"  # anyone; the public API and pages
    ORGANISER = "organiser"  # any signed-in organiser; the page shows only their series
    CONTRIBUTOR = "contributor"  # an editor or owner of some series (the shared speaker list)
    READ = "read"  # viewer, editor or owner of the URL's series
    WRITE = "write"  # editor or owner of the URL's series
    MANAGE = "manage"  # owner of the URL's series
    ADMIN = "admin"  # installation admin only


SERIES_NEEDS = {Need.READ: MemberRole.VIEWER, Need.WRITE: MemberRole.EDITOR}
SERIES_NEEDS[Need.MANAGE] = MemberRole.OWNER

PROTECTED_PREFIXES = ("/organiser/", "/api/v1/")


def role_in(user: User, series_id: int) -> MemberRole | None:
    """The user's role in a series; admins act as owners everywhere."""
    if user.is_admin:
        return MemberRole.OWNER
    return db.session.scalar(
        select(Membership.role).where(
            Membership.series_id == series_id, Membership.user_id == user.id
        )
    )


def can(user: Any, need: Need, series_id: int | None = None) -> bool:
    """Whether `user` may do what `need` names (in the series, for series needs)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_organiser", False):
        return need is Need.PUBLIC
    if need in (Need.PUBLIC, Need.ORGANISER):
        return True
    if user.is_admin:
        return True
    if need is Need.ADMIN:
        return False
    if need is Need.CONTRIBUTOR:
        return _contributes(user)
    if series_id is None:
        return False
    role = role_in(user, series_id)
    return role is not None and role.rank >= SERIES_NEEDS[need].rank


def _contributes(user: User) -> bool:
    return (
        db.session.scalar(
            select(Membership.id)
            .where(
                Membership.user_id == user.id,
                Membership.role.in_([MemberRole.OWNER, MemberRole.EDITOR]),
            )
            .limit(1)
        )
        is not None
    )


def visible_series_ids(user: User) -> Select[Any] | None:
    """Ids of the series `user` belongs to, as a subquery to filter lists; None = all (admin)."""
    if user.is_admin:
        return None
    return select(Membership.series_id).where(Membership.user_id == user.id)


def check(user: User, need: Need, series_id: int | None) -> None:
    """Raise 404 for a non-member, 403 for a role too low; return when allowed."""
    if user.is_admin:
        return  # a missing object is the view's 404
    if need in SERIES_NEEDS:
        if series_id is None:
            raise NotFound()
        role = role_in(user, series_id)
        if role is None:
            raise NotFound()
        if role.rank < SERIES_NEEDS[need].rank:
            raise Forbidden(description=f"Your role in this series ({role}) does not allow this.")
        return
    if not can(user, need):
        raise Forbidden()


# How each URL argument leads to its series. Nested ids (a recap section, a line-up link)
# are checked against their session by the views themselves.
Resolver = Callable[[Any], int | None]
_RESOLVERS: dict[str, Resolver] = {}


def resolver(name: str) -> Callable[[Resolver], Resolver]:
    def register(function: Resolver) -> Resolver:
        _RESOLVERS[name] = function
        return function

    return register


def series_of(view_args: Mapping[str, Any]) -> int | None:
    """The series a URL is about; None when an argument names nothing or two series disagree."""
    found: set[int | None] = set()
    for name, value in view_args.items():
        if name in _RESOLVERS:
            found.add(_RESOLVERS[name](value))
    if len(found) != 1:
        return None
    return found.pop()


def current_actor() -> User | None:
    """Who is acting in this request: the API token's user, else the logged-in user."""
    actor = g.get("api_user")
    if actor is not None:
        return actor
    return current_user if current_user.is_authenticated else None


def _is_api() -> bool:
    return request.path.startswith("/api/")


def enforce() -> ResponseReturnValue | None:
    """The before-request hook: apply the endpoint's need, deny what has none."""
    g.pop("api_user", None)  # a test's shared app context must not carry the last caller
    endpoint = request.endpoint
    if endpoint is None or request.method == "OPTIONS":
        return None
    need = need_for(current_app.extensions["access_needs"].get(endpoint), request.method)
    if need is None:
        if request.path.startswith(PROTECTED_PREFIXES):
            log.error("endpoint %s has no access rule; refused", endpoint)
            abort(403)
        return None
    if need is Need.PUBLIC:
        return None
    if _is_api():
        user = token_organiser()
        g.api_user = user
    else:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        user = current_user
        if not user.is_organiser:
            abort(403)
    series_id = series_of(request.view_args or {}) if need in SERIES_NEEDS else None
    check(user, need, series_id)
    return None


def in_reach(series_id_column: InstrumentedAttribute[Any]) -> ColumnElement[bool]:
    """A filter keeping rows of the series the current actor belongs to (all for admins)."""
    actor = current_actor()
    if actor is None:
        return false()
    ids = visible_series_ids(actor)
    return true() if ids is None else series_id_column.in_(ids)


# A policy entry: one need for every method, or (need to read, need to change) for a page
# that is shown to some and submitted by others.
Rule = Need | tuple[Need, Need]


def need_for(rule: Rule | None, method: str) -> Need | None:
    if isinstance(rule, tuple):
        return rule[0] if method in ("GET", "HEAD") else rule[1]
    return rule


def install(app: Flask, needs: Mapping[str, Rule]) -> None:
    """Enforce `needs` (endpoint → Need) before every request."""
    app.extensions["access_needs"] = dict(needs)
    app.before_request(enforce)
