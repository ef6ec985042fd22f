"""One Redis command on a connection of the calling thread's own, beside a client's pool.

Through redis-py's client a round trip pays as much again in its pool (check-out, health check,
release), retry wrapper and metrics as in the socket. Hot paths that send one command per
request (the sign-up's delivery wake-up) send it here instead; when this path cannot (not a
plain `redis.Redis`, or the connection failed) the caller goes through the client as before,
which also reports an outage.
"""

from __future__ import annotations

import os
import threading
import time
import weakref
from collections.abc import Callable
from typing import Any

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry


class Unavailable(Exception):
    """The command could not be sent here (it may or may not have reached the server)."""


class DirectConnection(threading.local):
    """Per thread (and per process: a forked child opens its own), one connection per client."""

    pid = 0
    client: Any = None
    connection: Any = None

    def execute(self, client: Any, *args: Any) -> Any:
        """The reply to `args` sent with `client`'s connection settings, or Unavailable."""
        if type(client) is not redis.Redis:  # a cluster, sentinel or stand-in: the client
            raise Unavailable()
        if self.connection is None or self.client is not client or self.pid != os.getpid():
            pool = client.connection_pool
            self.connection = pool.connection_class(**pool.connection_kwargs)
            self.client, self.pid = client, os.getpid()
        try:
            self.connection.send_command(*args)
            return self.connection.read_response()
        except (redis.RedisError, OSError) as exc:
            self.connection.disconnect()
            self.connection = None
            raise Unavailable() from exc


# Copies kept per client and thread; past this many, or past this many bytes as stored in
# Redis, all are dropped and read afresh (a web worker's memory has a target: 150 MB).
_COPIES_MAX = 256
_BYTES_MAX = 2 * 1024 * 1024
_NEVER = float("inf")


class _Tracked:
    """One client's tracking connection in one thread, and the copies read on it."""

    def __init__(self, client: Any) -> None:
        self.copies: dict[bytes, tuple[float, Any]] = {}  # key -> (deadline, loaded value)
        self.sizes: dict[bytes, int] = {}  # key -> its value's length in Redis, while kept
        self.arriving: set[bytes] = set()  # keys being fetched, not invalidated since the MGET
        pool = client.connection_pool
        self.connection = pool.connection_class(
            **{
                **pool.connection_kwargs,
                "protocol": 3,  # invalidations arrive on this same connection, in order
                "redis_connect_func": self._tracking_on,
                # Never a silent reconnection: every (re)connection goes through _tracking_on.
                "health_check_interval": 0,
                "retry": Retry(NoBackoff(), 0),
            }
        )
        try:
            self.connection.connect()
        except BaseException:
            self.connection.disconnect()
            raise

    def _tracking_on(self, connection: Any) -> None:
        # A new connection knows nothing of what the last one was told: start with no copies.
        self._forget()
        connection.on_connect()
        connection._parser.set_invalidation_push_handler(self._invalidated)
        connection.send_command("CLIENT", "TRACKING", "ON")
        if connection.read_response() != b"OK":
            raise redis.ResponseError("CLIENT TRACKING was refused")

    def _invalidated(self, push: list[Any]) -> None:
        keys = push[1] if len(push) > 1 else None
        if keys is None:  # FLUSHDB, FLUSHALL: everything
            self._forget()
            self.arriving.clear()
            return
        for key in keys:
            self.copies.pop(key, None)
            self.sizes.pop(key, None)
            self.arriving.discard(key)

    def _forget(self) -> None:
        self.copies.clear()
        self.sizes.clear()

    def mget(self, keys: list[bytes], loads: Callable[[Any], Any]) -> list[Any]:
        connection = self.connection
        while connection.can_read(timeout=0):  # invalidations that arrived meanwhile
            connection.read_response(push_request=True)
        now = time.monotonic()
        copies = self.copies
        found = [copies.get(key) for key in keys]
        missing = [key for key, copy in zip(keys, found, strict=True) if not copy or copy[0] <= now]
        if not missing:
            return [copy[1] for copy in found]  # type: ignore[index]
        fetched = self._fetch(missing, loads, now)
        return [
            fetched[key] if key in fetched else copy[1]  # type: ignore[index]
            for key, copy in zip(keys, found, strict=True)
        ]

    def _fetch(
        self, keys: list[bytes], loads: Callable[[Any], Any], now: float
    ) -> dict[bytes, Any]:
        """Read `keys` (the server tracks them from now on) with their times to live in one
        round trip, and keep a copy of each value that exists."""
        connection = self.connection
        commands = [("MGET", *keys), *(("PTTL", key) for key in keys)]
        connection.send_packed_command(connection.pack_commands(commands))
        raw_values = connection.read_response()
        # A key written between its MGET and its PTTL: the invalidation comes before the PTTL's
        # reply and takes the key out of `arriving` (the value read is kept for this read only).
        self.arriving = set(keys)
        ttls = [connection.read_response() for _key in keys]
        kept, self.arriving = self.arriving, set()
        values = {key: loads(raw) for key, raw in zip(keys, raw_values, strict=True)}
        adding = sum(len(raw) for raw in raw_values if raw is not None)
        if (
            len(self.copies) + len(keys) > _COPIES_MAX
            or sum(self.sizes.values()) + adding > _BYTES_MAX
        ):
            self._forget()
        for key, raw, ttl in zip(keys, raw_values, ttls, strict=True):
            # PTTL: -1 no expiry, -2 gone meanwhile. Redis announces an expiry only once it
            # deletes the key, which may be later: a copy's own deadline is not left to it.
            if key in kept and values[key] is not None and ttl != -2:
                self.copies[key] = (_NEVER if ttl == -1 else now + ttl / 1000, values[key])
                self.sizes[key] = len(raw)
        return values


class TrackedReads(threading.local):
    """Values this thread read from Redis, answered from memory until Redis says they changed.

    Redis's server-assisted client-side caching: on a connection of the thread's own in RESP3
    with CLIENT TRACKING on, the server remembers the keys read and pushes an invalidation on
    that same connection when one of them is written, deleted or evicted. Pushes and replies
    share one ordered stream, so an invalidation is never read after a reply that came later.
    Before answering from memory the pending pushes are read (a poll of the socket, no round
    trip: a cached page's MGET cost about a sixth of its CPU, most of it in the wait). A copy
    also lives no longer than its key's time to live. Any failure drops the connection with
    every copy (Unavailable); a new connection starts with none. A server that refuses RESP3 or
    tracking (before Redis 6, or a service that disables CLIENT) is not asked again by this
    thread: Unavailable at once.
    """

    pid = 0
    tracked: dict[Any, _Tracked] | None = None
    refused: weakref.WeakSet[Any] | None = None

    def mget(self, client: Any, keys: list[str], loads: Callable[[Any], Any]) -> list[Any]:
        """`loads` of the value of each key (None for a missing key), or Unavailable."""
        if type(client) is not redis.Redis:  # a cluster, sentinel or stand-in: the client
            raise Unavailable()
        if self.tracked is None or self.refused is None or self.pid != os.getpid():
            self.tracked, self.refused, self.pid = {}, weakref.WeakSet(), os.getpid()
        tracked = self.tracked.get(client)
        try:
            if tracked is None:
                if client in self.refused:
                    raise Unavailable()
                if len(self.tracked) >= 4:  # apps come and go in tests; a process has one
                    self._drop_all()
                try:
                    tracked = self.tracked[client] = _Tracked(client)
                except redis.ResponseError:  # connected, but HELLO 3 or tracking refused
                    self.refused.add(client)
                    raise
            return tracked.mget([key.encode() for key in keys], loads)
        except BaseException as exc:
            # Whatever stopped it (a value that would not load, too), the connection may be
            # part-way through its replies: it goes, with its copies.
            if tracked is not None:
                tracked.connection.disconnect()
            self.tracked.pop(client, None)
            if isinstance(exc, Unavailable):
                raise
            if isinstance(exc, redis.RedisError | OSError):
                raise Unavailable() from exc
            raise

    def _drop_all(self) -> None:
        for tracked in (self.tracked or {}).values():
            tracked.connection.disconnect()
        self.tracked = {}
