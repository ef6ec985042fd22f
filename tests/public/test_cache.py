"""The public cache: anonymous pages and API reads served from it until content changes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from eventhub.clock import utcnow
from eventhub.extensions import cache, db
from eventhub.public.cache import MAX_TTL_SECONDS, _next_change
from eventhub.scheduling import lifecycle
from eventhub.scheduling.models import Session
from tests.support.factories import Factories, LoginHelper
from tests.support.statements import count_statements


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "EVENTHUB_PUBLIC_CACHE": "simple"}


def test_series_page_is_served_from_cache_until_a_change(
    client: FlaskClient, make: Factories
) -> None:
    series = make.series(slug="s")
    session = make.session(series, title="First title", capacity=5)
    db.session.commit()

    first = client.get("/series/s")
    with count_statements(db.engine) as log:
        second = client.get("/series/s")
    assert (first.headers["X-Cache"], second.headers["X-Cache"]) == ("miss", "hit")
    assert first.data == second.data
    assert log.count == 0

    session.title = "Second title"
    db.session.commit()
    third = client.get("/series/s")
    assert third.headers["X-Cache"] == "miss"
    assert "Second title" in third.get_data(as_text=True)

    make.registration(session)
    db.session.commit()
    assert "4 seats left" in client.get("/series/s").get_data(as_text=True)


def test_api_session_is_cached_and_invalidated(client: FlaskClient, make: Factories) -> None:
    session = make.session(make.series(slug="s"))
    db.session.commit()
    url = f"/api/v1/sessions/{session.id}"
    assert client.get(url).headers["X-Cache"] == "miss"
    assert client.get(url).headers["X-Cache"] == "hit"
    lifecycle.cancel_session(session, "Speaker ill.")
    db.session.commit()
    response = client.get(url)
    assert response.headers["X-Cache"] == "miss"
    assert response.get_json()["status"] == "cancelled"


def test_logged_in_pages_are_never_shared(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    make.series(slug="s")
    login(make.organiser())
    client.get("/series/s")
    response = client.get("/series/s")
    assert response.headers["X-Cache"] == "miss"
    assert "Log out" in response.get_data(as_text=True)


def test_entries_expire_when_the_page_would_change_by_itself(make: Factories) -> None:
    now = utcnow()
    closing = make.session(registration_closes_at=now + timedelta(seconds=30))
    assert _next_change([closing], now) == 30
    far = make.session(starts_at=now + timedelta(days=30))
    assert _next_change([far], now) == MAX_TTL_SECONDS


def test_unknown_backend_is_a_config_error(tmp_path: Any) -> None:
    from eventhub import create_app
    from eventhub.config import ConfigError

    with pytest.raises(ConfigError, match="EVENTHUB_PUBLIC_CACHE"):
        create_app(
            {
                "SECRET_KEY": "x",
                "EVENTHUB_INSTANCE_PATH": str(tmp_path),
                "SQLALCHEMY_DATABASE_URI": "sqlite://",
                "EVENTHUB_PUBLIC_CACHE": "memcached",
            }
        )


def _shared_cache_apps(app_config: dict[str, Any], **extra: Any) -> tuple[Any, Any]:
    from eventhub import create_app

    config = {**app_config, **extra}
    return create_app(config), create_app(config)


def _invalidation_across_workers(first: Any, second: Any) -> None:
    """Two app instances stand for two gunicorn workers sharing one cache backend."""
    from tests.support.factories import Factories

    with first.app_context():
        series = Factories().series(slug="shared")
        Factories().session(series, title="Before")
        db.session.commit()
        assert first.test_client().get("/series/shared").headers["X-Cache"] == "miss"
    with second.app_context():
        hit = second.test_client().get("/series/shared")
        assert hit.headers["X-Cache"] == "hit"
        session = db.session.scalars(db.select(Session)).one()
        session.title = "After"
        db.session.commit()
    with first.app_context():
        response = first.test_client().get("/series/shared")
        assert response.headers["X-Cache"] == "miss"
        assert "After" in response.get_data(as_text=True)
        db.session.remove()
    with second.app_context():
        db.session.remove()


def test_filesystem_cache_is_shared_by_workers_of_one_machine(
    app: Any, app_config: dict[str, Any]
) -> None:
    # `app` only for its teardown, which empties a PostgreSQL test database.
    first, second = _shared_cache_apps(app_config, EVENTHUB_PUBLIC_CACHE="filesystem")
    _invalidation_across_workers(first, second)


@pytest.mark.redis
def test_redis_cache_is_shared_by_all_workers(
    app: Any, app_config: dict[str, Any], redis_url: str
) -> None:
    first, second = _shared_cache_apps(
        app_config, EVENTHUB_PUBLIC_CACHE="redis", REDIS_URL=redis_url
    )
    _invalidation_across_workers(first, second)


def test_session_page_is_shared_but_its_form_is_made_per_visitor(app: Any, make: Factories) -> None:
    from jinja2 import ChoiceLoader, DictLoader

    # Stand-in for the registration issue's partial: a form with a per-visitor CSRF token.
    partial = (
        '<form id="inline-form" data-session="{{ session.id }}">'
        '<input name="csrf_token" value="{{ csrf_token() }}"></form>'
    )
    app.jinja_env.loader = ChoiceLoader(
        [DictLoader({"registration/_inline_form.html": partial}), app.jinja_env.loader]
    )
    app.config["WTF_CSRF_ENABLED"] = True
    session = make.session(make.series(slug="s"), slug="w")
    db.session.commit()

    first = app.test_client().get("/series/s/w")
    second = app.test_client().get("/series/s/w")

    assert (first.headers["X-Cache"], second.headers["X-Cache"]) == ("miss", "hit")
    for response in (first, second):
        html = response.get_data(as_text=True)
        assert f'<form id="inline-form" data-session="{session.id}">' in html
        assert 'name="csrf_token" value="' in html
    # What is shared is the page cut around the token, never a visitor's token.
    _version, (parts, session_id, _seats) = cache.get("public:entry:session-page:s/w")
    assert session_id == session.id
    assert len(parts) == 2 and parts[0].endswith('name="csrf_token" value="')
    for response in (first, second):
        token = _token(response.get_data(as_text=True))
        assert all(token not in part for part in parts)


def _token(html: str) -> str:
    start = html.index('name="csrf_token" value="') + len('name="csrf_token" value="')
    return html[start : html.index('"', start)]


def test_cached_reads_skip_rate_limiting(app_config: dict[str, Any], make: Factories) -> None:
    from eventhub import create_app

    limited = create_app(
        {**app_config, "RATELIMIT_ENABLED": True, "RATELIMIT_DEFAULT": "1 per hour"}
    )
    with limited.app_context():
        make.series(slug="s")
        db.session.commit()
        client = limited.test_client()
        assert [client.get("/series/s").status_code for _ in range(3)] == [200, 200, 200]
        assert client.get("/login").status_code == 200
        assert client.get("/login").status_code == 429
        db.session.remove()
