"""Public unsubscribe pages, and the RFC 8058 one-click endpoint mail clients POST to."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from eventhub.emails import unsubscribe as service
from eventhub.emails.views import unsubscribe_bp as bp
from eventhub.extensions import csrf, db
from eventhub.scheduling.models import Series
from eventhub.tokens import InvalidToken
from eventhub.transaction import change


def _load(token: str) -> tuple[Series, str]:
    try:
        series_id, email = service.read_unsubscribe_token(token)
    except InvalidToken:
        abort(404)
    series = db.session.get(Series, series_id)
    if series is None:
        abort(404)
    return series, email


@bp.route("/<token>", methods=["GET", "POST"])
def confirm(token: str) -> ResponseReturnValue:
    """GET asks (link scanners must not unsubscribe anyone); POST unsubscribes."""
    series, email = _load(token)
    if request.method == "POST":
        with change():
            service.unsubscribe(series.id, email)
        return render_template(
            "mail/unsubscribe/done.html", series=series, email=email, token=token
        )
    return render_template(
        "mail/unsubscribe/confirm.html",
        series=series,
        email=email,
        token=token,
        is_unsubscribed=service.is_unsubscribed(series.id, email),
    )


@bp.route("/<token>/one-click", methods=["GET", "POST"])
@csrf.exempt
def one_click(token: str) -> ResponseReturnValue:
    """RFC 8058: a POST with List-Unsubscribe=One-Click unsubscribes at once, no cookies."""
    series, email = _load(token)
    if request.method == "GET":
        return redirect(url_for("unsubscribe.confirm", token=token))
    with change():
        service.unsubscribe(series.id, email)
    return {"status": "unsubscribed", "series": series.title}, 200


@bp.route("/<token>/resubscribe", methods=["POST"])
def resubscribe(token: str) -> ResponseReturnValue:
    """Changed their mind: series news flows again."""
    series, email = _load(token)
    with change():
        service.resubscribe(series.id, email)
    return render_template(
        "mail/unsubscribe/confirm.html",
        series=series,
        email=email,
        token=token,
        is_unsubscribed=False,
        resubscribed=True,
    )
