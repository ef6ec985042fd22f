"""Which language a page is in: explicit choice, then Accept-Language, then the series' default."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask, g
from flask.testing import FlaskClient

from eventhub.extensions import db
from eventhub.i18n import COOKIE
from tests.support.factories import Factories, LoginHelper

ZH = {"Accept-Language": "zh-HK,zh;q=0.9,en;q=0.5"}
EN = {"Accept-Language": "en-GB,en;q=0.9"}


def _lang(html: str) -> str:
    start = html.index('<html lang="') + len('<html lang="')
    return html[start : html.index('"', start)]


def test_default_is_english_and_accept_language_picks_chinese(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    assert _lang(html) == "en" and "Upcoming webinars" in html
    html = client.get("/", headers=ZH).get_data(as_text=True)
    assert _lang(html) == "zh-Hant" and "即將舉行的網上研討會" in html
    # Any Chinese tag reads Traditional; a language we lack falls through to the next entry.
    for header in ("zh-TW", "zh-Hant-HK", "fr-FR, zh;q=0.5"):
        page = client.get("/", headers={"Accept-Language": header}).get_data(as_text=True)
        assert _lang(page) == "zh-Hant", header
    page = client.get("/", headers={"Accept-Language": "fr-FR, de;q=0.5"}).get_data(as_text=True)
    assert _lang(page) == "en"


def test_series_default_applies_only_without_a_preference(
    client: FlaskClient, make: Factories
) -> None:
    series = make.series(slug="hk", title="Re-industrialization", default_language="zh-Hant")
    make.session(series, slug="w1")
    db.session.commit()
    for path in ("/series/hk", "/series/hk/w1"):
        assert _lang(client.get(path).get_data(as_text=True)) == "zh-Hant", path
        # The reader's Accept-Language beats the series' default…
        assert _lang(client.get(path, headers=EN).get_data(as_text=True)) == "en", path
    # …and an English series still answers a Chinese reader in Chinese.
    english = make.series(slug="en-series")
    db.session.commit()
    assert _lang(client.get(f"/series/{english.slug}", headers=ZH).get_data(as_text=True)) == (
        "zh-Hant"
    )


def test_switcher_sets_a_cookie_that_beats_accept_language(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    # On every page, each language named in itself and marked with its own lang.
    assert 'lang="zh-Hant" hreflang="zh-Hant"' in html and ">繁體中文</a>" in html
    response = client.get("/language/zh-Hant?next=/series/x")
    assert response.status_code == 303 and response.headers["Location"] == "/series/x"
    cookie = response.headers["Set-Cookie"]
    assert f"{COOKIE}=zh-Hant" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert _lang(client.get("/", headers=EN).get_data(as_text=True)) == "zh-Hant"
    client.get("/language/en")
    assert _lang(client.get("/", headers=ZH).get_data(as_text=True)) == "en"


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/",
        "/\\evil.example",
        "https://evil.example/",
        "javascript:alert(1)",
        "/ok\r\nSet-Cookie: x=y",
        "",
    ],
)
def test_switcher_only_goes_back_to_this_site(client: FlaskClient, target: str) -> None:
    response = client.get("/language/zh-Hant", query_string={"next": target})
    assert response.status_code == 303 and response.headers["Location"] == "/"


def test_unknown_language_and_forged_cookie_are_ignored(client: FlaskClient) -> None:
    assert client.get("/language/fr").status_code == 404
    client.set_cookie(COOKIE, "zh-Hans\x00<script>")
    html = client.get("/", headers=EN).get_data(as_text=True)
    assert _lang(html) == "en" and "<script>" not in html


def test_an_account_remembers_the_choice_across_devices(
    app: Flask, client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    organiser = make.organiser()
    db.session.commit()
    login(organiser)
    client.get("/language/zh-Hant")
    db.session.refresh(organiser)
    assert organiser.language == "zh-Hant"
    # The test's app context outlives requests and Flask-Login keeps the loaded user in `g`:
    # without this the other device would read the first one's login.
    g.pop("_login_user", None)
    other_device = app.test_client()
    LoginHelper(other_device)(organiser)
    assert _lang(other_device.get("/", headers=EN).get_data(as_text=True)) == "zh-Hant"


def test_plural_forms(client: FlaskClient, make: Factories) -> None:
    series = make.series(slug="s")
    make.session(series, slug="one", capacity=1)
    make.session(series, slug="three", capacity=3)
    db.session.commit()
    assert "1 seat left" in client.get("/series/s/one").get_data(as_text=True)
    assert "3 seats left" in client.get("/series/s/three").get_data(as_text=True)
    assert "尚餘 1 個名額" in client.get("/series/s/one", headers=ZH).get_data(as_text=True)
    assert "尚餘 3 個名額" in client.get("/series/s/three", headers=ZH).get_data(as_text=True)


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    # A real shared cache: one language's page must never be served to the other.
    return {**app_config, "EVENTHUB_PUBLIC_CACHE": "simple"}


def test_cached_pages_keep_languages_apart(client: FlaskClient, make: Factories) -> None:
    make.session(make.series(slug="c"), slug="w")
    db.session.commit()
    for _ in range(2):
        for path in ("/", "/series/c", "/series/c/w"):
            english = client.get(path, headers=EN)
            chinese = client.get(path, headers=ZH)
            assert _lang(english.get_data(as_text=True)) == "en"
            assert _lang(chinese.get_data(as_text=True)) == "zh-Hant"
            assert "Accept-Language" in chinese.headers["Vary"]
    assert english.headers["X-Cache"] == "hit" and chinese.headers["X-Cache"] == "hit"
