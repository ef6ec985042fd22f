"""Error pages and API errors in the reader's language."""

from __future__ import annotations

from flask.testing import FlaskClient
from werkzeug import exceptions

from eventhub.error_phrases import DESCRIPTIONS, NAMES

ZH = {"Accept-Language": "zh-HK"}


def test_marked_phrases_are_still_werkzeugs() -> None:
    # A Werkzeug upgrade that rewords a default would silently leave it untranslated.
    classes: list[type[exceptions.HTTPException]] = [
        exceptions.BadRequest,
        exceptions.Unauthorized,
        exceptions.Forbidden,
        exceptions.NotFound,
        exceptions.MethodNotAllowed,
        exceptions.Conflict,
        exceptions.RequestEntityTooLarge,
        exceptions.UnprocessableEntity,
        exceptions.InternalServerError,
    ]
    assert [c.description for c in classes] == list(DESCRIPTIONS)
    assert {c().name for c in classes} <= set(NAMES)


def test_not_found_page_and_json_in_chinese(client: FlaskClient) -> None:
    page = client.get("/no/such/page", headers=ZH)
    assert page.status_code == 404
    html = page.get_data(as_text=True)
    assert "<h1>找不到頁面</h1>" in html and "伺服器上找不到所要求的網址" in html
    english = client.get("/no/such/page").get_data(as_text=True)
    assert "<h1>Not Found</h1>" in english
    body = client.get("/api/v1/sessions/999999", headers=ZH).get_json()
    assert body["status"] == "Not Found"  # the machine-readable phrase stays as it is
    assert body["message"] != "" and "The requested URL" not in body["message"]


def test_cli_speaks_the_shells_language(app: object, monkeypatch: object) -> None:
    from flask import Flask
    from flask_babel import refresh
    from pytest import MonkeyPatch

    assert isinstance(app, Flask) and isinstance(monkeypatch, MonkeyPatch)
    runner = app.test_cli_runner()
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "zh_HK.UTF-8")
    result = runner.invoke(args=["eventhub", "revoke-tokens", "nobody@example.org"])
    assert "沒有 nobody@example.org 的帳戶。" in result.output
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    refresh()  # one command per process in real use; this test's app context is shared
    result = runner.invoke(args=["eventhub", "revoke-tokens", "nobody@example.org"])
    assert "No account for nobody@example.org." in result.output
