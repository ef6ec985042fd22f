"""Registration and login POSTs are rate-limited per address, with a friendly 429 page."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from eventhub.extensions import db, limiter
from tests.support.factories import Factories


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {
        **app_config,
        "RATELIMIT_ENABLED": True,
        "EVENTHUB_RATELIMIT_REGISTRATION": "3/minute",
        "EVENTHUB_RATELIMIT_LOGIN": "2/minute",
    }


def _form(n: int) -> dict[str, str]:
    return {"name": "N", "email": f"n{n}@example.org", "consent": "y", "timezone": "UTC"}


def test_registration_posts_are_limited(client: FlaskClient, make: Factories) -> None:
    session = make.session()
    db.session.commit()
    url = f"/sessions/{session.id}/register"
    responses = [client.post(url, data=_form(n)) for n in range(4)]
    assert [r.status_code for r in responses] == [302, 302, 302, 429]
    # Only a refusal says anything about the limit: no X-RateLimit-* headers on every response
    # (each would cost Redis round trips in the registration POST).
    assert not [h for h, _ in responses[0].headers.items() if h.lower().startswith("x-ratelimit")]
    response = client.post(url, data=_form(9))
    page = response.get_data(as_text=True)
    assert "Please wait a moment" in page and "raise this limit" in page
    assert response.headers["Retry-After"]
    # Reading the form is not limited.
    assert client.get(url).status_code == 200
    api = client.post(
        f"/api/v1/sessions/{session.id}/registrations",
        json={"name": "N", "email": "api@example.org", "consent": True},
    )
    assert api.status_code in (201, 429)


def test_api_posts_are_limited_with_a_json_body(client: FlaskClient, make: Factories) -> None:
    session = make.session()
    db.session.commit()
    url = f"/api/v1/sessions/{session.id}/registrations"
    codes = [
        client.post(url, json={"name": "N", "email": f"a{n}@example.org", "consent": True})
        for n in range(4)
    ]
    assert [c.status_code for c in codes] == [201, 201, 201, 429]
    assert codes[-1].get_json()["code"] == 429


def test_login_posts_are_limited(client: FlaskClient) -> None:
    codes = [
        client.post("/login", data={"email": "x@example.org", "password": "wrong"}).status_code
        for _ in range(3)
    ]
    assert codes == [200, 200, 429]


def test_limits_are_per_address(client: FlaskClient, make: Factories) -> None:
    session = make.session()
    db.session.commit()
    url = f"/sessions/{session.id}/register"
    for n in range(3):
        client.post(url, data=_form(n), environ_base={"REMOTE_ADDR": "10.0.0.1"})
    blocked = client.post(url, data=_form(5), environ_base={"REMOTE_ADDR": "10.0.0.1"})
    other = client.post(url, data=_form(6), environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert blocked.status_code == 429 and other.status_code == 302


def test_no_app_wide_limits_no_app_wide_check(
    client: FlaskClient, make: Factories, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The limiter is one object for every app of the process: another test's defaults go.
    manager = limiter.limit_manager
    monkeypatch.setattr(manager, "_default_limits", [])
    monkeypatch.setattr(manager, "_application_limits", [])
    resolved: list[bool] = []
    resolve = manager.resolve_limits

    def spy(*args: Any) -> Any:
        resolved.append(args[4])  # in_middleware: the before-request hook
        return resolve(*args)

    monkeypatch.setattr(manager, "resolve_limits", spy)
    session = make.session()
    db.session.commit()
    url = f"/api/v1/sessions/{session.id}/registrations"
    codes = [
        client.post(url, json={"name": "N", "email": f"w{n}@example.org", "consent": True})
        for n in range(4)
    ]
    # The route's limit is counted in one storage call (extensions._Limiter.hit_route_limit);
    # Flask-Limiter's before-request hook resolves nothing either.
    assert [c.status_code for c in codes] == [201, 201, 201, 429]
    assert resolved == []


def test_an_unreachable_store_limits_in_memory(
    app_config: dict[str, Any], make: Factories, monkeypatch: pytest.MonkeyPatch
) -> None:
    from eventhub import create_app

    # Nothing listens on port 1: every storage call fails at once.
    app = create_app({**app_config, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1/0"})
    monkeypatch.setattr(limiter, "_storage_dead", False)
    with app.app_context():
        session = make.session()
        db.session.commit()
        client = app.test_client()
        url = f"/api/v1/sessions/{session.id}/registrations"
        codes = [
            client.post(url, json={"name": "N", "email": f"m{n}@example.org", "consent": True})
            for n in range(4)
        ]
        db.session.remove()
    # The same limit, counted in this process meanwhile: never a failed sign-up, never unlimited.
    assert [c.status_code for c in codes] == [201, 201, 201, 429]


@pytest.mark.redis
def test_limits_in_redis_are_shared_by_every_process(
    app_config: dict[str, Any], make: Factories, redis_url: str
) -> None:
    import redis

    from eventhub import create_app

    redis.Redis.from_url(redis_url).flushdb()
    config = {**app_config, "RATELIMIT_STORAGE_URI": redis_url}
    one, other = create_app(config), create_app(config)
    with one.app_context():
        session = make.session()
        db.session.commit()
        url = f"/api/v1/sessions/{session.id}/registrations"
        db.session.remove()

    def post(app: Any, n: int) -> int:
        with app.app_context():
            body = {"name": "N", "email": f"r{n}@example.org", "consent": True}
            status = int(app.test_client().post(url, json=body).status_code)
            db.session.remove()
        return status

    # Two "processes" (apps) counting in one Redis: the fourth sign-up is refused.
    assert [post(one, 1), post(other, 2), post(one, 3), post(other, 4)] == [201, 201, 201, 429]
    assert redis.Redis.from_url(redis_url).keys("LIMITS:LIMITER/*")


def test_each_app_has_its_own_limiter_settings(app_config: dict[str, Any]) -> None:
    """The limiter is one object for every app in the process: an app's RATELIMIT_* settings
    (an app-wide default, headers, swallowing errors) must not carry over to the next app."""
    from eventhub import create_app

    limited = create_app({**app_config, "RATELIMIT_DEFAULT": "1 per hour"})
    with limited.app_context():
        assert [limited.test_client().get("/login").status_code for _ in range(2)] == [200, 429]
    plain = create_app({**app_config, "RATELIMIT_HEADERS_ENABLED": True})
    with plain.app_context():
        responses = [plain.test_client().get("/login") for _ in range(3)]
        assert [r.status_code for r in responses] == [200, 200, 200]
        assert not limiter.limit_manager._default_limits
    assert limiter._headers_enabled
    create_app(app_config)
    assert not limiter._headers_enabled


def test_the_limiters_response_hooks_run_where_it_was_used(
    app_config: dict[str, Any], make: Factories
) -> None:
    """Its after-request hook (deductions, headers) and teardown skip a request in which
    nothing created the limiter's context (extensions._Limiter._hooks_only_for_used_contexts)."""
    from flask.globals import request_ctx

    from eventhub import create_app

    app = create_app({**app_config, "RATELIMIT_HEADERS_ENABLED": True})
    with app.app_context():
        make.series(slug="s")
        db.session.commit()
        with app.test_client() as client:  # keeps each request's context for a look
            assert client.get("/series/s").status_code == 200
            context: Any = request_ctx
            assert not hasattr(context._get_current_object(), "_limiter_request_context")
            login = client.post("/login", data={"email": "x@example.org", "password": "wrong"})
            assert hasattr(context._get_current_object(), "_limiter_request_context")
        # A `@limiter.limit` route still gets its headers, and its context is reset.
        assert login.headers["X-RateLimit-Limit"] == "2"
        db.session.remove()
