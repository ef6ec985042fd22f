"""One blueprint named `speakers`, guarded by area: /organiser/… and /me/… need their role."""

from __future__ import annotations

from flask import Blueprint, abort, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

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
