"""Commands answer in the shell's language: LC_ALL over LC_MESSAGES over LANG, English else;
the services' refusals they pass on included."""

from __future__ import annotations

import pytest
from flask import Flask
from flask_babel import refresh

from eventhub.accounts.services import MIN_PASSWORD_LENGTH


def _run(app: Flask, *args: str) -> str:
    refresh()  # one command per process in real use; the tests share an app context
    return app.test_cli_runner().invoke(args=["eventhub", *args]).output


def test_lc_all_wins_and_service_refusals_follow(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    monkeypatch.setenv("LC_ALL", "zh_HK.UTF-8")
    refused = _run(app, "create-organiser", "chan@example.org", "--password", "short")
    assert f"請使用最少 {MIN_PASSWORD_LENGTH} 個字元。" in refused
    created = _run(
        app, "create-organiser", "chan@example.org", "--password", "lantern harbour quietly"
    )
    assert "已建立主辦者帳戶 chan@example.org。" in created
    again = _run(app, "create-organiser", "chan@example.org", "--password", "x" * 20)
    assert "chan@example.org 的帳戶已經存在。" in again
    monkeypatch.setenv("LC_ALL", "")
    english = _run(app, "create-organiser", "chan@example.org", "--password", "x" * 20)
    assert "An account for chan@example.org already exists." in english
    monkeypatch.setenv("LANG", "C.UTF-8")
    assert "An account for" in _run(
        app, "create-organiser", "chan@example.org", "--password", "x" * 20
    )
