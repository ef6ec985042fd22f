"""The speakers blueprint: public pages, the speaker's own area and the organisers' pages.

One blueprint named `speakers`, guarded by area: /organiser/… and /me/… need their role. It is
declared here; the app factory imports the route modules (invitation, lineup, me, organiser,
public)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from eventhub.accounts.models import Role
from eventhub.extensions import login_manager
from eventhub.speakers.presentation import install

bp = Blueprint("speakers", __name__)
install(bp)

# Endpoint names must stay `speakers.*` (other domains link to speakers.session_speakers), so
# the areas share a blueprint and the guard goes by path, covering routes added later too.
_AREAS = (("/organiser/", Role.ORGANISER), ("/me/", Role.SPEAKER))


@bp.before_request
def _guard() -> ResponseReturnValue | None:
    path = request.path
    for prefix, role in _AREAS:
        if path.startswith(prefix) or path == prefix.rstrip("/"):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role is not role:
                abort(403)
    return None


@bp.errorhandler(RequestEntityTooLarge)
def _upload_too_large(error: RequestEntityTooLarge) -> ResponseReturnValue:
    # Past MAX_CONTENT_LENGTH the form cannot even be parsed: say so on the page it came from.
    speaker_id = (request.view_args or {}).get("speaker_id")
    if request.endpoint == "speakers.organiser_photo" and speaker_id is not None:
        target = url_for("speakers.organiser_edit", speaker_id=speaker_id)
    elif request.endpoint == "speakers.my_photo":
        target = url_for("speakers.my_profile")
    else:
        return render_template("errors/error.html", error=error, code=413), 413
    flash(_("The file is larger than 5 MB. Please upload a smaller image."), "error")
    return redirect(target)
