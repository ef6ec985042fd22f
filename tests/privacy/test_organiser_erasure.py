"""An owner erases a person in the series they own; an admin everywhere; the CLI too."""

from __future__ import annotations

from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select

from eventhub.activity.models import ActivityEntry
from eventhub.extensions import db
from eventhub.privacy.erasure import ORGANISER_ERASURE, address_digest
from eventhub.registration.models import Registration
from eventhub.scheduling.models import Session
from eventhub.teams.models import MemberRole
from tests.privacy.support import EMAIL, build, figures, traces, with_waitlist_place_withdrawn
from tests.support.factories import Factories, LoginHelper


def _registrations_of_person() -> dict[int, int]:
    """Series id -> how many registrations still carry the address."""
    db.session.expire_all()
    return dict(
        db.session.execute(
            select(Session.series_id, func.count())
            .join(Registration, Registration.session_id == Session.id)
            .where(func.lower(Registration.email) == EMAIL.lower())
            .group_by(Session.series_id)
        ).all()
    )


def test_an_owner_erases_only_in_the_series_they_own(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    world = build(make, client, login)
    owner = make.member(world.series_a, MemberRole.OWNER)
    client.post("/logout")
    login(owner)
    before = figures()
    assert "/organiser/privacy/erase" in client.get("/organiser/registrations/").get_data(
        as_text=True
    )
    page = client.get("/organiser/privacy/erase")
    assert page.status_code == 200 and "series you own" in page.get_data(as_text=True)
    # Unconfirmed: nothing happens.
    refused = client.post("/organiser/privacy/erase", data={"email": EMAIL})
    assert refused.status_code == 200
    assert "Tick the box" in refused.get_data(as_text=True)
    assert _registrations_of_person() == {world.series_a.id: 2, world.series_b.id: 1}

    done = client.post("/organiser/privacy/erase", data={"email": EMAIL.upper(), "confirm": "y"})

    assert done.status_code == 302
    assert _registrations_of_person() == {world.series_b.id: 1}
    # Counts kept; only the place on the waitlist of a session yet to start is given up.
    assert figures() == with_waitlist_place_withdrawn(before, world.full.id)
    entries = db.session.scalars(
        select(ActivityEntry).where(ActivityEntry.action == ORGANISER_ERASURE)
    ).all()
    assert [(e.series_id, e.actor_id, e.target, e.changes) for e in entries] == [
        (
            world.series_a.id,
            owner.id,
            f"Person {address_digest(EMAIL)}",
            {"registrations anonymised": [None, 2]},
        )
    ]
    # Series B's organisers still hold the person, as they should; series A's log does not.
    remaining = traces()
    assert remaining and not any(t.startswith("activity_entries") for t in remaining)


def test_an_editor_owns_nothing_and_erases_nothing(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    world = build(make, client, login)
    editor = make.member(world.series_a, MemberRole.EDITOR)
    client.post("/logout")
    login(editor)
    page = client.get("/organiser/privacy/erase").get_data(as_text=True)
    assert "Only the owner of a series" in page
    client.post("/organiser/privacy/erase", data={"email": EMAIL, "confirm": "y"})
    assert _registrations_of_person() == {world.series_a.id: 2, world.series_b.id: 1}


def test_an_admin_erases_everywhere_and_the_cli_does_too(
    client: FlaskClient, runner: FlaskCliRunner, make: Factories, login: LoginHelper
) -> None:
    build(make, client, login)  # logged in as an admin
    client.post("/organiser/privacy/erase", data={"email": EMAIL, "confirm": "y"})
    assert _registrations_of_person() == {}
    assert traces() == []
    result = runner.invoke(args=["eventhub", "erase-attendee", EMAIL])
    assert result.exit_code == 0, result.output
    assert "registrations anonymised: 0" in result.output


def test_the_cli_erases_everywhere(
    client: FlaskClient, runner: FlaskCliRunner, make: Factories, login: LoginHelper
) -> None:
    build(make, client, login)
    db.session.commit()
    result = runner.invoke(args=["eventhub", "erase-attendee", EMAIL])
    assert result.exit_code == 0, result.output
    assert "registrations anonymised: 4" in result.output  # 3 sessions + 1 whole series
    assert traces() == []
