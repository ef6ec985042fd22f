"""What user text may hold: one place that refuses control characters and header tricks.

Single-line fields (names, titles, addresses) can end up in an email header, a calendar line or
a CSV cell, so they refuse every control character (CR, LF, NUL, …) and RFC 2047 encoded words
("=?utf-8?q?…?="), which a vulnerable email package decodes back into CR/LF. Multi-line fields
keep tabs and line breaks but refuse the other control characters (NUL above all: PostgreSQL
cannot store it).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any, ClassVar

import marshmallow as ma
from flask_babel import gettext
from flask_wtf import FlaskForm
from wtforms import (
    Field,
    FieldList,
    FormField,
    IntegerField,
    PasswordField,
    StringField,
    TextAreaField,
)

from eventhub.error_phrases import N_
from eventhub.i18n import FormTranslations, form_translations

# C0, DEL, C1, and the Unicode line and paragraph separators.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_MULTILINE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# The opening of an RFC 2047 encoded word; no name or title needs it.
ENCODED_WORD_START = "=?"

# Integer columns are 32-bit on PostgreSQL: a larger number is refused, never sent to the database.
INT_MIN, INT_MAX = -(2**31), 2**31 - 1
# English msgids: forms translate them when they add them to a field, the API when it writes
# its error body (error_phrases.translate).
TOO_LARGE_MESSAGE = N_("That number is too large.")

LINE_BREAK_MESSAGE = N_("Must be a single line without line breaks or control characters.")
ENCODED_WORD_MESSAGE = N_("May not contain “=?” (it would be read as an encoded email header).")
CONTROL_MESSAGE = N_("May not contain control characters.")


def single_line_problem(value: str) -> str | None:
    """Why `value` cannot be a single-line field, or None when it can."""
    if _CONTROL.search(value):
        return LINE_BREAK_MESSAGE
    if ENCODED_WORD_START in value:
        return ENCODED_WORD_MESSAGE
    return None


def multi_line_problem(value: str) -> str | None:
    """Why `value` cannot be a multi-line field (line breaks and tabs are fine)."""
    return CONTROL_MESSAGE if _CONTROL_MULTILINE.search(value) else None


def is_single_line(value: str) -> bool:
    return single_line_problem(value) is None


def int32(raw: str) -> int:
    """`int()` for request arguments (`request.args.get("page", type=int32)`): ValueError when
    the value does not fit a database integer, so the argument's default applies."""
    value = int(raw)
    if not INT_MIN <= value <= INT_MAX:
        raise ValueError(TOO_LARGE_MESSAGE)
    return value


def _field_problem(field: Field) -> str | None:
    data = field.data
    if isinstance(field, IntegerField) and isinstance(data, int):
        return None if INT_MIN <= data <= INT_MAX else TOO_LARGE_MESSAGE
    if not isinstance(data, str):
        return None
    if isinstance(field, PasswordField):
        return CONTROL_MESSAGE if "\x00" in data else None
    if isinstance(field, TextAreaField):
        return multi_line_problem(data)
    if isinstance(field, StringField):
        return single_line_problem(data)
    return None


def _leaf_fields(fields: Iterable[Field]) -> Iterator[Field]:
    for field in fields:
        if isinstance(field, FormField):
            yield from _leaf_fields(field.form)
        elif isinstance(field, FieldList):
            yield from _leaf_fields(field.entries)
        else:
            yield field


class EventhubForm(FlaskForm):
    """Every eventhub form: text fields refuse what cannot safely leave the application."""

    class Meta(FlaskForm.Meta):
        def get_translations(self, form: Any) -> FormTranslations:
            # Flask-WTF's own lookup falls back from zh_Hant to WTForms' Simplified catalog.
            return form_translations

    def validate(self, extra_validators: Any = None) -> bool:
        valid = bool(super().validate(extra_validators))
        for field in _leaf_fields(self):
            problem = _field_problem(field)
            if problem is not None:
                field.errors = [*field.errors, gettext(problem)]
                valid = False
        return valid


# The same rules as JSON Schema patterns, so the OpenAPI document tells clients.
SINGLE_LINE_PATTERN = "^(?!.*=\\?)[^\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029]*$"
MULTI_LINE_PATTERN = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$"


class _CheckedText(ma.fields.String):
    """A JSON string under one of the rules above: checked with the same words as a form field,
    and stated as a pattern so the OpenAPI document tells clients."""

    pattern: ClassVar[str]

    @staticmethod
    def problem(value: str) -> str | None:
        raise NotImplementedError

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators = [*self.validators, ma.validate.Regexp(self.pattern)]

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text: str = super()._deserialize(value, attr, data, **kwargs)
        problem = self.problem(text)
        if problem is not None:
            raise ma.ValidationError(problem)
        return text


class SingleLine(_CheckedText):
    """A JSON string that may reach a header: one line, no control characters, no encoded words."""

    pattern = SINGLE_LINE_PATTERN
    problem = staticmethod(single_line_problem)


class MultiLine(_CheckedText):
    """A JSON text: line breaks allowed, other control characters refused."""

    pattern = MULTI_LINE_PATTERN
    problem = staticmethod(multi_line_problem)


class Int32(ma.fields.Integer):
    """A JSON integer that fits a database integer column (the OpenAPI document says so too)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators = [*self.validators, ma.validate.Range(min=INT_MIN, max=INT_MAX)]


class StrictBoolean(ma.fields.Boolean):
    """JSON true or false only: 0, 1, "yes" and "true" are refused, as the document says."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        # Not `value in {True}`: 1 == True in Python, so only the type can tell them apart.
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value
