"""Finding 2: a forged Host header never reaches a shared cache entry, and is refused."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from eventhub.config import ConfigError, load
from eventhub.extensions import db
from tests.support.factories import Factories


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "EVENTHUB_PUBLIC_CACHE": "simple"}


def _pages(make: Factories) -> list[str]:
    series = make.series(slug="s")
    session = make.session(series, slug="one")
    db.session.commit()
    return ["/series/s", "/series/s/one", "/", "/api/v1/series/s", f"/api/v1/sessions/{session.id}"]


def test_unknown_host_is_refused(client: FlaskClient, make: Factories) -> None:
    for url in _pages(make):
        response = client.get(url, headers={"Host": "evil.example"})
        assert response.status_code == 400, url
        assert "X-Cache" not in response.headers


def test_forwarded_host_headers_do_not_reach_cached_links(
    client: FlaskClient, make: Factories
) -> None:
    # A trusted Host (a loopback name in development) still builds links on the base URL,
    # and X-Forwarded-Host is not believed: the cached entry is the same for everyone.
    for url in _pages(make):
        first = client.get(
            url, headers={"Host": "127.0.0.1:5000", "X-Forwarded-Host": "evil.example"}
        )
        assert first.status_code == 200, url
        body = first.get_data(as_text=True)
        assert "evil.example" not in body and "127.0.0.1" not in body, url
        if url != "/":  # the home page has no absolute links
            assert "http://eventhub.test/" in body, url
        second = client.get(url)
        assert second.headers["X-Cache"] == "hit", url
        assert second.data == first.data


def test_series_page_links_use_the_base_url(client: FlaskClient, make: Factories) -> None:
    _pages(make)
    body = client.get("/series/s").get_data(as_text=True)
    assert 'property="og:url" content="http://eventhub.test/series/s"' in body
    assert "http://eventhub.test/series/s/calendar.ics" in body


def test_production_trusts_only_the_base_url_host_and_the_listed_ones() -> None:
    environ = {
        "EVENTHUB_ENV": "production",
        "SECRET_KEY": "x" * 40,
        "DATABASE_URL": "postgresql://db/eventhub",
        "EVENTHUB_BASE_URL": "https://events.example.org",
        "EVENTHUB_TRUSTED_HOSTS": "www.events.example.org, .cdn.example.org",
    }
    config = load(None, environ)
    assert config["TRUSTED_HOSTS"] == [
        "events.example.org",
        "www.events.example.org",
        ".cdn.example.org",
    ]
    with pytest.raises(ConfigError):
        load(None, {**environ, "SECRET_KEY": ""})


def test_external_urls_outside_a_request_use_the_base_url(app: Flask) -> None:
    from flask import url_for

    assert url_for("public.series", slug="s", _external=True) == "http://eventhub.test/series/s"
