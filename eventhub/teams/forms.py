"""Forms for the team pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from eventhub.accounts.forms import password_field
from eventhub.inputs import EventhubForm
from eventhub.teams.models import MemberRole

ROLE_CHOICES = [
    (MemberRole.VIEWER.value, _l("Viewer: reads the dashboard, registrants and exports")),
    (MemberRole.EDITOR.value, _l("Editor: also changes the programme, speakers, recaps and mail")),
    (MemberRole.OWNER.value, _l("Owner: also manages the team")),
]
# A role inside a sentence ("… is now editor of this series").
ROLE_NAMES = {
    MemberRole.VIEWER: _l("viewer"),
    MemberRole.EDITOR: _l("editor"),
    MemberRole.OWNER: _l("owner"),
}


class AddMemberForm(EventhubForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=320)])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, default=MemberRole.EDITOR.value)
    submit = SubmitField(_l("Add or invite"))


class RoleForm(EventhubForm):
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)


class AcceptForm(EventhubForm):
    """Set a password for a new organiser account (empty when joining as the logged-in user)."""

    display_name = StringField(_l("Your name"), validators=[Length(max=200)])
    password = password_field(_l("Password"))
    confirm = PasswordField(
        _l("Password again"),
        validators=[EqualTo("password", message=_l("The passwords differ."))],
    )
    submit = SubmitField(_l("Create my account and join"))
