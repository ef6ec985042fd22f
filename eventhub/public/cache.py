"""A cache for anonymous public pages and API reads, invalidated whenever programme data changes.

Every cached entry is keyed by a content version. Any committed change to a series, session,
speaker, line-up, registration or recap replaces that version, so the next request renders
afresh; nothing has to know which pages a change touched. Entries also expire at the next moment
a page changes by itself (registration opens or closes, a session starts or ends).

Backends: Redis when REDIS_URL is set (shared by every worker), otherwise a filesystem cache
under instance/ (shared by the processes of one machine); tests default to no cache.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Flask, current_app, has_app_context, jsonify, make_response, session
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState
from sqlalchemy.orm import Session as OrmSession

from eventhub.clock import utcnow
from eventhub.extensions import cache
from eventhub.recaps.models import Recap
from eventhub.registration.models import Registration
from eventhub.scheduling.models import Series, Session
from eventhub.speakers.models import SessionSpeaker, SpeakerProfile

log = logging.getLogger(__name__)

WATCHED = (Series, Session, SessionSpeaker, SpeakerProfile, Registration, Recap)
VERSION_KEY = "public:version"
MAX_TTL_SECONDS = 300
_CHANGED = "eventhub.public_changed"


def init_cache(app: Flask) -> None:
    """Pick the backend: explicit EVENTHUB_PUBLIC_CACHE, else Redis, else the filesystem."""
    kind = app.config.get("EVENTHUB_PUBLIC_CACHE")
    if kind is None:
        if app.testing:
            kind = "null"
        elif app.config.get("REDIS_URL"):
            kind = "redis"
        else:
            kind = "filesystem"
    settings: dict[str, Any] = {
        "CACHE_DEFAULT_TIMEOUT": MAX_TTL_SECONDS,
        "CACHE_NO_NULL_WARNING": True,
    }
    if kind == "redis":
        settings |= {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": app.config["REDIS_URL"]}
    elif kind == "filesystem":
        folder = Path(app.instance_path) / "cache"
        settings |= {"CACHE_TYPE": "FileSystemCache", "CACHE_DIR": str(folder)}
    elif kind == "simple":
        settings |= {"CACHE_TYPE": "SimpleCache"}
    else:
        settings |= {"CACHE_TYPE": "NullCache"}
    app.config["EVENTHUB_PUBLIC_CACHE"] = kind
    cache.init_app(app, config=settings)


def _enabled() -> bool:
    return bool(current_app.config.get("EVENTHUB_PUBLIC_CACHE", "null") != "null")


def _version() -> str:
    value = cache.get(VERSION_KEY)
    if value is None:
        value = secrets.token_hex(8)
        cache.set(VERSION_KEY, value, timeout=0)
    return str(value)


def invalidate() -> None:
    """Make every cached public entry stale (called after a commit that changed content)."""
    try:
        cache.set(VERSION_KEY, secrets.token_hex(8), timeout=0)
    except Exception:  # a cache outage must never fail the commit that already happened
        log.warning("could not invalidate the public cache", exc_info=True)


def _next_change(sessions: Iterable[Session], now: datetime) -> int:
    """Seconds until one of these sessions changes what a page says without any write."""
    moments = []
    for item in sessions:
        for moment in (
            item.registration_opens_at,
            item.registration_closes_at,
            item.starts_at,
            item.ends_at,
        ):
            if moment is not None and moment > now:
                moments.append(moment)
    if not moments:
        return MAX_TTL_SECONDS
    seconds = int((min(moments) - now).total_seconds())
    return max(1, min(MAX_TTL_SECONDS, seconds))


def _cacheable() -> bool:
    # Personal pages (logged in, a pending flash message) are never shared.
    return _enabled() and not current_user.is_authenticated and "_flashes" not in session


def _cached(name: str, build: Callable[[], tuple[Any, Iterable[Session]]]) -> tuple[Any, bool]:
    if not _cacheable():
        return build()[0], False
    try:
        key = f"public:{_version()}:{name}"
        hit = cache.get(key)
    except Exception:
        log.warning("public cache unavailable", exc_info=True)
        return build()[0], False
    if hit is not None:
        return hit, True
    value, sessions = build()
    try:
        cache.set(key, value, timeout=_next_change(sessions, utcnow()))
    except Exception:
        log.warning("could not store a public cache entry", exc_info=True)
    return value, False


def cached_page(
    name: str, build: Callable[[], tuple[str, Iterable[Session]]]
) -> ResponseReturnValue:
    """Serve HTML from the cache, or build, store and serve it."""
    html, hit = _cached(name, build)
    response = make_response(html)
    response.headers["X-Cache"] = "hit" if hit else "miss"
    return response


def cached_json(
    name: str, build: Callable[[], tuple[dict[str, Any], Iterable[Session]]]
) -> ResponseReturnValue:
    """Serve a JSON document from the cache, or build, store and serve it."""
    payload, hit = _cached(name, build)
    response = jsonify(payload)
    response.headers["X-Cache"] = "hit" if hit else "miss"
    return response


@event.listens_for(OrmSession, "after_flush")
def _note_changes(orm_session: OrmSession, _context: Any) -> None:
    for collection in (orm_session.new, orm_session.dirty, orm_session.deleted):
        if any(isinstance(item, WATCHED) for item in collection):
            orm_session.info[_CHANGED] = True
            return


@event.listens_for(OrmSession, "do_orm_execute")
def _note_bulk_changes(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    mapper = state.bind_mapper
    if mapper is not None and issubclass(mapper.class_, WATCHED):
        state.session.info[_CHANGED] = True


@event.listens_for(OrmSession, "after_commit")
def _invalidate_after_commit(orm_session: OrmSession) -> None:
    if orm_session.info.pop(_CHANGED, False) and has_app_context() and _enabled():
        invalidate()


@event.listens_for(OrmSession, "after_rollback")
def _forget_after_rollback(orm_session: OrmSession) -> None:
    orm_session.info.pop(_CHANGED, None)
