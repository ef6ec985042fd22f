"""Import every domain's models so the metadata (and Alembic) sees the whole schema."""

from eventhub.accounts.models import ApiToken, Role, User
from eventhub.activity.models import ActivityEntry
from eventhub.mail.models import DevMailboxMessage, OutboxMessage, Unsubscribe
from eventhub.recaps.models import Recap, RecapPhoto, RecapQuote, RecapSection
from eventhub.registration.models import Registration, RegistrationQuestion, SeriesRegistration
from eventhub.scheduling.models import Series, Session
from eventhub.speakers.models import (
    ProfileChange,
    SessionSpeaker,
    SpeakerInvitation,
    SpeakerProfile,
)
from eventhub.teams.models import MemberInvitation, Membership

__all__ = [
    "ActivityEntry",
    "ApiToken",
    "DevMailboxMessage",
    "MemberInvitation",
    "Membership",
    "OutboxMessage",
    "ProfileChange",
    "Recap",
    "RecapPhoto",
    "RecapQuote",
    "RecapSection",
    "Registration",
    "RegistrationQuestion",
    "Role",
    "Series",
    "SeriesRegistration",
    "Session",
    "SessionSpeaker",
    "SpeakerInvitation",
    "SpeakerProfile",
    "Unsubscribe",
    "User",
]
