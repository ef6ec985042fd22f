"""Forms of the account security pages."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from eventhub.accounts.forms import password_field
from eventhub.accounts.models import TokenScope
from eventhub.inputs import EventhubForm

ON_A_DATE = "date"


class TokenForm(EventhubForm):
    name = StringField(
        _l("Token name"),
        validators=[DataRequired(), Length(max=100)],
        description=_l("What the token is for, e.g. “registrations export script”."),
    )
    scope = SelectField(
        _l("Scope"),
        choices=[
            SelectChoice(TokenScope.READ.value, _l("Read: look only (GET calls)")),
            SelectChoice(TokenScope.WRITE.value, _l("Write: everything your roles allow")),
        ],
        default=TokenScope.READ.value,
    )
    expires = SelectField(
        _l("Expires"),
        choices=[
            SelectChoice("30", _l("in 30 days")),
            SelectChoice("90", _l("in 90 days")),
            SelectChoice("365", _l("in 365 days")),
            SelectChoice(ON_A_DATE, _l("on the date below")),
        ],
        default="90",
    )
    expires_on = DateField(_l("Expiry date"), validators=[Optional()])
    submit = SubmitField(_l("Create token"))

    def validate_expires_on(self, field: Any) -> None:
        if self.expires.data != ON_A_DATE:
            return
        if field.data is None:
            raise ValidationError(_l("Choose the date the token stops working."))
        if not isinstance(field.data, date):
            raise ValidationError(_l("Not a valid date."))


class EnrolForm(EventhubForm):
    code = StringField(
        _l("Code from the app"),
        validators=[DataRequired(), Length(max=10)],
        description=_l("Enter the 6-digit code your app shows now, to prove it is set up."),
    )
    submit = SubmitField(_l("Turn on two-factor sign-in"))


class DisableForm(EventhubForm):
    proof = password_field(
        _l("Current code or password"), _l("A code from your authenticator app, or your password.")
    )
    submit = SubmitField(_l("Turn off two-factor sign-in"))
