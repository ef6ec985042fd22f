"""Activity entries in words: what each recorded action and changed column means to a reader.

An entry stores codes (the organiser endpoint that acted, or a fixed code such as
`privacy.retention`) and column names, because the API hands them out as a contract and
support searches by them. Pages show these labels instead, in the reader's language; the
code stays in a `title` attribute for support. tests/i18n/test_activity_labels.py fails
when an organiser route that the recorder can record has no label here.
"""

from __future__ import annotations

import re

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

ACTION_LABELS: dict[str, LazyString] = {
    # Series and webinars.
    "scheduling.series_new": _l("Created a series"),
    "scheduling.series_edit": _l("Edited the series"),
    "scheduling.series_duplicate": _l("Duplicated the series"),
    "scheduling.series_delete": _l("Deleted the series"),
    "scheduling.session_new": _l("Added a webinar"),
    "scheduling.session_edit": _l("Edited a webinar"),
    "scheduling.session_publish": _l("Published a webinar"),
    "scheduling.session_reschedule": _l("Rescheduled a webinar"),
    "scheduling.session_cancel": _l("Cancelled a webinar"),
    "scheduling.session_end": _l("Marked a webinar as ended"),
    "scheduling.session_delete": _l("Deleted a webinar"),
    "api_organiser.create_series": _l("Created a series (API)"),
    "api_organiser.create_session": _l("Added a webinar (API)"),
    "api_organiser.update_session": _l("Edited a webinar (API)"),
    "api_organiser.publish_session": _l("Published a webinar (API)"),
    "api_organiser.cancel_session": _l("Cancelled a webinar (API)"),
    # Speakers.
    "speakers.organiser_new": _l("Added a speaker"),
    "speakers.organiser_edit": _l("Edited a speaker"),
    "speakers.organiser_photo": _l("Changed a speaker's photo"),
    "speakers.organiser_photo_delete": _l("Removed a speaker's photo"),
    "speakers.organiser_invite": _l("Invited a speaker to edit their profile"),
    "speakers.organiser_resend": _l("Re-sent a speaker invitation"),
    "speakers.organiser_revoke": _l("Withdrew a speaker invitation"),
    "speakers.organiser_delete": _l("Deleted a speaker"),
    "speakers.session_speakers_add": _l("Added a speaker to a webinar"),
    "speakers.session_speakers_order": _l("Reordered a webinar's speakers"),
    "speakers.session_speakers_remove": _l("Removed a speaker from a webinar"),
    # Team and accounts.
    "teams.members": _l("Invited a team member"),
    "teams.change_role": _l("Changed a member's role"),
    "teams.remove_member": _l("Removed a team member"),
    "teams.revoke_invitation": _l("Withdrew a team invitation"),
    "teams.disable_account": _l("Disabled an account"),
    "teams.enable_account": _l("Enabled an account"),
    "api_teams.add_member": _l("Added a team member (API)"),
    "api_teams.remove_member": _l("Removed a team member (API)"),
    # One's own sign-in: the pages that change it, and the entries they write.
    "security.two_factor": _l("Set up two-factor sign-in"),
    "security.two_factor_start": _l("Started setting up two-factor sign-in"),
    "security.two_factor_disable": _l("Turned off two-factor sign-in"),
    "security.recovery_codes": _l("Made new recovery codes"),
    "security.tokens": _l("Created an API token"),
    "security.enable_totp": _l("Two-factor sign-in turned on"),
    "security.disable_totp": _l("Two-factor sign-in turned off"),
    "security.regenerate_recovery_codes": _l("New recovery codes made"),
    "accounts.use_recovery_code": _l("Logged in with a recovery code"),
    "security.create_token": _l("API token created"),
    "security.revoke_token": _l("API token revoked"),
    # At the shell (nobody signed in).
    "cli.create_token": _l("API token created at the command line"),
    "cli.revoke_tokens": _l("API tokens revoked at the command line"),
    "cli.reset_second_factor": _l("Two-factor sign-in reset at the command line"),
    # Personal data.
    "privacy.organiser_erase": _l("Erased a person's data"),
    "privacy.erased_by_attendee": _l("An attendee erased their data"),
    "privacy.erased_by_organiser": _l("An organiser erased a person's data"),
    "privacy.retention": _l("Old registrations erased (retention period)"),
    # Recaps.
    "recap_editor.edit": _l("Edited a recap"),
    "recap_editor.add_section": _l("Added a recap section"),
    "recap_editor.edit_section": _l("Edited a recap section"),
    "recap_editor.delete_item": _l("Removed an item from a recap"),
    "recap_editor.move_item": _l("Moved an item in a recap"),
    "recap_editor.add_quote": _l("Added a quote to a recap"),
    "recap_editor.add_photo": _l("Added a photo to a recap"),
    "recap_editor.photo_caption": _l("Changed a photo caption"),
    "recap_editor.publish": _l("Published a recap"),
    "recap_editor.unpublish": _l("Unpublished a recap"),
    # Registrants.
    "registration_admin.session_export": _l("Exported a webinar's registrants"),
    "registration_admin.series_export": _l("Exported the registrants"),
    "registration_admin.capacity": _l("Changed the capacity"),
    "registration_admin.approve": _l("Approved a registration"),
    "registration_admin.decline": _l("Declined a registration"),
    "registration_admin.cancel": _l("Cancelled a registration"),
    "registration_admin.mark_attendance": _l("Marked attendance"),
    "registration_admin.bulk": _l("Changed several registrations"),
    "registration_admin.import_attendance": _l("Imported attendance"),
    "registration_questions.index": _l("Added a registration question"),
    "registration_questions.edit": _l("Edited a registration question"),
    "registration_questions.move": _l("Moved a registration question"),
    "registration_questions.delete": _l("Deleted a registration question"),
    # Mail.
    "mail.retry_message": _l("Retried a message"),
    "mail.retry_failed": _l("Retried the failed messages"),
    "mail.announce": _l("Sent an announcement"),
}

# What the changed thing is: the recorder names a row "<Model> <id>" (models.py class names).
MODEL_LABELS: dict[str, LazyString] = {
    "Series": _l("Series"),
    "Session": _l("Webinar"),
    "Registration": _l("Registration"),
    "SeriesRegistration": _l("Series registration"),
    "RegistrationQuestion": _l("Question"),
    "SessionSpeaker": _l("Speaker"),
    "Membership": _l("Member"),
    "MemberInvitation": _l("Team invitation"),
    "OutboxMessage": _l("Message"),
    "Recap": _l("Recap"),
    "RecapSection": _l("Recap section"),
    "RecapQuote": _l("Quote"),
    "RecapPhoto": _l("Photo"),
    "Unsubscribe": _l("Unsubscribe"),
}

# Changed columns, and the keys of entries written outside the recorder.
FIELD_LABELS: dict[str, LazyString] = {
    "title": _l("Title"),
    "title_zh": _l("Title (Chinese)"),
    "summary": _l("Summary"),
    "summary_zh": _l("Summary (Chinese)"),
    "abstract": _l("Abstract"),
    "abstract_zh": _l("Abstract (Chinese)"),
    "slug": _l("Web address"),
    "number": _l("Number"),
    "starts_at": _l("Starts"),
    "duration_minutes": _l("Duration (minutes)"),
    "timezone": _l("Time zone"),
    "join_url": _l("Join link"),
    "is_join_url_hidden_until_reminder": _l("Join link hidden until the reminder"),
    "capacity": _l("Capacity"),
    "registration_opens_at": _l("Registration opens"),
    "registration_closes_at": _l("Registration closes"),
    "requires_approval": _l("Approval needed"),
    "seat_offer_hours": _l("Hours to take up a seat"),
    "seats_held": _l("Seats taken"),
    "waitlisted_count": _l("On the waitlist"),
    "reminder_offsets_minutes": _l("Reminders"),
    "follow_up_delay_minutes": _l("Follow-up delay (minutes)"),
    "status": _l("Status"),
    "status_reason": _l("Reason"),
    "sequence": _l("Calendar revision"),
    "rescheduled_at": _l("Rescheduled"),
    "published_at": _l("Published"),
    "cancelled_at": _l("Cancelled"),
    "is_published": _l("Published"),
    "default_language": _l("Default language"),
    "banner_path": _l("Banner"),
    "privacy_statement": _l("Privacy statement"),
    "email": _l("Email"),
    "name": _l("Name"),
    "organisation": _l("Organisation"),
    "language": _l("Language"),
    "answers": _l("Answers"),
    "cancel_reason": _l("Reason"),
    "confirmed_at": _l("Confirmed"),
    "waitlisted_at": _l("Waitlisted"),
    "offer_expires_at": _l("Seat offer expires"),
    "attended_at": _l("Attended"),
    "is_attended": _l("Attended"),
    "role": _l("Role"),
    "position": _l("Order"),
    "label": _l("Label"),
    "help_text": _l("Help text"),
    "kind": _l("Kind"),
    "choices": _l("Choices"),
    "is_required": _l("Required"),
    "headline": _l("Headline"),
    "headline_zh": _l("Headline (Chinese)"),
    "lead": _l("Introduction"),
    "lead_zh": _l("Introduction (Chinese)"),
    "body_markdown": _l("Text"),
    "body_markdown_zh": _l("Text (Chinese)"),
    "heading": _l("Heading"),
    "heading_zh": _l("Heading (Chinese)"),
    "text": _l("Text"),
    "text_zh": _l("Text (Chinese)"),
    "caption": _l("Caption"),
    "recording_url": _l("Recording link"),
    "slides_url": _l("Slides link"),
    "used_at": _l("Used"),
    "revoked_at": _l("Withdrawn"),
    "expires_at": _l("Expires"),
    "subject": _l("Subject"),
    "attempts": _l("Attempts"),
    "due_at": _l("Due"),
    "last_error": _l("Last error"),
    "sent_at": _l("Sent"),
    # Entries written outside the recorder (exports, erasure, account changes).
    "query": _l("Filter"),
    "registrations anonymised": _l("Registrations anonymised"),
    "enabled": _l("Turned on"),
    "revoked": _l("Revoked"),
    "scope": _l("Scope"),
    "expires_days": _l("Expires in (days)"),
    "codes_left": _l("Recovery codes left"),
}

# The recorder's markers for a row added or removed by the action.
VALUE_LABELS: dict[str, LazyString] = {
    "created": _l("created"),
    "existed": _l("existed"),
}

_ROW = re.compile(r"^(?P<model>[A-Z][A-Za-z]*)(?: (?P<id>\d+))?(?: (?P<column>\w+))?$")


def _humanised(code: str) -> str:
    return code.replace("_", " ").replace(".", ": ").strip().capitalize()


def action_label(code: str) -> str:
    """The reader's words for an action code; an unknown code (an old route) humanised."""
    label = ACTION_LABELS.get(code)
    return str(label) if label is not None else _humanised(code)


def field_label(column: str) -> str:
    label = FIELD_LABELS.get(column)
    return str(label) if label is not None else _humanised(column)


def change_label(key: str) -> str:
    """A key of `entry.changes` in words: “Session 4 title” → “Webinar 4 · Title”."""
    match = _ROW.match(key)
    if match is None or (match["model"] not in MODEL_LABELS and match["id"] is None):
        return field_label(key)
    model = MODEL_LABELS.get(match["model"])
    words = str(model) if model is not None else _humanised(match["model"])
    if match["id"] is not None:
        words = f"{words} {match['id']}"
    if match["column"] is not None:
        words = f"{words} · {field_label(match['column'])}"
    return words


def change_value(value: object) -> str:
    """A before/after value as shown: a dash for none, yes/no, the recorder's markers in words."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(_l("Yes") if value else _l("No"))
    if isinstance(value, str) and value in VALUE_LABELS:
        return str(VALUE_LABELS[value])
    return str(value)
