"""The organiser's erasure form."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, Field
from wtforms.validators import DataRequired, Length, ValidationError

from eventhub.inputs import EventhubForm


class ErasureForm(EventhubForm):
    email = EmailField(
        _l("Email address of the person"),
        validators=[DataRequired(_l("Enter the address to erase.")), Length(max=320)],
    )
    confirm = BooleanField(
        _l("I understand that this cannot be undone."),
        validators=[DataRequired(_l("Tick the box to confirm the erasure."))],
    )

    def validate_email(self, field: Field) -> None:
        try:
            validate_email((field.data or "").strip(), check_deliverability=False)
        except EmailNotValidError as exc:
            raise ValidationError(_l("Enter a valid email address.")) from exc
