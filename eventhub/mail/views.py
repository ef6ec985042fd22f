"""The development mailbox: what was "sent" while no SMTP server is configured."""

from __future__ import annotations

import re
from email import message_from_bytes, policy
from email.message import EmailMessage

from flask import Blueprint, Response, abort, render_template
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from werkzeug.utils import secure_filename

from eventhub.accounts.access import require_role_for_blueprint
from eventhub.accounts.models import Role
from eventhub.extensions import db
from eventhub.mail.models import DevMailboxMessage
from eventhub.mail.transport import uses_dev_mailbox

bp = Blueprint("mailbox", __name__, url_prefix="/organiser/mailbox")
# Absolute links as the plain-text part writes them (angle brackets and trailing punctuation
# are not part of a link).
LINK = re.compile(r"https?://[^\s<>\"')]+[^\s<>\"').,;:!?]")
require_role_for_blueprint(bp, Role.ORGANISER)


@bp.before_request
def _only_without_smtp() -> None:
    if not uses_dev_mailbox():
        abort(404)


def _parse(row: DevMailboxMessage) -> EmailMessage:
    parsed = message_from_bytes(row.raw, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


@bp.route("/")
def index() -> ResponseReturnValue:
    """The latest delivered messages."""
    rows = db.session.scalars(
        select(DevMailboxMessage).order_by(DevMailboxMessage.id.desc()).limit(200)
    )
    return render_template("mail/mailbox/index.html", messages=list(rows))


@bp.route("/<int:message_id>")
def show(message_id: int) -> ResponseReturnValue:
    """One message: headers, text and a sandboxed HTML view."""
    row = db.get_or_404(DevMailboxMessage, message_id)
    parsed = _parse(row)
    text_part = parsed.get_body(preferencelist=("plain",))
    attachments = [part.get_filename() for part in parsed.iter_attachments()]
    text = text_part.get_content() if text_part else ""
    return render_template(
        "mail/mailbox/show.html",
        row=row,
        message=parsed,
        text=text,
        links=list(dict.fromkeys(LINK.findall(text))),
        attachments=attachments,
    )


@bp.route("/<int:message_id>/html")
def html(message_id: int) -> ResponseReturnValue:
    """The HTML alternative, served with a CSP that forbids scripts."""
    parsed = _parse(db.get_or_404(DevMailboxMessage, message_id))
    part = parsed.get_body(preferencelist=("html",))
    if part is None:
        abort(404)
    response = Response(part.get_content(), mimetype="text/html")
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@bp.route("/<int:message_id>/attachments/<int:index>")
def attachment(message_id: int, index: int) -> ResponseReturnValue:
    """Download one attachment."""
    parsed = _parse(db.get_or_404(DevMailboxMessage, message_id))
    parts = list(parsed.iter_attachments())
    if index >= len(parts):
        abort(404)
    part = parts[index]
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    # The name comes from the message: never let it shape the header or the type served.
    name = secure_filename(part.get_filename() or "") or f"attachment-{index}"
    response = Response(payload, mimetype="application/octet-stream")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
