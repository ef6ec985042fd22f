"""What error pages and API error bodies say, in the reader's language.

Werkzeug's names and default descriptions, marshmallow's validation messages and eventhub's own
fixed texts are marked here for the catalog; `translate` looks any of them up at render time,
and leaves other text (already translated where it was raised, e.g. "No such session.") as it
is. `translate_errors` does the same for every message of an API error body's `errors`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from flask_babel import gettext


def N_(text: str) -> str:
    return text


# Werkzeug's reason phrases (HTML titles; the JSON `status` field stays the English phrase).
NAMES = (
    N_("Bad Request"),
    N_("Unauthorized"),
    N_("Forbidden"),
    N_("Not Found"),
    N_("Method Not Allowed"),
    N_("Conflict"),
    N_("Request Entity Too Large"),
    N_("Unprocessable Entity"),
    N_("Too Many Requests"),
    N_("Internal Server Error"),
    N_("Service Unavailable"),
)
# Werkzeug's default descriptions (tests/i18n/test_errors.py checks they still match).
DESCRIPTIONS = (
    N_("The browser (or proxy) sent a request that this server could not understand."),
    N_(
        "The server could not verify that you are authorized to access the URL requested. You "
        "either supplied the wrong credentials (e.g. a bad password), or your browser doesn't "
        "understand how to supply the credentials required."
    ),
    N_(
        "You don't have the permission to access the requested resource. It is either "
        "read-protected or not readable by the server."
    ),
    N_(
        "The requested URL was not found on the server. If you entered the URL manually please "
        "check your spelling and try again."
    ),
    N_("The method is not allowed for the requested URL."),
    N_(
        "A conflict happened while processing the request. The resource might have been "
        "modified while the request was being processed."
    ),
    N_("The data value transmitted exceeds the capacity limit."),
    N_("The request was well-formed but was unable to be followed due to semantic errors."),
    N_(
        "The server encountered an internal error and was unable to complete your request. "
        "Either the server is overloaded or there is an error in the application."
    ),
)


# marshmallow's messages as they reach a client, with the values it fills in as {names}
# (tests/i18n/test_api_errors.py checks every message marshmallow can give is here). Range's
# operators are spelled out: it builds its sentences in two steps.
VALIDATION = (
    N_("Invalid JSON body."),  # webargs, before marshmallow sees anything
    N_("Missing data for required field."),
    N_("Field may not be null."),
    N_("Invalid value."),
    N_("Invalid input."),
    N_("Invalid input type."),
    N_("Invalid type."),
    N_("Unknown field."),
    N_("Not a valid string."),
    N_("Not a valid utf-8 string."),
    N_("Not a valid integer."),
    N_("Not a valid number."),
    N_("Number too large."),
    N_("Special numeric values (nan or infinity) are not permitted."),
    N_("Not a valid boolean."),
    N_("Not a valid datetime."),
    N_("Not a valid date."),
    N_("Not a valid time."),
    N_("Not a valid naive datetime."),
    N_("Not a valid aware datetime."),
    N_("Not a valid naive time."),
    N_("Not a valid aware time."),
    N_("Not a valid period of time."),
    N_("Not a valid list."),
    N_("Not a valid tuple."),
    N_("Not a valid mapping type."),
    N_("Not a valid email address."),
    N_("Not a valid URL."),
    N_("Not a valid UUID."),
    N_("Not a valid IP address."),
    N_("Not a valid IPv4 address."),
    N_("Not a valid IPv6 address."),
    N_("Not a valid IP interface."),
    N_("Not a valid IPv4 interface."),
    N_("Not a valid IPv6 interface."),
    N_("String does not match expected pattern."),
    N_("Length must be between {min} and {max}."),
    N_("Length must be {equal}."),
    N_("Shorter than minimum length {min}."),
    N_("Longer than maximum length {max}."),
    N_("Must be equal to {other}."),
    N_("Must be one of: {choices}."),
    N_("One or more of the choices you made was in: {values}."),
    N_("One or more of the choices you made was not in: {choices}."),
    N_("Must be greater than {min}."),
    N_("Must be greater than or equal to {min}."),
    N_("Must be less than {max}."),
    N_("Must be less than or equal to {max}."),
    N_("Must be greater than {min} and less than {max}."),
    N_("Must be greater than {min} and less than or equal to {max}."),
    N_("Must be greater than or equal to {min} and less than {max}."),
    N_("Must be greater than or equal to {min} and less than or equal to {max}."),
)

_PLACEHOLDER = re.compile(r"\\\{(\w+)\\\}")


def _pattern(template: str) -> re.Pattern[str]:
    """A template's sentence with its {names} as groups: "Longer than maximum length 300."."""
    return re.compile(_PLACEHOLDER.sub(r"(?P<\1>.+?)", re.escape(template)) + r"\Z", re.DOTALL)


# The most specific first: "Must be greater than {min}." would also match "Must be greater
# than or equal to 5.", reading "or equal to 5" as the value.
_FILLED = [
    (template, _pattern(template))
    for template in sorted(
        (t for t in VALIDATION if "{" in t),
        key=lambda t: len(_PLACEHOLDER.sub("", re.escape(t))),
        reverse=True,
    )
]


def translate(text: object) -> str:
    """`text` in the reader's language when the catalog knows it, else unchanged."""
    value = str(text or "")
    if not value:
        return value
    translated = gettext(value)
    if translated != value:
        return translated
    for template, pattern in _FILLED:
        match = pattern.match(value)
        if match:
            # The values (lengths, choices) stay as marshmallow wrote them.
            return gettext(template).format(**match.groupdict())
    return value


def translate_errors(errors: object) -> object:
    """An API body's `errors` ({field: [messages]}, nested for lists and objects) translated."""
    if isinstance(errors, dict):
        return {key: translate_errors(value) for key, value in errors.items()}
    if isinstance(errors, str):
        return translate(errors)
    if isinstance(errors, Iterable):
        return [translate_errors(item) for item in errors]
    return errors
