"""Every organiser route and API endpoint, from the URL map, for every kind of caller.

Callers: an installation admin, the owner, an editor and a viewer of series A, the owner of
series B only, a speaker, and an anonymous visitor. What each may do follows from the
endpoint's need in eventhub.access_policy; a route added without one is refused to everyone,
so its admin check below fails. Refusals are real requests that must change nothing; an
allowed GET must answer what the admin gets; an allowed change is checked by running the
same before-request hook in a request context for that URL (running it would destroy the
fixtures the other routes need).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask, g
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from eventhub.access_policy import NEEDS
from eventhub.accounts.models import ApiToken, Role, User
from eventhub.accounts.services import create_api_token
from eventhub.extensions import db
from eventhub.mail.models import MessageKind, OutboxMessage
from eventhub.registration.models import Registration
from eventhub.scheduling.models import Series, Session
from eventhub.teams import access, invitations
from eventhub.teams.access import Need
from eventhub.teams.models import MemberRole
from tests.support.factories import PASSWORD, Factories

ACTORS = ("admin", "owner", "editor", "viewer", "other", "speaker", "anonymous")
PROTECTED = ("/organiser/", "/api/v1/")


@dataclass
class World:
    users: dict[str, User]
    tokens: dict[str, str]
    values: dict[str, Any]


def _cheap(user: User) -> None:
    # One hash iteration: ~100 logins per run would otherwise cost seconds each.
    user.password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1")


@pytest.fixture
def world(make: Factories) -> World:
    series_a = make.series(slug="series-a", title="Series A")
    series_b = make.series(slug="series-b", title="Series B")
    session = make.session(series_a)
    registration = make.registration(session)
    question = make.question(series_a)
    speaker = make.speaker()
    link = make.link(session, speaker)
    message = OutboxMessage(
        kind=MessageKind.CONFIRMATION,
        dedupe_key="matrix-1",
        recipient_email=registration.email,
        series_id=series_a.id,
        session_id=session.id,
        registration_id=registration.id,
        subject="You are registered",
        body_html="<p>Hi</p>",
        body_text="Hi",
    )
    db.session.add(message)
    invitation = invitations.invite(series_a, "newcomer@example.org", MemberRole.EDITOR, None)
    users = {
        "admin": make.organiser(is_admin=True),
        "owner": make.member(series_a, MemberRole.OWNER),
        "editor": make.member(series_a, MemberRole.EDITOR),
        "viewer": make.member(series_a, MemberRole.VIEWER),
        "other": make.member(series_b, MemberRole.OWNER),
        "speaker": make.user(Role.SPEAKER),
    }
    for user in users.values():
        _cheap(user)
    tokens = {
        name: create_api_token(user, "matrix") for name, user in users.items() if name != "speaker"
    }
    tokens["speaker"] = "ehp_not-a-token-anyone-holds"
    db.session.commit()
    values = {
        "series_id": series_a.id,
        "slug": series_a.slug,
        "session_id": session.id,
        "registration_id": registration.id,
        "question_id": question.id,
        "message_id": message.id,
        "speaker_id": speaker.id,
        "link_id": link.id,
        "section_id": 1,
        "item_id": 1,
        "photo_id": 1,
        "index": 0,
        "kind": "sections",
        "email": users["editor"].email,
        "user_id": users["viewer"].id,
        "invitation_id": invitation.id,
        # Someone else's token: the revoke view answers 404 (not found among the caller's).
        "token_id": db.session.scalars(select(ApiToken.id).order_by(ApiToken.id)).first(),
    }
    return World(users=users, tokens=tokens, values=values)


def protected_routes(app: Flask) -> list[tuple[str, str, str]]:
    """(endpoint, rule, method) for every route under /organiser/ and /api/v1/."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(PROTECTED):
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                found.append((rule.endpoint, rule.rule, method))
    return sorted(found)


def _url(rule: str, values: dict[str, Any]) -> str:
    for name, value in values.items():
        for converter in ("int:", "path:", ""):
            rule = rule.replace(f"<{converter}{name}>", str(value))
    assert "<" not in rule, f"the matrix has no value for an argument of {rule}"
    return rule


def expected_refusal(need: Need, actor: str, is_api: bool) -> int | None:
    """The status a refused caller gets, or None when the caller is allowed."""
    if need is Need.PUBLIC:
        return None
    if actor == "anonymous":
        return 401 if is_api else 302
    if actor == "speaker":
        return 401 if is_api else 403
    if actor == "admin":
        return None
    series_role = {"owner": 3, "editor": 2, "viewer": 1}.get(actor)
    if need is Need.ORGANISER:
        return None
    if need is Need.ADMIN:
        return 403
    if need is Need.CONTRIBUTOR:
        return 403 if actor == "viewer" else None
    if series_role is None:
        return 404  # an organiser of another series: not told that this one exists
    required = {Need.READ: 1, Need.WRITE: 2, Need.MANAGE: 3}[need]
    return 403 if series_role < required else None


def _snapshot() -> dict[str, Any]:
    counts = {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
        if table.name != "activity_entries"  # an allowed export is recorded, as it should be
    }
    db.session.expire_all()
    # One row per record, of whichever columns say what a refused request must leave alone.
    state: list[tuple[Any, ...]] = [
        (s.id, s.title, s.is_published)
        for s in db.session.scalars(select(Series).order_by(Series.id))
    ]
    state += [
        (s.id, s.title, s.status.value, s.capacity)
        for s in db.session.scalars(select(Session).order_by(Session.id))
    ]
    state += [
        (r.id, r.email, r.status.value)
        for r in db.session.scalars(select(Registration).order_by(Registration.id))
    ]
    return {"counts": counts, "state": state}


def _client_for(app: Flask, world: World, actor: str) -> FlaskClient:
    client = app.test_client()
    if actor in ("anonymous",):
        return client
    _forget()
    response = client.post("/login", data={"email": world.users[actor].email, "password": PASSWORD})
    assert response.status_code == 302, actor
    return client


def _forget() -> None:
    # The app fixture holds one app context for the whole test, so `g` (where Flask-Login
    # caches the user) outlives each request; forget the previous caller.
    g.pop("_login_user", None)
    g.pop("api_user", None)


def _call(client: FlaskClient, url: str, method: str, token: str | None) -> Any:
    _forget()
    headers = {"Authorization": f"Bearer {token}"} if token and url.startswith("/api/") else {}
    body: dict[str, Any] = {"json": {}} if url.startswith("/api/") else {"data": {"x": "1"}}
    if method == "GET":
        body = {}
    return client.open(url, method=method, headers=headers, **body)


def test_every_protected_route_has_a_rule(app: Flask) -> None:
    missing = [e for e, _, _ in protected_routes(app) if e not in NEEDS]
    assert missing == []
    assert len(protected_routes(app)) >= 90


def test_a_route_without_a_rule_is_refused_even_to_an_admin(
    app_config: dict[str, Any], make: Factories
) -> None:
    from eventhub import create_app

    fresh = create_app(app_config)
    fresh.add_url_rule("/organiser/forgotten", "forgotten", lambda: "secret")
    with fresh.app_context():
        admin = make.organiser(is_admin=True)
        _cheap(admin)
        db.session.commit()
        client = fresh.test_client()
        client.post("/login", data={"email": admin.email, "password": PASSWORD})
        response = client.get("/organiser/forgotten")
        db.session.remove()
    assert response.status_code == 403
    assert b"secret" not in response.data


@pytest.mark.parametrize("actor", ACTORS)
def test_authorisation_matrix(app: Flask, world: World, actor: str) -> None:
    routes = protected_routes(app)
    client = _client_for(app, world, actor)
    admin = _client_for(app, world, "admin") if actor != "admin" else client
    token = world.tokens.get(actor)
    before = _snapshot()
    problems = []
    checked = 0
    for endpoint, rule, method in routes:
        need = access.need_for(NEEDS[endpoint], method)
        assert need is not None
        if need is Need.PUBLIC:
            continue
        is_api = rule.startswith("/api/")
        url = _url(rule, world.values)
        refusal = expected_refusal(need, actor, is_api)
        checked += 1
        if refusal is not None:
            response = _call(client, url, method, token)
            status = response.status_code
            if status != refusal or (
                refusal == 302 and "/login" not in response.headers.get("Location", "")
            ):
                problems.append((actor, method, rule, status, f"expected {refusal}"))
            continue
        if method == "GET":
            mine = _call(client, url, method, token).status_code
            theirs = _call(admin, url, method, world.tokens["admin"]).status_code
            if mine != theirs or mine in (401, 403):
                problems.append((actor, method, rule, mine, f"admin got {theirs}"))
            continue
        if not _hook_allows(app, world, actor, url, method):
            problems.append((actor, method, rule, "refused", "expected allowed"))
    assert problems == []
    assert checked >= 85
    assert _snapshot() == before


def _hook_allows(app: Flask, world: World, actor: str, url: str, method: str) -> bool:
    """Run the access hook alone for this URL, as `actor`."""
    headers = {"Authorization": f"Bearer {world.tokens[actor]}"} if url.startswith("/api/") else {}
    with app.test_request_context(url, method=method, headers=headers):
        if not url.startswith("/api/"):
            g._login_user = db.session.get(User, world.users[actor].id)  # as Flask-Login would
        try:
            return access.enforce() is None
        except Exception:
            return False
