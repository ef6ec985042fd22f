"""Activity entries read as words in the reader's language, while the API keeps the codes.

The codes an entry can carry are found, not listed: the organiser routes the recorder records
(from the URL map and the access table), its READ_ACTIONS, and the fixed codes the code base
passes to account_log.record(…) or as `action=`. A new route or code without a label fails.
"""

from __future__ import annotations

import ast
import importlib
import re
from html.parser import HTMLParser
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale

import eventhub
from eventhub.accounts.models import User
from eventhub.accounts.services import create_api_token
from eventhub.activity import account_log
from eventhub.activity.labels import ACTION_LABELS, action_label, change_label, change_value
from eventhub.activity.recorder import READ_ACTIONS
from eventhub.extensions import db
from eventhub.teams.access import Need
from eventhub.teams.models import MemberRole
from tests.i18n.test_organiser_pages import english_left, stored_strings
from tests.support.factories import Factories, LoginHelper

CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


def recordable_endpoints(app: Flask) -> set[str]:
    """What `recorder._start` records: non-public endpoints reached with a changing method."""
    needs = app.extensions["access_needs"]
    return {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if needs.get(rule.endpoint, Need.PUBLIC) is not Need.PUBLIC
        and (rule.methods or set()) & CHANGING
    } | set(READ_ACTIONS)


CODE = re.compile(r"^[a-z_]+\.[a-z_]+$")


def _callee(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def fixed_codes() -> set[str]:
    """Codes written outside the recorder: passed to a `record`/`_record` function (such as
    account_log.record(who, "<code>", …)) or as `action=`, literally or as a module constant."""
    root = Path(eventhub.__file__).parent
    codes: set[str] = set()
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        module_name = ".".join(("eventhub", *path.relative_to(root).with_suffix("").parts))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            values = [k.value for k in node.keywords if k.arg == "action"]
            if _callee(node) in ("record", "_record"):
                values += node.args
            for value in values:
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    text: object = value.value
                elif isinstance(value, ast.Name):
                    # A module constant (privacy's RETENTION …); a local variable is not a code.
                    text = getattr(importlib.import_module(module_name), value.id, None)
                else:
                    continue
                if isinstance(text, str) and CODE.match(text):
                    codes.add(text)
    return codes


def test_every_code_that_can_be_recorded_has_a_label(app: Flask) -> None:
    endpoints = recordable_endpoints(app)
    fixed = fixed_codes()
    # The scan really finds the codes of each kind of writer.
    assert {"scheduling.session_edit", "registration_admin.series_export"} <= endpoints
    assert {
        "privacy.erased_by_attendee",
        "privacy.erased_by_organiser",
        "privacy.retention",
        "cli.create_token",
        "security.enable_totp",
        "accounts.use_recovery_code",
    } <= fixed
    missing = sorted((endpoints | fixed) - ACTION_LABELS.keys())
    assert missing == [], f"add labels to eventhub/activity/labels.py for {missing}"
    stale = sorted(ACTION_LABELS.keys() - endpoints - fixed)
    assert stale == [], f"labels for codes nothing records: {stale}"


def test_change_keys_and_values_in_words(app: Flask) -> None:
    with app.test_request_context(), force_locale("en"):
        assert change_label("Session 4 title") == "Webinar 4 · Title"
        assert change_label("Registration 9") == "Registration 9"
        assert change_label("registrations anonymised") == "Registrations anonymised"
        assert change_label("Widget 3 shiny_colour") == "Widget 3 · Shiny colour"
        assert change_label("brand_new_column") == "Brand new column"
        assert action_label("unknown.some_route") == "Unknown: some route"
        assert change_value(None) == "—" and change_value("created") == "created"
    with app.test_request_context(), force_locale("zh_Hant"):
        assert change_label("Session 4 capacity") == "網上研討會 4 · 名額"
        assert action_label("scheduling.session_edit") == "編輯研討會"
        assert change_value("created") == "已建立"
        assert change_value(True) == "是" and change_value(0) == "0"


class _Cells(HTMLParser):
    """The text nodes of a page (what is read), apart from its `title` attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.titles: list[str] = []
        self.options: dict[str, str] = {}
        self._option: str | None = None
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in ("script", "style"):
            self._skip += 1
        if values.get("title"):
            self.titles.append(str(values["title"]))
        self._option = values.get("value") if tag == "option" else None

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1
        self._option = None

    def handle_data(self, data: str) -> None:
        if self._skip or not data.strip():
            return
        self.text.append(" ".join(data.split()))
        if self._option:
            self.options[self._option] = " ".join(data.split())


def _bearer(user: User) -> dict[str, str]:
    token = create_api_token(user, "test")
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def test_the_activity_page_reads_in_chinese_and_the_api_keeps_codes(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    series = make.series(slug="labelled", title="Labelled Series")
    session = make.session(series, title="Old title")
    make.registration(session, email="someone@example.org")
    owner = make.member(series, MemberRole.OWNER, email="boss@example.org")
    auth = _bearer(owner)
    edited = client.patch(
        f"/api/v1/sessions/{session.id}", json={"title": "New title"}, headers=auth
    )
    assert edited.status_code == 200, edited.get_json()
    client.set_cookie("eventhub_lang", "zh-Hant")
    login(owner)
    exported = client.get(f"/organiser/registrations/series/{series.id}/export.csv")
    assert exported.status_code == 200

    page = client.get(f"/organiser/series/{series.id}/activity")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<html lang="zh-Hant">' in html
    cells = _Cells()
    cells.feed(html)
    assert "編輯研討會（API）" in cells.text
    assert "匯出報名者" in cells.text
    assert any(piece.startswith(f"網上研討會 {session.id} · 標題") for piece in cells.text)
    # The codes stay for support, as titles only; the filter shows labels, sends codes.
    codes = ["api_organiser.update_session", "registration_admin.series_export"]
    assert set(codes) <= set(cells.titles)
    assert f"Session {session.id} title" in cells.titles
    assert not [piece for piece in cells.text if any(code in piece for code in codes)]
    assert cells.options["registration_admin.series_export"] == "匯出報名者"
    assert cells.options["api_organiser.update_session"] == "編輯研討會（API）"
    assert english_left(cells.text, stored_strings()) == []

    # The API is a contract: codes and column names, whatever the reader's language.
    api = client.get("/api/v1/series/labelled/activity", headers=auth).get_json()
    assert [item["action"] for item in api["items"]] == codes[::-1]
    assert api["items"][1]["changes"][f"Session {session.id} title"] == ["Old title", "New title"]


def test_the_account_page_names_its_entries_in_chinese(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    organiser = make.organiser()
    account_log.record(organiser, "security.enable_totp", "Two-factor sign-in", enabled=True)
    db.session.commit()
    client.set_cookie("eventhub_lang", "zh-Hant")
    login(organiser)
    html = client.get("/organiser/account/").get_data(as_text=True)
    cells = _Cells()
    cells.feed(html)
    assert "已開啟雙重認證登入" in cells.text
    assert "security.enable_totp" in cells.titles
    assert not [piece for piece in cells.text if "security.enable_totp" in piece]
