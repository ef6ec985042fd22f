"""Login form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from eventhub.accounts.services import MAX_PASSWORD_LENGTH
from eventhub.inputs import EventhubForm


def password_field(label: str | LazyString, description: str | LazyString = "") -> PasswordField:
    """A password box: required, and no longer than any password may be."""
    return PasswordField(
        label,
        validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)],
        description=description,
    )


class LoginForm(EventhubForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=320)])
    password = password_field(_l("Password"))
    remember = BooleanField(_l("Keep me logged in on this device"))
    next = HiddenField()
    submit = SubmitField(_l("Log in"))


class CodeForm(EventhubForm):
    code = StringField(
        _l("Code"),
        validators=[DataRequired(), Length(max=40)],
        description=_l("The 6-digit code from your authenticator app, or a recovery code."),
    )
    submit = SubmitField(_l("Verify"))


class ResetRequestForm(EventhubForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=320)])
    submit = SubmitField(_l("Send me a link"))


class NewPasswordForm(EventhubForm):
    password = password_field(_l("New password"))
    confirm = PasswordField(
        _l("New password again"),
        validators=[EqualTo("password", message=_l("The passwords differ."))],
    )
    submit = SubmitField(_l("Set the new password"))
