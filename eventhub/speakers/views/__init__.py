"""The speakers blueprint: public pages, the speaker's own area and the organisers' pages."""

from eventhub.speakers.views import invitation, lineup, me, organiser, public  # noqa: F401  (routes)
from eventhub.speakers.views.blueprint import bp

__all__ = ["bp"]
