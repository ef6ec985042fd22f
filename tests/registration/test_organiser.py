"""Organiser registration pages: lists, filters, CSV, attendance, approvals, questions."""

from __future__ import annotations

import csv
import io

from flask.testing import FlaskClient
from sqlalchemy import select

from eventhub.accounts.models import Role
from eventhub.extensions import db
from eventhub.mail.models import MessageKind
from eventhub.registration.models import (
    QuestionKind,
    Registration,
    RegistrationQuestion,
    RegistrationStatus,
)
from tests.registration.conftest import outbox
from tests.support.factories import Factories, LoginHelper

S = RegistrationStatus


def test_pages_need_an_organiser(client: FlaskClient, make: Factories, login: LoginHelper) -> None:
    session = make.session()
    speaker = make.user(Role.SPEAKER)
    db.session.commit()
    url = f"/organiser/registrations/sessions/{session.id}"
    assert client.get(url).status_code == 302
    login(speaker)
    assert client.get(url).status_code == 403
    assert client.get(f"{url}/export.csv").status_code == 403


def test_list_filters_and_search(client: FlaskClient, make: Factories, login: LoginHelper) -> None:
    session = make.session()
    make.registration(session, email="ada@uni.example", name="Ada Chan", organisation="HKU")
    make.registration(session, email="ben@corp.example", name="Ben Wong", status=S.WAITLISTED)
    make.registration(session, email="cy@corp.example", name="Cy Lam", is_attended=True)
    login(make.organiser())
    base = f"/organiser/registrations/sessions/{session.id}"
    page = client.get(base).get_data(as_text=True)
    assert all(e in page for e in ("ada@uni.example", "ben@corp.example", "cy@corp.example"))
    page = client.get(f"{base}?status=waitlisted").get_data(as_text=True)
    assert "ben@corp.example" in page and "ada@uni.example" not in page
    page = client.get(f"{base}?attended=yes").get_data(as_text=True)
    assert "cy@corp.example" in page and "ben@corp.example" not in page
    page = client.get(f"{base}?q=hku").get_data(as_text=True)
    assert "ada@uni.example" in page and "cy@corp.example" not in page
    series_page = client.get(f"/organiser/registrations/series/{session.series_id}")
    assert "ben@corp.example" in series_page.get_data(as_text=True)
    assert "Registrations" in client.get("/organiser/registrations/").get_data(as_text=True)


def test_csv_export_is_streamed_with_answers(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    session = make.session()
    question = make.question(session.series, "Your role?")
    for n in range(450):
        make.registration(session, email=f"p{n}@example.org", answers={str(question.id): f"r{n}"})
    make.registration(session, email="evil@example.org", name="=HYPERLINK(1)")
    login(make.organiser())
    response = client.get(f"/organiser/registrations/sessions/{session.id}/export.csv")
    assert response.is_streamed
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][-1] == "Your role?" and rows[0][3] == "email"
    assert len(rows) == 452
    assert rows[1][3] == "p0@example.org" and rows[1][-1] == "r0"
    # Formula injection is neutralised.
    assert rows[-1][2] == "'=HYPERLINK(1)"
    filtered = client.get(
        f"/organiser/registrations/series/{session.series_id}/export.csv?q=evil"
    ).get_data(as_text=True)
    assert len(list(csv.reader(io.StringIO(filtered)))) == 2


def test_attendance_import_matches_by_email_and_reports_the_rest(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    session = make.session()
    ada = make.registration(session, email="ada@example.org")
    ben = make.registration(session, email="ben@example.org")
    login(make.organiser())
    export = (
        "Attendee Report\n"
        "Report Generated:,2027-03-12\n"
        "\n"
        "Attended,User Name (Original Name),First Name,Email,Join Time\n"
        "Yes,Ada,Ada,ADA@example.org,2027-03-12 14:29\n"
        "Yes,Ada,Ada,ada@example.org,2027-03-12 14:50\n"
        "Yes,Stranger,S,stranger@example.org,2027-03-12 14:31\n"
        "Yes,Phone user,P,,2027-03-12 14:33\n"
    ).encode("utf-8-sig")
    response = client.post(
        f"/organiser/registrations/sessions/{session.id}/attendance-import",
        data={"file": (io.BytesIO(export), "participants.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<strong>1</strong> attended (1 newly marked)" in page
    assert "stranger@example.org" in page and "not registered" in page
    assert "no email address" in page
    db.session.expire_all()
    assert ada.is_attended and ada.attended_at is not None
    assert not ben.is_attended


def test_bad_import_file_is_a_message(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    session = make.session()
    login(make.organiser())
    response = client.post(
        f"/organiser/registrations/sessions/{session.id}/attendance-import",
        data={"file": (io.BytesIO(b"a,b\n1,2\n"), "x.csv")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "No email addresses were found" in response.get_data(as_text=True)


def test_manual_marking(client: FlaskClient, make: Factories, login: LoginHelper) -> None:
    session = make.session()
    reg = make.registration(session)
    login(make.organiser())
    client.post(f"/organiser/registrations/{reg.id}/attendance", data={"attended": "yes"})
    db.session.expire_all()
    assert reg.is_attended
    client.post(f"/organiser/registrations/{reg.id}/attendance", data={"attended": "no"})
    db.session.expire_all()
    assert not reg.is_attended and reg.attended_at is None


def test_approve_decline_single_and_bulk(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    session = make.session(requires_approval=True)
    regs = [make.registration(session, status=S.PENDING) for _ in range(4)]
    login(make.organiser())
    client.post(f"/organiser/registrations/{regs[0].id}/approve")
    client.post(f"/organiser/registrations/{regs[1].id}/decline")
    client.post(
        f"/organiser/registrations/sessions/{session.id}/bulk",
        data={"action": "approve", "ids": [str(regs[2].id), str(regs[3].id), str(regs[0].id)]},
    )
    db.session.expire_all()
    assert [r.status for r in regs] == [S.CONFIRMED, S.DECLINED, S.CONFIRMED, S.CONFIRMED]
    assert len(outbox(MessageKind.CONFIRMATION)) == 3
    assert len(outbox(MessageKind.DECLINED)) == 1


def test_cancel_with_reason_promotes(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    session = make.session(capacity=1)
    seated = make.registration(session)
    waiting = make.registration(session, status=S.WAITLISTED)
    login(make.organiser())
    url = f"/organiser/registrations/{seated.id}/cancel"
    assert "Cancel registration" in client.get(url).get_data(as_text=True)
    client.post(url, data={"reason": "Booked twice"})
    db.session.expire_all()
    assert seated.status is S.CANCELLED and seated.cancel_reason == "Booked twice"
    assert waiting.status is S.CONFIRMED
    assert "Booked twice" in outbox(MessageKind.CANCELLED_BY_ORGANISER)[0].body_text
    assert outbox(MessageKind.PROMOTED)[0].recipient_email == waiting.email


def test_raising_capacity_promotes_and_lowering_below_taken_is_refused(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    session = make.session(capacity=1)
    make.registration(session)
    waiting = [make.registration(session, status=S.WAITLISTED) for _ in range(3)]
    login(make.organiser())
    url = f"/organiser/registrations/sessions/{session.id}/capacity"
    client.post(url, data={"capacity": "3"})
    db.session.expire_all()
    assert [r.status for r in waiting] == [S.CONFIRMED, S.CONFIRMED, S.WAITLISTED]
    response = client.post(url, data={"capacity": "1"}, follow_redirects=True)
    assert "already taken" in response.get_data(as_text=True)
    db.session.expire_all()
    assert session.capacity == 3


def test_questions_editor(client: FlaskClient, make: Factories, login: LoginHelper) -> None:
    series = make.series()
    login(make.organiser())
    base = f"/organiser/registrations/series/{series.id}/questions/"
    response = client.post(base, data={"label": "Sector", "kind": "single_choice", "choices": "A"})
    assert response.status_code == 422
    assert "at least two choices" in response.get_data(as_text=True)
    client.post(base, data={"label": "Sector", "kind": "single_choice", "choices": "A\nB\n"})
    client.post(base, data={"label": "Why?", "kind": "long_text", "is_required": "y"})
    questions = list(
        db.session.scalars(select(RegistrationQuestion).order_by(RegistrationQuestion.position))
    )
    assert [(q.label, q.kind, q.choices) for q in questions] == [
        ("Sector", QuestionKind.SINGLE_CHOICE, ["A", "B"]),
        ("Why?", QuestionKind.LONG_TEXT, []),
    ]
    client.post(f"{base}{questions[1].id}/move", data={"direction": "up"})
    db.session.expire_all()
    assert questions[1].position < questions[0].position
    client.post(f"{base}{questions[0].id}", data={"label": "Your sector", "kind": "short_text"})
    client.post(f"{base}{questions[1].id}/delete")
    db.session.expire_all()
    remaining = db.session.scalars(select(RegistrationQuestion)).all()
    assert [(q.label, q.kind) for q in remaining] == [("Your sector", QuestionKind.SHORT_TEXT)]


def test_registrations_of_another_session_are_not_bulk_changed(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    one, other = make.session(requires_approval=True), make.session(requires_approval=True)
    foreign = make.registration(other, status=S.PENDING)
    login(make.organiser())
    client.post(
        f"/organiser/registrations/sessions/{one.id}/bulk",
        data={"action": "approve", "ids": [str(foreign.id)]},
    )
    db.session.expire_all()
    assert db.session.get_one(Registration, foreign.id).status is S.PENDING


def test_each_registrant_links_to_the_messages_sent_to_them(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    session = make.session()
    make.registration(session, email="ada@uni.example")
    login(make.organiser())
    page = client.get(f"/organiser/registrations/sessions/{session.id}").get_data(as_text=True)
    assert 'href="/organiser/mail/messages?email=ada@uni.example"' in page
    messages = client.get("/organiser/mail/messages?email=ada%40uni.example")
    assert messages.status_code == 200


def test_csv_export_opens_in_excel_with_chinese_names_and_both_zones(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    from datetime import UTC, datetime

    series = make.series(timezone="Asia/Hong_Kong")
    session = make.session(series)
    registration = make.registration(session, email="chan@example.org", name="陳大文")
    registration.created_at = datetime(2027, 3, 1, 20, 15, tzinfo=UTC)
    db.session.commit()
    login(make.organiser())
    raw = client.get(f"/organiser/registrations/sessions/{session.id}/export.csv").get_data()
    # Excel reads a CSV as UTF-8 only after a byte order mark.
    assert raw.startswith(b"\xef\xbb\xbf") and raw.count(b"\xef\xbb\xbf") == 1
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    [row] = rows
    assert row["name"] == "陳大文"
    assert row["registered_at (Asia/Hong_Kong)"] == "2027-03-02 04:15:00"
    assert row["registered_at (UTC)"] == "2027-03-01 20:15:00"
    assert row["cancelled_at (UTC)"] == ""
