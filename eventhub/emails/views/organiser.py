"""Organiser mail pages: delivery status per series and session, retries, announcements."""

from __future__ import annotations

import secrets

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import ColumnElement, func, select

from eventhub.clock import utcnow
from eventhub.emails.announcements import (
    Audience,
    Topic,
    recipients,
    render_announcement,
    send_announcement,
)
from eventhub.emails.forms import AnnouncementForm
from eventhub.emails.views import organiser_bp as bp
from eventhub.extensions import db
from eventhub.inputs import int32
from eventhub.insights import mail_reports as reports
from eventhub.mail.delivery import retry
from eventhub.mail.models import MessageKind, MessageStatus, OutboxMessage
from eventhub.mail.outbox import content_of
from eventhub.mail.transport import uses_dev_mailbox
from eventhub.scheduling.models import Series, Session
from eventhub.teams.access import in_reach
from eventhub.transaction import change, keep_quiet

PAGE_SIZE = 100


@bp.route("/")
def index() -> ResponseReturnValue:
    """Every series with its message totals."""
    series_list = list(
        db.session.scalars(select(Series).where(in_reach(Series.id)).order_by(Series.title))
    )
    per_series = reports.counts_per_group(OutboxMessage.series_id, [s.id for s in series_list])
    return render_template(
        "mail/organiser/index.html",
        series_list=series_list,
        per_series=per_series,
        totals=reports.counts(in_reach(OutboxMessage.series_id)),
        statuses=reports.STATUS_ORDER,
        uses_dev_mailbox=uses_dev_mailbox(),
    )


def _scope(
    series: Series, session: Session | None, where: ColumnElement[bool]
) -> ResponseReturnValue:
    """The delivery page of a series (with a row per session) or of one of its sessions."""
    sessions = list(series.sessions) if session is None else []
    return render_template(
        "mail/organiser/scope.html",
        series=series,
        session=session,
        counts=reports.counts(where),
        per_session=(
            reports.counts_per_group(OutboxMessage.session_id, [s.id for s in sessions])
            if session is None
            else None
        ),
        sessions=sessions,
        failed=reports.messages(where, OutboxMessage.status == MessageStatus.FAILED, limit=50),
        statuses=reports.STATUS_ORDER,
    )


@bp.route("/series/<int:series_id>")
def series(series_id: int) -> ResponseReturnValue:
    """A series: messages by kind and status, per session, and what failed."""
    found = db.get_or_404(Series, series_id)
    return _scope(found, None, OutboxMessage.series_id == found.id)


@bp.route("/sessions/<int:session_id>")
def session(session_id: int) -> ResponseReturnValue:
    """One session: messages by kind and status, and what failed."""
    found = db.get_or_404(Session, session_id)
    return _scope(found.series, found, OutboxMessage.session_id == found.id)


@bp.route("/messages")
def messages() -> ResponseReturnValue:
    """Messages filtered by recipient, series, session, kind and status."""
    where = [in_reach(OutboxMessage.series_id)]
    email = request.args.get("email", "").strip()
    if email:
        where.append(func.lower(OutboxMessage.recipient_email) == email.lower())
    for arg, column in (
        ("series_id", OutboxMessage.series_id),
        ("session_id", OutboxMessage.session_id),
    ):
        value = request.args.get(arg, type=int32)
        if value:
            where.append(column == value)
    kind = request.args.get("kind", "")
    if kind in {k.value for k in MessageKind}:
        where.append(OutboxMessage.kind == MessageKind(kind))
    status = request.args.get("status", "")
    if status in {s.value for s in MessageStatus}:
        where.append(OutboxMessage.status == MessageStatus(status))
    page = max(request.args.get("page", 1, type=int32), 1)
    return render_template(
        "mail/organiser/messages.html",
        rows=reports.messages(*where, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE),
        total=reports.count(*where),
        page=page,
        page_size=PAGE_SIZE,
        email=email,
        kind=kind,
        status=status,
        kinds=list(MessageKind),
        statuses=reports.STATUS_ORDER,
        args={k: v for k, v in request.args.items() if k != "page"},
    )


@bp.route("/messages/<int:message_id>")
def message(message_id: int) -> ResponseReturnValue:
    """One message: where it stands, the server's last answer, its content."""
    row = db.get_or_404(OutboxMessage, message_id)
    return render_template("mail/organiser/message.html", row=row, content=content_of(row))


@bp.route("/messages/<int:message_id>/html")
def message_html(message_id: int) -> ResponseReturnValue:
    """The HTML body, served for a sandboxed frame with a CSP that forbids scripts."""
    row = db.get_or_404(OutboxMessage, message_id)
    response = Response(content_of(row).html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:"
    )
    return response


@bp.route("/messages/<int:message_id>/retry", methods=["POST"])
def retry_message(message_id: int) -> ResponseReturnValue:
    """Try a failed (or waiting) message again now."""
    row = db.get_or_404(OutboxMessage, message_id)
    with change():
        retried = retry(row.id)
    if retried:
        flash(_("Message to %(email)s queued again.", email=row.recipient_email), "success")
    else:
        flash(_("Only failed or deferred messages can be retried."), "warning")
    return redirect(request.form.get("next") or url_for("mail.message", message_id=row.id))


@bp.route("/series/<int:series_id>/retry-failed", methods=["POST"])
def retry_failed(series_id: int) -> ResponseReturnValue:
    """Queue every failed message of a series again."""
    found = db.get_or_404(Series, series_id)
    ids = db.session.scalars(
        select(OutboxMessage.id).where(
            OutboxMessage.series_id == found.id, OutboxMessage.status == MessageStatus.FAILED
        )
    ).all()
    with change():
        retried = sum(1 for i in ids if retry(i))
    flash(
        ngettext(
            "%(num)d failed message queued again.", "%(num)d failed messages queued again.", retried
        ),
        "success",
    )
    return redirect(url_for("mail.series", series_id=found.id))


@bp.route("/series/<int:series_id>/announce", methods=["GET", "POST"])
def announce(series_id: int) -> ResponseReturnValue:
    """Write an announcement, preview it with its audience, then send it."""
    found = db.get_or_404(Series, series_id)
    form = AnnouncementForm(found)
    if not form.batch_id.data:
        form.batch_id.data = secrets.token_urlsafe(12)
    preview = None
    if form.validate_on_submit():
        audience = Audience(form.audience.data)
        topic = Topic(form.topic.data)
        session_id = form.chosen_session_id
        if session_id is not None and session_id not in {s.id for s in found.sessions}:
            abort(400)
        if form.send.data:
            with change(show=keep_quiet) as sending:
                queued = send_announcement(
                    found,
                    subject=form.subject.data or "",
                    body_markdown=form.body.data or "",
                    audience=audience,
                    session_id=session_id,
                    batch_id=form.batch_id.data,
                    now=utcnow(),
                    topic=topic,
                )
            if sending.refusal is not None:
                form.audience.errors = [str(sending.refusal)]
            else:
                flash(
                    ngettext(
                        "Announcement queued for %(num)d recipient.",
                        "Announcement queued for %(num)d recipients.",
                        queued,
                    ),
                    "success",
                )
                return redirect(url_for("mail.series", series_id=found.id))
        people = recipients(found, audience, session_id, utcnow(), topic)
        sample = people[0] if people else None
        preview = {
            "count": len(people),
            "sample": people[:10],
            "email": render_announcement(
                found, form.subject.data or "", form.body.data or "", sample
            )
            if sample
            else None,
        }
    return render_template("mail/organiser/announce.html", series=found, form=form, preview=preview)
