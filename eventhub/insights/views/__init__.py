"""The insights pages, by audience: the organiser's home page (home, the `attention` blueprint),
the series list, dashboard and session page on scheduling's URLs (organiser) and a speaker's
own sessions on the speakers blueprint's URL (speaker). They read several domains (registrations,
mail, speakers), so they live above them all."""

from eventhub.insights.views import organiser, speaker  # noqa: F401  (routes on other blueprints)
from eventhub.insights.views.home import bp

__all__ = ["bp"]
