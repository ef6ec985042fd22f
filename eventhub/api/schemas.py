"""Marshmallow schemas: what the API accepts and returns (and what the OpenAPI document says)."""

from __future__ import annotations

import marshmallow as ma
from flask_babel import gettext as _
from marshmallow import fields, validate

from eventhub.i18n import LOCALES
from eventhub.inputs import Int32, MultiLine, SingleLine, StrictBoolean

ISO = {"description": "ISO 8601 with its UTC offset, e.g. 2027-03-12T14:30:00+08:00"}
# Each text people write has an optional Traditional Chinese version in `<field>_zh`.
ZH = {"description": "The Traditional Chinese version; empty when none was written."}
LANGUAGE = {
    "description": "The language of readers who state no preference: en or zh-Hant.",
    "enum": list(LOCALES),
}


class SpeakerOut(ma.Schema):
    slug = fields.String()
    name = fields.String(metadata={"description": "Honorific and full name."})
    honorific = fields.String()
    full_name = fields.String()
    position = fields.String()
    organisation = fields.String()
    short_bio = fields.String()
    name_zh = fields.String(metadata={"description": "The name in Chinese; empty when unknown."})
    short_bio_zh = fields.String(metadata=ZH)
    role = fields.String(metadata={"description": "speaker, panelist or moderator"})
    alternate_name = fields.String(metadata={"description": "The name in another script."})
    order = fields.Integer(metadata={"description": "Position on the session card, from 0."})
    photo_url = fields.String(
        allow_none=True, metadata={"description": "Absolute URL of the photo, or null."}
    )
    thumbnail_url = fields.String(
        allow_none=True, metadata={"description": "Absolute URL of a square thumbnail, or null."}
    )
    profile_url = fields.String(metadata={"description": "The public speaker page."})


class SessionOut(ma.Schema):
    id = fields.Integer()
    series_slug = fields.String()
    number = fields.Integer()
    title = fields.String()
    slug = fields.String()
    abstract = fields.String(metadata={"description": "Markdown."})
    title_zh = fields.String(metadata=ZH)
    abstract_zh = fields.String(metadata=ZH)
    status = fields.String(metadata={"description": "published, cancelled or ended"})
    status_reason = fields.String()
    timezone = fields.String(metadata={"description": "IANA zone the session is shown in."})
    starts_at = fields.String(metadata=ISO)
    ends_at = fields.String(metadata=ISO)
    starts_at_utc = fields.String(metadata=ISO)
    duration_minutes = fields.Integer()
    sequence = fields.Integer(metadata={"description": "iCalendar SEQUENCE; rises on change."})
    capacity = fields.Integer(allow_none=True)
    seats_left = fields.Integer(allow_none=True)
    waitlisted = fields.Integer()
    action = fields.String(
        metadata={"description": "register, waitlist, not_open_yet, closed, cancelled, past"}
    )
    registration_opens_at = fields.String(allow_none=True, metadata=ISO)
    registration_closes_at = fields.String(allow_none=True, metadata=ISO)
    requires_approval = fields.Boolean()
    has_recap = fields.Boolean()
    url = fields.String()
    ics_url = fields.String()
    speakers = fields.List(fields.Nested(SpeakerOut))


class SeriesSummaryOut(ma.Schema):
    slug = fields.String()
    title = fields.String()
    summary = fields.String()
    title_zh = fields.String(metadata=ZH)
    summary_zh = fields.String(metadata=ZH)
    default_language = fields.String(metadata=LANGUAGE)
    timezone = fields.String()
    url = fields.String()
    calendar_url = fields.String()


class SeriesOut(SeriesSummaryOut):
    sessions = fields.List(fields.Nested(SessionOut))


class SeriesListOut(ma.Schema):
    series = fields.List(fields.Nested(SeriesSummaryOut))


# --- organiser API ---------------------------------------------------------------------------


class SeriesIn(ma.Schema):
    title = SingleLine(required=True, validate=validate.Length(min=1, max=200))
    slug = SingleLine(
        load_default=None, metadata={"description": "Generated from the title when omitted."}
    )
    summary = MultiLine(load_default="")
    title_zh = SingleLine(load_default="", validate=validate.Length(max=200), metadata=ZH)
    summary_zh = MultiLine(load_default="", metadata=ZH)
    default_language = SingleLine(
        load_default="en", validate=validate.OneOf(list(LOCALES)), metadata=LANGUAGE
    )
    timezone = SingleLine(
        load_default=None,
        metadata={"description": "IANA zone name; the site's default zone when omitted."},
    )
    reminder_offsets_minutes = fields.List(
        Int32(strict=True),
        load_default=None,
        metadata={"description": "Minutes before each session; default [1440, 60]."},
    )
    follow_up_delay_minutes = Int32(strict=True, load_default=120)
    published = StrictBoolean(load_default=False)
    privacy_statement = MultiLine(load_default="")


class SeriesCreatedOut(ma.Schema):
    id = fields.Integer()
    slug = fields.String()
    title = fields.String()
    title_zh = fields.String(metadata=ZH)
    published = fields.Boolean()
    url = fields.String()


class SessionIn(ma.Schema):
    title = SingleLine(required=True, validate=validate.Length(min=1, max=200))
    starts_at = fields.AwareDateTime(format="iso", required=True, metadata=ISO)
    duration_minutes = Int32(strict=True, load_default=60)
    timezone = SingleLine(
        load_default=None, metadata={"description": "Defaults to the series' zone."}
    )
    number = Int32(strict=True, load_default=None)
    slug = SingleLine(load_default=None)
    abstract = MultiLine(load_default="")
    title_zh = SingleLine(load_default="", validate=validate.Length(max=200), metadata=ZH)
    abstract_zh = MultiLine(load_default="", metadata=ZH)
    join_url = SingleLine(load_default="")
    capacity = Int32(
        strict=True, allow_none=True, load_default=None, metadata={"description": "null: unlimited"}
    )
    registration_opens_at = fields.AwareDateTime(
        format="iso", allow_none=True, load_default=None, metadata=ISO
    )
    registration_closes_at = fields.AwareDateTime(
        format="iso", allow_none=True, load_default=None, metadata=ISO
    )
    requires_approval = StrictBoolean(load_default=False)
    join_url_only_in_reminders = StrictBoolean(load_default=False)


class SessionPatchIn(ma.Schema):
    """Any subset of the session fields; a changed `starts_at` or duration is a reschedule."""

    @ma.validates_schema
    def _not_empty(self, data: dict[str, object], **kwargs: object) -> None:
        if not data:
            raise ma.ValidationError(_("Send at least one field to change."))

    title = SingleLine(validate=validate.Length(min=1, max=200))
    starts_at = fields.AwareDateTime(format="iso", metadata=ISO)
    duration_minutes = Int32(strict=True)
    timezone = SingleLine()
    number = Int32(strict=True)
    slug = SingleLine()
    abstract = MultiLine()
    title_zh = SingleLine(validate=validate.Length(max=200), metadata=ZH)
    abstract_zh = MultiLine(metadata=ZH)
    join_url = SingleLine()
    capacity = Int32(strict=True, allow_none=True)
    registration_opens_at = fields.AwareDateTime(format="iso", allow_none=True, metadata=ISO)
    registration_closes_at = fields.AwareDateTime(format="iso", allow_none=True, metadata=ISO)
    requires_approval = StrictBoolean()
    join_url_only_in_reminders = StrictBoolean()
    reason = MultiLine(
        validate=validate.Length(max=2000),
        metadata={"description": "Why the time changed; sent to registrants on a reschedule."},
    )


class CancelIn(ma.Schema):
    reason = MultiLine(
        required=True,
        validate=validate.Length(min=1, max=2000),
        metadata={"description": "Sent to every registrant."},
    )


class WarningOut(ma.Schema):
    code = fields.String()
    message = fields.String()


class OrganiserSessionOut(SessionOut):
    join_url = fields.String()
    join_url_only_in_reminders = fields.Boolean()
    warnings = fields.List(
        fields.Nested(WarningOut),
        metadata={"description": "Conflicts worth a look (overlaps, past reminders, …)."},
    )
