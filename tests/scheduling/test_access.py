"""Every /organiser/ route — ours and any other engineer's — refuses anonymous users and speakers.

The routes are found by walking the URL map, so a new organiser route without protection fails
here without anyone remembering to add it.
"""

from __future__ import annotations

import uuid

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import IntegerConverter, Rule, UUIDConverter

from tests.support.factories import Factories, LoginHelper

SKIPPED_METHODS = {"HEAD", "OPTIONS"}


def _sample_value(converter: object) -> object:
    if isinstance(converter, IntegerConverter):
        return 1
    if isinstance(converter, UUIDConverter):
        return uuid.uuid4()
    return "sample"


def organiser_requests(app: Flask) -> list[tuple[str, str, str]]:
    adapter = app.url_map.bind("eventhub.test")
    found = []
    for rule in app.url_map.iter_rules():
        assert isinstance(rule, Rule)
        if not rule.rule.startswith("/organiser"):
            continue
        values = {name: _sample_value(conv) for name, conv in rule._converters.items()}
        url = adapter.build(rule.endpoint, values)
        for method in sorted((rule.methods or set()) - SKIPPED_METHODS):
            found.append((rule.endpoint, method, url))
    return found


def test_the_walk_finds_the_organiser_routes(app: Flask) -> None:
    endpoints = {endpoint for endpoint, _, _ in organiser_requests(app)}
    assert {
        "scheduling.series_index",
        "scheduling.session_reschedule",
        "mailbox.index",
    } <= endpoints


def test_anonymous_users_are_sent_to_login(app: Flask, client: FlaskClient) -> None:
    for endpoint, method, url in organiser_requests(app):
        response = client.open(url, method=method)
        assert response.status_code == 302, (endpoint, method, url, response.status_code)
        assert response.location.startswith("/login"), (endpoint, response.location)


def test_speakers_are_forbidden(
    app: Flask, client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    login(make.speaker_user())
    for endpoint, method, url in organiser_requests(app):
        response = client.open(url, method=method)
        assert response.status_code == 403, (endpoint, method, url, response.status_code)


@pytest.mark.parametrize("path", ["/organiser/series", "/organiser/series/new"])
def test_organisers_get_in(
    client: FlaskClient, make: Factories, login: LoginHelper, path: str
) -> None:
    login(make.organiser())
    assert client.get(path).status_code == 200
