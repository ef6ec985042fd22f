"""Writing and publishing recaps. Services flush; the view commits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Protocol

from flask_babel import gettext as _

from eventhub.extensions import db
from eventhub.images import delete_after_commit, store_image
from eventhub.recaps.models import Recap, RecapPhoto, RecapQuote, RecapSection
from eventhub.refusal import Refusal
from eventhub.scheduling.models import Session, SessionStatus
from eventhub.speakers.models import lineup_of

PHOTO_SUBFOLDER = "recaps"
# Photos are shown at most ~900 px wide; 2000 keeps them sharp on dense screens.
PHOTO_MAX_SIDE = 2000


class RecapError(Refusal):
    """A recap change the rules refuse; the message says why."""


@dataclass(frozen=True)
class RecapFields:
    headline: str
    lead: str
    body_markdown: str
    recording_url: str
    slides_url: str
    # Traditional Chinese versions (optional): Chinese readers see them, others fall back.
    headline_zh: str = ""
    lead_zh: str = ""
    body_markdown_zh: str = ""


def recap_for(session: Session) -> Recap | None:
    return db.session.query(Recap).filter_by(session_id=session.id).one_or_none()


def save_recap(session: Session, fields: RecapFields) -> Recap:
    """Create or update the session's recap (a draft until published)."""
    if session.status is SessionStatus.DRAFT:
        raise RecapError(_("Publish the session before writing its recap."))
    recap = recap_for(session)
    if recap is None:
        recap = Recap(session_id=session.id, headline=fields.headline)
        db.session.add(recap)
    recap.headline = fields.headline.strip()
    recap.lead = fields.lead.strip()
    recap.body_markdown = fields.body_markdown
    recap.headline_zh = fields.headline_zh.strip()
    recap.lead_zh = fields.lead_zh.strip()
    recap.body_markdown_zh = fields.body_markdown_zh
    recap.recording_url = fields.recording_url.strip()
    recap.slides_url = fields.slides_url.strip()
    db.session.flush()
    return recap


def _speaker_ids(session: Session) -> set[int]:
    return {link.speaker_id for link in lineup_of(session)}


def _check_speaker(recap: Recap, speaker_id: int | None) -> None:
    if speaker_id is not None and speaker_id not in _speaker_ids(recap.session):
        raise RecapError(_("That speaker is not part of this session."))


def _next_position(items: list[RecapSection] | list[RecapQuote] | list[RecapPhoto]) -> int:
    return max((item.position for item in items), default=-1) + 1


@dataclass(frozen=True)
class SectionText:
    """What a section says, in English and (optionally) Traditional Chinese."""

    heading: str = ""
    body: str = ""
    heading_zh: str = ""
    body_zh: str = ""

    def is_empty(self) -> bool:
        return not any(
            part.strip() for part in (self.heading, self.body, self.heading_zh, self.body_zh)
        )


def add_section(recap: Recap, speaker_id: int | None, text: SectionText) -> RecapSection:
    _check_speaker(recap, speaker_id)
    if text.is_empty():
        raise RecapError(_("A section needs a heading or some text."))
    section = RecapSection(
        recap_id=recap.id,
        speaker_id=speaker_id,
        heading=text.heading.strip(),
        body_markdown=text.body,
        heading_zh=text.heading_zh.strip(),
        body_markdown_zh=text.body_zh,
        position=_next_position(recap.sections),
    )
    recap.sections.append(section)
    db.session.flush()
    return section


def update_section(
    section: RecapSection, recap: Recap, speaker_id: int | None, text: SectionText
) -> None:
    _check_speaker(recap, speaker_id)
    section.speaker_id = speaker_id
    section.heading = text.heading.strip()
    section.body_markdown = text.body
    section.heading_zh = text.heading_zh.strip()
    section.body_markdown_zh = text.body_zh
    db.session.flush()


def _words(text: str) -> str:
    # The page adds the quotation marks; typed ones would double them.
    return text.strip().strip('“”"「」『』').strip()


def add_quote(recap: Recap, speaker_id: int | None, text: str, text_zh: str = "") -> RecapQuote:
    _check_speaker(recap, speaker_id)
    cleaned, cleaned_zh = _words(text), _words(text_zh)
    if not cleaned and not cleaned_zh:
        raise RecapError(_("A quote needs its words."))
    quote = RecapQuote(
        recap_id=recap.id,
        speaker_id=speaker_id,
        text=cleaned,
        text_zh=cleaned_zh,
        position=_next_position(recap.quotes),
    )
    recap.quotes.append(quote)
    db.session.flush()
    return quote


def add_photo(recap: Recap, source: bytes | IO[bytes], caption: str) -> RecapPhoto:
    """Validate, strip and re-encode an upload (eventhub.images) and add it with its caption.

    Raises eventhub.images.ImageError with a message for the organiser.
    """
    stored = store_image(source, subfolder=PHOTO_SUBFOLDER, max_output_side=PHOTO_MAX_SIDE)
    photo = RecapPhoto(
        recap_id=recap.id,
        path=stored.path,
        caption=caption.strip(),
        position=_next_position(recap.photos),
    )
    recap.photos.append(photo)
    db.session.flush()
    return photo


class _Ordered(Protocol):
    id: int
    position: int


def move(items: Sequence[_Ordered], item_id: int, step: int) -> None:
    """Swap an item with its neighbour (step -1 up, +1 down); positions renumbered 0..n."""
    ordered = sorted(items, key=lambda i: (i.position, i.id))
    index = next((n for n, i in enumerate(ordered) if i.id == item_id), None)
    if index is None:
        raise RecapError(_("No such item."))
    target = index + step
    if 0 <= target < len(ordered):
        ordered[index], ordered[target] = ordered[target], ordered[index]
    for position, item in enumerate(ordered):
        item.position = position
    db.session.flush()


def items_of(recap: Recap, kind: str) -> Sequence[RecapSection | RecapQuote | RecapPhoto]:
    """The recap's sections, quotes or photos, by the name the editor's URLs use."""
    if kind == "sections":
        return recap.sections
    if kind == "quotes":
        return recap.quotes
    if kind == "photos":
        return recap.photos
    raise RecapError(_("Unknown part %(kind)s.", kind=repr(kind)))


def remove(recap: Recap, kind: str, item_id: int) -> None:
    """Delete one part of the recap (a photo's file too, after the commit)."""
    item = next((i for i in items_of(recap, kind) if i.id == item_id), None)
    if item is None:
        raise RecapError(_("No such item."))
    if isinstance(item, RecapPhoto):
        delete_after_commit(item.path)  # the file goes once the row's deletion commits
    db.session.delete(item)
    db.session.flush()


def publish(recap: Recap, now: datetime) -> bool:
    """Make the recap public; True the first time (follow-ups then wait for it no longer)."""
    if not (recap.headline.strip() or recap.headline_zh.strip()):
        raise RecapError(_("Give the recap a headline before publishing."))
    written = (recap.lead, recap.body_markdown, recap.lead_zh, recap.body_markdown_zh)
    if not (any(part.strip() for part in written) or recap.sections):
        raise RecapError(_("Write the lead, the article or a speaker section before publishing."))
    if recap.session.starts_at > now:
        raise RecapError(_("A recap can be published once the session has taken place."))
    if recap.published_at is not None:
        return False
    recap.published_at = now
    db.session.flush()
    return True


def unpublish(recap: Recap) -> None:
    """Take the page down again (follow-ups already sent stay sent)."""
    recap.published_at = None
    db.session.flush()
