"""Login form."""

from __future__ import annotations

from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from eventhub.inputs import EventhubForm


class LoginForm(EventhubForm):
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=320)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
    remember = BooleanField("Keep me logged in on this device")
    next = HiddenField()
    submit = SubmitField("Log in")


class ResetRequestForm(EventhubForm):
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=320)])
    submit = SubmitField("Send me a link")


class NewPasswordForm(EventhubForm):
    password = PasswordField("New password", validators=[DataRequired(), Length(max=200)])
    confirm = PasswordField(
        "New password again", validators=[EqualTo("password", message="The passwords differ.")]
    )
    submit = SubmitField("Set the new password")
