"""Registration API: POST /api/v1/sessions/<id>/registrations (a public contract)."""

from __future__ import annotations

from typing import Any, NoReturn

import marshmallow as ma
from email_validator import EmailNotValidError
from flask_babel import gettext as _
from flask_smorest import Blueprint
from werkzeug.exceptions import HTTPException, NotFound, UnprocessableEntity

from eventhub.i18n import LOCALES, normalise, select_language, use_series_language
from eventhub.inputs import SingleLine, StrictBoolean
from eventhub.registration import services
from eventhub.registration.answers import InvalidAnswers, clean_answers
from eventhub.registration.forms import normalise_email
from eventhub.registration.locking import begin_writer
from eventhub.registration.manage_links import manage_url_at
from eventhub.registration.models import EMAIL_MAX, NAME_MAX, ORGANISATION_MAX
from eventhub.registration.public_data import SignupTarget, signup_target
from eventhub.registration.views import registration_limited
from eventhub.timefmt import is_valid_zone
from eventhub.transaction import change, reraise

blp = Blueprint(
    "registration_api",
    __name__,
    url_prefix="/api/v1/sessions",
    description="Register attendees for sessions.",
)


class RegistrationInSchema(ma.Schema):
    name = SingleLine(required=True, validate=ma.validate.Length(min=1, max=NAME_MAX))
    email = SingleLine(required=True, validate=ma.validate.Length(min=3, max=EMAIL_MAX))
    organisation = SingleLine(load_default="", validate=ma.validate.Length(max=ORGANISATION_MAX))
    timezone = SingleLine(
        load_default=None,
        metadata={"description": "IANA zone used in every email, e.g. Europe/London."},
    )
    answers = ma.fields.Dict(
        keys=ma.fields.String(),
        load_default=dict,
        metadata={"description": "Answers keyed by question id; lists for multiple choice."},
    )
    consent = StrictBoolean(
        required=True, metadata={"description": "Agreement to the series' privacy statement."}
    )
    marketing_consent = StrictBoolean(load_default=False)
    language = ma.fields.String(
        load_default=None,
        validate=ma.validate.OneOf(list(LOCALES)),
        metadata={
            "description": (
                "Language of every email to this person: `en` or `zh-Hant` (Traditional "
                "Chinese). Default: the request's Accept-Language, else the series' language."
            )
        },
    )


class RegistrationOutSchema(ma.Schema):
    session_id = ma.fields.Integer()
    email = ma.fields.String()
    status = ma.fields.String(
        metadata={"enum": ["confirmed", "waitlisted", "pending", "offered", "declined"]}
    )
    language = ma.fields.String(metadata={"enum": list(LOCALES)})
    manage_url = ma.fields.String(
        metadata={"description": "Only for a new registration, never for a repeat."}
    )


REGISTRATION_IN = RegistrationInSchema()


def _fail(error: HTTPException, message: str, errors: dict[str, Any] | None = None) -> NoReturn:
    error.description = message
    if errors:
        error.data = {"errors": errors}  # type: ignore[attr-defined]
    raise error


@blp.route("/<int:session_id>/registrations", methods=["POST"])
@registration_limited
# A schema instance, not the class: webargs instantiated a class on every request (a fifth of
# the parsing); marshmallow schemas keep no state between loads.
@blp.arguments(REGISTRATION_IN)
@blp.response(201, RegistrationOutSchema, description="Registered (new).")
@blp.alt_response(
    200,
    schema=RegistrationOutSchema,
    description="Already registered: the confirmation is sent again to that address.",
)
@blp.alt_response(409, description="Registration is not open for this session.")
@blp.alt_response(422, description="Invalid data; `errors` names the fields.")
@blp.alt_response(503, description="Busy; try again in a moment.")
def create_registration(data: dict[str, Any], session_id: int) -> Any:
    """Register someone for a session: confirmed, waitlisted or pending approval."""
    begin_writer()
    # Read without the lock: it is held only from the seat decision to the commit.
    target = signup_target(session_id)
    if target is None or not target.is_public:
        _fail(NotFound(), _("No such session."))
    use_series_language(target.series_language)
    applicant = _applicant(target, data)
    # A refusal (registration closed: 409) is answered by the app's Refusal handler, as JSON.
    with change(show=reraise):
        outcome = services.register_after_a_twin(target.session_id, applicant)
        registration = outcome.registration
        body: dict[str, Any] = {
            "session_id": registration.session_id,
            "email": registration.email,
            "status": registration.status.value,
            "language": registration.language,
        }
        link = (registration.id, registration.token_version) if outcome.is_new else None
    # Signed after the commit: the seat lock is released by then, and the link is the same.
    if link is not None:
        body["manage_url"] = manage_url_at(*link)
    return body, 201 if outcome.is_new else 200


def _applicant(target: SignupTarget, data: dict[str, Any]) -> services.Applicant:
    errors: dict[str, Any] = {}
    try:
        email = normalise_email(data["email"])
    except EmailNotValidError:
        errors["email"] = [_("Enter a valid email address, like name@example.org.")]
        email = ""
    zone = (data.get("timezone") or "").strip() or target.series_timezone
    if not is_valid_zone(zone):
        errors["timezone"] = [_("Not a known time zone, e.g. Asia/Hong_Kong or Europe/London.")]
    if data.get("consent") is not True:
        errors["consent"] = [_("Consent to the privacy statement is required.")]
    answers: dict[str, Any] = {}
    try:
        answers = clean_answers(target.questions, data.get("answers") or {})
    except InvalidAnswers as exc:
        errors["answers"] = exc.errors
    if errors:
        _fail(UnprocessableEntity(), _("The registration is not valid."), errors)
    return services.Applicant(
        name=data["name"].strip(),
        email=email,
        timezone=zone,
        organisation=data.get("organisation", "").strip(),
        answers=answers,
        is_marketing_consent=bool(data.get("marketing_consent")),
        language=normalise(data.get("language")) or select_language(),
    )
