"""Organiser forms for series and sessions; times are entered on the wall clock of a zone."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_wtf.file import FileAllowed, FileField
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    Field,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    URL,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from eventhub.i18n import NATIVE_NAMES
from eventhub.inputs import EventhubForm
from eventhub.refusal import GENERAL, Refusal
from eventhub.scheduling.models import TITLE_MAX
from eventhub.scheduling.slugs import MAX_SLUG
from eventhub.scheduling.zones import LocalTimeProblem, WallClock, ambiguity_choices, to_utc
from eventhub.timefmt import zone_choices

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
_OFFSET = re.compile(r"^\s*(\d+)\s*(d|h|m|min|minutes?|hours?|days?)?\s*$", re.IGNORECASE)
_UNIT_MINUTES = {"d": 1440, "h": 60, "m": 1}


def parse_offsets(raw: str) -> list[int]:
    """'24h, 1h, 30m' → [1440, 60, 30]; bare numbers are minutes."""
    minutes = []
    for part in filter(None, (p.strip() for p in raw.split(","))):
        match = _OFFSET.match(part)
        if match is None:
            raise ValueError(_("“%(part)s” is not a duration like 24h, 1h or 30m.", part=part))
        unit = (match.group(2) or "m")[0].lower()
        minutes.append(int(match.group(1)) * _UNIT_MINUTES[unit])
    return minutes


def format_offsets(minutes: list[int]) -> str:
    parts = []
    for value in sorted(minutes, reverse=True):
        if value % 1440 == 0:
            parts.append(f"{value // 1440}d")
        elif value % 60 == 0:
            parts.append(f"{value // 60}h")
        else:
            parts.append(f"{value}m")
    return ", ".join(parts)


def options(pairs: list[tuple[Any, str]]) -> list[SelectChoice]:
    return [SelectChoice(value=value, label=label) for value, label in pairs]


def _zone_field(label: LazyString, description: LazyString | str = "") -> SelectField:
    return SelectField(
        label,
        choices=options([(z, z.replace("_", " ")) for z in zone_choices()]),
        validators=[DataRequired()],
        description=description,
    )


def _title_field() -> StringField:
    """A series' or session's title: required, as long as the column allows."""
    return StringField(_l("Title"), validators=[DataRequired(), Length(max=TITLE_MAX)])


def _title_zh_field(description: LazyString | str = "") -> StringField:
    return StringField(
        _l("Title in Traditional Chinese"),
        validators=[Optional(), Length(max=TITLE_MAX)],
        description=description,
    )


def _slug_field(description: LazyString) -> StringField:
    """The part of the page address; the services make one from the title when it is empty."""
    return StringField(
        _l("Web address"), validators=[Optional(), Length(max=MAX_SLUG)], description=description
    )


class ErrorsOnFields:
    """Put a service's field errors onto the matching form fields."""

    # Service field name → form field name where they differ.
    FIELD_MAP: dict[str, str] = {}
    general_errors: list[str]

    def show_errors(self, error: Refusal) -> None:
        self.general_errors = []
        if not error.field_errors:
            self.general_errors.append(error.summary())
        for name, messages in error.field_errors.items():
            field = getattr(self, self.FIELD_MAP.get(name, name), None)
            if isinstance(field, Field) and name != GENERAL:
                field.errors = [*field.errors, *messages]
            else:
                self.general_errors.extend(messages)


class SeriesForm(ErrorsOnFields, EventhubForm):
    title = _title_field()
    slug = _slug_field(_l("Part of the page address. Leave empty to make one from the title."))
    summary = TextAreaField(
        _l("Summary"), description=_l("Shown at the top of the series page. Markdown allowed.")
    )
    title_zh = _title_zh_field(
        _l("Optional. Chinese readers see it; either language falls back to the other.")
    )
    summary_zh = TextAreaField(_l("Summary in Traditional Chinese"), description=_l("Optional."))
    default_language = SelectField(
        _l("Default language"),
        choices=[SelectChoice(tag, name) for tag, name in NATIVE_NAMES.items()],
        default="en",
        description=_l("For readers whose browser asks for neither language and who chose none."),
    )
    timezone = _zone_field(
        _l("Time zone"), _l("Sessions are shown in this zone unless they say otherwise.")
    )
    reminder_offsets = StringField(
        _l("Reminders before each session"),
        default="24h, 1h",
        description=_l("Comma-separated, e.g. 24h, 1h or 30m. Leave empty for no reminders."),
    )
    follow_up_delay_minutes = IntegerField(
        _l("Follow-up delay (minutes)"),
        default=120,
        validators=[InputRequired(), NumberRange(min=0, max=60 * 24 * 14)],
        description=_l("How long after a session ends the thank-you email goes out."),
    )
    banner = FileField(
        _l("Banner image"),
        validators=[
            FileAllowed(["jpg", "jpeg", "png", "webp"], _l("Use a JPEG, PNG or WebP image."))
        ],
        description=_l("Wide image shown on the series page (at least 1200 px wide looks best)."),
    )
    remove_banner = BooleanField(_l("Remove the current banner"))
    is_published = BooleanField(_l("Published (the series page is public)"))
    privacy_statement = TextAreaField(
        _l("Privacy statement"), description=_l("Shown beside the registration form.")
    )

    FIELD_MAP = {"reminder_offsets_minutes": "reminder_offsets"}

    def validate_reminder_offsets(self, field: StringField) -> None:
        try:
            parse_offsets(field.data or "")
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc

    def offsets(self) -> list[int]:
        return parse_offsets(self.reminder_offsets.data or "")


class LocalTimes:
    """Turn wall-clock fields into UTC; a DST gap is refused, an overlap asks which one."""

    timezone: SelectField
    ambiguous: list[str]

    def moment(self, name: str, required: bool) -> datetime | None:
        field: DateTimeLocalField = getattr(self, name)
        fold_field: RadioField = getattr(self, f"{name}_fold")
        naive = field.data
        if naive is None:
            if required:
                field.errors = [*field.errors, _("Give a date and time.")]
            return None
        choice = WallClock(fold_field.data) if fold_field.data else None
        try:
            return to_utc(naive, self.timezone.data or "UTC", choice)
        except LocalTimeProblem as problem:
            field.errors = [*field.errors, str(problem)]
            if problem.ambiguous:
                fold_field.choices = options(ambiguity_choices(naive, self.timezone.data or "UTC"))
                self.ambiguous = [*getattr(self, "ambiguous", []), name]
            return None


def _fold_field() -> RadioField:
    # Only shown when the reading is ambiguous; choices are filled in then.
    return RadioField(
        _l("Which one?"),
        choices=options([(c.value, c.value) for c in WallClock]),
        validators=[Optional()],
        validate_choice=False,
    )


def _wall_clock_fields(
    label: LazyString, description: LazyString | str = ""
) -> tuple[DateTimeLocalField, RadioField]:
    """A time read on the wall clock of the form's zone, and its `_fold` companion that asks
    which one is meant when the clock shows that reading twice (see `LocalTimes.moment`)."""
    return (
        DateTimeLocalField(
            label, format=LOCAL_FORMAT, validators=[Optional()], description=description
        ),
        _fold_field(),
    )


class SessionForm(ErrorsOnFields, LocalTimes, EventhubForm):
    number = IntegerField(
        _l("Number in the series"),
        validators=[Optional(), NumberRange(min=1, max=999)],
        description=_l("“Webinar 3”. Leave empty for the next number."),
    )
    title = _title_field()
    slug = _slug_field(_l("Leave empty to make one from the title."))
    abstract = TextAreaField(
        _l("Abstract"), description=_l("Markdown allowed; shown on the session page.")
    )
    title_zh = _title_zh_field()
    abstract_zh = TextAreaField(_l("Abstract in Traditional Chinese"), description=_l("Optional."))
    starts_at, starts_at_fold = _wall_clock_fields(_l("Starts"))
    timezone = _zone_field(_l("Time zone of the start time"))
    duration_minutes = IntegerField(
        _l("Duration (minutes)"),
        default=60,
        validators=[InputRequired(), NumberRange(min=1, max=1440)],
    )
    join_url = URLField(
        _l("Online join link"),
        validators=[
            Optional(),
            URL(require_tld=False, message=_l("Give the full link, https://…")),
            Length(max=500),
        ],
    )
    is_join_url_hidden_until_reminder = BooleanField(
        _l("Send the join link only in reminders, not in the confirmation")
    )
    capacity = IntegerField(
        _l("Capacity"),
        validators=[Optional(), NumberRange(min=0, message=_l("Capacity cannot be negative."))],
        description=_l("Leave empty for unlimited seats; people beyond it join the waitlist."),
    )
    registration_opens_at, registration_opens_at_fold = _wall_clock_fields(
        _l("Registration opens"), _l("Empty: open as soon as the session is published.")
    )
    registration_closes_at, registration_closes_at_fold = _wall_clock_fields(
        _l("Registration closes"), _l("Empty: open until the session ends.")
    )
    requires_approval = BooleanField(_l("Registrations need my approval"))

    def __init__(self, *args: Any, time_locked: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A published session keeps its time here; it moves only through "Reschedule".
        self.time_locked = time_locked
        self.ambiguous = []

    def moments(self) -> dict[str, datetime | None]:
        return {
            "starts_at": self.moment("starts_at", required=not self.time_locked),
            "registration_opens_at": self.moment("registration_opens_at", required=False),
            "registration_closes_at": self.moment("registration_closes_at", required=False),
        }


def _reason_field(label: LazyString, description: LazyString) -> TextAreaField:
    """Why a published session changes: required, since every registrant reads it."""
    return TextAreaField(
        label,
        validators=[
            DataRequired(message=_l("Say why; registrants will read it.")),
            Length(max=2000),
        ],
        description=description,
    )


class RescheduleForm(ErrorsOnFields, LocalTimes, EventhubForm):
    starts_at, starts_at_fold = _wall_clock_fields(_l("New start"))
    timezone = _zone_field(_l("Time zone of the new start"))
    duration_minutes = IntegerField(
        _l("Duration (minutes)"), validators=[InputRequired(), NumberRange(min=1, max=1440)]
    )
    reason = _reason_field(
        _l("Why the time changes"),
        _l("Sent to every registrant with the updated calendar invite."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ambiguous = []


class CancelForm(ErrorsOnFields, EventhubForm):
    reason = _reason_field(
        _l("Why the session is cancelled"),
        _l("Sent to every registrant with a calendar cancellation."),
    )
    confirm = BooleanField(
        _l("Yes, cancel this session and tell everyone registered"),
        validators=[DataRequired(message=_l("Tick the box to confirm."))],
    )


class PublishForm(EventhubForm):
    confirm = BooleanField(_l("I have read the warnings; publish anyway"))


class ConfirmForm(EventhubForm):
    """An empty form: its only job is the CSRF token on a destructive POST."""
