"""The second factor: enrolment confirmed by a code, codes at login, replay refused, recovery
codes single-use, attempts limited, disable with proof. Codes are computed here with pyotp at
eventhub's clock, which the tests move instead of sleeping."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pyotp
import pytest
from flask import g
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from eventhub import clock
from eventhub.accounts import pending, totp
from eventhub.accounts.models import RecoveryCode, User
from eventhub.activity.models import ActivityEntry
from eventhub.extensions import db
from tests.support.factories import PASSWORD, Factories


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    # Start each test one second into a 30-second step, so no step boundary falls between
    # computing a code here and checking it there.
    clock.move(timedelta(seconds=31 - clock.utcnow().timestamp() % 30))
    yield
    clock.reset()


def code_now(secret: str, steps: int = 0) -> str:
    return pyotp.TOTP(secret).at(clock.utcnow() + timedelta(seconds=30 * steps))


def next_step() -> None:
    """Move to the next 30-second step, so a fresh code is not a replay of the last one."""
    clock.move(timedelta(seconds=30))


def log_in(client: FlaskClient, user: User) -> None:
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


def enrol(client: FlaskClient, user: User) -> tuple[str, list[str]]:
    """Enrol through the pages as a logged-in organiser; returns the secret and recovery codes."""
    assert client.post("/organiser/account/two-factor/start").status_code == 302
    page = client.get("/organiser/account/two-factor").get_data(as_text=True)
    match = re.search(r'id="totp-secret"[^>]*>([A-Z2-7]+)<', page)
    assert match, page[:2000]
    secret = match.group(1)
    assert "otpauth://totp/" in page and "<svg" in page
    done = client.post("/organiser/account/two-factor", data={"code": code_now(secret)})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7-]{19})</code></li>", done.get_data(as_text=True))
    assert len(codes) == 10
    return secret, codes


@pytest.fixture
def organiser(make: Factories) -> User:
    user = make.organiser(email="two@example.org")
    db.session.commit()
    return user


@pytest.fixture
def enrolled(client: FlaskClient, organiser: User) -> tuple[str, list[str]]:
    log_in(client, organiser)
    secret, codes = enrol(client, organiser)
    client.post("/logout")
    next_step()
    return secret, codes


def test_enrolment_is_on_only_after_a_current_code(client: FlaskClient, organiser: User) -> None:
    log_in(client, organiser)
    client.post("/organiser/account/two-factor/start")
    page = client.get("/organiser/account/two-factor").get_data(as_text=True)
    secret = re.search(r'id="totp-secret"[^>]*>([A-Z2-7]+)<', page).group(1)  # type: ignore[union-attr]
    wrong = client.post("/organiser/account/two-factor", data={"code": "000000"})
    assert "not right" in wrong.get_data(as_text=True)
    db.session.expire_all()
    assert not organiser.has_second_factor
    # The secret is stored encrypted, never as typed into the app.
    assert organiser.totp_secret is not None and secret not in organiser.totp_secret

    ok = client.post("/organiser/account/two-factor", data={"code": code_now(secret)})
    assert ok.headers["Cache-Control"] == "no-store"
    db.session.expire_all()
    assert organiser.has_second_factor
    assert totp.recovery_codes_left(organiser) == 10
    # After enrolment the secret is shown nowhere.
    assert client.get("/organiser/account/two-factor").status_code == 302
    overview = client.get("/organiser/account/").get_data(as_text=True)
    assert secret not in overview and "10 recovery codes left" in overview
    assert "Two-factor sign-in turned on" in overview  # the account's own recent changes
    entries = db.session.scalars(select(ActivityEntry)).all()
    assert [e.action for e in entries] == ["security.enable_totp"]
    assert all(secret not in str(e.changes) for e in entries)


def test_login_asks_for_the_code_and_waits_logged_out(
    client: FlaskClient, organiser: User, enrolled: tuple[str, list[str]]
) -> None:
    secret, _ = enrolled
    response = client.post("/login", data={"email": organiser.email, "password": PASSWORD})
    assert response.location.endswith("/login/code")
    # Password alone: not logged in, and not counted as the last login.
    assert "/login" in client.get("/organiser/").location
    db.session.expire_all()
    before = organiser.last_login_at
    assert client.get("/login/code").status_code == 200
    done = client.post("/login/code", data={"code": code_now(secret)})
    assert done.status_code == 302 and done.location == "/organiser/"
    db.session.expire_all()
    assert organiser.last_login_at is not None and organiser.last_login_at != before
    assert client.get("/organiser/").status_code == 200


def test_a_code_is_not_accepted_twice(
    client: FlaskClient, organiser: User, enrolled: tuple[str, list[str]]
) -> None:
    secret, _ = enrolled
    code = code_now(secret)
    log_in(client, organiser)
    assert client.post("/login/code", data={"code": code}).status_code == 302
    client.post("/logout")
    log_in(client, organiser)
    replay = client.post("/login/code", data={"code": code})
    assert replay.status_code == 200
    assert "used already" in replay.get_data(as_text=True)
    # The previous step's code is older still: refused as well, though within the drift window.
    assert client.post("/login/code", data={"code": code_now(secret, -1)}).status_code == 200
    next_step()
    assert client.post("/login/code", data={"code": code_now(secret)}).status_code == 302


def test_codes_within_one_step_of_drift_only(organiser: User) -> None:
    secret = totp.start_enrolment(organiser)
    assert not totp.verify_code(organiser, code_now(secret, -2))
    assert not totp.verify_code(organiser, code_now(secret, 2))
    assert totp.verify_code(organiser, code_now(secret, 1))  # a phone running ahead


def test_wrong_codes_end_the_pending_login(
    client: FlaskClient, organiser: User, enrolled: tuple[str, list[str]]
) -> None:
    secret, _ = enrolled
    log_in(client, organiser)
    with client.session_transaction() as session:
        token = session[pending.SESSION_KEY]
    for _attempt in range(pending.MAX_ATTEMPTS - 1):
        assert client.post("/login/code", data={"code": "123456"}).status_code == 200
    last = client.post("/login/code", data={"code": "123456"})
    assert last.status_code == 302 and last.location.endswith("/login")
    # Replaying the cookie from before the attempts gives no new tries: they are counted
    # on the server.
    with client.session_transaction() as session:
        session[pending.SESSION_KEY] = token
    again = client.post("/login/code", data={"code": code_now(secret)})
    assert again.status_code == 302 and again.location.endswith("/login")
    assert "/login" in client.get("/organiser/").location


def test_the_pending_login_expires(
    client: FlaskClient, organiser: User, enrolled: tuple[str, list[str]]
) -> None:
    secret, _ = enrolled
    log_in(client, organiser)
    clock.move(pending.LIFETIME + timedelta(seconds=1))
    response = client.post("/login/code", data={"code": code_now(secret)})
    assert response.location.endswith("/login")


def test_a_recovery_code_works_once(
    client: FlaskClient, organiser: User, enrolled: tuple[str, list[str]]
) -> None:
    _, codes = enrolled
    log_in(client, organiser)
    used = client.post("/login/code", data={"code": codes[3].upper().replace("-", " ")})
    assert used.status_code == 302
    assert totp.recovery_codes_left(organiser) == 9
    actions = db.session.scalars(select(ActivityEntry.action).order_by(ActivityEntry.id)).all()
    assert actions == ["security.enable_totp", "accounts.use_recovery_code"]
    client.post("/logout")
    log_in(client, organiser)
    assert client.post("/login/code", data={"code": codes[3]}).status_code == 200
    assert client.post("/login/code", data={"code": codes[4]}).status_code == 302


def test_new_recovery_codes_replace_the_old(
    client: FlaskClient, organiser: User, enrolled: tuple[str, list[str]]
) -> None:
    secret, old = enrolled
    log_in(client, organiser)
    client.post("/login/code", data={"code": code_now(secret)})
    page = client.post("/organiser/account/two-factor/recovery-codes")
    new = re.findall(r"<li><code>([a-z2-7-]{19})</code></li>", page.get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(old)
    assert not totp.use_recovery_code(organiser, old[0])
    assert totp.use_recovery_code(organiser, new[0])
    stored = db.session.scalars(select(RecoveryCode.code_hash)).all()
    assert all(code not in stored for code in new)


def test_turning_it_off_needs_a_code_or_the_password(
    client: FlaskClient, organiser: User, enrolled: tuple[str, list[str]]
) -> None:
    secret, _ = enrolled
    log_in(client, organiser)
    client.post("/login/code", data={"code": code_now(secret)})
    client.post("/organiser/account/two-factor/disable", data={"proof": "guess"})
    db.session.expire_all()
    assert organiser.has_second_factor
    client.post("/organiser/account/two-factor/disable", data={"proof": PASSWORD})
    db.session.expire_all()
    assert not organiser.has_second_factor and organiser.totp_secret is None
    assert totp.recovery_codes_left(organiser) == 0
    actions = db.session.scalars(select(ActivityEntry.action).order_by(ActivityEntry.id)).all()
    assert actions == ["security.enable_totp", "security.disable_totp"]
    client.post("/logout")
    log_in(client, organiser)  # straight in: no code asked
    assert client.get("/organiser/").status_code == 200


def test_an_operator_resets_a_lost_second_factor(
    client: FlaskClient,
    runner: FlaskCliRunner,
    organiser: User,
    enrolled: tuple[str, list[str]],
) -> None:
    secret, codes = enrolled
    log_in(client, organiser)
    client.post("/login/code", data={"code": code_now(secret)})
    assert client.get("/organiser/").status_code == 200
    result = runner.invoke(args=["eventhub", "reset-second-factor", organiser.email])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert not organiser.has_second_factor and not totp.use_recovery_code(organiser, codes[0])
    g.pop("_login_user", None)  # the test's one app context caches the last request's user
    assert "/login" in client.get("/organiser/").location  # logins of the account ended
    actions = db.session.scalars(select(ActivityEntry.action).order_by(ActivityEntry.id)).all()
    assert actions[-1] == "cli.reset_second_factor"
    again = runner.invoke(args=["eventhub", "reset-second-factor", organiser.email])
    assert again.exit_code != 0 and "no second factor" in again.output


def test_no_secret_reaches_the_logs(
    client: FlaskClient, organiser: User, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    log_in(client, organiser)
    secret, codes = enrol(client, organiser)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert secret not in logged
    assert all(code not in logged for code in codes)


class TestRequired:
    @pytest.fixture
    def app_config(self, app_config: dict[str, object]) -> dict[str, object]:
        return {**app_config, "EVENTHUB_REQUIRE_2FA": True}

    def test_an_organiser_without_it_reaches_only_enrolment(
        self, client: FlaskClient, organiser: User
    ) -> None:
        log_in(client, organiser)
        for path in ("/organiser/", "/organiser/series", "/organiser/account/tokens", "/"):
            response = client.get(path)
            assert response.status_code == 302, path
            assert response.location.endswith("/organiser/account/two-factor"), path
        page = client.get("/organiser/account/two-factor").get_data(as_text=True)
        assert "requires two-factor sign-in" in page
        enrol(client, organiser)
        assert client.get("/organiser/").status_code == 200
        assert client.get("/organiser/account/tokens").status_code == 200

    def test_speakers_are_not_asked(self, client: FlaskClient, make: Factories) -> None:
        speaker = make.speaker_user(email="spk@example.org")
        db.session.commit()
        log_in(client, speaker)
        assert client.get("/").status_code == 200
