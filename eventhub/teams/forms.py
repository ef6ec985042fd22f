"""Forms for the team pages."""

from __future__ import annotations

from wtforms import EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from eventhub.inputs import EventhubForm
from eventhub.teams.models import MemberRole

ROLE_CHOICES = [
    (MemberRole.VIEWER.value, "Viewer: reads the dashboard, registrants and exports"),
    (MemberRole.EDITOR.value, "Editor: also changes the programme, speakers, recaps and mail"),
    (MemberRole.OWNER.value, "Owner: also manages the team"),
]


class AddMemberForm(EventhubForm):
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=320)])
    role = SelectField("Role", choices=ROLE_CHOICES, default=MemberRole.EDITOR.value)
    submit = SubmitField("Add or invite")


class RoleForm(EventhubForm):
    role = SelectField("Role", choices=ROLE_CHOICES)


class AcceptForm(EventhubForm):
    """Set a password for a new organiser account (empty when joining as the logged-in user)."""

    display_name = StringField("Your name", validators=[Length(max=200)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
    confirm = PasswordField(
        "Password again", validators=[EqualTo("password", message="The passwords differ.")]
    )
    submit = SubmitField("Create my account and join")
