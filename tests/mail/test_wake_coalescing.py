"""Delivery wake-ups are coalesced: a burst of sign-ups queues one task, which delivers them all."""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from flask import Flask
from sqlalchemy import func, select

from eventhub.extensions import db
from eventhub.mail import dispatch, tasks
from eventhub.mail.models import DevMailboxMessage, MessageStatus, OutboxMessage
from eventhub.registration import services
from eventhub.registration.models import Registration, RegistrationStatus
from tests.support.factories import Factories
from tests.support.services import redis_database
from tests.support.smtp import SmtpServer
from tests.support.worker import WorkerProcess

pytestmark = pytest.mark.redis

# The default queue's list in the Redis broker: one entry per task waiting to be taken.
QUEUE = "celery"
TASK_RECEIVED = re.compile(r"eventhub\.mail\.deliver_due\[[^\]]+\] received")


@pytest.fixture
def broker_url() -> Iterator[str]:
    """A Redis database of this test's own: no worker of the run takes its tasks."""
    with redis_database() as url:
        yield url


@pytest.fixture
def app_config(app_config: dict[str, Any], broker_url: str) -> dict[str, Any]:
    app_config["CELERY_BROKER_URL"] = broker_url
    app_config["REDIS_URL"] = broker_url
    return app_config


@pytest.fixture
def broker(broker_url: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(broker_url)
    yield client
    client.close()


def sign_up(session_id: int, n: int) -> Registration:
    outcome = services.register(
        session_id,
        services.Applicant(name=f"Person {n}", email=f"person{n}@example.org", timezone="UTC"),
    )
    db.session.commit()
    return outcome.registration


def test_a_burst_of_sign_ups_queues_one_wake_up_that_delivers_them_all(
    app: Flask, make: Factories, broker: redis.Redis
) -> None:
    session = make.session(capacity=20)
    db.session.commit()
    for n in range(60):
        sign_up(session.id, n)
    assert broker.llen(QUEUE) == 1  # sixty commits, one task waiting
    assert broker.exists(dispatch.WAKE_PENDING_KEY)

    broker.delete(QUEUE)  # the worker takes it:
    tasks.deliver_due()
    assert not broker.exists(dispatch.WAKE_PENDING_KEY)
    received = Counter(db.session.scalars(select(DevMailboxMessage.recipient_email)))
    assert received == Counter(f"person{n}@example.org" for n in range(60))  # each once
    statuses = Counter(db.session.scalars(select(OutboxMessage.status)))
    assert statuses == {MessageStatus.SENT: 60}
    held = db.session.scalar(
        select(func.count()).where(Registration.status == RegistrationStatus.CONFIRMED)
    )
    assert held == 20

    # The task has started: the next sign-up must wake another one.
    sign_up(session.id, 60)
    assert broker.llen(QUEUE) == 1


def test_a_rolled_back_sign_up_leaves_no_wake_up_pending(
    app: Flask, make: Factories, broker: redis.Redis
) -> None:
    session = make.session()
    db.session.commit()
    services.register(
        session.id, services.Applicant(name="Ada", email="ada@example.org", timezone="UTC")
    )
    db.session.rollback()
    assert broker.llen(QUEUE) == 0
    assert not broker.exists(dispatch.WAKE_PENDING_KEY)
    sign_up(session.id, 1)
    assert broker.llen(QUEUE) == 1


@pytest.mark.postgres
def test_a_sign_up_that_committed_alone_wakes_delivery_whatever_the_request_does_next(
    app: Flask, make: Factories, broker: redis.Redis
) -> None:
    """On PostgreSQL a new sign-up's statement commits on its own (database.execute_alone): a
    request failing after it cannot take the registration back, so its email is woken for."""
    session_id = make.session().id
    db.session.commit()
    db.session.remove()  # a request's session: no transaction open
    services.register(
        session_id, services.Applicant(name="Ada", email="ada@example.org", timezone="UTC")
    )
    db.session.rollback()  # the request failed after the sign-up
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 1
    assert broker.llen(QUEUE) == 1
    assert broker.exists(dispatch.WAKE_PENDING_KEY)


def test_a_lost_wake_up_holds_the_key_only_for_a_while(
    app: Flask, make: Factories, broker: redis.Redis
) -> None:
    """A wake-up whose task never starts (a worker killed first) blocks the next ones only until
    the key expires; the outbox sweep delivers meanwhile."""
    session = make.session()
    db.session.commit()
    sign_up(session.id, 1)
    ttl = broker.ttl(dispatch.WAKE_PENDING_KEY)
    assert 0 < ttl <= dispatch.WAKE_PENDING_SECONDS


def test_a_connection_lost_mid_command_still_wakes_delivery(
    app: Flask, make: Factories, broker: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pending mark goes over the thread's own connection (eventhub.redis_direct); if that
    fails after sending, the mark may be set by this very commit: a wake-up is sent anyway."""
    session = make.session()
    db.session.commit()
    sign_up(session.id, 1)
    assert broker.llen(QUEUE) == 1
    broker.delete(QUEUE)
    monkeypatch.setattr(dispatch._direct.connection, "read_response", _broken_read)
    sign_up(session.id, 2)  # the mark is still set by the first: the command would say so
    assert broker.llen(QUEUE) == 1
    # The connection was dropped; the next command opens a new one and coalesces again.
    broker.delete(QUEUE)
    sign_up(session.id, 3)
    assert broker.llen(QUEUE) == 0


def _broken_read(*_args: Any, **_kwargs: Any) -> Any:
    raise redis.ConnectionError("connection lost")


def test_without_redis_every_commit_wakes_delivery(
    app_config: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The embedded default (no REDIS_URL, no Redis broker) keeps one wake-up per commit."""
    from eventhub import create_app

    app_config["CELERY_BROKER_URL"] = "memory://"
    app_config["REDIS_URL"] = None
    sent: list[str] = []

    def send(task: str, **kwargs: object) -> bool:
        sent.append(task)
        return True

    monkeypatch.setattr(dispatch, "_send", send)
    application = create_app(app_config)
    with application.app_context():
        assert dispatch.wake_store() is None
        dispatch.wake_delivery()
        dispatch.wake_delivery()
        assert sent == [dispatch.DELIVER_TASK] * 2
        db.session.remove()


@pytest.mark.postgres
@pytest.mark.worker
@pytest.mark.smtp
def test_with_a_real_worker_many_commits_few_tasks_each_mail_once(
    stack_app: Flask, worker: WorkerProcess, smtp: SmtpServer
) -> None:
    session = Factories().session(capacity=30)
    db.session.commit()
    received_before = len(TASK_RECEIVED.findall(worker.log()))
    for n in range(150):
        sign_up(session.id, n)
    mails = smtp.wait_for(150, timeout=120)
    time.sleep(1.0)  # a second copy of any of them would arrive here
    assert Counter(m.recipients[0] for m in smtp.received) == Counter(
        f"person{n}@example.org" for n in range(150)
    )
    assert len(mails) == 150
    woken = len(TASK_RECEIVED.findall(worker.log())) - received_before
    assert woken < 50, f"150 sign-ups woke {woken} deliver_due tasks"
