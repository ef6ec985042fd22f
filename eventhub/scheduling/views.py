"""The organiser blueprint: series pages and session pages register their routes on it."""

from __future__ import annotations

from eventhub.scheduling import series_views, session_views
from eventhub.scheduling.blueprint import bp

# The route modules attach themselves to `bp` when imported.
__all__ = ["bp", "series_views", "session_views"]
