"""Extension instances, created bare and bound to an app in create_app()."""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable
from functools import cache as cache_function
from functools import partial
from typing import TYPE_CHECKING, Any

from flask import Flask, Response, current_app, request
from flask.globals import request_ctx
from flask_caching import Cache
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from limits import RateLimitItem, parse_many
from limits.storage import RedisStorage
from limits.strategies import FixedWindowRateLimiter
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase
from werkzeug.exceptions import TooManyRequests

from eventhub.redis_direct import DirectConnection, Unavailable

log = logging.getLogger("flask-limiter")

# Named constraints so Alembic can alter them later (and SQLite batch mode can find them).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()


class _CSRFProtect(CSRFProtect):
    """Flask-WTF's protection, asking the method first: its before-request hook looked up the
    view's exemption (a string built per request) before finding a GET has nothing to check."""

    def protect(self, apply_exemptions: bool = False) -> None:
        if request.method not in current_app.config["WTF_CSRF_METHODS"]:
            return
        super().protect(apply_exemptions=apply_exemptions)


csrf = _CSRFProtect()


class _Limiter(Limiter):
    """Flask-Limiter whose before-request hook does nothing when it has nothing to check.

    That hook only ever evaluates the app-wide limits (application, default, blueprint and
    meta limits); each route's own limits are checked by its decorator. eventhub configures no
    app-wide limit, yet the hook resolved and evaluated an empty list on every request (a
    tenth of a cached page, 0.15 ms of a registration POST). It also stops at the request
    filters (eventhub.public.cache: the cached public reads), unless meta limits are configured:
    an exempt request is still counted against those.
    """

    # What init_app fills from an app's RATELIMIT_* settings, only where still unset: on the
    # one limiter of the process, the first app's settings (an app-wide default limit, say)
    # stayed in force for every later app (tests create many). Each init_app starts afresh
    # from the constructor's values; route limits and request filters are the code's, and stay.
    _PER_APP = (
        "enabled",
        "_default_limits_per_method",
        "_default_limits_exempt_when",
        "_default_limits_deduct_when",
        "_default_limits_cost",
        "_application_limits_per_method",
        "_application_limits_exempt_when",
        "_application_limits_deduct_when",
        "_application_limits_cost",
        "_in_memory_fallback",
        "_in_memory_fallback_enabled",
        "_headers_enabled",
        "_header_mapping",
        "_retry_after",
        "_strategy",
        "_storage_options",
        "_swallow_errors",
        "_fail_on_first_breach",
        "_on_breach",
        "_on_meta_breach",
        "_key_prefix",
        "_request_identifier",
        "_meta_limits",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._constructed = {name: copy.copy(getattr(self, name)) for name in self._PER_APP}
        manager = self.limit_manager
        self._constructed_limits = (
            list(manager._application_limits),
            list(manager._default_limits),
        )

    def init_app(self, app: Flask) -> None:
        for name, value in self._constructed.items():
            setattr(self, name, copy.copy(value))
        application_limits, default_limits = self._constructed_limits
        self.limit_manager.set_application_limits(list(application_limits))
        self.limit_manager.set_default_limits(list(default_limits))
        self._storage_dead = False
        super().init_app(app)
        self._hooks_only_for_used_contexts(app)

    def _hooks_only_for_used_contexts(self, app: Flask) -> None:
        """Flask-Limiter's after-request hook (conditional deductions, X-RateLimit headers) and
        its teardown (resetting the request's limiter context) run only for a request in which
        something created that context: a `@limiter.limit` route, or the app-wide check.

        Without one there is nothing to deduct, no limit for headers and nothing to reset, yet
        both hooks created the context to find that out (about 15 us of CPU on every cached
        page). A cached read and a route counted by `hit_route_limit` never create it.
        """
        inject = Limiter._Limiter__inject_headers  # type: ignore[attr-defined]
        release = Limiter._Limiter__release_context  # type: ignore[attr-defined]
        after = app.after_request_funcs.get(None, [])
        for index, hook in enumerate(after):
            if isinstance(hook, partial) and hook.func is inject and hook.args == (self,):
                after[index] = partial(_after_request_if_used, hook)
        teardown = app.teardown_request_funcs.get(None, [])
        for index, hook in enumerate(teardown):
            if (
                getattr(hook, "__func__", None) is release
                and getattr(hook, "__self__", None) is self
            ):
                teardown[index] = partial(_teardown_if_used, hook)

    def _check_request_limit(
        self, callable_name: str | None = None, in_middleware: bool = True
    ) -> None:
        if in_middleware and not self._meta_limits:
            manager = self.limit_manager
            if not (
                manager._application_limits or manager._default_limits or manager._blueprint_limits
            ) or any(exempt() for exempt in self._request_filters):
                return
        super()._check_request_limit(callable_name=callable_name, in_middleware=in_middleware)

    def hit_route_limit(self, limit: str) -> None:
        """Count this request against `limit` ("20/minute") for its address on its endpoint;
        past it, 429.

        What `@limiter.limit(limit)` does for a route with that one limit (the same storage
        keys, the in-memory fallback while the storage is down, the request filters), without
        resolving and evaluating the route's limits on every request: that cost a registration
        POST as much again as the storage's round trip.
        """
        if not (self.enabled and self.initialized) or any(f() for f in self._request_filters):
            return
        identity = [self._key_func(), request.endpoint or ""]
        if self._key_prefix:
            identity.insert(0, self._key_prefix)
        # Flask-Limiter's own backoff between checks of a dead storage (a private method).
        should_check = self._Limiter__should_check_backend  # type: ignore[attr-defined]
        if self._storage_dead and should_check() and self.storage.check():
            log.info("Rate limit storage recovered")
            self._storage_dead = False
        try:
            allowed = all(self._hit(item, identity) for item in _parsed(limit))
        except Exception:
            if not (self._in_memory_fallback_enabled and not self._storage_dead):
                if not self._swallow_errors:
                    raise
                log.exception("Failed to rate limit. Swallowing error")
                return
            log.warning("Rate limit storage unreachable - falling back to in-memory storage")
            self._storage_dead = True
            allowed = all(self.limiter.hit(item, *identity) for item in _parsed(limit))
        if not allowed:
            raise TooManyRequests()

    def _hit(self, item: RateLimitItem, identity: list[str]) -> bool:
        strategy = self.limiter
        storage = getattr(strategy, "storage", None)
        if type(strategy) is FixedWindowRateLimiter and type(storage) is RedisStorage:
            # The fixed window's one script (limits' RedisStorage.incr) on the thread's own
            # connection (eventhub.redis_direct); if it cannot, through the storage as before
            # (which also loads the script into a Redis that has not seen it yet).
            key = storage.prefixed_key(item.key_for(*identity))
            sha = storage.lua_incr_expire.sha  # type: ignore[attr-defined]  # (not in the stubs)
            try:
                count = _direct_limits.execute(
                    storage.storage, "EVALSHA", sha, 1, key, item.get_expiry(), 1
                )
            except Unavailable:
                pass
            else:
                return int(count) <= item.amount
        return strategy.hit(item, *identity)


_direct_limits = DirectConnection()
_CONTEXT = "_limiter_request_context"  # where Flask-Limiter keeps it on the request context


def _after_request_if_used(hook: Callable[..., Response], response: Response) -> Response:
    return hook(response) if hasattr(request_ctx, _CONTEXT) else response


def _teardown_if_used(hook: Callable[..., Any], error: BaseException | None) -> None:
    if hasattr(request_ctx, _CONTEXT):
        hook(error)


@cache_function
def _parsed(limit: str) -> list[RateLimitItem]:
    # Smallest window first, as Flask-Limiter evaluates them (stopping at the first breach).
    return sorted(parse_many(limit))


limiter = _Limiter(key_func=get_remote_address, default_limits=[])
# The /api/v1 read and organiser APIs; the OpenAPI document is generated from the code.
api = Api()
# Anonymous public pages and API reads (eventhub.public.cache chooses the backend).
cache = Cache()

# Models subclass `Model`; type checkers see the typed declarative base behind db.Model.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model
