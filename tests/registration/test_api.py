"""The registration API contract: 201/200/409/422, manage_url only for a new registration."""

from __future__ import annotations

from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy import func, select

from eventhub.clock import utcnow
from eventhub.extensions import db
from eventhub.mail.models import MessageKind
from eventhub.registration.manage_links import SESSION_LINK, registration_for_token
from eventhub.registration.models import QuestionKind, Registration
from eventhub.scheduling.models import SessionStatus
from eventhub.tokens import read_token
from tests.registration.conftest import outbox
from tests.support.factories import Factories


def _body(**extra: object) -> dict[str, object]:
    body: dict[str, object] = {
        "name": "Grace Hopper",
        "email": "Grace@Example.org",
        "organisation": "Navy",
        "timezone": "America/New_York",
        "answers": {},
        "consent": True,
    }
    body.update(extra)
    return body


def test_new_registration_is_201_with_manage_url(client: FlaskClient, make: Factories) -> None:
    session = make.session(capacity=1)
    db.session.commit()
    response = client.post(f"/api/v1/sessions/{session.id}/registrations", json=_body())
    assert response.status_code == 201
    data = response.get_json()
    assert data["status"] == "confirmed"
    assert data["manage_url"].startswith("http://eventhub.test/manage/")
    # Signed after the commit, the link still names this registration at its token version.
    token = data["manage_url"].rsplit("/", 1)[1]
    registration = db.session.scalars(select(Registration)).one()
    assert registration_for_token(token) is registration
    assert read_token(SESSION_LINK.purpose, token) == [registration.id, registration.token_version]
    second = client.post(
        f"/api/v1/sessions/{session.id}/registrations", json=_body(email="other@example.org")
    )
    assert second.status_code == 201 and second.get_json()["status"] == "waitlisted"


def test_same_email_again_is_200_without_manage_url(client: FlaskClient, make: Factories) -> None:
    session = make.session()
    db.session.commit()
    client.post(f"/api/v1/sessions/{session.id}/registrations", json=_body())
    response = client.post(
        f"/api/v1/sessions/{session.id}/registrations", json=_body(email="GRACE@example.ORG")
    )
    assert response.status_code == 200
    data = response.get_json()
    assert data["status"] == "confirmed"
    assert "manage_url" not in data
    assert "/manage/" not in response.get_data(as_text=True)
    assert len(outbox(MessageKind.CONFIRMATION, "grace@example.org")) == 2
    assert len(db.session.scalars(select(Registration)).all()) == 1


def test_pending_for_manual_approval(client: FlaskClient, make: Factories) -> None:
    session = make.session(requires_approval=True)
    db.session.commit()
    response = client.post(f"/api/v1/sessions/{session.id}/registrations", json=_body())
    assert response.status_code == 201 and response.get_json()["status"] == "pending"


def test_closed_window_is_409(client: FlaskClient, make: Factories) -> None:
    session = make.session(registration_closes_at=utcnow() - timedelta(hours=1))
    db.session.commit()
    response = client.post(f"/api/v1/sessions/{session.id}/registrations", json=_body())
    assert response.status_code == 409
    assert "closed" in response.get_json()["message"]


def test_invalid_data_is_422_with_field_errors(client: FlaskClient, make: Factories) -> None:
    session = make.session()
    question = make.question(
        session.series, "Sector", QuestionKind.SINGLE_CHOICE, choices=["A", "B"], is_required=True
    )
    db.session.commit()
    url = f"/api/v1/sessions/{session.id}/registrations"
    missing = client.post(url, json={"email": "x@example.org"})
    assert missing.status_code == 422
    assert "name" in missing.get_json()["errors"]
    response = client.post(
        url,
        json=_body(
            email="nope",
            timezone="Nowhere/City",
            consent=False,
            answers={str(question.id): "C", "999": "x"},
        ),
    )
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert set(errors) == {"email", "timezone", "consent", "answers"}
    assert set(errors["answers"]) == {str(question.id), "999"}
    ok = client.post(url, json=_body(answers={str(question.id): "B"}))
    assert ok.status_code == 201
    assert db.session.scalar(select(Registration.answers)) == {str(question.id): "B"}


def test_unknown_session_is_404_json(client: FlaskClient) -> None:
    response = client.post("/api/v1/sessions/999/registrations", json=_body())
    assert response.status_code == 404
    assert response.get_json()["code"] == 404


def test_hidden_sessions_are_404_json(client: FlaskClient, make: Factories) -> None:
    draft = make.session(status=SessionStatus.DRAFT)
    unpublished = make.session(make.series(is_published=False))
    db.session.commit()
    for session in (draft, unpublished):
        response = client.post(f"/api/v1/sessions/{session.id}/registrations", json=_body())
        assert response.status_code == 404 and response.get_json()["code"] == 404
    assert db.session.scalar(select(func.count(Registration.id))) == 0


def test_series_language_and_zone_are_the_defaults(client: FlaskClient, make: Factories) -> None:
    series = make.series(default_language="zh-Hant", timezone="Asia/Taipei")
    session = make.session(series)
    make.question(series, "Role?", is_required=True)
    db.session.commit()
    url = f"/api/v1/sessions/{session.id}/registrations"
    body = {"name": "Chan", "email": "chan@example.org", "consent": True}
    # The series' questions are checked, in the series' language (no Accept-Language).
    refused = client.post(url, json=body)
    assert refused.status_code == 422 and list(refused.get_json()["errors"]) == ["answers"]
    assert refused.get_json()["message"] == "報名資料無效。"
    [question_id] = refused.get_json()["errors"]["answers"]
    response = client.post(url, json={**body, "answers": {question_id: "Engineer"}})
    assert response.status_code == 201 and response.get_json()["language"] == "zh-Hant"
    registration = db.session.scalars(select(Registration)).one()
    assert (registration.timezone, registration.answers) == (
        "Asia/Taipei",
        {question_id: "Engineer"},
    )


def test_described_in_the_openapi_document(client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/sessions/{session_id}/registrations"]["post"]
    assert {"200", "201", "409", "422"} <= set(operation["responses"])
    schemas = spec["components"]["schemas"]
    assert {"name", "email", "consent", "answers", "timezone", "organisation"} <= set(
        schemas["RegistrationIn"]["properties"]
    )
