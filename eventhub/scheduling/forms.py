"""Organiser forms for series and sessions; times are entered on the wall clock of a zone."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

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
            raise ValueError(f"“{part}” is not a duration like 24h, 1h or 30m.")
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


def _zone_field(label: str, description: str = "") -> SelectField:
    return SelectField(
        label,
        choices=options([(z, z.replace("_", " ")) for z in zone_choices()]),
        validators=[DataRequired()],
        description=description,
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
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    slug = StringField(
        "Web address",
        validators=[Optional(), Length(max=80)],
        description="Part of the page address. Leave empty to make one from the title.",
    )
    summary = TextAreaField(
        "Summary", description="Shown at the top of the series page. Markdown allowed."
    )
    title_zh = StringField(
        "Title in Traditional Chinese",
        validators=[Optional(), Length(max=200)],
        description="Optional. Chinese readers see it; either language falls back to the other.",
    )
    summary_zh = TextAreaField("Summary in Traditional Chinese", description="Optional.")
    default_language = SelectField(
        "Default language",
        choices=[SelectChoice(tag, name) for tag, name in NATIVE_NAMES.items()],
        default="en",
        description="For readers whose browser asks for neither language and who chose none.",
    )
    timezone = _zone_field(
        "Time zone", "Sessions are shown in this zone unless they say otherwise."
    )
    reminder_offsets = StringField(
        "Reminders before each session",
        default="24h, 1h",
        description="Comma-separated, e.g. 24h, 1h or 30m. Leave empty for no reminders.",
    )
    follow_up_delay_minutes = IntegerField(
        "Follow-up delay (minutes)",
        default=120,
        validators=[InputRequired(), NumberRange(min=0, max=60 * 24 * 14)],
        description="How long after a session ends the thank-you email goes out.",
    )
    banner = FileField(
        "Banner image",
        validators=[FileAllowed(["jpg", "jpeg", "png", "webp"], "Use a JPEG, PNG or WebP image.")],
        description="Wide image shown on the series page (at least 1200 px wide looks best).",
    )
    remove_banner = BooleanField("Remove the current banner")
    is_published = BooleanField("Published (the series page is public)")
    privacy_statement = TextAreaField(
        "Privacy statement", description="Shown beside the registration form."
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
                field.errors = [*field.errors, "Give a date and time."]
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
        "Which one?",
        choices=options([(c.value, c.value) for c in WallClock]),
        validators=[Optional()],
        validate_choice=False,
    )


class SessionForm(ErrorsOnFields, LocalTimes, EventhubForm):
    number = IntegerField(
        "Number in the series",
        validators=[Optional(), NumberRange(min=1, max=999)],
        description="“Webinar 3”. Leave empty for the next number.",
    )
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    slug = StringField(
        "Web address",
        validators=[Optional(), Length(max=80)],
        description="Leave empty to make one from the title.",
    )
    abstract = TextAreaField("Abstract", description="Markdown allowed; shown on the session page.")
    title_zh = StringField("Title in Traditional Chinese", validators=[Optional(), Length(max=200)])
    abstract_zh = TextAreaField("Abstract in Traditional Chinese", description="Optional.")
    starts_at = DateTimeLocalField("Starts", format=LOCAL_FORMAT, validators=[Optional()])
    starts_at_fold = _fold_field()
    timezone = _zone_field("Time zone of the start time")
    duration_minutes = IntegerField(
        "Duration (minutes)",
        default=60,
        validators=[InputRequired(), NumberRange(min=1, max=1440)],
    )
    join_url = URLField(
        "Online join link",
        validators=[
            Optional(),
            URL(require_tld=False, message="Give the full link, https://…"),
            Length(max=500),
        ],
    )
    is_join_url_hidden_until_reminder = BooleanField(
        "Send the join link only in reminders, not in the confirmation"
    )
    capacity = IntegerField(
        "Capacity",
        validators=[Optional(), NumberRange(min=0, message="Capacity cannot be negative.")],
        description="Leave empty for unlimited seats; people beyond it join the waitlist.",
    )
    registration_opens_at = DateTimeLocalField(
        "Registration opens",
        format=LOCAL_FORMAT,
        validators=[Optional()],
        description="Empty: open as soon as the session is published.",
    )
    registration_opens_at_fold = _fold_field()
    registration_closes_at = DateTimeLocalField(
        "Registration closes",
        format=LOCAL_FORMAT,
        validators=[Optional()],
        description="Empty: open until the session ends.",
    )
    registration_closes_at_fold = _fold_field()
    requires_approval = BooleanField("Registrations need my approval")

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


class RescheduleForm(ErrorsOnFields, LocalTimes, EventhubForm):
    starts_at = DateTimeLocalField("New start", format=LOCAL_FORMAT, validators=[Optional()])
    starts_at_fold = _fold_field()
    timezone = _zone_field("Time zone of the new start")
    duration_minutes = IntegerField(
        "Duration (minutes)", validators=[InputRequired(), NumberRange(min=1, max=1440)]
    )
    reason = TextAreaField(
        "Why the time changes",
        validators=[DataRequired(message="Say why; registrants will read it."), Length(max=2000)],
        description="Sent to every registrant with the updated calendar invite.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ambiguous = []


class CancelForm(ErrorsOnFields, EventhubForm):
    reason = TextAreaField(
        "Why the session is cancelled",
        validators=[DataRequired(message="Say why; registrants will read it."), Length(max=2000)],
        description="Sent to every registrant with a calendar cancellation.",
    )
    confirm = BooleanField(
        "Yes, cancel this session and tell everyone registered",
        validators=[DataRequired(message="Tick the box to confirm.")],
    )


class PublishForm(EventhubForm):
    confirm = BooleanField("I have read the warnings; publish anyway")


class ConfirmForm(EventhubForm):
    """An empty form: its only job is the CSRF token on a destructive POST."""
