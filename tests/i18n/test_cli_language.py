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


def test_help_is_in_the_shells_language(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("LANG", "zh_HK.UTF-8")

    group = _run(app, "--help")
    command = "".join(_run(app, "create-token", "--help").split())  # unwrapped (no spaces in 中文)

    assert "用法：" in group and "指令" in group and "選項" in group
    assert "載入示範研討會系列；再次執行不會有任何改變。" in group
    assert "為主辦者建立個人存取權杖；權杖只會顯示一次。" in command
    assert "權杖失效前的日數（預設：永不失效）。" in command
    assert "顯示這個訊息後結束。" in command
    for english in ("Usage:", "Options", "Showthismessage", "personalaccesstoken"):
        assert english not in command


def test_help_stays_english_without_a_chinese_locale(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("LANG", "en_GB.UTF-8")

    command = " ".join(_run(app, "create-token", "--help").split())  # unwrapped

    assert "Usage: " in command and "Options" in command
    assert "Create a personal access token for an organiser; it is printed once." in command
    assert "Days until the token stops working (default: never)." in command
