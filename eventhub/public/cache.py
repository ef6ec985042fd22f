"""A cache for anonymous public pages and API reads, invalidated whenever programme data changes.

Every cached entry is tagged with a content version. Any committed change to a series, session,
speaker, line-up, registration question or recap replaces that version, so the next request
renders afresh; nothing has to know which pages a change touched. Registrations do not: what they
change on a page (seats, the action) is checked against the session rows' seat counters, which
every entry carries for the sessions it shows (`eventhub.public.seats`), so a sign-up burst
rebuilds only the pages showing that session, about once a second per worker. Entries also
expire at the next moment a page changes by itself (registration opens or closes, a session
starts or ends).

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

from flask import Flask, current_app, has_app_context, request, session
from flask.typing import ResponseReturnValue
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState
from sqlalchemy.orm import Session as OrmSession

from eventhub.accounts.loader import cannot_be_logged_in
from eventhub.clock import utcnow
from eventhub.config import ConfigError
from eventhub.extensions import cache, db, limiter
from eventhub.i18n import reader_preference
from eventhub.public import seats
from eventhub.recaps.models import Recap
from eventhub.redis_direct import DirectConnection, TrackedReads, Unavailable
from eventhub.registration.models import RegistrationQuestion
from eventhub.registration.public_data import CONTENT_VERSION
from eventhub.scheduling.models import Series, Session
from eventhub.speakers.models import SessionSpeaker, SpeakerProfile
from eventhub.transaction import after_commit

log = logging.getLogger(__name__)

# The session page carries its registration form, so the series' questions are content too.
# Registrations are not content: the seat counters tell what they change (see the docstring).
WATCHED = (
    Series,
    Session,
    SessionSpeaker,
    SpeakerProfile,
    RegistrationQuestion,
    Recap,
)
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
        "CACHE_KEY_PREFIX": "eventhub:",
    }
    if kind == "redis":
        if not app.config.get("REDIS_URL"):
            raise ConfigError("EVENTHUB_PUBLIC_CACHE=redis needs REDIS_URL.")
        settings |= {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": app.config["REDIS_URL"]}
    elif kind == "filesystem":
        folder = Path(app.instance_path) / "cache"
        settings |= {"CACHE_TYPE": "FileSystemCache", "CACHE_DIR": str(folder)}
    elif kind == "simple":
        settings |= {"CACHE_TYPE": "SimpleCache"}
    elif kind == "null":
        settings |= {"CACHE_TYPE": "NullCache"}
    else:
        raise ConfigError(f"EVENTHUB_PUBLIC_CACHE={kind!r}: use redis, filesystem, simple or null.")
    app.config["EVENTHUB_PUBLIC_CACHE"] = kind
    cache.init_app(app, config=settings)
    # Registration's pre-lock read keeps copies tagged with it (registration.public_data).
    app.extensions[CONTENT_VERSION] = content_version
    # On the application's session only: other sessions in the process are none of its business.
    for name, listener in (("after_flush", _note_changes), ("do_orm_execute", _note_bulk_changes)):
        if not event.contains(db.session, name, listener):
            event.listen(db.session, name, listener)


# Cached public reads: GETs that no rate limit applies to. Telling Flask-Limiter so up front
# spares each cache hit the limit resolution (about a third of a hit's time).
CACHED_READS = frozenset(
    {
        "public.home",
        "public.series",
        "public.session",
        "api_programme.get_series",
        "api_programme.get_session",
    }
)


@limiter.request_filter
def _skip_limits_for_cached_reads() -> bool:
    return request.method == "GET" and request.endpoint in CACHED_READS


def _enabled() -> bool:
    return bool(current_app.config.get("EVENTHUB_PUBLIC_CACHE", "null") != "null")


def _direct_mget(backend: Any, keys: tuple[str, ...]) -> list[Any] | None:
    """The values (deserialised) under `keys`, or None when this path cannot tell.

    A cached read is answered from this thread's copies of the keys it read lately, which Redis
    invalidates when they change (eventhub.redis_direct.TrackedReads); only a key read for the
    first time, or written since, costs a round trip. Where tracking cannot be had, one MGET on
    the thread's own connection (redis_direct.DirectConnection). A failure of both leaves the
    read to the client, as before (which then reports an outage).
    """
    client = getattr(backend, "_read_client", None)
    prefix = backend._get_prefix() if client is not None else ""
    names = [prefix + k for k in keys]
    try:
        return _tracked.mget(client, names, backend.serializer.loads)
    except Unavailable:
        pass
    try:
        raw = _direct.execute(client, "MGET", *names)
    except Unavailable:
        return None
    return [backend.serializer.loads(value) for value in raw]


_tracked = TrackedReads()
_direct = DirectConnection()


def _lookup(key: str) -> tuple[str, tuple[seats.Seats, Any] | None]:
    """The current content version and the entry stored under `key` (the seat counters it
    was built with and its value) if built under that version, in one round trip."""
    found = _direct_mget(cache.cache, (VERSION_KEY, key))
    version, entry = found if found is not None else cache.get_many(VERSION_KEY, key)
    if version is None:
        version = secrets.token_hex(8)
        cache.set(VERSION_KEY, version, timeout=0)
    if isinstance(entry, tuple) and len(entry) == 3 and entry[0] == version:
        return str(version), (entry[1], entry[2])
    return str(version), None


def content_version() -> str | None:
    """The current content version: a value read from programme data under it is still exact.

    None without a shared cache (the null backend, or it cannot be read): nothing can then
    tell a copy is stale.
    """
    if not _enabled():
        return None
    try:
        found = _direct_mget(cache.cache, (VERSION_KEY,))
        version = found[0] if found is not None else cache.get(VERSION_KEY)
        if version is None:  # none yet (a new cache): start one, as a page would
            version = secrets.token_hex(8)
            cache.set(VERSION_KEY, version, timeout=0)
    except Exception:
        log.warning("public cache unavailable", exc_info=True)
        return None
    return str(version)


def invalidate() -> None:
    """Make every cached public entry stale (called after a commit that changed content)."""
    try:
        cache.set(VERSION_KEY, secrets.token_hex(8), timeout=0)
        _pushes_sent(cache.cache)
    except Exception:  # a cache outage must never fail the commit that already happened
        log.warning("could not invalidate the public cache", exc_info=True)


def _pushes_sent(backend: Any) -> None:
    """Return once Redis has written the new version's invalidation to every worker.

    Workers keep the version they read until Redis pushes an invalidation
    (redis_direct.TrackedReads). Redis writes that push in the same pass as the SET's reply,
    but may write the reply first; a command sent after the reply is read is only answered once
    that pass is over. So when the edit's request ends, the next read of any worker on this
    machine finds the push waiting, and shows the edit.
    """
    client = getattr(backend, "_write_client", None)
    if client is not None:
        client.ping()


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
    return _enabled() and cannot_be_logged_in() and "_flashes" not in session


def cached_value(name: str, build: Callable[[], tuple[Any, Iterable[Session]]]) -> tuple[Any, bool]:
    """`build()`'s value from the cache when shareable and fresh; also whether it was a hit.

    `build` returns the value and every session it shows: their times bound the entry's life,
    their seat counters its freshness.
    """
    if not _cacheable():
        return build()[0], False
    # The reader's own language choice is part of the key; without one, a page renders in its
    # series' default language, which the name already pins.
    preference = reader_preference()
    key = f"public:entry:{name}" + (f"@{preference}" if preference else "")
    try:
        # An entry carries the version it was built under; a newer version makes it stale.
        version, hit = _lookup(key)
    except Exception:
        log.warning("public cache unavailable", exc_info=True)
        return build()[0], False
    if hit is not None and seats.still_current(hit[0]):
        return hit[1], True
    value, built_from = build()
    sessions = list(built_from)
    counters = seats.shown(sessions)
    seats.remember(counters)
    try:
        cache.set(key, (version, counters, value), timeout=_next_change(sessions, utcnow()))
    except Exception:
        log.warning("could not store a public cache entry", exc_info=True)
    return value, False


def cached_page(
    name: str, build: Callable[[], tuple[str, Iterable[Session]]]
) -> ResponseReturnValue:
    """Serve HTML from the cache, or build, store and serve it."""
    html, hit = cached_value(name, build)
    response = current_app.response_class(html)  # what make_response(html) builds
    response.headers["X-Cache"] = "hit" if hit else "miss"
    return response


def cached_json(
    name: str, build: Callable[[], tuple[dict[str, Any], Iterable[Session]]]
) -> ResponseReturnValue:
    """Serve a JSON document from the cache, or build, store and serve it."""

    def serialised() -> tuple[str, Iterable[Session]]:
        payload, sessions = build()
        return current_app.json.dumps(payload), sessions

    body, hit = cached_value(name, serialised)
    response = current_app.response_class(body, mimetype="application/json")
    response.headers["X-Cache"] = "hit" if hit else "miss"
    return response


def _note_changes(orm_session: OrmSession, _context: Any) -> None:
    for collection in (orm_session.new, orm_session.dirty, orm_session.deleted):
        if any(isinstance(item, WATCHED) for item in collection):
            after_commit(_invalidate_if_enabled, key=_CHANGED)
            return


def _note_bulk_changes(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    mapper = state.bind_mapper
    if mapper is not None and issubclass(mapper.class_, WATCHED):
        after_commit(_invalidate_if_enabled, key=_CHANGED)


def _invalidate_if_enabled() -> None:
    """After a commit that changed public content: every cached public entry goes stale."""
    if has_app_context() and _enabled():
        invalidate()
