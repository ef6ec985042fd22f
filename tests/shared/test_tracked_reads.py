"""Copies of Redis values kept per thread until Redis says they changed (redis_direct)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
import redis

from eventhub import redis_direct
from eventhub.redis_direct import TrackedReads, Unavailable

pytestmark = pytest.mark.redis


@pytest.fixture
def store(redis_url: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url)
    yield client
    client.delete("tracked:a", "tracked:b")
    client.close()


@pytest.fixture
def writer(redis_url: str) -> Iterator[redis.Redis]:
    """Another worker's client: its writes reach the reader only through the server."""
    client = redis.Redis.from_url(redis_url)
    yield client
    client.close()


def _loads(raw: Any) -> Any:
    return None if raw is None else raw.decode()


def _round_trips(reads: TrackedReads, client: redis.Redis, monkeypatch: Any) -> list[Any]:
    """The commands sent to the server from now on (so far none: the connection exists)."""
    sent: list[Any] = []
    connection = reads.tracked[client].connection  # type: ignore[index]
    original = connection.send_packed_command

    def send_packed_command(command: Any, *args: Any, **kwargs: Any) -> Any:
        sent.append(command)
        return original(command, *args, **kwargs)

    monkeypatch.setattr(connection, "send_packed_command", send_packed_command)
    return sent


def test_a_value_read_again_costs_no_round_trip(store: redis.Redis, monkeypatch: Any) -> None:
    reads = TrackedReads()
    store.set("tracked:a", "1")
    assert reads.mget(store, ["tracked:a", "tracked:b"], _loads) == ["1", None]
    sent = _round_trips(reads, store, monkeypatch)
    store.set("tracked:b", "2")  # a missing key is read again until it exists
    assert reads.mget(store, ["tracked:a", "tracked:b"], _loads) == ["1", "2"]
    assert len(sent) == 1
    assert reads.mget(store, ["tracked:a", "tracked:b"], _loads) == ["1", "2"]
    assert reads.mget(store, ["tracked:a"], _loads) == ["1"]
    assert len(sent) == 1


def test_a_write_by_another_client_is_seen_at_once(store: redis.Redis, writer: redis.Redis) -> None:
    reads = TrackedReads()
    store.set("tracked:a", "1")
    assert reads.mget(store, ["tracked:a"], _loads) == ["1"]
    writer.set("tracked:a", "2")
    writer.ping()  # what follows a write's reply: the push went out with it
    assert reads.mget(store, ["tracked:a"], _loads) == ["2"]
    writer.delete("tracked:a")
    writer.ping()
    assert reads.mget(store, ["tracked:a"], _loads) == [None]


def test_without_tracking_the_copy_would_go_stale(
    store: redis.Redis, writer: redis.Redis, monkeypatch: Any
) -> None:
    """Negative control: the test above relies on the server's pushes."""

    def no_tracking(self: Any, connection: Any) -> None:
        self.copies.clear()
        connection.on_connect()

    monkeypatch.setattr(redis_direct._Tracked, "_tracking_on", no_tracking)
    reads = TrackedReads()
    store.set("tracked:a", "1")
    assert reads.mget(store, ["tracked:a"], _loads) == ["1"]
    writer.set("tracked:a", "2")
    writer.ping()
    assert reads.mget(store, ["tracked:a"], _loads) == ["1"]


def test_a_flush_drops_every_copy(store: redis.Redis, writer: redis.Redis) -> None:
    reads = TrackedReads()
    store.set("tracked:a", "1")
    store.set("tracked:b", "2")
    assert reads.mget(store, ["tracked:a", "tracked:b"], _loads) == ["1", "2"]
    writer.flushdb()
    writer.set("eventhub-test-lock", "reclaimed")  # this run's database stays its own
    assert reads.mget(store, ["tracked:a", "tracked:b"], _loads) == [None, None]


def test_a_copy_lives_no_longer_than_its_key(store: redis.Redis, monkeypatch: Any) -> None:
    reads = TrackedReads()
    store.set("tracked:a", "1", ex=60)
    assert reads.mget(store, ["tracked:a"], _loads) == ["1"]
    sent = _round_trips(reads, store, monkeypatch)
    assert reads.mget(store, ["tracked:a"], _loads) == ["1"]
    assert not sent
    later = redis_direct.time.monotonic() + 61
    monkeypatch.setattr(redis_direct.time, "monotonic", lambda: later)
    reads.mget(store, ["tracked:a"], _loads)  # Redis may not have announced the expiry yet
    assert len(sent) == 1


def test_a_lost_connection_drops_the_copies(store: redis.Redis, writer: redis.Redis) -> None:
    reads = TrackedReads()
    store.set("tracked:a", "1")
    assert reads.mget(store, ["tracked:a"], _loads) == ["1"]
    connection = reads.tracked[store].connection  # type: ignore[index]
    connection._sock.shutdown(socket.SHUT_RDWR)  # the server went away meanwhile
    writer.set("tracked:a", "2")  # a push it can no longer receive
    with pytest.raises(Unavailable):
        reads.mget(store, ["tracked:a"], _loads)
    assert reads.mget(store, ["tracked:a"], _loads) == ["2"]  # a new connection, no copies
    assert reads.tracked[store].connection is not connection  # type: ignore[index]


def test_clients_of_other_kinds_are_left_to_the_caller() -> None:
    class Stand(redis.Redis):
        pass

    with pytest.raises(Unavailable):
        TrackedReads().mget(Stand(), ["tracked:a"], _loads)


def test_a_key_written_while_it_is_fetched_is_not_kept(
    store: redis.Redis, monkeypatch: Any
) -> None:
    reads = TrackedReads()
    store.set("tracked:b", "0")
    reads.mget(store, ["tracked:b"], _loads)  # the connection exists
    tracked = reads.tracked[store]  # type: ignore[index]
    store.set("tracked:a", "1")
    original = tracked.connection.read_response
    replies: list[Any] = []

    def read_response(*args: Any, **kwargs: Any) -> Any:
        if len(replies) == 1:  # between the MGET's reply and the PTTL's, a write's push
            tracked._invalidated([b"invalidate", [b"tracked:a"]])
        replies.append(original(*args, **kwargs))
        return replies[-1]

    monkeypatch.setattr(tracked.connection, "read_response", read_response)
    assert reads.mget(store, ["tracked:a"], _loads) == ["1"]  # as read, for this read
    assert b"tracked:a" not in tracked.copies
    assert reads.mget(store, ["tracked:a"], _loads) == ["1"]
    assert b"tracked:a" in tracked.copies


def test_a_value_that_will_not_load_drops_the_connection(store: redis.Redis) -> None:
    reads = TrackedReads()
    store.set("tracked:a", "1")
    assert reads.mget(store, ["tracked:a"], _loads) == ["1"]
    connection = reads.tracked[store].connection  # type: ignore[index]
    store.set("tracked:b", "2")

    def broken(raw: Any) -> Any:
        raise ValueError("not a value of ours")

    with pytest.raises(ValueError, match="not a value"):
        reads.mget(store, ["tracked:a", "tracked:b"], broken)
    # No reply is left behind for the next read to take for its own.
    assert reads.mget(store, ["tracked:b", "tracked:a"], _loads) == ["2", "1"]
    assert reads.tracked[store].connection is not connection  # type: ignore[index]


def test_copies_are_bounded_by_their_size(store: redis.Redis, monkeypatch: Any) -> None:
    monkeypatch.setattr(redis_direct, "_BYTES_MAX", 150)
    reads = TrackedReads()
    store.set("tracked:a", "a" * 100)
    store.set("tracked:b", "b" * 100)
    reads.mget(store, ["tracked:a"], _loads)
    tracked = reads.tracked[store]  # type: ignore[index]
    assert tracked.sizes == {b"tracked:a": 100}
    reads.mget(store, ["tracked:b"], _loads)  # 200 bytes would be too many: a is dropped
    assert set(tracked.copies) == set(tracked.sizes) == {b"tracked:b"}
    store.set("tracked:b", "c")
    store.ping()
    assert reads.mget(store, ["tracked:b"], _loads) == ["c"]
    assert tracked.sizes == {b"tracked:b": 1}


def test_a_server_that_refuses_tracking_is_not_asked_again(
    store: redis.Redis, monkeypatch: Any
) -> None:
    attempts: list[Any] = []

    def refused(self: Any, connection: Any) -> None:
        attempts.append(connection)
        connection.on_connect()
        raise redis.ResponseError("unknown subcommand 'TRACKING'")  # as an old server says

    monkeypatch.setattr(redis_direct._Tracked, "_tracking_on", refused)
    reads = TrackedReads()
    for _ in range(3):
        with pytest.raises(Unavailable):
            reads.mget(store, ["tracked:a"], _loads)
    assert len(attempts) == 1
    assert attempts[0]._sock is None  # its connection was closed
