"""Teams: the creator owns, lists are scoped, the members API, invitations, accounts."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import Flask, g
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from eventhub import clock
from eventhub.accounts.models import User
from eventhub.accounts.services import create_api_token
from eventhub.extensions import db
from eventhub.mail.models import MessageKind, OutboxMessage
from eventhub.teams.models import MemberRole, Membership
from tests.support.factories import PASSWORD, Factories, LoginHelper


def _bearer(user: User) -> dict[str, str]:
    token = create_api_token(user, "test")
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def _invitation_link(email: str) -> str:
    row = db.session.scalar(
        select(OutboxMessage).where(
            OutboxMessage.kind == MessageKind.TEAM_INVITATION,
            OutboxMessage.recipient_email == email,
        )
    )
    assert row is not None
    match = re.search(r"http://eventhub\.test(/team/invitation/[\w.\-]+)", row.body_text)
    assert match is not None
    return match.group(1)


def test_the_creator_of_a_series_owns_it(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    creator = make.organiser(is_admin=False)
    login(creator)
    response = client.post(
        "/organiser/series/new",
        data={
            "title": "Made by me",
            "timezone": "Asia/Hong_Kong",
            "reminder_offsets": "24h",
            "follow_up_delay_minutes": "120",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    row = db.session.scalar(select(Membership).where(Membership.user_id == creator.id))
    assert row is not None and row.role is MemberRole.OWNER
    # The API's creator too.
    api = client.post(
        "/api/v1/series",
        json={"title": "By API", "slug": "by-api", "timezone": "Asia/Hong_Kong"},
        headers=_bearer(creator),
    )
    assert api.status_code == 201, api.get_json()
    assert (
        len(db.session.scalars(select(Membership).where(Membership.user_id == creator.id)).all())
        == 2
    )


def test_lists_show_only_ones_own_series(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    mine = make.series(title="Mine Alone")
    theirs = make.series(title="Somebody Else's")
    make.session(theirs, title="Their secret webinar")
    me = make.member(mine, MemberRole.VIEWER)
    login(me)
    for page in (
        "/organiser/series",
        "/organiser/",
        "/organiser/registrations/",
        "/organiser/mail/",
    ):
        text = client.get(page).get_data(as_text=True)
        assert "Somebody Else" not in text, page
        assert "Their secret webinar" not in text, page
    assert "Mine Alone" in client.get("/organiser/series").get_data(as_text=True)
    assert client.get(f"/organiser/series/{theirs.id}").status_code == 404


def test_create_organiser_admin_flag(runner: FlaskCliRunner, app: Flask) -> None:
    result = runner.invoke(
        args=[
            "eventhub",
            "create-organiser",
            "boss@example.org",
            "--admin",
            "--password",
            "a long enough passphrase",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "admin" in result.output
    boss = db.session.scalar(select(User).where(User.email == "boss@example.org"))
    assert boss is not None and boss.is_admin
    plain = runner.invoke(
        args=[
            "eventhub",
            "create-organiser",
            "staff@example.org",
            "--password",
            "another long passphrase",
        ]
    )
    assert plain.exit_code == 0, plain.output
    staff = db.session.scalar(select(User).where(User.email == "staff@example.org"))
    assert staff is not None and not staff.is_admin


def test_members_api_contract(client: FlaskClient, make: Factories) -> None:
    series = make.series(slug="team-api")
    owner = make.member(series, MemberRole.OWNER, email="owner@example.org")
    colleague = make.organiser(is_admin=False, email="colleague@example.org")
    viewer = make.member(series, MemberRole.VIEWER, email="viewer@example.org")
    stranger = make.organiser(is_admin=False, email="stranger@example.org")
    auth = _bearer(owner)
    url = "/api/v1/series/team-api/members"

    added = client.post(url, json={"email": colleague.email, "role": "editor"}, headers=auth)
    assert added.status_code == 201, added.get_json()
    assert added.get_json() == {"email": colleague.email, "role": "editor", "status": "member"}
    invited = client.post(url, json={"email": "New@Example.org", "role": "viewer"}, headers=auth)
    assert invited.status_code == 201
    assert invited.get_json()["status"] == "invited"
    bad = client.post(url, json={"email": colleague.email, "role": "king"}, headers=auth)
    assert bad.status_code == 422

    listed = client.get(url, headers=_bearer(viewer)).get_json()["items"]
    assert {(i["email"], i["role"], i["status"]) for i in listed} == {
        ("owner@example.org", "owner", "member"),
        ("colleague@example.org", "editor", "member"),
        ("viewer@example.org", "viewer", "member"),
        ("new@example.org", "viewer", "invited"),
    }
    assert (
        client.post(
            url, json={"email": "x@example.org", "role": "owner"}, headers=_bearer(viewer)
        ).status_code
        == 403
    )
    assert client.get(url, headers=_bearer(stranger)).status_code == 404

    assert client.delete(f"{url}/{colleague.email}", headers=auth).status_code == 204
    assert client.delete(f"{url}/{colleague.email}", headers=auth).status_code == 404
    # The last owner stays.
    last = client.delete(f"{url}/{owner.email}", headers=auth)
    assert last.status_code == 422
    assert "owner" in last.get_json()["errors"]["email"][0]


def test_invitation_accept_creates_an_organiser_once(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    series = make.series(title="Invite Series")
    owner = make.member(series, MemberRole.OWNER)
    login(owner)
    response = client.post(
        f"/organiser/series/{series.id}/members",
        data={"email": "fresh@example.org", "role": "editor"},
    )
    assert response.status_code == 302
    link = _invitation_link("fresh@example.org")
    client.post("/logout")
    page = client.get(link)
    assert page.status_code == 200 and "Invite Series" in page.get_data(as_text=True)
    joined = client.post(
        link,
        data={
            "display_name": "Fresh",
            "password": "brand new passphrase",
            "confirm": "brand new passphrase",
        },
    )
    assert joined.status_code == 302, joined.get_data(as_text=True)[:2000]
    user = db.session.scalar(select(User).where(User.email == "fresh@example.org"))
    assert user is not None and user.is_organiser and not user.is_admin
    row = db.session.scalar(select(Membership).where(Membership.user_id == user.id))
    assert row is not None and row.role is MemberRole.EDITOR
    assert client.get(f"/organiser/series/{series.id}").status_code == 200
    # Single use.
    assert client.get(link).status_code == 410


def test_invitation_expires(client: FlaskClient, make: Factories, login: LoginHelper) -> None:
    series = make.series()
    owner = make.member(series, MemberRole.OWNER)
    login(owner)
    client.post(
        f"/organiser/series/{series.id}/members",
        data={"email": "late@example.org", "role": "viewer"},
    )
    link = _invitation_link("late@example.org")
    client.post("/logout")
    clock.move(timedelta(days=8))
    assert client.get(link).status_code == 410
    assert client.get(link.replace("invitation/", "invitation/x")).status_code == 410


def test_owner_changes_roles_and_removes_members(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    series = make.series()
    owner = make.member(series, MemberRole.OWNER)
    editor = make.member(series, MemberRole.EDITOR)
    login(owner)
    client.post(f"/organiser/series/{series.id}/members/{editor.id}/role", data={"role": "viewer"})
    row = db.session.scalar(select(Membership).where(Membership.user_id == editor.id))
    assert row is not None
    db.session.refresh(row)
    assert row.role is MemberRole.VIEWER
    client.post(f"/organiser/series/{series.id}/members/{owner.id}/role", data={"role": "viewer"})
    assert (
        db.session.scalar(select(Membership.role).where(Membership.user_id == owner.id))
        is MemberRole.OWNER
    )
    client.post(f"/organiser/series/{series.id}/members/{editor.id}/remove")
    assert db.session.scalar(select(Membership).where(Membership.user_id == editor.id)) is None


def test_admin_disables_and_reenables_an_account(
    app: Flask, make: Factories, login: LoginHelper
) -> None:
    admin = make.organiser(is_admin=True)
    series = make.series()
    victim = make.member(series, MemberRole.EDITOR)
    token = _bearer(victim)
    members = f"/api/v1/series/{series.slug}/members"
    victim_client, admin_client = app.test_client(), app.test_client()

    def as_(client: FlaskClient) -> FlaskClient:
        # One app context holds the test, so Flask-Login's cached user must be dropped.
        g.pop("_login_user", None)
        return client

    LoginHelper(as_(victim_client))(victim)
    assert as_(victim_client).get("/organiser/").status_code == 200
    LoginHelper(as_(admin_client))(admin)
    assert as_(admin_client).post(f"/organiser/accounts/{victim.id}/disable").status_code == 302
    assert as_(victim_client).get("/organiser/").status_code == 302  # signed out
    assert as_(victim_client).get(members, headers=token).status_code == 401
    refused = as_(victim_client).post("/login", data={"email": victim.email, "password": PASSWORD})
    assert refused.status_code == 200
    assert as_(admin_client).post(f"/organiser/accounts/{victim.id}/enable").status_code == 302
    LoginHelper(as_(victim_client))(victim)
    # Tokens revoked on disabling stay revoked.
    assert as_(victim_client).get(members, headers=token).status_code == 401
    # An admin cannot disable themselves.
    as_(admin_client).post(f"/organiser/accounts/{admin.id}/disable")
    db.session.refresh(admin)
    assert admin.is_enabled
