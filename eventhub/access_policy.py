"""Who may reach each organiser page and API call: the whole policy in one table.

Roles: a viewer reads (dashboard, registrants, exports); an editor also changes the programme,
speakers, recaps, registrations and mail; an owner also manages the members. Message bodies
carry attendees' manage links, so reading them is an editor's right. An endpoint under
/organiser/ or /api/v1/ that is missing here is refused to everyone (see `access.enforce`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from eventhub.extensions import db
from eventhub.mail.models import OutboxMessage
from eventhub.registration.models import Registration, RegistrationQuestion
from eventhub.scheduling.models import Series, Session
from eventhub.teams.access import Need, Resolver, Rule, resolver
from eventhub.teams.models import MemberInvitation

PUBLIC, ORGANISER, CONTRIBUTOR = Need.PUBLIC, Need.ORGANISER, Need.CONTRIBUTOR
READ, WRITE, MANAGE, ADMIN = Need.READ, Need.WRITE, Need.MANAGE, Need.ADMIN

NEEDS: dict[str, Rule] = {
    # Lists: any organiser; each shows only the series they belong to.
    "attention.home": ORGANISER,
    "scheduling.series_index": ORGANISER,
    "registration_admin.index": ORGANISER,
    "mail.index": ORGANISER,
    "mail.messages": ORGANISER,
    "recap_editor.index": ORGANISER,
    "scheduling.series_new": ORGANISER,  # the creator becomes the owner
    # The shared speaker directory: profiles are public material, changed by contributors.
    "speakers.organiser_list": ORGANISER,
    "speakers.organiser_show": ORGANISER,
    "speakers.organiser_new": CONTRIBUTOR,
    "speakers.organiser_edit": CONTRIBUTOR,
    "speakers.organiser_photo": CONTRIBUTOR,
    "speakers.organiser_photo_delete": CONTRIBUTOR,
    "speakers.organiser_invite": CONTRIBUTOR,
    "speakers.organiser_resend": CONTRIBUTOR,
    "speakers.organiser_revoke": CONTRIBUTOR,
    "speakers.organiser_delete": CONTRIBUTOR,
    # Series and sessions.
    "scheduling.series_show": READ,
    "scheduling.series_edit": WRITE,
    "scheduling.series_duplicate": WRITE,
    "scheduling.series_delete": MANAGE,
    "scheduling.session_new": WRITE,
    "scheduling.session_show": READ,
    "scheduling.session_edit": WRITE,
    "scheduling.session_publish": WRITE,
    "scheduling.session_reschedule": WRITE,
    "scheduling.session_cancel": WRITE,
    "scheduling.session_end": WRITE,
    "scheduling.session_delete": WRITE,
    "speakers.session_speakers": READ,
    "speakers.session_speakers_add": WRITE,
    "speakers.session_speakers_order": WRITE,
    "speakers.session_speakers_remove": WRITE,
    # Teams and accounts.
    "teams.members": (READ, MANAGE),
    "teams.change_role": MANAGE,
    "teams.remove_member": MANAGE,
    "teams.revoke_invitation": MANAGE,
    "teams.accounts_page": ADMIN,
    "teams.disable_account": ADMIN,
    "teams.enable_account": ADMIN,
    "api_teams.list_members": READ,
    "api_teams.add_member": MANAGE,
    "api_teams.remove_member": MANAGE,
    # One's own sign-in: every organiser, about their own account only (the views look up
    # tokens among the caller's own).
    "security.overview": ORGANISER,
    "security.two_factor": ORGANISER,
    "security.two_factor_start": ORGANISER,
    "security.two_factor_disable": ORGANISER,
    "security.recovery_codes": ORGANISER,
    "security.tokens": ORGANISER,
    "security.revoke_token": ORGANISER,
    "activity.series_activity": READ,
    "api_activity.list_activity": READ,
    # Erasing a person: the page acts only in the series the caller owns (admins: all).
    "privacy.organiser_erase": ORGANISER,
    # Recaps.
    "recap_editor.edit": WRITE,
    "recap_editor.add_section": WRITE,
    "recap_editor.edit_section": WRITE,
    "recap_editor.delete_item": WRITE,
    "recap_editor.move_item": WRITE,
    "recap_editor.add_quote": WRITE,
    "recap_editor.add_photo": WRITE,
    "recap_editor.photo_caption": WRITE,
    "recap_editor.preview": READ,
    "recap_editor.publish": WRITE,
    "recap_editor.unpublish": WRITE,
    # Registrants.
    "registration_admin.session_registrants": READ,
    "registration_admin.series_registrants": READ,
    "registration_admin.session_export": READ,
    "registration_admin.series_export": READ,
    "registration_admin.capacity": WRITE,
    "registration_admin.approve": WRITE,
    "registration_admin.decline": WRITE,
    "registration_admin.cancel": WRITE,
    "registration_admin.mark_attendance": WRITE,
    "registration_admin.bulk": WRITE,
    "registration_admin.import_attendance": WRITE,
    "registration_questions.index": WRITE,
    "registration_questions.edit": WRITE,
    "registration_questions.move": WRITE,
    "registration_questions.delete": WRITE,
    # Mail.
    "mail.series": READ,
    "mail.session": READ,
    "mail.message": WRITE,
    "mail.message_html": WRITE,
    "mail.retry_message": WRITE,
    "mail.retry_failed": WRITE,
    "mail.announce": WRITE,
    # The development mailbox holds every message of the installation.
    "mailbox.index": ADMIN,
    "mailbox.show": ADMIN,
    "mailbox.html": ADMIN,
    "mailbox.attachment": ADMIN,
    # The API. The programme reads and registration are public; an organiser token on
    # GET /sessions/<id> is checked by the view (the organiser form of a session).
    "api_programme.list_series": PUBLIC,
    "api_programme.get_series": PUBLIC,
    "api_programme.get_session": PUBLIC,
    "registration_api.create_registration": PUBLIC,
    "api_organiser.create_series": ORGANISER,
    "api_organiser.create_session": WRITE,
    "api_organiser.update_session": WRITE,
    "api_organiser.publish_session": WRITE,
    "api_organiser.cancel_session": WRITE,
    "api_registrations.list_registrations": READ,
    # flask-smorest's OpenAPI document.
    "api-docs.openapi_json": PUBLIC,
}


def _series_of(kind: type[Session | RegistrationQuestion | MemberInvitation]) -> Resolver:
    """The series of the `kind` row an id in the URL names."""

    def resolve(value: int) -> int | None:
        row: Any = db.session.get(kind, value)
        return None if row is None else int(row.series_id)

    return resolve


# Rows that hold their series' id; each id in a URL resolves the same way.
for _name, _kind in (
    ("session_id", Session),
    ("question_id", RegistrationQuestion),
    ("invitation_id", MemberInvitation),
):
    resolver(_name)(_series_of(_kind))


@resolver("series_id")
def _series(value: int) -> int | None:
    return value if db.session.get(Series, value) is not None else None


@resolver("slug")
def _series_by_slug(value: str) -> int | None:
    return db.session.scalar(select(Series.id).where(Series.slug == value))


@resolver("registration_id")
def _registration(value: int) -> int | None:
    registration = db.session.get(Registration, value)
    return None if registration is None else registration.session.series_id


@resolver("message_id")
def _message(value: int) -> int | None:
    message = db.session.get(OutboxMessage, value)
    if message is None:
        return None
    if message.series_id is not None:
        return message.series_id
    if message.session_id is not None:
        return _series_of(Session)(message.session_id)
    return None  # mail about no series (a speaker invitation): admins only
