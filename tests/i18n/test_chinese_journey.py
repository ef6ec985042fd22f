"""A Hong Kong reader's journey in Traditional Chinese, in a real browser, with the real stack:
home → session → register → manage page, and the confirmation in Chinese at the SMTP server."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from eventhub.demo.loader import load_demo
from eventhub.extensions import db
from tests.support.browser import chromium_page
from tests.support.live import live_server
from tests.support.smtp import SmtpServer, body_text
from tests.support.worker import WorkerProcess

pytestmark = [
    pytest.mark.browser,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.worker,
    pytest.mark.smtp,
    pytest.mark.slow,
]

TITLE = "人工智能如何重塑香港的工業化？"


def test_register_in_traditional_chinese(
    stack_app: Flask, worker: WorkerProcess, smtp: SmtpServer
) -> None:
    load_demo("demo password for the journey")
    db.session.commit()
    with live_server(stack_app) as server, chromium_page(timezone_id="Asia/Hong_Kong") as page:
        page.goto(server.url + "/")
        page.get_by_role("link", name="繁體中文").click()
        page.wait_for_selector("text=即將舉行的網上研討會")
        assert page.locator("html").get_attribute("lang") == "zh-Hant"
        # The demo's Chinese titles, and the speakers' Chinese names on the cards.
        page.get_by_role("link", name=TITLE).first.click()
        page.wait_for_url("**/webinar-2")
        assert page.get_by_role("heading", level=1).inner_text() == TITLE
        body = page.locator("main").inner_text()
        assert "關於這場網上研討會" in body and "尚餘 300 個名額" in body
        assert "你的時間" in body  # localtime.js follows <html lang>
        assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日 星期. 下午2:30 HKT", body), body
        page.get_by_label("姓名").fill("陳大文")
        page.get_by_label("電郵", exact=True).fill("chan.tai.man@example.org")
        assert page.get_by_label("首選語言").input_value() == "zh-Hant"
        page.get_by_label("我同意這個系列的私隱聲明。").check()
        page.get_by_role("button", name="報名").last.click()
        page.wait_for_selector("text=報名成功。確認電郵和日曆邀請即將寄出。")

        [mail] = smtp.wait_for(1, timeout=60)
        message = mail.message
        assert message["Subject"] == f"報名成功：{TITLE}"
        text = body_text(message, "plain")
        html = body_text(message, "html")
        assert "陳大文，你好：" in text and "「人工智能如何重塑香港的工業化？」" in text
        assert '<html lang="zh-Hant">' in html and "管理你的報名" in html
        manage = re.search(r"http://eventhub\.test(/manage/[\w.-]+)", text)
        assert manage is not None

        page.goto(server.url + manage.group(1))
        assert page.locator("html").get_attribute("lang") == "zh-Hant"
        body = page.locator("main").inner_text()
        assert "已確認" in body and "你的名額已確認。" in body and "取消我的報名" in body
        assert "繁體中文" in body  # the language of the emails, as stored
