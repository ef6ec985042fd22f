"""Error pages for people and JSON error bodies for the API — never a bare 500."""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Flask, Response, g, jsonify, render_template, request
from flask.globals import request_ctx
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import (
    DBAPIError,
    DisconnectionError,
    InterfaceError,
    OperationalError,
    SQLAlchemyError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import (
    HTTPException,
    InternalServerError,
    UnprocessableEntity,
    default_exceptions,
)

from eventhub.error_phrases import N_, translate, translate_errors
from eventhub.extensions import db, login_manager
from eventhub.refusal import GENERAL, Refusal

log = logging.getLogger(__name__)


class TryAgainLater(HTTPException):
    """A lock could not be had in time; the client should retry."""

    code = 503
    description = N_("The service is busy right now. Please try again in a moment.")


class DatabaseUnavailable(TryAgainLater):
    """The database cannot be reached (restarting, failing over, network cut)."""

    description = N_("The service is briefly unavailable. Please try again in a minute.")


# What a lost or refused database connection raises; the pool reconnects once it is back.
_OUTAGES = (OperationalError, InterfaceError, DisconnectionError, PoolTimeout)


def is_lock_error(error: BaseException) -> bool:
    """SQLite 'database is locked' / PostgreSQL lock timeout or deadlock: busy, not broken."""
    if not isinstance(error, OperationalError):
        return False
    message = str(error.orig).lower() if error.orig is not None else str(error).lower()
    code = getattr(error.orig, "sqlstate", None)
    return "locked" in message or "busy" in message or code in {"55P03", "40P01", "40001"}


def is_database_outage(error: BaseException) -> bool:
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    return isinstance(error, _OUTAGES)


# Errors that pass (a busy lock, a database restarting): how to log each, which page answers.
_Trouble = tuple[Callable[[BaseException], bool], int, str, type[TryAgainLater]]
_PASSING_TROUBLES: tuple[_Trouble, ...] = (
    (is_lock_error, logging.INFO, "lock timeout", TryAgainLater),
    (is_database_outage, logging.WARNING, "database unavailable", DatabaseUnavailable),
)


def wants_json() -> bool:
    return request.path.startswith("/api/") or (request.accept_mimetypes.best == "application/json")


TOO_MANY = N_(
    "You have sent a lot of requests in a short time. Please wait a minute and try again. "
    "If many people share your network, the organisers can raise this limit."
)


def _render(error: HTTPException) -> ResponseReturnValue:
    code = error.code or 500
    # A failed flush leaves the session unusable; the error page (which may load the current
    # user) needs a working one, and nothing of the failed request may be committed later.
    try:
        db.session.rollback()
    except SQLAlchemyError:  # the database itself is gone; the page needs none of it
        log.warning("rollback before an error page failed", exc_info=True)
    if code == 429:
        # Flask-Limiter's own text ("20 per 1 minute") reads like an error code, not advice.
        error.description = TOO_MANY
    if wants_json():
        body: dict[str, object] = {
            "code": code,
            "status": error.name,
            "message": translate(error.description),
        }
        # flask-smorest / webargs attach field errors as data["messages"] or data["errors"].
        data = getattr(error, "data", None) or {}
        details = data.get("errors") or data.get("messages")
        if details:
            errors = details.get("json", details) if isinstance(details, dict) else details
            # The documented shape is an object of field -> messages, never a bare list.
            # marshmallow writes English; the reader may not read it.
            body["errors"] = translate_errors(
                errors if isinstance(errors, dict) else {"_schema": errors}
            )
        response = jsonify(body)
        response.status_code = code
        response.headers.update(_retry_after(code))
        # Keep what the error says about retrying or authenticating (WWW-Authenticate, Allow…).
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response
    headers = _retry_after(code)
    if code == 503 and g.get("_login_user") is None:
        # The page must not need the database (loading the user would ask it again).
        login_manager._update_request_context_with_user()
    if request_ctx.url_adapter is None:
        # An untrusted Host leaves the request without URLs; the page's links cannot be built.
        return Response(f"{code} {error.name}\n", code, headers, mimetype="text/plain")
    template = "errors/429.html" if code == 429 else "errors/error.html"
    page = render_template(
        template,
        error=error,
        code=code,
        title=translate(error.name),
        description=translate(error.description),
    )
    return page, code, headers


def _retry_after(code: int) -> dict[str, str]:
    return {"Retry-After": "5"} if code == 503 else {"Retry-After": "60"} if code == 429 else {}


def install_error_handlers(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> ResponseReturnValue:
        return _render(error)

    @app.errorhandler(Refusal)
    def refused(refusal: Refusal) -> ResponseReturnValue:
        # A refusal no view showed itself (eventhub.transaction.change shows the ones it meets):
        # the API's JSON error naming the fields, or an error page saying why — never a 500.
        kind = default_exceptions.get(refusal.status_code, UnprocessableEntity)
        error = kind(description=refusal.summary())
        if refusal.field_errors:
            errors = {
                ("_schema" if k == GENERAL else k): v for k, v in refusal.field_errors.items()
            }
            error.data = {"errors": errors}  # type: ignore[attr-defined]
        return _render(error)

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> ResponseReturnValue:
        # The one answer to a lock wait that timed out (seat lock, SQLite write lock) and to the
        # database going away: 503 with Retry-After, as a page or as JSON. Anything else is a bug.
        for is_trouble, level, what, page in _PASSING_TROUBLES:
            if is_trouble(error):
                log.log(level, "%s on %s %s: %s", what, request.method, request.path, error)
                return _render(page())
        log.exception("unhandled error on %s %s", request.method, request.path)
        return _render(InternalServerError())
