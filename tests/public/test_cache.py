"""The public cache: anonymous pages and API reads served from it until content changes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from eventhub import clock
from eventhub.clock import utcnow
from eventhub.extensions import cache, db
from eventhub.public.cache import MAX_TTL_SECONDS, VERSION_KEY, _next_change
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

    # A registration shows once this worker's seat-check window has passed (seats_shown_...).
    make.registration(session)
    db.session.commit()
    clock.move(SEAT_WINDOW)
    assert "4 seats left" in client.get("/series/s").get_data(as_text=True)


# Past the default EVENTHUB_SEAT_CHECK_SECONDS (1 s): counters read before are read again.
SEAT_WINDOW = timedelta(seconds=1.5)


def _pages(series_slug: str, session: Session) -> dict[str, str]:
    """Every cached public read showing this session's seats, by name."""
    return {
        "home": "/",
        "series": f"/series/{series_slug}",
        "upcoming": f"/series/{series_slug}/webinars/upcoming",
        "session": f"/series/{series_slug}/{session.slug}",
        "api series": f"/api/v1/series/{series_slug}",
        "api session": f"/api/v1/sessions/{session.id}",
    }


def _cache_states(client: FlaskClient, urls: dict[str, str]) -> dict[str, str]:
    return {name: client.get(url).headers["X-Cache"] for name, url in urls.items()}


def _cached_programme(
    client: FlaskClient, make: Factories, **fields: Any
) -> tuple[Session, dict[str, str]]:
    """A session of series "s" and its pages, each read once (so cached)."""
    session = make.session(make.series(slug="s"), slug="w", **fields)
    db.session.commit()
    pages = _pages("s", session)
    assert set(_cache_states(client, pages).values()) == {"miss"}
    return session, pages


def test_a_registration_leaves_the_content_version_and_other_pages_alone(
    client: FlaskClient, make: Factories
) -> None:
    busy = make.session(make.series(slug="busy"), slug="w", capacity=5)
    quiet = make.session(make.series(slug="quiet"), slug="q", capacity=5)
    db.session.commit()
    quiet_pages = _pages("quiet", quiet)
    del quiet_pages["home"]  # the home page lists the busy session too
    _cache_states(client, quiet_pages)
    version = cache.get(VERSION_KEY)

    for n in range(3):
        make.registration(busy, email=f"r{n}@example.org")
        db.session.commit()

    assert set(_cache_states(client, quiet_pages).values()) == {"hit"}
    # Past the seat-check window too: the other series' counters did not move.
    clock.move(SEAT_WINDOW)
    assert set(_cache_states(client, quiet_pages).values()) == {"hit"}
    assert cache.get(VERSION_KEY) == version


def test_seats_shown_follow_registrations_within_the_window(
    client: FlaskClient, make: Factories
) -> None:
    session, pages = _cached_programme(client, make, capacity=5)
    make.registration(session)
    db.session.commit()
    # Within the window this worker trusts the counters it read: the entries are served...
    with count_statements(db.engine) as log:
        assert set(_cache_states(client, pages).values()) == {"hit"}
    assert log.count == 0
    # ...and past it every entry is checked against the rows (one statement each) and rebuilt.
    clock.move(SEAT_WINDOW)
    assert set(_cache_states(client, pages).values()) == {"miss"}
    for name in ("home", "series", "upcoming", "session"):
        assert "4 seats left" in client.get(pages[name]).get_data(as_text=True), name
    assert client.get(pages["api session"]).get_json()["seats_left"] == 4
    assert client.get(pages["api series"]).get_json()["sessions"][0]["seats_left"] == 4
    # Checked again, nothing moved: served from the cache.
    clock.move(SEAT_WINDOW)
    assert set(_cache_states(client, pages).values()) == {"hit"}


def test_a_session_that_fills_offers_the_waitlist_within_the_window(
    client: FlaskClient, make: Factories
) -> None:
    session, pages = _cached_programme(client, make, capacity=1)
    html = client.get(pages["session"]).get_data(as_text=True)
    assert "1 seat left" in html and "Join the waitlist" not in html
    # The last seat taken: once the window has passed, every page offers the waitlist.
    make.registration(session, email="last@example.org")
    db.session.commit()
    clock.move(SEAT_WINDOW)
    for name in ("home", "series", "upcoming", "session"):
        assert "Join the waitlist" in client.get(pages[name]).get_data(as_text=True), name
    assert client.get(pages["api session"]).get_json()["action"] == "waitlist"
    assert client.get(pages["api series"]).get_json()["sessions"][0]["action"] == "waitlist"


def test_a_content_change_shows_at_once_within_the_window(
    client: FlaskClient, make: Factories
) -> None:
    session, pages = _cached_programme(client, make, title="Before")
    session.title = "After"
    db.session.commit()
    assert set(_cache_states(client, pages).values()) == {"miss"}
    for name in ("home", "series", "upcoming", "session"):
        assert "After" in client.get(pages[name]).get_data(as_text=True), name


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
    _version, seats, parts = cache.get("public:entry:session-page:s/w")
    assert seats == ((session.id, 0, 0),)
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


def _series_cached(web: Any, slug: str) -> Any:
    """A test client of `web` after a new series' page was read twice: a miss, then a hit."""
    Factories().series(slug=slug)
    db.session.commit()
    client = web.test_client()
    assert client.get(f"/series/{slug}").headers["X-Cache"] == "miss"
    assert client.get(f"/series/{slug}").headers["X-Cache"] == "hit"
    return client


@pytest.mark.redis
def test_a_hit_reads_the_threads_copies_and_survives_losing_their_connection(
    app: Any, app_config: dict[str, Any], redis_url: str
) -> None:
    import socket

    from eventhub.public import cache as public_cache

    web, _ = _shared_cache_apps(app_config, EVENTHUB_PUBLIC_CACHE="redis", REDIS_URL=redis_url)
    with web.app_context():
        client = _series_cached(web, "direct")
        backend: Any = cache.cache
        threads_tracked = public_cache._tracked.tracked
        assert threads_tracked is not None
        tracked = threads_tracked[backend._read_client]
        assert len(tracked.copies) == 2  # the content version and the page
        connection = tracked.connection
        connection._sock.shutdown(socket.SHUT_RDWR)  # the server went away meanwhile
        assert client.get("/series/direct").headers["X-Cache"] == "hit"  # through the client
        assert client.get("/series/direct").headers["X-Cache"] == "hit"
        threads_tracked = public_cache._tracked.tracked
        assert threads_tracked is not None
        assert threads_tracked[backend._read_client].connection is not connection
        db.session.remove()


@pytest.mark.redis
def test_without_tracking_a_hit_is_one_mget_on_the_threads_connection(
    app: Any, app_config: dict[str, Any], redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import redis

    from eventhub import redis_direct
    from eventhub.public import cache as public_cache

    def refused(self: Any, connection: Any) -> None:
        connection.on_connect()
        raise redis.ResponseError("unknown command 'CLIENT'")

    monkeypatch.setattr(redis_direct._Tracked, "_tracking_on", refused)
    monkeypatch.setattr(public_cache, "_tracked", redis_direct.TrackedReads())
    monkeypatch.setattr(public_cache, "_direct", redis_direct.DirectConnection())
    web, _ = _shared_cache_apps(app_config, EVENTHUB_PUBLIC_CACHE="redis", REDIS_URL=redis_url)
    with web.app_context():
        _series_cached(web, "untracked")
        assert public_cache._direct.connection is not None
        db.session.remove()


def test_an_unreachable_redis_still_serves_pages(app: Any, app_config: dict[str, Any]) -> None:
    gone = "redis://127.0.0.1:1/0"
    web, _ = _shared_cache_apps(app_config, EVENTHUB_PUBLIC_CACHE="redis", REDIS_URL=gone)
    with web.app_context():
        Factories().series(slug="nocache")
        db.session.commit()
        response = web.test_client().get("/series/nocache")
        assert (response.status_code, response.headers["X-Cache"]) == (200, "miss")
        db.session.remove()


@pytest.mark.redis
def test_an_edit_waits_for_redis_to_have_sent_its_invalidations(
    app: Any, app_config: dict[str, Any], redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from eventhub.public import cache as public_cache

    web, _ = _shared_cache_apps(app_config, EVENTHUB_PUBLIC_CACHE="redis", REDIS_URL=redis_url)
    with web.app_context():
        sent: list[str] = []
        backend: Any = cache.cache
        client = backend._write_client
        execute = client.execute_command

        def execute_command(*args: Any, **kwargs: Any) -> Any:
            sent.append(args[0])
            return execute(*args, **kwargs)

        monkeypatch.setattr(client, "execute_command", execute_command)
        public_cache.invalidate()
        # The version's SET, then a round trip answered only after Redis wrote its pushes.
        assert sent == ["SET", "PING"]
