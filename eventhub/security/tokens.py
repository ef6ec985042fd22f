"""Personal access tokens made in the browser: expiry from the form, entries in the log."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from eventhub.accounts import services
from eventhub.accounts.models import ApiToken, TokenScope, User
from eventhub.activity import account_log
from eventhub.clock import utcnow
from eventhub.error_phrases import N_


def expiry(choice: str, on: date | None, zone: str) -> datetime:
    """When a token chosen as "in N days" or "on a date" stops working: a date means the end
    of that day in the installation's zone, as the person choosing it reads the date."""
    if choice.isdigit():
        return utcnow() + timedelta(days=int(choice))
    if on is None:
        raise services.AccountError(N_("Choose the date the token stops working."))
    end_of_day = datetime.combine(on + timedelta(days=1), time(0), ZoneInfo(zone))
    return end_of_day.astimezone(UTC)


def create(user: User, name: str, scope: TokenScope, expires_at: datetime) -> str:
    """Create the token and its log entry (the caller commits); returns the token, shown once."""
    token = services.create_api_token(user, name, scope=scope, expires_at=expires_at)
    account_log.record(
        user,
        "security.create_token",
        f"API token “{name}”",
        scope=scope.value,
        expires_at=expires_at.isoformat(),
    )
    return token


def revoke(user: User, token_id: int) -> ApiToken | None:
    """Revoke one of the user's own tokens and log it; None when there is no such live token."""
    row = services.revoke_api_token(user, token_id)
    if row is not None:
        account_log.record(user, "security.revoke_token", f"API token “{row.name}”", revoked=True)
    return row
