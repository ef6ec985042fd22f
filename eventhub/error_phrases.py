"""What error pages and API error bodies say, in the reader's language.

Werkzeug's names and default descriptions and eventhub's own fixed texts are marked here for the
catalog; `translate` looks any of them up at render time, and leaves other text (already
translated where it was raised, e.g. "No such session.") as it is.
"""

from __future__ import annotations

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


def translate(text: object) -> str:
    """`text` in the reader's language when the catalog knows it, else unchanged."""
    value = str(text or "")
    return gettext(value) if value else value
