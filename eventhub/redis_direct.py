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
from typing import Any

import redis


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
