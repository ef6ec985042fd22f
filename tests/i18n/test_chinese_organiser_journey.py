"""An organiser who reads Traditional Chinese plans and publishes a webinar in a real browser:
every label, button and confirmation on the way is in Chinese."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from eventhub.extensions import db
from tests.support.browser import chromium_page
from tests.support.factories import PASSWORD, Factories
from tests.support.live import LiveServer, live_server

pytestmark = pytest.mark.browser


@pytest.fixture
def server(app: Flask, make: Factories) -> Iterator[LiveServer]:
    make.organiser(email="planner@example.org")
    db.session.commit()
    with live_server(app) as running:
        yield running


def test_organiser_plans_a_session_in_chinese(server: LiveServer) -> None:
    with chromium_page(timezone_id="Asia/Hong_Kong") as page:
        page.goto(server.url + "/login")
        page.get_by_role("link", name="繁體中文").click()
        page.wait_for_selector("h1:has-text('登入')")
        assert page.locator("html").get_attribute("lang") == "zh-Hant"
        page.get_by_label("電郵").fill("planner@example.org")
        page.get_by_label("密碼").fill(PASSWORD)
        page.get_by_role("button", name="登入").click()
        page.wait_for_selector("text=你已登入。")
        assert page.get_by_role("heading", level=1).inner_text() == "需要處理的事項"

        page.get_by_role("link", name="系列", exact=True).click()
        page.get_by_role("link", name="新增系列").click()
        page.get_by_label("標題", exact=True).fill("香港再工業化")
        page.get_by_label("時區", exact=True).select_option("Asia/Hong_Kong")
        page.get_by_label("已發佈（系列頁面公開）").check()
        page.get_by_role("button", name="儲存系列").click()
        page.wait_for_selector("text=已建立系列「香港再工業化」。請加入第一個場次。")

        page.get_by_role("link", name="新增場次").click()
        page.get_by_role("button", name="儲存場次").click()  # nothing filled in yet
        assert page.locator(".field__error").first.inner_text() == "此欄位是必需的。"
        page.get_by_label("標題", exact=True).fill("人工智能如何重塑香港的工業化？")
        page.get_by_label("開始時間", exact=True).fill("2030-03-12T14:30")
        page.get_by_label("長度（分鐘）").fill("90")
        page.get_by_label("網上參加連結").fill("https://meet.example.org/j/1")
        page.get_by_label("名額", exact=True).fill("80")
        page.get_by_role("button", name="儲存場次").click()
        page.wait_for_selector("text=第 1 場網上研討會已儲存為草稿。")

        page.get_by_role("link", name="發佈…").click()
        page.get_by_role("button", name="發佈", exact=True).click()
        page.wait_for_selector("text=第 1 場網上研討會已發佈。")
        details = page.locator("main").inner_text()
        assert "已確認 0 人 · 候補 0 人 · 待批核 0 人" in details
        assert "2030年3月12日 星期二 下午2:30 HKT" in details

        page.get_by_role("link", name="香港再工業化").click()
        table = page.locator("table").first.inner_text()
        assert "已發佈" in table and "接受報名中" in table
