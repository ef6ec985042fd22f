"""The cached session page's CSRF token is Flask-WTF's: the same in the request, and valid."""

from __future__ import annotations

from flask import Flask, g, session
from flask_wtf.csrf import generate_csrf, validate_csrf

from eventhub.csrf_token import csrf_token


def test_the_token_is_flask_wtfs_own(app: Flask) -> None:
    with app.test_request_context("/"):
        token = csrf_token()
        assert token == generate_csrf() == g.csrf_token
        assert session["csrf_token"]
        validate_csrf(token)  # raises if Flask-WTF would refuse it
    g.pop("csrf_token")  # the fixture's app context (and `g`) outlives each request here
    with app.test_request_context("/"):
        theirs = generate_csrf()  # Flask-WTF first: ours reads the same token
        assert csrf_token() == theirs
    g.pop("csrf_token")
    with app.test_request_context("/"):
        other = csrf_token()
        assert other != token  # a new visitor, a new token
